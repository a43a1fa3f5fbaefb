// Security-key slots on the soft token through the real FIDO2 client (libfido2 over CTAPHID):
// enrol, unlock, another authenticator, a PIN-protected token.
#include <boost/test/unit_test.hpp>

#include "mfa/fido2.hpp"
#include "mfa/softtoken.hpp"
#include "mfa/vault_fido2.hpp"
#include "test_support.hpp"
#include "vault_fakes.hpp"

using namespace mfa;

namespace {

template <class R>
std::string why(const R& r) {
    return r.ok() ? std::string() : r.error().to_string();
}

struct Token {
    fido2::Client client;
    std::unique_ptr<fido2::Device> device;
    explicit Token(const std::string& name) {
        auto t = softtoken::SoftToken::in_memory();
        BOOST_REQUIRE(t.ok());
        client.soft_tokens().add(name, *t);
        auto d = client.open("soft:" + name);
        BOOST_REQUIRE_MESSAGE(d.ok(), why(d));
        device = std::move(*d);
    }
};

VaultOptions test_opts() {
    VaultOptions o;
    o.allow_insecure_kdf = true;
    return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(vault_fido2)

BOOST_AUTO_TEST_CASE(enrol_and_unlock_with_the_soft_token) {
    test::TempDir dir;
    const auto p = dir.path / "v.mfa";
    Token a("vault-a"), b("vault-b");
    int touches = 0;
    auto key = make_fido2_hmac_provider(*a.device, {nullptr, [&] { ++touches; }});
    {
        auto v = Vault::create(p, SecretString("pw"), KdfParams::insecure_for_tests(), test_opts());
        BOOST_REQUIRE(v.ok());
        Account acc;
        acc.name = "alice";
        acc.secret = SecretBytes(Bytes(20, 3));
        BOOST_REQUIRE(v->add(acc).ok());
        auto idx = v->add_security_key_slot(*key, "soft token");
        BOOST_REQUIRE_MESSAGE(idx.ok(), why(idx));
        BOOST_REQUIRE(v->save().ok());
    }
    auto v = Vault::open_with_key(p, *key);
    BOOST_REQUIRE_MESSAGE(v.ok(), why(v));
    BOOST_TEST(v->entries().size() == 1u);
    BOOST_TEST(v->entries()[0].account.name == "alice");
    // The same salt gives the same hmac-secret: unlocking twice works.
    BOOST_TEST(Vault::open_with_key(p, *key).ok());
    // Another authenticator does not hold the credential.
    auto other = make_fido2_hmac_provider(*b.device);
    BOOST_TEST(Vault::open_with_key(p, *other).code() == Errc::vault_key_rejected);
    BOOST_TEST(Vault::open(p, SecretString("pw")).ok());
}

BOOST_AUTO_TEST_CASE(token_with_a_pin) {
    test::TempDir dir;
    const auto p = dir.path / "v.mfa";
    Token t("vault-pin");
    const SecretString pin("123456");
    BOOST_REQUIRE(t.device->set_pin(pin).ok());
    int asked = 0;
    auto key = make_fido2_hmac_provider(*t.device, {[&]() -> std::optional<SecretString> {
                                                        ++asked;
                                                        return pin.clone();
                                                    },
                                                    nullptr});
    auto v = Vault::create(p, SecretString("pw"), KdfParams::insecure_for_tests(), test_opts());
    BOOST_REQUIRE(v.ok());
    auto idx = v->add_security_key_slot(*key);
    BOOST_REQUIRE_MESSAGE(idx.ok(), why(idx));
    BOOST_REQUIRE(v->save().ok());
    // The soft token, like CTAP 2.1 keys with makeCredUvNotRqd, makes non-resident credentials
    // without the PIN; keys that insist get it through ask_pin. Either way no PIN is asked twice.
    BOOST_TEST(asked <= 1);
    auto w = Vault::open_with_key(p, *key);
    BOOST_REQUIRE_MESSAGE(w.ok(), why(w));
    BOOST_TEST(w->entries().empty());
    BOOST_TEST(asked <= 2);
}

BOOST_AUTO_TEST_SUITE_END()

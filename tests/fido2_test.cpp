// The SDK's FIDO2 client (libfido2 underneath) against the soft token in process: every operation,
// the PIN paths, hmac-secret, credential management, presence, cancel and the WebAuthn JSON.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/softtoken.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::fido2;
using softtoken::Presence;
using softtoken::SoftToken;

namespace {

constexpr std::uint8_t kPinAuthBlocked = 0x34, kPinInvalid = 0x31, kPinBlocked = 0x32, kNoCredentials = 0x2E,
                       kPuatRequired = 0x36, kCredentialExcluded = 0x19, kOperationDenied = 0x27,
                       kActionTimeout = 0x2F, kCancel = 0x2D, kNotAllowed = 0x30;

Errc ctap(std::uint8_t s) { return static_cast<Errc>(s); }

struct Fixture {
    Client client;
    std::shared_ptr<SoftToken> token;
    std::unique_ptr<Device> dev;

    explicit Fixture(softtoken::Options o = {}, const std::string& name = "t") {
        auto t = SoftToken::in_memory(std::move(o));
        BOOST_REQUIRE(t);
        token = *t;
        client.soft_tokens().add(name, token);
        auto d = client.open("soft:" + name);
        BOOST_REQUIRE_MESSAGE(d, (d ? std::string() : d.error().to_string()));
        dev = std::move(*d);
    }
};

Bytes hash_of(std::string_view s) { return make_client_data("webauthn.get", as_bytes(s), "https://example.com").hash; }

MakeCredentialRequest mc(std::string user, bool rk = false) {
    MakeCredentialRequest r;
    r.client_data_hash = hash_of("register " + user);
    r.rp = {"example.com", "Example"};
    r.user = {Bytes(user.begin(), user.end()), user, user + " display"};
    r.resident = rk;
    return r;
}

GetAssertionRequest ga(std::vector<Bytes> allow = {}) {
    GetAssertionRequest r;
    r.rp_id = "example.com";
    r.client_data_hash = hash_of("login");
    r.allow = std::move(allow);
    return r;
}

SecretString pin(std::string_view p) { return SecretString(p); }

std::filesystem::path temp_file(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("mfa-fido2-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto p = dir / name;
    std::filesystem::remove(p);
    return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fido2)

BOOST_AUTO_TEST_CASE(info_reports_the_soft_token) {
    Fixture f;
    auto info = f.dev->info();
    BOOST_REQUIRE_MESSAGE(info, (info ? std::string() : info.error().to_string()));
    BOOST_TEST(f.dev->is_fido2());
    BOOST_TEST((std::find(info->versions.begin(), info->versions.end(), "FIDO_2_1") != info->versions.end()));
    BOOST_TEST((std::find(info->extensions.begin(), info->extensions.end(), "hmac-secret") != info->extensions.end()));
    BOOST_TEST((std::find(info->extensions.begin(), info->extensions.end(), "credProtect") != info->extensions.end()));
    BOOST_TEST((info->aaguid == f.token->aaguid()));
    BOOST_TEST(info->option("rk").value_or(false));
    BOOST_TEST(!info->option("clientPin").value_or(true));
    BOOST_TEST(info->option("credMgmt").value_or(false));
    BOOST_TEST((info->algorithms == std::vector<std::int64_t>{-7, -8}));
    BOOST_TEST((info->pin_protocols == std::vector<int>{2, 1}));
    BOOST_TEST(info->pin_retries.value_or(-1) == 8);
    BOOST_TEST(!info->uv_retries);
}

BOOST_AUTO_TEST_CASE(list_includes_registered_soft_tokens) {
    Fixture f;
    auto l = f.client.list();
    BOOST_REQUIRE(l);
    BOOST_TEST((std::find_if(l->begin(), l->end(), [](const DeviceEntry& e) { return e.path == "soft:t"; }) != l->end()));
    auto none = f.client.open("nosuch:thing");
    BOOST_TEST(none.code() == Errc::fido2_no_device);
}

BOOST_AUTO_TEST_CASE(es256_full_attestation_and_assertion) {
    Fixture f;
    auto req = mc("alice");
    auto cred = f.dev->make_credential(req);
    BOOST_REQUIRE_MESSAGE(cred, (cred ? std::string() : cred.error().to_string()));
    BOOST_TEST(cred->fmt == "packed");
    BOOST_TEST(!cred->certificate.empty());
    BOOST_TEST(cred->credential_id.size() == softtoken::kCredentialIdLength);
    auto v = cred->verify(req.client_data_hash, "example.com");
    BOOST_TEST_MESSAGE((v ? std::string() : v.error().to_string()));
    BOOST_TEST(v.ok());
    BOOST_TEST(cred->verify(hash_of("other"), "example.com").code() == Errc::fido2_verify_failed);

    auto as = f.dev->get_assertions(ga({cred->credential_id}));
    BOOST_REQUIRE_MESSAGE(as, (as ? std::string() : as.error().to_string()));
    BOOST_REQUIRE_EQUAL(as->size(), 1u);
    const Assertion& a = as->front();
    BOOST_TEST(a.credential_id == cred->credential_id);
    BOOST_TEST((a.flags & 0x01) != 0);
    BOOST_TEST((a.flags & 0x04) == 0);
    BOOST_TEST(a.sign_count > cred->sign_count);
    auto av = a.verify(hash_of("login"), "example.com", cred->public_key_cose);
    BOOST_TEST((av ? std::string() : av.error().to_string()) == "");
    BOOST_TEST(!a.verify(hash_of("login"), "evil.com", cred->public_key_cose).ok());
    // The credential does not open for another RP.
    auto other = ga({cred->credential_id});
    other.rp_id = "other.example";
    BOOST_TEST(f.dev->get_assertions(other).code() == ctap(kNoCredentials));
}

BOOST_AUTO_TEST_CASE(eddsa_and_self_attestation) {
    softtoken::Options o;
    o.attestation = softtoken::Attestation::self;
    Fixture f(o);
    auto req = mc("bob");
    req.algorithm = Algorithm::eddsa;
    auto cred = f.dev->make_credential(req);
    BOOST_REQUIRE_MESSAGE(cred, (cred ? std::string() : cred.error().to_string()));
    BOOST_TEST(cred->certificate.empty());
    BOOST_TEST((cred->algorithm == Algorithm::eddsa));
    BOOST_TEST(cred->verify(req.client_data_hash, "example.com").ok());
    auto as = f.dev->get_assertions(ga({cred->credential_id}));
    BOOST_REQUIRE(as);
    BOOST_TEST(as->front().verify(hash_of("login"), "example.com", cred->public_key_cose).ok());
}

BOOST_AUTO_TEST_CASE(discoverable_credentials_and_exclude_list) {
    Fixture f;
    auto c1 = f.dev->make_credential(mc("u1", true));
    auto c2 = f.dev->make_credential(mc("u2", true));
    BOOST_REQUIRE(c1 && c2);
    BOOST_TEST(f.token->resident_credential_count() == 2u);
    auto as = f.dev->get_assertions(ga());
    BOOST_REQUIRE_MESSAGE(as, (as ? std::string() : as.error().to_string()));
    BOOST_REQUIRE_EQUAL(as->size(), 2u);
    // Most recent first.
    BOOST_TEST(as->at(0).user_id == (Bytes{'u', '2'}));
    BOOST_TEST(as->at(1).user_id == (Bytes{'u', '1'}));
    BOOST_TEST(as->at(0).verify(hash_of("login"), "example.com", c2->public_key_cose).ok());
    BOOST_TEST(as->at(1).verify(hash_of("login"), "example.com", c1->public_key_cose).ok());
    // Same RP and user replaces the credential.
    BOOST_REQUIRE(f.dev->make_credential(mc("u1", true)));
    BOOST_TEST(f.token->resident_credential_count() == 2u);

    auto ex = mc("u3");
    ex.exclude = {Bytes(10, 1), c1->credential_id};
    BOOST_TEST(f.dev->make_credential(ex).code() == ctap(kCredentialExcluded));
    auto none = ga();
    none.rp_id = "nobody.example";
    BOOST_TEST(f.dev->get_assertions(none).code() == ctap(kNoCredentials));
}

BOOST_AUTO_TEST_CASE(pin_set_use_change_and_retries) {
    Fixture f;
    BOOST_REQUIRE(f.dev->set_pin(pin("1234")).ok());
    BOOST_TEST(f.token->pin_set());
    BOOST_TEST(f.dev->pin_retries().value() == 8);
    // A second setPIN is refused (changePIN is the way).
    BOOST_TEST(f.dev->set_pin(pin("5678")).code() == ctap(kNotAllowed));
    // With a PIN set a discoverable credential needs user verification.
    BOOST_TEST(f.dev->make_credential(mc("carol", true)).code() == ctap(kPuatRequired));
    auto req = mc("carol", true);
    req.pin = pin("1234");
    auto cred = f.dev->make_credential(req);
    BOOST_REQUIRE_MESSAGE(cred, (cred ? std::string() : cred.error().to_string()));
    BOOST_TEST((cred->auth_data[32] & 0x04) != 0);  // UV
    auto g = ga();
    g.pin = pin("1234");
    auto as = f.dev->get_assertions(g);
    BOOST_REQUIRE(as);
    BOOST_TEST((as->front().flags & 0x04) != 0);
    BOOST_TEST(as->front().user_name == "carol");  // names only after UV

    auto bad = mc("dave");
    bad.pin = pin("0000");
    BOOST_TEST(f.dev->make_credential(bad).code() == ctap(kPinInvalid));
    BOOST_TEST(f.dev->pin_retries().value() == 7);
    BOOST_TEST(f.dev->change_pin(pin("9999"), pin("4321")).code() == ctap(kPinInvalid));
    BOOST_TEST(f.dev->pin_retries().value() == 6);
    BOOST_REQUIRE(f.dev->change_pin(pin("1234"), pin("4321")).ok());
    BOOST_TEST(f.dev->pin_retries().value() == 8);
    g.pin = pin("4321");
    BOOST_TEST(f.dev->get_assertions(g).ok());
    g.pin = pin("1234");
    BOOST_TEST(f.dev->get_assertions(g).code() == ctap(kPinInvalid));
    // libfido2 refuses a PIN shorter than 4 before it reaches the device.
    BOOST_TEST(!f.dev->change_pin(pin("4321"), pin("12")).ok());
}

BOOST_AUTO_TEST_CASE(pin_blocks_after_eight_failures_and_reset_clears_it) {
    const auto path = temp_file("pinblock.cbor");
    Client client;
    auto open_dev = [&](const std::string& name) {
        auto t = SoftToken::open(path);
        BOOST_REQUIRE(t);
        client.soft_tokens().add(name, *t);
        auto d = client.open("soft:" + name);
        BOOST_REQUIRE(d);
        return std::pair(*t, std::move(*d));
    };
    auto [tok, dev] = open_dev("p0");
    BOOST_REQUIRE(dev->set_pin(pin("1234")).ok());
    auto bad = ga();
    bad.pin = pin("0000");
    int wrong = 0;
    for (int cycle = 1; wrong < 8; ++cycle) {
        // Three wrong PINs in a row need a power cycle: reopen the token from its file.
        for (int i = 0; i < 3 && wrong < 8; ++i) {
            auto r = dev->get_assertions(bad);
            ++wrong;
            const Errc want = wrong == 8 ? ctap(kPinBlocked) : (i == 2 ? ctap(kPinAuthBlocked) : ctap(kPinInvalid));
            BOOST_TEST(r.code() == want);
            BOOST_TEST(dev->pin_retries().value() == 8 - wrong);
        }
        if (wrong < 8) {
            BOOST_TEST(dev->get_assertions(bad).code() == ctap(kPinAuthBlocked));  // not counted
            BOOST_TEST(dev->pin_retries().value() == 8 - wrong);
            dev.reset();
            std::tie(tok, dev) = open_dev("p" + std::to_string(cycle));
        }
    }
    auto good = ga();
    good.pin = pin("1234");
    BOOST_TEST(dev->get_assertions(good).code() == ctap(kPinBlocked));
    BOOST_REQUIRE(dev->reset().ok());
    BOOST_TEST(!tok->pin_set());
    BOOST_TEST(dev->pin_retries().value() == 8);
    BOOST_REQUIRE(dev->set_pin(pin("2468")).ok());
}

BOOST_AUTO_TEST_CASE(hmac_secret_is_stable_per_credential_and_salt) {
    Fixture f;
    auto req = mc("hmac");
    req.hmac_secret = true;
    auto cred = f.dev->make_credential(req);
    BOOST_REQUIRE(cred);
    BOOST_TEST(cred->hmac_secret);
    BOOST_TEST(cred->verify(req.client_data_hash, "example.com").ok());
    auto other = f.dev->make_credential(req);
    BOOST_REQUIRE(other);

    auto get = [&](const Bytes& id, Bytes s1, std::optional<Bytes> s2 = std::nullopt) {
        auto g = ga({id});
        g.hmac_salt1 = std::move(s1);
        g.hmac_salt2 = std::move(s2);
        auto as = f.dev->get_assertions(g);
        BOOST_REQUIRE_MESSAGE(as, (as ? std::string() : as.error().to_string()));
        return Bytes(as->front().hmac_secret.view().begin(), as->front().hmac_secret.view().end());
    };
    const Bytes s1(32, 0x11), s2(32, 0x22);
    const Bytes a = get(cred->credential_id, s1);
    BOOST_TEST(a.size() == 32u);
    BOOST_TEST(get(cred->credential_id, s1) == a);
    BOOST_TEST(get(cred->credential_id, s2) != a);
    BOOST_TEST(get(other->credential_id, s1) != a);
    const Bytes both = get(cred->credential_id, s1, s2);
    BOOST_REQUIRE_EQUAL(both.size(), 64u);
    BOOST_TEST(Bytes(both.begin(), both.begin() + 32) == a);
    BOOST_TEST(Bytes(both.begin() + 32, both.end()) == get(cred->credential_id, s2));
    // With user verification the authenticator uses its other CredRandom.
    BOOST_REQUIRE(f.dev->set_pin(pin("1234")).ok());
    auto g = ga({cred->credential_id});
    g.hmac_salt1 = s1;
    g.pin = pin("1234");
    auto as = f.dev->get_assertions(g);
    BOOST_REQUIRE(as);
    BOOST_TEST(Bytes(as->front().hmac_secret.view().begin(), as->front().hmac_secret.view().end()) != a);
    // A salt of the wrong size never reaches the device.
    g.hmac_salt1 = Bytes(16);
    BOOST_TEST(f.dev->get_assertions(g).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(cred_protect_levels) {
    Fixture f;
    BOOST_REQUIRE(f.dev->set_pin(pin("1234")).ok());
    auto req = mc("protected", true);
    req.pin = pin("1234");
    req.cred_protect = 3;
    auto cred = f.dev->make_credential(req);
    BOOST_REQUIRE_MESSAGE(cred, (cred ? std::string() : cred.error().to_string()));
    BOOST_TEST(cred->cred_protect == 3);
    BOOST_TEST(cred->verify(req.client_data_hash, "example.com").ok());
    BOOST_TEST(f.dev->get_assertions(ga()).code() == ctap(kNoCredentials));
    BOOST_TEST(f.dev->get_assertions(ga({cred->credential_id})).code() == ctap(kNoCredentials));
    auto g = ga();
    g.pin = pin("1234");
    BOOST_TEST(f.dev->get_assertions(g).ok());

    auto req2 = mc("level2", true);
    req2.pin = pin("1234");
    req2.cred_protect = 2;
    auto c2 = f.dev->make_credential(req2);
    BOOST_REQUIRE(c2);
    BOOST_TEST(f.dev->get_assertions(ga()).code() == ctap(kNoCredentials));      // not discoverable without UV
    BOOST_TEST(f.dev->get_assertions(ga({c2->credential_id})).ok());          // but usable by ID
}

BOOST_AUTO_TEST_CASE(credential_management) {
    Fixture f;
    BOOST_REQUIRE(f.dev->set_pin(pin("1234")).ok());
    for (const char* u : {"a", "b"}) {
        auto r = mc(u, true);
        r.pin = pin("1234");
        BOOST_REQUIRE(f.dev->make_credential(r));
    }
    auto r = mc("c", true);
    r.rp = {"second.example", ""};
    r.pin = pin("1234");
    r.algorithm = Algorithm::eddsa;
    BOOST_REQUIRE(f.dev->make_credential(r));

    auto meta = f.dev->credential_metadata(pin("1234"));
    BOOST_REQUIRE_MESSAGE(meta, (meta ? std::string() : meta.error().to_string()));
    BOOST_TEST(meta->existing == 3u);
    BOOST_TEST(meta->remaining == softtoken::kMaxResidentCredentials - 3);
    auto rps = f.dev->list_rps(pin("1234"));
    BOOST_REQUIRE_MESSAGE(rps, (rps ? std::string() : rps.error().to_string()));
    BOOST_REQUIRE_EQUAL(rps->size(), 2u);
    BOOST_TEST(rps->at(0).id == "example.com");
    BOOST_TEST(rps->at(0).name == "Example");
    BOOST_TEST(rps->at(1).id == "second.example");
    auto creds = f.dev->list_credentials("example.com", pin("1234"));
    BOOST_REQUIRE_MESSAGE(creds, (creds ? std::string() : creds.error().to_string()));
    BOOST_REQUIRE_EQUAL(creds->size(), 2u);
    BOOST_TEST(creds->at(0).user_name == "b");
    auto second = f.dev->list_credentials("second.example", pin("1234"));
    BOOST_REQUIRE(second);
    BOOST_TEST((second->at(0).algorithm == Algorithm::eddsa));
    BOOST_TEST(f.dev->list_rps(pin("0000")).code() == ctap(kPinInvalid));

    BOOST_REQUIRE(f.dev->delete_credential(creds->at(0).credential_id, pin("1234")).ok());
    BOOST_TEST(f.token->resident_credential_count() == 2u);
    BOOST_TEST(f.dev->delete_credential(creds->at(0).credential_id, pin("1234")).code() == ctap(kNoCredentials));
    creds = f.dev->list_credentials("example.com", pin("1234"));
    BOOST_REQUIRE(creds);
    BOOST_TEST(creds->size() == 1u);
    BOOST_TEST(f.dev->list_credentials("nobody.example", pin("1234")).code() == ctap(kNoCredentials));
}

BOOST_AUTO_TEST_CASE(presence_callback_deny_timeout_and_cancel) {
    softtoken::Options o;
    o.presence = Presence::callback;
    std::atomic<int> asked{0};
    o.on_presence = [&](std::string_view rp) {
        ++asked;
        return rp == "example.com";
    };
    Fixture f(o);
    std::atomic<int> told{0};
    f.dev->on_user_presence([&] { ++told; });
    BOOST_REQUIRE(f.dev->make_credential(mc("p")));
    BOOST_TEST(asked.load() == 1);
    BOOST_TEST(told.load() == 1);
    auto other = mc("p");
    other.rp.id = "other.example";
    BOOST_TEST(f.dev->make_credential(other).code() == ctap(kOperationDenied));

    f.token->set_presence(Presence::deny);
    BOOST_TEST(f.dev->make_credential(mc("p")).code() == ctap(kOperationDenied));

    softtoken::Options slow;
    slow.presence = Presence::timeout;
    slow.presence_timeout = std::chrono::milliseconds(200);
    Fixture t(slow, "slow");
    BOOST_TEST(t.dev->make_credential(mc("p")).code() == ctap(kActionTimeout));

    slow.presence_timeout = std::chrono::seconds(10);
    Fixture c(slow, "cancel");
    std::atomic<bool> waiting{false};
    c.dev->on_user_presence([&] { waiting = true; });
    std::thread canceller([&] {
        while (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        c.dev->cancel();
    });
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(c.dev->make_credential(mc("p")).code() == ctap(kCancel));
    canceller.join();
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(client_timeout_bounds_the_operation) {
    softtoken::Options slow;
    slow.presence = Presence::timeout;
    slow.presence_timeout = std::chrono::seconds(5);
    Fixture f(slow);
    // libfido2 counts the timeout over the whole operation, keepalives included.
    BOOST_REQUIRE(f.dev->set_timeout(500).ok());
    const auto start = std::chrono::steady_clock::now();
    auto r = f.dev->make_credential(mc("t"));
    BOOST_TEST(r.code() == Errc::fido2_io);
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(3)));
    // The device is still usable afterwards.
    f.dev->cancel();
    f.token->set_presence(Presence::approve);
    BOOST_REQUIRE(f.dev->set_timeout(-1).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto again = f.dev->make_credential(mc("t"));
    BOOST_TEST((again ? std::string() : again.error().to_string()) == "");
}

BOOST_AUTO_TEST_CASE(reset_window) {
    softtoken::Options o;
    o.reset_window = std::chrono::milliseconds(50);
    Fixture f(o);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    BOOST_TEST(f.dev->reset().code() == ctap(kNotAllowed));
    softtoken::Options n;
    n.reset_window = std::chrono::milliseconds(0);
    Fixture g(n, "nowindow");
    BOOST_REQUIRE(g.dev->make_credential(mc("r", true)));
    BOOST_REQUIRE(g.dev->reset().ok());
    BOOST_TEST(g.token->resident_credential_count() == 0u);
}

BOOST_AUTO_TEST_CASE(file_backed_token_persists_credentials_and_counter) {
    const auto path = temp_file("persist.cbor");
    Bytes id;
    std::uint32_t counter = 0;
    {
        Client c;
        auto d = c.open("soft:" + path.string());
        BOOST_REQUIRE_MESSAGE(d, (d ? std::string() : d.error().to_string()));
        auto cred = (*d)->make_credential(mc("persist", true));
        BOOST_REQUIRE(cred);
        id = cred->credential_id;
        counter = cred->sign_count;
    }
    Client c;
    auto d = c.open("soft:" + path.string());
    BOOST_REQUIRE(d);
    auto as = (*d)->get_assertions(ga());
    BOOST_REQUIRE(as);
    BOOST_TEST(as->front().credential_id == id);
    BOOST_TEST(as->front().sign_count > counter);
}

BOOST_AUTO_TEST_CASE(webauthn_json_for_an_origin) {
    Fixture f;
    const Bytes challenge{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    auto cd = make_client_data("webauthn.create", challenge, "https://example.com");
    auto j = nlohmann::json::parse(cd.json);
    BOOST_TEST(j["type"] == "webauthn.create");
    BOOST_TEST(j["challenge"] == base64url_encode(challenge));
    BOOST_TEST(j["origin"] == "https://example.com");
    auto req = mc("json");
    req.client_data_hash = cd.hash;
    auto cred = f.dev->make_credential(req);
    BOOST_REQUIRE(cred);
    auto reg = registration_json(*cred, cd);
    BOOST_REQUIRE(reg);
    auto r = nlohmann::json::parse(*reg);
    BOOST_TEST(r["id"] == base64url_encode(cred->credential_id));
    BOOST_TEST(r["type"] == "public-key");
    auto ao = base64_decode(r["response"]["attestationObject"].get<std::string>(), Base64Mode::url_strict);
    BOOST_REQUIRE(ao);
    BOOST_TEST(*ao == cred->attestation_object().value());
    auto cdj = base64_decode(r["response"]["clientDataJSON"].get<std::string>(), Base64Mode::url_strict);
    BOOST_REQUIRE(cdj);
    BOOST_TEST(std::string(cdj->begin(), cdj->end()) == cd.json);

    auto gcd = make_client_data("webauthn.get", challenge, "https://example.com");
    auto g = ga({cred->credential_id});
    g.client_data_hash = gcd.hash;
    auto as = f.dev->get_assertions(g);
    BOOST_REQUIRE(as);
    auto auth = authentication_json(as->front(), gcd);
    BOOST_REQUIRE(auth);
    auto a = nlohmann::json::parse(*auth);
    BOOST_TEST(a["response"]["signature"] == base64url_encode(as->front().signature));
    BOOST_TEST(!a["response"].contains("userHandle"));
}

BOOST_AUTO_TEST_SUITE_END()

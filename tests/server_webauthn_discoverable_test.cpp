// Usernameless (discoverable-credential) login through the toolkit, end to end with the SDK's soft
// token making resident credentials, against the memory, SQLite and Redis stores.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/server/toolkit.hpp"
#include "server_webauthn_support.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::server;
using namespace mfa::test::wa;

namespace {

constexpr auto kDiscouraged = webauthn::UserVerification::discouraged;

std::string begin_discoverable(Server& s) {
    auto b = s.tk->webauthn_login_begin_discoverable(s.ctx);
    BOOST_REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
    return b->options_json;
}

VerifyResult finish_discoverable(Server& s, const std::string& json) {
    auto r = s.tk->webauthn_login_finish_discoverable(json, s.ctx);
    BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
    return *r;
}

// The response JSON with response.userHandle replaced (nullopt: removed).
std::string with_user_handle(const std::string& json, const std::optional<std::string>& handle) {
    auto j = nlohmann::json::parse(json);
    if (handle) j["response"]["userHandle"] = *handle;
    else j["response"].erase("userHandle");
    return j.dump();
}

std::string user_handle_of(const std::string& json) {
    return nlohmann::json::parse(json)["response"]["userHandle"].get<std::string>();
}

std::vector<AuditEvent> audit_of(Server& s) {
    auto recs = s.tk->audit().read(1, 100000);
    BOOST_REQUIRE(recs);
    return *recs;
}

// Alice and Bob, each with a passkey (a resident credential) on their own soft token, on a toolkit
// whose WebAuthn ceremonies do not ask for user verification.
struct TwoPasskeys {
    Server s;
    Browser ba, bb;
    const std::string alice = fresh_user("alice");
    const std::string bob = fresh_user("bob");
    SecurityKeyInfo ka;
    explicit TwoPasskeys(std::shared_ptr<store::Store> st) : s(std::move(st), ring(), kDiscouraged, kDiscouraged) {
        ba.resident = bb.resident = true;
        ka = s.enroll(ba, alice, "passkey", ResidentKey::required);
        s.enroll(bb, bob, "passkey", ResidentKey::required);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(server)

BOOST_AUTO_TEST_CASE(webauthn_registration_options_ask_for_a_discoverable_credential) {
    Server s(store::open_memory_store(), ring());
    const auto user = fresh_user("opts");
    for (auto [rk, name] : {std::pair{ResidentKey::required, "required"}, std::pair{ResidentKey::preferred, "preferred"},
                            std::pair{ResidentKey::discouraged, "discouraged"}}) {
        BOOST_TEST_CONTEXT(name) {
            auto begin = s.tk->webauthn_register_begin(user, "", rk, s.ctx);
            BOOST_REQUIRE(begin);
            auto j = nlohmann::json::parse(begin->options_json);
            BOOST_TEST(j["authenticatorSelection"]["residentKey"].get<std::string>() == name);
            BOOST_TEST(j["authenticatorSelection"]["requireResidentKey"].get<bool>() == (rk == ResidentKey::required));
            BOOST_TEST(j["extensions"]["credProps"].get<bool>());
        }
    }
    // The three-argument form asks for "preferred", as before.
    auto plain = s.tk->webauthn_register_begin(user, "", s.ctx);
    BOOST_REQUIRE(plain);
    BOOST_TEST(nlohmann::json::parse(plain->options_json)["authenticatorSelection"]["residentKey"] == "preferred");
}

BOOST_AUTO_TEST_CASE(webauthn_discoverable_login_resolves_the_user) {
    each_backend([](auto open) {
        TwoPasskeys t(open());
        auto& [s, ba, bb, alice, bob, ka] = t;
        BOOST_TEST((ka.discoverable == std::optional<bool>(true)));
        auto listed = s.tk->webauthn_list(alice);
        BOOST_REQUIRE(listed);
        BOOST_REQUIRE_EQUAL(listed->size(), 1u);
        BOOST_TEST((listed->front().discoverable == std::optional<bool>(true)));

        // The options name no user and no credential; the configured UV is asked for.
        const auto opts = begin_discoverable(s);
        auto j = nlohmann::json::parse(opts);
        BOOST_TEST(j["allowCredentials"].empty());
        BOOST_TEST(j["userVerification"] == "discouraged");
        BOOST_TEST(!j.contains("user"));

        auto r = finish_discoverable(s, ba.get(opts));
        BOOST_TEST(r.ok());
        BOOST_TEST(r.user == alice);
        BOOST_TEST((r.amr == std::vector<std::string>{"hwk", "user"}));
        auto rb = finish_discoverable(s, bb.get(begin_discoverable(s)));
        BOOST_TEST(rb.ok());
        BOOST_TEST(rb.user == bob);

        // The sign count and last use moved; the login is audited under the resolved user.
        auto after = s.tk->webauthn_list(alice);
        BOOST_REQUIRE(after);
        BOOST_TEST(after->front().sign_count > ka.sign_count);
        BOOST_TEST(after->front().last_used == s.clock);
        const auto recs = audit_of(s);
        BOOST_TEST((std::any_of(recs.begin(), recs.end(), [&alice = alice, &ka = ka](const auto& e) {
            return e.type == "webauthn.login" && e.subject == alice && e.detail.find(ka.id) != std::string::npos;
        })));

        // The user-bound login works unchanged for the same passkey (its userHandle is checked too).
        BOOST_TEST(s.login(alice, ba.get(s.begin_login(alice))) == Errc::ok);
        auto bound = s.tk->webauthn_login_finish(bob, bb.get(s.begin_login(bob)), s.ctx);
        BOOST_REQUIRE(bound);
        BOOST_TEST(bound->ok());
        BOOST_TEST(bound->user == bob);
    });
}

BOOST_AUTO_TEST_CASE(webauthn_discoverable_login_requires_user_verification_by_default) {
    Server s(store::open_memory_store(), ring(), kDiscouraged);  // the RP's default stays "discouraged"
    BOOST_TEST((s.tk->config().webauthn_discoverable_user_verification == webauthn::UserVerification::required));
    Browser b;
    b.resident = true;
    b.uv = true;
    BOOST_REQUIRE(b.dev->set_pin(SecretString("4321")));
    const auto user = fresh_user("dora");
    s.enroll(b, user, "passkey", ResidentKey::required);
    const auto opts = begin_discoverable(s);
    BOOST_TEST(nlohmann::json::parse(opts)["userVerification"] == "required");
    auto r = finish_discoverable(s, b.get(opts));
    BOOST_TEST(r.ok());
    BOOST_TEST(r.user == user);
    BOOST_TEST((r.amr == std::vector<std::string>{"hwk", "user", "pin", "mfa"}));
    // Presence alone is not enough for a first factor.
    b.uv = false;
    const auto no_uv = finish_discoverable(s, b.get(begin_discoverable(s)));
    BOOST_TEST(no_uv.status == Errc::webauthn_user_verified);
    BOOST_TEST(no_uv.user.empty());
}

BOOST_AUTO_TEST_CASE(webauthn_discoverable_login_failures) {
    each_backend([](auto open) {
        TwoPasskeys t(open());
        auto& [s, ba, bb, alice, bob, ka] = t;

        // No userHandle (§7.2 step 6): refused, and the challenge is spent all the same.
        const auto good = ba.get(begin_discoverable(s));
        const auto alice_handle = user_handle_of(good);
        auto r = finish_discoverable(s, with_user_handle(good, std::nullopt));
        BOOST_TEST(r.status == Errc::webauthn_user_handle);
        BOOST_TEST(finish_discoverable(s, good).status == Errc::webauthn_challenge);

        // A user handle that names no account, and alice's handle on bob's credential: the same
        // status and the same count, each on its own throttle counter.
        const auto audited = audit_of(s);
        const std::uint64_t seen = audited.empty() ? 0 : audited.back().seq;  // Redis: shared by every test
        std::uint8_t random_handle[32];
        BOOST_REQUIRE(random_fill(random_handle));
        const auto unknown = finish_discoverable(s, with_user_handle(ba.get(begin_discoverable(s)),
                                                                     base64url_encode(ByteView(random_handle, 32))));
        const auto crossed = finish_discoverable(s, with_user_handle(bb.get(begin_discoverable(s)), alice_handle));
        BOOST_TEST(unknown.status == Errc::webauthn_credential_id);
        BOOST_TEST(crossed.status == Errc::webauthn_credential_id);
        BOOST_TEST(unknown.failures == 1u);
        BOOST_TEST(crossed.failures == 1u);
        BOOST_TEST(unknown.user.empty());
        BOOST_TEST(crossed.user.empty());
        BOOST_TEST(s.tk->lock_status(alice)->second_factor.failures == 1u);
        BOOST_TEST(s.tk->lock_status(bob)->second_factor.failures == 0u);
        // Both audited as a failed security-key login (the unknown one with no subject).
        const auto recs = audit_of(s);
        std::vector<std::string> failed_subjects;
        for (const auto& e : recs)
            if (e.seq > seen && e.type == "webauthn.failed") failed_subjects.push_back(e.subject);
        BOOST_TEST((failed_subjects == std::vector<std::string>{"", alice}));

        // Reuse, expiry, and a challenge issued for a user-bound login (and the converse).
        const auto once = ba.get(begin_discoverable(s));
        BOOST_TEST(finish_discoverable(s, once).ok());
        BOOST_TEST(finish_discoverable(s, once).status == Errc::webauthn_challenge);
        const auto late = ba.get(begin_discoverable(s));
        const auto in_time = ba.get(begin_discoverable(s));
        s.clock += s.tk->config().webauthn_challenge_ttl - 1;
        BOOST_TEST(finish_discoverable(s, in_time).ok());
        s.clock += 1;
        BOOST_TEST(finish_discoverable(s, late).status == Errc::webauthn_challenge);
        const auto bound = ba.get(s.begin_login(alice));
        BOOST_TEST(finish_discoverable(s, bound).status == Errc::webauthn_challenge);
        BOOST_TEST(s.login(alice, ba.get(begin_discoverable(s))) == Errc::webauthn_challenge);
        BOOST_TEST(finish_discoverable(s, "{").status == Errc::webauthn_json);

        // A signature that does not verify.
        auto tampered = nlohmann::json::parse(ba.get(begin_discoverable(s)));
        auto sig = *base64_decode(tampered["response"]["signature"].get<std::string>(), Base64Mode::url_strict);
        sig[sig.size() / 2] ^= 0x01;
        tampered["response"]["signature"] = base64url_encode(sig);
        BOOST_TEST(finish_discoverable(s, tampered.dump()).status == Errc::webauthn_signature);

        // A counter that went back (an older assertion after a newer one): refused and audited.
        const auto older = ba.get(begin_discoverable(s));
        const auto newer = ba.get(begin_discoverable(s));
        BOOST_TEST(finish_discoverable(s, newer).ok());
        BOOST_TEST(finish_discoverable(s, older).status == Errc::webauthn_sign_count);
        const auto all = audit_of(s);
        BOOST_TEST((std::any_of(all.begin(), all.end(), [&alice = alice](const auto& e) {
            return e.type == "webauthn.counter_regressed" && e.subject == alice;
        })));
    });
}

BOOST_AUTO_TEST_CASE(webauthn_discoverable_login_is_throttled_per_resolved_user) {
    Server s(store::open_memory_store(), ring(), kDiscouraged, kDiscouraged);
    Browser b;
    b.resident = true;
    const auto user = fresh_user("tess");
    s.enroll(b, user, "passkey", ResidentKey::required);
    // free_failures failures are free, the next one is still evaluated; after it attempts wait.
    const auto failures = s.tk->config().throttle.free_failures + 1;
    for (std::uint32_t i = 0; i < failures; ++i) {
        auto j = nlohmann::json::parse(b.get(begin_discoverable(s)));
        j["response"]["signature"] = base64url_encode(Bytes{0x30, 0x00});
        BOOST_TEST(finish_discoverable(s, j.dump()).status != Errc::ok);
    }
    BOOST_TEST(s.tk->lock_status(user)->second_factor.failures == failures);
    // The account's second-factor counter is shared with the user-bound login: both wait now.
    auto waiting = finish_discoverable(s, b.get(begin_discoverable(s)));
    BOOST_TEST(waiting.status == Errc::throttled);
    BOOST_TEST(waiting.retry_after > 0);
    BOOST_TEST(waiting.user.empty());
    BOOST_TEST(s.login(user, b.get(s.begin_login(user))) == Errc::throttled);
    s.clock += waiting.retry_after;
    auto ok = finish_discoverable(s, b.get(begin_discoverable(s)));
    BOOST_TEST(ok.ok());
    BOOST_TEST(ok.user == user);
    BOOST_TEST(s.tk->lock_status(user)->second_factor.failures == 0u);
}

BOOST_AUTO_TEST_CASE(webauthn_discoverable_flag_and_handle_index) {
    each_backend([](auto open) {
        Server s(open(), ring(), kDiscouraged, kDiscouraged);
        // A non-resident key reports rk false; a client that does not answer credProps leaves it unknown.
        Browser plain;
        const auto user = fresh_user("flag");
        BOOST_TEST((s.enroll(plain, user, "plain", ResidentKey::discouraged).discoverable == std::optional<bool>(false)));
        Browser silent;
        silent.resident = true;
        auto begin = s.tk->webauthn_register_begin(user, "", ResidentKey::required, s.ctx);
        BOOST_REQUIRE(begin);
        auto reg = nlohmann::json::parse(silent.create(begin->options_json));
        reg["clientExtensionResults"] = nlohmann::json::object();
        auto k = s.tk->webauthn_register_finish(user, reg.dump(), "silent", s.ctx);
        BOOST_REQUIRE(k);
        BOOST_TEST(!k->discoverable.has_value());
        // The resident key whose flag is unknown logs in without a user name all the same.
        BOOST_TEST(finish_discoverable(s, silent.get(begin_discoverable(s))).user == user);

        // An account whose user handle predates the reverse index: usernameless login fails like an
        // unknown handle until a user-bound login (or a registration) writes the index.
        const auto first = silent.get(begin_discoverable(s));
        const auto handle = user_handle_of(first);
        BOOST_REQUIRE(s.st->erase("mfa:wa-uhx:" + handle));
        BOOST_TEST(finish_discoverable(s, first).status == Errc::webauthn_credential_id);
        BOOST_TEST(s.login(user, silent.get(s.begin_login(user))) == Errc::ok);
        auto owner = s.st->get("mfa:wa-uhx:" + handle);
        BOOST_REQUIRE(owner);
        BOOST_REQUIRE(owner->has_value());
        BOOST_TEST(std::string(as_chars(**owner)) == user);
        BOOST_TEST(finish_discoverable(s, silent.get(begin_discoverable(s))).user == user);
        BOOST_REQUIRE(s.st->erase("mfa:wa-uhx:" + handle));
        BOOST_REQUIRE(s.tk->webauthn_register_begin(user, "", s.ctx));
        BOOST_TEST(finish_discoverable(s, silent.get(begin_discoverable(s))).user == user);
    });
}

BOOST_AUTO_TEST_CASE(webauthn_discoverable_not_configured) {
    auto t = Toolkit::create(store::open_memory_store(), ring(), {});
    BOOST_REQUIRE(t);
    BOOST_TEST((*t)->webauthn_login_begin_discoverable({}).code() == Errc::invalid_argument);
    BOOST_TEST((*t)->webauthn_login_finish_discoverable("{}", {}).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

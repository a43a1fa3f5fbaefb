// The security-key factor of the toolkit end to end: the SDK's soft token makes real registrations
// and assertions (browser-style WebAuthn JSON) in-process, against the memory, SQLite and Redis
// stores (Redis on a throwaway server; skipped with a message when redis-server is missing).
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include <nlohmann/json.hpp>

#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/random.hpp"
#include "mfa/server/toolkit.hpp"
#include "mfa/softtoken.hpp"
#include "server_webauthn_support.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::server;

using namespace mfa::test::wa;

BOOST_AUTO_TEST_SUITE(server)

BOOST_AUTO_TEST_CASE(webauthn_register_login_list_remove) {
    each_backend([](auto open) {
        Server s(open(), ring());
        Browser b;
        const auto user = fresh_user("alice");
        BOOST_TEST(s.tk->webauthn_login_begin(user, s.ctx).code() == Errc::factor_not_enrolled);
        const auto key = s.enroll(b, user);
        BOOST_TEST(key.name == "yubi");
        BOOST_TEST(!key.backup_eligible);
        BOOST_TEST(key.created == s.clock);

        // Login: amr hwk (device-bound), user presence; the count and last use are stored.
        auto r = s.tk->webauthn_login_finish(user, b.get(s.begin_login(user)), s.ctx);
        BOOST_REQUIRE(r);
        BOOST_TEST(r->ok());
        BOOST_TEST((r->amr == std::vector<std::string>{"hwk", "user"}));
        auto list = s.tk->webauthn_list(user);
        BOOST_REQUIRE(list);
        BOOST_REQUIRE_EQUAL(list->size(), 1u);
        BOOST_TEST(list->front().id == key.id);
        BOOST_TEST(list->front().sign_count > key.sign_count);
        BOOST_TEST(list->front().last_used == s.clock);

        // A second key: the options exclude the first; both are listed and both log in.
        Browser b2;
        const auto second = s.tk->webauthn_register_begin(user, "Alice", s.ctx);
        BOOST_REQUIRE(second);
        BOOST_TEST(second->options_json.find(key.id) != std::string::npos);
        BOOST_REQUIRE(s.tk->webauthn_register_finish(user, b2.create(second->options_json), "backup", s.ctx));
        BOOST_TEST(s.tk->webauthn_list(user)->size() == 2u);
        BOOST_TEST(s.login(user, b2.get(s.begin_login(user))) == Errc::ok);

        // A removed key no longer logs in, and cannot be removed twice.
        const std::string stale_login = b2.get(s.begin_login(user));
        BOOST_REQUIRE(s.tk->webauthn_remove(user, list->front().id, s.ctx));
        BOOST_TEST(s.tk->webauthn_remove(user, list->front().id, s.ctx).code() == Errc::factor_not_enrolled);
        BOOST_TEST(s.tk->webauthn_list(user)->size() == 1u);
        // b2's key is still there, and its pending assertion is valid.
        BOOST_TEST(s.login(user, stale_login) == Errc::ok);
        const auto b2_id = s.tk->webauthn_list(user)->front().id;
        const std::string after_removal = b2.get(s.begin_login(user));
        BOOST_REQUIRE(s.tk->webauthn_remove(user, b2_id, s.ctx));
        BOOST_TEST(s.login(user, after_removal) == Errc::webauthn_credential_id);
        BOOST_TEST(s.tk->webauthn_list(user)->empty());
        BOOST_TEST(s.tk->webauthn_remove(user, "not base64!", s.ctx).code() == Errc::invalid_argument);

        // Audit trail.
        auto recs = s.tk->audit().read(1, 10000);
        BOOST_REQUIRE(recs);
        std::vector<std::string> types;
        for (const auto& e : *recs) types.push_back(e.type);
        for (const char* t : {"webauthn.registration_started", "webauthn.registered", "webauthn.removed", "webauthn.failed"})
            BOOST_TEST_CONTEXT(t) { BOOST_TEST((std::find(types.begin(), types.end(), t) != types.end())); }
    });
}

BOOST_AUTO_TEST_CASE(webauthn_challenges_are_single_use_expiring_and_per_user) {
    each_backend([](auto open) {
        Server s(open(), ring());
        Browser b;
        const auto alice = fresh_user("alice");
        const auto bob = fresh_user("bob");
        s.enroll(b, alice);
        Browser bb;
        s.enroll(bb, bob);

        // Reuse: the same response again (a replayed assertion), and a new assertion over a used challenge.
        const auto opts = s.begin_login(alice);
        const auto first = b.get(opts);
        BOOST_TEST(s.login(alice, first) == Errc::ok);
        BOOST_TEST(s.login(alice, first) == Errc::webauthn_challenge);
        BOOST_TEST(s.login(alice, b.get(opts)) == Errc::webauthn_challenge);

        // Expiry: one second before the TTL it works, at the TTL it does not.
        const auto late = b.get(s.begin_login(alice));
        const auto in_time = b.get(s.begin_login(alice));
        s.clock += s.tk->config().webauthn_challenge_ttl - 1;
        BOOST_TEST(s.login(alice, in_time) == Errc::ok);
        s.clock += 1;
        BOOST_TEST(s.login(alice, late) == Errc::webauthn_challenge);

        // Another user's challenge: bob's ceremony signed by bob's key, submitted as alice, fails;
        // bob's pending challenge is untouched and still works for bob.
        const auto bobs = bb.get(s.begin_login(bob));
        BOOST_TEST(s.login(alice, bobs) == Errc::webauthn_challenge);
        BOOST_TEST(s.login(bob, bobs) == Errc::ok);
        // Alice's key answering a challenge issued to bob: refused (not bob's key).
        auto mixed = nlohmann::json::parse(s.begin_login(alice));
        mixed["challenge"] = nlohmann::json::parse(s.begin_login(bob))["challenge"];
        const auto cross = b.get(mixed.dump());
        BOOST_TEST(s.login(bob, cross) == Errc::webauthn_credential_id);

        // A registration challenge cannot be used for a login, nor a login one to register.
        auto reg = s.tk->webauthn_register_begin(alice, "", s.ctx);
        BOOST_REQUIRE(reg);
        auto as_login = nlohmann::json::parse(s.begin_login(alice));
        as_login["challenge"] = nlohmann::json::parse(reg->options_json)["challenge"];
        BOOST_TEST(s.login(alice, b.get(as_login.dump())) == Errc::webauthn_challenge);
        Browser other;
        const auto login_opts = s.begin_login(alice);
        auto j = nlohmann::json::parse(login_opts);
        j["rp"] = {{"id", std::string(kRpId)}, {"name", "Example"}};
        j["user"] = {{"id", base64url_encode(Bytes{1, 2, 3})}, {"name", alice}, {"displayName", alice}};
        BOOST_TEST(s.tk->webauthn_register_finish(alice, other.create(j.dump()), "", s.ctx).code() == Errc::webauthn_challenge);
        // An expired registration challenge.
        auto reg2 = s.tk->webauthn_register_begin(alice, "", s.ctx);
        BOOST_REQUIRE(reg2);
        const auto resp = other.create(reg2->options_json);
        s.clock += s.tk->config().webauthn_challenge_ttl;
        BOOST_TEST(s.tk->webauthn_register_finish(alice, resp, "", s.ctx).code() == Errc::webauthn_challenge);
        // Garbage counts as a failure with the parser's code.
        BOOST_TEST(s.login(alice, "{") == Errc::webauthn_json);
    });
}

BOOST_AUTO_TEST_CASE(webauthn_counter_regression_is_refused) {
    Server s(store::open_memory_store(), ring());
    Browser b;
    const auto user = fresh_user("carol");
    s.enroll(b, user);
    // Two assertions made in order (counts n, n+1), submitted in reverse: the older one's count no
    // longer increases the stored one.
    const auto older = b.get(s.begin_login(user));
    const auto newer = b.get(s.begin_login(user));
    BOOST_TEST(s.login(user, newer) == Errc::ok);
    BOOST_TEST(s.login(user, older) == Errc::webauthn_sign_count);
    auto recs = s.tk->audit().read(1, 10000);
    BOOST_REQUIRE(recs);
    BOOST_TEST((std::any_of(recs->begin(), recs->end(), [](const auto& e) { return e.type == "webauthn.counter_regressed"; })));
    // Failures are counted on the second-factor throttle.
    auto lock = s.tk->lock_status(user);
    BOOST_REQUIRE(lock);
    BOOST_TEST(lock->second_factor.failures == 1u);
}

BOOST_AUTO_TEST_CASE(webauthn_user_verification_amr_and_policy) {
    Server s(store::open_memory_store(), ring(), webauthn::UserVerification::required);
    Browser b;
    b.uv = true;
    BOOST_REQUIRE(b.dev->set_pin(SecretString("4321")));
    const auto user = fresh_user("dave");
    const auto key = s.enroll(b, user);
    BOOST_TEST(key.uv_initialized);
    auto r = s.tk->webauthn_login_finish(user, b.get(s.begin_login(user)), s.ctx);
    BOOST_REQUIRE(r);
    BOOST_REQUIRE(r->ok());
    BOOST_TEST((r->amr == std::vector<std::string>{"hwk", "user", "pin", "mfa"}));
    BOOST_TEST((amr_for_security_key(true, false) == std::vector<std::string>{"swk", "user"}));

    // The organization policy counts an enrolled security key; with only TOTP allowed it does not.
    OrgPolicy p;
    p.require = OrgPolicy::Requirement::everyone;
    BOOST_REQUIRE(s.tk->set_policy("acme", p, s.ctx));
    UserSecurityState st;
    auto d = s.tk->login_decision("acme", user, st);
    BOOST_REQUIRE(d);
    BOOST_TEST((d->decision == Decision::must_verify));
    p.allowed = {FactorType::totp};
    BOOST_REQUIRE(s.tk->set_policy("acme", p, s.ctx));
    d = s.tk->login_decision("acme", user, st);
    BOOST_REQUIRE(d);
    BOOST_TEST((d->decision == Decision::must_enroll));
}

BOOST_AUTO_TEST_CASE(webauthn_racing_servers_accept_one_assertion_once) {
    each_backend([](auto open) {
        auto r = ring();
        const std::string ring_text(r.format().view());
        Server first(open(), std::move(r));
        Browser b;
        const auto user = fresh_user("erin");
        first.enroll(b, user);
        for (int round = 0; round < 3; ++round) {
            const auto json = b.get(first.begin_login(user));
            constexpr int kServers = 4;
            std::vector<std::unique_ptr<Server>> servers;
            for (int i = 0; i < kServers; ++i) servers.push_back(std::make_unique<Server>(open(), *KeyRing::parse(ring_text)));
            std::atomic<int> accepted{0}, refused{0}, errors{0};
            std::vector<std::thread> threads;
            for (int i = 0; i < kServers; ++i)
                threads.emplace_back([&, i] {
                    auto res = servers[i]->tk->webauthn_login_finish(user, json, servers[i]->ctx);
                    if (!res) ++errors;
                    else if (res->ok()) ++accepted;
                    else ++refused;
                });
            for (auto& t : threads) t.join();
            BOOST_TEST(accepted.load() == 1);
            BOOST_TEST(refused.load() == kServers - 1);
            BOOST_TEST(errors.load() == 0);
        }
    });
}

BOOST_AUTO_TEST_CASE(webauthn_not_configured) {
    ToolkitConfig cfg;
    auto t = Toolkit::create(store::open_memory_store(), ring(), cfg);
    BOOST_REQUIRE(t);
    BOOST_TEST((*t)->webauthn_register_begin("u", "", {}).code() == Errc::invalid_argument);
    BOOST_TEST((*t)->webauthn_login_finish("u", "{}", {}).code() == Errc::invalid_argument);
    cfg.webauthn_challenge_ttl = 5;
    BOOST_TEST(Toolkit::create(store::open_memory_store(), ring(), cfg).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// The toolkit end to end, with a regression test for each incident of security.md §7 that applies to
// a TOTP/recovery/password/token server (named in each case).
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "mfa/encoding.hpp"
#include "mfa/server/api_token.hpp"
#include "mfa/server/toolkit.hpp"
#include "store_backends.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::server;

namespace mfa::server {
inline std::ostream& operator<<(std::ostream& os, Decision d) { return os << to_string(d); }
inline std::ostream& operator<<(std::ostream& os, OrgPolicy::Requirement r) { return os << static_cast<int>(r); }
}  // namespace mfa::server

namespace {

struct Fixture {
    std::int64_t clock = 1'700'000'000;
    std::shared_ptr<store::Store> st = store::open_memory_store();
    std::unique_ptr<Toolkit> tk;
    RequestContext ctx{"", "203.0.113.7"};

    explicit Fixture(std::shared_ptr<store::Store> s = nullptr, ToolkitConfig cfg = {}) {
        if (s) st = std::move(s);
        cfg.clock = [this] { return clock; };
        cfg.throttle.free_failures = 2;  // the third consecutive failure starts the delays
        cfg.throttle.base_delay = 30;
        cfg.throttle.lock_after = 10;
        auto ring = KeyRing::generate();
        auto t = Toolkit::create(st, std::move(*ring), std::move(cfg));
        BOOST_REQUIRE(t.ok());
        tk = std::move(*t);
    }

    // Enrolls alice and returns her Otp (the test plays the authenticator app).
    Otp enroll(const std::string& user = "alice") {
        auto e = tk->totp_begin(user, user + "@example.com", ctx);
        BOOST_REQUIRE(e.ok());
        auto secret = base32_decode(e->secret_base32.view());
        BOOST_REQUIRE(secret.ok());
        BOOST_TEST(secret->size() == 20u);  // 160 bits
        auto otp = Otp::create(std::move(*secret), {});
        auto c = tk->totp_confirm(user, otp->generate(clock).view(), ctx);
        BOOST_REQUIRE(c.ok());
        BOOST_REQUIRE(c->ok());
        return std::move(*otp);
    }
    std::string code(const Otp& o, std::int64_t dt = 0) { return std::string(o.generate(clock + dt).view()); }
    Errc verify(const std::string& user, const std::string& c) { return tk->totp_verify(user, c, ctx)->status; }
    std::vector<std::string> audit_types() {
        std::vector<std::string> out;
        auto recs = tk->audit().read(1, 10000);
        BOOST_REQUIRE(recs.ok());
        for (const auto& e : *recs) out.push_back(e.type);
        return out;
    }
    bool audited(const std::string& type) {
        auto t = audit_types();
        return std::find(t.begin(), t.end(), type) != t.end();
    }
};

// Runs f on a Fixture over each backend of store_backends.hpp, each an empty store: the cases use
// the same user names and read the whole audit chain.
void each_fixture(const std::function<void(Fixture&)>& f) {
    test::each_store_backend(test::Stores::empty, [&](const std::string&, const test::StoreOpener& open) {
        Fixture fx(open());
        f(fx);
    });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server)

BOOST_AUTO_TEST_CASE(enrollment_needs_a_code) {
    each_fixture([](Fixture& f) {
        auto e = f.tk->totp_begin("alice", "alice@example.com", f.ctx);
        BOOST_REQUIRE(e.ok());
        BOOST_TEST(e->uri.view().rfind("otpauth://totp/mfakit:alice@example.com?secret=", 0) == 0u);
        BOOST_TEST(e->qr_svg.view().find("<svg") != std::string_view::npos);
        BOOST_TEST(e->qr_png_data_uri.view().rfind("data:image/png;base64,", 0) == 0u);
        auto otp = Otp::create(*base32_decode(e->secret_base32.view()), {});
        // Not active until proven: a login with a valid code fails.
        BOOST_TEST(*f.tk->totp_enrolled("alice") == false);
        BOOST_TEST(f.verify("alice", f.code(*otp)) == Errc::otp_code_mismatch);
        BOOST_TEST(f.tk->totp_confirm("alice", "000000", f.ctx)->status == Errc::otp_code_mismatch);
        BOOST_TEST(f.tk->totp_confirm("alice", f.code(*otp), f.ctx)->ok());
        BOOST_TEST(*f.tk->totp_enrolled("alice"));
        BOOST_TEST(f.tk->totp_confirm("alice", f.code(*otp), f.ctx).code() == Errc::factor_not_enrolled);  // consumed
        BOOST_TEST(f.tk->totp_begin("alice", "", f.ctx).code() == Errc::factor_already_enrolled);
        BOOST_TEST(f.audited("totp.enrolled"));
    });
}

BOOST_AUTO_TEST_CASE(enrollment_expires) {
    each_fixture([](Fixture& f) {
        auto e = f.tk->totp_begin("bob", "", f.ctx);
        BOOST_REQUIRE(e.ok());
        BOOST_TEST(e->expires_at == f.clock + 600);
        BOOST_TEST(f.tk->totp_confirm("carol", "123456", f.ctx).code() == Errc::factor_not_enrolled);
    });
}

// rotp#44, nextcloud/twofactor_totp#245, teamhanko/hanko#2723: the setup code was reusable.
BOOST_AUTO_TEST_CASE(regression_enrollment_code_is_consumed) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        BOOST_TEST(f.verify("alice", f.code(otp)) == Errc::otp_code_replayed);
        f.clock += 30;
        BOOST_TEST(f.verify("alice", f.code(otp)) == Errc::ok);
    });
}

// google-authenticator-libpam#130 and RFC 6238 §5.2: the same code twice in one step.
BOOST_AUTO_TEST_CASE(regression_same_code_twice) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        f.clock += 60;
        const auto c = f.code(otp);
        auto first = f.tk->totp_verify("alice", c, f.ctx);
        BOOST_TEST(first->ok());
        BOOST_TEST((first->amr == std::vector<std::string>{"otp"}));
        BOOST_TEST(f.verify("alice", c) == Errc::otp_code_replayed);
        BOOST_TEST(f.audited("totp.replayed"));  // ASVS 4 2.8.5: a reused TOTP is logged
    });
}

// Rodauth CVE-2026-82470: a code of an earlier step replayed inside the window after a later one.
BOOST_AUTO_TEST_CASE(regression_earlier_step_after_later_one) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        f.clock += 90;
        const auto earlier = f.code(otp, -30);  // still inside the ±1 window
        BOOST_TEST(f.verify("alice", f.code(otp)) == Errc::ok);
        BOOST_TEST(f.verify("alice", earlier) == Errc::otp_code_replayed);
        BOOST_TEST(f.verify("alice", f.code(otp, 30)) == Errc::ok);  // a later step is fine (drift)
    });
}

// otpauth (npm) <3.2.8: single-digit tokens accepted.
BOOST_AUTO_TEST_CASE(regression_code_length_and_alphabet) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        f.clock += 60;
        const auto c = f.code(otp);
        // Malformed codes count as failures too; the clock moves past each delay (all within step + 1).
        for (const std::string& bad : {c.substr(0, 1), c.substr(0, 5), c + "0", std::string("12345a"), std::string()}) {
            BOOST_TEST(f.verify("alice", bad) == Errc::otp_code_format);
            BOOST_TEST(f.tk->unlock("alice", f.ctx).ok());
        }
        BOOST_TEST(f.verify("alice", c) == Errc::ok);
    });
}

// PLANKA CVE-2026-105835, EyeDP: no attempt limit. NIST: at most 100, here 10, with delays first.
BOOST_AUTO_TEST_CASE(regression_brute_force_is_throttled_then_locked) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        f.clock += 60;
        for (int i = 1; i <= 3; ++i) BOOST_TEST(f.verify("alice", "000000") == Errc::otp_code_mismatch);
        auto t = f.tk->totp_verify("alice", f.code(otp), f.ctx);
        BOOST_TEST(t->status == Errc::throttled);  // even the right code waits
        BOOST_TEST(t->retry_after == 30);
        for (int i = 4; i <= 10; ++i) {
            f.clock += 3600;
            auto r = f.tk->totp_verify("alice", "000000", f.ctx);
            BOOST_TEST(r->failures == static_cast<std::uint32_t>(i));
            BOOST_TEST(r->newly_locked == (i == 10));
        }
        f.clock += 86400;
        BOOST_TEST(f.verify("alice", f.code(otp)) == Errc::account_locked);
        BOOST_TEST(f.audited("account.locked"));
        auto st = f.tk->lock_status("alice");
        BOOST_TEST(st->locked);
        BOOST_TEST(st->second_factor.failures == 10u);
        BOOST_TEST(f.tk->unlock("alice", {"operator", "10.0.0.1"}).ok());
        BOOST_TEST(f.verify("alice", f.code(otp)) == Errc::ok);
        BOOST_TEST(f.audited("account.unlocked"));
    });
}

// listmonk CVE-2026-128332: the TOTP counter was reset by each new password login.
BOOST_AUTO_TEST_CASE(regression_password_success_keeps_second_factor_count) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        auto phc = hash_password("correct horse battery", {64, 1, 1, 16, 32});
        for (int i = 0; i < 3; ++i) {
            BOOST_TEST(f.tk->password_verify("alice", "correct horse battery", *phc, f.ctx)->ok());
            BOOST_TEST(f.verify("alice", "000000") == Errc::otp_code_mismatch);
        }
        BOOST_TEST(f.tk->password_verify("alice", "correct horse battery", *phc, f.ctx)->ok());
        BOOST_TEST(f.tk->lock_status("alice")->second_factor.failures == 3u);
        BOOST_TEST(f.verify("alice", f.code(otp, 60)) == Errc::throttled);
    });
}

// rubygems.org GHSA-c55g-q6f4-5qxr: a per-IP limit bypassed by rotating addresses.
BOOST_AUTO_TEST_CASE(regression_limit_is_per_account_not_per_ip) {
    each_fixture([](Fixture& f) {
        (void)f.enroll();
        for (int i = 0; i < 3; ++i) {
            RequestContext c{"", "198.51.100." + std::to_string(i)};
            BOOST_TEST(f.tk->totp_verify("alice", "000000", c)->status == Errc::otp_code_mismatch);
        }
        RequestContext fresh{"", "192.0.2.200"};
        BOOST_TEST(f.tk->totp_verify("alice", "000000", fresh)->status == Errc::throttled);
    });
}

// openssl_encrypt CVE-2026-74878, Punk::Plugin::TOTP: the counter lived in worker memory or a
// cookie. Here it is in the store: a new process (a new Toolkit on a new connection to the same
// store) sees it.
BOOST_AUTO_TEST_CASE(regression_counter_survives_restart) {
    test::each_store_backend(test::Stores::empty, [](const std::string&, const test::StoreOpener& open) {
        auto ring = KeyRing::generate();
        const std::string ring_text(ring->format().view());
        std::int64_t clock = 1'700'000'000;
        ToolkitConfig cfg;
        cfg.clock = [&] { return clock; };
        {
            auto tk = Toolkit::create(open(), *KeyRing::parse(ring_text), cfg);
            // The default rule: three free failures, then delays.
            for (int i = 0; i < 4; ++i)
                BOOST_TEST((*tk)->totp_verify("alice", "000000", {})->status == Errc::otp_code_mismatch);
        }
        {
            auto tk = Toolkit::create(open(), *KeyRing::parse(ring_text), cfg);
            BOOST_TEST((*tk)->lock_status("alice")->second_factor.failures == 4u);
            BOOST_TEST((*tk)->totp_verify("alice", "000000", {})->status == Errc::throttled);
        }
    });
}

// web-auth GHSA-875x-g8p7-5w27 (enumeration), google-authenticator#514 (oracle): unknown users and
// users without TOTP fail exactly like a wrong code, and are throttled the same.
BOOST_AUTO_TEST_CASE(regression_unknown_users_look_the_same) {
    each_fixture([](Fixture& f) {
        (void)f.enroll();
        for (const char* u : {"alice", "nobody"}) {
            BOOST_TEST_CONTEXT(u) {
                BOOST_TEST(f.verify(u, "000000") == Errc::otp_code_mismatch);
                BOOST_TEST(f.verify(u, "12") == Errc::otp_code_format);
                BOOST_TEST(f.verify(u, "000000") == Errc::otp_code_mismatch);
                BOOST_TEST(f.verify(u, "000000") == Errc::throttled);
            }
        }
    });
}

// A removed or replaced factor is never verified from the per-process cache.
BOOST_AUTO_TEST_CASE(removed_factor_is_not_accepted_from_cache) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        f.clock += 60;
        BOOST_TEST(f.verify("alice", f.code(otp)) == Errc::ok);  // now cached
        // Another server removes it (straight in the store, bypassing this toolkit's cache).
        BOOST_TEST(*f.st->erase("mfa:totp:{alice}"));
        f.clock += 30;
        BOOST_TEST(f.verify("alice", f.code(otp)) == Errc::otp_code_mismatch);
        // Re-enrolled elsewhere with a new secret: the old secret's codes fail, the new one's pass.
        auto otp2 = f.enroll();
        f.clock += 30;
        BOOST_TEST(f.verify("alice", f.code(otp)) != Errc::ok);
        f.clock += 30;
        BOOST_TEST(f.verify("alice", f.code(otp2)) == Errc::ok);
        BOOST_TEST(f.tk->totp_remove("alice", f.ctx).ok());
        BOOST_TEST(f.tk->totp_remove("alice", f.ctx).code() == Errc::factor_not_enrolled);
        BOOST_TEST(f.audited("totp.removed"));
    });
}

BOOST_AUTO_TEST_CASE(secret_is_encrypted_at_rest_and_rewrapped) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        const std::string rec(as_chars(*f.st->get("mfa:totp:{alice}").value()));
        const std::string b32(base32_encode(otp.secret()).view());
        BOOST_TEST(rec.find(b32) == std::string::npos);
        BOOST_TEST(rec.find("\"secret\":\"v1.1.") != std::string::npos);
        BOOST_TEST(*f.tk->rewrap() == 0u);
    });
}

BOOST_AUTO_TEST_CASE(rewrap_moves_old_secrets) {
    test::each_store_backend(test::Stores::empty, [](const std::string&, const test::StoreOpener& open) {
        std::int64_t clock = 1'700'000'000;
        auto st = open();
        auto ring = KeyRing::generate();
        const std::string v1(ring->format().view());
        ToolkitConfig cfg;
        cfg.clock = [&] { return clock; };
        Otp* otp_ptr = nullptr;
        std::optional<Otp> otp;
        {
            auto tk = *Toolkit::create(st, *KeyRing::parse(v1), cfg);
            auto e = tk->totp_begin("alice", "", {});
            otp.emplace(*Otp::create(*base32_decode(e->secret_base32.view()), {}));
            BOOST_TEST(tk->totp_confirm("alice", otp->generate(clock).view(), {})->ok());
        }
        otp_ptr = &*otp;
        auto ring2 = *KeyRing::parse(v1);
        (void)ring2.rotate();
        auto tk = *Toolkit::create(st, std::move(ring2), cfg);
        clock += 30;
        BOOST_TEST(tk->totp_verify("alice", otp_ptr->generate(clock).view(), {})->ok());  // old key still reads
        BOOST_TEST(*tk->rewrap() == 1u);
        BOOST_TEST(std::string(as_chars(*st->get("mfa:totp:{alice}").value())).find("\"v1.2.") != std::string::npos);
        clock += 30;
        BOOST_TEST(tk->totp_verify("alice", otp_ptr->generate(clock).view(), {})->ok());
        BOOST_TEST(*tk->rewrap() == 0u);
    });
}

// rewrap() walks every page of the store, not the first one: each secret ends under the new key
// and still verifies once the old key is gone.
BOOST_AUTO_TEST_CASE(rewrap_walks_every_page) {
    // Each backend an empty store: rewrap() counts every secret in it. A cluster spreads the users
    // over its masters: rewrap walks each of them.
    test::each_store_backend(test::Stores::empty, [](const std::string&, const test::StoreOpener& open) {
        {
            std::int64_t clock = 1'700'000'000;
            auto st = open();
            ToolkitConfig cfg;
            cfg.clock = [&] { return clock; };
            auto ring = *KeyRing::generate();
            const std::string v1(ring.format().view());
            std::vector<Otp> otps;
            {
                auto tk = *Toolkit::create(st, *KeyRing::parse(v1), cfg);
                for (int i = 0; i < 7; ++i) {
                    auto e = tk->totp_begin("user" + std::to_string(i), "", {});
                    BOOST_REQUIRE(e.ok());
                    otps.push_back(*Otp::create(*base32_decode(e->secret_base32.view()), {}));
                    BOOST_REQUIRE(tk->totp_confirm("user" + std::to_string(i), otps.back().generate(clock).view(), {})->ok());
                }
            }
            auto ring2 = *KeyRing::parse(v1);
            const auto new_id = *ring2.rotate();
            auto tk = *Toolkit::create(st, *KeyRing::parse(std::string(ring2.format().view())), cfg);
            BOOST_TEST(tk->rewrap(0).code() == Errc::invalid_argument);
            BOOST_TEST(*tk->rewrap(2) == 7u);  // four pages
            BOOST_TEST(*tk->rewrap(2) == 0u);
            // Without the old key every secret still opens.
            BOOST_REQUIRE(ring2.retire(1, clock - 1).ok());
            BOOST_REQUIRE(ring2.remove(1, clock).ok());
            BOOST_REQUIRE(ring2.keys().size() == 1u);
            BOOST_TEST(ring2.current_id() == new_id);
            auto only_new = *Toolkit::create(st, std::move(ring2), cfg);
            clock += 30;
            for (int i = 0; i < 7; ++i)
                BOOST_TEST(only_new->totp_verify("user" + std::to_string(i), otps[i].generate(clock).view(), {})->ok());
        }
    });
}

BOOST_AUTO_TEST_CASE(recovery_codes) {
    each_fixture([](Fixture& f) {
        auto codes = f.tk->recovery_generate("alice", f.ctx);
        BOOST_REQUIRE(codes.ok());
        BOOST_TEST(codes->size() == 10u);
        BOOST_TEST((*codes)[0].size() == 29u);  // 25 characters in groups of five
        BOOST_TEST(*f.tk->recovery_remaining("alice") == 10u);
        auto r = f.tk->recovery_use("alice", (*codes)[0].view(), f.ctx);
        BOOST_TEST(r->ok());
        BOOST_TEST((r->amr == std::vector<std::string>{"otp"}));
        BOOST_TEST(f.tk->recovery_use("alice", (*codes)[0].view(), f.ctx)->status == Errc::recovery_code_invalid);
        // Typed loosely: upper case, without dashes.
        std::string loose;
        for (char c : (*codes)[1].view())
            if (c != '-') loose.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        BOOST_TEST(f.tk->recovery_use("alice", loose, f.ctx)->ok());
        BOOST_TEST(*f.tk->recovery_remaining("alice") == 8u);
        // Every character is of the Crockford alphabet; look-alikes read as Crockford does, 'u' is no digit.
        for (const auto& c : *codes)
            for (char ch : c.view())
                BOOST_TEST((ch == '-' || std::string_view("0123456789abcdefghjkmnpqrstvwxyz").find(ch) != std::string_view::npos));
        {
            std::string alike(codes->back().view());
            bool changed = false;
            for (char& ch : alike) {
                if (ch != '1' && ch != '0') continue;
                ch = ch == '0' ? 'O' : (changed ? 'I' : 'l');
                changed = true;
            }
            std::string with_u = std::string(codes->back().view());
            with_u[0] = 'u';
            BOOST_TEST(f.tk->recovery_use("alice", with_u, f.ctx)->status == Errc::recovery_code_invalid);
            if (changed) {
                BOOST_TEST(f.tk->recovery_use("alice", alike, f.ctx)->ok());
                BOOST_TEST(*f.tk->recovery_remaining("alice") == 7u);
            }
        }
        // Nothing is stored in the clear.
        auto rc_keys = f.st->keys("mfa:rc:");
        for (const auto& k : *rc_keys) BOOST_TEST(k.find((*codes)[2].view().substr(0, 5)) == std::string::npos);
        // A new set voids the old one.
        auto fresh = f.tk->recovery_generate("alice", f.ctx);
        BOOST_TEST(f.tk->recovery_use("alice", (*codes)[2].view(), f.ctx)->status == Errc::recovery_code_invalid);
        BOOST_TEST(f.tk->recovery_use("alice", (*fresh)[2].view(), f.ctx)->ok());
        BOOST_TEST(*f.tk->recovery_remaining("alice") == 9u);
        BOOST_TEST(f.tk->recovery_use("nobody", (*fresh)[3].view(), f.ctx)->status == Errc::recovery_code_invalid);
        BOOST_TEST(f.audited("recovery.generated"));
        BOOST_TEST(f.audited("recovery.used"));
    });
}

// Gitea CVE-2026-123002: one path without a limit. Recovery codes share the second-factor counter.
BOOST_AUTO_TEST_CASE(regression_every_path_is_throttled) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        auto codes = f.tk->recovery_generate("alice", f.ctx);
        BOOST_TEST(f.verify("alice", "000000") == Errc::otp_code_mismatch);
        BOOST_TEST(f.tk->recovery_use("alice", "aaaaa-aaaaa-aaaaa-aaaaa-aaaaa", f.ctx)->status == Errc::recovery_code_invalid);
        BOOST_TEST(f.tk->recovery_use("alice", "garbage", f.ctx)->status == Errc::recovery_code_invalid);
        BOOST_TEST(f.tk->recovery_use("alice", (*codes)[0].view(), f.ctx)->status == Errc::throttled);
        // Passwords are throttled too (their own counter).
        auto phc = *hash_password("right password here", {64, 1, 1, 16, 32});
        for (int i = 0; i < 3; ++i) BOOST_TEST(f.tk->password_verify("alice", "wrong", phc, f.ctx)->status == Errc::password_mismatch);
        BOOST_TEST(f.tk->password_verify("alice", "right password here", phc, f.ctx)->status == Errc::throttled);
    });
}

BOOST_AUTO_TEST_CASE(password_verify_flow) {
    each_fixture([](Fixture& f) {
        auto phc = *hash_password("right password here", {64, 1, 1, 16, 32});
        auto ok = f.tk->password_verify("alice", "right password here", phc, f.ctx);
        BOOST_TEST(ok->ok());
        BOOST_TEST((ok->amr == std::vector<std::string>{"pwd"}));
        BOOST_TEST(ok->needs_rehash);  // below the default cost
        BOOST_TEST(f.tk->password_verify("nobody", "whatever", "", f.ctx)->status == Errc::password_mismatch);
        BOOST_TEST(f.tk->password_verify("alice", "x", "$bogus$", f.ctx).code() == Errc::password_hash_format);
    });
}

BOOST_AUTO_TEST_CASE(api_tokens) {
    each_fixture([](Fixture& f) {
        auto t = f.tk->token_create("alice", "ci deploy", {"repo:read", "deploy"}, f.clock + 3600, f.ctx);
        BOOST_REQUIRE(t.ok());
        const std::string tok(t->token.view());
        BOOST_TEST(tok.rfind("mfa_", 0) == 0u);
        auto v = f.tk->token_verify(tok, f.ctx);
        BOOST_REQUIRE(v.ok());
        BOOST_TEST(v->user == "alice");
        BOOST_TEST(v->scopes.size() == 2u);
        BOOST_TEST(v->last_used == f.clock);
        // Only the hash is stored.
        const std::string rec(as_chars(*f.st->get("mfa:tok:" + t->info.id).value()));
        BOOST_TEST(rec.find(tok.substr(12)) == std::string::npos);
        BOOST_TEST(rec.find(api_token_hash(tok)) != std::string::npos);
        // A token with the right id and a valid checksum but another secret.
        auto other = generate_api_token("mfa");
        std::string forged = tok.substr(0, 12) + std::string(other->view()).substr(12, 24);
        BOOST_TEST(f.tk->token_verify(forged, f.ctx).code() == Errc::token_format);  // checksum
        BOOST_TEST(f.tk->token_verify(std::string(other->view()), f.ctx).code() == Errc::token_invalid);
        BOOST_TEST(f.tk->token_list("alice")->size() == 1u);
        BOOST_TEST(f.tk->token_list("bob")->empty());
        BOOST_TEST(f.tk->token_revoke("bob", t->info.id, f.ctx).code() == Errc::token_invalid);
        f.clock += 3600;
        BOOST_TEST(f.tk->token_verify(tok, f.ctx).code() == Errc::token_expired);
        BOOST_TEST(f.tk->token_revoke("alice", t->info.id, f.ctx).ok());
        BOOST_TEST(f.tk->token_verify(tok, f.ctx).code() == Errc::token_invalid);
        BOOST_TEST(f.tk->token_list("alice")->empty());
        BOOST_TEST(f.tk->token_create("alice", "x", {"bad scope"}, 0, f.ctx).code() == Errc::invalid_argument);
        BOOST_TEST(f.tk->token_create("alice", "x", {}, f.clock - 1, f.ctx).code() == Errc::invalid_argument);
        BOOST_TEST(f.audited("token.created"));
        BOOST_TEST(f.audited("token.revoked"));
    });
}

BOOST_AUTO_TEST_CASE(policy_and_login_decision) {
    each_fixture([](Fixture& f) {
        OrgPolicy p;
        p.require = OrgPolicy::Requirement::everyone;
        p.effective_since = f.clock;
        p.grace_period = 86400;
        BOOST_TEST(f.tk->set_policy("acme", p, {"owner", "10.0.0.1"}).ok());
        BOOST_TEST(f.audited("policy.changed"));
        UserSecurityState u;
        auto d = f.tk->login_decision("acme", "alice", u);
        BOOST_TEST(d->decision == Decision::must_enroll);
        BOOST_TEST(d->may_skip);
        (void)f.enroll();
        BOOST_TEST(f.tk->login_decision("acme", "alice", u)->decision == Decision::must_verify);
        u.second_factor_verified = true;
        BOOST_TEST(f.tk->login_decision("acme", "alice", u)->decision == Decision::allow);
        BOOST_TEST(f.tk->policy("other")->require == OrgPolicy::Requirement::optional);
    });
}

BOOST_AUTO_TEST_CASE(audit_trail_is_a_valid_chain) {
    each_fixture([](Fixture& f) {
        auto otp = f.enroll();
        BOOST_TEST(f.verify("alice", "000000") == Errc::otp_code_mismatch);
        (void)f.tk->recovery_generate("alice", f.ctx);
        auto v = f.tk->audit().verify();
        BOOST_REQUIRE(v.ok());
        BOOST_TEST(v->records >= 4u);
        auto first = f.tk->audit().read(1, 1);
        BOOST_TEST((*first)[0].source_ip == "203.0.113.7");
        BOOST_TEST((*first)[0].subject == "alice");
    });
}

BOOST_AUTO_TEST_CASE(user_names_are_escaped_in_keys) {
    BOOST_TEST(*user_key_part("a:b") == "a%3Ab");
    BOOST_TEST(*user_key_part("50%") == "50%25");
    BOOST_TEST(*user_key_part("}x{") == "%7Dx%7B");  // the key's hash tag is exactly the user
    BOOST_TEST(user_key_part("").code() == Errc::invalid_argument);
    BOOST_TEST(user_key_part(std::string(257, 'a')).code() == Errc::invalid_argument);
    // "a" and "a:set" cannot collide with each other's recovery keys.
    Fixture f;
    auto codes = f.tk->recovery_generate("a:set", f.ctx);
    BOOST_TEST(*f.tk->recovery_remaining("a") == 0u);
}

BOOST_AUTO_TEST_CASE(amr_values) {
    BOOST_TEST((amr_for(FactorType::webauthn, true) == std::vector<std::string>{"hwk", "user", "pin", "mfa"}));
    BOOST_TEST((amr_combine({"pwd"}, {"otp"}) == std::vector<std::string>{"pwd", "otp", "mfa"}));
    BOOST_TEST((amr_combine({"pwd"}, {}) == std::vector<std::string>{"pwd"}));
}

BOOST_AUTO_TEST_CASE(config_validation) {
    auto ring = KeyRing::generate();
    ToolkitConfig c;
    c.throttle.lock_after = 101;
    BOOST_TEST(Toolkit::create(store::open_memory_store(), std::move(*ring), c).code() == Errc::invalid_argument);
    BOOST_TEST(Toolkit::create(store::open_memory_store(), KeyRing{}, {}).code() == Errc::keyring_invalid);
}

BOOST_AUTO_TEST_SUITE_END()

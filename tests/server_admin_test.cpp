// The toolkit's administration (docs/server.md "Organizations and accounts"): the audit trail as
// admins read it, organization membership, account deletion with retention and purge, the API keys
// of an organization and password renewal -- each case on every store backend (memory, SQLite, Redis,
// Redis Cluster, Redis Sentinel with WAIT 1, PostgreSQL), each backend an empty store.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <functional>
#include <unistd.h>

#include "mfa/encoding.hpp"
#include "mfa/server/toolkit.hpp"
#include "store_backends.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::server;

namespace mfa::server {
inline std::ostream& operator<<(std::ostream& os, Decision d) { return os << to_string(d); }
inline std::ostream& operator<<(std::ostream& os, PasswordChange c) { return os << to_string(c); }
inline std::ostream& operator<<(std::ostream& os, Permission p) { return os << to_string(p); }
inline std::ostream& operator<<(std::ostream& os, FactorType f) { return os << to_string(f); }
}  // namespace mfa::server

namespace {

struct Admin {
    std::int64_t clock = 1'750'000'000;
    std::shared_ptr<store::Store> st;
    std::unique_ptr<Toolkit> tk;
    RequestContext ctx{"", "198.51.100.4"};
    RequestContext op{"operator", "192.0.2.1"};

    explicit Admin(std::shared_ptr<store::Store> s) : st(std::move(s)) {
        ToolkitConfig cfg;
        cfg.clock = [this] { return clock; };
        auto t = Toolkit::create(st, *KeyRing::generate(), std::move(cfg));
        BOOST_REQUIRE(t.ok());
        tk = std::move(*t);
    }
    Otp enroll(const std::string& user) {
        auto e = tk->totp_begin(user, "", ctx);
        BOOST_REQUIRE(e.ok());
        auto otp = *Otp::create(*base32_decode(e->secret_base32.view()), {});
        BOOST_REQUIRE(tk->totp_confirm(user, otp.generate(clock).view(), ctx)->ok());
        return otp;
    }
    std::vector<std::string> types(const AuditQuery& q) {
        auto page = tk->audit_query(q);
        BOOST_REQUIRE_MESSAGE(page.ok(), (page.ok() ? std::string() : page.error().to_string()));
        std::vector<std::string> out;
        for (const auto& e : page->events) out.push_back(e.type);
        return out;
    }
};

std::vector<std::string> st_keys(store::Store& s, const std::string& prefix) {
    auto k = s.keys(prefix);
    BOOST_REQUIRE(k.ok());
    return *k;
}

// Runs f on a toolkit over each backend of store_backends.hpp, each an empty store: unlike
// each_backend of server_webauthn_support.hpp (shared stores, unique users), because the audit chain
// and the purge index are store-wide.
void each_store(const std::string& name, const std::function<void(Admin&)>& f) {
    BOOST_TEST_CONTEXT(name) {
        test::each_store_backend(test::Stores::empty, [&](const std::string&, const test::StoreOpener& open) {
            Admin a(open());
            f(a);
        });
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_admin)

BOOST_AUTO_TEST_CASE(audit_trail_by_org_user_actor_event_and_time) {
    each_store("audit", [](Admin& a) {
        auto& tk = *a.tk;
        BOOST_REQUIRE(tk.set_membership("alice", "acme", Role::owner, a.op).ok());
        BOOST_REQUIRE(tk.set_membership("bob", "acme", Role::member, {"alice", "198.51.100.4"}).ok());
        BOOST_REQUIRE(tk.set_membership("carol", "globex", Role::admin, a.op).ok());
        const std::int64_t t0 = a.clock;
        a.clock += 10;
        BOOST_REQUIRE(tk.audit_append("alice", "bob", "app.role_changed", "member -> admin", "198.51.100.4", "").ok());
        a.clock += 10;
        BOOST_REQUIRE(tk.audit_append("carol", "carol", "app.user_invited", "dave@globex.example", "", "").ok());
        a.clock += 10;
        (void)tk.totp_verify("bob", "000000", a.ctx);  // a failure, tagged with bob's organization
        a.clock += 10;
        // An event of another organization's user tagged with acme (an acme admin's action on it).
        auto tagged = tk.audit_append("operator", "zed", "app.user_removed", "", "", "acme");
        BOOST_REQUIRE(tagged.ok());

        // acme's events, newest first: its members' and the tagged one; none of globex's.
        AuditQuery q;
        q.org = "acme";
        const auto acme = a.types(q);
        BOOST_TEST((acme == std::vector<std::string>{"app.user_removed", "totp.failed", "app.role_changed",
                                                     "membership.changed", "membership.changed"}));
        q.org = "globex";
        BOOST_TEST((a.types(q) == std::vector<std::string>{"app.user_invited", "membership.changed"}));
        // By subject, actor, event (exact and prefix), time range.
        AuditQuery by_user;
        by_user.subject = "bob";
        BOOST_TEST((a.types(by_user) == std::vector<std::string>{"totp.failed", "app.role_changed", "membership.changed"}));
        AuditQuery by_actor;
        by_actor.actor = "alice";
        BOOST_TEST((a.types(by_actor) == std::vector<std::string>{"app.role_changed", "membership.changed"}));
        AuditQuery by_type;
        by_type.type = "app.*";
        BOOST_TEST(a.types(by_type).size() == 3u);
        by_type.type = "app.user_invited";
        BOOST_TEST(a.types(by_type).size() == 1u);
        AuditQuery range;
        range.since = t0 + 10;
        range.until = t0 + 30;
        BOOST_TEST((a.types(range) == std::vector<std::string>{"app.user_invited", "app.role_changed"}));
        range.org = "acme";
        BOOST_TEST((a.types(range) == std::vector<std::string>{"app.role_changed"}));

        // Paging: two at a time, every acme event once, in order.
        AuditQuery paged;
        paged.org = "acme";
        paged.limit = 2;
        std::vector<std::string> all;
        for (int pages = 0; pages < 10; ++pages) {
            auto page = tk.audit_query(paged);
            BOOST_REQUIRE(page.ok());
            BOOST_TEST(page->events.size() <= 2u);
            for (const auto& e : page->events) all.push_back(e.type);
            if (page->next_cursor.empty()) break;
            paged.cursor = page->next_cursor;
        }
        BOOST_TEST(all == acme);
        AuditQuery walk;  // the same without the index
        walk.limit = 3;
        std::size_t n = 0;
        for (int pages = 0; pages < 10; ++pages) {
            auto page = tk.audit_query(walk);
            BOOST_REQUIRE(page.ok());
            n += page->events.size();
            if (page->next_cursor.empty()) break;
            walk.cursor = page->next_cursor;
        }
        BOOST_TEST(n == *tk.audit().head());

        // A member who leaves stays in the organization's trail for what happened while a member.
        BOOST_REQUIRE(tk.remove_membership("bob", a.op).ok());
        (void)tk.totp_verify("bob", "000000", a.ctx);  // after leaving: not acme's
        q.org = "acme";
        const auto after = a.types(q);
        BOOST_TEST(after.front() == "membership.removed");
        BOOST_TEST(std::count(after.begin(), after.end(), "totp.failed") == 1);

        // Export: JSON lines oldest first, each the canonical record; the chain still verifies.
        AuditQuery ex;
        ex.org = "acme";
        std::vector<std::string> lines;
        BOOST_REQUIRE(tk.audit().export_lines(ex, [&](std::string_view l) -> Status {
                              lines.emplace_back(l);
                              return {};
                          }).ok());
        BOOST_TEST(lines.size() == after.size());
        for (const auto& l : lines) BOOST_TEST(parse_audit_record(l).ok());
        BOOST_TEST(parse_audit_record(lines.back())->event.type == "membership.removed");
        auto v = tk.audit().verify();
        BOOST_REQUIRE(v.ok());
        BOOST_TEST(v->records == *tk.audit().head());
        BOOST_TEST(*tk.audit().reindex() == 0u);  // every record was indexed when appended
    });
}

BOOST_AUTO_TEST_CASE(audit_bad_input_changes_nothing) {
    each_store("auditbad", [](Admin& a) {
        auto& tk = *a.tk;
        for (const char* bad : {"role_changed", "app.", "app..x", "app.Role", "app.x.", "app.a b", "totp.enrolled"})
            BOOST_TEST(tk.audit_append("alice", "bob", bad, "", "", "").code() == Errc::audit_event_invalid);
        BOOST_TEST(tk.audit_append("", "bob", "app.x", "", "", "").code() == Errc::invalid_argument);
        BOOST_TEST(tk.audit_append("alice", "bob", "app.x", "", "", std::string(300, 'o')).code() == Errc::invalid_argument);
        BOOST_TEST(*tk.audit().head() == 0u);  // nothing was appended
        AuditQuery q;
        q.limit = 0;
        BOOST_TEST(tk.audit_query(q).code() == Errc::invalid_argument);
        q.limit = kMaxAuditPage + 1;
        BOOST_TEST(tk.audit_query(q).code() == Errc::invalid_argument);
        q.limit = 10;
        q.cursor = "x";
        BOOST_TEST(tk.audit_query(q).code() == Errc::invalid_argument);
        q.cursor = "0";
        BOOST_TEST(tk.audit_query(q).code() == Errc::invalid_argument);
        q.cursor = "";
        q.since = -1;
        BOOST_TEST(tk.audit_query(q).code() == Errc::invalid_argument);
        // An empty log: an empty page without a cursor.
        AuditQuery empty;
        auto page = tk.audit_query(empty);
        BOOST_REQUIRE(page.ok());
        BOOST_TEST(page->events.empty());
        BOOST_TEST(page->next_cursor.empty());
        BOOST_TEST(tk.set_membership("alice", "", Role::member, a.op).code() == Errc::invalid_argument);
        BOOST_TEST(tk.remove_membership("alice", a.op).code() == Errc::not_found);
        BOOST_TEST(*tk.audit().head() == 0u);
    });
}

BOOST_AUTO_TEST_CASE(records_without_orgs_still_parse) {
    // The record format before organizations: nine fields, no "orgs"; and one with them.
    AuditEvent e;
    e.seq = 1;
    e.time = 1'700'000'000;
    e.type = "totp.enrolled";
    e.actor = e.subject = "alice";
    const std::string old = audit_record_text(e, std::string(64, '0'));
    BOOST_TEST(old.find("orgs") == std::string::npos);
    BOOST_TEST(parse_audit_record(old).ok());
    e.orgs = {"acme", "globex"};
    const std::string tagged = audit_record_text(e, std::string(64, '0'));
    auto p = parse_audit_record(tagged);
    BOOST_REQUIRE(p.ok());
    BOOST_TEST((p->event.orgs == std::vector<std::string>{"acme", "globex"}));
    std::string empty_orgs = old;
    empty_orgs.replace(empty_orgs.find("\"prev\""), 0, "\"orgs\":[],");
    BOOST_TEST(parse_audit_record(empty_orgs).code() == Errc::audit_record_invalid);
}

// An organization keeps an owner who can act: the last one is neither deleted nor outnumbered by
// deleted owners, and each refusal is audited.
BOOST_AUTO_TEST_CASE(last_owner_is_not_deleted_and_deleted_owners_do_not_count) {
    each_store("lastowner", [](Admin& a) {
        auto& tk = *a.tk;
        BOOST_REQUIRE(tk.set_membership("olga", "initech", Role::owner, a.op).ok());
        BOOST_REQUIRE(tk.set_membership("pete", "initech", Role::owner, a.op).ok());
        BOOST_REQUIRE(tk.set_membership("quinn", "initech", Role::member, a.op).ok());
        BOOST_REQUIRE(tk.delete_account("quinn", 0, a.op).ok());  // a member goes as before
        BOOST_REQUIRE(tk.delete_account("pete", 0, a.op).ok());   // olga still owns initech

        // pete is deleted (restorable): his ownership does not count, olga is the last owner.
        auto refused = tk.delete_account("olga", 0, a.op);
        BOOST_TEST(refused.code() == Errc::last_owner);
        BOOST_TEST(refused.error().detail.find("olga is the last owner of initech") != std::string::npos, refused.error().detail);
        BOOST_TEST(!tk.account_status("olga")->deleted);
        BOOST_TEST(tk.set_membership("olga", "initech", Role::admin, a.op).code() == Errc::last_owner);

        BOOST_REQUIRE(tk.restore_account("pete", a.op).ok());
        BOOST_REQUIRE(tk.delete_account("olga", 0, a.op).ok());  // now another owner can act
        BOOST_TEST(tk.delete_account("olga", 0, a.op).code() == Errc::account_deleted);

        AuditQuery q;
        q.type = "permission.denied";
        q.org = "initech";
        auto denied = tk.audit_query(q);
        BOOST_REQUIRE(denied.ok());
        BOOST_TEST(denied->events.size() == 2u);
    });
}

BOOST_AUTO_TEST_CASE(account_deletion_retention_restore_and_purge) {
    each_store("delete", [](Admin& a) {
        auto& tk = *a.tk;
        const Otp otp = a.enroll("alice");
        auto codes = tk.recovery_generate("alice", a.ctx);
        BOOST_REQUIRE(codes.ok());
        auto token = tk.token_create("alice", "ci", {"repo:read"}, 0, a.ctx);
        BOOST_REQUIRE(token.ok());
        BOOST_REQUIRE(tk.set_membership("alice", "acme", Role::admin, a.op).ok());
        BOOST_REQUIRE(tk.password_changed("alice", a.ctx).ok());
        const auto phc = *hash_password("correct horse battery");
        a.enroll("bob");  // another account, untouched throughout

        BOOST_TEST(tk.delete_account("alice", -1, a.op).code() == Errc::invalid_argument);
        BOOST_TEST(tk.delete_account("alice", kMaxAccountRetention + 1, a.op).code() == Errc::invalid_argument);
        BOOST_TEST(tk.restore_account("alice", a.op).code() == Errc::not_found);  // not deleted
        BOOST_REQUIRE(tk.delete_account("alice", 0, a.op).ok());
        BOOST_TEST(tk.delete_account("alice", 0, a.op).code() == Errc::account_deleted);  // already
        auto status = tk.account_status("alice");
        BOOST_REQUIRE(status.ok());
        BOOST_TEST(status->deleted);
        BOOST_TEST(status->purge_after == a.clock + kDefaultAccountRetention);
        BOOST_TEST(status->deleted_by == "operator");

        // Everything refuses at once.
        a.clock += 30;
        BOOST_TEST(tk.totp_verify("alice", otp.generate(a.clock).view(), a.ctx)->status == Errc::account_deleted);
        // The deletion mark is checked inside the TOTP attempt: a wrong code is refused as deleted
        // too and counts no failure, and the code refused above was not spent.
        BOOST_TEST(tk.totp_verify("alice", "000000", a.ctx)->status == Errc::account_deleted);
        BOOST_TEST(tk.lock_status("alice")->second_factor.failures == 0u);
        BOOST_TEST(tk.recovery_use("alice", (*codes)[0].view(), a.ctx)->status == Errc::account_deleted);
        BOOST_TEST(tk.token_verify(token->token.view(), a.ctx).code() == Errc::account_deleted);
        BOOST_TEST(tk.password_verify("alice", "correct horse battery", phc, a.ctx)->status == Errc::account_deleted);
        // A wrong password says nothing of the deletion.
        BOOST_TEST(tk.password_verify("alice", "wrong", phc, a.ctx)->status == Errc::password_mismatch);
        BOOST_TEST(tk.totp_begin("alice", "", a.ctx).code() == Errc::account_deleted);
        // The import paths of pam_mfa's migration refuse too: a deleted account gains no factor.
        BOOST_TEST(tk.totp_import("alice", otp.secret(), {}, "", a.op).code() == Errc::account_deleted);
        std::vector<SecretString> scratch;
        scratch.emplace_back("12345678");
        BOOST_TEST(tk.recovery_import("alice", scratch, a.op).code() == Errc::account_deleted);
        webauthn::CredentialRecord key;
        key.id = Bytes{1, 2, 3, 4};
        key.public_key = Bytes{5, 6, 7, 8};
        BOOST_TEST(tk.webauthn_import("alice", std::move(key), "old key", a.op).code() == Errc::account_deleted);
        BOOST_TEST(tk.token_create("alice", "x", {}, 0, a.ctx).code() == Errc::account_deleted);
        BOOST_TEST(tk.recovery_generate("alice", a.ctx).code() == Errc::account_deleted);
        BOOST_TEST(tk.login_decision("acme", "alice", {})->decision == Decision::deny);
        BOOST_TEST(tk.totp_verify("bob", "000000", a.ctx)->status == Errc::otp_code_mismatch);  // bob is not affected

        // Restore within the retention: the same factors work again.
        BOOST_REQUIRE(tk.restore_account("alice", a.op).ok());
        BOOST_TEST(!tk.account_status("alice")->deleted);
        BOOST_TEST(tk.totp_verify("alice", otp.generate(a.clock).view(), a.ctx)->ok());  // the step refused while deleted
        a.clock += 30;
        BOOST_TEST(tk.totp_verify("alice", otp.generate(a.clock).view(), a.ctx)->ok());
        BOOST_TEST(tk.token_verify(token->token.view(), a.ctx).ok());

        // Delete with a week's retention; purge before it ends removes nothing.
        BOOST_REQUIRE(tk.delete_account("alice", 7 * 86400, a.op).ok());
        const std::int64_t deleted_at = a.clock;
        auto early = tk.purge(deleted_at + 7 * 86400 - 1, a.op);
        BOOST_REQUIRE(early.ok());
        BOOST_TEST(early->empty());
        BOOST_TEST(tk.purge(-5, a.op).code() == Errc::invalid_argument);
        // Past the retention a restore is refused (the purge may be running) ...
        a.clock = deleted_at + 7 * 86400;
        BOOST_TEST(tk.restore_account("alice", a.op).code() == Errc::not_found);
        // ... and the purge takes the account out of the store for good.
        auto purged = tk.purge(0, a.op);
        BOOST_REQUIRE(purged.ok());
        BOOST_REQUIRE(purged->size() == 1u);
        BOOST_TEST((*purged)[0].user == "alice");
        BOOST_TEST((*purged)[0].deleted_at == deleted_at);
        BOOST_TEST((*purged)[0].keys >= 8u);
        BOOST_TEST(!*tk.totp_enrolled("alice"));
        BOOST_TEST(*tk.recovery_remaining("alice") == 0u);
        BOOST_TEST(tk.token_verify(token->token.view(), a.ctx).code() == Errc::token_invalid);
        BOOST_TEST(tk.token_list("alice")->empty());
        BOOST_TEST(!tk.membership("alice")->has_value());
        BOOST_TEST(tk.org_members("acme")->empty());
        BOOST_TEST(tk.password_state("alice")->changed_at == 0);
        BOOST_TEST(!tk.account_status("alice")->deleted);
        BOOST_TEST(tk.restore_account("alice", a.op).code() == Errc::not_found);
        for (const auto& prefix : {"mfa:totp:{alice}", "mfa:rc:{alice}", "mfa:tokidx:{alice}", "mfa:member:{alice}",
                                   "mfa:deleted", "mfa:pwd:{alice}"})
            BOOST_TEST_CONTEXT(prefix) { BOOST_TEST(st_keys(*a.st, prefix).empty()); }
        BOOST_TEST(*tk.totp_enrolled("bob"));
        BOOST_TEST(tk.purge(0, a.op)->empty());  // nothing left to do
        // Each step is in the trail, in alice's organization's too.
        AuditQuery q;
        q.org = "acme";
        const auto acme = a.types(q);
        for (const char* t : {"account.deleted", "account.restored", "account.purged"})
            BOOST_TEST(std::count(acme.begin(), acme.end(), t) >= 1);
        BOOST_TEST(a.types(q).front() == "account.purged");
        BOOST_TEST(tk.audit().verify().ok());
    });
}

BOOST_AUTO_TEST_CASE(org_tokens_last_use_revoke_and_lifetime) {
    each_store("tokens", [](Admin& a) {
        auto& tk = *a.tk;
        BOOST_REQUIRE(tk.set_membership("alice", "acme", Role::owner, a.op).ok());
        BOOST_REQUIRE(tk.set_membership("bob", "acme", Role::member, a.op).ok());
        BOOST_REQUIRE(tk.set_membership("carol", "globex", Role::member, a.op).ok());
        auto ta = tk.token_create("alice", "deploy", {"deploy"}, 0, a.ctx);
        a.clock += 5;
        auto tb = tk.token_create("bob", "ci", {"repo:read", "repo:write"}, a.clock + 86400, a.ctx);
        auto tc = tk.token_create("carol", "other", {}, 0, a.ctx);
        BOOST_REQUIRE(ta.ok());
        BOOST_REQUIRE(tb.ok());
        BOOST_REQUIRE(tc.ok());
        a.clock += 100;
        BOOST_REQUIRE(tk.token_verify(tb->token.view(), {"", "203.0.113.9"}).ok());

        auto list = tk.org_tokens("acme");
        BOOST_REQUIRE(list.ok());
        BOOST_REQUIRE(list->size() == 2u);
        BOOST_TEST((*list)[0].user == "bob");  // newest first
        BOOST_TEST((*list)[0].last_used == a.clock);
        BOOST_TEST((*list)[0].last_ip == "203.0.113.9");
        BOOST_TEST(((*list)[0].scopes == std::vector<std::string>{"repo:read", "repo:write"}));
        BOOST_TEST((*list)[1].user == "alice");
        BOOST_TEST((*list)[1].last_used == 0);
        BOOST_TEST(tk.org_tokens("globex")->size() == 1u);
        BOOST_TEST(tk.org_tokens("nobody")->empty());
        BOOST_TEST(tk.org_tokens("").code() == Errc::invalid_argument);
        // A new source address is recorded even within the minute.
        a.clock += 1;
        BOOST_REQUIRE(tk.token_verify(tb->token.view(), {"", "203.0.113.10"}).ok());
        BOOST_TEST(tk.org_tokens("acme")->front().last_ip == "203.0.113.10");

        // An org admin revokes its org's tokens only; an operator any.
        BOOST_TEST(tk.revoke_token(tc->info.id, "acme", a.op).code() == Errc::token_invalid);
        BOOST_TEST(tk.token_verify(tc->token.view(), a.ctx).ok());
        BOOST_TEST(tk.revoke_token("short", "", a.op).code() == Errc::invalid_argument);
        BOOST_TEST(tk.revoke_token("AAAAAAAA", "", a.op).code() == Errc::token_invalid);
        BOOST_REQUIRE(tk.revoke_token(tb->info.id, "acme", {"alice", ""}).ok());
        BOOST_TEST(tk.token_verify(tb->token.view(), a.ctx).code() == Errc::token_invalid);
        BOOST_REQUIRE(tk.revoke_token(tc->info.id, "", a.op).ok());
        BOOST_TEST(tk.org_tokens("globex")->empty());

        // The organization's maximum lifetime: refused at creation beyond it ...
        OrgPolicy p;
        p.token_max_lifetime = 30 * 86400;
        BOOST_REQUIRE(tk.set_policy("acme", p, a.op).ok());
        BOOST_TEST(tk.token_create("bob", "forever", {}, 0, a.ctx).code() == Errc::token_lifetime);
        BOOST_TEST(tk.token_create("bob", "long", {}, a.clock + 31 * 86400, a.ctx).code() == Errc::token_lifetime);
        auto ok = tk.token_create("bob", "month", {}, a.clock + 30 * 86400, a.ctx);
        BOOST_REQUIRE(ok.ok());
        BOOST_TEST(tk.token_create("carol", "other", {}, 0, a.ctx).ok());  // globex has no maximum
        // ... and applied to the tokens made before it (alice's had no expiry).
        BOOST_TEST(tk.token_verify(ta->token.view(), a.ctx).ok());
        a.clock += 30 * 86400;
        BOOST_TEST(tk.token_verify(ta->token.view(), a.ctx).code() == Errc::token_expired);
        OrgPolicy bad;
        bad.token_max_lifetime = -1;
        BOOST_TEST(tk.set_policy("acme", bad, a.op).code() == Errc::policy_invalid);
    });
}

BOOST_AUTO_TEST_CASE(password_renewal_in_the_login_decision) {
    each_store("password", [](Admin& a) {
        auto& tk = *a.tk;
        OrgPolicy p;
        p.password_max_age = 90 * 86400;
        p.password_min_classes = 3;
        BOOST_REQUIRE(tk.set_policy("acme", p, a.op).ok());
        auto round = policy_from_json(policy_to_json(*tk.policy("acme")));
        BOOST_REQUIRE(round.ok());
        BOOST_TEST(round->password_max_age == 90 * 86400);
        BOOST_TEST(round->password_min_classes == 3u);
        // The class rule as the organization's option.
        BOOST_TEST(tk.password_check("acme", "qzvbxlmpwtrk", "alice").code() == Errc::password_policy);
        BOOST_TEST(tk.password_check("acme", "Qz7!vbx-Lm2p", "alice").ok());
        BOOST_TEST(tk.password_check("globex", "qzvbxlmpwtrk", "alice").ok());  // no class rule there
        BOOST_TEST(tk.password_policy("acme")->max_age_seconds == 90 * 86400);

        // No recorded change: the age is unknown and not enforced.
        BOOST_TEST(tk.login_decision("acme", "alice", {})->decision == Decision::allow);
        BOOST_REQUIRE(tk.password_changed("alice", a.ctx).ok());
        const auto set_at = a.clock;
        BOOST_TEST(tk.password_state("alice")->changed_at == set_at);
        a.clock = set_at + 90 * 86400 - 1;
        BOOST_TEST(tk.login_decision("acme", "alice", {})->decision == Decision::allow);
        a.clock = set_at + 90 * 86400;
        auto d = tk.login_decision("acme", "alice", {});
        BOOST_TEST(d->decision == Decision::must_change_password);
        BOOST_TEST(d->password_change == PasswordChange::max_age);
        // With a second factor, it is asked first: the change comes after it.
        a.enroll("alice");
        BOOST_TEST(tk.login_decision("acme", "alice", {})->decision == Decision::must_verify);
        UserSecurityState verified;
        verified.second_factor_verified = true;
        BOOST_TEST(tk.login_decision("acme", "alice", verified)->decision == Decision::must_change_password);
        BOOST_REQUIRE(tk.password_changed("alice", a.ctx).ok());
        BOOST_TEST(tk.login_decision("acme", "alice", verified)->decision == Decision::allow);

        // A reset or a compromise forces a change whatever the age, until the next change.
        BOOST_REQUIRE(tk.password_require_change("alice", PasswordChange::compromised, a.op).ok());
        d = tk.login_decision("acme", "alice", verified);
        BOOST_TEST(d->decision == Decision::must_change_password);
        BOOST_TEST(d->password_change == PasswordChange::compromised);
        BOOST_TEST(tk.login_decision("globex", "alice", verified)->decision == Decision::must_change_password);
        BOOST_REQUIRE(tk.password_changed("alice", a.ctx).ok());
        BOOST_REQUIRE(tk.password_require_change("bob", PasswordChange::reset, a.op).ok());
        BOOST_TEST(tk.login_decision("globex", "bob", {})->password_change == PasswordChange::reset);
        BOOST_TEST(tk.password_require_change("bob", PasswordChange::max_age, a.op).code() == Errc::invalid_argument);
        BOOST_TEST(tk.password_require_change("bob", PasswordChange::none, a.op).code() == Errc::invalid_argument);
        // Locked, outside the allow list: deny comes first.
        UserSecurityState locked = verified;
        locked.locked = true;
        BOOST_TEST(tk.login_decision("globex", "bob", locked)->decision == Decision::deny);
        AuditQuery pw_events;
        pw_events.type = "password.*";
        BOOST_TEST(a.types(pw_events).size() == 5u);

        // Bad policy values are refused and change nothing.
        for (const char* bad : {R"({"password_min_classes":5})", R"({"password_max_age":-1})", R"({"password_max_age":3600})",
                                R"({"token_max_lifetime":"1"})", R"({"password_min_classes":-1})"})
            BOOST_TEST_CONTEXT(bad) { BOOST_TEST(policy_from_json(bad).code() == Errc::policy_invalid); }
        BOOST_TEST(tk.policy("acme")->password_min_classes == 3u);
    });
}


// The role table and its check (account.hpp): owners do everything, admins all but the policy and
// the roles, and never to an owner; members nothing; every refusal audited in the organization.
BOOST_AUTO_TEST_CASE(role_permissions_and_authorize) {
    BOOST_TEST(role_permissions(Role::owner).size() == kPermissions.size());
    BOOST_TEST(role_permissions(Role::member).empty());
    BOOST_TEST(!role_allows(Role::admin, Permission::policy_change));
    BOOST_TEST(!role_allows(Role::admin, Permission::roles_change));
    BOOST_TEST(role_allows(Role::admin, Permission::members_manage));
    BOOST_TEST(role_allows(Role::admin, Permission::audit_read));
    for (auto p : kPermissions) BOOST_TEST((permission_from_string(to_string(p)) == p));
    BOOST_TEST(!permission_from_string("policy.write"));
    each_store("authorize", [](Admin& a) {
        Toolkit& tk = *a.tk;
        BOOST_REQUIRE(tk.set_membership("olivia", "acme", Role::owner, a.op).ok());
        BOOST_REQUIRE(tk.set_membership("adam", "acme", Role::admin, a.op).ok());
        BOOST_REQUIRE(tk.set_membership("mia", "acme", Role::member, a.op).ok());
        BOOST_REQUIRE(tk.set_membership("eve", "other", Role::owner, a.op).ok());
        const RequestContext web{"", "203.0.113.9", "acme"};
        BOOST_TEST(tk.authorize("olivia", "acme", Permission::policy_change, "", web).ok());
        BOOST_TEST(tk.authorize("adam", "acme", Permission::audit_read, "", web).ok());
        BOOST_TEST(tk.authorize("adam", "acme", Permission::members_manage, "mia", web).ok());
        // A member refused an admin action, an admin refused the owner's, and neither acts on a higher role.
        auto st = tk.authorize("mia", "acme", Permission::members_manage, "adam", web);
        BOOST_TEST(st.code() == Errc::permission_denied);
        BOOST_TEST(st.error().detail.find("member does not have members.manage") != std::string::npos);
        BOOST_TEST(tk.authorize("adam", "acme", Permission::policy_change, "", web).code() == Errc::permission_denied);
        BOOST_TEST(tk.authorize("adam", "acme", Permission::members_manage, "olivia", web).code() == Errc::permission_denied);
        // Another organization's owner has no right in this one, nor on its members.
        BOOST_TEST(tk.authorize("eve", "acme", Permission::audit_read, "", web).code() == Errc::permission_denied);
        BOOST_TEST(tk.authorize("olivia", "acme", Permission::members_manage, "eve", web).code() == Errc::permission_denied);
        // Five refusals, each in acme's trail with the actor and the permission.
        AuditQuery q;
        q.org = "acme";
        q.type = "permission.denied";
        auto page = tk.audit_query(q);
        BOOST_REQUIRE(page.ok());
        BOOST_REQUIRE(page->events.size() == 5u);
        BOOST_TEST(page->events.back().actor == "mia");
        BOOST_TEST(page->events.back().subject == "adam");
        BOOST_TEST(page->events.back().source_ip == "203.0.113.9");
        BOOST_TEST(page->events.back().detail.find("members.manage") == 0u);
        // A deleted account has no rights.
        BOOST_REQUIRE(tk.delete_account("adam", 0, a.op).ok());
        BOOST_TEST(tk.authorize("adam", "acme", Permission::audit_read, "", web).code() == Errc::account_deleted);
    });
}

// What a security page shows, from the toolkit: the factor state and the stored policy.
BOOST_AUTO_TEST_CASE(factor_state_and_policy_getter) {
    each_store("factors", [](Admin& a) {
        Toolkit& tk = *a.tk;
        auto f = tk.factor_state("bob");
        BOOST_REQUIRE(f.ok());
        BOOST_TEST(!f->totp);
        BOOST_TEST(f->enrolled.empty());
        BOOST_REQUIRE(tk.totp_begin("bob", "", a.ctx).ok());
        BOOST_TEST(tk.factor_state("bob")->totp_pending);
        BOOST_TEST(!tk.factor_state("bob")->totp);
        a.enroll("carol");
        BOOST_REQUIRE(tk.recovery_generate("carol", a.ctx).ok());
        f = tk.factor_state("carol");
        BOOST_REQUIRE(f.ok());
        BOOST_TEST(f->totp);
        BOOST_TEST(f->totp_since == a.clock);
        BOOST_TEST(f->hwtoken.empty());
        BOOST_TEST(f->recovery_codes_left == 10u);
        BOOST_TEST(f->security_keys == 0u);
        BOOST_TEST((f->enrolled == std::vector<FactorType>{FactorType::totp}));
        // The policy as set, and the default for an organization without one.
        BOOST_TEST((tk.policy("nobody")->require == OrgPolicy::Requirement::optional));
        OrgPolicy p;
        p.require = OrgPolicy::Requirement::everyone;
        p.grace_period = 3 * 86400;
        p.allowed = {FactorType::webauthn};
        p.password_min_classes = 3;
        BOOST_REQUIRE(tk.set_policy("acme", p, a.op).ok());
        auto back = tk.policy("acme");
        BOOST_REQUIRE(back.ok());
        BOOST_TEST(policy_to_json(*back) == policy_to_json(p));
    });
}

BOOST_AUTO_TEST_SUITE_END()

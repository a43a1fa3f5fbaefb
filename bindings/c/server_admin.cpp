// The C ABI of the server toolkit's administration (mfa_server.h, its "Administration" section):
// the audit trail's queries, export and application events, organization membership, account
// deletion and purge, an organization's API tokens, password renewal.
#include "mfa/server/admin_json.hpp"
#include "server_handle.hpp"

namespace mfa::abi {
namespace {

// The caller's query (NULL: the defaults) as the core's.
int read_query(const mfa_server_audit_filter_t* in, server::AuditQuery& q) {
    if (in == nullptr) return MFA_OK;
    mfa_server_audit_filter_t c{};
    if (int rc = mfa_server_audit_filter_init(&c); rc != MFA_OK) return rc;
    if (auto rs = read_sized(in, c, sizeof c, "query"); !rs) return fail(rs.error());
    MFA_IN_OPT(org, c.org, "query.org");
    MFA_IN_OPT(subject, c.subject, "query.subject");
    MFA_IN_OPT(actor, c.actor, "query.actor");
    MFA_IN_OPT(type, c.type, "query.type");
    MFA_IN_OPT(cursor, c.cursor, "query.cursor");
    q.org = std::string(org);
    q.subject = std::string(subject);
    q.actor = std::string(actor);
    q.type = std::string(type);
    q.cursor = std::string(cursor);
    q.since = c.since;
    q.until = c.until;
    q.limit = c.limit;
    return MFA_OK;
}

}  // namespace
}  // namespace mfa::abi

using namespace mfa;
using namespace mfa::abi;

extern "C" {

int mfa_server_audit_filter_init(mfa_server_audit_filter_t* q) {
    if (q == nullptr) return fail(Errc::invalid_argument, "query is NULL");
    *q = mfa_server_audit_filter_t{};
    q->struct_size = sizeof *q;
    q->limit = server::AuditQuery{}.limit;
    return MFA_OK;
}

int mfa_server_audit_query(mfa_server_t* s, char** out_json, const mfa_server_audit_filter_t* query) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        server::AuditQuery q;
        if (int rc = read_query(query, q); rc != MFA_OK) return rc;
        auto page = s->tk->audit_query(q);
        if (!page) return fail(page.error());
        return put_alloc(out_json, server::audit_page_json(*page));
    });
}

int mfa_server_audit_export(mfa_server_t* s, char** out_jsonl, const mfa_server_audit_filter_t* query) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_jsonl, "out_jsonl"); rc != MFA_OK) return rc;
        server::AuditQuery q;
        if (int rc = read_query(query, q); rc != MFA_OK) return rc;
        std::string text;
        auto st = s->tk->audit().export_lines(q, [&](std::string_view line) -> Status {
            text.append(line);
            text.push_back('\n');
            return {};
        });
        if (!st) return fail(st.error());
        return put_alloc(out_jsonl, text);
    });
}

int mfa_server_audit_append(mfa_server_t* s, uint64_t* seq, const char* actor, const char* subject, const char* type,
                            const char* detail, const char* ip, const char* org) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(a, actor, "actor");
        MFA_IN_OPT(sub, subject, "subject");
        MFA_IN(t, type, "type");
        MFA_IN_OPT(d, detail, "detail");
        MFA_IN_OPT(i, ip, "source_ip");
        MFA_IN_OPT(o, org, "org");
        auto n = s->tk->audit_append(a, sub, t, d, i, o);
        if (!n) return fail(n.error());
        if (seq != nullptr) *seq = *n;
        return MFA_OK;
    });
}

int mfa_server_audit_reindex(mfa_server_t* s, size_t* added) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        auto n = s->tk->audit().reindex();
        if (!n) return fail(n.error());
        if (added != nullptr) *added = *n;
        return MFA_OK;
    });
}

int mfa_server_membership_set(mfa_server_t* s, const char* user, const char* org, const char* role, const char* actor,
                              const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(o, org, "org");
        MFA_IN_OPT(r, role, "role");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto parsed = server::role_from_string(r.empty() ? std::string_view("member") : r);
        if (!parsed) return fail(Errc::invalid_argument, "role must be owner, admin or member");
        auto st = s->tk->set_membership(u, o, *parsed, ctx(a, i));
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_server_membership_get(mfa_server_t* s, char** out_json, const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        auto m = s->tk->membership(u);
        if (!m) return fail(m.error());
        if (!m->has_value()) return fail(Errc::not_found, "the user is in no organization");
        return put_alloc(out_json, server::membership_json(**m));
    });
}

int mfa_server_membership_remove(mfa_server_t* s, const char* user, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto st = s->tk->remove_membership(u, ctx(a, i));
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_server_org_members(mfa_server_t* s, char** out_json, const char* org) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN(o, org, "org");
        auto l = s->tk->org_members(o);
        if (!l) return fail(l.error());
        return put_alloc(out_json, server::memberships_json(*l));
    });
}

int mfa_server_account_delete(mfa_server_t* s, const char* user, int64_t retention, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto st = s->tk->delete_account(u, retention, ctx(a, i));
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_server_account_restore(mfa_server_t* s, const char* user, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto st = s->tk->restore_account(u, ctx(a, i));
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_server_account_status(mfa_server_t* s, char** out_json, const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        auto st = s->tk->account_status(u);
        if (!st) return fail(st.error());
        return put_alloc(out_json, server::account_status_json(u, *st));
    });
}

int mfa_server_purge(mfa_server_t* s, char** out_json, int64_t now, const char* actor) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN_OPT(a, actor, "actor");
        auto purged = s->tk->purge(now, ctx(a, ""));
        if (!purged) return fail(purged.error());
        return put_alloc(out_json, server::purged_json(*purged));
    });
}

int mfa_server_org_tokens(mfa_server_t* s, char** out_json, const char* org) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN(o, org, "org");
        auto l = s->tk->org_tokens(o);
        if (!l) return fail(l.error());
        return put_alloc(out_json, server::token_infos_json(*l));
    });
}

int mfa_server_token_revoke_id(mfa_server_t* s, const char* id, const char* org, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(d, id, "id");
        MFA_IN_OPT(o, org, "org");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto st = s->tk->revoke_token(d, o, ctx(a, i));
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_server_password_check_org(mfa_server_t* s, const char* org, const char* password, size_t password_len,
                                  const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(o, org, "org");
        MFA_SECRET_IN(p, password, password_len, "password");
        MFA_IN_OPT(u, user, "user");
        auto st = s->tk->password_check(o, p, u);
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_server_password_changed(mfa_server_t* s, const char* user, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto st = s->tk->password_changed(u, ctx(a, i));
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_server_password_require_change(mfa_server_t* s, const char* user, const char* reason, const char* actor,
                                       const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(r, reason, "reason");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        server::PasswordChange why = server::PasswordChange::none;
        if (r == "reset") why = server::PasswordChange::reset;
        else if (r == "compromised") why = server::PasswordChange::compromised;
        else return fail(Errc::invalid_argument, "reason must be reset or compromised");
        auto st = s->tk->password_require_change(u, why, ctx(a, i));
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_server_password_state(mfa_server_t* s, char** out_json, const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        auto st = s->tk->password_state(u);
        if (!st) return fail(st.error());
        return put_alloc(out_json, server::password_state_report_json(u, *st));
    });
}

int mfa_server_policy_get(mfa_server_t* s, char** out_json, const char* org) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN(o, org, "org");
        auto p = s->tk->policy(o);
        if (!p) return fail(p.error());
        return put_alloc(out_json, server::policy_to_json(*p));
    });
}

int mfa_server_factor_state(mfa_server_t* s, char** out_json, const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        auto st = s->tk->factor_state(u);
        if (!st) return fail(st.error());
        return put_alloc(out_json, server::factor_state_json(u, *st));
    });
}

int mfa_server_role_permissions(char** out_json) {
    return guarded([&] {
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        return put_alloc(out_json, server::role_permissions_json());
    });
}

int mfa_server_authorize(mfa_server_t* s, const char* actor, const char* org, const char* permission,
                         const char* target, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(a, actor, "actor");
        MFA_IN(o, org, "org");
        MFA_IN(p, permission, "permission");
        MFA_IN_OPT(t, target, "target");
        MFA_IN_OPT(i, ip, "source_ip");
        auto perm = server::permission_from_string(p);
        if (!perm) return fail(Errc::invalid_argument, "unknown permission '" + std::string(p) + "'");
        auto st = s->tk->authorize(a, o, *perm, t, ctx(a, i));
        return st ? MFA_OK : fail(st.error());
    });
}

}  // extern "C"

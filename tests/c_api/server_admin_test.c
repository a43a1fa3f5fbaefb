/* The server toolkit's administration through the C ABI, on a memory and a SQLite store: audit
 * queries, pages, export and application events, membership, account deletion / restore / purge,
 * an organization's API tokens and password renewal; NULLs, bad names and struct_size handling. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int count(const char *hay, const char *needle) {
    int n = 0;
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) {
        ++n;
        p += strlen(needle);
    }
    return n;
}

static void run(const char *url) {
    mfa_server_store_t *store = NULL;
    mfa_server_t *srv = NULL;
    char *ring = NULL, *json = NULL, *token = NULL;
    char id[16];
    const char *p;
    uint64_t seq = 0;
    size_t added = 99;
    mfa_server_audit_filter_t q;
    const int64_t now = (int64_t)time(NULL);
    struct {
        mfa_server_audit_filter_t f;
        int future_field;
    } bigger;

    fprintf(stderr, "store %s\n", url);
    CHECK_OK(mfa_server_store_open(&store, url));
    CHECK_OK(mfa_server_keyring_generate(&ring));
    CHECK_OK(mfa_server_new(&srv, store, SECRET_STR(ring), NULL));

    /* Membership and application events. */
    CHECK_OK(mfa_server_membership_set(srv, "alice", "acme", "owner", "operator", "192.0.2.1"));
    CHECK_OK(mfa_server_membership_set(srv, "bob", "acme", NULL, "alice", NULL));
    CHECK_RC(mfa_server_membership_set(srv, "bob", "acme", "king", "alice", NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_server_membership_set(srv, NULL, "acme", NULL, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_membership_get(srv, &json, "bob"));
    CHECK(strstr(json, "\"org\":\"acme\"") != NULL && strstr(json, "\"role\":\"member\"") != NULL);
    mfa_free(json);
    CHECK_RC(mfa_server_membership_get(srv, &json, "nobody"), MFA_ERR_NOT_FOUND);
    CHECK_OK(mfa_server_org_members(srv, &json, "acme"));
    CHECK(count(json, "\"user\"") == 2);
    mfa_free(json);
    CHECK_OK(mfa_server_audit_append(srv, &seq, "alice", "bob", "app.role_changed", "member -> admin", NULL, NULL));
    CHECK(seq == 3);
    CHECK_RC(mfa_server_audit_append(srv, &seq, "alice", "bob", "role_changed", NULL, NULL, NULL), MFA_ERR_AUDIT_EVENT_INVALID);
    CHECK_DETAIL("app.");
    CHECK_RC(mfa_server_audit_append(srv, NULL, NULL, "bob", "app.x", NULL, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_audit_append(srv, NULL, "carol", "carol", "app.user_invited", NULL, NULL, "globex"));

    /* Queries: by org, by event prefix, paged. */
    CHECK_RC(mfa_server_audit_filter_init(NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_audit_filter_init(&q));
    CHECK(q.limit == 50 && q.struct_size == sizeof q);
    q.org = "acme";
    CHECK_OK(mfa_server_audit_query(srv, &json, &q));
    CHECK(count(json, "\"seq\"") == 3);
    CHECK(strstr(json, "\"next_cursor\":null") != NULL);
    CHECK(strstr(json, "app.user_invited") == NULL);
    mfa_free(json);
    q.org = NULL;
    q.type = "app.*";
    CHECK_OK(mfa_server_audit_query(srv, &json, &q));
    CHECK(count(json, "\"seq\"") == 2);
    mfa_free(json);
    q.type = NULL;
    q.limit = 1;
    CHECK_OK(mfa_server_audit_query(srv, &json, &q));
    CHECK(count(json, "\"seq\"") == 1 && strstr(json, "\"next_cursor\":\"4\"") != NULL);
    mfa_free(json);
    q.cursor = "4";
    CHECK_OK(mfa_server_audit_query(srv, &json, &q));
    CHECK(strstr(json, "\"seq\":3") != NULL);
    mfa_free(json);
    q.cursor = "x";
    CHECK_RC(mfa_server_audit_query(srv, &json, &q), MFA_ERR_INVALID_ARGUMENT);
    q.cursor = NULL;
    q.limit = 0;
    CHECK_RC(mfa_server_audit_query(srv, &json, &q), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_audit_query(srv, &json, NULL)); /* the defaults */
    CHECK(count(json, "\"seq\"") == 4);
    mfa_free(json);
    CHECK_RC(mfa_server_audit_query(srv, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    /* struct_size: below the first layout refused; a newer caller's unknown field set: unsupported. */
    CHECK_OK(mfa_server_audit_filter_init(&q));
    q.struct_size = offsetof(mfa_server_audit_filter_t, org);
    CHECK_RC(mfa_server_audit_query(srv, &json, &q), MFA_ERR_INVALID_ARGUMENT);
    memset(&bigger, 0, sizeof bigger);
    CHECK_OK(mfa_server_audit_filter_init(&bigger.f));
    bigger.f.struct_size = sizeof bigger;
    CHECK_OK(mfa_server_audit_query(srv, &json, &bigger.f)); /* zero tail: accepted */
    mfa_free(json);
    bigger.future_field = 1;
    CHECK_RC(mfa_server_audit_query(srv, &json, &bigger.f), MFA_ERR_UNSUPPORTED);
    CHECK_OK(mfa_server_audit_filter_init(&q));
    q.subject = "bob";
    CHECK_OK(mfa_server_audit_export(srv, &json, &q));
    CHECK(count(json, "\n") == 2 && strncmp(json, "{\"actor\":\"alice\"", 16) == 0);
    mfa_free(json);
    CHECK_OK(mfa_server_audit_reindex(srv, &added));
    CHECK(added == 0);

    /* API tokens of the organization, last use, revocation, lifetime policy. */
    CHECK_OK(mfa_server_token_create(srv, &json, "bob", "ci", "repo:read", 0, NULL));
    p = strstr(json, "\"token\":\"");
    CHECK(p != NULL);
    token = strndup(p + 9, (size_t)(strchr(p + 9, '"') - (p + 9)));
    p = strstr(json, "\"id\":\"");
    memcpy(id, p + 6, 8);
    id[8] = '\0';
    mfa_free(json);
    CHECK_OK(mfa_server_token_verify(srv, &json, SECRET_STR(token), "203.0.113.9"));
    mfa_free(json);
    CHECK_OK(mfa_server_org_tokens(srv, &json, "acme"));
    CHECK(strstr(json, "\"last_ip\":\"203.0.113.9\"") != NULL && strstr(json, "\"user\":\"bob\"") != NULL);
    mfa_free(json);
    CHECK_RC(mfa_server_token_revoke_id(srv, id, "globex", "carol", NULL), MFA_ERR_TOKEN_INVALID);
    CHECK_OK(mfa_server_set_policy(srv, "acme", "{\"token_max_lifetime\":86400}", "operator", NULL));
    CHECK_RC(mfa_server_token_create(srv, &json, "bob", "forever", NULL, 0, NULL), MFA_ERR_TOKEN_LIFETIME);
    CHECK_OK(mfa_server_token_create(srv, &json, "bob", "day", NULL, now + 3600, NULL));
    mfa_free(json);
    CHECK_OK(mfa_server_token_revoke_id(srv, id, "acme", "alice", NULL));
    CHECK_RC(mfa_server_token_verify(srv, &json, SECRET_STR(token), NULL), MFA_ERR_TOKEN_INVALID);

    /* Password renewal. */
    CHECK_OK(mfa_server_set_policy(srv, "acme", "{\"password_min_classes\":3,\"password_max_age\":7776000}", "operator", NULL));
    CHECK_RC(mfa_server_password_check_org(srv, "acme", SECRET("qzvbxlmpwtrk"), "alice"), MFA_ERR_PASSWORD_POLICY);
    CHECK_DETAIL("character classes");
    CHECK_OK(mfa_server_password_check_org(srv, "acme", SECRET("Qz7!vbx-Lm2p"), "alice"));
    CHECK_OK(mfa_server_password_changed(srv, "alice", NULL, NULL));
    CHECK_OK(mfa_server_password_require_change(srv, "alice", "reset", "operator", NULL));
    CHECK_RC(mfa_server_password_require_change(srv, "alice", "bored", "operator", NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_password_state(srv, &json, "alice"));
    CHECK(strstr(json, "\"must_change\":\"reset\"") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_login_decision(srv, &json, "acme", "alice", NULL));
    CHECK(strstr(json, "\"decision\":\"must_change_password\"") != NULL && strstr(json, "\"password_change\":\"reset\"") != NULL);
    mfa_free(json);

    /* The policy as stored, the factor state, the role table and its check. */
    CHECK_OK(mfa_server_policy_get(srv, &json, "acme"));
    CHECK(strstr(json, "\"password_min_classes\":3") != NULL && strstr(json, "\"password_max_age\":7776000") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_policy_get(srv, &json, "nobody"));
    CHECK(strstr(json, "\"require\":\"optional\"") != NULL);
    mfa_free(json);
    CHECK_RC(mfa_server_policy_get(srv, &json, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_factor_state(srv, &json, "bob"));
    CHECK(strstr(json, "\"totp\":false") != NULL && strstr(json, "\"hwtoken\":null") != NULL &&
          strstr(json, "\"recovery_codes_left\":0") != NULL && strstr(json, "\"enrolled\":[]") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_recovery_generate(srv, &json, "bob", NULL));
    mfa_free(json);
    CHECK_OK(mfa_server_factor_state(srv, &json, "bob"));
    CHECK(strstr(json, "\"recovery_codes_left\":10") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_role_permissions(&json));
    CHECK(strstr(json, "\"member\":[]") != NULL && strstr(json, "\"policy.change\"") != NULL);
    {
        const char *a = strstr(json, "\"admin\":[");
        const char *e = a != NULL ? strchr(a, ']') : NULL;
        char seg[512] = "";
        CHECK(a != NULL && e != NULL && (size_t)(e - a) < sizeof seg);
        if (a != NULL && e != NULL && (size_t)(e - a) < sizeof seg) memcpy(seg, a, (size_t)(e - a));
        CHECK(strstr(seg, "audit.read") != NULL && strstr(seg, "policy.change") == NULL);
    }
    mfa_free(json);
    CHECK_OK(mfa_server_authorize(srv, "alice", "acme", "policy.change", NULL, "192.0.2.7"));
    CHECK_OK(mfa_server_authorize(srv, "alice", "acme", "members.manage", "bob", NULL));
    CHECK_RC(mfa_server_authorize(srv, "bob", "acme", "members.manage", "alice", "192.0.2.7"), MFA_ERR_PERMISSION_DENIED);
    CHECK_DETAIL("member does not have members.manage");
    CHECK_RC(mfa_server_authorize(srv, "bob", "acme", "policy.rewrite", NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_server_authorize(srv, "alice", "globex", "audit.read", NULL, NULL), MFA_ERR_PERMISSION_DENIED);
    CHECK_OK(mfa_server_audit_filter_init(&q));
    q.type = "permission.denied";
    q.org = "acme";
    /* Both refusals concern acme's members: bob's, and alice's in globex (she belongs to acme). */
    CHECK_OK(mfa_server_audit_query(srv, &json, &q));
    CHECK(count(json, "\"seq\"") == 2 && strstr(json, "\"actor\":\"bob\"") != NULL);
    mfa_free(json);
    q.actor = "bob";
    CHECK_OK(mfa_server_audit_query(srv, &json, &q));
    CHECK(count(json, "\"seq\"") == 1 && strstr(json, "members.manage") != NULL);
    mfa_free(json);

    /* Deletion, restore, purge. */
    CHECK_RC(mfa_server_account_delete(srv, "bob", -1, "operator", NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_account_delete(srv, "bob", 3600, "operator", NULL));
    CHECK_RC(mfa_server_account_delete(srv, "bob", 3600, "operator", NULL), MFA_ERR_ACCOUNT_DELETED);
    CHECK_OK(mfa_server_account_status(srv, &json, "bob"));
    CHECK(strstr(json, "\"deleted\":true") != NULL && strstr(json, "\"deleted_by\":\"operator\"") != NULL);
    mfa_free(json);
    CHECK_RC(mfa_server_token_create(srv, &json, "bob", "x", NULL, now + 60, NULL), MFA_ERR_ACCOUNT_DELETED);
    CHECK_OK(mfa_server_account_restore(srv, "bob", "operator", NULL));
    CHECK_RC(mfa_server_account_restore(srv, "bob", "operator", NULL), MFA_ERR_NOT_FOUND);
    CHECK_OK(mfa_server_account_delete(srv, "bob", 3600, "operator", NULL));
    CHECK_OK(mfa_server_purge(srv, &json, now + 60, NULL));
    CHECK_STR(json, "[]");
    mfa_free(json);
    CHECK_OK(mfa_server_purge(srv, &json, now + 3601, "cron"));
    CHECK(strstr(json, "\"user\":\"bob\"") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_org_members(srv, &json, "acme"));
    CHECK(count(json, "\"user\"") == 1);
    mfa_free(json);
    CHECK_OK(mfa_server_audit_filter_init(&q));
    q.type = "account.*";
    CHECK_OK(mfa_server_audit_query(srv, &json, &q));
    CHECK(count(json, "\"seq\"") == 4 && strstr(json, "\"actor\":\"cron\"") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_audit_verify(srv, NULL, NULL, 0, NULL));

    /* An organization keeps an owner: its last one is neither demoted, moved away nor removed. */
    CHECK_OK(mfa_server_membership_set(srv, "olga", "initech", "owner", "operator", NULL));
    CHECK_OK(mfa_server_membership_set(srv, "dan", "initech", "member", "olga", NULL));
    CHECK_OK(mfa_server_membership_set(srv, "olga", "initech", "owner", "olga", NULL));  /* stays owner */
    CHECK_RC(mfa_server_membership_set(srv, "olga", "initech", "admin", "olga", "192.0.2.9"), MFA_ERR_LAST_OWNER);
    CHECK_DETAIL("olga is the last owner of initech");
    CHECK_RC(mfa_server_membership_set(srv, "olga", "acme", "owner", "operator", NULL), MFA_ERR_LAST_OWNER);
    CHECK_RC(mfa_server_membership_remove(srv, "olga", "operator", NULL), MFA_ERR_LAST_OWNER);
    CHECK_RC(mfa_server_account_delete(srv, "olga", 0, "operator", NULL), MFA_ERR_LAST_OWNER);
    CHECK_DETAIL("olga is the last owner of initech");
    CHECK(strstr(mfa_strerror(MFA_ERR_LAST_OWNER), "last owner") != NULL);
    CHECK_OK(mfa_server_membership_get(srv, &json, "olga"));
    CHECK(strstr(json, "\"org\":\"initech\"") != NULL && strstr(json, "\"role\":\"owner\"") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_audit_filter_init(&q));
    q.type = "permission.denied";
    q.org = "initech";
    CHECK_OK(mfa_server_audit_query(srv, &json, &q));
    CHECK(count(json, "\"seq\"") == 4 && count(json, "\"subject\":\"olga\"") == 4);
    CHECK(strstr(json, "make admin refused") != NULL && strstr(json, "move to acme refused") != NULL &&
          strstr(json, "remove refused") != NULL && strstr(json, "delete the account refused") != NULL &&
          strstr(json, "192.0.2.9") != NULL);
    mfa_free(json);
    /* With a second owner, the first may step down and leave; the second is then the last. */
    CHECK_OK(mfa_server_membership_set(srv, "dan", "initech", "owner", "olga", NULL));
    CHECK_OK(mfa_server_membership_set(srv, "olga", "initech", "member", "olga", NULL));
    CHECK_OK(mfa_server_membership_remove(srv, "olga", "dan", NULL));
    CHECK_RC(mfa_server_membership_remove(srv, "dan", "dan", NULL), MFA_ERR_LAST_OWNER);

    free(token);
    mfa_free(ring);
    mfa_server_free(&srv);
    mfa_server_store_free(&store);
}

int main(void) {
    char dir[] = "/tmp/mfa-c-admin-XXXXXX";
    char url[128];
    run("memory:");
    if (mkdtemp(dir) != NULL) {
        snprintf(url, sizeof url, "sqlite:%s/s.db", dir);
        run(url);
        snprintf(url, sizeof url, "%s/s.db", dir);
        unlink(url);
        snprintf(url, sizeof url, "%s/s.db-wal", dir);
        unlink(url);
        snprintf(url, sizeof url, "%s/s.db-shm", dir);
        unlink(url);
        rmdir(dir);
    }
    return check_finish("c_api server_admin");
}

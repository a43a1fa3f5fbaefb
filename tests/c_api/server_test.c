/* The server toolkit through the C ABI: a memory store, TOTP enrollment and verification with the
 * replay guard, recovery codes, passwords, tokens, lock-out, allow lists, policies, the audit chain. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

/* The string value of "key" in a flat JSON object (no escapes in our values), copied to out. */
static int json_str(const char *json, const char *key, char *out, size_t cap) {
    char pat[64];
    const char *p, *e;
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    p = strstr(json, pat);
    if (p == NULL) return 0;
    p += strlen(pat);
    e = strchr(p, '"');
    if (e == NULL || (size_t)(e - p) >= cap) return 0;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return 1;
}

int main(void) {
    mfa_server_store_t *store = NULL;
    mfa_server_t *srv = NULL;
    char *ring = NULL, *json = NULL, *phc = NULL;
    char uri[512], code[16], code2[16], rc1[64], token[128], id[16], head[80];
    size_t len = 0, n = 0;
    uint64_t records = 0;
    mfa_otp_t *otp = NULL;
    mfa_server_verify_result_t vr;
    mfa_server_options_t opts;
    const int64_t now = (int64_t)time(NULL);
    int64_t step = 0;

    memset(&vr, 0, sizeof vr);
    vr.struct_size = sizeof vr;
    CHECK_RC(mfa_server_store_open(&store, "postgresx://x"), MFA_ERR_INVALID_ARGUMENT);
    CHECK(store == NULL);
    CHECK_OK(mfa_server_store_open(&store, "memory:"));
    CHECK_OK(mfa_server_keyring_generate(&ring));
    CHECK(strncmp(ring, "mfa-keyring 2\n", 14) == 0);
    CHECK_RC(mfa_server_options_init(NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_options_init(&opts));
    CHECK(opts.lock_after == 10 && opts.struct_size == sizeof opts);
    CHECK(opts.webauthn_user_verification == MFA_WEBAUTHN_UV_PREFERRED &&
          opts.webauthn_discoverable_user_verification == MFA_WEBAUTHN_UV_REQUIRED);
    /* One struct_size rule for every options struct: below the first layout is refused. */
    opts.struct_size = offsetof(mfa_server_options_t, webauthn_rp_id);
    CHECK_RC(mfa_server_new(&srv, store, SECRET_STR(ring), &opts), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");
    opts.struct_size = sizeof opts;
    opts.lock_after = 101;
    CHECK_RC(mfa_server_new(&srv, store, SECRET_STR(ring), &opts), MFA_ERR_INVALID_ARGUMENT);
    opts.lock_after = 10;
    opts.free_failures = 2;
    CHECK_RC(mfa_server_new(&srv, store, SECRET("nonsense"), &opts), MFA_ERR_KEYRING_INVALID);
    CHECK_OK(mfa_server_new(&srv, store, SECRET_STR(ring), &opts));
    mfa_server_store_free(&store); /* the toolkit keeps its own reference */
    CHECK(store == NULL);

    /* TOTP */
    CHECK_OK(mfa_server_totp_begin(srv, &json, "alice", "alice@example.com", "203.0.113.7"));
    CHECK(json_str(json, "uri", uri, sizeof uri));
    CHECK(strstr(json, "\"qr_svg\":\"<?xml") != NULL);
    mfa_memzero(json, strlen(json));
    mfa_free(json);
    json = NULL;
    CHECK_OK(mfa_otp_from_uri(&otp, uri, NULL));
    CHECK_OK(mfa_otp_time_step(otp, &step, now));
    CHECK_OK(mfa_otp_generate_at(otp, code, sizeof code, &len, (uint64_t)step));
    CHECK_OK(mfa_otp_generate_at(otp, code2, sizeof code2, &len, (uint64_t)step + 1));
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", code, NULL), MFA_ERR_OTP_CODE_MISMATCH); /* not active yet */
    CHECK_OK(mfa_server_unlock(srv, "alice", "test", NULL));
    CHECK_OK(mfa_server_totp_confirm(srv, &vr, "alice", code, "203.0.113.7"));
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", code, NULL), MFA_ERR_OTP_CODE_REPLAYED);
    CHECK(vr.status == MFA_ERR_OTP_CODE_REPLAYED);
    /* A short result struct is refused before the code is checked: the code is not spent. */
    vr.struct_size = sizeof vr - 1;
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", code2, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");
    vr.struct_size = sizeof vr;
    CHECK_OK(mfa_server_totp_verify(srv, &vr, "alice", code2, NULL));
    CHECK_STR(vr.amr, "otp");
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", "1", NULL), MFA_ERR_OTP_CODE_FORMAT);
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", "000000", NULL), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", "000000", NULL), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK(vr.failures == 3);
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", "000000", NULL), MFA_ERR_THROTTLED); /* after 2 free + 1 */
    CHECK(vr.retry_after > 0);
    CHECK_OK(mfa_server_lock_status(srv, &json, "alice"));
    CHECK(strstr(json, "\"second_factor_failures\":3") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_unlock(srv, "alice", "operator", "10.0.0.1"));
    CHECK_RC(mfa_server_totp_verify(srv, NULL, NULL, "1", NULL), MFA_ERR_INVALID_ARGUMENT);

    /* recovery codes */
    CHECK_OK(mfa_server_recovery_generate(srv, &json, "alice", NULL));
    CHECK(json[0] == '[' && json[1] == '"');
    memcpy(rc1, json + 2, 29);
    rc1[29] = '\0';
    mfa_memzero(json, strlen(json));
    mfa_free(json);
    CHECK_OK(mfa_server_recovery_remaining(srv, &n, "alice"));
    CHECK(n == 10);
    CHECK_OK(mfa_server_recovery_use(srv, &vr, "alice", SECRET_STR(rc1), NULL));
    CHECK_RC(mfa_server_recovery_use(srv, &vr, "alice", SECRET_STR(rc1), NULL), MFA_ERR_RECOVERY_CODE_INVALID);

    /* passwords */
    CHECK_RC(mfa_server_password_check(SECRET("short"), NULL), MFA_ERR_PASSWORD_POLICY);
    CHECK_OK(mfa_server_password_check(SECRET("a long unusual passphrase"), "alice"));
    /* Secrets are (pointer, length): none where one is required, or a NULL pointer with a length,
     * is refused before anything is hashed. */
    CHECK_RC(mfa_server_password_hash(&phc, NULL, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("password is NULL");
    CHECK_RC(mfa_server_password_hash(&phc, NULL, 8), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("NULL with a length");
    CHECK(phc == NULL);
    CHECK_OK(mfa_server_password_hash(&phc, SECRET("a long unusual passphrase")));
    CHECK(strncmp(phc, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    CHECK_OK(mfa_server_password_verify(srv, &vr, "alice", SECRET("a long unusual passphrase"), phc, NULL));
    CHECK_STR(vr.amr, "pwd");
    CHECK(vr.needs_rehash == 0);
    CHECK_RC(mfa_server_password_verify(srv, &vr, "alice", SECRET("wrong"), phc, NULL), MFA_ERR_PASSWORD_MISMATCH);
    CHECK_RC(mfa_server_password_verify(srv, &vr, "nobody", SECRET("wrong"), NULL, NULL), MFA_ERR_PASSWORD_MISMATCH);
    mfa_free(phc);

    /* tokens */
    CHECK_OK(mfa_server_token_create(srv, &json, "alice", "ci", "repo:read deploy", 0, NULL));
    CHECK(json_str(json, "token", token, sizeof token));
    CHECK(json_str(json, "id", id, sizeof id));
    mfa_memzero(json, strlen(json));
    mfa_free(json);
    CHECK_OK(mfa_server_token_verify(srv, &json, SECRET_STR(token), NULL));
    CHECK(strstr(json, "\"scopes\":[\"repo:read\",\"deploy\"]") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_token_list(srv, &json, "alice"));
    CHECK(strstr(json, id) != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_token_revoke(srv, "alice", id, NULL, NULL));
    CHECK_RC(mfa_server_token_verify(srv, NULL, SECRET_STR(token), NULL), MFA_ERR_TOKEN_INVALID);
    token[10] = token[10] == 'a' ? 'b' : 'a';
    CHECK_RC(mfa_server_token_verify(srv, NULL, SECRET_STR(token), NULL), MFA_ERR_TOKEN_FORMAT);

    /* allow lists */
    CHECK_OK(mfa_server_allowlist_check_ip("10.0.0.0/8", "::ffff:10.9.8.7"));
    CHECK_RC(mfa_server_allowlist_check_ip("10.0.0.0/8", "11.0.0.1"), MFA_ERR_IP_NOT_ALLOWED);
    CHECK_RC(mfa_server_allowlist_check_ip("10.0.0.1/8", "10.0.0.1"), MFA_ERR_ALLOWLIST_SYNTAX);
    CHECK_OK(mfa_server_allowlist_check_email("*.example.com", "a@eu.example.com"));
    CHECK_RC(mfa_server_allowlist_check_email("*.example.com", "a@evilexample.com"), MFA_ERR_EMAIL_DOMAIN_NOT_ALLOWED);

    /* policy */
    CHECK_OK(mfa_server_set_policy(srv, "acme", "{\"require\":\"everyone\",\"grace_period\":0}", "owner", NULL));
    CHECK_RC(mfa_server_set_policy(srv, "acme", "{\"require\":\"maybe\"}", "owner", NULL), MFA_ERR_POLICY_INVALID);
    /* a member twice is refused, not read last-wins (issue 10, defect 12) */
    CHECK_RC(mfa_server_set_policy(srv, "acme", "{\"require\":\"everyone\",\"require\":\"optional\"}", "owner", NULL),
             MFA_ERR_POLICY_INVALID);
    CHECK_DETAIL("duplicate member \"require\"");
    CHECK_OK(mfa_server_login_decision(srv, &json, "acme", "bob", NULL));
    CHECK(strstr(json, "\"decision\":\"must_enroll\"") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_login_decision(srv, &json, "acme", "alice", "{\"second_factor_verified\":false}"));
    CHECK(strstr(json, "\"decision\":\"must_verify\"") != NULL);
    mfa_free(json);
    CHECK_RC(mfa_server_login_decision(srv, &json, "acme", "alice",
                                       "{\"second_factor_verified\":false,\"second_factor_verified\":true}"),
             MFA_ERR_PARSE);
    CHECK_DETAIL("state_json: duplicate member");

    /* audit and rewrap */
    CHECK_OK(mfa_server_audit_verify(srv, &records, head, sizeof head, &len));
    CHECK(records >= 8);
    CHECK(len == 64);
    {
        /* Against a head recorded elsewhere: this one holds, a different hash or a longer log does not. */
        char anchor[96];
        snprintf(anchor, sizeof anchor, "%llu:%s", (unsigned long long)records, head);
        CHECK_OK(mfa_server_audit_verify_expect(srv, anchor, &records, NULL, 0, NULL));
        anchor[strlen(anchor) - 1] = anchor[strlen(anchor) - 1] == '0' ? '1' : '0';
        CHECK_RC(mfa_server_audit_verify_expect(srv, anchor, NULL, NULL, 0, NULL), MFA_ERR_AUDIT_HEAD_MISMATCH);
        snprintf(anchor, sizeof anchor, "%llu:%s", (unsigned long long)records + 100, head);
        CHECK_RC(mfa_server_audit_verify_expect(srv, anchor, NULL, NULL, 0, NULL), MFA_ERR_AUDIT_HEAD_MISMATCH);
        CHECK_RC(mfa_server_audit_verify_expect(srv, "12", NULL, NULL, 0, NULL), MFA_ERR_INVALID_ARGUMENT);
        CHECK_RC(mfa_server_audit_verify_expect(srv, NULL, NULL, NULL, 0, NULL), MFA_ERR_INVALID_ARGUMENT);
    }
    CHECK_OK(mfa_server_rewrap(srv, &n));
    CHECK(n == 0);
    CHECK_OK(mfa_server_totp_remove(srv, "alice", "alice", NULL));

    /* security keys: off unless the options name a relying party */
    CHECK_RC(mfa_server_webauthn_login_begin(srv, &json, "alice", NULL), MFA_ERR_INVALID_ARGUMENT);
    {
        mfa_server_t *wsrv = NULL;
        mfa_server_store_t *wstore = NULL;
        CHECK_OK(mfa_server_store_open(&wstore, "memory:"));
        opts.webauthn_rp_id = "example.com";
        opts.webauthn_origins = "https://example.com  https://login.example.com";
        opts.webauthn_user_verification = 3;
        CHECK_RC(mfa_server_new(&wsrv, wstore, SECRET_STR(ring), &opts), MFA_ERR_INVALID_ARGUMENT);
        opts.webauthn_user_verification = MFA_WEBAUTHN_UV_REQUIRED;
        opts.webauthn_challenge_ttl = 10;
        CHECK_RC(mfa_server_new(&wsrv, wstore, SECRET_STR(ring), &opts), MFA_ERR_INVALID_ARGUMENT);
        opts.webauthn_challenge_ttl = 120;
        CHECK_OK(mfa_server_new(&wsrv, wstore, SECRET_STR(ring), &opts));
        mfa_server_store_free(&wstore);
        CHECK_OK(mfa_server_webauthn_register_begin(wsrv, &json, "alice", "Alice", MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED, NULL));
        CHECK(strstr(json, "\"options\":{") != NULL);
        CHECK(strstr(json, "\"challenge\":\"") != NULL);
        CHECK(strstr(json, "\"userVerification\":\"required\"") != NULL);
        CHECK(strstr(json, "\"expires_at\":") != NULL);
        mfa_free(json);
        CHECK_RC(mfa_server_webauthn_login_begin(wsrv, &json, "alice", NULL), MFA_ERR_FACTOR_NOT_ENROLLED);
        CHECK_OK(mfa_server_webauthn_list(wsrv, &json, "alice"));
        CHECK_STR(json, "[]");
        mfa_free(json);
        CHECK_RC(mfa_server_webauthn_remove(wsrv, "alice", "AAAA", "admin", NULL), MFA_ERR_FACTOR_NOT_ENROLLED);
        CHECK_RC(mfa_server_webauthn_login_finish(wsrv, &vr, "alice", "{", NULL), MFA_ERR_WEBAUTHN_JSON);
        CHECK(vr.status == MFA_ERR_WEBAUTHN_JSON);
        CHECK(vr.failures == 1);
        CHECK_RC(mfa_server_webauthn_register_finish(wsrv, &json, "alice", "{}", "key", NULL), MFA_ERR_WEBAUTHN_JSON);
        mfa_server_free(&wsrv);
    }

    mfa_otp_free(&otp);
    mfa_server_free(&srv);
    mfa_server_free(&srv);
    CHECK(srv == NULL);
    mfa_free(ring);
    return check_finish("c_api server");
}

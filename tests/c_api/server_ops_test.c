/* The operations of mfa_server.h through the C ABI: a backup of a SQLite store (create, list,
 * verify, restore, prune, the refusal of a Redis URL), one key maintenance run, and a hardware token
 * imported from RFC 6030 Figure 6 (pre-shared key), assigned, verified with mfa_server_totp_verify,
 * resynchronised and retired, with NULL arguments and bad input. argv[1]: tests/vectors/pskc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    char dir[] = "/tmp/mfa-c-ops-XXXXXX";
    char url[256], backups[256], ring_path[256], restored[256], path[512], name[128];
    const uint8_t rfc_key[16] = {0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56,
                                 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12};
    const uint8_t zero_key[16] = {0};
    mfa_server_store_t *store = NULL;
    mfa_server_t *srv = NULL;
    mfa_server_verify_result_t vr;
    char *json = NULL, *ring = NULL, *xml = NULL, *p, *e;
    size_t xml_len = 0;
    FILE *f;

    if (argc < 2 || mkdtemp(dir) == NULL) return 2;
    snprintf(url, sizeof url, "sqlite:%s/mfa.db", dir);
    snprintf(backups, sizeof backups, "%s/backups", dir);
    snprintf(ring_path, sizeof ring_path, "%s/ring", dir);
    snprintf(restored, sizeof restored, "%s/restored.db", dir);
    memset(&vr, 0, sizeof vr);
    vr.struct_size = sizeof vr;

    CHECK_OK(mfa_server_store_open(&store, url));
    CHECK_OK(mfa_server_keyring_generate(&ring));
    CHECK_OK(mfa_server_new(&srv, store, SECRET_STR(ring), NULL));

    /* Hardware token from RFC 6030 Figure 6 */
    snprintf(path, sizeof path, "%s/rfc6030-figure6.pskc", argv[1]);
    xml = check_read_file(path, &xml_len);
    CHECK(xml != NULL);
    CHECK_OK(mfa_server_membership_set(srv, "alice", "acme", "owner", "ops", NULL));
    CHECK_OK(mfa_server_membership_set(srv, "bob", "acme", NULL, "ops", NULL));
    CHECK_OK(mfa_server_membership_set(srv, "gus", "globex", "owner", "ops", NULL));
    CHECK_RC(mfa_server_otp_tokens_import(srv, &json, "acme", xml, xml_len, NULL, 0, NULL, 0, NULL, NULL), MFA_ERR_PSKC_INVALID);
    CHECK_RC(mfa_server_otp_tokens_import(srv, &json, "acme", xml, xml_len, zero_key, 16, NULL, 0, NULL, NULL) < 0, 1);
    CHECK(json == NULL);
    CHECK_RC(mfa_server_otp_tokens_import(srv, &json, "acme", NULL, 5, NULL, 0, NULL, 0, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_server_otp_tokens_import(NULL, &json, "acme", xml, xml_len, rfc_key, 16, NULL, 0, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    /* Tokens join an organization's inventory: the organization is required. */
    CHECK_RC(mfa_server_otp_tokens_import(srv, &json, NULL, xml, xml_len, rfc_key, 16, NULL, 0, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("org");
    CHECK_OK(mfa_server_otp_tokens_import(srv, &json, "acme", xml, xml_len, rfc_key, 16, NULL, 0, "ops", NULL));
    CHECK(json != NULL && strstr(json, "\"serial\":\"987654321\"") != NULL && strstr(json, "\"org\":\"acme\"") != NULL);
    mfa_free(json);
    json = NULL;
    CHECK_RC(mfa_server_otp_tokens_import(srv, &json, "globex", xml, xml_len, rfc_key, 16, NULL, 0, "ops", NULL),
             MFA_ERR_HWTOKEN_EXISTS);
    CHECK_OK(mfa_server_otp_tokens_list(srv, &json, "acme"));
    CHECK(strstr(json, "\"state\":\"unassigned\"") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_server_otp_tokens_list(srv, &json, "globex"));
    CHECK_STR(json, "[]");
    mfa_free(json);
    CHECK_OK(mfa_server_otp_tokens_list(srv, &json, NULL)); /* an operator's view: every token */
    CHECK(strstr(json, "987654321") != NULL);
    mfa_free(json);
    json = NULL;
    CHECK_RC(mfa_server_otp_tokens_assign(srv, "acme", "000", "alice", NULL, NULL), MFA_ERR_NOT_FOUND);
    CHECK_RC(mfa_server_otp_tokens_assign(srv, "acme", NULL, "alice", NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    /* Cross-organization: globex does not see acme's token, and acme's token is not for gus. */
    CHECK_RC(mfa_server_otp_tokens_assign(srv, "globex", "987654321", "gus", "gus", NULL), MFA_ERR_NOT_FOUND);
    CHECK_DETAIL("in globex");
    CHECK_RC(mfa_server_otp_tokens_assign(srv, "acme", "987654321", "gus", "alice", NULL), MFA_ERR_HWTOKEN_ORG);
    CHECK_DETAIL("gus is not a member of it");
    CHECK(strstr(mfa_strerror(MFA_ERR_HWTOKEN_ORG), "another organization") != NULL);
    CHECK_OK(mfa_server_otp_tokens_assign(srv, "acme", "987654321", "alice", "ops", NULL));
    CHECK_RC(mfa_server_otp_tokens_assign(srv, "acme", "987654321", "bob", "ops", NULL), MFA_ERR_HWTOKEN_STATE);
    CHECK_OK(mfa_server_totp_verify(srv, &vr, "alice", "84755224", NULL)); /* RFC 4226 counter 0, 8 digits */
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", "84755224", NULL), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_OK(mfa_server_otp_tokens_resync(srv, &vr, "alice", "18287922", "82162583", NULL)); /* counters 6, 7 */
    CHECK(vr.status == MFA_OK);
    CHECK_OK(mfa_server_totp_verify(srv, &vr, "alice", "73399871", NULL)); /* counter 8 */
    CHECK_RC(mfa_server_otp_tokens_resync(srv, &vr, "alice", "18287922", "82162583", NULL), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_RC(mfa_server_otp_tokens_unassign(srv, "globex", "987654321", "gus", NULL), MFA_ERR_NOT_FOUND);
    CHECK_RC(mfa_server_otp_tokens_retire(srv, "globex", "987654321", "gus", NULL), MFA_ERR_NOT_FOUND);
    CHECK_RC(mfa_server_otp_tokens_adopt(srv, "987654321", "globex", "ops", NULL), MFA_ERR_HWTOKEN_ORG);
    CHECK_RC(mfa_server_otp_tokens_adopt(srv, "987654321", NULL, "ops", NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_otp_tokens_retire(srv, "acme", "987654321", "ops", NULL));
    CHECK_RC(mfa_server_otp_tokens_unassign(srv, "acme", "987654321", "ops", NULL), MFA_ERR_HWTOKEN_STATE);
    /* alice has no factor any more: her 8-digit codes are checked against the 6-digit dummy */
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", "45520489", NULL), MFA_ERR_OTP_CODE_FORMAT);

    /* Backups */
    CHECK_RC(mfa_server_backup_create(&json, "redis://127.0.0.1:6379/0", backups, 30), MFA_ERR_UNSUPPORTED);
    CHECK_DETAIL("BGSAVE");
    CHECK_RC(mfa_server_backup_create(NULL, url, backups, 30), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_server_backup_create(&json, url, backups, 40000), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_backup_create(&json, url, backups, 0));
    p = json ? strstr(json, "\"name\":\"") : NULL;
    CHECK(p != NULL);
    if (p != NULL) {
        p += 8;
        e = strchr(p, '"');
        snprintf(name, sizeof name, "%.*s", (int)(e - p), p);
    }
    mfa_free(json);
    json = NULL;
    snprintf(path, sizeof path, "%s/%s", backups, name);
    CHECK_OK(mfa_server_backup_list(&json, backups));
    CHECK(strstr(json, name) != NULL);
    mfa_free(json);
    json = NULL;
    CHECK_OK(mfa_server_backup_verify(&json, path));
    CHECK(strstr(json, "\"key_ids\":[]") != NULL); /* the retired token's seed is gone: no secret left */
    CHECK(strstr(json, "\"audit_records\":") != NULL);
    mfa_free(json);
    json = NULL;
    CHECK_RC(mfa_server_backup_verify(&json, ring_path), MFA_ERR_IO);
    CHECK_OK(mfa_server_backup_restore(path, restored, 0));
    CHECK_RC(mfa_server_backup_restore(path, restored, 0), MFA_ERR_BACKUP_TARGET_EXISTS);
    CHECK_OK(mfa_server_backup_restore(path, restored, 1));
    CHECK_OK(mfa_server_backup_prune(&json, backups, 30));
    CHECK_STR(json, "[]");
    mfa_free(json);
    json = NULL;

    /* Key maintenance: a fresh ring, nothing to rotate; idempotent */
    f = fopen(ring_path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(ring, f);
        fclose(f);
    }
    CHECK_OK(mfa_server_keyring_maintain(&json, store, ring_path, 90, 100, 3600, backups, 30));
    CHECK(strstr(json, "\"rotated\":false") != NULL && strstr(json, "\"current\":1") != NULL);
    mfa_free(json);
    json = NULL;
    CHECK_RC(mfa_server_keyring_maintain(&json, NULL, ring_path, 90, 100, 3600, NULL, 30), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_server_keyring_maintain(&json, store, ring_path, 90, 200000, 3600, NULL, 30), MFA_ERR_INVALID_ARGUMENT);
    /* The rotation age in seconds: the key (made at the first run above) is replaced once it is 1 s old. */
    {
        mfa_server_key_maintenance_t kp;
        CHECK_OK(mfa_server_key_maintenance_init(&kp));
        CHECK(kp.max_age == 90 * 86400 && kp.batch == 1000 && kp.rewrap_delay == 3600 && kp.backup_retention_days == 30);
        kp.max_age = 0;
        CHECK_RC(mfa_server_keyring_maintain_policy(&json, store, ring_path, &kp), MFA_ERR_INVALID_ARGUMENT);
        CHECK_DETAIL("max_age");
        kp.max_age = 1;
        sleep(2);
        CHECK_OK(mfa_server_keyring_maintain_policy(&json, store, ring_path, &kp));
        CHECK(strstr(json, "\"rotated\":true") != NULL && strstr(json, "\"current\":2") != NULL);
        mfa_free(json);
        CHECK_OK(mfa_server_keyring_maintain_policy(&json, store, ring_path, NULL));
        CHECK(strstr(json, "\"rotated\":false") != NULL && strstr(json, "\"current\":2") != NULL);
        mfa_free(json);
    }

    free(xml);
    mfa_server_free(&srv);
    mfa_server_store_free(&store);
    mfa_free(ring);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    if (system(path) != 0) return 2;
    return check_finish("c_api server_ops");
}

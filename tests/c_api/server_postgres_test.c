/* The server toolkit through the C ABI on a PostgreSQL store (a throwaway cluster started by
 * tests/with_postgres): two handles on one database share the replay guard and the recovery codes;
 * password authentication through the URL; store options in the URL; no error repeats a password.
 * Exit 77 (skip) when no cluster is given or libmfa was built without PostgreSQL. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

int main(void) {
    const char *url = getenv("MFA_TEST_POSTGRES_URL");
    const char *pw_url = getenv("MFA_TEST_POSTGRES_PASSWORD_URL");
    const char *wrong_url = getenv("MFA_TEST_POSTGRES_WRONG_PASSWORD_URL");
    mfa_server_store_t *store = NULL, *other_store = NULL;
    mfa_server_t *srv = NULL, *other = NULL;
    mfa_server_options_t opts;
    mfa_server_verify_result_t vr;
    mfa_otp_t *otp = NULL;
    char *ring = NULL, *json = NULL, *p = NULL;
    char uri[512], code[16], code2[16], rc1[64], url2[1024];
    size_t len = 0;
    int64_t step = 0;
    const int64_t now = (int64_t)time(NULL);
    int rc;

    if (url == NULL || pw_url == NULL || wrong_url == NULL) {
        printf("skipped: no PostgreSQL cluster (run through tests/with_postgres)\n");
        return 77;
    }
    rc = mfa_server_store_open(&store, url);
    if (rc == MFA_ERR_UNSUPPORTED) {
        printf("skipped: %s\n", mfa_last_error_message());
        return 77;
    }
    CHECK_RC(rc, MFA_OK);
    /* The store's own URL parameters, and the errors for bad ones. */
    snprintf(url2, sizeof url2, "%s&pool_size=2&lock_timeout_ms=2000", url);
    CHECK_OK(mfa_server_store_open(&other_store, url2));
    snprintf(url2, sizeof url2, "%s&pool_size=0", url);
    {
        mfa_server_store_t *bad = NULL;
        CHECK_RC(mfa_server_store_open(&bad, url2), MFA_ERR_INVALID_ARGUMENT);
        CHECK(strstr(mfa_last_error_message(), "pool_size") != NULL);
        CHECK(bad == NULL);
        /* Password authentication: the right password opens, a wrong one is unavailable, unquoted. */
        CHECK_OK(mfa_server_store_open(&bad, pw_url));
        mfa_server_store_free(&bad);
        CHECK_RC(mfa_server_store_open(&bad, wrong_url), MFA_ERR_STORE_UNAVAILABLE);
        CHECK(strstr(mfa_last_error_message(), "password authentication failed") != NULL);
        CHECK(strstr(mfa_last_error_message(), "Wr0ngPa55") == NULL);
        CHECK(bad == NULL);
    }

    memset(&vr, 0, sizeof vr);
    vr.struct_size = sizeof vr;
    CHECK_OK(mfa_server_keyring_generate(&ring));
    mfa_server_options_init(&opts);
    CHECK_OK(mfa_server_new(&srv, store, SECRET_STR(ring), &opts));
    CHECK_OK(mfa_server_new(&other, other_store, SECRET_STR(ring), &opts)); /* a second server, its own pool */
    mfa_server_store_free(&store);
    mfa_server_store_free(&other_store);

    CHECK_OK(mfa_server_totp_begin(srv, &json, "carol", "carol@example.com", NULL));
    p = strstr(json, "\"uri\":\"");
    CHECK(p != NULL);
    if (p != NULL) {
        p += 7;
        len = (size_t)(strchr(p, '"') - p);
        CHECK(len < sizeof uri);
        memcpy(uri, p, len);
        uri[len] = '\0';
    }
    mfa_memzero(json, strlen(json));
    mfa_free(json);
    CHECK_OK(mfa_otp_from_uri(&otp, uri, NULL));
    CHECK_OK(mfa_otp_time_step(otp, &step, now));
    CHECK_OK(mfa_otp_generate_at(otp, code, sizeof code, &len, (uint64_t)step));
    CHECK_OK(mfa_otp_generate_at(otp, code2, sizeof code2, &len, (uint64_t)step + 1));
    CHECK_OK(mfa_server_totp_confirm(srv, &vr, "carol", code, NULL));
    /* The other server sees the accepted step: the same code is a replay there too. */
    CHECK_RC(mfa_server_totp_verify(other, &vr, "carol", code, NULL), MFA_ERR_OTP_CODE_REPLAYED);
    CHECK_OK(mfa_server_totp_verify(other, &vr, "carol", code2, NULL));
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "carol", code2, NULL), MFA_ERR_OTP_CODE_REPLAYED);
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "carol", "000000", NULL), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_OK(mfa_server_lock_status(other, &json, "carol"));
    CHECK(strstr(json, "\"second_factor_failures\":2") != NULL); /* the replay and the mismatch */
    mfa_free(json);

    /* A recovery code is spent once, whichever server sees it. */
    CHECK_OK(mfa_server_recovery_generate(srv, &json, "carol", NULL));
    memcpy(rc1, json + 2, 29);
    rc1[29] = '\0';
    mfa_memzero(json, strlen(json));
    mfa_free(json);
    CHECK_OK(mfa_server_recovery_use(other, &vr, "carol", SECRET_STR(rc1), NULL));
    CHECK_RC(mfa_server_recovery_use(srv, &vr, "carol", SECRET_STR(rc1), NULL), MFA_ERR_RECOVERY_CODE_INVALID);

    mfa_otp_free(&otp);
    mfa_server_free(&srv);
    mfa_server_free(&other);
    mfa_free(ring);
    return check_finish("c_api server_postgres");
}

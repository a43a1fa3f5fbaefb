/* The C ABI's error contract: NULL arguments, caller buffers that are too small (and the size they
 * report), malformed URIs whose detail names the field, versioned structs, mfa_strerror totality,
 * the thread-local last error, and ownership (free is NULL-safe and nulls the pointer). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static const char kUri[] =
    "otpauth://totp/Example:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8";

static void test_null_arguments(void) {
    mfa_otp_t *otp = NULL;
    mfa_otp_params_t p;
    char buf[64];
    size_t len = 0;
    CHECK_RC(mfa_otp_params_init(NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_otp_new(NULL, NULL, (const uint8_t *)"x", 1, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("otp");
    CHECK_RC(mfa_otp_new(&otp, NULL, NULL, 20, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("secret");
    CHECK(otp == NULL);
    CHECK_RC(mfa_otp_from_uri(&otp, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("uri");
    CHECK_RC(mfa_otp_from_uri(NULL, kUri, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_otp_generate(NULL, buf, sizeof buf, &len, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_otp_get_params(NULL, &p), MFA_ERR_INVALID_ARGUMENT);
    {
        char *text = NULL;
        uint8_t *bytes = NULL;
        CHECK_RC(mfa_otp_format_uri(NULL, &text), MFA_ERR_INVALID_ARGUMENT);
        CHECK_RC(mfa_otp_base32_decode(&bytes, &len, NULL), MFA_ERR_INVALID_ARGUMENT);
        CHECK_RC(mfa_otp_base32_encode(&text, NULL, 3), MFA_ERR_INVALID_ARGUMENT);
        CHECK(text == NULL && bytes == NULL);
    }
    CHECK_RC(mfa_otp_migration_parse(NULL, "otpauth-migration://offline?data="), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_otp_migration_get_count(NULL, &len), MFA_ERR_INVALID_ARGUMENT);

    CHECK_OK(mfa_otp_from_uri(&otp, kUri, NULL));
    CHECK_RC(mfa_otp_generate(otp, buf, sizeof buf, NULL, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("len");
    CHECK_RC(mfa_otp_generate(otp, NULL, sizeof buf, &len, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, NULL, 0, 1, 1, 0, MFA_OTP_NO_LAST_STEP), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("code");
    CHECK_RC(mfa_otp_get_params(otp, NULL), MFA_ERR_INVALID_ARGUMENT);
    mfa_otp_free(&otp);
}

static void test_buffer_too_small(void) {
    mfa_otp_t *otp = NULL;
    char code[8]; /* one short for 8 digits and the NUL */
    char *uri = NULL;
    size_t len = 0;
    CHECK_OK(mfa_otp_from_uri(&otp, kUri, NULL));

    memset(code, 'x', sizeof code);
    CHECK_RC(mfa_otp_generate(otp, code, sizeof code, &len, 59), MFA_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 8);
    CHECK_DETAIL("need 9 bytes");
    CHECK(code[0] == 'x'); /* nothing written */

    /* A variable-size output is allocated by the library instead: no size to guess. */
    CHECK_RC(mfa_otp_format_uri(otp, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("NULL");
    CHECK_OK(mfa_otp_format_uri(otp, &uri));
    CHECK(uri != NULL && strncmp(uri, "otpauth://totp/", 15) == 0);
    mfa_free(uri);

    {
        uint8_t secret[19];
        CHECK_RC(mfa_otp_random_secret(secret, sizeof secret, &len, 0), MFA_ERR_BUFFER_TOO_SMALL);
        CHECK(len == 20);
    }
    mfa_otp_free(&otp);
}

/* A malformed URI fails with its own code, and the detail names the part that is wrong. */
static void check_bad_uri(const char *uri, int expected, const char *field) {
    mfa_otp_t *otp = NULL;
    CHECK_RC(mfa_otp_from_uri(&otp, uri, NULL), expected);
    CHECK_DETAIL(field);
    CHECK(otp == NULL);
}

static void test_bad_uris(void) {
    check_bad_uri("otpauth://totp/Example:alice?secret=GEZDGNB!&issuer=Example", MFA_ERR_URI_SECRET, "secret");
    check_bad_uri("otpauth://totp/Example:alice?issuer=Example", MFA_ERR_URI_SECRET, "secret");
    check_bad_uri("otpauth://totp/Example:alice?secret=GEZDGNBV&digits=12", MFA_ERR_URI_PARAMETER, "digits");
    check_bad_uri("otpauth://totp/Example:alice?secret=GEZDGNBV&algorithm=MD5", MFA_ERR_URI_PARAMETER, "algorithm");
    check_bad_uri("otpauth://totp/Example:alice?secret=GEZDGNBV&period=0", MFA_ERR_URI_PARAMETER, "period");
    check_bad_uri("otpauth://xotp/Example:alice?secret=GEZDGNBV", MFA_ERR_URI_TYPE, "xotp");
    check_bad_uri("https://example.com/?secret=GEZDGNBV", MFA_ERR_URI_SCHEME, "otpauth");
    check_bad_uri("otpauth://totp/Example:alice?secret=GEZDGNBV&issuer=Other", MFA_ERR_URI_ISSUER_MISMATCH, "Other");
}

static void test_issuer_policy(void) {
    const char *uri = "otpauth://totp/Label:alice?secret=GEZDGNBV&issuer=Param";
    mfa_otp_uri_options_t o;
    mfa_otp_t *otp = NULL;
    char *issuer = NULL;
    CHECK_OK(mfa_otp_uri_options_init(&o));
    CHECK(o.issuer_policy == MFA_OTP_ISSUER_STRICT);
    o.issuer_policy = MFA_OTP_ISSUER_PREFER_PARAM;
    CHECK_OK(mfa_otp_from_uri(&otp, uri, &o));
    CHECK_OK(mfa_otp_get_issuer(otp, &issuer));
    if (issuer) CHECK_STR(issuer, "Param");
    mfa_free(issuer);
    mfa_otp_free(&otp);
    o.issuer_policy = MFA_OTP_ISSUER_PREFER_LABEL;
    CHECK_OK(mfa_otp_from_uri(&otp, uri, &o));
    CHECK_OK(mfa_otp_get_issuer(otp, &issuer));
    if (issuer) CHECK_STR(issuer, "Label");
    mfa_free(issuer);
    mfa_otp_free(&otp);
    o.issuer_policy = 7;
    CHECK_RC(mfa_otp_from_uri(&otp, uri, &o), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("issuer_policy");
}

/* Versioned structs: too small is rejected, a newer caller's zeroed tail is accepted, a set
 * unknown field is refused rather than ignored. */
static void test_struct_size(void) {
    struct {
        mfa_otp_params_t p;
        uint64_t future_field;
    } newer;
    mfa_otp_params_t p;
    mfa_otp_t *otp = NULL;
    CHECK_OK(mfa_otp_params_init(&p));
    p.struct_size = 0;
    CHECK_RC(mfa_otp_new(&otp, &p, (const uint8_t *)"12345678901234567890", 20, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");

    memset(&newer, 0, sizeof newer);
    CHECK_OK(mfa_otp_params_init(&newer.p));
    newer.p.struct_size = sizeof newer;
    newer.p.digits = 8;
    CHECK_OK(mfa_otp_new(&otp, &newer.p, (const uint8_t *)"12345678901234567890", 20, NULL, NULL));
    mfa_otp_free(&otp);
    newer.future_field = 1;
    CHECK_RC(mfa_otp_new(&otp, &newer.p, (const uint8_t *)"12345678901234567890", 20, NULL, NULL), MFA_ERR_UNSUPPORTED);
    CHECK(otp == NULL);

    /* get_params writes only within the caller's struct_size. */
    CHECK_OK(mfa_otp_params_init(&p));
    p.digits = 7;
    CHECK_OK(mfa_otp_new(&otp, &p, (const uint8_t *)"12345678901234567890", 20, NULL, NULL));
    newer.future_field = 0xabcdu;
    newer.p.struct_size = sizeof newer;
    CHECK_OK(mfa_otp_get_params(otp, &newer.p));
    CHECK(newer.p.digits == 7);
    CHECK(newer.p.struct_size == sizeof newer);
    CHECK(newer.future_field == 0xabcdu);
    mfa_otp_free(&otp);
}

static void test_param_ranges(void) {
    mfa_otp_params_t p;
    mfa_otp_t *otp = NULL;
    const uint8_t *secret = (const uint8_t *)"12345678901234567890";
    CHECK_OK(mfa_otp_params_init(&p));
    p.digits = 3;
    CHECK_RC(mfa_otp_new(&otp, &p, secret, 20, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("digits");
    CHECK_OK(mfa_otp_params_init(&p));
    p.algorithm = 9;
    CHECK_RC(mfa_otp_new(&otp, &p, secret, 20, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("algorithm");
    CHECK_OK(mfa_otp_params_init(&p));
    p.type = 3;
    CHECK_RC(mfa_otp_new(&otp, &p, secret, 20, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("type");
    CHECK_OK(mfa_otp_params_init(&p));
    p.period = 0;
    CHECK_RC(mfa_otp_new(&otp, &p, secret, 20, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("period");
    CHECK_RC(mfa_otp_new(&otp, NULL, secret, 0, NULL, NULL), MFA_ERR_OTP_SECRET_TOO_SHORT);
    {
        static uint8_t big[MFA_OTP_MAX_SECRET_BYTES + 1];
        CHECK_RC(mfa_otp_new(&otp, NULL, big, sizeof big, NULL, NULL), MFA_ERR_OTP_SECRET_TOO_LONG);
        CHECK_RC(mfa_otp_random_secret(big, sizeof big, NULL, sizeof big), MFA_ERR_LIMIT_EXCEEDED);
    }
    CHECK(otp == NULL);
}

/* Every code of the one table (mfa/mfa_errors.h) reaches C with its number, its sentence and its name;
 * and mfa_strerror / mfa_error_name are total over int. */
struct table_row {
    int code;
    const char *name;
    const char *message;
};
static const struct table_row kTable[] = {
#define ROW(NAME, name, code, message) {MFA_ERR_##NAME, "MFA_ERR_" #NAME, message},
    MFA_ERROR_TABLE(ROW)
#undef ROW
};

static void test_strerror_total(void) {
    size_t i, j;
    CHECK(sizeof kTable / sizeof kTable[0] >= 170);
    for (i = 0; i < sizeof kTable / sizeof kTable[0]; ++i) {
        CHECK(kTable[i].code < 0);
        CHECK_STR(mfa_strerror(kTable[i].code), kTable[i].message);
        CHECK(strcmp(kTable[i].message, "unknown error") != 0 && kTable[i].message[0] != '\0');
        CHECK_STR(mfa_error_name(kTable[i].code), kTable[i].name);
        for (j = 0; j < i; ++j) CHECK(kTable[j].code != kTable[i].code); /* never two names for one number */
    }
    CHECK_STR(mfa_strerror(12345), "unknown error");
    CHECK_STR(mfa_strerror(-99999), "unknown error");
    CHECK_STR(mfa_strerror(-2147483647 - 1), "unknown error");
    CHECK_STR(mfa_strerror(MFA_OK), "success");
    CHECK_STR(mfa_error_name(MFA_OK), "MFA_OK");
    CHECK_STR(mfa_error_name(-99999), "unknown");
    CHECK_STR(mfa_error_name(0x31), "CTAP2_ERR_PIN_INVALID");
    CHECK_STR(mfa_error_name(0xFE), "unknown");
    CHECK_STR(mfa_error_name(12345), "unknown");
}

/* The detail belongs to the thread that failed, and a success clears it. */
static void *fail_in_thread(void *arg) {
    char *seen = (char *)arg;
    mfa_otp_t *otp = NULL;
    (void)mfa_otp_from_uri(&otp, "otpauth://totp/x?secret=!!", NULL);
    strncpy(seen, mfa_last_error_message(), 255);
    seen[255] = '\0';
    return NULL;
}

static void test_last_error_thread_local(void) {
    pthread_t t;
    char seen[256];
    mfa_otp_t *otp = NULL;
    CHECK_RC(mfa_otp_from_uri(&otp, "otpauth://totp/x?secret=GEZDGNBV&digits=99", NULL), MFA_ERR_URI_PARAMETER);
    CHECK_DETAIL("digits");
    CHECK(pthread_create(&t, NULL, fail_in_thread, seen) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(strstr(seen, "secret") != NULL);
    CHECK_DETAIL("digits"); /* this thread's detail is untouched */
    CHECK_OK(mfa_otp_from_uri(&otp, kUri, NULL));
    CHECK_STR(mfa_last_error_message(), "");
    mfa_otp_free(&otp);
}

static void test_ownership(void) {
    mfa_otp_t *otp = NULL;
    mfa_otp_migration_t *m = NULL;
    mfa_otp_free(NULL);
    mfa_otp_free(&otp);
    mfa_otp_migration_free(NULL);
    mfa_otp_migration_free(&m);
    mfa_free(NULL);
    mfa_memzero(NULL, 0);
    CHECK_OK(mfa_otp_from_uri(&otp, kUri, NULL));
    CHECK(otp != NULL);
    mfa_otp_free(&otp);
    CHECK(otp == NULL);
    mfa_otp_free(&otp); /* a second free of the nulled pointer is harmless */
    CHECK(otp == NULL);
}

int main(void) {
    test_null_arguments();
    test_buffer_too_small();
    test_bad_uris();
    test_issuer_policy();
    test_struct_size();
    test_param_ranges();
    test_strerror_total();
    test_last_error_thread_local();
    test_ownership();
    return check_finish("c_api errors");
}

/* Accounts through the C ABI: getters, URI round trips, Base32, random secrets, and Google
 * Authenticator export payloads (build in batches, parse, get accounts back). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static const uint8_t kSecret[] = "12345678901234567890";

static mfa_otp_t *make(uint32_t type, uint32_t algorithm, uint32_t digits, uint32_t period, const char *issuer,
                       const char *name) {
    mfa_otp_params_t p;
    mfa_otp_t *otp = NULL;
    CHECK_OK(mfa_otp_params_init(&p));
    p.type = type;
    p.algorithm = algorithm;
    p.digits = digits;
    p.period = period;
    p.counter = 42;
    CHECK_OK(mfa_otp_new(&otp, &p, kSecret, 20, issuer, name));
    return otp;
}

/* Two handles describe the same account. */
static void check_same(const mfa_otp_t *a, const mfa_otp_t *b) {
    mfa_otp_params_t pa, pb;
    char *sa = NULL, *sb = NULL;
    uint8_t *ka = NULL, *kb = NULL;
    size_t la = 0, lb = 0;
    CHECK_OK(mfa_otp_params_init(&pa));
    CHECK_OK(mfa_otp_params_init(&pb));
    CHECK_OK(mfa_otp_get_params(a, &pa));
    CHECK_OK(mfa_otp_get_params(b, &pb));
    CHECK(pa.type == pb.type && pa.algorithm == pb.algorithm && pa.digits == pb.digits);
    if (pa.type == MFA_OTP_HOTP) CHECK(pa.counter == pb.counter);
    else CHECK(pa.period == pb.period);
    CHECK_OK(mfa_otp_get_issuer(a, &sa));
    CHECK_OK(mfa_otp_get_issuer(b, &sb));
    if (sa && sb) CHECK_STR(sa, sb);
    mfa_free(sa);
    mfa_free(sb);
    CHECK_OK(mfa_otp_get_name(a, &sa));
    CHECK_OK(mfa_otp_get_name(b, &sb));
    if (sa && sb) CHECK_STR(sa, sb);
    mfa_free(sa);
    mfa_free(sb);
    CHECK_OK(mfa_otp_get_secret(a, &ka, &la));
    CHECK_OK(mfa_otp_get_secret(b, &kb, &lb));
    CHECK(ka && kb && la == lb && memcmp(ka, kb, la) == 0);
    mfa_free(ka); /* wipes */
    mfa_free(kb);
}

static void test_getters(void) {
    mfa_otp_t *otp = make(MFA_OTP_TOTP, MFA_OTP_SHA256, 7, 60, "ACME Co", "john.doe@email.com");
    mfa_otp_params_t p;
    char *text = NULL;
    uint8_t *secret = NULL;
    size_t len = 0;
    CHECK_OK(mfa_otp_params_init(&p));
    CHECK_OK(mfa_otp_get_params(otp, &p));
    CHECK(p.type == MFA_OTP_TOTP && p.algorithm == MFA_OTP_SHA256 && p.digits == 7 && p.period == 60);
    CHECK_OK(mfa_otp_get_issuer(otp, &text));
    if (text) CHECK_STR(text, "ACME Co");
    mfa_free(text);
    CHECK_OK(mfa_otp_get_name(otp, &text));
    if (text) CHECK_STR(text, "john.doe@email.com");
    mfa_free(text);
    CHECK_RC(mfa_otp_get_name(otp, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_otp_get_secret(otp, &secret, &len));
    CHECK(secret && len == 20 && memcmp(secret, kSecret, 20) == 0);
    mfa_free(secret);
    CHECK_RC(mfa_otp_get_secret(otp, &secret, NULL), MFA_ERR_INVALID_ARGUMENT);
    mfa_otp_free(&otp);

    /* No issuer: "" */
    otp = make(MFA_OTP_TOTP, MFA_OTP_SHA1, 6, 30, NULL, "solo");
    CHECK_OK(mfa_otp_get_issuer(otp, &text));
    if (text) CHECK_STR(text, "");
    mfa_free(text);
    mfa_otp_free(&otp);
}

static void test_uri_round_trip(void) {
    static const uint32_t types[] = {MFA_OTP_TOTP, MFA_OTP_HOTP, MFA_OTP_STEAM};
    size_t i;
    for (i = 0; i < 3; ++i) {
        mfa_otp_t *a = make(types[i], types[i] == MFA_OTP_STEAM ? MFA_OTP_SHA1 : MFA_OTP_SHA512, types[i] == MFA_OTP_STEAM ? 5 : 8, 60, "ACME Co", "john doe@x");
        mfa_otp_t *b = NULL;
        char *uri = NULL;
        CHECK_OK(mfa_otp_format_uri(a, &uri));
        if (uri == NULL) continue;
        CHECK(strncmp(uri, "otpauth://", 10) == 0);
        CHECK(strstr(uri, "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") != NULL);
        CHECK_OK(mfa_otp_from_uri(&b, uri, NULL));
        if (b != NULL) check_same(a, b);
        mfa_free(uri);
        mfa_otp_free(&a);
        mfa_otp_free(&b);
    }
}

/* A ':' in an issuer is written %3A beside the issuer parameter; an account whose name cannot follow
 * the label's ':' still makes codes, but has no URI. */
static void test_unformattable_label(void) {
    mfa_otp_t *otp = make(MFA_OTP_TOTP, MFA_OTP_SHA1, 6, 30, "A:B", "alice");
    char *uri = NULL, code[MFA_OTP_CODE_CAPACITY];
    size_t len;
    CHECK_OK(mfa_otp_generate(otp, code, sizeof code, &len, 59));
    CHECK_OK(mfa_otp_format_uri(otp, &uri));
    CHECK(uri != NULL && strstr(uri, "otpauth://totp/A%3AB:alice?") == uri);
    CHECK(uri != NULL && strstr(uri, "&issuer=A%3AB&") != NULL);
    mfa_free(uri);
    uri = NULL;
    mfa_otp_free(&otp);
    otp = make(MFA_OTP_TOTP, MFA_OTP_SHA1, 6, 30, "A", " alice");
    CHECK_OK(mfa_otp_generate(otp, code, sizeof code, &len, 59));
    CHECK_RC(mfa_otp_format_uri(otp, &uri), MFA_ERR_URI_LABEL);
    CHECK_DETAIL("space");
    CHECK(uri == NULL);
    mfa_otp_free(&otp);
    otp = make(MFA_OTP_TOTP, MFA_OTP_SHA1, 6, 30, NULL, NULL);
    CHECK_RC(mfa_otp_format_uri(otp, &uri), MFA_ERR_URI_LABEL);
    mfa_otp_free(&otp);
}

static void test_base32(void) {
    char *text = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_OK(mfa_otp_base32_encode(&text, kSecret, 20));
    if (text) CHECK_STR(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    mfa_free(text);
    CHECK_OK(mfa_otp_base32_encode(&text, kSecret, 0));
    if (text) CHECK_STR(text, "");
    mfa_free(text);
    /* As people type it. */
    CHECK_OK(mfa_otp_base32_decode(&bytes, &len, "gezd gnbv-gy3t qojq gezd gnbv gy3t qojq"));
    CHECK(bytes && len == 20 && memcmp(bytes, kSecret, 20) == 0);
    mfa_free(bytes);
    CHECK_OK(mfa_otp_base32_decode(&bytes, &len, "MZXW6==="));
    CHECK(bytes && len == 3 && memcmp(bytes, "foo", 3) == 0);
    mfa_free(bytes);
    bytes = NULL;
    CHECK_RC(mfa_otp_base32_decode(&bytes, &len, "MZX1"), MFA_ERR_BASE32_INVALID);
    CHECK_DETAIL("3");
    CHECK(bytes == NULL);
    {
        static char big[MFA_OTP_BASE32_MAX_TEXT + 2];
        static uint8_t data[MFA_OTP_BASE32_MAX_DATA + 1];
        memset(big, 'A', sizeof big - 1);
        CHECK_RC(mfa_otp_base32_decode(&bytes, &len, big), MFA_ERR_LIMIT_EXCEEDED);
        CHECK_RC(mfa_otp_base32_encode(&text, data, sizeof data), MFA_ERR_LIMIT_EXCEEDED);
        text = NULL;
        CHECK_OK(mfa_otp_base32_encode(&text, data, MFA_OTP_BASE32_MAX_DATA));
        CHECK(text && strlen(text) == MFA_OTP_BASE32_MAX_TEXT);
        CHECK_OK(mfa_otp_base32_decode(&bytes, &len, text));
        CHECK(len == MFA_OTP_BASE32_MAX_DATA);
        mfa_free(text);
        mfa_free(bytes);
    }
}

static void test_random_secret(void) {
    uint8_t a[64], b[64];
    size_t la, lb;
    CHECK_OK(mfa_otp_random_secret(a, sizeof a, &la, 0));
    CHECK(la == MFA_OTP_DEFAULT_SECRET_BYTES);
    CHECK_OK(mfa_otp_random_secret(b, sizeof b, &lb, 32));
    CHECK(lb == 32);
    CHECK(memcmp(a, b, 20) != 0); /* 2^-160 */
    mfa_memzero(a, sizeof a);
    mfa_memzero(b, sizeof b);
}

static void test_migration(void) {
    mfa_otp_t *accounts[5];
    mfa_otp_migration_t *m = NULL;
    size_t batches = 0, b, i, count, seen = 0;
    int32_t size = 0, index = 0, id = 0;
    char *uri = NULL;

    accounts[0] = make(MFA_OTP_TOTP, MFA_OTP_SHA1, 6, 30, "Example", "alice@example.com");
    accounts[1] = make(MFA_OTP_TOTP, MFA_OTP_SHA256, 8, 30, "ACME", "bob");
    accounts[2] = make(MFA_OTP_HOTP, MFA_OTP_SHA1, 6, 30, "Bank", "carol");
    accounts[3] = make(MFA_OTP_TOTP, MFA_OTP_SHA512, 6, 30, "", "dave");
    accounts[4] = make(MFA_OTP_TOTP, MFA_OTP_SHA1, 6, 30, "Mail", "eve");

    CHECK_OK(mfa_otp_migration_batch_count(&batches, 5, 2));
    CHECK(batches == 3);
    CHECK_RC(mfa_otp_migration_batch_count(&batches, 5, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("per_batch");
    CHECK_RC(mfa_otp_migration_batch_count(&batches, MFA_OTP_MIGRATION_MAX_ACCOUNTS + 1, 10), MFA_ERR_LIMIT_EXCEEDED);

    CHECK_RC(mfa_otp_migration_build_uri(&uri, (const mfa_otp_t *const *)accounts, 5, 2, -7, 3), MFA_ERR_NOT_FOUND);
    CHECK(uri == NULL);
    for (b = 0; b < 3; ++b) {
        CHECK_OK(mfa_otp_migration_build_uri(&uri, (const mfa_otp_t *const *)accounts, 5, 2, -7, b));
        if (uri == NULL) continue;
        CHECK(strncmp(uri, "otpauth-migration://offline?data=", 33) == 0);
        CHECK_OK(mfa_otp_migration_parse(&m, uri));
        mfa_free(uri);
        uri = NULL;
        CHECK_OK(mfa_otp_migration_get_batch(m, &size, &index, &id));
        CHECK(size == 3 && index == (int32_t)b && id == -7);
        CHECK_OK(mfa_otp_migration_get_count(m, &count));
        CHECK(count == (b < 2 ? 2u : 1u));
        for (i = 0; i < count; ++i) {
            mfa_otp_t *got = NULL, *via_uri = NULL;
            char *account_uri = NULL;
            CHECK_OK(mfa_otp_migration_get_account(m, &got, i));
            if (got != NULL) check_same(accounts[seen], got);
            CHECK_OK(mfa_otp_migration_get_uri(m, &account_uri, i));
            if (account_uri != NULL) CHECK_OK(mfa_otp_from_uri(&via_uri, account_uri, NULL));
            if (via_uri != NULL) check_same(accounts[seen], via_uri);
            mfa_free(account_uri);
            mfa_otp_free(&got);
            mfa_otp_free(&via_uri);
            ++seen;
        }
        {
            mfa_otp_t *none = NULL;
            CHECK_RC(mfa_otp_migration_get_account(m, &none, count), MFA_ERR_NOT_FOUND);
            CHECK(none == NULL);
        }
        mfa_otp_migration_free(&m);
        CHECK(m == NULL);
    }
    CHECK(seen == 5);

    /* A NULL in the array is named. */
    {
        mfa_otp_t *saved = accounts[1];
        accounts[1] = NULL;
        CHECK_RC(mfa_otp_migration_build_uri(&uri, (const mfa_otp_t *const *)accounts, 5, 10, 1, 0),
                 MFA_ERR_INVALID_ARGUMENT);
        CHECK_DETAIL("accounts[1]");
        accounts[1] = saved;
    }
    /* Malformed payloads. */
    CHECK_RC(mfa_otp_migration_parse(&m, "otpauth://totp/x?secret=GEZDGNBV"), MFA_ERR_URI_SCHEME);
    CHECK(m == NULL);
    CHECK(mfa_otp_migration_parse(&m, "otpauth-migration://offline?data=%%%") < 0);
    CHECK(m == NULL);

    for (i = 0; i < 5; ++i) mfa_otp_free(&accounts[i]);
}

int main(void) {
    test_getters();
    test_uri_round_trip();
    test_unformattable_label();
    test_base32();
    test_random_secret();
    test_migration();
    return check_finish("c_api accounts");
}

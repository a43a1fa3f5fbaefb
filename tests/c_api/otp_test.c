/* The OTP C ABI on the RFC vectors: TOTP (RFC 6238 Appendix B), HOTP (RFC 4226 Appendix D), and
 * verification (windows, drift, the replay guard, HOTP look-ahead and counter update). */
#include <stdint.h>

#include "check.h"

static const char kSeed20[] = "12345678901234567890";
static const char kSeed32[] = "12345678901234567890123456789012";
static const char kSeed64[] = "1234567890123456789012345678901234567890123456789012345678901234";

struct totp_vector {
    int64_t time;
    uint32_t algorithm;
    const char *code;
};

/* RFC 6238 Appendix B: 8 digits, period 30, the seed repeated to the hash's block-ish length. */
static const struct totp_vector kRfc6238[] = {
    {59, MFA_OTP_SHA1, "94287082"},          {59, MFA_OTP_SHA256, "46119246"},
    {59, MFA_OTP_SHA512, "90693936"},        {1111111109, MFA_OTP_SHA1, "07081804"},
    {1111111109, MFA_OTP_SHA256, "68084774"}, {1111111109, MFA_OTP_SHA512, "25091201"},
    {1111111111, MFA_OTP_SHA1, "14050471"},  {1111111111, MFA_OTP_SHA256, "67062674"},
    {1111111111, MFA_OTP_SHA512, "99943326"}, {1234567890, MFA_OTP_SHA1, "89005924"},
    {1234567890, MFA_OTP_SHA256, "91819424"}, {1234567890, MFA_OTP_SHA512, "93441116"},
    {2000000000, MFA_OTP_SHA1, "69279037"},  {2000000000, MFA_OTP_SHA256, "90698825"},
    {2000000000, MFA_OTP_SHA512, "38618901"}, {20000000000LL, MFA_OTP_SHA1, "65353130"},
    {20000000000LL, MFA_OTP_SHA256, "77737706"}, {20000000000LL, MFA_OTP_SHA512, "47863826"},
};

/* RFC 4226 Appendix D: counters 0..9, SHA1, 6 digits. */
static const char *const kRfc4226[] = {"755224", "287082", "359152", "969429", "338314",
                                       "254676", "287922", "162583", "399871", "520489"};

static mfa_otp_t *totp_for(uint32_t algorithm) {
    const char *seed = algorithm == MFA_OTP_SHA1 ? kSeed20 : algorithm == MFA_OTP_SHA256 ? kSeed32 : kSeed64;
    mfa_otp_params_t p;
    mfa_otp_t *otp = NULL;
    CHECK_OK(mfa_otp_params_init(&p));
    p.algorithm = algorithm;
    p.digits = 8;
    CHECK_OK(mfa_otp_new(&otp, &p, (const uint8_t *)seed, strlen(seed), "Example", "alice@example.com"));
    return otp;
}

static void test_rfc6238_generate(void) {
    size_t i;
    for (i = 0; i < sizeof kRfc6238 / sizeof kRfc6238[0]; ++i) {
        mfa_otp_t *otp = totp_for(kRfc6238[i].algorithm);
        char code[MFA_OTP_CODE_CAPACITY];
        size_t len = 0;
        CHECK_OK(mfa_otp_generate(otp, code, sizeof code, &len, kRfc6238[i].time));
        CHECK_STR(code, kRfc6238[i].code);
        CHECK(len == 8);
        /* The same code from its explicit step. */
        CHECK_OK(mfa_otp_generate_at(otp, code, sizeof code, &len, (uint64_t)(kRfc6238[i].time / 30)));
        CHECK_STR(code, kRfc6238[i].code);
        mfa_otp_free(&otp);
    }
}

static void test_rfc6238_from_uri(void) {
    /* The SHA-1 seed as Base32, through the URI parser. */
    mfa_otp_t *otp = NULL;
    char code[MFA_OTP_CODE_CAPACITY];
    size_t len = 0;
    CHECK_OK(mfa_otp_from_uri(&otp,
                              "otpauth://totp/Example:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                              "&issuer=Example&algorithm=SHA1&digits=8&period=30",
                              NULL));
    CHECK_OK(mfa_otp_generate(otp, code, sizeof code, &len, 1234567890));
    CHECK_STR(code, "89005924");
    mfa_otp_free(&otp);
}

static void test_time_steps(void) {
    mfa_otp_t *otp = totp_for(MFA_OTP_SHA1);
    int64_t step = 0;
    uint32_t left = 0;
    CHECK_OK(mfa_otp_time_step(otp, &step, 59));
    CHECK(step == 1);
    CHECK_OK(mfa_otp_seconds_left(otp, &left, 59));
    CHECK(left == 1);
    CHECK_OK(mfa_otp_seconds_left(otp, &left, 60));
    CHECK(left == 30);
    CHECK_OK(mfa_otp_time_step(otp, &step, 20000000000LL));
    CHECK(step == 666666666);
    mfa_otp_free(&otp);
}

static void test_verify_totp(void) {
    mfa_otp_t *otp = totp_for(MFA_OTP_SHA1);
    const int64_t step = 1111111109 / 30; /* 37037036 */
    int64_t matched = 0, drift = 99;

    /* The current step, with the replay guard off. */
    CHECK_OK(mfa_otp_verify_totp(otp, &matched, &drift, "07081804", 1111111109, 1, 1, 0, MFA_OTP_NO_LAST_STEP));
    CHECK(matched == step);
    CHECK(drift == 0);
    /* One step late: inside a window of one past step, with drift -1. */
    CHECK_OK(mfa_otp_verify_totp(otp, &matched, &drift, "07081804", 1111111109 + 30, 1, 0, step - 1, 0));
    CHECK(matched == step);
    CHECK(drift == -1);
    /* ... but not with no past step allowed. */
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "07081804", 1111111109 + 30, 0, 1, 0, MFA_OTP_NO_LAST_STEP),
             MFA_ERR_OTP_CODE_MISMATCH);
    /* Replay: the step was already accepted. matched_step is still reported. */
    matched = 0;
    CHECK_RC(mfa_otp_verify_totp(otp, &matched, &drift, "07081804", 1111111109, 1, 1, step, 0),
             MFA_ERR_OTP_CODE_REPLAYED);
    CHECK(matched == step);
    CHECK_DETAIL("step");
    /* A later last_step also rejects it. */
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "07081804", 1111111109, 1, 1, step + 1, 0), MFA_ERR_OTP_CODE_REPLAYED);
    /* Wrong code, wrong length, non-digits. */
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "07081805", 1111111109, 1, 1, 0, MFA_OTP_NO_LAST_STEP),
             MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "0708180", 1111111109, 1, 1, 0, MFA_OTP_NO_LAST_STEP),
             MFA_ERR_OTP_CODE_FORMAT);
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "0708180x", 1111111109, 1, 1, 0, MFA_OTP_NO_LAST_STEP),
             MFA_ERR_OTP_CODE_FORMAT);
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "070818040708180407081804", 1111111109, 1, 1, 0,
                                 MFA_OTP_NO_LAST_STEP),
             MFA_ERR_OTP_CODE_FORMAT);
    /* Windows over the limit, unknown flags. */
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "07081804", 1111111109, MFA_OTP_MAX_WINDOW + 1, 1, 0,
                                 MFA_OTP_NO_LAST_STEP),
             MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("window");
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "07081804", 1111111109, 1, 1, 0, 0x80u), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("flags");
    /* HOTP verification of a TOTP account is a usage error. */
    CHECK_RC(mfa_otp_verify_hotp(otp, NULL, "07081804", 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_otp_set_counter(otp, 5), MFA_ERR_INVALID_ARGUMENT);
    mfa_otp_free(&otp);
}

static mfa_otp_t *hotp_rfc4226(void) {
    mfa_otp_params_t p;
    mfa_otp_t *otp = NULL;
    CHECK_OK(mfa_otp_params_init(&p));
    p.type = MFA_OTP_HOTP;
    CHECK_OK(mfa_otp_new(&otp, &p, (const uint8_t *)kSeed20, 20, NULL, "bob"));
    return otp;
}

static void test_hotp(void) {
    mfa_otp_t *otp = hotp_rfc4226();
    mfa_otp_params_t p;
    uint64_t next = 0, c;
    char code[MFA_OTP_CODE_CAPACITY];
    size_t len;
    for (c = 0; c < 10; ++c) {
        CHECK_OK(mfa_otp_set_counter(otp, c));
        CHECK_OK(mfa_otp_generate(otp, code, sizeof code, &len, 0));
        CHECK_STR(code, kRfc4226[c]);
        CHECK_OK(mfa_otp_generate_at(otp, code, sizeof code, &len, c));
        CHECK_STR(code, kRfc4226[c]);
    }
    /* Look-ahead: from counter 0, the code of counter 3 is found within 5, and the counter moves on. */
    CHECK_OK(mfa_otp_set_counter(otp, 0));
    CHECK_RC(mfa_otp_verify_hotp(otp, &next, kRfc4226[3], 2), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_OK(mfa_otp_verify_hotp(otp, &next, kRfc4226[3], 5));
    CHECK(next == 4);
    CHECK_OK(mfa_otp_params_init(&p));
    CHECK_OK(mfa_otp_get_params(otp, &p));
    CHECK(p.counter == 4);
    /* The same code again is behind the counter now. */
    CHECK_RC(mfa_otp_verify_hotp(otp, &next, kRfc4226[3], 5), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_OK(mfa_otp_verify_hotp(otp, NULL, kRfc4226[4], 0));
    CHECK_RC(mfa_otp_verify_hotp(otp, NULL, kRfc4226[9], MFA_OTP_MAX_LOOK_AHEAD + 1), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("look_ahead");
    CHECK_RC(mfa_otp_verify_hotp(otp, NULL, "12345", 0), MFA_ERR_OTP_CODE_FORMAT);
    /* Resynchronisation: the token ran ahead to counters 7 and 8; the server is at 5. */
    CHECK_OK(mfa_otp_set_counter(otp, 5));
    CHECK_RC(mfa_otp_resync_hotp(otp, &next, kRfc4226[7], kRfc4226[9], 10), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_RC(mfa_otp_resync_hotp(otp, &next, kRfc4226[7], kRfc4226[8], 1), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_OK(mfa_otp_resync_hotp(otp, &next, kRfc4226[7], kRfc4226[8], 10));
    CHECK(next == 9);
    CHECK_OK(mfa_otp_get_params(otp, &p));
    CHECK(p.counter == 9);
    CHECK_RC(mfa_otp_resync_hotp(otp, NULL, kRfc4226[7], NULL, 10), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("code2");
    CHECK_RC(mfa_otp_resync_hotp(otp, NULL, kRfc4226[7], kRfc4226[8], MFA_OTP_MAX_RESYNC_LOOK_AHEAD + 1),
             MFA_ERR_INVALID_ARGUMENT);
    /* Counter 2^64 - 1 has no successor: its code is refused and the counter never wraps to 0. */
    CHECK_OK(mfa_otp_set_counter(otp, UINT64_MAX));
    CHECK_OK(mfa_otp_generate_at(otp, code, sizeof code, &len, UINT64_MAX));
    CHECK_RC(mfa_otp_verify_hotp(otp, &next, code, 10), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_OK(mfa_otp_get_params(otp, &p));
    CHECK(p.counter == UINT64_MAX);
    CHECK_OK(mfa_otp_set_counter(otp, UINT64_MAX - 2));
    CHECK_RC(mfa_otp_verify_hotp(otp, &next, code, 10), MFA_ERR_OTP_CODE_MISMATCH);
    CHECK_OK(mfa_otp_generate_at(otp, code, sizeof code, &len, UINT64_MAX - 1));
    CHECK_OK(mfa_otp_verify_hotp(otp, &next, code, 10));
    CHECK(next == UINT64_MAX);
    /* TOTP-only calls on an HOTP account. */
    CHECK_RC(mfa_otp_verify_totp(otp, NULL, NULL, "755224", 0, 1, 1, 0, MFA_OTP_NO_LAST_STEP), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_otp_seconds_left(otp, (uint32_t *)&len, 0), MFA_ERR_INVALID_ARGUMENT);
    mfa_otp_free(&otp);
}

static void test_steam(void) {
    /* A Steam account makes 5-character codes from its own alphabet and verifies them. */
    mfa_otp_t *otp = NULL;
    mfa_otp_params_t p;
    char code[MFA_OTP_CODE_CAPACITY];
    size_t len = 0, i;
    int64_t matched = 0;
    CHECK_OK(mfa_otp_params_init(&p));
    p.type = MFA_OTP_STEAM;
    CHECK_OK(mfa_otp_new(&otp, &p, (const uint8_t *)kSeed20, 20, "Steam", "gabe"));
    CHECK_OK(mfa_otp_generate(otp, code, sizeof code, &len, 1234567890));
    CHECK(len == MFA_OTP_STEAM_DIGITS);
    for (i = 0; i < len; ++i) CHECK(strchr("23456789BCDFGHJKMNPQRTVWXY", code[i]) != NULL);
    CHECK_OK(mfa_otp_verify_totp(otp, &matched, NULL, code, 1234567890, 0, 0, 0, MFA_OTP_NO_LAST_STEP));
    CHECK(matched == 1234567890 / 30);
    mfa_otp_free(&otp);
}

int main(void) {
    test_rfc6238_generate();
    test_rfc6238_from_uri();
    test_time_steps();
    test_verify_totp();
    test_hotp();
    test_steam();
    return check_finish("c_api otp");
}

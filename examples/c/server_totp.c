/* A server's TOTP second factor through the C ABI, start to finish: what a web service written in C
 * (or any language with a C FFI) calls for sign-up, enrollment, login, a replayed code, a guessing
 * attacker and a lost phone. Build: cc server_totp.c $(pkg-config --cflags --libs mfa)
 * Run: ./server_totp [STORE_URL]   (default "memory:"; "sqlite:/tmp/x.db" keeps the state)
 * Each step prints what happened; the program exits 1 at the first result it did not expect, so the
 * test suite runs it as it is (tests/meson.build, suite examples). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mfa/mfa.h>

static int failed(const char *step, int rc, int want) {
    if (rc == want) return 0;
    fprintf(stderr, "%s: got %s (%s), wanted %s\n", step, mfa_error_name(rc), mfa_last_error_message(),
            mfa_error_name(want));
    return 1;
}
/* Secrets (passwords, tokens, recovery codes, the key ring) go in as (pointer, length). */
#define S(literal) (literal), (sizeof(literal) - 1)
#define EXPECT(step, call, want)                     \
    do {                                             \
        if (failed((step), (call), (want))) goto out; \
        printf("%-44s %s\n", (step), mfa_error_name(want)); \
    } while (0)

/* The string value of "member" in a flat JSON object, into out (the toolkit's JSON escapes no
 * character of a URI, a base32 secret or a recovery code). The service would use its JSON library. */
static int json_string(const char *json, const char *member, char *out, size_t cap) {
    char key[64];
    const char *p, *end;
    snprintf(key, sizeof key, "\"%s\":\"", member);
    if ((p = strstr(json, key)) == NULL) return 0;
    p += strlen(key);
    if ((end = strchr(p, '"')) == NULL || (size_t)(end - p) >= cap) return 0;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 1;
}

/* The phone: the code the authenticator app shows `steps` periods from now for the enrolled URI. */
static void phone_code(const char *uri, int steps, char *code, size_t cap) {
    mfa_otp_t *otp = NULL;
    size_t len = 0;
    code[0] = '\0';
    if (mfa_otp_from_uri(&otp, uri, NULL) == MFA_OK)
        mfa_otp_generate(otp, code, cap, &len, (int64_t)time(NULL) + 30 * steps);
    mfa_otp_free(&otp);
}

/* A wrong code: one the phone shows in none of the periods the window accepts. */
static void wrong_code(const char *uri, char *code, size_t cap) {
    char near[3][MFA_OTP_CODE_CAPACITY];
    int i;
    for (i = 0; i < 3; ++i) phone_code(uri, i - 1, near[i], sizeof near[i]);
    snprintf(code, cap, "000000");
    while (!strcmp(code, near[0]) || !strcmp(code, near[1]) || !strcmp(code, near[2])) ++code[5];
}

int main(int argc, char **argv) {
    const char *url = argc > 1 ? argv[1] : "memory:";
    const char *ip = "203.0.113.7";
    mfa_server_store_t *store = NULL;
    mfa_server_t *srv = NULL;
    mfa_server_options_t opts;
    mfa_server_verify_result_t vr;
    char *ring = NULL, *phc = NULL, *json = NULL;
    char uri[1024], code[MFA_OTP_CODE_CAPACITY], next[MFA_OTP_CODE_CAPACITY], wrong[MFA_OTP_CODE_CAPACITY];
    char recovery[64];
    int rc = 1, i;

    memset(&vr, 0, sizeof vr);
    vr.struct_size = sizeof vr;

    /* Once, at deployment: the store, and a key ring (keep it in a 0600 file or a secret manager:
     * the TOTP secrets in the store are encrypted under it). */
    EXPECT("open the store", mfa_server_store_open(&store, url), MFA_OK);
    EXPECT("make a key ring", mfa_server_keyring_generate(&ring), MFA_OK);
    EXPECT("options", mfa_server_options_init(&opts), MFA_OK);
    opts.issuer = "Example Service";
    EXPECT("the toolkit", mfa_server_new(&srv, store, ring, strlen(ring), &opts), MFA_OK);

    /* Sign-up: the password policy, then the hash the service stores with the account. */
    /* Refused in every build: with libpwquality (-Dpwquality) "password1" would be too, by the dictionary. */
    EXPECT("a weak password is refused", mfa_server_password_check(S("alice2024"), "alice"), MFA_ERR_PASSWORD_POLICY);
    EXPECT("a good password passes", mfa_server_password_check(S("correct horse battery"), "alice"), MFA_OK);
    EXPECT("hash it (Argon2id)", mfa_server_password_hash(&phc, S("correct horse battery")), MFA_OK);

    /* Enrollment: show the QR code (qr_svg / qr_png_data_uri of the JSON), then ask for a code to
     * prove the phone has the secret; only a confirmed secret counts. */
    EXPECT("begin TOTP enrollment", mfa_server_totp_begin(srv, &json, "alice", "alice@example.com", ip), MFA_OK);
    if (!json_string(json, "uri", uri, sizeof uri)) goto out;
    mfa_free(json); /* wipes it: it holds the secret */
    json = NULL;
    phone_code(uri, 0, code, sizeof code);
    EXPECT("confirm with the phone's code", mfa_server_totp_confirm(srv, &vr, "alice", code, ip), MFA_OK);
    EXPECT("recovery codes, shown once", mfa_server_recovery_generate(srv, &json, "alice", ip), MFA_OK);
    /* The first code of the JSON array, for the lost-phone step below. */
    if (sscanf(json, "[\"%63[^\"]\"", recovery) != 1) goto out;
    mfa_free(json);
    json = NULL;

    /* Login: the password, then the second factor. */
    EXPECT("password", mfa_server_password_verify(srv, &vr, "alice", S("correct horse battery"), phc, ip), MFA_OK);
    EXPECT("the code used to enroll is spent", mfa_server_totp_verify(srv, &vr, "alice", code, ip),
           MFA_ERR_OTP_CODE_REPLAYED);
    phone_code(uri, 1, next, sizeof next); /* the next period's code, within the ±1 step window */
    EXPECT("the next code logs in", mfa_server_totp_verify(srv, &vr, "alice", next, ip), MFA_OK);
    printf("%-44s amr \"%s\"\n", "  the result says how", vr.amr);
    EXPECT("the same code again (a replay)", mfa_server_totp_verify(srv, &vr, "alice", next, ip),
           MFA_ERR_OTP_CODE_REPLAYED);

    /* An attacker guessing: a few free failures, then delays that double (retry_after says how
     * long: show it), then the lock. */
    wrong_code(uri, wrong, sizeof wrong);
    for (i = 0; i < 3; ++i)
        EXPECT("a wrong code", mfa_server_totp_verify(srv, &vr, "alice", wrong, ip), MFA_ERR_OTP_CODE_MISMATCH);
    EXPECT("the next guess must wait", mfa_server_totp_verify(srv, &vr, "alice", wrong, ip), MFA_ERR_THROTTLED);
    printf("%-44s retry_after %lld s, %u failures\n", "", (long long)vr.retry_after, vr.failures);
    EXPECT("the lock status", mfa_server_lock_status(srv, &json, "alice"), MFA_OK);
    printf("%-44s %s\n", "", json);
    mfa_free(json);
    json = NULL;
    EXPECT("support unlocks it (audited)", mfa_server_unlock(srv, "alice", "support:bob", ip), MFA_OK);

    /* A lost phone: a recovery code works once. */
    EXPECT("a recovery code", mfa_server_recovery_use(srv, &vr, "alice", recovery, strlen(recovery), ip), MFA_OK);
    EXPECT("the same recovery code again", mfa_server_recovery_use(srv, &vr, "alice", recovery, strlen(recovery), ip),
           MFA_ERR_RECOVERY_CODE_INVALID);

    /* Everything above is in the tamper-evident audit chain. */
    {
        uint64_t records = 0;
        char head[65];
        size_t head_len = 0;
        EXPECT("the audit chain verifies", mfa_server_audit_verify(srv, &records, head, sizeof head, &head_len), MFA_OK);
        printf("%-44s %llu records, head %.16s…\n", "", (unsigned long long)records, head);
    }
    rc = 0;
out:
    mfa_free(json);
    mfa_free(phc);
    mfa_free(ring);
    mfa_server_free(&srv);
    mfa_server_store_free(&store);
    return rc;
}

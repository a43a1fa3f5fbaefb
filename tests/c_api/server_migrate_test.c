/* Migration through the C ABI (mfa_server.h "Migration"): ~/.google_authenticator files (TOTP with
 * DISALLOW_REUSE and scratch codes, an HOTP_COUNTER file with its window, a second import, every
 * refusal naming the line) and pam-u2f mappings (comments, several keys and several lines of a
 * user, old-format and resident keys, appid=, one user only, errors naming line, credential and
 * field, all or nothing). Keys are made with OpenSSL as pamu2fcfg prints them. */
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"

#define GA_SECRET "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

/* A fresh P-256 key's public point as pamu2fcfg prints it: standard base64 of x||y (new format)
 * or, old, hex of 0x04||x||y. */
static void p256_key(char *b64, size_t b64_cap, char *hex, size_t hex_cap) {
    unsigned char pt[65];
    size_t n = 0, i;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    b64[0] = hex[0] = '\0';
    if (k == NULL || !EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof pt, &n) ||
        n != 65 || b64_cap < 89 || hex_cap < 131) {
        EVP_PKEY_free(k);
        return;
    }
    EVP_EncodeBlock((unsigned char *)b64, pt + 1, 64);
    for (i = 0; i < 65; ++i) snprintf(hex + 2 * i, 3, "%02x", pt[i]);
    EVP_PKEY_free(k);
}

/* The code of an OTP account (otpauth URI) at a time (TOTP) or counter (HOTP). */
static void code_at(const char *uri, uint64_t step_or_counter, char *out, size_t cap) {
    mfa_otp_t *otp = NULL;
    size_t len = 0;
    out[0] = '\0';
    CHECK_OK(mfa_otp_from_uri(&otp, uri, NULL));
    CHECK_OK(mfa_otp_generate_at(otp, out, cap, &len, step_or_counter));
    mfa_otp_free(&otp);
}

static mfa_server_t *toolkit(const char *ring, const char *rp_id) {
    mfa_server_store_t *store = NULL;
    mfa_server_t *srv = NULL;
    mfa_server_options_t opts;
    CHECK_OK(mfa_server_store_open(&store, "memory:"));
    CHECK_OK(mfa_server_options_init(&opts));
    opts.webauthn_rp_id = rp_id;
    opts.webauthn_origins = rp_id;
    CHECK_OK(mfa_server_new(&srv, store, SECRET_STR(ring), &opts));
    mfa_server_store_free(&store);
    return srv;
}

static void test_google_authenticator(const char *ring) {
    static const char totp_file[] = GA_SECRET "\n\" RATE_LIMIT 3 30 1700000000 1700000010\n\" WINDOW_SIZE 3\n"
                                              "\" DISALLOW_REUSE 56666666\n\" TOTP_AUTH\n11111111\n22222222\n";
    static const char hotp_file[] = GA_SECRET "\n\" HOTP_COUNTER 5\n\" WINDOW_SIZE 3\n33333333\n";
    static const char reuse_file[] = GA_SECRET "\r\n\" TOTP_AUTH\r\n";
    char big[1100], code[16];
    char *json = NULL;
    mfa_server_t *srv = toolkit(ring, "pam://host");
    mfa_server_verify_result_t vr;
    const uint64_t step = (uint64_t)time(NULL) / 30;

    memset(&vr, 0, sizeof vr);
    vr.struct_size = sizeof vr;
    if (srv == NULL) return;

    /* TOTP with DISALLOW_REUSE and two scratch codes */
    CHECK_OK(mfa_server_import_google_authenticator(srv, &json, "alice", SECRET(totp_file), "admin", "192.0.2.1"));
    CHECK(json != NULL && strstr(json, "\"user\":\"alice\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"totp_imported\":true") != NULL);
    CHECK(json != NULL && strstr(json, "\"recovery_codes\":2") != NULL);
    CHECK(json != NULL && strstr(json, "RATE_LIMIT not kept") != NULL);
    CHECK(json != NULL && strstr(json, "reused") == NULL); /* DISALLOW_REUSE: the replay guard is what it asked for */
    mfa_free(json);
    json = NULL;
    code_at("otpauth://totp/a?secret=" GA_SECRET, step, code, sizeof code);
    CHECK_OK(mfa_server_totp_verify(srv, &vr, "alice", code, NULL));
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "alice", code, NULL), MFA_ERR_OTP_CODE_REPLAYED);
    CHECK_OK(mfa_server_recovery_use(srv, &vr, "alice", SECRET("22222222"), NULL));
    CHECK_RC(mfa_server_recovery_use(srv, &vr, "alice", SECRET("22222222"), NULL), MFA_ERR_RECOVERY_CODE_INVALID);
    /* Imported again (the module does so on every login until it has): the store's factor stays. */
    CHECK_OK(mfa_server_import_google_authenticator(srv, &json, "alice", SECRET(totp_file), NULL, NULL));
    CHECK(json != NULL && strstr(json, "\"totp_imported\":false") != NULL);
    CHECK(json != NULL && strstr(json, "\"recovery_codes\":0") != NULL);
    mfa_free(json);
    json = NULL;
    CHECK_RC(mfa_server_recovery_use(srv, &vr, "alice", SECRET("22222222"), NULL), MFA_ERR_RECOVERY_CODE_INVALID);

    /* Without DISALLOW_REUSE (CRLF lines): the note says reuse ends here. */
    CHECK_OK(mfa_server_import_google_authenticator(srv, &json, "carol", SECRET(reuse_file), NULL, NULL));
    CHECK(json != NULL && strstr(json, "codes can no longer be reused") != NULL);
    CHECK(json != NULL && strstr(json, "\"recovery_codes\":0") != NULL);
    mfa_free(json);
    json = NULL;

    /* HOTP_COUNTER 5, WINDOW_SIZE 3: counters 5, 6, 7; then the window follows the accepted code. */
    CHECK_OK(mfa_server_import_google_authenticator(srv, &json, "bob", SECRET(hotp_file), NULL, NULL));
    CHECK(json != NULL && strstr(json, "HOTP counter 5 and WINDOW_SIZE 3 kept") != NULL);
    mfa_free(json);
    json = NULL;
    code_at("otpauth://hotp/b?secret=" GA_SECRET "&counter=0", 4, code, sizeof code);
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "bob", code, NULL), MFA_ERR_OTP_CODE_MISMATCH); /* before the counter */
    code_at("otpauth://hotp/b?secret=" GA_SECRET "&counter=0", 8, code, sizeof code);
    CHECK_RC(mfa_server_totp_verify(srv, &vr, "bob", code, NULL), MFA_ERR_OTP_CODE_MISMATCH); /* beyond the window */
    code_at("otpauth://hotp/b?secret=" GA_SECRET "&counter=0", 5, code, sizeof code);
    CHECK_OK(mfa_server_totp_verify(srv, &vr, "bob", code, NULL));
    CHECK(vr.status == MFA_OK && strcmp(vr.amr, "otp") == 0);
    CHECK(mfa_server_totp_verify(srv, &vr, "bob", code, NULL) != MFA_OK); /* once */
    code_at("otpauth://hotp/b?secret=" GA_SECRET "&counter=0", 8, code, sizeof code);
    CHECK_OK(mfa_server_totp_verify(srv, &vr, "bob", code, NULL)); /* 6, 7, 8 now: a resync */
    CHECK_OK(mfa_server_recovery_use(srv, &vr, "bob", SECRET("33333333"), NULL));

    /* Refusals: the detail names the line; nothing is imported. */
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", SECRET(GA_SECRET "\n\" HOTP_COUNTER 0\n"), NULL, NULL),
             MFA_ERR_UNSUPPORTED);
    CHECK_DETAIL("HOTP_COUNTER 0");
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", "", 0, NULL, NULL), MFA_ERR_PARSE);
    CHECK_DETAIL("empty");
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", SECRET(GA_SECRET "\n\" TOTP_AUTH\n\" NO_SUCH\n"), NULL, NULL),
             MFA_ERR_PARSE);
    CHECK_DETAIL("google_authenticator line 3: unknown option 'NO_SUCH'");
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", SECRET(GA_SECRET "\n\" TOTP_AUTH\n1234\n"), NULL, NULL),
             MFA_ERR_PARSE);
    CHECK_DETAIL("line 3: a scratch code must be 8 digits");
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", SECRET("JBSWY3DP1\n\" TOTP_AUTH\n"), NULL, NULL),
             MFA_ERR_PARSE);
    CHECK_DETAIL("line 1");
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", SECRET(GA_SECRET "\n\" WINDOW_SIZE 3\n"), NULL, NULL),
             MFA_ERR_PARSE);
    CHECK_DETAIL("neither TOTP_AUTH nor HOTP_COUNTER");
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", SECRET(GA_SECRET "\n\" TOTP_AUTH\n11111111\n\" WINDOW_SIZE 5\n"),
                                                    NULL, NULL),
             MFA_ERR_PARSE);
    CHECK_DETAIL("line 4: an option after the scratch codes");
    memset(big, '1', sizeof big);
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", big, sizeof big, NULL, NULL), MFA_ERR_LIMIT_EXCEEDED);
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", NULL, 10, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, "dave", NULL, 0, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("file");
    CHECK_RC(mfa_server_import_google_authenticator(srv, &json, NULL, SECRET(totp_file), NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("user");
    CHECK_RC(mfa_server_import_google_authenticator(srv, NULL, "dave", SECRET(totp_file), NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_server_import_google_authenticator(NULL, &json, "dave", SECRET(totp_file), NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL);
    CHECK_OK(mfa_server_factor_state(srv, &json, "dave"));
    CHECK(json != NULL && strstr(json, "\"totp\":false") != NULL && strstr(json, "\"recovery_codes_left\":0") != NULL);
    mfa_free(json);
    mfa_server_free(&srv);
}

/* How many of the user's keys mfa_server_webauthn_list shows. */
static int key_count(mfa_server_t *srv, const char *user) {
    char *json = NULL;
    const char *p;
    int n = 0;
    CHECK_OK(mfa_server_webauthn_list(srv, &json, user));
    for (p = json; p != NULL && (p = strstr(p, "\"name\":\"pam-u2f key ")) != NULL; ++p) ++n;
    mfa_free(json);
    return n;
}

static void test_pam_u2f(const char *ring) {
    char k1[96], k2[96], k3[96], k4[96], old[140], unused[140];
    char file[2048], bad[1024];
    char *json = NULL;
    mfa_server_u2f_import_options_t o;
    mfa_server_t *srv = toolkit(ring, "pam://host");
    if (srv == NULL) return;
    p256_key(k1, sizeof k1, unused, sizeof unused);
    p256_key(k2, sizeof k2, unused, sizeof unused);
    p256_key(k3, sizeof k3, unused, sizeof unused);
    p256_key(k4, sizeof k4, old, sizeof old);
    CHECK(k1[0] != '\0' && old[0] != '\0');

    /* A central authfile: comments, alice with two keys, bob's old-format key, carol's resident
     * key, and dave on two lines (the last one counts, as in pam-u2f). */
    snprintf(file, sizeof file,
             "# fleet authfile\n\n"
             "alice:AQID,%s,es256,+presence:BAUG,%s,es256,+presence+pin\n"
             "bob:AAECAwQFBgcICQ,%s\n"
             "carol:*,%s,es256,+presence\n"
             "dave:CgsM,%s,es256,+presence\n"
             "# dave got a new key\n"
             "dave:DQ4P,%s,es256,+presence\n",
             k1, k2, old, k3, k3, k4);
    CHECK_RC(mfa_server_u2f_import_options_init(NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_u2f_import_options_init(&o));
    CHECK(o.struct_size == sizeof o && o.user == NULL && o.appid == NULL);
    CHECK_OK(mfa_server_import_pam_u2f(srv, &json, file, strlen(file), NULL, "admin", NULL));
    CHECK(json != NULL && strncmp(json, "{\"keys_imported\":4,", 19) == 0); /* alice 2, bob 1, dave 1 */
    CHECK(json != NULL && strstr(json, "{\"keys_imported\":2,\"line\":3") != NULL);
    CHECK(json != NULL && strstr(json, "the module's `pin` option") != NULL);
    CHECK(json != NULL && strstr(json, "resident credential") != NULL);
    CHECK(json != NULL && strstr(json, "\"line\":8") != NULL && strstr(json, "\"line\":6") == NULL);
    mfa_free(json);
    json = NULL;
    CHECK(key_count(srv, "alice") == 2);
    CHECK(key_count(srv, "bob") == 1);
    CHECK(key_count(srv, "carol") == 0);
    CHECK(key_count(srv, "dave") == 1);

    /* Again: nothing new, every key kept. */
    CHECK_OK(mfa_server_import_pam_u2f(srv, &json, file, strlen(file), NULL, NULL, NULL));
    CHECK(json != NULL && strstr(json, "already registered: kept") != NULL);
    mfa_free(json);
    json = NULL;

    /* One user only; appid=: bob's old-format key does not verify under the rp id. */
    mfa_server_free(&srv);
    srv = toolkit(ring, "pam://host");
    if (srv == NULL) return;
    o.user = "nobody";
    CHECK_RC(mfa_server_import_pam_u2f(srv, &json, file, strlen(file), &o, NULL, NULL), MFA_ERR_NOT_FOUND);
    CHECK_DETAIL("no line for nobody");
    o.user = "bob";
    o.appid = "pam://other";
    CHECK_OK(mfa_server_import_pam_u2f(srv, &json, file, strlen(file), &o, NULL, NULL));
    CHECK(json != NULL && strncmp(json, "{\"keys_imported\":0,", 19) == 0);
    CHECK(json != NULL && strstr(json, "registered under appid pam://other") != NULL);
    mfa_free(json);
    json = NULL;
    o.appid = "pam://host";
    CHECK_OK(mfa_server_import_pam_u2f(srv, &json, file, strlen(file), &o, NULL, NULL));
    CHECK(json != NULL && strncmp(json, "{\"keys_imported\":1,", 19) == 0 && strstr(json, "alice") == NULL);
    mfa_free(json);
    json = NULL;
    CHECK(key_count(srv, "alice") == 0);

    /* An empty file, and one of comments only: nothing to import, not an error. */
    CHECK_OK(mfa_server_import_pam_u2f(srv, &json, "", 0, NULL, NULL, NULL));
    CHECK_STR(json, "{\"keys_imported\":0,\"users\":[]}");
    mfa_free(json);
    json = NULL;
    CHECK_OK(mfa_server_import_pam_u2f(srv, &json, SECRET("# nobody yet\n\n"), NULL, NULL, NULL));
    CHECK_STR(json, "{\"keys_imported\":0,\"users\":[]}");
    mfa_free(json);
    json = NULL;

    /* Errors name the line, the credential and the field; a bad line anywhere imports nothing. */
    snprintf(bad, sizeof bad, "alice:AQID,%s,es256,+presence\n# x\nerin:BAUG,%s,es256,+presence:BwgJ,AAAA,es256\n", k1, k2);
    CHECK_RC(mfa_server_import_pam_u2f(srv, &json, bad, strlen(bad), NULL, NULL, NULL), MFA_ERR_PARSE);
    CHECK_DETAIL("u2f_keys line 3, credential 2: public key");
    CHECK(key_count(srv, "alice") == 0);
    snprintf(bad, sizeof bad, "erin:BAUG,%s,es512,+presence\n", k2);
    CHECK_RC(mfa_server_import_pam_u2f(srv, &json, bad, strlen(bad), NULL, NULL, NULL), MFA_ERR_PARSE);
    CHECK_DETAIL("line 1, credential 1: COSE type");
    snprintf(bad, sizeof bad, "erin:BAUG,%s,es256,+touch\n", k2);
    CHECK_RC(mfa_server_import_pam_u2f(srv, &json, bad, strlen(bad), NULL, NULL, NULL), MFA_ERR_PARSE);
    CHECK_DETAIL("options");
    CHECK_RC(mfa_server_import_pam_u2f(srv, &json, SECRET(":AQID,AAAA,es256\n"), NULL, NULL, NULL), MFA_ERR_PARSE);
    CHECK_DETAIL("no user name");
    /* Another user's bad line is not parsed when one user is asked for (pam-u2f skips it too). */
    o.user = "alice";
    o.appid = NULL;
    snprintf(bad, sizeof bad, "alice:AQID,%s,es256,+presence\nerin:garbage\n", k1);
    CHECK_OK(mfa_server_import_pam_u2f(srv, &json, bad, strlen(bad), &o, NULL, NULL));
    mfa_free(json);
    json = NULL;
    CHECK(key_count(srv, "alice") == 1);

    CHECK_RC(mfa_server_import_pam_u2f(srv, &json, NULL, 3, NULL, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("mappings");
    o.struct_size = sizeof(size_t);
    CHECK_RC(mfa_server_import_pam_u2f(srv, &json, file, strlen(file), &o, NULL, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");
    CHECK(json == NULL);
    mfa_server_free(&srv);
}

int main(void) {
    char *ring = NULL;
    CHECK_OK(mfa_server_keyring_generate(&ring));
    if (ring != NULL) {
        test_google_authenticator(ring);
        test_pam_u2f(ring);
    }
    mfa_free(ring);
    return check_finish("c_api_server_migrate");
}

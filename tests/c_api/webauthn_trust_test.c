/* C ABI: attestation trust anchors, from plain C99. Uses the root PEMs of the shared conformance
 * corpus (MFA_SHARED_DIR); exits 77 (skipped) when it is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfa/mfa.h"

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: %s (%s)\n", __FILE__, __LINE__, #cond,       \
                    mfa_last_error_message());                                   \
            return 1;                                                            \
        }                                                                        \
    } while (0)

static char *read_text(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

int main(void) {
    const char *shared = getenv("MFA_SHARED_DIR");
    char dir[1024], file[1200];
    mfa_webauthn_trust_t *ta = NULL;
    size_t roots = 99, entries = 99, len = 0;
    char *pem;
    static const char bad[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

    if (shared == NULL || *shared == '\0') {
        fprintf(stderr, "skipped: MFA_SHARED_DIR is not set\n");
        return 77;
    }
    snprintf(dir, sizeof dir, "%s/conformance/webauthn", shared);
    snprintf(file, sizeof file, "%s/root-microsoft-tpm-root-ca-2014.pem", dir);
    pem = read_text(file, &len);
    if (pem == NULL) {
        fprintf(stderr, "skipped: %s is absent\n", file);
        return 77;
    }

    CHECK(mfa_webauthn_trust_new(NULL) == MFA_ERR_INVALID_ARGUMENT);
    CHECK(mfa_webauthn_trust_new(&ta) == MFA_OK && ta != NULL);
    CHECK(mfa_webauthn_trust_get_count(ta, &roots, &entries) == MFA_OK && roots == 0 && entries == 0);
    CHECK(mfa_webauthn_trust_add_pem(ta, "tpm", pem, len) == MFA_OK);
    CHECK(mfa_webauthn_trust_get_count(ta, &roots, NULL) == MFA_OK && roots == 1);
    CHECK(mfa_webauthn_trust_add_pem(ta, "tpm", bad, sizeof bad - 1) == MFA_ERR_INVALID_ARGUMENT);
    CHECK(strlen(mfa_last_error_message()) > 0);
    CHECK(mfa_webauthn_trust_add_pem(ta, NULL, "no pem", 6) == MFA_ERR_INVALID_ARGUMENT);
    CHECK(mfa_webauthn_trust_add_der(ta, "packed", (const uint8_t *)"\x30\x00", 2) == MFA_ERR_INVALID_ARGUMENT);
    /* Every PEM directly in the corpus folder applies to every format. */
    CHECK(mfa_webauthn_trust_add_dir(ta, dir) == MFA_OK);
    CHECK(mfa_webauthn_trust_get_count(ta, &roots, &entries) == MFA_OK && roots > 10 && entries == 0);
    CHECK(mfa_webauthn_trust_add_dir(ta, "/nonexistent/mfakit") == MFA_ERR_IO);
    CHECK(mfa_webauthn_trust_load_mds_blob(ta, "/nonexistent/blob.jwt", pem, len, 0) == MFA_ERR_IO);
    CHECK(mfa_webauthn_trust_load_mds_blob(ta, file, pem, len, 0) == MFA_ERR_MDS_BLOB_INVALID);
    CHECK(strcmp(mfa_strerror(MFA_ERR_ATT_UNTRUSTED), "unknown error") != 0);

    /* The relying-party handle takes a copy of the set (the one way to give it trust anchors). */
    {
        mfa_webauthn_rp_t *rp = NULL;
        CHECK(mfa_webauthn_rp_new(&rp, "example.com", NULL) == MFA_OK);
        CHECK(mfa_webauthn_rp_set_trust(rp, ta) == MFA_OK);
        CHECK(mfa_webauthn_rp_set_trust(rp, NULL) == MFA_ERR_INVALID_ARGUMENT);
        CHECK(mfa_webauthn_rp_set_attestation_policy(rp, MFA_WEBAUTHN_ATT_REQUIRE_TRUSTED | MFA_WEBAUTHN_ATT_ALLOW_MDS_COMPROMISED) == MFA_OK);
        mfa_webauthn_rp_free(&rp);
        CHECK(rp == NULL);
    }

    mfa_webauthn_trust_free(&ta);
    CHECK(ta == NULL);
    mfa_webauthn_trust_free(&ta);
    mfa_webauthn_trust_free(NULL);
    free(pem);
    return 0;
}

/* The COSE part of the C ABI, from C99: a P-256 key made with OpenSSL, written as a COSE_Key by
 * hand, a signature made with OpenSSL, verified through mfa_cose_verify. */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "mfa/mfa.h"

static int failures = 0;
#define CHECK(cond)                                                   \
    do {                                                              \
        if (!(cond)) {                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                               \
        }                                                             \
    } while (0)

static size_t put_coord(uint8_t *out, const EVP_PKEY *k, const char *name) {
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(k, name, &bn) != 1) return 0;
    out[0] = 0x58; /* byte string, 1-byte length */
    out[1] = 32;
    BN_bn2binpad(bn, out + 2, 32);
    BN_free(bn);
    return 34;
}

int main(void) {
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t key[128];
    size_t n = 0;
    const uint8_t head[] = {0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21}; /* {1:2, 3:-7, -1:1, -2: */
    memcpy(key, head, sizeof head);
    n = sizeof head;
    n += put_coord(key + n, k, OSSL_PKEY_PARAM_EC_PUB_X);
    key[n++] = 0x22; /* -3: */
    n += put_coord(key + n, k, OSSL_PKEY_PARAM_EC_PUB_Y);
    CHECK(n == sizeof head + 34 + 1 + 34);

    const uint8_t data[] = "authenticator data || client data hash";
    uint8_t sig[80];
    size_t sig_len = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    CHECK(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) == 1);
    CHECK(EVP_DigestSign(ctx, sig, &sig_len, data, sizeof data) == 1);
    EVP_MD_CTX_free(ctx);

    int64_t alg = 0;
    CHECK(mfa_cose_key_alg(&alg, key, n, 0) == MFA_OK);
    CHECK(alg == MFA_COSE_ES256);
    CHECK(mfa_cose_verify(key, n, data, sizeof data, sig, sig_len, 0) == MFA_OK);
    sig[sig_len - 1] ^= 1;
    CHECK(mfa_cose_verify(key, n, data, sizeof data, sig, sig_len, 0) == MFA_ERR_COSE_SIGNATURE_INVALID);
    CHECK(mfa_cose_verify(key, n, data, sizeof data, sig, sig_len, MFA_COSE_ECDSA_RAW) == MFA_ERR_COSE_SIGNATURE_FORMAT);
    CHECK(mfa_cose_verify(key, n - 1, data, sizeof data, sig, sig_len, 0) == MFA_ERR_CBOR_TRUNCATED);
    CHECK(strlen(mfa_last_error_message()) > 0);
    key[4] = 0x22; /* alg -3: unknown */
    CHECK(mfa_cose_key_alg(&alg, key, n, 0) == MFA_ERR_COSE_UNSUPPORTED_ALG);
    CHECK(mfa_cose_key_alg(NULL, key, n, 0) == MFA_ERR_INVALID_ARGUMENT);
    CHECK(mfa_cose_verify(key, n, NULL, 1, sig, sig_len, 0) == MFA_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(mfa_strerror(MFA_ERR_COSE_ALG_DISABLED), "COSE algorithm disabled by policy") == 0);
    EVP_PKEY_free(k);
    if (failures == 0) printf("cose C ABI: all checks passed\n");
    return failures == 0 ? 0 : 1;
}

/* mfakit C ABI: COSE keys and signature verification (docs/cbor-cose.md).
 *
 * A COSE_Key is passed as its CBOR bytes (what a relying party stores from the attested credential
 * data). Keys are checked strictly: canonical CBOR, required labels, lengths, the point on its
 * curve, the algorithm consistent with the key. Inputs are borrowed for the call only.
 *
 * Thread safety: there are no handles here; every function may be called from any thread. */
#ifndef MFA_COSE_H
#define MFA_COSE_H

#include "mfa/mfa_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* COSE algorithm identifiers this library verifies. */
#define MFA_COSE_ES256 (-7)
#define MFA_COSE_ES384 (-35)
#define MFA_COSE_ES512 (-36)
#define MFA_COSE_EDDSA (-8)
#define MFA_COSE_RS256 (-257)
#define MFA_COSE_RS384 (-258)
#define MFA_COSE_RS512 (-259)
#define MFA_COSE_PS256 (-37)
#define MFA_COSE_PS384 (-38)
#define MFA_COSE_PS512 (-39)
#define MFA_COSE_RS1 (-65535)

/* Flags for mfa_cose_verify. */
#define MFA_COSE_ALLOW_RS1 0x1u  /* accept RS1 (SHA-1); otherwise MFA_ERR_COSE_ALG_DISABLED */
#define MFA_COSE_ECDSA_RAW 0x2u  /* ECDSA signature is r || s (COSE) instead of DER (WebAuthn) */
#define MFA_COSE_LENIENT_CBOR 0x4u /* accept a non-canonical key encoding (keys stored by other libraries) */

/* Checks a COSE_Key and writes its algorithm identifier to *alg.
 * Errors: MFA_ERR_CBOR_*, MFA_ERR_COSE_KEY_INVALID, MFA_ERR_COSE_UNSUPPORTED_ALG / _KEY_TYPE /
 * _CURVE, MFA_ERR_COSE_ALG_MISMATCH, MFA_ERR_COSE_KEY_SIZE; MFA_ERR_INVALID_ARGUMENT for NULLs. */
MFA_EXPORT int mfa_cose_key_alg(int64_t *alg, const uint8_t *cose_key, size_t cose_key_len, unsigned flags);

/* Verifies sig over data with the key's own algorithm. MFA_OK when it verifies;
 * MFA_ERR_COSE_SIGNATURE_INVALID when it does not; MFA_ERR_COSE_SIGNATURE_FORMAT for a malformed
 * signature; MFA_ERR_COSE_ALG_DISABLED for RS1 without MFA_COSE_ALLOW_RS1; the key errors above.
 * data may be NULL when data_len is 0. */
MFA_EXPORT int mfa_cose_verify(const uint8_t *cose_key, size_t cose_key_len, const uint8_t *data, size_t data_len,
                               const uint8_t *sig, size_t sig_len, unsigned flags);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_COSE_H */

/* mfakit C ABI: WebAuthn attestation trust anchors (docs/webauthn-attestation.md).
 *
 * A trust-anchor set holds the root certificates a relying party accepts per attestation format
 * ("packed", "tpm", "android-key", "android-safetynet", "apple", "fido-u2f"; NULL, "" or "*" for
 * every format) and, optionally, a verified FIDO MDS3 BLOB whose entries add per-authenticator
 * roots and status. The relying-party handle takes a set by copy; the set can be freed afterwards.
 * Usable alone as C99 and C++.
 *
 * Thread safety: a set is built by one thread at a time (mfa_common.h); once handed to a relying
 * party it is copied, so the relying party's verifications never touch the caller's set.
 */
#ifndef MFA_WEBAUTHN_TRUST_H
#define MFA_WEBAUTHN_TRUST_H

#include "mfa/mfa_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mfa_webauthn_trust mfa_webauthn_trust_t;

/* Creates an empty set. */
MFA_EXPORT int mfa_webauthn_trust_new(mfa_webauthn_trust_t **out);
/* Frees *anchors and sets it to NULL; NULL and *anchors == NULL are fine. */
MFA_EXPORT void mfa_webauthn_trust_free(mfa_webauthn_trust_t **anchors);

/* Adds every "-----BEGIN CERTIFICATE-----" block of pem[0..len) for format fmt. A block that is not
 * a certificate fails the call with MFA_ERR_INVALID_ARGUMENT and adds nothing. Limits: 1 MiB of
 * text, 4096 roots per set (MFA_ERR_LIMIT_EXCEEDED). */
MFA_EXPORT int mfa_webauthn_trust_add_pem(mfa_webauthn_trust_t *anchors, const char *fmt, const char *pem, size_t len);
/* Adds one DER certificate for format fmt. */
MFA_EXPORT int mfa_webauthn_trust_add_der(mfa_webauthn_trust_t *anchors, const char *fmt, const uint8_t *der, size_t len);
/* Adds the *.pem / *.crt files of a directory: files directly in dir apply to every format, files in
 * a subdirectory named after a format (dir/tpm/...) to that format. MFA_ERR_IO when unreadable;
 * nothing is added when any file fails. */
MFA_EXPORT int mfa_webauthn_trust_add_dir(mfa_webauthn_trust_t *anchors, const char *dir);

/* Verifies the MDS3 BLOB in file `path` (a JWT, at most 32 MiB) against the MDS root certificate(s)
 * root_pem[0..root_len) at verification_time (Unix seconds; 0 = now), and keeps it, replacing any
 * BLOB loaded before. Errors: MFA_ERR_MDS_BLOB_INVALID, MFA_ERR_MDS_UNTRUSTED,
 * MFA_ERR_MDS_SIGNATURE_INVALID, MFA_ERR_MDS_BLOB_EXPIRED, MFA_ERR_IO. */
MFA_EXPORT int mfa_webauthn_trust_load_mds_blob(mfa_webauthn_trust_t *anchors, const char *path, const char *root_pem,
                                               size_t root_len, int64_t verification_time);

/* Number of root certificates in the set (the MDS entries' roots are not counted), and the number
 * of MDS entries (0 when no BLOB is loaded). */
MFA_EXPORT int mfa_webauthn_trust_get_count(const mfa_webauthn_trust_t *anchors, size_t *roots, size_t *mds_entries);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_WEBAUTHN_TRUST_H */

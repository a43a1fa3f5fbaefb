/* mfakit C ABI: the conventions, status codes and library-wide functions every component header
 * (mfa_<component>.h) builds on. Include mfa.h to get all of them.
 *
 * Conventions (docs/ABI.md):
 *  - Every function returns int: MFA_OK (0), a negative MFA_ERR_* code, or (for FIDO2 calls) a
 *    positive CTAP2 status passed through. mfa_strerror() explains any code; after a failure,
 *    mfa_last_error_message() gives the detail (which field, which position) for this thread.
 *  - Handles are opaque: mfa_<thing>_new()/..._free(mfa_<thing>_t **) pairs; free is NULL-safe and
 *    sets the pointer to NULL.
 *  - Arguments: handle, outputs, then inputs. Outputs go to caller buffers (out, cap, &len): when cap
 *    is too small the call fails with MFA_ERR_BUFFER_TOO_SMALL and *len holds the size needed.
 *    Strings written to caller buffers are NUL-terminated and *len excludes the NUL.
 *  - Memory the library allocates for the caller is released with mfa_free().
 *  - No function keeps a pointer it was given; inputs are borrowed for the duration of the call.
 *  - Thread safety: distinct handles may be used from distinct threads; one handle is not to be used
 *    from two threads at once.
 */
#ifndef MFA_COMMON_H
#define MFA_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "mfa/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define MFA_EXPORT __attribute__((visibility("default")))
#else
#define MFA_EXPORT
#endif

/* ---- Status codes (never renumbered; docs/errors.md) ---------------------------------------- */
#define MFA_OK 0
/* general */
#define MFA_ERR_INVALID_ARGUMENT (-1)
#define MFA_ERR_BUFFER_TOO_SMALL (-2)
#define MFA_ERR_NO_MEMORY (-3)
#define MFA_ERR_INTERNAL (-4)
#define MFA_ERR_CRYPTO (-5)
#define MFA_ERR_LIMIT_EXCEEDED (-6)
#define MFA_ERR_UNSUPPORTED (-7)
#define MFA_ERR_NOT_FOUND (-8)
#define MFA_ERR_IO (-9)
#define MFA_ERR_PARSE (-10)
/* encodings */
#define MFA_ERR_BASE32_INVALID (-20)
#define MFA_ERR_BASE64_INVALID (-21)
#define MFA_ERR_HEX_INVALID (-22)
/* OTP */
#define MFA_ERR_OTP_CODE_FORMAT (-100)
#define MFA_ERR_OTP_CODE_MISMATCH (-101)
#define MFA_ERR_OTP_CODE_REPLAYED (-102)
#define MFA_ERR_OTP_SECRET_TOO_SHORT (-103)
#define MFA_ERR_OTP_SECRET_TOO_LONG (-104)
#define MFA_ERR_URI_INVALID (-110)
#define MFA_ERR_URI_SCHEME (-111)
#define MFA_ERR_URI_TYPE (-112)
#define MFA_ERR_URI_LABEL (-113)
#define MFA_ERR_URI_SECRET (-114)
#define MFA_ERR_URI_PARAMETER (-115)
#define MFA_ERR_URI_ISSUER_MISMATCH (-116)
#define MFA_ERR_URI_TOO_LONG (-117)
#define MFA_ERR_MIGRATION_INVALID (-120)
#define MFA_ERR_MIGRATION_FIELD (-121)
/* WebAuthn attestation */
#define MFA_ERR_ATT_FORMAT_UNSUPPORTED (-330)
#define MFA_ERR_ATT_STATEMENT_INVALID (-331)
#define MFA_ERR_ATT_SIGNATURE_INVALID (-332)
#define MFA_ERR_ATT_CERTIFICATE_INVALID (-333)
#define MFA_ERR_ATT_UNTRUSTED (-334)
#define MFA_ERR_ATT_AAGUID_MISMATCH (-335)
#define MFA_ERR_ATT_ALGORITHM (-336)
#define MFA_ERR_ATT_PUBLIC_KEY_MISMATCH (-337)
#define MFA_ERR_ATT_SHA1_REJECTED (-338)
#define MFA_ERR_ATT_TPM_STRUCTURE (-340)
#define MFA_ERR_ATT_TPM_PUBAREA_MISMATCH (-341)
#define MFA_ERR_ATT_TPM_CERTINFO (-342)
#define MFA_ERR_ATT_TPM_AIK_CERTIFICATE (-343)
#define MFA_ERR_ATT_ANDROID_KEY_DESCRIPTION (-345)
#define MFA_ERR_ATT_ANDROID_CHALLENGE (-346)
#define MFA_ERR_ATT_ANDROID_AUTHORIZATION (-347)
#define MFA_ERR_ATT_SAFETYNET_JWS (-350)
#define MFA_ERR_ATT_SAFETYNET_NONCE (-351)
#define MFA_ERR_ATT_SAFETYNET_CTS_PROFILE (-352)
#define MFA_ERR_ATT_SAFETYNET_TIMESTAMP (-353)
#define MFA_ERR_ATT_SAFETYNET_CERTIFICATE (-354)
#define MFA_ERR_ATT_APPLE_NONCE (-356)
#define MFA_ERR_MDS_BLOB_INVALID (-360)
#define MFA_ERR_MDS_SIGNATURE_INVALID (-361)
#define MFA_ERR_MDS_UNTRUSTED (-362)
#define MFA_ERR_MDS_BLOB_EXPIRED (-363)
#define MFA_ERR_MDS_AUTHENTICATOR_REVOKED (-364)
/* CBOR, COSE, authenticator data */
#define MFA_ERR_CBOR_TRUNCATED (-200)
#define MFA_ERR_CBOR_MALFORMED (-201)
#define MFA_ERR_CBOR_NON_CANONICAL (-202)
#define MFA_ERR_CBOR_KEY_ORDER (-203)
#define MFA_ERR_CBOR_DUPLICATE_KEY (-204)
#define MFA_ERR_CBOR_INDEFINITE (-205)
#define MFA_ERR_CBOR_DEPTH (-206)
#define MFA_ERR_CBOR_LIMIT (-207)
#define MFA_ERR_CBOR_TRAILING (-208)
#define MFA_ERR_CBOR_INVALID_UTF8 (-209)
#define MFA_ERR_CBOR_UNSUPPORTED (-210)
#define MFA_ERR_CBOR_TYPE (-211)
#define MFA_ERR_CBOR_MISSING_KEY (-212)
#define MFA_ERR_CBOR_INT_RANGE (-213)
#define MFA_ERR_COSE_KEY_INVALID (-220)
#define MFA_ERR_COSE_UNSUPPORTED_ALG (-221)
#define MFA_ERR_COSE_UNSUPPORTED_KEY_TYPE (-222)
#define MFA_ERR_COSE_UNSUPPORTED_CURVE (-223)
#define MFA_ERR_COSE_ALG_MISMATCH (-224)
#define MFA_ERR_COSE_SIGNATURE_INVALID (-225)
#define MFA_ERR_COSE_SIGNATURE_FORMAT (-226)
#define MFA_ERR_COSE_ALG_DISABLED (-227)
#define MFA_ERR_COSE_KEY_SIZE (-228)
#define MFA_ERR_AUTHDATA_TRUNCATED (-235)
#define MFA_ERR_AUTHDATA_FLAGS (-236)
#define MFA_ERR_AUTHDATA_TRAILING (-237)
#define MFA_ERR_AUTHDATA_CREDENTIAL_ID (-238)
#define MFA_ERR_AUTHDATA_EXTENSIONS (-239)
#define MFA_ERR_ATTESTATION_OBJECT_INVALID (-240)
/* WebAuthn relying party (-250 .. -329) */
#define MFA_ERR_WEBAUTHN_JSON (-250)
#define MFA_ERR_WEBAUTHN_CLIENT_DATA (-251)
#define MFA_ERR_WEBAUTHN_TYPE (-252)
#define MFA_ERR_WEBAUTHN_CHALLENGE (-253)
#define MFA_ERR_WEBAUTHN_ORIGIN (-254)
#define MFA_ERR_WEBAUTHN_CROSS_ORIGIN (-255)
#define MFA_ERR_WEBAUTHN_TOP_ORIGIN (-256)
#define MFA_ERR_WEBAUTHN_TOKEN_BINDING (-257)
#define MFA_ERR_WEBAUTHN_RP_ID_HASH (-258)
#define MFA_ERR_WEBAUTHN_USER_PRESENT (-259)
#define MFA_ERR_WEBAUTHN_USER_VERIFIED (-260)
#define MFA_ERR_WEBAUTHN_BACKUP_STATE (-261)
#define MFA_ERR_WEBAUTHN_BACKUP_ELIGIBILITY (-262)
#define MFA_ERR_WEBAUTHN_ALGORITHM (-263)
#define MFA_ERR_WEBAUTHN_CREDENTIAL_ID (-264)
#define MFA_ERR_WEBAUTHN_CREDENTIAL_REGISTERED (-265)
#define MFA_ERR_WEBAUTHN_ATTESTED_CREDENTIAL (-266)
#define MFA_ERR_WEBAUTHN_ALLOW_LIST (-267)
#define MFA_ERR_WEBAUTHN_USER_HANDLE (-268)
#define MFA_ERR_WEBAUTHN_CREDENTIAL_MISMATCH (-269)
#define MFA_ERR_WEBAUTHN_SIGNATURE (-270)
#define MFA_ERR_WEBAUTHN_SIGN_COUNT (-271)
#define MFA_ERR_WEBAUTHN_APPID (-272)
#define MFA_ERR_WEBAUTHN_RECORD (-273)
#define MFA_ERR_WEBAUTHN_PUBLIC_KEY (-274)
#define MFA_ERR_WEBAUTHN_CONFIG (-275)
#define MFA_ERR_WEBAUTHN_CHALLENGE_LENGTH (-276)
#define MFA_ERR_WEBAUTHN_OPTIONS (-277)
#define MFA_ERR_WEBAUTHN_CREDENTIAL_TYPE (-278)
/* server toolkit and stores */
#define MFA_ERR_STORE_UNAVAILABLE (-600)
#define MFA_ERR_STORE_CORRUPT (-601)
#define MFA_ERR_STORE_CONFLICT (-602)
#define MFA_ERR_THROTTLED (-610)
#define MFA_ERR_ACCOUNT_LOCKED (-611)
#define MFA_ERR_FACTOR_NOT_ENROLLED (-620)
#define MFA_ERR_FACTOR_ALREADY_ENROLLED (-621)
#define MFA_ERR_FACTOR_NOT_ALLOWED (-622)
#define MFA_ERR_RECOVERY_CODE_INVALID (-630)
#define MFA_ERR_PASSWORD_MISMATCH (-640)
#define MFA_ERR_PASSWORD_POLICY (-641)
#define MFA_ERR_PASSWORD_HASH_FORMAT (-642)
#define MFA_ERR_PASSWORD_EXPIRED (-643)
#define MFA_ERR_TOKEN_FORMAT (-650)
#define MFA_ERR_TOKEN_INVALID (-651)
#define MFA_ERR_TOKEN_EXPIRED (-652)
#define MFA_ERR_ALLOWLIST_SYNTAX (-660)
#define MFA_ERR_IP_NOT_ALLOWED (-661)
#define MFA_ERR_EMAIL_DOMAIN_NOT_ALLOWED (-662)
#define MFA_ERR_KEYRING_INVALID (-670)
#define MFA_ERR_KEY_UNKNOWN (-671)
#define MFA_ERR_DECRYPT_FAILED (-672)
#define MFA_ERR_ENCRYPTED_FIELD_FORMAT (-673)
#define MFA_ERR_KEYRING_EXISTS (-674)
#define MFA_ERR_AUDIT_CHAIN_BROKEN (-680)
#define MFA_ERR_AUDIT_RECORD_INVALID (-681)
#define MFA_ERR_AUDIT_HEAD_MISMATCH (-682)
#define MFA_ERR_POLICY_INVALID (-690)
#define MFA_ERR_CHALLENGE_INVALID (-700)
/* FIDO2 client and soft token (positive codes are CTAP2 statuses from the authenticator) */
#define MFA_ERR_FIDO2_IO (-400)
#define MFA_ERR_FIDO2_NO_DEVICE (-401)
#define MFA_ERR_FIDO2_NOT_FIDO2 (-402)
#define MFA_ERR_FIDO2_UNSUPPORTED (-403)
#define MFA_ERR_FIDO2_PIN_REQUIRED (-404)
#define MFA_ERR_FIDO2_BAD_RESPONSE (-405)
#define MFA_ERR_FIDO2_VERIFY_FAILED (-406)
#define MFA_ERR_FIDO2_LIBRARY (-407)
#define MFA_ERR_SOFTTOKEN_STATE_INVALID (-410)
/* vault */
#define MFA_ERR_VAULT_NOT_A_VAULT (-500)
#define MFA_ERR_VAULT_VERSION (-501)
#define MFA_ERR_VAULT_CORRUPT (-502)
#define MFA_ERR_VAULT_TRUNCATED (-503)
#define MFA_ERR_VAULT_WRONG_PASSPHRASE (-504)
#define MFA_ERR_VAULT_TAMPERED (-505)
#define MFA_ERR_VAULT_LOCKED (-506)
#define MFA_ERR_VAULT_READ_ONLY (-507)
#define MFA_ERR_VAULT_NO_SLOT (-508)
#define MFA_ERR_VAULT_LAST_SLOT (-509)
#define MFA_ERR_VAULT_KDF_PARAMS (-510)
#define MFA_ERR_VAULT_EXISTS (-511)
#define MFA_ERR_VAULT_MISSING (-512)
#define MFA_ERR_VAULT_PAYLOAD (-513)
#define MFA_ERR_VAULT_DUPLICATE (-514)
#define MFA_ERR_VAULT_KEY_REJECTED (-515)
#define MFA_ERR_VAULT_KEY_PROVIDER (-516)
#define MFA_ERR_VAULT_BACKUP (-517)
#define MFA_ERR_VAULT_ENTRY (-518)

/* ---- Library ---------------------------------------------------------------------------------- */

/* "MAJOR.MINOR.PATCH" of the loaded library (static storage). */
MFA_EXPORT const char *mfa_version(void);
/* MFA_SOVERSION of the loaded library, to compare with the header's at run time. */
MFA_EXPORT int mfa_abi_version(void);

/* A sentence for any status code (static storage; never NULL, "unknown error" for unknown codes). */
MFA_EXPORT const char *mfa_strerror(int status);
/* The detail of the last failure on this thread ("" if none); valid until the next mfa_ call on
 * this thread. */
MFA_EXPORT const char *mfa_last_error_message(void);

/* Frees memory the library allocated for the caller. NULL is fine. */
MFA_EXPORT void mfa_free(void *p);
/* Zeroes n bytes at p in a way the compiler cannot remove (for secrets the caller held). */
MFA_EXPORT void mfa_memzero(void *p, size_t n);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_COMMON_H */

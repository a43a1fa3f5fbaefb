/* mfakit C ABI: the WebAuthn relying party (docs/webauthn.md).
 *
 * Flow: configure an mfa_webauthn_rp_t once (RP ID, origins, policies, trust anchors); per ceremony build
 * the options JSON (keep the challenge server-side), send it to the browser, and verify what comes
 * back with the challenge. Registration yields a credential record as JSON (store it). To verify
 * logins, load the stored record into an mfa_webauthn_credential_t once (its public key is parsed
 * then, not on every login: keep the handle in a cache next to the record); each successful
 * authentication updates the handle, whose JSON is what to store back.
 *
 * Strings are UTF-8 and NUL-terminated unless a length is given. JSON outputs (char **) are
 * allocated by the library: release them with mfa_free(). An mfa_webauthn_rp_t may be used by several
 * threads at once for verification and options once configured; setters are not thread-safe.
 */
#ifndef MFA_WEBAUTHN_H
#define MFA_WEBAUTHN_H

#include "mfa/mfa_common.h"
#include "mfa/mfa_webauthn_trust.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mfa_webauthn_rp mfa_webauthn_rp_t;
/* A stored credential record with its public key parsed and ready to verify (opaque). */
typedef struct mfa_webauthn_credential mfa_webauthn_credential_t;

/* User verification: the rp's policy, a ceremony's override, and the server toolkit's options
 * (mfa_server.h) all use this one coding. */
#define MFA_WEBAUTHN_UV_PREFERRED 0 /* default */
#define MFA_WEBAUTHN_UV_REQUIRED 1
#define MFA_WEBAUTHN_UV_DISCOURAGED 2
/* residentKey asked for at registration (REQUIRED: a passkey for usernameless login). */
#define MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED 0 /* default */
#define MFA_WEBAUTHN_RESIDENT_KEY_REQUIRED 1
#define MFA_WEBAUTHN_RESIDENT_KEY_DISCOURAGED 2
/* Attestation conveyance asked for at registration. */
#define MFA_WEBAUTHN_ATTESTATION_NONE 0 /* default */
#define MFA_WEBAUTHN_ATTESTATION_INDIRECT 1
#define MFA_WEBAUTHN_ATTESTATION_DIRECT 2
#define MFA_WEBAUTHN_ATTESTATION_ENTERPRISE 3
/* Policy for the BE / BS flags. */
#define MFA_WEBAUTHN_FLAG_ALLOWED 0 /* default */
#define MFA_WEBAUTHN_FLAG_REQUIRED 1
#define MFA_WEBAUTHN_FLAG_FORBIDDEN 2
/* A signature counter that did not increase. */
#define MFA_WEBAUTHN_COUNTER_ERROR 0 /* default: MFA_ERR_WEBAUTHN_SIGN_COUNT */
#define MFA_WEBAUTHN_COUNTER_FLAG 1  /* succeed, report counter_regressed */
/* clientDataJSON.tokenBinding. */
#define MFA_WEBAUTHN_TOKEN_BINDING_CHECK 0 /* default: status must be present/supported */
#define MFA_WEBAUTHN_TOKEN_BINDING_IGNORE 1
/* Attestation policy bits (mfa_webauthn_rp_set_attestation_policy). */
#define MFA_WEBAUTHN_ATT_REQUIRE_TRUSTED 0x1u        /* fail unless the chain ends at a trust anchor */
#define MFA_WEBAUTHN_ATT_ALLOW_RS1_TPM 0x2u          /* accept SHA-1 (RS1) TPM statements (Windows Hello) */
#define MFA_WEBAUTHN_ATT_REJECT_SHA1_CERTS 0x4u      /* refuse SHA-1-signed certificates on the path */
#define MFA_WEBAUTHN_ATT_SAFETYNET_NO_CTS 0x8u       /* do not require ctsProfileMatch */
#define MFA_WEBAUTHN_ATT_ANDROID_KEY_REQUIRE_TEE 0x10u
#define MFA_WEBAUTHN_ATT_ALLOW_MDS_COMPROMISED 0x20u  /* MDS revoked/compromised: untrusted, not an error */

/* ---- Relying-party configuration ------------------------------------------------------------ */

/* A configuration with defaults (docs/webauthn.md). rp_name may be NULL (= rp_id). */
MFA_EXPORT int mfa_webauthn_rp_new(mfa_webauthn_rp_t **rp, const char *rp_id, const char *rp_name);
MFA_EXPORT void mfa_webauthn_rp_free(mfa_webauthn_rp_t **rp);
/* Adds an allowed origin (exact match): "https://example.com", "android:apk-key-hash:...". */
MFA_EXPORT int mfa_webauthn_rp_add_origin(mfa_webauthn_rp_t *rp, const char *origin);
/* Allows framed (crossOrigin) ceremonies and adds an allowed topOrigin. */
MFA_EXPORT int mfa_webauthn_rp_add_top_origin(mfa_webauthn_rp_t *rp, const char *top_origin);
MFA_EXPORT int mfa_webauthn_rp_set_user_verification(mfa_webauthn_rp_t *rp, int uv);
MFA_EXPORT int mfa_webauthn_rp_set_require_user_presence(mfa_webauthn_rp_t *rp, int required);
/* Allowed COSE algorithms, in preference order (default -7, -8, -35, -36, -37, -257). */
MFA_EXPORT int mfa_webauthn_rp_set_algorithms(mfa_webauthn_rp_t *rp, const int32_t *algs, size_t count);
MFA_EXPORT int mfa_webauthn_rp_set_backup_policy(mfa_webauthn_rp_t *rp, int backup_eligible, int backup_state);
MFA_EXPORT int mfa_webauthn_rp_set_counter_policy(mfa_webauthn_rp_t *rp, int policy);
MFA_EXPORT int mfa_webauthn_rp_set_token_binding_policy(mfa_webauthn_rp_t *rp, int policy);
/* U2F migration AppID ("https://example.com/app-id.json"); NULL or "" clears it. */
MFA_EXPORT int mfa_webauthn_rp_set_appid(mfa_webauthn_rp_t *rp, const char *appid);
/* Verification time (Unix seconds) for certificates; has_time 0 = use the clock. */
MFA_EXPORT int mfa_webauthn_rp_set_time(mfa_webauthn_rp_t *rp, int has_time, int64_t unix_seconds);
MFA_EXPORT int mfa_webauthn_rp_set_attestation_policy(mfa_webauthn_rp_t *rp, uint32_t flags);
/* Attestation trust: replaces the rp's root certificates and MDS BLOB with a copy of a set built
 * with mfa_webauthn_trust.h (the one way to load them); the set stays the caller's. */
MFA_EXPORT int mfa_webauthn_rp_set_trust(mfa_webauthn_rp_t *rp, const mfa_webauthn_trust_t *trust);

/* ---- Options ------------------------------------------------------------------------------------ */

/* The user and the choices of one registration. Versioned by struct_size like every options struct
 * (mfa_webauthn_registration_request_init sets it and the defaults). */
typedef struct mfa_webauthn_registration_request {
    size_t struct_size;          /* sizeof(mfa_webauthn_registration_request_t) */
    const char *user_name;       /* required */
    const char *display_name;    /* NULL = user_name */
    const uint8_t *user_id;      /* the user handle, 1..64 bytes; NULL = 64 random bytes */
    size_t user_id_len;
    int attestation;             /* MFA_WEBAUTHN_ATTESTATION_* (default NONE) */
    int resident_key;            /* MFA_WEBAUTHN_RESIDENT_KEY_* (default PREFERRED) */
    const char *extensions_json; /* NULL, or a JSON object merged into "extensions" */
} mfa_webauthn_registration_request_t;
MFA_EXPORT int mfa_webauthn_registration_request_init(mfa_webauthn_registration_request_t *request);

/* PublicKeyCredentialCreationOptionsJSON into *options_json (mfa_free it), with a fresh 32-byte
 * challenge into (challenge, challenge_cap >= 32, *challenge_len) and the user handle used into
 * (user_id, user_id_cap >= 64, *user_id_len): request->user_id, or 64 random bytes when NULL. Keep
 * both server-side for the verification. */
MFA_EXPORT int mfa_webauthn_registration_options(mfa_webauthn_rp_t *rp, char **options_json, uint8_t *challenge,
                                                 size_t challenge_cap, size_t *challenge_len, uint8_t *user_id,
                                                 size_t user_id_cap, size_t *user_id_len,
                                                 const mfa_webauthn_registration_request_t *request);
/* PublicKeyCredentialRequestOptionsJSON; allow_ids: count base64url credential ids (may be 0 for a
 * discoverable login). */
MFA_EXPORT int mfa_webauthn_authentication_options(mfa_webauthn_rp_t *rp, char **options_json, uint8_t *challenge,
                                                   size_t challenge_cap, size_t *challenge_len,
                                                   const char *const *allow_ids, size_t count,
                                                   const char *extensions_json);

/* ---- Verification ------------------------------------------------------------------------------- */

/* Results, versioned by struct_size (set it to sizeof before the call; the library fills the fields
 * that lie within it). May be NULL. */
typedef struct mfa_webauthn_registration_info {
    size_t struct_size;
    int32_t alg;              /* COSE algorithm of the credential key */
    uint32_t sign_count;
    int user_verified;
    int backup_eligible;
    int backup_state;
    int attestation_trusted;  /* the chain ended at a configured trust anchor */
    char fmt[32];             /* attestation statement format */
    char attestation_type[16];/* none, self, basic, attca, anonca */
    uint8_t aaguid[16];
} mfa_webauthn_registration_info_t;

typedef struct mfa_webauthn_authentication_info {
    size_t struct_size;
    uint32_t sign_count;      /* as reported by the authenticator */
    int user_verified;
    int backup_state;
    int counter_regressed;    /* MFA_WEBAUTHN_COUNTER_FLAG only */
    int appid_used;
} mfa_webauthn_authentication_info_t;

/* Verifies RegistrationResponseJSON against the challenge issued; *record_json receives the
 * credential record to store (mfa_free it). user_handle: the user.id of the options (stored in the
 * record). Every failed step has its own MFA_ERR_WEBAUTHN_* / MFA_ERR_ATT_* code; the caller must
 * still check that no account has the credential id (the record's "id") already. */
MFA_EXPORT int mfa_webauthn_verify_registration(mfa_webauthn_rp_t *rp, char **record_json,
                                                mfa_webauthn_registration_info_t *info, const char *response_json,
                                                size_t response_len, const uint8_t *challenge, size_t challenge_len,
                                                const uint8_t *user_handle, size_t user_handle_len);

/* ---- Stored credentials ------------------------------------------------------------------------ */

/* Loads a credential record (the JSON mfa_webauthn_verify_registration returned) and parses its
 * COSE public key once. MFA_ERR_WEBAUTHN_RECORD for a malformed record, MFA_ERR_WEBAUTHN_PUBLIC_KEY
 * for a key that does not parse or does not match the record's algorithm. One handle is used by one
 * thread at a time (verification updates it). */
MFA_EXPORT int mfa_webauthn_credential_from_json(mfa_webauthn_credential_t **cred, const char *record_json,
                                                 size_t record_len);
/* Releases a credential handle; NULL-safe, sets *cred to NULL. */
MFA_EXPORT void mfa_webauthn_credential_free(mfa_webauthn_credential_t **cred);
/* The record as JSON into *record_json (mfa_free it): store this after every successful login. */
MFA_EXPORT int mfa_webauthn_credential_get_json(const mfa_webauthn_credential_t *cred, char **record_json);
/* The credential id (raw bytes, at most 1023) and the stored signature counter. */
MFA_EXPORT int mfa_webauthn_credential_get_id(const mfa_webauthn_credential_t *cred, uint8_t **id, size_t *len);
MFA_EXPORT int mfa_webauthn_credential_get_sign_count(const mfa_webauthn_credential_t *cred, uint32_t *sign_count);

/* Verifies AuthenticationResponseJSON against a stored credential. On success cred is updated
 * (signature counter, backup state, uvInitialized): store mfa_webauthn_credential_get_json(cred)
 * back. On failure cred is unchanged. account_user_handle: the account's user handle when the user
 * was identified before the ceremony, NULL for a discoverable login (the response's userHandle
 * must then own the record). uv: MFA_WEBAUTHN_UV_* for this ceremony, or -1 for the rp's policy. */
MFA_EXPORT int mfa_webauthn_verify_authentication(mfa_webauthn_rp_t *rp, mfa_webauthn_credential_t *cred,
                                                  mfa_webauthn_authentication_info_t *info,
                                                  const char *response_json, size_t response_len,
                                                  const uint8_t *challenge, size_t challenge_len,
                                                  const uint8_t *account_user_handle, size_t account_user_handle_len,
                                                  int uv);

/* The credential id (raw bytes) and userHandle (empty when absent) of an AuthenticationResponseJSON,
 * to find the stored record before verifying, into library-allocated buffers (mfa_free them). Either
 * pair (credential_id, id_len) / (user_handle, handle_len) may be NULL, NULL. */
MFA_EXPORT int mfa_webauthn_response_ids(uint8_t **credential_id, size_t *id_len, uint8_t **user_handle,
                                         size_t *handle_len, const char *response_json, size_t response_len);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_WEBAUTHN_H */

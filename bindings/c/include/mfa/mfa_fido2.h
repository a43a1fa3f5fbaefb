/* mfakit C ABI: the FIDO2 client for security keys and soft tokens (docs/fido2.md); the soft token
 * itself is in mfa_softtoken.h.
 *
 * Paths: "soft:FILE" (a soft token whose state lives in FILE, created when missing; every open of
 * the same FILE in one process reaches the same token), "tty:/dev/pts/N" (a soft token served by
 * another process's bridge, e.g. `mfa softtoken serve`), "hid:/dev/hidrawN" or a bare hidapi path
 * (a USB key, as listed by mfa_fido2_device_list_new).
 *
 * Status: MFA_OK, a negative MFA_ERR_* (the FIDO2 block is -400..-499), or a positive CTAP2 status
 * byte from the authenticator passed through unchanged (0x31 PIN_INVALID, 0x2E NO_CREDENTIALS,
 * 0x27 OPERATION_DENIED ...); mfa_strerror() names both kinds.
 *
 * Operations that talk to the authenticator return their results in a handle
 * (mfa_fido2_credential_t, mfa_fido2_assertions_t) read with getters afterwards, so reading a
 * result never costs a touch or a credential. Ids, keys, paths and JSON are allocated by the
 * library (mfa_free); the hmac-secret output, of a fixed size, goes to a caller buffer. JSON outputs of type char ** are
 * allocated by the library: release them with mfa_free(). PINs are secrets, so they are passed as
 * (pointer, length): pin_len bytes of UTF-8 without NUL, at most 255 (CTAP2: 4..63 code points);
 * NULL with length 0 where a PIN is optional means none.
 *
 * Thread safety: one device handle is used by one thread at a time, except mfa_fido2_device_cancel,
 * which another thread may call while an operation runs.
 */
#ifndef MFA_FIDO2_H
#define MFA_FIDO2_H

#include "mfa/mfa_common.h"
#include "mfa/mfa_cose.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mfa_fido2_device_list mfa_fido2_device_list_t;
typedef struct mfa_fido2_device mfa_fido2_device_t;
typedef struct mfa_fido2_credential mfa_fido2_credential_t;
typedef struct mfa_fido2_assertions mfa_fido2_assertions_t;


/* ---- Devices ------------------------------------------------------------------------------------ */

/* The USB security keys present now (soft tokens are not discoverable: open them by path). */
MFA_EXPORT int mfa_fido2_device_list_new(mfa_fido2_device_list_t **list);
MFA_EXPORT void mfa_fido2_device_list_free(mfa_fido2_device_list_t **list);
MFA_EXPORT int mfa_fido2_device_list_get_count(const mfa_fido2_device_list_t *list, size_t *count);
/* The path mfa_fido2_device_open takes, and the product name (may be ""), into *path / *product
 * (mfa_free it). MFA_ERR_NOT_FOUND when index >= count. */
MFA_EXPORT int mfa_fido2_device_list_get_path(const mfa_fido2_device_list_t *list, char **path, size_t index);
MFA_EXPORT int mfa_fido2_device_list_get_product(const mfa_fido2_device_list_t *list, char **product, size_t index);

/* Opens a device and handshakes with it (CTAPHID INIT, GetInfo). MFA_ERR_FIDO2_NO_DEVICE when the
 * path does not open or its scheme is unknown. */
MFA_EXPORT int mfa_fido2_device_open(mfa_fido2_device_t **dev, const char *path);
MFA_EXPORT void mfa_fido2_device_free(mfa_fido2_device_t **dev);
/* Milliseconds to wait for each reply (negative: forever); a timeout is MFA_ERR_FIDO2_IO. */
MFA_EXPORT int mfa_fido2_device_set_timeout(mfa_fido2_device_t *dev, int timeout_ms);
/* Cancels the operation running on dev in another thread; it ends with CTAP2 status 0x2D. */
MFA_EXPORT int mfa_fido2_device_cancel(mfa_fido2_device_t *dev);

/* GetInfo as a JSON object into *json (mfa_free it):
 * {"versions":[..],"extensions":[..],"aaguid":"xxxxxxxx-xxxx-...","options":{"rk":true,..},
 *  "algorithms":[-7,-8],"pinProtocols":[2,1],"transports":[..],"maxMsgSize":n,
 *  "maxCredentialCountInList":n,"maxCredentialIdLength":n,"firmwareVersion":n,"minPinLength":n,
 *  "remainingDiscoverableCredentials":n (when reported),"pinRetries":n (when the device has a PIN
 *  method),"uvRetries":n (when it has built-in UV)} */
MFA_EXPORT int mfa_fido2_info_json(mfa_fido2_device_t *dev, char **json);

/* ---- Make credential ---------------------------------------------------------------------------- */

typedef struct mfa_fido2_make_credential_options {
    size_t struct_size;            /* sizeof(mfa_fido2_make_credential_options_t) */
    const char *rp_id;             /* required */
    const char *rp_name;           /* NULL = rp_id */
    const uint8_t *user_id;        /* required, 1..64 bytes */
    size_t user_id_len;
    const char *user_name;         /* NULL = "" */
    const char *user_display_name; /* NULL = user_name */
    /* Either challenge + origin (the library builds clientDataJSON for the origin, and the
     * registration JSON is available) or client_data_hash (32 bytes, no JSON). */
    const uint8_t *challenge;
    size_t challenge_len;
    const char *origin;
    const uint8_t *client_data_hash;
    int32_t algorithm;             /* MFA_COSE_ES256 (the default; 0 means it too) or MFA_COSE_EDDSA */
    int resident;                  /* discoverable credential */
    int user_verification;         /* require UV: a PIN (below) or the built-in method */
    const char *pin;               /* NULL: none; pin_len bytes of UTF-8 */
    size_t pin_len;
    int cred_protect;              /* 0: not requested; 1..3 */
    int hmac_secret;               /* request the hmac-secret extension */
} mfa_fido2_make_credential_options_t;
/* Fills *options with the defaults (ES256, nothing else set) and struct_size. */
MFA_EXPORT int mfa_fido2_make_credential_options_init(mfa_fido2_make_credential_options_t *options);

/* Makes a credential on the device (authenticatorMakeCredential; waits for a touch).
 * cred: out; a new handle the caller owns (mfa_fido2_credential_free); untouched on failure.
 * Errors: MFA_ERR_INVALID_ARGUMENT (a required field missing, a length out of range: the detail names
 * it), MFA_ERR_FIDO2_* (transport, protocol), or the device's CTAP2 status (0x36 PIN_REQUIRED, 0x31
 * PIN_INVALID, 0x27 OPERATION_DENIED, 0x19 CREDENTIAL_EXCLUDED ...). */
MFA_EXPORT int mfa_fido2_make_credential(mfa_fido2_device_t *dev, mfa_fido2_credential_t **cred,
                                         const mfa_fido2_make_credential_options_t *options);
/* Releases a credential. NULL-safe; sets *cred to NULL. */
MFA_EXPORT void mfa_fido2_credential_free(mfa_fido2_credential_t **cred);
/* The new credential's id into *id, *len bytes (mfa_free it). */
MFA_EXPORT int mfa_fido2_credential_get_id(const mfa_fido2_credential_t *cred, uint8_t **id, size_t *len);
/* The COSE_Key of the new credential. */
MFA_EXPORT int mfa_fido2_credential_get_public_key(const mfa_fido2_credential_t *cred, uint8_t **cose_key, size_t *len);
/* The WebAuthn attestation object (CBOR {fmt, attStmt, authData}). */
MFA_EXPORT int mfa_fido2_credential_get_attestation_object(const mfa_fido2_credential_t *cred, uint8_t **object,
                                                           size_t *len);
/* PublicKeyCredential.toJSON() of the registration, as a browser would send it for the origin.
 * MFA_ERR_INVALID_ARGUMENT when the credential was made from a client_data_hash. */
MFA_EXPORT int mfa_fido2_credential_get_json(const mfa_fido2_credential_t *cred, char **json);

/* ---- Get assertion ------------------------------------------------------------------------------ */

typedef struct mfa_fido2_get_assertion_options {
    size_t struct_size;            /* sizeof(mfa_fido2_get_assertion_options_t) */
    const char *rp_id;             /* required */
    const uint8_t *challenge;      /* challenge + origin, or client_data_hash, as for make credential */
    size_t challenge_len;
    const char *origin;
    const uint8_t *client_data_hash;
    /* Allowed credential ids (allow_count of them); 0 = discoverable credentials of the RP. */
    const uint8_t *const *allow_ids;
    const size_t *allow_id_lens;
    size_t allow_count;
    int no_user_presence;          /* ask without a touch (up=false) */
    int user_verification;
    const char *pin;               /* NULL: none; pin_len bytes of UTF-8 */
    size_t pin_len;
    const uint8_t *hmac_salt1;     /* 32 bytes, or NULL */
    const uint8_t *hmac_salt2;     /* 32 bytes, or NULL (needs salt1) */
} mfa_fido2_get_assertion_options_t;
/* Fills *options with the defaults (nothing set) and struct_size. */
MFA_EXPORT int mfa_fido2_get_assertion_options_init(mfa_fido2_get_assertion_options_t *options);

/* Every assertion the device returns (one per discoverable credential of the RP, or one). */
MFA_EXPORT int mfa_fido2_get_assertion(mfa_fido2_device_t *dev, mfa_fido2_assertions_t **assertions,
                                       const mfa_fido2_get_assertion_options_t *options);
MFA_EXPORT void mfa_fido2_assertions_free(mfa_fido2_assertions_t **assertions);
MFA_EXPORT int mfa_fido2_assertions_get_count(const mfa_fido2_assertions_t *assertions, size_t *count);
/* Getters for assertion `index` (MFA_ERR_NOT_FOUND when index >= count). */
MFA_EXPORT int mfa_fido2_assertions_get_credential_id(const mfa_fido2_assertions_t *assertions, uint8_t **id,
                                                      size_t *len, size_t index);
MFA_EXPORT int mfa_fido2_assertions_get_user_id(const mfa_fido2_assertions_t *assertions, uint8_t **user_id,
                                                size_t *len, size_t index);
MFA_EXPORT int mfa_fido2_assertions_get_sign_count(const mfa_fido2_assertions_t *assertions, uint32_t *sign_count,
                                              size_t index);
/* The hmac-secret output: 32 bytes (salt1) or 64 (salt1 and salt2). MFA_ERR_NOT_FOUND when no
 * salt was given. It is key material: wipe it when done. */
MFA_EXPORT int mfa_fido2_assertions_get_hmac_secret(const mfa_fido2_assertions_t *assertions, uint8_t *out, size_t cap,
                                               size_t *len, size_t index);
/* PublicKeyCredential.toJSON() of the authentication (needs challenge + origin) into *json. */
MFA_EXPORT int mfa_fido2_assertions_get_json(const mfa_fido2_assertions_t *assertions, char **json, size_t index);

/* hmac-secret in one call: an assertion for credential_id with salt1 (and salt2 when not NULL),
 * the 32 or 64 output bytes into out (cap is checked before the device is asked). pin may be NULL
 * (pin_len 0). */
MFA_EXPORT int mfa_fido2_hmac_secret(mfa_fido2_device_t *dev, uint8_t *out, size_t cap, size_t *len,
                                     const char *rp_id, const uint8_t *credential_id, size_t credential_id_len,
                                     const uint8_t *salt1, const uint8_t *salt2, const char *pin,
                                     size_t pin_len);

/* ---- A WebAuthn client (what a browser does with the relying party's options) -------------------- */

/* navigator.credentials.create() / .get() for `origin` ("https://example.com"): reads the relying
 * party's options JSON (the bare PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON, or
 * wrapped as {"publicKey": ...} or as the server toolkit's {"options": ...}), checks that the RP ID
 * is the origin's host or a parent domain of it (MFA_ERR_WEBAUTHN_ORIGIN; https only, and
 * http://localhost), asks the device, and writes the response JSON a browser would send
 * (PublicKeyCredential.toJSON()) into *response_json (mfa_free it). pin: NULL for none; with a PIN,
 * userVerification "preferred" verifies the user, "required" always does (a device with a PIN
 * then needs it: CTAP2 0x36 PIN_REQUIRED without one).
 * create: the first pubKeyCredParams entry that is ES256 or EdDSA (MFA_ERR_WEBAUTHN_ALGORITHM when
 * none is); residentKey "preferred" makes a discoverable credential when the device can; the
 * extensions credProps, hmacCreateSecret and credentialProtectionPolicy; an excluded credential is
 * CTAP2 0x19 CREDENTIAL_EXCLUDED. get: with several discoverable credentials, the first the device
 * returns. Malformed options: MFA_ERR_WEBAUTHN_OPTIONS naming the member. Both wait for a touch. */
MFA_EXPORT int mfa_fido2_webauthn_create(mfa_fido2_device_t *dev, char **response_json, const char *options_json,
                                         const char *origin, const char *pin, size_t pin_len);
MFA_EXPORT int mfa_fido2_webauthn_get(mfa_fido2_device_t *dev, char **response_json, const char *options_json,
                                      const char *origin, const char *pin, size_t pin_len);

/* ---- PIN, reset, credential management ----------------------------------------------------------- */

/* Sets the first PIN of a device that has none (CTAP2 0x33 PIN_AUTH_INVALID or 0x30 NOT_ALLOWED
 * when it has one: use mfa_fido2_change_pin). MFA_ERR_INVALID_ARGUMENT for a PIN outside 4..63 code
 * points; 0x37 PIN_POLICY_VIOLATION when the device's minimum length is longer. */
MFA_EXPORT int mfa_fido2_set_pin(mfa_fido2_device_t *dev, const char *pin, size_t pin_len);
/* Changes the PIN. A wrong old_pin is CTAP2 0x31 PIN_INVALID and costs a retry; 0x32 PIN_BLOCKED
 * once they are spent (only mfa_fido2_reset recovers the device). */
MFA_EXPORT int mfa_fido2_change_pin(mfa_fido2_device_t *dev, const char *old_pin, size_t old_pin_len,
                                    const char *new_pin, size_t new_pin_len);
/* The PIN attempts left into *retries (8 on a new device; the device blocks at 0). */
MFA_EXPORT int mfa_fido2_pin_retries(mfa_fido2_device_t *dev, int *retries);
/* Deletes every credential and the PIN. Real keys accept it only within seconds of being plugged in
 * and after a touch (CTAP2 0x30 NOT_ALLOWED otherwise). */
MFA_EXPORT int mfa_fido2_reset(mfa_fido2_device_t *dev);
/* The discoverable credentials, as JSON into *json (mfa_free it):
 * {"existing":n,"remaining":n,"rps":[{"id":"example.com","name":"..","credentials":[
 *   {"id":"<base64url>","userId":"<base64url>","userName":"..","userDisplayName":"..",
 *    "algorithm":-7,"credProtect":n}]}]} */
MFA_EXPORT int mfa_fido2_credentials_json(mfa_fido2_device_t *dev, char **json, const char *pin, size_t pin_len);
MFA_EXPORT int mfa_fido2_delete_credential(mfa_fido2_device_t *dev, const uint8_t *credential_id,
                                           size_t credential_id_len, const char *pin, size_t pin_len);

#ifdef __cplusplus
}
#endif

#endif /* MFA_FIDO2_H */

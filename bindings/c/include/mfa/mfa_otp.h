/* mfakit C ABI: one-time passwords. HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes,
 * otpauth:// Key URIs, Google Authenticator export payloads (otpauth-migration://), Base32 and
 * random secrets. docs/otp.md is the manual; the conventions are in mfa_common.h and docs/ABI.md.
 *
 * Ownership, in one place (each function repeats what applies to it):
 *  - mfa_otp_t and mfa_otp_migration_t are owned by the caller once created, and released with
 *    mfa_otp_free() / mfa_otp_migration_free(), which are NULL-safe and set the pointer to NULL.
 *  - Every pointer argument is borrowed for the duration of the call only; strings and bytes given
 *    to a constructor are copied into the handle.
 *  - Codes, time steps and random secrets go to caller buffers (out, cap, &len); a random secret's
 *    buffer should be wiped by the caller with mfa_memzero() after use. Texts and bytes of
 *    variable size (issuer, name, secret, URIs, Base32) are allocated by the library and released
 *    with mfa_free(), which wipes them (several contain the secret).
 *    On MFA_ERR_BUFFER_TOO_SMALL nothing is written to out and *len holds the size needed
 *    (for text: the length without the NUL; the capacity needed is *len + 1).
 *  - Text inputs are NUL-terminated UTF-8; byte inputs are (pointer, length) pairs.
 *
 * Thread safety: the rule of mfa_common.h (one handle, one thread at a time; distinct handles in
 * distinct threads). The functions without a handle (Base32, random secrets, building an export
 * from borrowed accounts) may be called from any thread.
 */
#ifndef MFA_OTP_H
#define MFA_OTP_H

#include "mfa/mfa_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types and limits ---------------------------------------------------------------------- */

/* An OTP account: secret, parameters, issuer and account name (opaque). */
typedef struct mfa_otp mfa_otp_t;
/* The accounts of one parsed otpauth-migration:// URI (opaque). */
typedef struct mfa_otp_migration mfa_otp_migration_t;

/* mfa_otp_params_t.type */
#define MFA_OTP_TOTP 0u
#define MFA_OTP_HOTP 1u
#define MFA_OTP_STEAM 2u
/* mfa_otp_params_t.algorithm */
#define MFA_OTP_SHA1 0u
#define MFA_OTP_SHA256 1u
#define MFA_OTP_SHA512 2u

/* Limits (the same as the C++ core's; checked at compile time). */
#define MFA_OTP_MIN_DIGITS 4u
#define MFA_OTP_MAX_DIGITS 10u
#define MFA_OTP_STEAM_DIGITS 5u
#define MFA_OTP_MIN_SECRET_BYTES 1u
#define MFA_OTP_MAX_SECRET_BYTES 1024u
#define MFA_OTP_DEFAULT_SECRET_BYTES 20u
#define MFA_OTP_MAX_PERIOD 86400u
#define MFA_OTP_MAX_WINDOW 50u          /* steps per side of a TOTP window */
#define MFA_OTP_MAX_LOOK_AHEAD 100u     /* counters of an HOTP look-ahead */
#define MFA_OTP_MAX_RESYNC_LOOK_AHEAD 1000u /* counters searched by an HOTP resynchronisation */
#define MFA_OTP_MAX_URI_LENGTH 4096u
#define MFA_OTP_MIGRATION_MAX_URI_LENGTH 65536u
#define MFA_OTP_MIGRATION_MAX_ACCOUNTS 1000u
#define MFA_OTP_BASE32_MAX_TEXT 4096u
#define MFA_OTP_BASE32_MAX_DATA 2560u
/* A buffer of this many chars holds any code with its NUL. */
#define MFA_OTP_CODE_CAPACITY 11u

/* The parameters of an account. Versioned by size: set struct_size = sizeof(mfa_otp_params_t)
 * (mfa_otp_params_init does). A library reads and writes only the fields that lie within
 * struct_size, so a program built against an older header keeps working; bytes past the fields a
 * library knows must be zero (MFA_ERR_UNSUPPORTED otherwise). Fields are only ever appended. */
typedef struct mfa_otp_params {
    size_t struct_size;
    uint32_t type;      /* MFA_OTP_TOTP (default), MFA_OTP_HOTP, MFA_OTP_STEAM */
    uint32_t algorithm; /* MFA_OTP_SHA1 (default), MFA_OTP_SHA256, MFA_OTP_SHA512; Steam: SHA1 */
    uint32_t digits;    /* 4..10, default 6; ignored for Steam, whose codes are 5 characters */
    uint32_t period;    /* seconds, 1..86400, default 30 (totp, steam) */
    int64_t t0;         /* Unix time of step 0, default 0 (totp, steam) */
    uint64_t counter;   /* the next counter to use, default 0 (hotp) */
} mfa_otp_params_t;

/* Options of mfa_otp_from_uri; versioned by struct_size like mfa_otp_params_t. */
typedef struct mfa_otp_uri_options {
    size_t struct_size;
    /* Which issuer wins when the issuer parameter and the label prefix differ:
     * MFA_OTP_ISSUER_STRICT (default) rejects with MFA_ERR_URI_ISSUER_MISMATCH. */
    uint32_t issuer_policy;
} mfa_otp_uri_options_t;

#define MFA_OTP_ISSUER_STRICT 0u
#define MFA_OTP_ISSUER_PREFER_PARAM 1u
#define MFA_OTP_ISSUER_PREFER_LABEL 2u

/* mfa_otp_verify_totp flags */
#define MFA_OTP_NO_LAST_STEP 0x1u /* no replay guard: last_step is ignored */

/* Fills *params with the defaults (TOTP, SHA1, 6 digits, 30 s, t0 0, counter 0) and struct_size. */
MFA_EXPORT int mfa_otp_params_init(mfa_otp_params_t *params);
/* Fills *options with the defaults (MFA_OTP_ISSUER_STRICT) and struct_size. */
MFA_EXPORT int mfa_otp_uri_options_init(mfa_otp_uri_options_t *options);

/* ---- Accounts -------------------------------------------------------------------------------- */

/* Creates an account from parameters and a raw secret (not Base32: see mfa_otp_base32_decode).
 * otp:      out; on success a new handle the caller owns (mfa_otp_free); untouched on failure.
 * params:   borrowed; NULL means the defaults.
 * secret:   borrowed, copied (secret_len 1..MFA_OTP_MAX_SECRET_BYTES).
 * issuer, name: borrowed, copied; NULL means empty; at most MFA_OTP_MAX_URI_LENGTH bytes each.
 *   Neither may contain ':' and one must be non-empty for mfa_otp_format_uri (which fails with
 *   MFA_ERR_URI_LABEL otherwise); codes do not depend on them.
 * Errors: MFA_ERR_INVALID_ARGUMENT (a parameter out of range; the detail names it),
 * MFA_ERR_OTP_SECRET_TOO_SHORT / _TOO_LONG, MFA_ERR_UNSUPPORTED (unknown fields set). */
MFA_EXPORT int mfa_otp_new(mfa_otp_t **otp, const mfa_otp_params_t *params, const uint8_t *secret,
                           size_t secret_len, const char *issuer, const char *name);

/* Parses an otpauth:// URI (totp, hotp, steam; docs/otp.md lists the accepted spellings).
 * otp:     out; a new handle the caller owns (mfa_otp_free); untouched on failure.
 * uri:     borrowed; NUL-terminated, at most MFA_OTP_MAX_URI_LENGTH characters.
 * options: borrowed; NULL means the defaults.
 * Errors: MFA_ERR_URI_* with mfa_last_error_message() naming the parameter or position. */
MFA_EXPORT int mfa_otp_from_uri(mfa_otp_t **otp, const char *uri, const mfa_otp_uri_options_t *options);

/* Releases an account and wipes its secret. NULL and *otp == NULL are fine; sets *otp to NULL. */
MFA_EXPORT void mfa_otp_free(mfa_otp_t **otp);

/* Copies the parameters into *params, whose struct_size the caller has set (mfa_otp_params_init). */
MFA_EXPORT int mfa_otp_get_params(const mfa_otp_t *otp, mfa_otp_params_t *params);
/* The issuer / account name as text ("" when there is none) into *issuer / *name (mfa_free it). */
MFA_EXPORT int mfa_otp_get_issuer(const mfa_otp_t *otp, char **issuer);
MFA_EXPORT int mfa_otp_get_name(const mfa_otp_t *otp, char **name);
/* The raw secret (at most MFA_OTP_MAX_SECRET_BYTES) into *secret, *len bytes (mfa_free wipes it). */
MFA_EXPORT int mfa_otp_get_secret(const mfa_otp_t *otp, uint8_t **secret, size_t *len);
/* Sets the next HOTP counter. MFA_ERR_INVALID_ARGUMENT for a TOTP or Steam account. */
MFA_EXPORT int mfa_otp_set_counter(mfa_otp_t *otp, uint64_t counter);

/* ---- Codes ----------------------------------------------------------------------------------- */

/* The code at a Unix time (totp, steam; unix_time may be negative or past 2038) or, for hotp,
 * the code of the stored counter (unix_time is ignored and the counter is NOT advanced: call
 * mfa_otp_set_counter). The code goes to (out, cap, &len); MFA_OTP_CODE_CAPACITY always suffices. */
MFA_EXPORT int mfa_otp_generate(const mfa_otp_t *otp, char *out, size_t cap, size_t *len, int64_t unix_time);
/* The code of an explicit time step (totp, steam) or counter (hotp). */
MFA_EXPORT int mfa_otp_generate_at(const mfa_otp_t *otp, char *out, size_t cap, size_t *len,
                                   uint64_t step_or_counter);
/* The time step of a Unix time: floor((unix_time - t0) / period). totp and steam only. */
MFA_EXPORT int mfa_otp_time_step(const mfa_otp_t *otp, int64_t *step, int64_t unix_time);
/* Seconds (1..period) until the code of unix_time stops being the current one. totp and steam only. */
MFA_EXPORT int mfa_otp_seconds_left(const mfa_otp_t *otp, uint32_t *seconds, int64_t unix_time);

/* ---- Verification ---------------------------------------------------------------------------- */

/* Verifies a TOTP or Steam code at Unix time `now`, accepting steps now-window_past ..
 * now+window_future (each at most MFA_OTP_MAX_WINDOW). Constant time over the whole window.
 * Replay guard: unless flags has MFA_OTP_NO_LAST_STEP, a code matching a step <= last_step (the
 * step of the last code accepted for this account: store *matched_step after MFA_OK) fails with
 * MFA_ERR_OTP_CODE_REPLAYED.
 * matched_step, drift: out, may be NULL; set on MFA_OK and on MFA_ERR_OTP_CODE_REPLAYED:
 *   the step the code belongs to, and that step minus the current step.
 * code: borrowed, NUL-terminated.
 * Returns MFA_OK, MFA_ERR_OTP_CODE_MISMATCH, MFA_ERR_OTP_CODE_REPLAYED, MFA_ERR_OTP_CODE_FORMAT
 * (wrong length or characters), MFA_ERR_INVALID_ARGUMENT (an hotp account, a window too large). */
MFA_EXPORT int mfa_otp_verify_totp(const mfa_otp_t *otp, int64_t *matched_step, int64_t *drift,
                                   const char *code, int64_t now, uint32_t window_past,
                                   uint32_t window_future, int64_t last_step, uint32_t flags);

/* Verifies an HOTP code against the stored counter .. counter + look_ahead (at most
 * MFA_OTP_MAX_LOOK_AHEAD), in constant time over the whole look-ahead. On MFA_OK the handle's
 * counter becomes the matched counter + 1, which is also written to *next_counter (may be NULL):
 * persist it. Errors as mfa_otp_verify_totp (MFA_ERR_INVALID_ARGUMENT for a totp/steam account). */
MFA_EXPORT int mfa_otp_verify_hotp(mfa_otp_t *otp, uint64_t *next_counter, const char *code,
                                   uint32_t look_ahead);

/* HOTP resynchronisation (RFC 4226 section 7.4), for a token that ran ahead of the server: the user
 * sends two consecutive codes, accepted when some counter c in stored counter .. counter + look_ahead
 * (at most MFA_OTP_MAX_RESYNC_LOOK_AHEAD) gives code1 and c + 1 gives code2. Constant time over the
 * whole range. On MFA_OK the handle's counter becomes c + 2, also written to *next_counter (may be
 * NULL): persist it. Errors as mfa_otp_verify_hotp. */
MFA_EXPORT int mfa_otp_resync_hotp(mfa_otp_t *otp, uint64_t *next_counter, const char *code1,
                                   const char *code2, uint32_t look_ahead);

/* ---- otpauth:// URIs ------------------------------------------------------------------------- */

/* The canonical otpauth:// URI of the account (docs/otpauth.md: fixed parameter order, defaults
 * written out, unpadded Base32) into *uri (mfa_free wipes it: it contains the secret).
 * MFA_ERR_URI_LABEL when the issuer or name cannot form a label (a ':', or both empty). */
MFA_EXPORT int mfa_otp_format_uri(const mfa_otp_t *otp, char **uri);

/* ---- Secrets --------------------------------------------------------------------------------- */

/* Base32 (RFC 4648, upper case, no padding) of (data, data_len) into *text (mfa_free it).
 * data_len is at most MFA_OTP_BASE32_MAX_DATA (what mfa_otp_base32_decode takes back). */
MFA_EXPORT int mfa_otp_base32_encode(char **text, const uint8_t *data, size_t data_len);
/* Decodes Base32 as people type it (any case; spaces and '-' ignored; optional '=' padding) into
 * *data, *len bytes (mfa_free it). text: at most MFA_OTP_BASE32_MAX_TEXT characters. MFA_ERR_BASE32_INVALID names the position of the first bad character. */
MFA_EXPORT int mfa_otp_base32_decode(uint8_t **data, size_t *len, const char *text);
/* n_bytes (0 means MFA_OTP_DEFAULT_SECRET_BYTES) random bytes from the CSPRNG into a caller buffer. */
MFA_EXPORT int mfa_otp_random_secret(uint8_t *out, size_t cap, size_t *len, size_t n_bytes);

/* ---- Google Authenticator export (otpauth-migration://offline?data=...) ---------------------- */

/* Parses one export URI (one QR code of an export).
 * migration: out; a new handle the caller owns (mfa_otp_migration_free); untouched on failure.
 * uri: borrowed, NUL-terminated, at most MFA_OTP_MIGRATION_MAX_URI_LENGTH characters.
 * Errors: MFA_ERR_URI_SCHEME, MFA_ERR_MIGRATION_INVALID, MFA_ERR_MIGRATION_FIELD (detail: which
 * account, which field), ... */
MFA_EXPORT int mfa_otp_migration_parse(mfa_otp_migration_t **migration, const char *uri);
/* Releases a parsed export and wipes its secrets. NULL-safe; sets *migration to NULL. */
MFA_EXPORT void mfa_otp_migration_free(mfa_otp_migration_t **migration);
/* The number of accounts in it. */
MFA_EXPORT int mfa_otp_migration_get_count(const mfa_otp_migration_t *migration, size_t *count);
/* Which QR code of an export this is: batch_size codes in all, this one 0-based batch_index, all of
 * one export sharing batch_id. Each output may be NULL. */
MFA_EXPORT int mfa_otp_migration_get_batch(const mfa_otp_migration_t *migration, int32_t *batch_size,
                                       int32_t *batch_index, int32_t *batch_id);
/* Account `index` (0..count-1) as a new mfa_otp_t the caller owns (mfa_otp_free); the migration
 * keeps its own copy. MFA_ERR_NOT_FOUND for an index out of range. */
MFA_EXPORT int mfa_otp_migration_get_account(const mfa_otp_migration_t *migration, mfa_otp_t **otp, size_t index);
/* Account `index` as its canonical otpauth:// URI into *uri (mfa_free wipes it: it contains the secret). */
MFA_EXPORT int mfa_otp_migration_get_uri(const mfa_otp_migration_t *migration, char **uri, size_t index);

/* Building an export: accounts are split into batches of at most per_batch (Google uses 10; at most
 * MFA_OTP_MIGRATION_MAX_ACCOUNTS accounts in all), one otpauth-migration:// URI (one QR code) each.
 * mfa_otp_migration_batch_count says how many URIs there are; mfa_otp_migration_build_uri writes URI
 * number batch_index (0-based) into *uri (mfa_free wipes it: it contains secrets). Pass the same accounts,
 * per_batch and batch_id (any value, the same for every URI of one export; a random one is usual)
 * for every batch_index. accounts: a borrowed array of n_accounts borrowed handles. */
MFA_EXPORT int mfa_otp_migration_batch_count(size_t *batches, size_t n_accounts, size_t per_batch);
MFA_EXPORT int mfa_otp_migration_build_uri(char **uri, const mfa_otp_t *const *accounts, size_t n_accounts,
                                           size_t per_batch, int32_t batch_id, size_t batch_index);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_OTP_H */

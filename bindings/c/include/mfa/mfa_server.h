/* mfakit C ABI: the server toolkit (docs/server.md). Stores, the toolkit handle, TOTP enrollment and
 * verification, recovery codes, throttled passwords, API tokens, lock-out, policies, allow lists,
 * the audit chain and key rotation.
 *
 * Verification functions return the verification's status: MFA_OK when accepted, otherwise
 * MFA_ERR_OTP_CODE_MISMATCH / _FORMAT / _REPLAYED, MFA_ERR_RECOVERY_CODE_INVALID,
 * MFA_ERR_PASSWORD_MISMATCH, MFA_ERR_THROTTLED, MFA_ERR_ACCOUNT_LOCKED, or an error of the call
 * itself (a store failure ...). `out` (optional) receives the details either way.
 *
 * Secrets (passwords, API tokens, recovery codes, the key ring's text) are (pointer, length) pairs,
 * borrowed for the call: no strlen runs over them, and the caller may wipe them at once.
 * JSON outputs (char **out_json) are allocated by the library, NUL-terminated, freed with mfa_free(),
 * which wipes them first (a TOTP enrollment, recovery codes, a new token, a key ring carry secrets). Strings are UTF-8; every input is borrowed.
 * A toolkit handle may be used from several threads at once; it keeps a reference to its store. */
#ifndef MFA_SERVER_H
#define MFA_SERVER_H

#include "mfa/mfa_common.h"
#include "mfa/mfa_webauthn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mfa_server_store mfa_server_store_t;
typedef struct mfa_server mfa_server_t;

/* ---- Stores and key rings -------------------------------------------------------------------- */

/* Opens (creating when missing) the store a URL names: "memory:", "sqlite:<path>",
 * "redis://host:port/db" (also "redis-sentinel://…", "redis-cluster://…", with ?wait_replicas=N),
 * "postgresql://user@host/db?…" (libpq's URL plus the store's pool_size, pool_wait_ms,
 * lock_timeout_ms). docs/server.md has each store's guarantees.
 * out: a new handle the caller owns (mfa_server_store_free); untouched on failure. A toolkit made
 * from it keeps its own reference, so the store handle may be freed right after mfa_server_new.
 * Errors: MFA_ERR_INVALID_ARGUMENT (a URL that does not parse: the detail names the part),
 * MFA_ERR_UNSUPPORTED (a backend this build left out), MFA_ERR_STORE_UNAVAILABLE (cannot connect or
 * open). A store handle may be used from several threads at once. */
MFA_EXPORT int mfa_server_store_open(mfa_server_store_t **out, const char *url);
/* Releases the caller's reference. NULL-safe; sets *store to NULL. */
MFA_EXPORT void mfa_server_store_free(mfa_server_store_t **store);

/* A new key ring file's text with one fresh AES-256 key into *out_text (mfa_free wipes it: it holds
 * the keys). Save it 0600 (`mfa server keyring` does) or in a secret manager. */
MFA_EXPORT int mfa_server_keyring_generate(char **out_text);
/* The key ring (keyring, keyring_len: the file's text) with a fresh key added, which becomes the current one, into *out_text (mfa_free wipes
 * it). Older keys stay to decrypt what they wrapped until mfa_server_rewrap has moved it.
 * MFA_ERR_KEYRING_INVALID names the line that does not parse. */
MFA_EXPORT int mfa_server_keyring_rotate(char **out_text, const char *keyring, size_t keyring_len);

/* ---- The toolkit ------------------------------------------------------------------------------ */

typedef struct mfa_server_options {
    size_t struct_size;         /* sizeof(mfa_server_options_t) */
    const char *issuer;         /* NULL = "mfakit" */
    const char *token_prefix;   /* NULL = "mfa" */
    uint32_t free_failures;     /* throttle: failures before delays (default 3) */
    uint32_t base_delay;        /* seconds (default 30), doubling */
    uint32_t max_delay;         /* seconds (default 3600) */
    uint32_t lock_after;        /* 1..100 (default 10) */
    uint32_t lock_duration;     /* seconds; 0 = until mfa_server_unlock (default) */
    uint32_t recovery_codes;    /* 1..100 (default 10) */
    /* The security-key factor. NULL rp_id = off: the mfa_server_webauthn_* calls fail with
     * MFA_ERR_INVALID_ARGUMENT. */
    const char *webauthn_rp_id;       /* "example.com" */
    const char *webauthn_rp_name;     /* NULL = rp_id */
    const char *webauthn_origins;     /* space-separated exact origins: "https://example.com" */
    uint32_t webauthn_challenge_ttl;  /* seconds, 30..3600 (default 300) */
    int webauthn_user_verification;   /* MFA_WEBAUTHN_UV_* (default PREFERRED) */
    /* Usernameless login: the userVerification it asks for and checks. mfa_server_options_init
     * sets MFA_WEBAUTHN_UV_REQUIRED: the passkey replaces the password, so it should verify the
     * user itself. */
    int webauthn_discoverable_user_verification;
} mfa_server_options_t;
/* Fills *opts with the defaults and struct_size. Versioned by struct_size like every options struct:
 * a library reads only the fields within it; bytes past the fields it knows must be zero. */
MFA_EXPORT int mfa_server_options_init(mfa_server_options_t *opts);

/* The toolkit over a store. keyring, keyring_len: the key ring file's text (copied; wipe your copy).
 * opts: NULL for the defaults. out: a new handle the caller owns (mfa_server_free), usable from
 * several threads at once; untouched on failure.
 * Errors: MFA_ERR_KEYRING_INVALID, MFA_ERR_INVALID_ARGUMENT (an option out of range or a struct_size
 * this library does not know: the detail names the field), MFA_ERR_WEBAUTHN_CONFIG (a bad rp id or
 * origin). */
MFA_EXPORT int mfa_server_new(mfa_server_t **out, mfa_server_store_t *store, const char *keyring, size_t keyring_len,
                              const mfa_server_options_t *opts);
/* Releases the toolkit and wipes its keys. NULL-safe; sets *server to NULL. */
MFA_EXPORT void mfa_server_free(mfa_server_t **server);

typedef struct mfa_server_verify_result {
    size_t struct_size;     /* sizeof(mfa_server_verify_result_t) */
    int status;             /* the same as the return value when the call itself worked */
    int64_t retry_after;    /* seconds (throttled, or a timed lock) */
    uint32_t failures;      /* consecutive failures after this attempt */
    int newly_locked;       /* this attempt locked the account */
    int needs_rehash;       /* password: store a new hash */
    char amr[64];           /* RFC 8176 values, space-separated ("otp", "pwd" ...), on success */
} mfa_server_verify_result_t;

/* ---- TOTP ------------------------------------------------------------------------------------- */
/* In every call below, `user` is the account's stable id (1..256 bytes), `source_ip` the client's
 * address for the audit record (may be NULL), and `out` (may be NULL; struct_size set by the caller)
 * the verification's details. */

/* Starts (or restarts) TOTP enrollment: a fresh secret, kept encrypted and pending until confirmed,
 * as JSON {"secret": base32, "uri", "qr_svg", "qr_png_data_uri", "expires_at"} into *out_json
 * (mfa_free wipes it: it holds the secret). account_name is the label the authenticator app shows.
 * MFA_ERR_FACTOR_ALREADY_ENROLLED when the user has a confirmed secret (mfa_server_totp_remove
 * first). */
MFA_EXPORT int mfa_server_totp_begin(mfa_server_t *s, char **out_json, const char *user, const char *account_name,
                                     const char *source_ip);
/* Confirms the pending secret with a code from the user's app; from then on the factor counts. The
 * code is spent (a later verify of it is MFA_ERR_OTP_CODE_REPLAYED). MFA_ERR_FACTOR_NOT_ENROLLED when
 * nothing is pending or it expired; failures count towards the throttle like verify's. */
MFA_EXPORT int mfa_server_totp_confirm(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user, const char *code,
                                       const char *source_ip);
/* Verifies a login code: ±1 time step, each code accepted once across every server sharing the
 * store, failures throttled then locked (out->retry_after, out->failures, out->newly_locked).
 * Returns MFA_OK, MFA_ERR_OTP_CODE_MISMATCH / _FORMAT / _REPLAYED, MFA_ERR_THROTTLED,
 * MFA_ERR_ACCOUNT_LOCKED, MFA_ERR_FACTOR_NOT_ENROLLED, or a store error. */
MFA_EXPORT int mfa_server_totp_verify(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user, const char *code,
                                      const char *source_ip);
/* Removes the user's TOTP secret (audited as totp.removed with the actor). MFA_ERR_FACTOR_NOT_ENROLLED
 * when there is none. */
MFA_EXPORT int mfa_server_totp_remove(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);

/* ---- Recovery codes --------------------------------------------------------------------------- */

/* A new set of recovery codes (the options' recovery_codes of them), replacing any older set, as a
 * JSON array of strings into *out_json (mfa_free wipes it). Show them once: only their hashes are
 * stored. */
MFA_EXPORT int mfa_server_recovery_generate(mfa_server_t *s, char **out_json, const char *user, const char *source_ip);
/* Uses a recovery code: accepted once (spaces, dashes and case as people type them), throttled like
 * a TOTP code. MFA_ERR_RECOVERY_CODE_INVALID for an unknown or spent code. */
MFA_EXPORT int mfa_server_recovery_use(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user, const char *code,
                                       size_t code_len, const char *source_ip);
/* How many unused codes the user has left into *out (0 when none were generated). */
MFA_EXPORT int mfa_server_recovery_remaining(mfa_server_t *s, size_t *out, const char *user);

/* ---- Passwords ---------------------------------------------------------------------------------- */

/* Verifies a password against the stored PHC string (Argon2id, scrypt, PBKDF2), throttled per user
 * like the second factor. phc NULL or "" for an unknown user: a dummy hash is verified so the time
 * does not tell which users exist, and the result is MFA_ERR_PASSWORD_MISMATCH. out->needs_rehash
 * asks the caller to store mfa_server_password_hash's new hash after a success.
 * Returns MFA_OK, MFA_ERR_PASSWORD_MISMATCH, MFA_ERR_PASSWORD_HASH_FORMAT, MFA_ERR_THROTTLED,
 * MFA_ERR_ACCOUNT_LOCKED. */
MFA_EXPORT int mfa_server_password_verify(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user,
                                          const char *password, size_t password_len, const char *phc,
                                          const char *source_ip);
/* The Argon2id PHC string of a password (OWASP parameters m=19 MiB, t=2, p=1; a fresh salt) into
 * *out_phc (mfa_free it). Passwords of at most 4096 bytes (MFA_ERR_INVALID_ARGUMENT beyond). Needs no
 * toolkit handle. */
MFA_EXPORT int mfa_server_password_hash(char **out_phc, const char *password, size_t password_len);
/* The default policy (8..64 characters, dictionary when installed, user-name similarity);
 * MFA_ERR_PASSWORD_POLICY with the reason in mfa_last_error_message(). user may be NULL. */
MFA_EXPORT int mfa_server_password_check(const char *password, size_t password_len, const char *user);

/* ---- API tokens --------------------------------------------------------------------------------- */

/* Creates an API token for user: name (1..256 bytes, shown in lists), scopes (space-separated, at most
 * 64, may be NULL), expires (Unix time, or 0 for none). JSON {"token", "id"} into *out_json
 * (mfa_free wipes it): show the token once; the store keeps only its hash. MFA_ERR_TOKEN_LIFETIME
 * when the owner's organization has a token_max_lifetime and expires is 0 or beyond it. */
MFA_EXPORT int mfa_server_token_create(mfa_server_t *s, char **out_json, const char *user, const char *name,
                                       const char *scopes, int64_t expires, const char *source_ip);
/* Verifies a presented token (format, checksum, then the stored hash, in constant time) and records
 * its use. On MFA_OK, JSON {"id","user","name","scopes","created","expires","last_used","last_ip"}
 * into *out_json (mfa_free it); last_used (to the minute) and last_ip are recorded on each success.
 * MFA_ERR_TOKEN_FORMAT (not a token of this prefix, or a bad checksum: no store lookup is made),
 * MFA_ERR_TOKEN_INVALID (unknown or revoked), MFA_ERR_TOKEN_EXPIRED (also past the organization's
 * maximum lifetime), MFA_ERR_ACCOUNT_DELETED (a token of a deleted account). */
MFA_EXPORT int mfa_server_token_verify(mfa_server_t *s, char **out_json, const char *token, size_t token_len,
                                       const char *source_ip);
/* The user's tokens as a JSON array of the objects token_verify returns (no token text: it is not
 * stored) into *out_json (mfa_free it). */
MFA_EXPORT int mfa_server_token_list(mfa_server_t *s, char **out_json, const char *user);
/* Revokes the user's token `id` (audited token.revoked with the actor); it fails verification at once
 * everywhere. MFA_ERR_TOKEN_INVALID when the user has no such token; MFA_ERR_INVALID_ARGUMENT
 * for an id that is not 8 characters. */
MFA_EXPORT int mfa_server_token_revoke(mfa_server_t *s, const char *user, const char *id, const char *actor,
                                       const char *source_ip);

/* ---- Lock-out ------------------------------------------------------------------------------------ */

/* The user's throttle state as JSON {"user", "locked", "retry_after", "password_failures",
 * "second_factor_failures"} into *out_json (mfa_free it): what a login page shows ("try again in"). */
MFA_EXPORT int mfa_server_lock_status(mfa_server_t *s, char **out_json, const char *user);
/* Clears the user's lock and failure counts (audited account.unlocked with the actor: a support
 * person, after checking who asks). */
MFA_EXPORT int mfa_server_unlock(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);

/* ---- Audit chain --------------------------------------------------------------------------------- */

/* Checks the whole audit hash chain: *records (may be NULL) gets the number of records, head_hash
 * (a caller buffer of at least 65 bytes, or NULL) the newest record's hash in hex.
 * MFA_ERR_AUDIT_CHAIN_BROKEN names the first bad record; MFA_ERR_AUDIT_RECORD_INVALID a record that
 * does not parse. */
MFA_EXPORT int mfa_server_audit_verify(mfa_server_t *s, uint64_t *records, char *head_hash, size_t head_cap,
                                       size_t *head_len);
/* The same, against a head recorded outside the store: expect_head is "<records>:<hash>" (the
 * "anchor" `mfa server audit verify` prints). MFA_ERR_AUDIT_HEAD_MISMATCH when that record is gone
 * or hashes differently (the log was cut or rewritten); MFA_ERR_INVALID_ARGUMENT when it does not parse. */
MFA_EXPORT int mfa_server_audit_verify_expect(mfa_server_t *s, const char *expect_head, uint64_t *records,
                                              char *head_hash, size_t head_cap, size_t *head_len);

/* ---- Organization policy ------------------------------------------------------------------------ */

/* Stores an organization's policy (JSON as in docs/server.md: second factor required, grace period,
 * allowed factors, allow lists, password rules and renewal, token lifetime ...), validated first and
 * audited (policy.changed with the actor). MFA_ERR_POLICY_INVALID names the field. */
MFA_EXPORT int mfa_server_set_policy(mfa_server_t *s, const char *org, const char *policy_json, const char *actor,
                                     const char *source_ip);
/* What a login of `user` in `org` may do now, as JSON {"decision" (allow / must_enroll / must_verify /
 * must_change_password / deny), "reason", "may_skip", "enroll_deadline", "accepted",
 * "password_change"} into *out_json (mfa_free it); must_change_password (password_change "max_age",
 * "reset" or "compromised") comes once every factor passed. state_json describes the login:
 * {"roles", "enrolled", "joined_at", "email", "source_ip", "second_factor_verified",
 * "password_changed_at"} (every field optional); MFA_ERR_INVALID_ARGUMENT names a bad field. */
MFA_EXPORT int mfa_server_login_decision(mfa_server_t *s, char **out_json, const char *org, const char *user,
                                         const char *state_json);

/* ---- Allow lists ---------------------------------------------------------------------------------- */

/* list: entries separated by spaces, commas or new lines (CIDR blocks and addresses, IPv4 and IPv6;
 * email domains, "*.example.com" for subdomains). MFA_OK when allowed, MFA_ERR_IP_NOT_ALLOWED /
 * MFA_ERR_EMAIL_DOMAIN_NOT_ALLOWED when not, MFA_ERR_ALLOWLIST_SYNTAX naming the bad entry or address.
 * Need no toolkit handle. */
MFA_EXPORT int mfa_server_allowlist_check_ip(const char *list, const char *ip);
MFA_EXPORT int mfa_server_allowlist_check_email(const char *list, const char *email);

/* ---- Security keys and passkeys (WebAuthn) -------------------------------------------------------- */

/* *_begin return the options JSON for the browser
 * ({"options":{…},"expires_at":N}); the challenge stays in the store, single use, until expires_at.
 * register_finish returns the stored key as JSON ({"id","name","aaguid","alg","sign_count",
 * "transports","backup_eligible","backup_state","uv_initialized","discoverable","attestation":{…},
 * "created","last_used"}); list returns an array of those. login_finish fills `out` like totp_verify (amr
 * "hwk"/"swk", "user", and "pin mfa" with user verification); its status names the failed step
 * (MFA_ERR_WEBAUTHN_CHALLENGE for a used, expired or another user's challenge,
 * MFA_ERR_WEBAUTHN_SIGN_COUNT for a counter that did not increase ...). */

/* Registration options for the user's browser into *out_json (mfa_free it); excludeCredentials lists
 * the user's keys. resident_key: MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED (the usual), _REQUIRED (a
 * passkey for usernameless login), _DISCOURAGED. The stored key's JSON then has "discoverable": true /
 * false as the client reported it (credProps), or null when it did not. MFA_ERR_INVALID_ARGUMENT when
 * the toolkit has no rp id or resident_key is out of range. */
MFA_EXPORT int mfa_server_webauthn_register_begin(mfa_server_t *s, char **out_json, const char *user,
                                                  const char *display_name, int resident_key,
                                                  const char *source_ip);
/* Verifies the browser's registration response (PublicKeyCredential.toJSON()) against the user's
 * pending challenge and stores the key under `name` (at most 128 bytes); the stored key's JSON into
 * *out_json (mfa_free it). MFA_ERR_WEBAUTHN_* names the failed step. */
MFA_EXPORT int mfa_server_webauthn_register_finish(mfa_server_t *s, char **out_json, const char *user,
                                                   const char *response_json, const char *name,
                                                   const char *source_ip);
/* Authentication options for the user (allowCredentials: the user's keys) into *out_json (mfa_free
 * it). MFA_ERR_FACTOR_NOT_ENROLLED when the user has no key. */
MFA_EXPORT int mfa_server_webauthn_login_begin(mfa_server_t *s, char **out_json, const char *user,
                                               const char *source_ip);
/* Verifies the browser's authentication response: signature, challenge (single use), origin, rp id
 * hash, flags, signature counter; throttled like a TOTP code. */
MFA_EXPORT int mfa_server_webauthn_login_finish(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user,
                                                const char *response_json, const char *source_ip);
/* Usernameless login with a passkey (docs/server.md): options bound to no user, with an empty
 * allowCredentials; then the response, whose userHandle names the account. On success *out_user
 * receives the account's user name (free with mfa_free); it is NULL otherwise. The status is as for
 * login_finish, plus MFA_ERR_WEBAUTHN_USER_HANDLE when the response has no userHandle; a userHandle
 * of no account fails as MFA_ERR_WEBAUTHN_CREDENTIAL_ID, like a credential of another account. */
MFA_EXPORT int mfa_server_webauthn_login_begin_discoverable(mfa_server_t *s, char **out_json, const char *source_ip);
MFA_EXPORT int mfa_server_webauthn_login_finish_discoverable(mfa_server_t *s, mfa_server_verify_result_t *out,
                                                             char **out_user, const char *response_json,
                                                             const char *source_ip);
/* The user's keys as a JSON array of stored-key objects into *out_json (mfa_free it). */
MFA_EXPORT int mfa_server_webauthn_list(mfa_server_t *s, char **out_json, const char *user);
/* Removes one of the user's keys (audited webauthn.removed with the actor). id: the key's base64url
 * credential id (from the list). MFA_ERR_FACTOR_NOT_ENROLLED when the user has no such key. */
MFA_EXPORT int mfa_server_webauthn_remove(mfa_server_t *s, const char *user, const char *id, const char *actor,
                                          const char *source_ip);

/* ---- Migration: google-authenticator-libpam and pam-u2f files (docs/pam.md "Migration") -------- */

/* Imports a ~/.google_authenticator file (file, file_len: its text, borrowed; wipe it after) for
 * user: a TOTP file's secret becomes the user's TOTP factor (SHA-1, 6 digits, its STEP_SIZE), an
 * HOTP file's (" HOTP_COUNTER n) an HOTP factor from counter n accepting the WINDOW_SIZE codes from
 * there, as google-authenticator does; its scratch codes become recovery codes. Replay guard and
 * throttle are the store's from then on, whatever DISALLOW_REUSE and RATE_LIMIT said. JSON
 * {"user", "totp_imported", "recovery_codes", "notes"} into *out_json (mfa_free it): notes say which
 * settings were not carried over. A user who already has an OTP factor keeps it: MFA_OK with
 * "totp_imported": false and no scratch code added. The file is only read: nothing is written back.
 * Errors: MFA_ERR_PARSE naming the line ("google_authenticator line 3: ..."; nothing imported),
 * MFA_ERR_LIMIT_EXCEEDED (over 1 KiB, the module's own limit), MFA_ERR_UNSUPPORTED (HOTP_COUNTER 0,
 * with which google-authenticator accepts no code), MFA_ERR_INVALID_ARGUMENT (a NULL argument). */
MFA_EXPORT int mfa_server_import_google_authenticator(mfa_server_t *s, char **out_json, const char *user,
                                                      const char *file, size_t file_len, const char *actor,
                                                      const char *source_ip);

typedef struct mfa_server_u2f_import_options {
    size_t struct_size; /* sizeof(mfa_server_u2f_import_options_t) */
    /* NULL or "": every user of the file (the last line of each, as pam-u2f reads it); otherwise
     * only this user's line, MFA_ERR_NOT_FOUND when the file has none. */
    const char *user;
    /* pam-u2f's appid= (NULL or "": the same as its origin=). Old-format keys were registered under
     * it: when it is not the toolkit's webauthn_rp_id they would never verify, and are skipped with
     * a note. */
    const char *appid;
} mfa_server_u2f_import_options_t;
/* Fills *opts with the defaults (every user, no appid) and struct_size. */
MFA_EXPORT int mfa_server_u2f_import_options_init(mfa_server_u2f_import_options_t *opts);
/* Imports pam-u2f's mappings (a ~/.config/Yubico/u2f_keys or a central authfile=; mappings,
 * mappings_len: its text, at most 1 MiB) as security keys, named "pam-u2f key N" with sign count 0,
 * that mfa_server_webauthn_login_* then verify: the toolkit's webauthn_rp_id must be the origin=
 * pam-u2f used ("pam://<hostname>" by default). Keys already registered are kept; resident ('*')
 * keys, which the file holds no credential id of, are skipped. opts: NULL for the defaults. JSON
 * {"users": [{"user", "line", "keys_imported", "notes"}], "keys_imported"} into *out_json (mfa_free
 * it). Errors: MFA_ERR_PARSE naming the line, the credential and the field ("u2f_keys line 3,
 * credential 2: public key: ..."; nothing imported), MFA_ERR_LIMIT_EXCEEDED, MFA_ERR_NOT_FOUND
 * (opts->user has no line), MFA_ERR_FACTOR_ALREADY_ENROLLED (a user has no room for more keys; the
 * users before stay imported), MFA_ERR_INVALID_ARGUMENT (a NULL argument, a bad struct_size). */
MFA_EXPORT int mfa_server_import_pam_u2f(mfa_server_t *s, char **out_json, const char *mappings, size_t mappings_len,
                                         const mfa_server_u2f_import_options_t *opts, const char *actor,
                                         const char *source_ip);

/* ---- Key rotation ---------------------------------------------------------------------------------- */

/* Re-encrypts every stored secret not under the key ring's current key; *moved (may be NULL): how
 * many were (audited keyring.rewrap). Safe to run while the service verifies; run it after
 * mfa_server_keyring_rotate, before retiring the old key. */
MFA_EXPORT int mfa_server_rewrap(mfa_server_t *s, size_t *moved);

/* ==== Administration: the audit trail admins read, organizations, account deletion, the API keys
 * of an organization, password renewal (docs/server.md "Organizations and accounts") ==== */

/* A query of the audit trail: every non-NULL, non-empty field must match; type is an exact event
 * type or a prefix ending in '*' ("app.*"); since/until: Unix times, [since, until), 0 = unbounded;
 * limit 1..1000 (default 50); cursor: NULL for the newest events, else a next_cursor from before. */
typedef struct mfa_server_audit_filter {
    size_t struct_size;  /* sizeof(mfa_server_audit_filter_t) */
    const char *org;
    const char *subject;
    const char *actor;
    const char *type;
    int64_t since;
    int64_t until;
    size_t limit;
    const char *cursor;
} mfa_server_audit_filter_t;
MFA_EXPORT int mfa_server_audit_filter_init(mfa_server_audit_filter_t *q);
/* JSON {"events": [{"seq","ts","time","type","actor","subject","ip","detail","orgs"}...] newest first,
 * "next_cursor": "…" or null when nothing older matches}. q may be NULL (the newest 50). */
MFA_EXPORT int mfa_server_audit_query(mfa_server_t *s, char **out_json, const mfa_server_audit_filter_t *q);
/* The records the query selects (limit and cursor ignored), oldest first, one canonical record (the
 * text the chain hashes) a line. */
MFA_EXPORT int mfa_server_audit_export(mfa_server_t *s, char **out_jsonl, const mfa_server_audit_filter_t *q);
/* An application event in the chain: type "app." + [a-z0-9_.-] (MFA_ERR_AUDIT_EVENT_INVALID
 * otherwise); actor required; subject, detail, source_ip, org may be NULL. *seq (may be NULL): its
 * sequence number. */
MFA_EXPORT int mfa_server_audit_append(mfa_server_t *s, uint64_t *seq, const char *actor, const char *subject,
                                       const char *type, const char *detail, const char *source_ip, const char *org);
/* Restores missing organization index entries (a writer that died between its two steps); *added. */
MFA_EXPORT int mfa_server_audit_reindex(mfa_server_t *s, size_t *added);

/* role: "owner", "admin" or "member" (NULL = "member"). A user is in one organization at a time.
 * MFA_ERR_LAST_OWNER (audited permission.denied) when user is the only owner of their organization
 * and the role is not "owner" or org is another one: make another member owner first. */
MFA_EXPORT int mfa_server_membership_set(mfa_server_t *s, const char *user, const char *org, const char *role,
                                         const char *actor, const char *source_ip);
/* JSON {"user","org","role","since"}; MFA_ERR_NOT_FOUND when the user is in no organization.
 * Removing the only owner of an organization is MFA_ERR_LAST_OWNER, as mfa_server_membership_set. */
MFA_EXPORT int mfa_server_membership_get(mfa_server_t *s, char **out_json, const char *user);
MFA_EXPORT int mfa_server_membership_remove(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);
/* JSON array of the organization's memberships, by user name. */
MFA_EXPORT int mfa_server_org_members(mfa_server_t *s, char **out_json, const char *org);

/* Deletes the account at once (its factors, tokens and logins then fail with MFA_ERR_ACCOUNT_DELETED)
 * and keeps its data for retention seconds (0 = 30 days, at most 3650 days). MFA_ERR_LAST_OWNER
 * (audited permission.denied) when user is the only owner of their organization who is not deleted. */
MFA_EXPORT int mfa_server_account_delete(mfa_server_t *s, const char *user, int64_t retention, const char *actor,
                                         const char *source_ip);
/* MFA_ERR_NOT_FOUND when the account is not deleted or its retention is over. */
MFA_EXPORT int mfa_server_account_restore(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);
/* JSON {"user","deleted","deleted_at","purge_after","deleted_by"}. */
MFA_EXPORT int mfa_server_account_status(mfa_server_t *s, char **out_json, const char *user);
/* Removes every deleted account whose retention ended by now (0 = the clock). JSON array
 * [{"user","deleted_at","keys"}] of what was purged. actor may be NULL ("system"). */
MFA_EXPORT int mfa_server_purge(mfa_server_t *s, char **out_json, int64_t now, const char *actor);

/* JSON array of every API token of the organization's members, newest first: {"id","user" (the
 * owner),"name","scopes","created","expires","last_used","last_ip"}. */
MFA_EXPORT int mfa_server_org_tokens(mfa_server_t *s, char **out_json, const char *org);
/* Revokes a token by id; with org non-NULL only one owned by a member of org (else
 * MFA_ERR_TOKEN_INVALID, as for an unknown id). */
MFA_EXPORT int mfa_server_token_revoke_id(mfa_server_t *s, const char *id, const char *org, const char *actor,
                                          const char *source_ip);

/* The organization's password policy (its "password_min_classes" rule); MFA_ERR_PASSWORD_POLICY with
 * the reason in mfa_last_error_message(). user may be NULL. */
MFA_EXPORT int mfa_server_password_check_org(mfa_server_t *s, const char *org, const char *password,
                                             size_t password_len, const char *user);
/* Records that the user's password was just set (clears a forced change). */
MFA_EXPORT int mfa_server_password_changed(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);
/* Forces a change at the next login (login_decision: "must_change_password"); reason "reset" or
 * "compromised". */
MFA_EXPORT int mfa_server_password_require_change(mfa_server_t *s, const char *user, const char *reason,
                                                  const char *actor, const char *source_ip);
/* JSON {"changed_at", "must_change": "none"|"reset"|"compromised"}. */
MFA_EXPORT int mfa_server_password_state(mfa_server_t *s, char **out_json, const char *user);

/* ---- What a service shows and who may administer (docs/server.md "Roles and permissions") ---- */

/* The organization's stored policy (the default, optional one when none was set) as the JSON
 * mfa_server_set_policy takes: {"require","roles","grace_period","effective_since","allowed",
 * "ip_allow","email_allow","token_max_lifetime","password_max_age","password_min_classes"}. */
MFA_EXPORT int mfa_server_policy_get(mfa_server_t *s, char **out_json, const char *org);
/* The user's factors, no secret: JSON {"user", "totp" (an active OTP factor), "totp_since",
 * "hwtoken" (the serial when the OTP factor is a hardware token, else null), "otp_type" ("totp",
 * "hotp" or null), "totp_pending" (an enrollment awaits its code), "security_keys", "passkeys"
 * (discoverable keys among them), "recovery_codes_left", "enrolled" (the factor types a policy
 * counts: "totp", "webauthn")}. */
MFA_EXPORT int mfa_server_factor_state(mfa_server_t *s, char **out_json, const char *user);
/* The role table: JSON {"owner": [permission...], "admin": [...], "member": []}. Permissions:
 * "policy.change", "roles.change" (owner); "members.manage" (invite, remove, unlock, require a new
 * password, delete and restore accounts), "audit.read", "api_keys.manage", "otp_tokens.manage",
 * "data_protection.read" (owner and admin). Needs no toolkit handle. */
MFA_EXPORT int mfa_server_role_permissions(char **out_json);
/* May actor do permission in org? MFA_OK, or MFA_ERR_PERMISSION_DENIED (the detail says why: not a
 * member of org, a role without the permission, or target, when non-NULL, is not a member of org or
 * outranks the actor: an admin never acts on an owner), audited permission.denied in org;
 * MFA_ERR_ACCOUNT_DELETED for a deleted actor; MFA_ERR_INVALID_ARGUMENT for an unknown permission. */
MFA_EXPORT int mfa_server_authorize(mfa_server_t *s, const char *actor, const char *org, const char *permission,
                                    const char *target, const char *source_ip);

/* ---- Operations: backups, key maintenance, hardware OTP tokens (docs/server.md "Backups", "Key
 * maintenance", "Hardware OTP tokens"; bindings/c/server_ops.cpp) ---------------------------------- */

/* Backups of a SQLite store (store_url "sqlite:<path>"): a consistent online copy (SQLite's backup
 * API) written 0600, fsynced and renamed into dir as mfa-backup-<UTC stamp>.db, then the backups
 * older than retention_days (1..36500; 0 = 30) pruned, the newest always kept. JSON {"name", "path",
 * "time", "bytes", "pruned": [names]}. MFA_ERR_UNSUPPORTED for Redis, PostgreSQL and memory: stores
 * (the detail names their own tools). */
MFA_EXPORT int mfa_server_backup_create(char **out_json, const char *store_url, const char *dir, uint32_t retention_days);
/* JSON array of {"name", "path", "time", "bytes"}, oldest first. */
MFA_EXPORT int mfa_server_backup_list(char **out_json, const char *dir);
/* Removes the backups older than retention_days (0 = 30); JSON array of the names removed. */
MFA_EXPORT int mfa_server_backup_prune(char **out_json, const char *dir, uint32_t retention_days);
/* integrity_check, schema and audit chain of a backup: JSON {"entries", "audit_records",
 * "audit_head", "key_ids"}. MFA_ERR_BACKUP_INVALID, MFA_ERR_AUDIT_CHAIN_BROKEN ... otherwise. */
MFA_EXPORT int mfa_server_backup_verify(char **out_json, const char *backup_path);
/* Verifies, then writes the backup to target_path atomically. MFA_ERR_BACKUP_TARGET_EXISTS when the
 * target exists and overwrite is 0; with overwrite, MFA_ERR_STORE_UNAVAILABLE while another process
 * has the target open. */
MFA_EXPORT int mfa_server_backup_restore(const char *backup_path, const char *target_path, int overwrite);

/* One run of automatic key rotation, for cron: rotate when the current key is older than
 * max_age_days (0 = 90), rewrap at most batch records (0 = 1000) once the current key is
 * rewrap_delay seconds old, retire keys no stored secret uses and remove them once no backup in
 * backup_dir (NULL: none) retained for backup_retention_days (0 = 30) holds a secret under them.
 * The key ring file is replaced atomically, runs are serialised by <keyring_path>.lock.
 * JSON {"current", "rotated", "created_recorded", "examined", "rewrapped", "rewrap_pending",
 * "retired", "removed", "kept"}. MFA_ERR_KEYRING_BUSY when another run holds the lock. */
MFA_EXPORT int mfa_server_keyring_maintain(char **out_json, mfa_server_store_t *store, const char *keyring_path,
                                           uint32_t max_age_days, uint32_t batch, uint32_t rewrap_delay,
                                           const char *backup_dir, uint32_t backup_retention_days);
/* The same run with the rotation age in seconds (a service that rotates hourly, or a test that
 * watches a rotation happen). Fields as above; mfa_server_key_maintenance_init sets the defaults
 * (max_age 90 days, batch 1000, rewrap_delay 3600, no backup_dir, backup_retention_days 30). */
typedef struct mfa_server_key_maintenance {
    size_t struct_size;              /* sizeof(mfa_server_key_maintenance_t) */
    int64_t max_age;                 /* seconds the current key stays current: 1 .. 36500 days */
    uint32_t batch;                  /* records examined a run, 1..100000 */
    uint32_t rewrap_delay;           /* seconds, 0..2592000 */
    const char *backup_dir;          /* NULL: no backups to account for */
    uint32_t backup_retention_days;  /* 1..36500 */
} mfa_server_key_maintenance_t;
MFA_EXPORT int mfa_server_key_maintenance_init(mfa_server_key_maintenance_t *policy);
/* policy NULL: the defaults. MFA_ERR_INVALID_ARGUMENT names a field out of range. */
MFA_EXPORT int mfa_server_keyring_maintain_policy(char **out_json, mfa_server_store_t *store, const char *keyring_path,
                                                  const mfa_server_key_maintenance_t *policy);

/* Hardware OTP tokens, an inventory per organization. import: every key of a PSKC file (RFC 6030;
 * pskc, pskc_len bytes) as an unassigned token of org (required), all or nothing; key (key_len 16,
 * 24 or 32) for a pre-shared-key container, passphrase (passphrase_len) for a PBKDF2 one, both NULL
 * for a plain one. JSON array of the tokens ({"serial", "type", "algorithm", "digits", "period",
 * "counter", "state", "user", "manufacturer", "model", "issuer", "imported", "changed", "org"
 * (null for a token imported before tokens had an organization)}); list returns org's tokens so.
 * Errors: MFA_ERR_PSKC_INVALID / _DECRYPT / _MAC / _ALGORITHM, MFA_ERR_HWTOKEN_EXISTS (a serial is
 * stored already, in any organization), MFA_ERR_UNSUPPORTED (built without libpskc). An assigned
 * token is the user's OTP factor: mfa_server_totp_verify checks its codes (HOTP with a look-ahead
 * of 10). In list, assign, unassign and retire, org is the organization whose inventory the call
 * sees (another one's token is MFA_ERR_NOT_FOUND); NULL is an operator's view of every token. */
MFA_EXPORT int mfa_server_otp_tokens_import(mfa_server_t *s, char **out_json, const char *org, const char *pskc,
                                            size_t pskc_len, const uint8_t *key, size_t key_len,
                                            const char *passphrase, size_t passphrase_len, const char *actor,
                                            const char *source_ip);
MFA_EXPORT int mfa_server_otp_tokens_list(mfa_server_t *s, char **out_json, const char *org);
/* MFA_ERR_NOT_FOUND (no such serial in org), MFA_ERR_HWTOKEN_ORG (user is not a member of the
 * token's organization), MFA_ERR_HWTOKEN_STATE (assigned, retired, or the user has an OTP factor
 * already). */
MFA_EXPORT int mfa_server_otp_tokens_assign(mfa_server_t *s, const char *org, const char *serial, const char *user,
                                            const char *actor, const char *source_ip);
MFA_EXPORT int mfa_server_otp_tokens_unassign(mfa_server_t *s, const char *org, const char *serial, const char *actor,
                                              const char *source_ip);
/* Unassigns if needed and destroys the seed; the record stays (state "retired"). */
MFA_EXPORT int mfa_server_otp_tokens_retire(mfa_server_t *s, const char *org, const char *serial, const char *actor,
                                            const char *source_ip);
/* An operator gives a token of no organization (imported before tokens had one) to org, once.
 * MFA_ERR_HWTOKEN_ORG when it has one already, or is assigned to a user who is not a member of org. */
MFA_EXPORT int mfa_server_otp_tokens_adopt(mfa_server_t *s, const char *serial, const char *org, const char *actor,
                                           const char *source_ip);
/* HOTP resynchronisation with two consecutive codes; fills out like mfa_server_totp_verify. */
MFA_EXPORT int mfa_server_otp_tokens_resync(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user,
                                            const char *code1, const char *code2, const char *source_ip);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_SERVER_H */

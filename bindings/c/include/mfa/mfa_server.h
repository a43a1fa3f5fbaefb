/* mfakit C ABI: the server toolkit (docs/server.md). Stores, the toolkit handle, TOTP enrollment and
 * verification, recovery codes, throttled passwords, API tokens, lock-out, policies, allow lists,
 * the audit chain and key rotation.
 *
 * Verification functions return the verification's status: MFA_OK when accepted, otherwise
 * MFA_ERR_OTP_CODE_MISMATCH / _FORMAT / _REPLAYED, MFA_ERR_RECOVERY_CODE_INVALID,
 * MFA_ERR_PASSWORD_MISMATCH, MFA_ERR_THROTTLED, MFA_ERR_ACCOUNT_LOCKED, or an error of the call
 * itself (a store failure ...). `out` (optional) receives the details either way.
 *
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

/* "memory:", "sqlite:<path>", "redis://host:port/db", "postgresql://user@host/db?…" (libpq's URL plus
 * the store's pool_size, pool_wait_ms, lock_timeout_ms; MFA_ERR_UNSUPPORTED in a build without
 * PostgreSQL). docs/server.md has each store's guarantees. */
MFA_EXPORT int mfa_server_store_open(mfa_server_store_t **out, const char *url);
MFA_EXPORT void mfa_server_store_free(mfa_server_store_t **store);

/* A new key ring file text with one fresh key; and the same text with a fresh key added. */
MFA_EXPORT int mfa_server_keyring_generate(char **out_text);
MFA_EXPORT int mfa_server_keyring_rotate(char **out_text, const char *keyring_text);

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

/* keyring_text: the key ring file's content. opts may be NULL (defaults). */
MFA_EXPORT int mfa_server_new(mfa_server_t **out, mfa_server_store_t *store, const char *keyring_text,
                              const mfa_server_options_t *opts);
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

/* JSON {"secret": base32, "uri", "qr_svg", "qr_png_data_uri", "expires_at"}. */
MFA_EXPORT int mfa_server_totp_begin(mfa_server_t *s, char **out_json, const char *user, const char *account_name,
                                     const char *source_ip);
MFA_EXPORT int mfa_server_totp_confirm(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user, const char *code,
                                       const char *source_ip);
MFA_EXPORT int mfa_server_totp_verify(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user, const char *code,
                                      const char *source_ip);
MFA_EXPORT int mfa_server_totp_remove(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);

/* JSON array of the new codes (shown once). */
MFA_EXPORT int mfa_server_recovery_generate(mfa_server_t *s, char **out_json, const char *user, const char *source_ip);
MFA_EXPORT int mfa_server_recovery_use(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user, const char *code,
                                       const char *source_ip);
MFA_EXPORT int mfa_server_recovery_remaining(mfa_server_t *s, size_t *out, const char *user);

/* phc: the stored hash, or NULL / "" for an unknown user (a dummy hash is verified). */
MFA_EXPORT int mfa_server_password_verify(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user,
                                          const char *password, const char *phc, const char *source_ip);
/* Argon2id with the OWASP parameters (m=19 MiB, t=2, p=1). */
MFA_EXPORT int mfa_server_password_hash(char **out_phc, const char *password);
/* The default policy (8..64 characters, dictionary when installed, user-name similarity);
 * MFA_ERR_PASSWORD_POLICY with the reason in mfa_last_error_message(). user may be NULL. */
MFA_EXPORT int mfa_server_password_check(const char *password, const char *user);

/* scopes: space-separated, may be NULL; expires: Unix time or 0. JSON {"token", "id"}. */
MFA_EXPORT int mfa_server_token_create(mfa_server_t *s, char **out_json, const char *user, const char *name,
                                       const char *scopes, int64_t expires, const char *source_ip);
/* JSON {"id","user","name","scopes","created","expires","last_used"}. */
MFA_EXPORT int mfa_server_token_verify(mfa_server_t *s, char **out_json, const char *token, const char *source_ip);
MFA_EXPORT int mfa_server_token_list(mfa_server_t *s, char **out_json, const char *user);
MFA_EXPORT int mfa_server_token_revoke(mfa_server_t *s, const char *user, const char *id, const char *actor,
                                       const char *source_ip);

/* JSON {"locked", "retry_after", "password_failures", "second_factor_failures"}. */
MFA_EXPORT int mfa_server_lock_status(mfa_server_t *s, char **out_json, const char *user);
MFA_EXPORT int mfa_server_unlock(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);

/* MFA_ERR_AUDIT_CHAIN_BROKEN names the first bad record. head_hash: 65 bytes or NULL. */
MFA_EXPORT int mfa_server_audit_verify(mfa_server_t *s, uint64_t *records, char *head_hash, size_t head_cap,
                                       size_t *head_len);
/* The same, against a head recorded outside the store: expect_head is "<records>:<hash>" (the
 * "anchor" `mfa server audit verify` prints). MFA_ERR_AUDIT_HEAD_MISMATCH when that record is gone
 * or hashes differently (the log was cut or rewritten); MFA_ERR_INVALID_ARGUMENT when it does not parse. */
MFA_EXPORT int mfa_server_audit_verify_expect(mfa_server_t *s, const char *expect_head, uint64_t *records,
                                              char *head_hash, size_t head_cap, size_t *head_len);

/* Policy JSON as in docs/server.md; the decision as JSON {"decision", "reason", "may_skip",
 * "enroll_deadline", "accepted"}. state_json: {"roles", "enrolled", "joined_at", "email", "source_ip",
 * "second_factor_verified"} (every field optional). */
MFA_EXPORT int mfa_server_set_policy(mfa_server_t *s, const char *org, const char *policy_json, const char *actor,
                                     const char *source_ip);
MFA_EXPORT int mfa_server_login_decision(mfa_server_t *s, char **out_json, const char *org, const char *user,
                                         const char *state_json);

/* MFA_OK when allowed, MFA_ERR_IP_NOT_ALLOWED / MFA_ERR_EMAIL_DOMAIN_NOT_ALLOWED when not,
 * MFA_ERR_ALLOWLIST_SYNTAX for a bad list or address. */
MFA_EXPORT int mfa_server_allowlist_check_ip(const char *list, const char *ip);
MFA_EXPORT int mfa_server_allowlist_check_email(const char *list, const char *email);

/* Security keys and passkeys (WebAuthn). *_begin return the options JSON for the browser
 * ({"options":{…},"expires_at":N}); the challenge stays in the store, single use, until expires_at.
 * register_finish returns the stored key as JSON ({"id","name","aaguid","alg","sign_count",
 * "transports","backup_eligible","backup_state","uv_initialized","discoverable","attestation":{…},
 * "created","last_used"}); list returns an array of those. login_finish fills `out` like totp_verify (amr
 * "hwk"/"swk", "user", and "pin mfa" with user verification); its status names the failed step
 * (MFA_ERR_WEBAUTHN_CHALLENGE for a used, expired or another user's challenge,
 * MFA_ERR_WEBAUTHN_SIGN_COUNT for a counter that did not increase ...). */
/* resident_key: MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED (the usual), _REQUIRED (a passkey for usernameless
 * login), _DISCOURAGED. The stored key's JSON then has "discoverable": true / false as the client
 * reported it (credProps), or null when it did not. */
MFA_EXPORT int mfa_server_webauthn_register_begin(mfa_server_t *s, char **out_json, const char *user,
                                                  const char *display_name, int resident_key,
                                                  const char *source_ip);
MFA_EXPORT int mfa_server_webauthn_register_finish(mfa_server_t *s, char **out_json, const char *user,
                                                   const char *response_json, const char *name,
                                                   const char *source_ip);
MFA_EXPORT int mfa_server_webauthn_login_begin(mfa_server_t *s, char **out_json, const char *user,
                                               const char *source_ip);
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
MFA_EXPORT int mfa_server_webauthn_list(mfa_server_t *s, char **out_json, const char *user);
/* id: the key's base64url credential id (from the list). */
MFA_EXPORT int mfa_server_webauthn_remove(mfa_server_t *s, const char *user, const char *id, const char *actor,
                                          const char *source_ip);

/* Re-encrypts the stored secrets under the key ring's newest key; *moved: how many were. */
MFA_EXPORT int mfa_server_rewrap(mfa_server_t *s, size_t *moved);

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

/* Hardware OTP tokens. import: every key of a PSKC file (RFC 6030; pskc, pskc_len bytes) as an
 * unassigned token, all or nothing; key (key_len 16, 24 or 32) for a pre-shared-key container,
 * passphrase (passphrase_len) for a PBKDF2 one, both NULL for a plain one. JSON array of the tokens
 * ({"serial", "type", "algorithm", "digits", "period", "counter", "state", "user", "manufacturer",
 * "model", "issuer", "imported", "changed"}); list returns every token so. Errors:
 * MFA_ERR_PSKC_INVALID / _DECRYPT / _MAC / _ALGORITHM, MFA_ERR_HWTOKEN_EXISTS, MFA_ERR_UNSUPPORTED
 * (built without libpskc). An assigned token is the user's OTP factor: mfa_server_totp_verify checks
 * its codes (HOTP with a look-ahead of 10). */
MFA_EXPORT int mfa_server_otp_tokens_import(mfa_server_t *s, char **out_json, const char *pskc, size_t pskc_len,
                                            const uint8_t *key, size_t key_len, const char *passphrase,
                                            size_t passphrase_len, const char *actor, const char *source_ip);
MFA_EXPORT int mfa_server_otp_tokens_list(mfa_server_t *s, char **out_json);
/* MFA_ERR_NOT_FOUND (no such serial), MFA_ERR_HWTOKEN_STATE (assigned, retired, or the user has an
 * OTP factor already). */
MFA_EXPORT int mfa_server_otp_tokens_assign(mfa_server_t *s, const char *serial, const char *user, const char *actor,
                                            const char *source_ip);
MFA_EXPORT int mfa_server_otp_tokens_unassign(mfa_server_t *s, const char *serial, const char *actor,
                                              const char *source_ip);
/* Unassigns if needed and destroys the seed; the record stays (state "retired"). */
MFA_EXPORT int mfa_server_otp_tokens_retire(mfa_server_t *s, const char *serial, const char *actor, const char *source_ip);
/* HOTP resynchronisation with two consecutive codes; fills out like mfa_server_totp_verify. */
MFA_EXPORT int mfa_server_otp_tokens_resync(mfa_server_t *s, mfa_server_verify_result_t *out, const char *user,
                                            const char *code1, const char *code2, const char *source_ip);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_SERVER_H */

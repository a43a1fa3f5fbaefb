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

/* scopes: space-separated, may be NULL; expires: Unix time or 0. JSON {"token", "id"}.
 * MFA_ERR_TOKEN_LIFETIME when the owner's organization has a token_max_lifetime and expires is 0 or
 * beyond it. */
MFA_EXPORT int mfa_server_token_create(mfa_server_t *s, char **out_json, const char *user, const char *name,
                                       const char *scopes, int64_t expires, const char *source_ip);
/* JSON {"id","user","name","scopes","created","expires","last_used","last_ip"}. MFA_ERR_ACCOUNT_DELETED
 * for a token of a deleted account; MFA_ERR_TOKEN_EXPIRED also past the organization's maximum
 * lifetime. last_used (to the minute) and last_ip are recorded on each success. */
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
 * "enroll_deadline", "accepted", "password_change"}; decision "must_change_password" (password_change
 * "max_age", "reset" or "compromised") once every factor passed. state_json: {"roles", "enrolled",
 * "joined_at", "email", "source_ip", "second_factor_verified", "password_changed_at"} (every field
 * optional). */
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

/* role: "owner", "admin" or "member" (NULL = "member"). A user is in one organization at a time. */
MFA_EXPORT int mfa_server_membership_set(mfa_server_t *s, const char *user, const char *org, const char *role,
                                         const char *actor, const char *source_ip);
/* JSON {"user","org","role","since"}; MFA_ERR_NOT_FOUND when the user is in no organization. */
MFA_EXPORT int mfa_server_membership_get(mfa_server_t *s, char **out_json, const char *user);
MFA_EXPORT int mfa_server_membership_remove(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);
/* JSON array of the organization's memberships, by user name. */
MFA_EXPORT int mfa_server_org_members(mfa_server_t *s, char **out_json, const char *org);

/* Deletes the account at once (its factors, tokens and logins then fail with MFA_ERR_ACCOUNT_DELETED)
 * and keeps its data for retention seconds (0 = 30 days, at most 3650 days). */
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
MFA_EXPORT int mfa_server_password_check_org(mfa_server_t *s, const char *org, const char *password, const char *user);
/* Records that the user's password was just set (clears a forced change). */
MFA_EXPORT int mfa_server_password_changed(mfa_server_t *s, const char *user, const char *actor, const char *source_ip);
/* Forces a change at the next login (login_decision: "must_change_password"); reason "reset" or
 * "compromised". */
MFA_EXPORT int mfa_server_password_require_change(mfa_server_t *s, const char *user, const char *reason,
                                                  const char *actor, const char *source_ip);
/* JSON {"changed_at", "must_change": "none"|"reset"|"compromised"}. */
MFA_EXPORT int mfa_server_password_state(mfa_server_t *s, char **out_json, const char *user);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_SERVER_H */

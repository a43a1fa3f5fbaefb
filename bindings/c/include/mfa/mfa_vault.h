/* mfakit C ABI: the encrypted account vault (docs/vault-format.md, docs/authenticator.md).
 *
 * A vault handle holds the unlocked accounts in memory; changes are written by mfa_vault_save()
 * (atomically, keeping the previous version as a backup). A handle opened writable holds the
 * vault's writer lock until it is freed; a second writer gets MFA_ERR_VAULT_LOCKED.
 * Passphrases are (pointer, length) pairs, borrowed for the call and not kept; wipe your copy with
 * mfa_memzero() afterwards. Account ids are 32 lower-case hex digits (NUL-terminated strings).
 *
 * Thread safety: one vault handle is used by one thread at a time (mfa_common.h). Across processes
 * the writer lock on the vault file keeps a second writer out; readers see the last saved version.
 */
#ifndef MFA_VAULT_H
#define MFA_VAULT_H

#include "mfa/mfa_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mfa_vault mfa_vault_t;

/* Creates a vault file at path with one passphrase slot (Argon2id with memory_kib KiB and passes
 * passes; 0 and 0 mean the defaults, 64 MiB and 3; values below 19456 KiB / 2 passes are refused
 * with MFA_ERR_VAULT_KDF_PARAMS). The new handle is writable. MFA_ERR_VAULT_EXISTS if a file is there. */
MFA_EXPORT int mfa_vault_create(mfa_vault_t **out, const char *path, const char *passphrase,
                                size_t passphrase_len, uint32_t memory_kib, uint32_t passes);
/* Opens with a passphrase; writable != 0 takes the writer lock, trying again for up to wait_ms
 * milliseconds while another writer holds it (0: at once) before MFA_ERR_VAULT_LOCKED.
 * MFA_ERR_VAULT_WRONG_PASSPHRASE when no slot accepts the passphrase (nothing is changed). */
MFA_EXPORT int mfa_vault_open(mfa_vault_t **out, const char *path, const char *passphrase,
                              size_t passphrase_len, int writable, uint32_t wait_ms);
/* Wipes the keys and accounts, releases the lock, sets *v to NULL. NULL-safe. */
MFA_EXPORT void mfa_vault_free(mfa_vault_t **v);

/* Number of accounts. */
MFA_EXPORT int mfa_vault_get_count(const mfa_vault_t *v, size_t *count);
/* The id of the account at index (0 .. count-1), into (out, cap, *len). */
MFA_EXPORT int mfa_vault_get_id(const mfa_vault_t *v, char *out, size_t cap, size_t *len, size_t index);
/* Accounts as a JSON array (no secrets): [{"id","issuer","name","type","algorithm","digits",
 * "period" (totp, steam) or "counter" (hotp),"tags","note","created","updated"}...], the same
 * objects `mfa list --json` prints; *json is freed with mfa_free(). */
MFA_EXPORT int mfa_vault_list_json(const mfa_vault_t *v, char **json);

/* Adds the account of an otpauth:// URI (strict issuer policy); its new id goes to (id, cap, *len)
 * (33 bytes are enough; id may be NULL with cap 0 to skip it). MFA_ERR_VAULT_DUPLICATE if the same
 * secret is already stored; the URI errors (MFA_ERR_URI_*) otherwise. */
MFA_EXPORT int mfa_vault_add_uri(mfa_vault_t *v, char *id, size_t cap, size_t *len, const char *uri,
                                 size_t uri_len);
/* Removes the account with this id (MFA_ERR_NOT_FOUND if none). */
MFA_EXPORT int mfa_vault_remove(mfa_vault_t *v, const char *id);

/* The TOTP/Steam code of an account at unix_time into (out, cap, *len) (11 bytes are enough) and
 * the seconds it has left (seconds_left may be NULL). MFA_ERR_INVALID_ARGUMENT for HOTP accounts. */
MFA_EXPORT int mfa_vault_code(const mfa_vault_t *v, char *out, size_t cap, size_t *len,
                              uint32_t *seconds_left, const char *id, int64_t unix_time);
/* HOTP: stores counter + 1 and saves the vault, then writes the code for the old counter. The code
 * is written only after the save succeeded. Needs a writable handle. */
MFA_EXPORT int mfa_vault_hotp_next(mfa_vault_t *v, char *out, size_t cap, size_t *len, const char *id);

/* Writes the vault (atomic replace; the previous version is kept in backups/). Needs a writable handle. */
MFA_EXPORT int mfa_vault_save(mfa_vault_t *v);
/* Gives the first passphrase slot a new passphrase (new salt; memory_kib/passes as for create) and
 * makes a new master key, so the old passphrase opens at most the backups made before. The other
 * slots are rewrapped under it: this works when every other slot is the one that unlocked the
 * handle; otherwise MFA_ERR_INVALID_ARGUMENT names the slot (use `mfa passwd` with its credential).
 * Takes effect on disk at the next mfa_vault_save(). */
MFA_EXPORT int mfa_vault_passwd(mfa_vault_t *v, const char *new_passphrase, size_t new_passphrase_len,
                                uint32_t memory_kib, uint32_t passes);

/* Formats for mfa_vault_import (docs/authenticator.md describes each app's export). */
#define MFA_VAULT_IMPORT_AUTO 0                 /* recognised from the content; never an encrypted andOTP file */
#define MFA_VAULT_IMPORT_URI_LIST 1             /* otpauth:// and otpauth-migration:// URIs, one a line */
#define MFA_VAULT_IMPORT_AEGIS 2                /* Aegis JSON, plain or encrypted */
#define MFA_VAULT_IMPORT_2FAS 3                 /* 2FAS .2fas, plain or password-protected */
#define MFA_VAULT_IMPORT_ANDOTP 4               /* andOTP plain JSON */
#define MFA_VAULT_IMPORT_ANDOTP_ENCRYPTED 5     /* andOTP otp_accounts.json.aes (andOTP 0.6.3 and later) */
#define MFA_VAULT_IMPORT_ANDOTP_ENCRYPTED_OLD 6 /* the same from andOTP 0.6.2 and older */
/* Options, OR'ed into the format value. URI lists (and QR text): a line that does not parse is
 * listed in the report's "invalid" ("line 3: ...") and the rest is imported (when no line is left,
 * the first line's error is returned). The issuer policy for URIs and migration payloads whose
 * issuer parameter and label prefix differ: the parameter wins, or the label wins (not both);
 * without either such a URI is MFA_ERR_URI_ISSUER_MISMATCH naming the line. */
#define MFA_VAULT_IMPORT_SKIP_INVALID 0x100
#define MFA_VAULT_IMPORT_ISSUER_PARAM 0x200
#define MFA_VAULT_IMPORT_ISSUER_LABEL 0x400

/* Adds the accounts of another app's export (data, data_len) to the vault in memory; call
 * mfa_vault_save() to keep them. password (borrowed, may be NULL for plain exports) opens encrypted
 * ones. Accounts already in the vault are skipped and reported, and so are entries the vault cannot
 * represent. format is an MFA_VAULT_IMPORT_* format, optionally OR'ed with the option bits above. On
 * success *report_json (free with mfa_free) is {"format", "imported": [{"id", "label"}...],
 * "duplicates": ["label (why)"...], "skipped": [...], "invalid": ["line N: why"...], "warnings":
 * [...]}; a warning says what the input lacks (a missing QR code of a Google Authenticator export).
 * On error nothing is added and *report_json is NULL: MFA_ERR_UNSUPPORTED (format not recognised;
 * encrypted andOTP files must be named), MFA_ERR_INVALID_ARGUMENT (no password for an encrypted
 * export, unknown format value), MFA_ERR_VAULT_WRONG_PASSPHRASE (wrong password), MFA_ERR_PARSE and
 * the URI errors (a malformed export: the message names the line or JSON path). */
MFA_EXPORT int mfa_vault_import(mfa_vault_t *v, char **report_json, const uint8_t *data, size_t data_len,
                                int format, const char *password, size_t password_len);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_VAULT_H */

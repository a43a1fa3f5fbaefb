// Moving accounts in and out: otpauth URI lists, Google Authenticator migration URIs, Aegis JSON
// (plain, and encrypted: scrypt + AES-256-GCM as Aegis docs/vault.md specifies), 2FAS JSON (plain,
// and password-protected: PBKDF2-HMAC-SHA256 + AES-256-GCM) and andOTP backups (plain JSON, and
// encrypted: PBKDF2-HMAC-SHA1 or, before andOTP 0.6.3, SHA-256 + AES-256-GCM); export as URI lists and plain Aegis JSON (migration QR codes are built
// with build_migration_uris in otpauth.hpp). docs/authenticator.md describes each format.
//
// Parsers reject rather than guess: a malformed file is an Error naming the line (URI lists) or the
// JSON path ("db.entries[3].info.secret"). Entries of a kind this library cannot represent (Aegis
// mOTP/Yandex, say) are skipped and listed in ImportResult::skipped.
#pragma once

#include <string>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/otpauth.hpp"
#include "mfa/secret.hpp"
#include "mfa/vault.hpp"

namespace mfa {

inline constexpr std::size_t kImportMaxBytes = 16u << 20;   // an import file is at most 16 MiB
inline constexpr std::size_t kImportMaxAccounts = kVaultMaxAccounts;
// scrypt caps for encrypted Aegis files (Aegis writes N = 2^15, r = 8, p = 1).
inline constexpr std::uint64_t kAegisMaxScryptN = 1u << 20;
inline constexpr std::uint32_t kAegisMaxScryptR = 32;
inline constexpr std::uint32_t kAegisMaxScryptP = 16;
// Aegis writes one password slot plus one biometric slot per enrolled key, so 16 slots is plenty;
// a file with more is refused before any work (without the cap tens of thousands of slots fit in
// 16 MiB, each asking for scrypt).
inline constexpr std::size_t kAegisMaxSlots = 16;
// The scrypt work (N * r * p, summed over the password slots tried) one import may spend: 64 times
// the 2^15 * 8 * 1 that Aegis writes, some seconds. The slot that would pass it is refused, named.
inline constexpr std::uint64_t kAegisMaxScryptWork = std::uint64_t{1} << 24;
// Password-protected 2FAS backups: PBKDF2-HMAC-SHA256 with a fixed 10000 iterations; 2FAS writes a
// 256-byte salt and schema versions up to 4 (newer ones are refused).
inline constexpr std::uint32_t kTwoFasIterations = 10000;
inline constexpr std::size_t kTwoFasMinSaltBytes = 16;
inline constexpr std::size_t kTwoFasMaxSaltBytes = 1024;
inline constexpr std::uint64_t kTwoFasMaxSchemaVersion = 4;
// Encrypted andOTP backups declare their PBKDF2-HMAC-SHA1 iteration count (andOTP writes 140000 to
// 160000); more than this is refused before any derivation (Aegis draws the same line).
inline constexpr std::uint32_t kAndOtpMaxIterations = 10'000'000;
// Aegis keeps a HOTP counter in a Java long and refuses negative ones: 0..2^63-1 is what it reads.
// Reading a larger one is Errc::parse naming the field; exporting one is Errc::unsupported naming
// the account (a negative long would carry the same 64 bits, but Aegis rejects it).
inline constexpr std::uint64_t kAegisMaxCounter = 9'223'372'036'854'775'807u;

enum class ImportFormat {
    uri_list,
    aegis,
    aegis_encrypted,
    twofas,
    andotp,
    twofas_encrypted,       // a .2fas backup with servicesEncrypted
    andotp_encrypted,       // otp_accounts.json.aes: iterations, salt, IV, AES-256-GCM (andOTP >= 0.6.3)
    andotp_encrypted_old,   // the same file from andOTP <= 0.6.2: IV, AES-256-GCM under SHA-256(password)
    google_migration,       // a URI list of otpauth-migration:// lines only (what import_uri_list reports)
};
std::string_view to_string(ImportFormat) noexcept;
// Whether reading this format needs the export's password.
bool needs_password(ImportFormat) noexcept;

struct ImportedAccount {
    Account account;
    std::vector<std::string> tags;
    std::string note;
};

struct ImportResult {
    ImportFormat format = ImportFormat::uri_list;
    std::vector<ImportedAccount> accounts;
    std::vector<std::string> skipped;   // "db.entries[2]: type motp is not supported"
    std::vector<std::string> invalid;   // with ImportOptions::skip_invalid: "line 3: invalid URI ..."
    // What the input lacks although it was read: "Google Authenticator export 12: QR code 3 of 4 is
    // missing (its accounts were not read)".
    std::vector<std::string> warnings;
};

struct ImportOptions {
    // URI lists and migration payloads: when an issuer parameter (field) and the label prefix differ.
    IssuerPolicy issuer_policy = IssuerPolicy::strict;
    // URI lists: a line that does not parse is listed in ImportResult::invalid with its line number
    // and the rest is read, instead of failing the import. When no line is left, the first line's
    // error is returned.
    bool skip_invalid = false;
};

// Detects the format from the content (not the file name); Errc::unsupported when it is none of them.
// Encrypted andOTP backups are random-looking bytes with nothing to recognise them by: they are never
// detected (binary input is Errc::unsupported, naming andOTP); the caller names the format instead.
Result<ImportFormat> detect_import_format(ByteView data);
// Detects and parses. password is needed for the encrypted formats (Errc::invalid_argument without);
// a wrong one is Errc::vault_wrong_passphrase.
Result<ImportResult> import_accounts(ByteView data, const SecretString* password = nullptr,
                                     const ImportOptions& opts = {});
// Parses data as the given format (aegis and aegis_encrypted both read either kind of Aegis file,
// twofas and twofas_encrypted either kind of 2FAS file).
Result<ImportResult> import_accounts(ByteView data, ImportFormat format, const SecretString* password,
                                     const ImportOptions& opts = {});

// One format each. URI lists: one otpauth:// or otpauth-migration:// URI a line; blank lines and
// lines starting with '#' are ignored. The format is google_migration when every account came from
// otpauth-migration lines. Migration lines of one export (batch_id) that leave out some of its QR
// codes (batch_index 0..batch_size-1) give a warning naming the missing ones.
Result<ImportResult> import_uri_list(std::string_view text, const ImportOptions& opts = {});
Result<ImportResult> import_aegis(std::string_view json, const SecretString* password = nullptr);
// 2FAS: servicesEncrypted is "Base64(ciphertext||tag):Base64(salt):Base64(IV)"; the optional
// reference field (same shape, a fixed text 2FAS encrypts) is checked first, so a wrong password
// is told apart from a modified file. Encrypted files without password: Errc::invalid_argument
// after the container has been checked.
Result<ImportResult> import_2fas(std::string_view json, const SecretString* password = nullptr);
Result<ImportResult> import_andotp(std::string_view json);
// Encrypted andOTP backups (otp_accounts.json.aes); the plaintext is the plain andOTP JSON.
Result<ImportResult> import_andotp_encrypted(ByteView data, const SecretString& password);
Result<ImportResult> import_andotp_encrypted_old(ByteView data, const SecretString& password);

// What adding an import to a vault did.
struct ImportAdded {
    struct Added {
        std::string id;     // the new entry's id
        std::string label;  // "issuer:name" (or the name)
    };
    std::vector<Added> added;
    std::vector<std::string> duplicates;  // "label (why it is a duplicate)": already in the vault, skipped
};

// Adds the imported accounts to the vault in memory (save() writes them), each with its own tags
// plus extra_tags. Accounts already in the vault (Errc::vault_duplicate) are skipped and listed. Any
// other failure (a vault limit, say) removes what this call added and returns the error naming the
// account, so a failed import leaves the vault as it was.
Result<ImportAdded> add_imported(Vault& vault, const ImportResult& imported,
                                 const std::vector<std::string>& extra_tags = {});

// Export: canonical otpauth:// URIs, one a line.
Result<SecretString> export_uri_list(const std::vector<const VaultEntry*>& entries);
// Export: a plain (unencrypted) Aegis vault, db version 3; tags become Aegis groups. An HOTP counter
// above kAegisMaxCounter fails the whole export (Errc::unsupported, naming the account).
Result<SecretString> export_aegis_json(const std::vector<const VaultEntry*>& entries);

}  // namespace mfa

// Moving accounts in and out: otpauth URI lists, Google Authenticator migration URIs, Aegis JSON
// (plain, and encrypted: scrypt + AES-256-GCM as Aegis docs/vault.md specifies), 2FAS JSON (plain)
// and andOTP JSON (plain); export as URI lists and plain Aegis JSON (migration QR codes are built
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

enum class ImportFormat { uri_list, aegis, aegis_encrypted, twofas, andotp };
std::string_view to_string(ImportFormat) noexcept;

struct ImportedAccount {
    Account account;
    std::vector<std::string> tags;
    std::string note;
};

struct ImportResult {
    ImportFormat format = ImportFormat::uri_list;
    std::vector<ImportedAccount> accounts;
    std::vector<std::string> skipped;   // "db.entries[2]: type motp is not supported"
};

// Detects the format from the content (not the file name); Errc::unsupported when it is none of them.
Result<ImportFormat> detect_import_format(ByteView data);
// Detects and parses. password is needed for encrypted Aegis files (Errc::invalid_argument without).
Result<ImportResult> import_accounts(ByteView data, const SecretString* password = nullptr);

// One format each. URI lists: one otpauth:// or otpauth-migration:// URI a line; blank lines and
// lines starting with '#' are ignored.
Result<ImportResult> import_uri_list(std::string_view text, const UriParseOptions& opts = {});
Result<ImportResult> import_aegis(std::string_view json, const SecretString* password = nullptr);
Result<ImportResult> import_2fas(std::string_view json);
Result<ImportResult> import_andotp(std::string_view json);

// Export: canonical otpauth:// URIs, one a line.
Result<SecretString> export_uri_list(const std::vector<const VaultEntry*>& entries);
// Export: a plain (unencrypted) Aegis vault, db version 3; tags become Aegis groups.
Result<SecretString> export_aegis_json(const std::vector<const VaultEntry*>& entries);

}  // namespace mfa

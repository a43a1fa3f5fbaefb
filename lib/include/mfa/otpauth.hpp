// otpauth:// Key URIs (Google's Key URI format, as real apps write it) and the
// otpauth-migration://offline payload of Google Authenticator's export.
//
// Parsers reject rather than guess; errors name the parameter or the position. docs/otp.md lists
// every rule, every accepted spelling (of Steam especially) and every limit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/otp.hpp"
#include "mfa/secret.hpp"

namespace mfa {

inline constexpr std::size_t kMaxUriLength = 4096;           // characters of one otpauth:// URI
inline constexpr std::size_t kMaxMigrationUriLength = 65536; // characters of one otpauth-migration:// URI
inline constexpr std::size_t kMaxMigrationAccounts = 1000;   // accounts in one payload

// An account as URIs and export payloads carry it.
struct Account {
    std::string issuer;   // may be empty
    std::string name;     // the account name (user@example.com); never contains ':' when built from a label
    SecretBytes secret;
    OtpParams params;
    // Parameters the URI carried that this library does not interpret (image, lock, pin, ...),
    // kept in order so that a re-built URI keeps them.
    std::vector<std::pair<std::string, std::string>> extra;

    [[nodiscard]] Account clone() const;
};

// Which issuer wins when the `issuer` parameter and the label prefix are both present and differ.
enum class IssuerPolicy {
    strict,        // reject with Errc::uri_issuer_mismatch (default: the two "should be equal")
    prefer_param,  // take the parameter (otpauth.js, OTPClient, Ente)
    prefer_label,  // take the label prefix (libcotp, Aegis)
};

struct UriParseOptions {
    IssuerPolicy issuer_policy = IssuerPolicy::strict;
};

Result<Account> parse_otpauth_uri(std::string_view uri, const UriParseOptions& opts = {});

// The canonical URI: otpauth://TYPE/ISSUER:NAME?secret=..&issuer=..&algorithm=..&digits=..&period=..
// (counter for hotp), percent-encoded, unpadded Base32, parameters in a fixed order and defaults
// written out; Steam is written as otpauth://totp/...&encoder=steam (understood by the most apps).
// Parsing the result gives back the same account.
Result<SecretString> format_otpauth_uri(const Account& account);

// Google Authenticator export (otpauth-migration://offline?data=...).
struct MigrationBatch {
    std::vector<Account> accounts;
    std::int32_t version = 1;
    std::int32_t batch_size = 1;   // number of QR codes in the export
    std::int32_t batch_index = 0;  // 0-based index of this one
    std::int32_t batch_id = 0;     // the same for all QR codes of one export (negative values occur)
};

// Parses a whole otpauth-migration://offline?data=... URI.
Result<MigrationBatch> parse_migration_uri(std::string_view uri);
// Parses the protobuf payload itself (the base64-decoded `data`).
Result<MigrationBatch> parse_migration_payload(ByteView payload);
// Serialises a batch as protobuf, and as a URI.
Result<SecretBytes> build_migration_payload(const MigrationBatch& batch);
Result<SecretString> build_migration_uri(const MigrationBatch& batch);
// Splits accounts into batches of at most per_batch accounts (Google uses 10), all with one batch_id.
Result<std::vector<SecretString>> build_migration_uris(const std::vector<Account>& accounts,
                                                       std::size_t per_batch, std::int32_t batch_id);

}  // namespace mfa

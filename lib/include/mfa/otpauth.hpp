// otpauth:// Key URIs (Google's Key URI format, as real apps write it) and the
// otpauth-migration://offline payload of Google Authenticator's export.
//
// Parsers reject rather than guess; errors name the parameter or the position (0-based byte offset
// in the URI). docs/otpauth.md lists every rule, every accepted spelling (of Steam especially) and
// every limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/otp.hpp"
#include "mfa/secret.hpp"

namespace mfa {

// Limits. Longer input fails with the error named beside each limit.
inline constexpr std::size_t kMaxUriLength = 4096;           // bytes of one otpauth:// URI (uri_too_long)
inline constexpr std::size_t kMaxMigrationUriLength = 65536; // bytes of one otpauth-migration:// URI (uri_too_long)
inline constexpr std::size_t kMaxMigrationAccounts = 1000;   // accounts in one payload (limit_exceeded)
inline constexpr std::size_t kMaxIssuerLength = 256;         // bytes of UTF-8, decoded (limit_exceeded)
inline constexpr std::size_t kMaxAccountNameLength = 256;    // bytes of UTF-8, decoded (limit_exceeded)
inline constexpr std::size_t kMaxUriExtraParameters = 32;    // unknown parameters (Account::extra) of one URI (limit_exceeded)
// The secret is limited by kMinSecretBytes..kMaxSecretBytes (otp.hpp): uri_secret when it is empty,
// otp_secret_too_long above the maximum.

// An account as URIs and export payloads carry it.
struct Account {
    std::string issuer;   // may be empty; may contain ':' (written as %3A in a URI)
    std::string name;     // the account name (user@example.com); may be empty only when issuer is not; may contain ':'
    SecretBytes secret;
    OtpParams params;     // counter is meaningful for hotp only; period and t0 for totp and steam only
    // Parameters the URI carried that this library does not interpret (image, lock, pin, ...),
    // kept in order so that a re-built URI keeps them. The migration format has no room for them.
    std::vector<std::pair<std::string, std::string>> extra;

    [[nodiscard]] Account clone() const;
};

// True when a and b describe the same account: issuer, name, secret (compared in constant time),
// extra parameters, and the parameters that matter for the type (counter for hotp; period and t0
// for totp and steam; digits for totp and hotp; the algorithm).
[[nodiscard]] bool same_account(const Account& a, const Account& b) noexcept;

// Which issuer wins when the `issuer` parameter and the label prefix are both present and differ.
enum class IssuerPolicy {
    strict,        // reject with Errc::uri_issuer_mismatch (default: the two "should be equal")
    prefer_param,  // take the parameter (otpauth.js, OTPClient, Ente)
    prefer_label,  // take the label prefix (libcotp, Aegis)
};

struct UriParseOptions {
    IssuerPolicy issuer_policy = IssuerPolicy::strict;
};

// Parses otpauth://TYPE/LABEL?PARAMETERS (and steam://SECRET). The rules, briefly:
//  - scheme and TYPE any case; TYPE totp, hotp or steam;
//  - LABEL is "issuer:name" (':' literal or %3A; spaces, literal or %20, after it are dropped) or "name";
//    when the issuer parameter is given and the label starts with it and a ':', that is the split, so
//    an issuer with a ':' reads back; otherwise the first ':' splits, and the name keeps any others;
//    an empty issuer before the ':' (":alice") is no issuer;
//  - percent escapes must be %XX and decode to UTF-8 without control characters; a raw '#' is rejected;
//  - '+' is a space in parameter keys and values (form encoding), a literal '+' in the label;
//  - parameter keys any case; a known parameter twice is an error; unknown ones go to Account::extra;
//  - secret: Base32 (base32_decode: any case, padding optional); required;
//  - algorithm SHA1/SHA256/SHA512 any case; digits kMinDigits..kMaxDigits; period 1..kMaxPeriod;
//    counter required for hotp (period is checked but ignored for hotp, counter for totp);
//  - Steam: otpauth://steam/..., encoder=steam, steam://SECRET, or issuer Steam (any case) on a totp
//    URI without a digits parameter (as OTPClient and FreeOTP read it).
Result<Account> parse_otpauth_uri(std::string_view uri, const UriParseOptions& opts = {});

// The canonical URI: otpauth://TYPE/ISSUER:NAME?secret=..&issuer=..&algorithm=..&digits=..&period=..
// (counter instead of period for hotp), percent-encoded (space as %20), unpadded Base32, parameters
// in a fixed order, defaults written out, then Account::extra in order; Steam is written as
// otpauth://totp/...&digits=5&encoder=steam (understood by the most apps). Parsing the result gives
// back the same account (same_account). A ':' in the issuer or name is written %3A (the literal ':'
// is the separator, and the issuer parameter tells the reader where it is); a name with a ':' and no
// issuer gets an empty issuer before the separator (":a%3Ab"). Fails (naming the field) for what a
// URI cannot carry: a name starting with a space after the separator, t0 != 0, an extra parameter
// named like a known one, a Steam account with another algorithm than SHA1.
Result<SecretString> format_otpauth_uri(const Account& account);

// Warnings for an account that Google Authenticator would not show correctly (period other than 30,
// digits other than 6, an algorithm other than SHA1, Steam, hotp quirks, t0, a secret under 128 bits,
// no issuer, extra parameters it ignores). Empty when GA handles the account as intended.
std::vector<std::string> lint_for_google_authenticator(const Account& account);
// The same for a URI, plus its spelling: a lowercase algorithm name, Base32 padding, the issuer only
// in the label or only in the parameter, a non-canonical Steam spelling. Fails when the URI does not parse.
Result<std::vector<std::string>> lint_uri_for_google_authenticator(std::string_view uri,
                                                                   const UriParseOptions& opts = {});

// Google Authenticator export (otpauth-migration://offline?data=...).
// The payload has no period: every account comes back with period 30 and t0 0. Accounts that the
// payload cannot carry are refused when building (migration_field, naming the account): Steam,
// period other than 30, digits other than 6 and 8, t0 != 0, a counter above INT64_MAX. Extra URI
// parameters are not carried and are dropped.
struct MigrationBatch {
    std::vector<Account> accounts;
    std::int32_t version = 1;
    std::int32_t batch_size = 1;   // number of QR codes in the export (0 on the wire reads as 1)
    std::int32_t batch_index = 0;  // 0-based index of this one
    std::int32_t batch_id = 0;     // the same for all QR codes of one export (negative values occur)
};

struct MigrationParseOptions {
    // How a "prefix:name" in the payload's name field relates to its issuer field.
    IssuerPolicy issuer_policy = IssuerPolicy::strict;
};

// Parses a whole otpauth-migration://offline?data=... URI.
Result<MigrationBatch> parse_migration_uri(std::string_view uri, const MigrationParseOptions& opts = {});
// Parses the protobuf payload itself (the base64-decoded `data`).
Result<MigrationBatch> parse_migration_payload(ByteView payload, const MigrationParseOptions& opts = {});
// Serialises a batch as protobuf, and as a URI.
Result<SecretBytes> build_migration_payload(const MigrationBatch& batch);
Result<SecretString> build_migration_uri(const MigrationBatch& batch);
// Whether a payload can carry the account (no Steam, period 30, t0 0, digits 6 or 8, a counter up
// to INT64_MAX, the text rules); the error (Errc::migration_field) names it as account `index`.
// Exporters use it to leave out what cannot go and say so, instead of failing the whole export.
Status check_migration_account(const Account& account, std::size_t index);
// Splits accounts into batches of at most per_batch accounts (Google uses 10), all with one batch_id,
// batch_size the number of URIs and batch_index 0, 1, ...
Result<std::vector<SecretString>> build_migration_uris(const std::vector<Account>& accounts,
                                                       std::size_t per_batch, std::int32_t batch_id);
// Puts the batches of one export back together: all must share batch_id and batch_size, and every
// index 0..batch_size-1 must be there exactly once (in any order). Accounts come out in index order.
Result<std::vector<Account>> join_migration_batches(const std::vector<MigrationBatch>& batches);

}  // namespace mfa

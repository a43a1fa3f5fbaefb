// Second factors that users already have, brought into the toolkit's store without re-enrolling:
// google-authenticator-libpam's ~/.google_authenticator, pam-u2f's u2f_keys / authfile= mappings
// and the enrollment file `mfa pam enroll` writes (docs/pam.md). The parsers are strict (fuzzed by
// fuzz_google_authenticator, fuzz_u2f_mapping and fuzz_pam_enrollment): a file that does not parse is Errc::parse with the line or field named, and
// nothing is imported.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/otp.hpp"
#include "mfa/secret.hpp"
#include "mfa/server/toolkit.hpp"

namespace mfa::server {

inline constexpr std::size_t kMaxGoogleAuthenticatorFile = 1024;  // the limit the module itself has
inline constexpr std::size_t kMaxEnrollmentFile = 16 * 1024;

// ~/.google_authenticator: the base32 secret on the first line, then `" OPTION [args]` lines, then
// one 8-digit scratch code a line. Timestamps that the module appends to RATE_LIMIT,
// DISALLOW_REUSE and RESETTING_TIME_SKEW are its own state and are read past.
struct GoogleAuthenticatorFile {
    SecretBytes secret;
    bool totp = false;                         // " TOTP_AUTH (and no HOTP_COUNTER)
    std::optional<std::uint64_t> hotp_counter; // " HOTP_COUNTER n
    unsigned window_size = 3;                  // " WINDOW_SIZE n: codes accepted around now (1..100)
    std::uint32_t step_size = 30;              // " STEP_SIZE n
    bool disallow_reuse = false;               // " DISALLOW_REUSE
    std::optional<std::pair<unsigned, unsigned>> rate_limit;  // " RATE_LIMIT n m: n logins per m seconds
    std::int64_t time_skew = 0;                // " TIME_SKEW n (steps)
    std::vector<SecretString> scratch_codes;   // 8 digits each
};
Result<GoogleAuthenticatorFile> parse_google_authenticator(std::string_view text);

// What an import did, for the caller's log line (never a secret).
struct ImportReport {
    bool totp_imported = false;       // false: the user already had a TOTP factor (left as it was)
    std::size_t recovery_codes = 0;   // scratch codes added as recovery codes
    std::size_t keys_imported = 0;    // pam-u2f credentials added as security keys
    std::vector<std::string> notes;   // settings not carried over, and why
};

// Imports the secret as the user's TOTP factor (Toolkit::totp_import) and the scratch codes as
// recovery codes (Toolkit::recovery_import). An active TOTP factor is kept (totp_imported false)
// and then no scratch code is added either: the file is older than what the store has. An HOTP
// file (" HOTP_COUNTER n) becomes an HOTP factor (Toolkit::hotp_import) from counter n with
// google-authenticator's look-ahead, WINDOW_SIZE - 1 codes after it. Errors: unsupported
// (HOTP_COUNTER 0, which the module itself never accepts a code with), the toolkit's.
Result<ImportReport> import_google_authenticator(Toolkit& tk, std::string_view user, const GoogleAuthenticatorFile& f,
                                                 const RequestContext& ctx);

// pam-u2f's mapping files: the per-user ~/.config/Yubico/u2f_keys and the central authfile=, one
// line per user, `user:cred:cred…`. A credential is `keyHandle,publicKey,coseType,options` as
// pamu2fcfg (pam-u2f 1.1) prints it: key handle and public key in standard base64 (es256: x||y or
// 0x04||x||y; eddsa: the 32-byte key; rs256: modulus (256 bytes) || exponent (3 bytes)), the COSE
// type es256 / eddsa / rs256, options a run of +presence, +verification, +pin. The old format
// (pam-u2f before 1.1, `keyHandle,publicKey`) has a websafe base64 key handle and the hex of the
// 65-byte uncompressed P-256 point, and pam-u2f verifies it with appid= rather than origin=. A key
// handle `*` is a resident credential whose id the file does not hold (it cannot be imported).
// Empty lines and lines starting with '#' are skipped. Errors name the line, the credential and
// the field ("u2f_keys line 3, credential 2: public key: …").
inline constexpr std::size_t kMaxU2fMappingFile = 1024 * 1024;  // a central authfile of a fleet
inline constexpr std::size_t kMaxU2fKeysPerUser = 24;           // pam-u2f's max_devices default
struct U2fKey {
    Bytes credential_id;          // empty for a resident credential (`*`)
    Bytes public_key;             // as a COSE_Key, checked with cose::decode_key
    int alg = 0;                  // its COSE algorithm (-7, -8, -257)
    bool old_format = false;      // `keyHandle,publicKey`: registered under pam-u2f's appid=
    bool presence = false;        // +presence (the old format implies it)
    bool verification = false;    // +verification
    bool pin = false;             // +pin
};
struct U2fMapping {
    std::string user;
    std::size_t line = 0;
    std::vector<U2fKey> keys;
};
// Every mapping line, or, with only_user set, only that user's lines (other users' lines are not
// parsed, as pam-u2f skips them). A user on several lines: pam-u2f uses the last; so does
// u2f_mapping_for.
Result<std::vector<U2fMapping>> parse_u2f_mappings(std::string_view text, std::string_view only_user = {});
const U2fMapping* u2f_mapping_for(const std::vector<U2fMapping>& mappings, std::string_view user) noexcept;

// Imports each credential as one of the user's security keys (Toolkit::webauthn_import), named
// "pam-u2f key N", sign count 0: the module's rp_id must be the origin (appid for old-format keys)
// pam-u2f used. A key already registered is kept; resident (`*`) keys are skipped. notes says what
// was not carried over (per-key +pin/+verification, a key without +presence). Errors: the toolkit's
// (factor_already_enrolled when the user has no room for more keys).
Result<ImportReport> import_u2f_keys(Toolkit& tk, std::string_view user, const U2fMapping& mapping,
                                     const RequestContext& ctx);

// Old-format keys were registered under pam-u2f's appid=, the others under origin=, which is the
// rp id here: with an appid (non-empty) other than rp_id the old-format keys would never verify,
// so they are dropped from mapping, one note each, saying so.
std::vector<std::string> drop_other_appid_keys(U2fMapping& mapping, std::string_view appid, std::string_view rp_id);

// A whole mapping file imported at once (`mfa server import-pam-u2f`, mfa_server_import_pam_u2f):
// the last line of every user, or with only_user set that user's only (not_found when the file
// has no line for it). appid as for drop_other_appid_keys, against the toolkit's rp id. Errors:
// parse_u2f_mappings's (nothing imported), then import_u2f_keys's (the users before stay imported).
struct U2fImportOptions {
    std::string_view only_user;
    std::string_view appid;
};
struct U2fUserImport {
    std::string user;
    std::size_t line = 0;
    ImportReport report;
};
Result<std::vector<U2fUserImport>> import_u2f_mappings(Toolkit& tk, std::string_view text, const U2fImportOptions& opts,
                                                       const RequestContext& ctx);

// The import reports as JSON, the same from `mfa server`, the C ABI and Python:
// {"user","totp_imported","recovery_codes","notes"}
std::string google_authenticator_import_json(std::string_view user, const ImportReport& r);
// {"users":[{"user","line","keys_imported","notes"}…],"keys_imported": the total}
std::string u2f_import_json(const std::vector<U2fUserImport>& users);

// The enrollment file `mfa pam enroll` writes (0600, owned by the user) and pam_mfa imports on
// first use: {"v":1,"user":…,"created":…,"totp":{"secret":base32,"alg":…,"digits":…,"period":…},
// "keys":[{"name":…,"record":{credential record, mfa/webauthn/record.hpp}}]}; "totp" and "keys"
// are each optional, one of them is required.
struct EnrollmentKey {
    std::string name;
    webauthn::CredentialRecord record;
};
inline constexpr std::size_t kMaxEnrollmentKeys = 8;
struct EnrollmentFile {
    std::string user;
    std::int64_t created = 0;
    bool has_totp = false;
    SecretBytes totp_secret;
    OtpParams totp_params;
    std::vector<EnrollmentKey> keys;
};
SecretString enrollment_file_json(const EnrollmentFile& f);
Result<EnrollmentFile> parse_enrollment_file(std::string_view text);

}  // namespace mfa::server

// Second factors that users already have, brought into the toolkit's store without re-enrolling:
// google-authenticator-libpam's ~/.google_authenticator and the enrollment file `mfa pam enroll`
// writes (docs/pam.md). The parsers are strict (fuzzed by fuzz_google_authenticator and
// fuzz_pam_enrollment): a file that does not parse is Errc::parse with the line or field named, and
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
    std::vector<std::string> notes;   // settings not carried over, and why
};

// Imports the secret as the user's TOTP factor (Toolkit::totp_import) and the scratch codes as
// recovery codes (Toolkit::recovery_import). An active TOTP factor is kept (totp_imported false)
// and then no scratch code is added either: the file is older than what the store has. HOTP files
// are refused (unsupported): the store's factors are time based. Errors: unsupported, the
// toolkit's.
Result<ImportReport> import_google_authenticator(Toolkit& tk, std::string_view user, const GoogleAuthenticatorFile& f,
                                                 const RequestContext& ctx);

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

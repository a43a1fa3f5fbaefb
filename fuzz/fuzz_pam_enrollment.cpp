// The enrollment file `mfa pam enroll` writes and pam_mfa imports (mfa/server/migrate.hpp), on
// untrusted bytes (the user writes it): must never crash; what it accepts has valid OTP parameters
// and a secret in range, and formats back to a file that parses to the same values.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/server/migrate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = mfa::server::parse_enrollment_file(text);
    if (!r) return 0;
    if (!mfa::validate(r->totp_params).ok()) std::abort();
    if (r->has_totp && (r->totp_secret.empty() || r->totp_secret.size() > mfa::kMaxSecretBytes)) std::abort();
    if (!r->has_totp && r->keys.empty()) std::abort();
    if (r->keys.size() > mfa::server::kMaxEnrollmentKeys) std::abort();
    if (r->user.empty() || r->user.size() > mfa::server::kMaxUserName) std::abort();
    auto again = mfa::server::parse_enrollment_file(mfa::server::enrollment_file_json(*r).view());
    if (!again || again->user != r->user || again->created != r->created || again->has_totp != r->has_totp ||
        again->keys.size() != r->keys.size() ||
        again->totp_secret.view().size() != r->totp_secret.view().size() ||
        again->totp_params.digits != r->totp_params.digits || again->totp_params.period != r->totp_params.period)
        std::abort();
    return 0;
}

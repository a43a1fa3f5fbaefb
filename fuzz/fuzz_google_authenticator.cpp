// google-authenticator-libpam's secret file (mfa/server/migrate.hpp) on untrusted bytes: must never
// crash; whatever it accepts has a secret within the OTP limits, a window and step in range, and
// only 8-digit scratch codes (what Toolkit::recovery_import takes).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/server/migrate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = mfa::server::parse_google_authenticator(text);
    if (!r) return 0;
    if (r->secret.empty() || r->secret.size() > mfa::kMaxSecretBytes) std::abort();
    if (r->window_size < 1 || r->window_size > 100 || r->step_size < 1 || r->step_size > mfa::kMaxPeriod) std::abort();
    if (r->totp == r->hotp_counter.has_value()) std::abort();  // exactly one mode
    if (r->scratch_codes.size() > mfa::server::kMaxRecoveryCodes) std::abort();
    for (const auto& c : r->scratch_codes) {
        if (c.size() != 8) std::abort();
        for (char ch : c.view())
            if (ch < '0' || ch > '9') std::abort();
    }
    return 0;
}

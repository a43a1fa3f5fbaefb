// pam_mfa's module arguments (apps/pam/pam_options.hpp): the input is split at NUL bytes into argv
// entries as a /etc/pam.d line would give them. Must never crash; what it accepts names at least
// one factor, a store URL that parses and a throttle rule that validates.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "pam_options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> args;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t j = text.find('\0', i);
        if (j == std::string_view::npos) j = text.size();
        if (j > i) args.push_back(text.substr(i, j - i));
        i = j + 1;
    }
    auto r = mfa::pam::parse_options(args);
    if (!r) return 0;
    if (r->factors.empty() || r->tries < 1 || r->tries > mfa::pam::kMaxTries || r->window > 50) std::abort();
    if (!mfa::store::parse_store_url(r->store_url).ok()) std::abort();
    if (!mfa::store::validate(r->throttle).ok()) std::abort();
    return 0;
}

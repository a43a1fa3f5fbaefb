// The optional components (meson_options.txt) this build has, as `mfa --version` and the C ABI's
// mfa_features() report them: space-separated, in a fixed order, "" when none.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "mfa_features.h"

namespace mfa {
namespace detail {
constexpr std::array<char, 64> built_feature_list() {
    std::array<char, 64> out{};
    std::size_t n = 0;
    const auto add = [&out, &n](bool on, std::string_view name) {
        if (!on) return;
        if (n > 0) out[n++] = ' ';
        for (char c : name) out[n++] = c;
    };
    add(MFA_HAVE_REDIS, "redis");
    add(MFA_HAVE_FIDO2, "fido2");
    add(MFA_HAVE_QR_DECODE, "qr_decode");
    add(MFA_HAVE_PWQUALITY, "pwquality");
    add(MFA_HAVE_POSTGRESQL, "postgresql");
    add(MFA_HAVE_PSKC, "pskc");
    return out;
}
inline constexpr std::array<char, 64> kBuiltFeatureChars = built_feature_list();
}  // namespace detail

// NUL-terminated: data() is a C string.
inline constexpr std::string_view kBuiltFeatures{detail::kBuiltFeatureChars.data()};

}  // namespace mfa

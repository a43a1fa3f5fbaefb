// Float conversions for CBOR's three widths, and the canonical map key order.
#include <cfloat>
#include <cmath>
#include <cstring>

#include "internal.hpp"

namespace mfa::cbor::detail {

double half_to_double(std::uint16_t h) noexcept {
    const int exp = (h >> 10) & 0x1f;
    const int mant = h & 0x3ff;
    double v;
    if (exp == 0)
        v = std::ldexp(mant, -24);
    else if (exp == 31)
        v = mant == 0 ? INFINITY : NAN;
    else
        v = std::ldexp(mant + 1024, exp - 25);
    return (h & 0x8000) ? -v : v;
}

std::optional<std::uint16_t> exact_half(double d) noexcept {
    if (std::isnan(d)) return std::nullopt;
    const std::uint16_t sign = std::signbit(d) ? 0x8000 : 0;
    const double a = std::fabs(d);
    if (std::isinf(a)) return static_cast<std::uint16_t>(sign | 0x7c00);
    if (a == 0.0) return sign;
    if (a < 0x1p-14) {  // subnormal halves: multiples of 2^-24
        const double s = std::ldexp(a, 24);
        if (s != std::floor(s)) return std::nullopt;
        return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(s));
    }
    if (a > 65504.0) return std::nullopt;
    int e = 0;
    const double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
    const double sig = std::ldexp(m, 11);  // 11 significant bits: [1024, 2048)
    if (sig != std::floor(sig)) return std::nullopt;
    const auto biased = static_cast<std::uint16_t>(e - 1 + 15);
    return static_cast<std::uint16_t>(sign | (biased << 10) | (static_cast<std::uint16_t>(sig) - 1024));
}

std::optional<float> exact_single(double d) noexcept {
    if (std::isnan(d)) return std::nullopt;
    if (std::isinf(d)) return static_cast<float>(d);
    if (std::fabs(d) > static_cast<double>(FLT_MAX)) return std::nullopt;  // the cast would be UB
    const auto f = static_cast<float>(d);
    if (static_cast<double>(f) != d) return std::nullopt;
    return f;
}

int compare_keys(ByteView a, ByteView b) noexcept {
    if (a.empty() || b.empty()) return a.empty() ? (b.empty() ? 0 : -1) : 1;
    if (a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    const int c = std::memcmp(a.data(), b.data(), a.size());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace mfa::cbor::detail

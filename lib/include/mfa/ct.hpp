// Constant-time helpers: whatever touches a secret or a submitted code is compared with these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace mfa {

// True when a and b are equal. Time depends on the lengths only (lengths are not secret); the
// contents are compared with CRYPTO_memcmp, which has no data-dependent branch.
[[nodiscard]] bool ct_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;
[[nodiscard]] bool ct_equal(std::string_view a, std::string_view b) noexcept;

// Branch-free building blocks (BoringSSL's constant_time_*): masks are all-ones or all-zero.
constexpr std::uint32_t ct_msb_mask(std::uint32_t a) noexcept { return 0u - (a >> 31); }
constexpr std::uint32_t ct_is_zero_mask(std::uint32_t a) noexcept { return ct_msb_mask(~a & (a - 1)); }
constexpr std::uint32_t ct_eq_mask(std::uint32_t a, std::uint32_t b) noexcept { return ct_is_zero_mask(a ^ b); }
constexpr std::uint32_t ct_lt_mask(std::uint32_t a, std::uint32_t b) noexcept {
    return ct_msb_mask(a ^ ((a ^ b) | ((a - b) ^ a)));
}
constexpr std::uint32_t ct_select(std::uint32_t mask, std::uint32_t a, std::uint32_t b) noexcept {
    return (mask & a) | (~mask & b);
}
// Hides a value from the optimiser so a mask is not turned back into a branch.
inline std::uint32_t ct_value_barrier(std::uint32_t a) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(a) : /* no inputs */);
#endif
    return a;
}

}  // namespace mfa

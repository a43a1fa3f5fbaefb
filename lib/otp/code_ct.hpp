// Constant-time pieces of code generation and comparison, shared by generate and verify.
//
// Everything here runs on secret-derived values (the MAC, the submitted code), so there is no
// branch and no memory index that depends on them: tables are scanned with masks. The
// ct_verify test (valgrind, ctgrind style) checks this. Internal to lib/otp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mfa/ct.hpp"

namespace mfa::detail {

inline constexpr char kSteamAlphabet[] = "23456789BCDFGHJKMNPQRTVWXY";
inline constexpr std::uint32_t kSteamAlphabetSize = 26;

// Dynamic truncation (RFC 4226 §5.3) without indexing by the secret-derived offset: the 16
// possible 4-byte windows are all read and the right one is kept with a mask.
inline std::uint32_t truncate_ct(const std::uint8_t* mac, std::size_t mac_len) noexcept {
    const std::uint32_t offset = mac[mac_len - 1] & 0x0fu;
    std::uint32_t v = 0;
    for (std::uint32_t i = 0; i < 16; ++i) {
        const std::uint32_t w = (std::uint32_t{mac[i]} << 24) | (std::uint32_t{mac[i + 1]} << 16) |
                                (std::uint32_t{mac[i + 2]} << 8) | std::uint32_t{mac[i + 3]};
        v |= ct_value_barrier(ct_eq_mask(i, offset)) & w;
    }
    return v & 0x7fffffffu;
}

// The last `digits` decimal digits of v (v < 2^31 < 10^10), zero-padded: v mod 10^digits.
// Division by the constant 10 compiles to a multiplication, so time does not depend on v.
inline void render_decimal(std::uint32_t v, unsigned digits, char* out) noexcept {
    char all[10];
    for (int i = 9; i >= 0; --i) {
        all[i] = static_cast<char>('0' + v % 10u);
        v /= 10u;
    }
    for (unsigned i = 0; i < digits; ++i) out[i] = all[10 - digits + i];
}

// Steam Guard: five characters, least significant first, each v mod 26 into the alphabet; the
// alphabet is scanned with masks instead of indexed by the secret-derived remainder.
inline void render_steam(std::uint32_t v, char* out) noexcept {
    for (int i = 0; i < 5; ++i) {
        const std::uint32_t r = v % kSteamAlphabetSize;
        v /= kSteamAlphabetSize;
        std::uint32_t c = 0;
        for (std::uint32_t j = 0; j < kSteamAlphabetSize; ++j)
            c |= ct_value_barrier(ct_eq_mask(j, r)) & static_cast<std::uint8_t>(kSteamAlphabet[j]);
        out[i] = static_cast<char>(c);
    }
}

// All-ones when every character of code is a decimal digit; no branch on the characters.
inline std::uint32_t decimal_format_mask(std::string_view code) noexcept {
    std::uint32_t ok = ~0u;
    for (char ch : code) {
        const std::uint32_t c = static_cast<std::uint8_t>(ch);
        ok &= ct_lt_mask(c - std::uint32_t{'0'}, 10u);  // wraps for c < '0'
    }
    return ct_value_barrier(ok);
}

// All-ones when every character of code is in the Steam alphabet (upper case only).
inline std::uint32_t steam_format_mask(std::string_view code) noexcept {
    std::uint32_t ok = ~0u;
    for (char ch : code) {
        const std::uint32_t c = static_cast<std::uint8_t>(ch);
        std::uint32_t in = 0;
        for (std::uint32_t j = 0; j < kSteamAlphabetSize; ++j)
            in |= ct_eq_mask(c, static_cast<std::uint8_t>(kSteamAlphabet[j]));
        ok &= in;
    }
    return ct_value_barrier(ok);
}

// All-ones when the n bytes of a and b are equal: differences are accumulated, never branched on.
inline std::uint32_t equal_mask(const char* a, const char* b, std::size_t n) noexcept {
    std::uint32_t diff = 0;
    for (std::size_t i = 0; i < n; ++i)
        diff |= static_cast<std::uint8_t>(a[i]) ^ static_cast<std::uint8_t>(b[i]);
    return ct_value_barrier(ct_is_zero_mask(diff));
}

// 64-bit masks for selecting the matched step or counter.
inline std::uint64_t widen_mask(std::uint32_t m) noexcept {
    return static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(m & 1u);
}
inline std::uint64_t ct_select64(std::uint64_t mask, std::uint64_t a, std::uint64_t b) noexcept {
    return (mask & a) | (~mask & b);
}
// All-ones (32-bit) when signed a <= b.
inline std::uint32_t ct_le_i64_mask(std::int64_t a, std::int64_t b) noexcept {
    // Flip the sign bits to compare as unsigned; a <= b is !(b < a).
    const std::uint64_t ua = static_cast<std::uint64_t>(a) ^ (std::uint64_t{1} << 63);
    const std::uint64_t ub = static_cast<std::uint64_t>(b) ^ (std::uint64_t{1} << 63);
    const std::uint64_t lt = (ub ^ ((ub ^ ua) | ((ub - ua) ^ ub))) >> 63;  // 1 when ub < ua
    return ~(0u - static_cast<std::uint32_t>(lt));
}

}  // namespace mfa::detail

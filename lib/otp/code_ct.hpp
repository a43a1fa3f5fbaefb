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

// A code as a number, so that verification compares integers instead of rendering every candidate:
// a decimal code is its value (< 10^digits); a Steam code is the base-26 number whose least
// significant digit is its first character (render_steam's order), < 26^5.
struct ParsedCode {
    std::uint64_t value;
    std::uint32_t format_ok;  // all-ones when every character is valid for the type
};

inline constexpr std::uint32_t kSteamModulus = 26u * 26u * 26u * 26u * 26u;

// The candidate's number from the truncated 31-bit value. Each modulus is a compile-time constant
// (the switch is on the public digit count), so no variable-time division instruction sees v.
inline std::uint64_t reduce_code(std::uint32_t v, bool steam, unsigned digits) noexcept {
    if (steam) return v % kSteamModulus;
    switch (digits) {
        case 4: return v % 10000u;
        case 5: return v % 100000u;
        case 6: return v % 1000000u;
        case 7: return v % 10000000u;
        case 8: return v % 100000000u;
        case 9: return v % 1000000000u;
        default: return v;  // 10 digits: v < 2^31 < 10^10
    }
}

// The index of c in the Steam alphabet (masked scan) and whether it is in it.
inline std::uint32_t steam_index(std::uint32_t c, std::uint32_t& in) noexcept {
    std::uint32_t idx = 0;
    in = 0;
    for (std::uint32_t j = 0; j < kSteamAlphabetSize; ++j) {
        const std::uint32_t m = ct_eq_mask(c, static_cast<std::uint8_t>(kSteamAlphabet[j]));
        idx |= m & j;
        in |= m;
    }
    return idx;
}

// Parses a code whose length was already checked; no branch on its characters.
inline ParsedCode parse_code(std::string_view code, bool steam) noexcept {
    std::uint64_t value = 0;
    std::uint32_t ok = ~0u;
    if (steam) {
        std::uint64_t weight = 1;
        for (char ch : code) {
            std::uint32_t in = 0;
            value += weight * steam_index(static_cast<std::uint8_t>(ch), in);
            weight *= kSteamAlphabetSize;
            ok &= in;
        }
    } else {
        for (char ch : code) {
            const std::uint32_t d = static_cast<std::uint8_t>(ch) - std::uint32_t{'0'};  // wraps for c < '0'
            const std::uint32_t is_digit = ct_lt_mask(d, 10u);
            value = value * 10u + (d & is_digit);
            ok &= is_digit;
        }
    }
    return {value, ct_value_barrier(ok)};
}

// All-ones (32-bit) when a == b, for 64-bit values.
inline std::uint32_t ct_eq64_mask(std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t x = a ^ b;
    const std::uint32_t folded = static_cast<std::uint32_t>(x | (x >> 32));
    return ct_value_barrier(ct_is_zero_mask(folded));
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

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

// Hides a 64-bit mask from the optimiser (see ct_value_barrier).
inline std::uint64_t ct_value_barrier64(std::uint64_t a) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(a) : /* no inputs */);
#endif
    return a;
}

inline std::uint64_t load_be64(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    return v;
}

// Dynamic truncation (RFC 4226 §5.3) without indexing by the secret-derived offset. Bytes 0..18 of
// the MAC (all an offset of 0..15 can reach) sit in three big-endian 64-bit words w0, w1, w2 (bytes
// past 18 in w2 are never selected), which are shifted left by 8 * offset bits one bit of the offset
// at a time: each stage computes the shifted words and keeps them or not with a mask. About 80
// operations instead of reading all 16 windows.
inline std::uint32_t truncate_words_ct(std::uint64_t w0, std::uint64_t w1, std::uint64_t w2,
                                       std::uint32_t offset) noexcept {
    auto mask_of = [offset](unsigned bit) noexcept {
        return ct_value_barrier64(std::uint64_t{0} - ((offset >> bit) & 1u));
    };
    auto keep = [](std::uint64_t m, std::uint64_t a, std::uint64_t b) noexcept { return (m & a) | (~m & b); };
    {  // 8 bytes
        const std::uint64_t m = mask_of(3);
        w0 = keep(m, w1, w0);
        w1 = keep(m, w2, w1);
        w2 = keep(m, 0, w2);
    }
    // 4, 2 and 1 bytes: the same stage with a smaller shift.
    for (unsigned bit = 3; bit-- > 0;) {
        const unsigned sh = 8u << bit;  // 32, 16, 8 bits
        const std::uint64_t m = mask_of(bit);
        const std::uint64_t s0 = (w0 << sh) | (w1 >> (64 - sh));
        const std::uint64_t s1 = (w1 << sh) | (w2 >> (64 - sh));
        const std::uint64_t s2 = w2 << sh;
        w0 = keep(m, s0, w0);
        w1 = keep(m, s1, w1);
        w2 = keep(m, s2, w2);
    }
    return static_cast<std::uint32_t>(w0 >> 32) & 0x7fffffffu;
}

// Truncation of a MAC held as bytes (at least 20 of them).
inline std::uint32_t truncate_ct(const std::uint8_t* mac, std::size_t mac_len) noexcept {
    const std::uint64_t w2 = (std::uint64_t{mac[16]} << 56) | (std::uint64_t{mac[17]} << 48) |
                             (std::uint64_t{mac[18]} << 40);
    return truncate_words_ct(load_be64(mac), load_be64(mac + 8), w2, mac[mac_len - 1] & 0x0fu);
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

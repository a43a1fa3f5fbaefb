// The alphabets of generated secrets (API tokens, recovery codes), computed with masks both ways:
// a table index or a search by a secret's characters would put them on cache-line addresses and
// branch outcomes. tests/ct_verify.cpp checks each under valgrind with poisoned inputs.
#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"

namespace mfa {
namespace {

std::uint32_t in_range(std::uint32_t c, std::uint32_t lo, std::uint32_t hi) noexcept {
    return ~ct_lt_mask(c, lo) & ~ct_lt_mask(hi, c);
}

std::uint32_t bit(std::uint32_t mask) noexcept { return mask & 1u; }

}  // namespace

char base62_char(std::uint32_t v) noexcept {
    const std::uint32_t digit = ct_lt_mask(v, 10);
    const std::uint32_t upper = ~digit & ct_lt_mask(v, 36);
    return static_cast<char>(ct_select(digit, '0' + v, ct_select(upper, 'A' + v - 10u, 'a' + v - 36u)));
}

std::uint32_t base62_mask(unsigned char c) noexcept {
    return in_range(c, '0', '9') | in_range(c, 'A', 'Z') | in_range(c, 'a', 'z');
}

char crockford_char(std::uint32_t v) noexcept {
    const std::uint32_t j = v - 10u;  // the letter's index when v >= 10: a-z without i, l, o, u
    const std::uint32_t skips = bit(~ct_lt_mask(j, 8)) + bit(~ct_lt_mask(j, 10)) + bit(~ct_lt_mask(j, 12)) +
                                bit(~ct_lt_mask(j, 17));
    return static_cast<char>(ct_select(ct_lt_mask(v, 10), '0' + v, 'a' + j + skips));
}

std::uint32_t crockford_value(unsigned char c) noexcept {
    const std::uint32_t lower = ct_select(in_range(c, 'A', 'Z'), c | 0x20u, c);
    const std::uint32_t one = ct_eq_mask(lower, 'i') | ct_eq_mask(lower, 'l');
    const std::uint32_t zero = ct_eq_mask(lower, 'o');
    const std::uint32_t digit = in_range(lower, '0', '9');
    const std::uint32_t letter = in_range(lower, 'a', 'z') & ~one & ~zero & ~ct_eq_mask(lower, 'u');
    const std::uint32_t skips = bit(ct_lt_mask('i', lower)) + bit(ct_lt_mask('l', lower)) + bit(ct_lt_mask('o', lower)) +
                                bit(ct_lt_mask('u', lower));
    std::uint32_t v = 0xFFu;
    v = ct_select(digit, lower - '0', v);
    v = ct_select(letter, lower - 'a' + 10u - skips, v);
    v = ct_select(one, 1u, v);
    v = ct_select(zero, 0u, v);
    return v;
}

std::uint32_t crc32_ct(std::string_view s) noexcept {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char c : s) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

}  // namespace mfa

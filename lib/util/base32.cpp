#include <cstdint>
#include <string>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"

namespace mfa {
namespace {

// The 5-bit value of c, or a value >= 32 when c is not in the alphabet. Branch-free, so the characters
// of a secret do not steer control flow or memory addressing.
std::uint32_t b32_value(unsigned char c) noexcept {
    const std::uint32_t u = c & 0xDFu;  // folds 'a'..'z' onto 'A'..'Z'; moves no other byte there
    const std::uint32_t letter = ~ct_lt_mask(u, 'A') & ~ct_lt_mask('Z', u);
    const std::uint32_t digit = ~ct_lt_mask(c, '2') & ~ct_lt_mask('7', c);
    return ct_select(letter, u - 'A', ct_select(digit, c - '2' + 26u, 0xFFu));
}

// The alphabet character of a 5-bit value, computed, not looked up: a table index would put the
// secret's bits on the cache-line address (the BoringSSL / libsodium bin2base64 construction).
char b32_char(std::uint32_t v) noexcept {
    return static_cast<char>(ct_select(ct_lt_mask(v, 26), 'A' + v, '2' + v - 26u));
}

bool is_separator(char c) noexcept { return c == ' ' || c == '\t' || c == '-'; }

}  // namespace

Result<SecretBytes> base32_decode(std::string_view text) {
    if (text.size() > kBase32MaxInput)
        return Error(Errc::limit_exceeded,
                     "Base32 input of " + std::to_string(text.size()) + " characters exceeds the limit of " +
                         std::to_string(kBase32MaxInput));
    SecretBytes out;
    out.resize(text.size() * 5 / 8 + 1);
    std::size_t n_out = 0;
    std::uint32_t acc = 0;
    unsigned bits = 0;
    std::size_t n_data = 0;
    std::uint32_t bad = 0;  // all-ones once an invalid character was seen
    std::size_t pad_at = std::string_view::npos;

    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (is_separator(c)) continue;
        if (c == '=') {
            pad_at = i;
            break;
        }
        const std::uint32_t v = b32_value(static_cast<unsigned char>(c));
        bad |= ct_value_barrier(0u - (v >> 5));
        acc = (acc << 5) | (v & 31u);
        bits += 5;
        ++n_data;
        if (bits >= 8) {
            bits -= 8;
            out[n_out++] = static_cast<std::uint8_t>(acc >> bits);
        }
    }
    if (bad != 0) {
        // The failure path may branch: locate the first offending character for the message.
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (is_separator(c) || c == '=') continue;
            if (b32_value(static_cast<unsigned char>(c)) >= 32)
                return Error(Errc::base32_invalid, "invalid character at position " + std::to_string(i));
        }
    }
    // RFC 4648 §6: a final quantum holds 2, 4, 5 or 7 characters (8, 16, 24, 32 bits).
    const std::size_t rem = n_data % 8;
    if (rem == 1 || rem == 3 || rem == 6)
        return Error(Errc::base32_invalid, "truncated input: " + std::to_string(n_data) +
                                               " data characters is not a valid Base32 length");
    if (pad_at != std::string_view::npos) {
        std::size_t n_pad = 0;
        for (std::size_t i = pad_at; i < text.size(); ++i) {
            if (text[i] == '=') {
                ++n_pad;
            } else if (!is_separator(text[i])) {
                return Error(Errc::base32_invalid,
                             "data after padding at position " + std::to_string(i));
            }
        }
        static constexpr std::size_t kPadFor[8] = {0, 0, 6, 0, 4, 3, 0, 1};
        if (n_pad != kPadFor[rem])
            return Error(Errc::base32_invalid, "wrong amount of '=' padding at position " + std::to_string(pad_at));
    }
    out.resize(n_out);
    return out;
}

SecretString base32_encode(ByteView data) {
    SecretString s;
    std::uint32_t acc = 0;
    unsigned bits = 0;
    for (std::uint8_t b : data) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            s.push_back(b32_char((acc >> bits) & 31u));
        }
    }
    if (bits > 0) s.push_back(b32_char((acc << (5 - bits)) & 31u));
    acc = 0;
    return s;
}

}  // namespace mfa

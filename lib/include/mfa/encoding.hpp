// Text encodings of bytes: Base32 (RFC 4648 §6), Base64 and base64url (RFC 4648 §4, §5), hex.
//
// Decoders reject rather than guess, and their error detail names the offending position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa {

// Base32 as people type it: any case; spaces, tabs and '-' are ignored; '=' padding optional but,
// when present, only at the end and of a length RFC 4648 allows. Anything else is Errc::base32_invalid
// with the position (0-based, in the input) of the first bad character. The trailing bits of the
// last quantum are not required to be zero (real secrets in the wild violate that).
// Limit: at most 4096 input characters (Errc::limit_exceeded).
inline constexpr std::size_t kBase32MaxInput = 4096;
Result<SecretBytes> base32_decode(std::string_view text);
// Upper-case RFC 4648 alphabet, no padding. Constant-time: the alphabet is computed, not indexed.
SecretString base32_encode(ByteView data);

// Constant-time alphabets for generated secrets (no table index, no branch by value):
// base62 "0-9A-Za-z" (API tokens) and Crockford base32 "0-9a-z" without i, l, o, u (recovery codes).
char base62_char(std::uint32_t v) noexcept;             // v in 0..61
std::uint32_t base62_mask(unsigned char c) noexcept;     // all-ones when c is base62, else 0
char crockford_char(std::uint32_t v) noexcept;          // v in 0..31
// The value of a typed character, any case, with Crockford's reading of look-alikes (i, l -> 1;
// o -> 0); a value >= 32 when it is none.
std::uint32_t crockford_value(unsigned char c) noexcept;
// CRC-32 as zlib's crc32 (ISO-HDLC), bitwise with masks instead of zlib's byte-indexed table.
std::uint32_t crc32_ct(std::string_view s) noexcept;

// Appends s as a JSON string (quotes, '"' '\\' and control characters escaped) to wiped memory, for
// JSON that carries secrets. Whether s needs any escape is the only thing its characters decide.
void append_json_string(SecretString& out, std::string_view s);

// Which Base64 inputs a decoder takes.
enum class Base64Mode {
    url_strict,   // base64url alphabet, no padding (what toJSON() produces)
    standard,     // standard alphabet, padding required (RFC 4648 §4)
    lenient,      // either alphabet, padding optional (the older WebAuthn shapes in the wild)
};
// Limit: at most 16 MiB of input (Errc::limit_exceeded).
Result<Bytes> base64_decode(std::string_view text, Base64Mode mode);
std::string base64url_encode(ByteView data);   // no padding
std::string base64_encode(ByteView data);      // standard alphabet with padding

std::string hex_encode(ByteView data);         // lower case
Result<Bytes> hex_decode(std::string_view text);

}  // namespace mfa

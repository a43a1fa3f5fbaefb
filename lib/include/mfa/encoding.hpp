// Text encodings of bytes: Base32 (RFC 4648 §6), Base64 and base64url (RFC 4648 §4, §5), hex.
//
// Decoders reject rather than guess, and their error detail names the offending position.
#pragma once

#include <cstddef>
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
// Upper-case RFC 4648 alphabet, no padding.
SecretString base32_encode(ByteView data);

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

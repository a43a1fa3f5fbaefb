// Internal: percent-decoding (RFC 3986 §2.1) of URI components with positions in errors, and the
// encoder the canonical URIs use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mfa/error.hpp"

namespace mfa::otpauth_detail {

struct DecodeRules {
    bool plus_is_space = false;  // form encoding: '+' in query keys and values
    bool check_text = true;      // decoded bytes must be UTF-8 without control characters
};

// Decodes `raw`, which starts at byte `base` of the whole URI, into out[0..] (room for raw.size()
// bytes). Returns the decoded length. A '%' not followed by two hex digits, a raw control character
// or '#', and (with check_text) invalid UTF-8 or a decoded control character fail with
// Errc::uri_invalid naming `field` and the URI position.
Result<std::size_t> percent_decode(std::string_view raw, std::size_t base, std::string_view field,
                                   const DecodeRules& rules, char* out);
// The same into a std::string.
Result<std::string> percent_decode_string(std::string_view raw, std::size_t base, std::string_view field,
                                          const DecodeRules& rules);

// Appends s with every byte outside A-Z a-z 0-9 - . _ ~ @ written as %XX (upper-case hex).
void percent_encode_append(std::string_view s, std::string& out);

}  // namespace mfa::otpauth_detail

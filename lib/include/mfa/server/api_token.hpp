// API tokens: "<prefix>_<id:8><secret:24><checksum:6>", all base62 after the prefix.
//
//   mfa_3kTQ9xW2hZ8vLq0cP4nR7sYb1mK6dF5gJ2eA9x
//
// The id (8 random characters) names the token in lists and is the lookup key; the secret has 24
// base62 characters, 142 bits from the CSPRNG (ASVS 11.5.1 asks for 128); the checksum is CRC32 of
// everything before it, so a secret scanner (GitHub's, trufflehog) can tell a real token from
// random text without asking the server, and typos are refused before any lookup. The prefix
// (1..16 of [a-z0-9]) makes leaked tokens recognisable. The server keeps only SHA-256 of the whole
// token and compares it in constant time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::server {

inline constexpr std::size_t kTokenIdChars = 8;
inline constexpr std::size_t kTokenSecretChars = 24;
inline constexpr std::size_t kTokenChecksumChars = 6;
inline constexpr std::size_t kMaxTokenPrefix = 16;

struct ParsedToken {
    std::string prefix;
    std::string id;
};

// Errors: invalid_argument (a bad prefix).
Result<SecretString> generate_api_token(std::string_view prefix);
// Checks the shape and the checksum (and the prefix when expected_prefix is not empty). Errors:
// token_format, with what was wrong.
Result<ParsedToken> parse_api_token(std::string_view token, std::string_view expected_prefix = {});
// Hex SHA-256 of the token: what is stored.
std::string api_token_hash(std::string_view token);
Status validate_token_prefix(std::string_view prefix);

}  // namespace mfa::server

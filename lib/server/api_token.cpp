#include "mfa/server/api_token.hpp"

#include <openssl/evp.h>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"

namespace mfa::server {
namespace {

// A token is a secret from its first character to its checksum, so nothing below indexes a table
// or branches by its characters: the alphabet is computed, the CRC is bitwise (mfa/encoding.hpp).

SecretString checksum(std::string_view s) {
    std::uint32_t crc = crc32_ct(s);
    char out[kTokenChecksumChars];
    for (std::size_t i = kTokenChecksumChars; i-- > 0;) {
        out[i] = base62_char(crc % 62);  // division by a constant: a multiply, no data-dependent time
        crc /= 62;
    }
    SecretString r(std::string_view(out, sizeof out));
    secure_wipe(out, sizeof out);
    return r;
}

}  // namespace

Status validate_token_prefix(std::string_view p) {
    if (p.empty() || p.size() > kMaxTokenPrefix) return {Errc::invalid_argument, "token prefix must be 1..16 characters"};
    for (char c : p)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return {Errc::invalid_argument, "token prefix characters must be a-z or 0-9"};
    return {};
}

Result<SecretString> generate_api_token(std::string_view prefix) {
    MFA_TRY(validate_token_prefix(prefix));
    SecretString t;
    t.append(prefix);
    t.push_back('_');
    for (std::size_t i = 0; i < kTokenIdChars + kTokenSecretChars; ++i) {
        auto r = random_uniform(62);
        if (!r) return std::move(r).error();
        t.push_back(base62_char(*r));
    }
    t.append(checksum(t.view()).view());
    return t;
}

Result<ParsedToken> parse_api_token(std::string_view token, std::string_view expected_prefix) {
    constexpr std::size_t body = kTokenIdChars + kTokenSecretChars + kTokenChecksumChars;
    if (token.size() > kMaxTokenPrefix + 1 + body) return Error{Errc::token_format, "too long"};
    const auto us = token.find('_');
    if (us == std::string_view::npos) return Error{Errc::token_format, "no '_' after the prefix"};
    const std::string_view prefix = token.substr(0, us);
    if (!validate_token_prefix(prefix)) return Error{Errc::token_format, "bad prefix"};
    if (!expected_prefix.empty() && prefix != expected_prefix)
        return Error{Errc::token_format, "prefix is not '" + std::string(expected_prefix) + "'"};
    const std::string_view rest = token.substr(us + 1);
    if (rest.size() != body) return Error{Errc::token_format, "expected " + std::to_string(body) + " characters after the prefix"};
    std::uint32_t valid = ~0u;
    for (unsigned char c : rest) valid &= base62_mask(c);
    if (ct_value_barrier(valid) == 0) {
        // The failure path may branch: name the first offending character.
        for (std::size_t i = 0; i < rest.size(); ++i)
            if (base62_mask(static_cast<unsigned char>(rest[i])) == 0)
                return Error{Errc::token_format, "character " + std::to_string(us + 1 + i) + " is not base62"};
    }
    // Whether the checksum matches is not secret (a typo is reported as such), its characters are.
    if (!ct_equal(checksum(token.substr(0, token.size() - kTokenChecksumChars)).view(), rest.substr(body - kTokenChecksumChars)))
        return Error{Errc::token_format, "checksum mismatch (mistyped or truncated token)"};
    return ParsedToken{std::string(prefix), std::string(rest.substr(0, kTokenIdChars))};
}

std::string api_token_hash(std::string_view token) {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr);
    return hex_encode({md, 32});
}

}  // namespace mfa::server

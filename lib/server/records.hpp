// The JSON records the toolkit keeps in the store, with strict parsers (fuzzed by
// fuzz_server_records): a record that does not parse is store_corrupt, never guessed at.
#pragma once

#include <string>
#include <string_view>

#include "mfa/otp.hpp"
#include "mfa/server/toolkit.hpp"

namespace mfa::server::detail {

struct TotpRecord {
    std::string secret;      // encrypted field (keyring.hpp)
    HashAlg algorithm = HashAlg::sha1;
    unsigned digits = 6;
    std::uint32_t period = 30;
    std::int64_t created = 0;
    std::string label;
};
std::string totp_record_json(const TotpRecord& r);
Result<TotpRecord> parse_totp_record(std::string_view json);

struct TokenRecord {
    TokenInfo info;
    std::string hash;        // hex SHA-256 of the token
};
std::string token_record_json(const TokenRecord& r);
Result<TokenRecord> parse_token_record(std::string_view json);

}  // namespace mfa::server::detail

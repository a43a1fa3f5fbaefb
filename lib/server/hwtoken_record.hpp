// A hardware OTP token as the store keeps it (mfa:hwtok:<serial key part>), with its strict parser
// (fuzzed by fuzz_server_records): {"v":2,"serial","secret","type","alg","digits","period","t0",
// "counter","state","user","manufacturer","model","issuer","imported","changed","org"}. Version 1
// (written before tokens had an organization, and still for a token of none) has no "org" and
// reads as org "". The secret is
// encrypted under the key ring with the context "hwtok:<serial key part>"; a retired token's is
// "" (the seed is destroyed, the record stays for the audit trail).
#pragma once

#include <string>
#include <string_view>

#include "mfa/server/toolkit.hpp"

namespace mfa::server::detail {

inline const std::string kHwTokenPrefix = "mfa:hwtok:";
inline std::string hwtoken_key(const std::string& serial_part) { return kHwTokenPrefix + serial_part; }
inline std::string hwtoken_context(const std::string& serial_part) { return "hwtok:" + serial_part; }

struct HwTokenRecord {
    HwTokenInfo info;
    std::string secret;  // encrypted field, "" when retired
};
std::string hwtoken_record_json(const HwTokenRecord& r);
Result<HwTokenRecord> parse_hwtoken_record(std::string_view json);

}  // namespace mfa::server::detail

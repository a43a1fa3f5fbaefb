// The one JSON form of a hardware OTP token as listed to operators (the C ABI and `mfa server
// otp-tokens` print the same): {"serial", "type", "algorithm", "digits", "period", "counter",
// "state", "user", "manufacturer", "model", "issuer", "imported", "changed"}. No secret.
#pragma once

#include <string>

#include "mfa/server/toolkit.hpp"

namespace mfa::server {

std::string hwtoken_info_json(const HwTokenInfo& t);

}  // namespace mfa::server

// SHA-256 for the ceremonies (internal): clientDataJSON hashes and RP ID hashes.
#pragma once

#include <array>
#include <cstdint>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::webauthn::detail {

using Sha256 = std::array<std::uint8_t, 32>;
// Errc::crypto if OpenSSL fails.
Result<Sha256> sha256(ByteView data);

}  // namespace mfa::webauthn::detail

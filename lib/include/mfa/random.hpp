// Randomness from OpenSSL's CSPRNG (RAND_bytes). Never std::random_device or rand().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa {

// Fills out; Errc::crypto if the CSPRNG fails (it is not seeded, say).
Status random_fill(std::span<std::uint8_t> out) noexcept;
// n random bytes as a secret.
Result<SecretBytes> random_secret(std::size_t n);
// A uniform integer in [0, bound) without modulo bias; bound > 0.
Result<std::uint32_t> random_uniform(std::uint32_t bound);

}  // namespace mfa

// Randomness for the soft token: OpenSSL's CSPRNG, or for tests a deterministic generator seeded
// with a number, so that credential IDs, keys, channel tokens and PIN tokens repeat run after run.
// The deterministic stream is HMAC-SHA256(K, counter) with K = SHA-256("mfakit softtoken drbg" ||
// seed): fine for reproducible tests, worthless as a secret (the seed is a small number).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::softtoken {

class Rng {
public:
    Rng() = default;  // the system CSPRNG
    explicit Rng(std::uint64_t seed);

    [[nodiscard]] bool deterministic() const noexcept { return key_.has_value(); }
    Status fill(std::span<std::uint8_t> out);
    Result<SecretBytes> secret(std::size_t n);

private:
    std::optional<std::array<std::uint8_t, 32>> key_;
    std::uint64_t counter_ = 0;
};

}  // namespace mfa::softtoken

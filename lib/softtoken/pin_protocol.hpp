// PIN/UV auth protocols one and two (CTAP 2.1 §6.5.6, §6.5.7), authenticator side.
//
//            shared secret from ECDH x-coordinate Z        encrypt (AES-256-CBC)      authenticate
//   one      SHA-256(Z)                                    IV = 0                     HMAC-SHA-256, first 16 bytes
//   two      HKDF(Z, "CTAP2 HMAC key") || HKDF(Z, "CTAP2 AES key")   random IV prepended   HMAC-SHA-256 (32 bytes)
#pragma once

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::softtoken {

class Rng;

class PinProtocol {
public:
    explicit PinProtocol(int version) noexcept : v_(version) {}
    [[nodiscard]] int version() const noexcept { return v_; }

    Result<SecretBytes> kdf(ByteView z) const;
    Result<Bytes> encrypt(ByteView shared, ByteView plain, Rng& rng) const;
    // Errc::invalid_argument when the ciphertext has a length the protocol cannot produce.
    Result<SecretBytes> decrypt(ByteView shared, ByteView cipher) const;
    Result<Bytes> authenticate(ByteView key, ByteView message) const;
    // Constant-time check of a pinUvAuthParam; a wrong length is simply false.
    [[nodiscard]] bool verify(ByteView key, ByteView message, ByteView signature) const;

private:
    ByteView aes_key(ByteView shared) const noexcept;
    ByteView hmac_key(ByteView key) const noexcept;
    int v_;
};

}  // namespace mfa::softtoken

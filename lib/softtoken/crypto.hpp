// The OpenSSL EVP operations the soft token needs, with its error type. Nothing here is a
// hand-made primitive: digests, HMAC, HKDF, AES, ECDH, signatures and keys all come from EVP.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include <openssl/types.h>

#include "mfa/bytes.hpp"
#include "mfa/cose.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::softtoken {

class Rng;

using Hash = std::array<std::uint8_t, 32>;

Hash sha256(ByteView data);
Result<Hash> hmac_sha256(ByteView key, ByteView data);
Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t len);

// AES-256-CBC without padding (the PIN protocols only encrypt whole blocks).
Result<Bytes> aes256_cbc(bool encrypt, ByteView key, ByteView iv, ByteView data);
// AES-256-GCM; seal returns ciphertext || 16-byte tag, open expects the same.
Result<Bytes> aes256_gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plain);
Result<SecretBytes> aes256_gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed);

// Keys from 32 bytes of secret material (so a seeded token is reproducible).
// P-256: the bytes are the scalar and must be in [1, n-1] (Errc::invalid_argument otherwise).
Result<cose::Pkey> p256_from_scalar(ByteView scalar);
Result<cose::Pkey> ed25519_from_seed(ByteView seed);
// A fresh P-256 scalar drawn from rng (retried until it is in range) and its key.
Result<SecretBytes> p256_new_scalar(Rng& rng);

// ECDH on P-256: the x-coordinate of the shared point (32 bytes).
Result<SecretBytes> ecdh_p256(EVP_PKEY* own, EVP_PKEY* peer);

// Signature in the WebAuthn form: DER ECDSA with SHA-256 for ES256, raw for EdDSA.
Result<Bytes> sign(EVP_PKEY* key, cose::Alg alg, ByteView data);

// A self-signed packed-attestation certificate (WebAuthn §8.2.1): v3, subject C/O/OU/CN with OU
// "Authenticator Attestation", basicConstraints CA:FALSE and the id-fido-gen-ce-aaguid extension.
Result<Bytes> make_attestation_certificate(EVP_PKEY* key, ByteView aaguid, std::uint64_t serial);

}  // namespace mfa::softtoken

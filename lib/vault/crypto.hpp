// The vault's cryptographic steps, each a thin wrapper over OpenSSL EVP or libargon2 (no primitive
// is written here). Internal to lib/vault.
#pragma once

#include <array>
#include <cstdint>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"
#include "mfa/vault.hpp"

namespace mfa::vault_detail {

inline constexpr std::size_t kKeyBytes = 32;     // AES-256 keys, the master key, wrapping keys
inline constexpr std::size_t kNonceBytes = 12;   // GCM nonces
inline constexpr std::size_t kTagBytes = 16;     // GCM tags
inline constexpr std::size_t kSaltBytes = 32;    // Argon2id and hmac-secret salts
inline constexpr std::size_t kCheckBytes = 8;    // the unkeyed corruption checks of the header

// AES-256-GCM: returns ciphertext || tag.
Result<Bytes> gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);
// Errc::vault_tampered when the tag does not verify (the caller names what was being opened).
Result<SecretBytes> gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed);

// Argon2id (v1.3) of the passphrase into a 32-byte wrapping key.
Result<SecretBytes> argon2id_key(std::string_view passphrase, ByteView salt, const KdfParams& p);
// PBKDF2-HMAC (RFC 8018) of a password into a 32-byte key, for reading other apps' backups (2FAS:
// SHA-256, andOTP: SHA-1). The caller bounds iterations before calling.
Result<SecretBytes> pbkdf2_key(std::string_view password, ByteView salt, std::uint32_t iterations, HashAlg hash);
// SHA-256 of the password as the key: andOTP <= 0.6.2 backups only (no salt, no stretching).
Result<SecretBytes> sha256_key(std::string_view password);
// HKDF-SHA256 (RFC 5869) into a 32-byte key.
Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, std::string_view info);

// First 8 bytes of SHA-256("mfa-vault-check-v1" || data): detects accidental corruption so that an
// error can name the region; it is not a security measure (GCM authenticates everything).
std::array<std::uint8_t, kCheckBytes> region_check(ByteView data);

}  // namespace mfa::vault_detail

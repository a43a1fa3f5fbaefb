// Credential IDs that carry their own key: AES-256-GCM under the token's wrap key, bound to the
// RP ID hash as associated data, so an ID only opens for the RP it was made for and the token keeps
// no per-credential state for non-resident credentials.
//
// Layout (97 bytes): 0x01 | nonce (12) | ciphertext (68) | tag (16), where the plaintext is
// algorithm (1: ES256, 2: EdDSA) | credProtect level (0..3) | resident (0/1) | hmac-secret (0/1) |
// private key (32) | hmac-secret seed (32).
#pragma once

#include <cstdint>

#include "crypto.hpp"
#include "mfa/bytes.hpp"
#include "mfa/cose.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::softtoken {

class Rng;

struct CredentialSecret {
    cose::Alg alg = cose::Alg::ES256;
    std::uint8_t cred_protect = 0;  // 0 = not requested (behaves as level 1)
    bool resident = false;
    bool hmac_secret = false;       // made with the hmac-secret extension
    SecretBytes private_key;        // 32 bytes: P-256 scalar or Ed25519 seed
    SecretBytes hmac_seed;          // 32 bytes: CredRandom (with and without UV) derive from it

    Result<cose::Pkey> key() const;
    // CredRandomWithUV / CredRandomWithoutUV of the hmac-secret extension.
    Result<Hash> cred_random(bool uv) const;
};

Result<CredentialSecret> new_credential(cose::Alg alg, std::uint8_t cred_protect, bool resident, bool hmac_secret,
                                        Rng& rng);
Result<Bytes> wrap_credential(ByteView wrap_key, ByteView rp_id_hash, const CredentialSecret& c, Rng& rng);
// Errc::not_found when the ID is not ours or not for this RP.
Result<CredentialSecret> unwrap_credential(ByteView wrap_key, ByteView rp_id_hash, ByteView credential_id);

}  // namespace mfa::softtoken

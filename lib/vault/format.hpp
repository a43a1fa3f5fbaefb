// The vault file layout (docs/vault-format.md): parsing and writing the header and its key slots.
// Internal to lib/vault.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto.hpp"
#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/vault.hpp"

namespace mfa::vault_detail {

inline constexpr std::array<std::uint8_t, 8> kMagic = {'M', 'F', 'A', 'V', 'A', 'U', 'L', 'T'};
inline constexpr std::uint16_t kFormatVersion = 1;
inline constexpr std::size_t kFixedHeaderBytes = 48;   // magic .. check
inline constexpr std::size_t kVaultIdBytes = 16;
inline constexpr std::size_t kWrappedBytes = kKeyBytes + kTagBytes;
inline constexpr std::uint8_t kKdfArgon2id = 1;

struct SlotRecord {
    SlotType type = SlotType::passphrase;
    KdfParams kdf;                                   // passphrase
    std::string rp_id;                               // security key
    Bytes credential_id;                             // security key
    std::array<std::uint8_t, kSaltBytes> salt{};     // Argon2id salt, or the hmac-secret salt
    std::string label;
    std::array<std::uint8_t, kNonceBytes> nonce{};
    std::array<std::uint8_t, kWrappedBytes> wrapped{};
};

struct Header {
    std::uint16_t version = kFormatVersion;
    std::array<std::uint8_t, kVaultIdBytes> vault_id{};
    std::uint64_t generation = 0;
    std::vector<SlotRecord> slots;
    std::array<std::uint8_t, kNonceBytes> payload_nonce{};
    std::uint32_t payload_len = 0;                   // ciphertext + tag
};

struct ParsedFile {
    Header header;
    ByteView header_bytes;   // everything before the ciphertext: the payload's AAD
    ByteView ciphertext;     // payload_len bytes, the tag last
};

// Parses a whole file image; errors name the field, the slot index and the offset.
Result<ParsedFile> parse_file(ByteView file);
// Serialises the header (with its checks); payload_len must already be set.
Bytes write_header(const Header& h);
// The AAD of a slot's key wrap: its type and metadata (everything but the nonce and wrapped key).
Bytes slot_aad(const SlotRecord& s);
// Slot metadata as the public SlotInfo.
SlotInfo slot_info(const SlotRecord& s);

}  // namespace mfa::vault_detail

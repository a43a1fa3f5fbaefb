// Secrets at rest: AES-256-GCM under a versioned key ring.
//
// Every key has an id (1, 2, 3 …). New writes use the newest active key; every key still in the ring
// decrypts, so data written under older keys stays readable until a rewrap job (Toolkit::rewrap)
// re-encrypts it under the newest. A key is then *retired* with a date until which it must be kept
// (backups taken before the rewrap still hold data under it); prunable() lists retired keys whose
// date has passed, and only those may be removed.
//
// Key ring file (text, one item a line, '#' comments; written 0600 through a temporary, fsynced and
// renamed), version 2 with each key's creation time (Unix seconds; what key maintenance ages keys by):
//     mfa-keyring 2
//     key 1 retired 1764633600 1767225600 <base64url of 32 bytes>     (created, retain until)
//     key 2 active 1767225600 <base64url of 32 bytes>                  (created)
// Version 1 files (the same lines without the creation time) are still read, their keys with
// created = 0 (unknown: key maintenance records the time it first sees them); format() writes 2.
// Encrypted field (text, fits in a JSON string):
//     v1.<key id>.<base64url(nonce[12] ‖ ciphertext ‖ tag[16])>
// The GCM additional data binds the field to its key id and to a caller-given context (the record
// and user it belongs to), so a field copied into another record does not decrypt.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::server {

inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kMaxKeys = 64;
inline constexpr std::size_t kMaxKeyRingText = 64 * 1024;
inline constexpr std::size_t kMaxEncryptedField = 96 * 1024;   // text
inline constexpr std::size_t kMaxFieldPlaintext = 64 * 1024;

struct KeyInfo {
    std::uint32_t id = 0;
    bool retired = false;
    std::int64_t retain_until = 0;  // Unix time (retired keys)
    std::int64_t created = 0;       // Unix time; 0 = unknown (a version 1 file)
};

class KeyRing {
public:
    KeyRing() = default;
    KeyRing(KeyRing&&) noexcept = default;
    KeyRing& operator=(KeyRing&&) noexcept = default;

    // A ring with one fresh key (id 1).
    static Result<KeyRing> generate();
    // Errors: keyring_invalid (the detail names the line), limit_exceeded.
    static Result<KeyRing> parse(std::string_view text);
    static Result<KeyRing> load(const std::string& path);
    // Writes the file 0600 through a temporary in the same directory, fsynced and renamed.
    Status save(const std::string& path) const;
    // The same for a ring that must not replace another: Errc::keyring_exists if path exists (the
    // file is left as it was; replacing it would make every secret it encrypts undecryptable).
    Status save_new(const std::string& path) const;
    SecretString format() const;

    bool empty() const noexcept { return keys_.empty(); }
    // The key new writes use (the newest active one); 0 when the ring is empty.
    std::uint32_t current_id() const noexcept;
    std::vector<KeyInfo> keys() const;

    // Adds a fresh key with the next id, created `now` (Unix time; the system clock when negative);
    // it becomes the current one.
    Result<std::uint32_t> rotate(std::int64_t now = -1);
    // Sets the creation time of a key whose time is unknown (0); true when it did.
    bool record_created(std::uint32_t id, std::int64_t created);
    // Marks a key retired, to be kept until retain_until. The current key cannot be retired.
    Status retire(std::uint32_t id, std::int64_t retain_until);
    // Retired keys whose retention date has passed.
    std::vector<std::uint32_t> prunable(std::int64_t now) const;
    // Removes a prunable key; anything else is invalid_argument.
    Status remove(std::uint32_t id, std::int64_t now);

    // Encrypts under the current key. Errors: invalid_argument (empty ring), limit_exceeded, crypto.
    Result<std::string> encrypt(ByteView plaintext, std::string_view context) const;
    // Errors: encrypted_field_format, key_unknown, decrypt_failed.
    Result<SecretBytes> decrypt(std::string_view field, std::string_view context) const;
    // The key id of a field (to find fields a rewrap must move); encrypted_field_format.
    static Result<std::uint32_t> field_key_id(std::string_view field);

private:
    struct Key {
        KeyInfo info;
        SecretBytes bytes;
    };
    const Key* find(std::uint32_t id) const noexcept;
    std::vector<Key> keys_;
};

}  // namespace mfa::server

// The persistent state of a soft token and its file format.
//
// The file is one canonical CBOR map with integer keys (docs/fido2.md, "State file"):
//   1 version (1)            2 aaguid (16 bytes)        3 wrap key (32 bytes, AES-256-GCM for IDs)
//   4 attestation key (32)   5 attestation cert (DER)   6 PIN hash (16 bytes, absent: no PIN)
//   7 PIN retries            8 signature counter        9 resident credentials (array)
//   10 UV retries            11 minimum PIN length      12 next credential serial
// A resident credential is a map {1 credential ID, 2 RP ID, 3 RP name, 4 user ID, 5 user name,
// 6 display name, 7 serial (creation order)}. The private key is inside the credential ID
// (credential.hpp), so the file never needs a second copy of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::softtoken {

struct ResidentCredential {
    Bytes credential_id;
    std::string rp_id;
    std::string rp_name;
    Bytes user_id;
    std::string user_name;
    std::string display_name;
    std::uint64_t serial = 0;
};

struct State {
    std::array<std::uint8_t, 16> aaguid{};
    SecretBytes wrap_key;          // 32
    SecretBytes attestation_key;   // 32, P-256 scalar
    Bytes attestation_cert;        // DER
    SecretBytes pin_hash;          // LEFT(SHA-256(PIN), 16), empty when no PIN is set
    std::uint8_t pin_retries = 8;
    std::uint32_t counter = 0;
    std::vector<ResidentCredential> credentials;
    std::uint8_t uv_retries = 8;
    std::uint8_t min_pin_length = 4;
    std::uint64_t next_serial = 1;
};

// Limit for the state file (a token holds at most 64 resident credentials of bounded size).
inline constexpr std::size_t kMaxStateFile = 256 * 1024;

Result<Bytes> encode_state(const State& s);
Result<State> decode_state(ByteView file);

Result<State> load_state(const std::filesystem::path& path);
// Writes path atomically: a temporary beside it (0600), fsync, rename over, fsync of the directory.
Status save_state(const std::filesystem::path& path, const State& s);

}  // namespace mfa::softtoken

// The credential record a relying party stores after registration and updates after every
// authentication (WebAuthn L3 §4 "credential record", §7.1 step 27, §7.2 step 24).
//
// JSON form (to_json / record_from_json), version 1; every member is required unless marked:
//   {"version":1,
//    "id":"<base64url credential id>",
//    "publicKey":"<base64url COSE_Key>",  "alg":-7,
//    "signCount":0,
//    "transports":["usb","nfc"],
//    "aaguid":"00000000-0000-0000-0000-000000000000",
//    "backupEligible":false, "backupState":false, "uvInitialized":true,
//    "userHandle":"<base64url user.id>"          (optional),
//    "attestation":{"fmt":"packed","type":"basic","trusted":true},
//    "createdAt":1767225600}                     (Unix seconds)
// Parsing is strict: unknown or duplicate members, wrong types, a counter outside 0..2^32-1 or
// a non-canonical base64url value are Errc::webauthn_record with the member named.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::webauthn {

struct AttestationSummary {
    std::string fmt = "none";   // attestation statement format ("packed", "tpm", "none" ...)
    std::string type = "none";  // "none", "self", "basic", "attca", "anonca", "uncertain"
    bool trusted = false;       // the chain ended at a configured trust anchor
};

struct CredentialRecord {
    Bytes id;                          // at most 1023 bytes
    Bytes public_key;                  // the credential public key, COSE_Key bytes as attested
    int alg = 0;                       // its COSE algorithm
    std::uint32_t sign_count = 0;
    std::vector<std::string> transports;
    std::array<std::uint8_t, 16> aaguid{};
    bool backup_eligible = false;      // BE at registration; must never change
    bool backup_state = false;         // BS, updated on every authentication
    bool uv_initialized = false;       // UV was ever set for this credential
    Bytes user_handle;                 // user.id of the owning account (may be empty)
    AttestationSummary attestation;
    std::int64_t created_at = 0;       // Unix seconds
};

[[nodiscard]] std::string to_json(const CredentialRecord& r);
Result<CredentialRecord> record_from_json(std::string_view json);

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case).
[[nodiscard]] std::string aaguid_string(const std::array<std::uint8_t, 16>& aaguid);

}  // namespace mfa::webauthn

// Authenticator data (WebAuthn §6.1) and the attestation object (§6.5), shared by the relying party
// and the soft token.
//
// Layout: rpIdHash (32) | flags (1) | signCount (4, big-endian) | [attested credential data:
// AAGUID (16) | credentialIdLength (2, big-endian, at most 1023) | credentialId |
// credentialPublicKey (COSE_Key, CBOR)] | [extensions (CBOR map)]. The AT flag announces the
// attested credential data and ED the extensions; parse_authenticator_data insists that the flags
// and the bytes agree and that nothing follows. The credential public key is decoded as CBOR (a
// map) and kept with its exact bytes; turning it into a key (cose::parse_key) and every policy
// decision (UP, UV, BE/BS, counters) belong to the caller.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "mfa/bytes.hpp"
#include "mfa/cbor.hpp"
#include "mfa/error.hpp"

namespace mfa::webauthn {

namespace flag {
inline constexpr std::uint8_t UP = 0x01;    // user present
inline constexpr std::uint8_t RFU1 = 0x02;  // reserved; ignored
inline constexpr std::uint8_t UV = 0x04;    // user verified
inline constexpr std::uint8_t BE = 0x08;    // backup eligible
inline constexpr std::uint8_t BS = 0x10;    // backed up (backup state)
inline constexpr std::uint8_t RFU2 = 0x20;  // reserved; ignored
inline constexpr std::uint8_t AT = 0x40;    // attested credential data included
inline constexpr std::uint8_t ED = 0x80;    // extension data included
}  // namespace flag

inline constexpr std::size_t kMaxCredentialIdLength = 1023;  // WebAuthn §6.5.1 / §7.1 step 25

struct AttestedCredentialData {
    std::array<std::uint8_t, 16> aaguid{};
    Bytes credential_id;          // 0..1023 bytes
    Bytes public_key_cbor;        // the COSE_Key exactly as it appeared (for storage)
    cbor::Value public_key;       // the same, decoded (a map); cose::parse_key makes it a key
};

struct AuthenticatorData {
    std::array<std::uint8_t, 32> rp_id_hash{};
    std::uint8_t flags = 0;
    std::uint32_t sign_count = 0;
    std::optional<AttestedCredentialData> attested;  // present iff flags has AT
    std::optional<cbor::Value> extensions;           // a map with text keys; present iff ED

    [[nodiscard]] bool user_present() const noexcept { return (flags & flag::UP) != 0; }
    [[nodiscard]] bool user_verified() const noexcept { return (flags & flag::UV) != 0; }
    [[nodiscard]] bool backup_eligible() const noexcept { return (flags & flag::BE) != 0; }
    [[nodiscard]] bool backed_up() const noexcept { return (flags & flag::BS) != 0; }
};

// Limits: the whole input at most 64 KiB; the COSE key and the extensions are decoded with the
// default cbor::DecodeOptions (strict canonical form). Errors name the field: authdata_truncated
// ("rpIdHash", "flags", "signCount", "aaguid", "credentialIdLength", "credentialId",
// "credentialPublicKey"), authdata_flags (AT without attested data / extensions without ED / ED
// without extensions), authdata_credential_id (> 1023), authdata_extensions, authdata_trailing;
// CBOR errors inside the key or the extensions keep their cbor_* code with the field named.
inline constexpr std::size_t kMaxAuthenticatorData = 64 * 1024;
Result<AuthenticatorData> parse_authenticator_data(ByteView data);

// Serializes authenticator data (for the soft token). The AT and ED flag bits are set from whether
// attested / extensions are present. The public key is written from public_key_cbor when it is not
// empty, else encoded from public_key. Fails on a credential id over 1023 bytes or extensions that
// are not a map.
Result<Bytes> serialize_authenticator_data(const AuthenticatorData& ad);

struct AttestationObject {
    std::string fmt;                // attestation statement format identifier ("packed", "none" ...)
    cbor::Value att_stmt;           // a map, verified by the format's procedure
    Bytes auth_data_raw;            // the authenticator data bytes, as signed
    AuthenticatorData auth_data;    // parsed; must carry attested credential data (AT)
};

// Parses the attestation object: a CBOR map of exactly "fmt" (text, 1..32 characters), "attStmt"
// (map) and "authData" (bytes); then the authenticator data, which must have AT set.
// attestation_object_invalid names the member at fault; authdata_* errors come from inside authData.
Result<AttestationObject> parse_attestation_object(ByteView data);

// Builds the canonical attestation object bytes (for the soft token).
Result<Bytes> encode_attestation_object(std::string_view fmt, const cbor::Value& att_stmt,
                                        ByteView auth_data);

}  // namespace mfa::webauthn

// TPM 2.0 structures carried by the WebAuthn "tpm" attestation format (TPM 2.0 Library Part 2):
// TPMS_ATTEST (certInfo) and TPMT_PUBLIC (pubArea), for RSA and ECC keys. Big-endian, parsed with a
// bounded Reader; every structure must consume its input exactly. Internal.
#pragma once

#include <cstdint>
#include <optional>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::att::tpm {

inline constexpr std::uint32_t kGeneratedValue = 0xff544347;  // TPM_GENERATED_VALUE
inline constexpr std::uint16_t kStAttestCertify = 0x8017;     // TPM_ST_ATTEST_CERTIFY
inline constexpr std::uint16_t kAlgRsa = 0x0001, kAlgSha1 = 0x0004, kAlgSha256 = 0x000b,
                               kAlgSha384 = 0x000c, kAlgSha512 = 0x000d, kAlgNull = 0x0010,
                               kAlgEcc = 0x0023;
inline constexpr std::uint16_t kEccNistP256 = 0x0003, kEccNistP384 = 0x0004, kEccNistP521 = 0x0005;

// TPMS_ATTEST with TPMS_CERTIFY_INFO as the attested member (the only type WebAuthn uses).
struct Attest {
    std::uint32_t magic = 0;
    std::uint16_t type = 0;
    ByteView qualified_signer;   // TPM2B_NAME
    ByteView extra_data;         // TPM2B_DATA
    std::uint64_t clock = 0;
    std::uint32_t reset_count = 0, restart_count = 0;
    std::uint8_t safe = 0;
    std::uint64_t firmware_version = 0;
    ByteView attested_name;            // TPMS_CERTIFY_INFO.name
    ByteView attested_qualified_name;  // TPMS_CERTIFY_INFO.qualifiedName
};

// TPMT_PUBLIC for TPM_ALG_RSA or TPM_ALG_ECC.
struct Public {
    std::uint16_t type = 0;
    std::uint16_t name_alg = 0;
    std::uint32_t object_attributes = 0;
    ByteView auth_policy;
    std::uint16_t symmetric = kAlgNull;
    std::uint16_t scheme = kAlgNull;
    // RSA
    std::uint16_t rsa_key_bits = 0;
    std::uint32_t rsa_exponent = 0;  // as encoded: 0 means the default 65537
    ByteView rsa_modulus;
    // ECC
    std::uint16_t ecc_curve = 0;
    std::uint16_t ecc_kdf = kAlgNull;
    ByteView ecc_x, ecc_y;
};

// Parse errors are Errc::att_tpm_structure with the field that failed.
Result<Attest> parse_attest(ByteView cert_info);
Result<Public> parse_public(ByteView pub_area);

}  // namespace mfa::att::tpm

#include "tpm.hpp"

#include <string>

#include "mfa/reader.hpp"

namespace mfa::att::tpm {
namespace {

Error bad(std::string_view what, const Reader& r) {
    return Error(Errc::att_tpm_structure, std::string(what) + " (offset " + std::to_string(r.position()) + ")");
}

// TPM2B_*: a u16 size followed by that many bytes.
bool get_tpm2b(Reader& r, ByteView& out) {
    Reader t = r;
    std::uint16_t n = 0;
    if (!t.get_u16be(n) || !t.get_bytes(n, out)) return false;
    r = t;
    return true;
}

// TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless it is TPM_ALG_NULL.
bool get_sym_def(Reader& r, std::uint16_t& alg) {
    if (!r.get_u16be(alg)) return false;
    if (alg == kAlgNull) return true;
    std::uint16_t key_bits = 0, mode = 0;
    return r.get_u16be(key_bits) && r.get_u16be(mode);
}

// TPMT_RSA_SCHEME / TPMT_ECC_SCHEME / TPMT_KDF_SCHEME: scheme, then a hashAlg unless TPM_ALG_NULL.
bool get_scheme(Reader& r, std::uint16_t& scheme) {
    if (!r.get_u16be(scheme)) return false;
    if (scheme == kAlgNull) return true;
    std::uint16_t hash = 0;
    return r.get_u16be(hash);
}

}  // namespace

Result<Attest> parse_attest(ByteView cert_info) {
    Reader r(cert_info);
    Attest a;
    if (!r.get_u32be(a.magic)) return bad("certInfo.magic truncated", r);
    if (!r.get_u16be(a.type)) return bad("certInfo.type truncated", r);
    if (!get_tpm2b(r, a.qualified_signer)) return bad("certInfo.qualifiedSigner truncated", r);
    if (!get_tpm2b(r, a.extra_data)) return bad("certInfo.extraData truncated", r);
    if (!r.get_u64be(a.clock) || !r.get_u32be(a.reset_count) || !r.get_u32be(a.restart_count) || !r.get_u8(a.safe))
        return bad("certInfo.clockInfo truncated", r);
    if (!r.get_u64be(a.firmware_version)) return bad("certInfo.firmwareVersion truncated", r);
    if (a.type != kStAttestCertify) return bad("certInfo.type is not TPM_ST_ATTEST_CERTIFY", r);
    if (!get_tpm2b(r, a.attested_name)) return bad("certInfo.attested.name truncated", r);
    if (!get_tpm2b(r, a.attested_qualified_name)) return bad("certInfo.attested.qualifiedName truncated", r);
    if (!r.empty()) return bad("trailing bytes after certInfo", r);
    return a;
}

Result<Public> parse_public(ByteView pub_area) {
    Reader r(pub_area);
    Public p;
    if (!r.get_u16be(p.type)) return bad("pubArea.type truncated", r);
    if (p.type != kAlgRsa && p.type != kAlgEcc) return bad("pubArea.type is neither TPM_ALG_RSA nor TPM_ALG_ECC", r);
    if (!r.get_u16be(p.name_alg)) return bad("pubArea.nameAlg truncated", r);
    if (!r.get_u32be(p.object_attributes)) return bad("pubArea.objectAttributes truncated", r);
    if (!get_tpm2b(r, p.auth_policy)) return bad("pubArea.authPolicy truncated", r);
    if (!get_sym_def(r, p.symmetric)) return bad("pubArea.parameters.symmetric truncated", r);
    if (!get_scheme(r, p.scheme)) return bad("pubArea.parameters.scheme truncated", r);
    if (p.type == kAlgRsa) {
        if (!r.get_u16be(p.rsa_key_bits)) return bad("pubArea.parameters.keyBits truncated", r);
        if (!r.get_u32be(p.rsa_exponent)) return bad("pubArea.parameters.exponent truncated", r);
        if (!get_tpm2b(r, p.rsa_modulus)) return bad("pubArea.unique (RSA modulus) truncated", r);
        if (p.rsa_modulus.empty()) return bad("pubArea.unique (RSA modulus) is empty", r);
    } else {
        if (!r.get_u16be(p.ecc_curve)) return bad("pubArea.parameters.curveID truncated", r);
        if (!get_scheme(r, p.ecc_kdf)) return bad("pubArea.parameters.kdf truncated", r);
        if (!get_tpm2b(r, p.ecc_x)) return bad("pubArea.unique.x truncated", r);
        if (!get_tpm2b(r, p.ecc_y)) return bad("pubArea.unique.y truncated", r);
        if (p.ecc_x.empty() || p.ecc_y.empty()) return bad("pubArea.unique point is empty", r);
    }
    if (!r.empty()) return bad("trailing bytes after pubArea", r);
    return p;
}

}  // namespace mfa::att::tpm

// Format tpm (§8.3): pubArea must be the credential key, certInfo must certify that key's name and
// carry hash(authData || clientDataHash), the AIK certificate signs certInfo and meets §8.3.1.
#include <algorithm>
#include <cctype>

#include <openssl/x509v3.h>

#include "formats.hpp"
#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "tpm.hpp"

namespace mfa::att {
namespace {

constexpr std::int64_t kRS1 = -65535;

bool equal(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// Strips leading zero bytes so big-endian integers compare by value.
ByteView strip(ByteView b) {
    while (!b.empty() && b[0] == 0) b = b.subspan(1);
    return b;
}

const EVP_MD* tpm_hash(std::uint16_t alg) {
    switch (alg) {
        case tpm::kAlgSha1: return EVP_sha1();
        case tpm::kAlgSha256: return EVP_sha256();
        case tpm::kAlgSha384: return EVP_sha384();
        case tpm::kAlgSha512: return EVP_sha512();
        default: return nullptr;
    }
}

Status check_pub_area_matches(const tpm::Public& pub, EVP_PKEY* key) {
    if (pub.type == tpm::kAlgRsa) {
        const auto rsa = rsa_components(key);
        if (!rsa) return Error(Errc::att_tpm_pubarea_mismatch, "pubArea is RSA but the credential key is not");
        if (!equal(strip(pub.rsa_modulus), strip(rsa->n)))
            return Error(Errc::att_tpm_pubarea_mismatch, "pubArea RSA modulus differs from the credential key's n");
        const std::uint32_t e = pub.rsa_exponent == 0 ? 65537u : pub.rsa_exponent;
        const std::uint8_t eb[4] = {static_cast<std::uint8_t>(e >> 24), static_cast<std::uint8_t>(e >> 16),
                                    static_cast<std::uint8_t>(e >> 8), static_cast<std::uint8_t>(e)};
        if (!equal(strip(eb), strip(rsa->e)))
            return Error(Errc::att_tpm_pubarea_mismatch, "pubArea RSA exponent differs from the credential key's e");
        return {};
    }
    const auto ec = ec_components(key);
    if (!ec) return Error(Errc::att_tpm_pubarea_mismatch, "pubArea is ECC but the credential key is not");
    const char* want = pub.ecc_curve == tpm::kEccNistP256   ? "prime256v1"
                       : pub.ecc_curve == tpm::kEccNistP384 ? "secp384r1"
                       : pub.ecc_curve == tpm::kEccNistP521 ? "secp521r1"
                                                            : nullptr;
    if (want == nullptr) return Error(Errc::att_tpm_pubarea_mismatch, "pubArea curveID " + std::to_string(pub.ecc_curve) + " is not supported");
    if (ec->curve != want) return Error(Errc::att_tpm_pubarea_mismatch, "pubArea curve differs from the credential key's");
    if (!equal(strip(pub.ecc_x), strip(ec->x)) || !equal(strip(pub.ecc_y), strip(ec->y)))
        return Error(Errc::att_tpm_pubarea_mismatch, "pubArea point differs from the credential key");
    return {};
}

// The TPM attributes in the AIK certificate's subjectAltName directoryName (TCG EK profile 3.2.9).
Status check_tpm_san(X509* cert) {
    int crit = 0;
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, nullptr));
    if (names == nullptr) return Error(Errc::att_tpm_aik_certificate, "AIK certificate has no subjectAltName");
    std::string manufacturer, model, version;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type != GEN_DIRNAME) continue;
        X509_NAME* dn = gn->d.directoryName;
        for (int j = 0; j < X509_NAME_entry_count(dn); ++j) {
            X509_NAME_ENTRY* e = X509_NAME_get_entry(dn, j);
            char oid[64];
            OBJ_obj2txt(oid, sizeof oid, X509_NAME_ENTRY_get_object(e), 1);
            const ASN1_STRING* d = X509_NAME_ENTRY_get_data(e);
            std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(d)), static_cast<std::size_t>(ASN1_STRING_length(d)));
            const std::string_view o(oid);
            if (o == "2.23.133.2.1") manufacturer = value;
            else if (o == "2.23.133.2.2") model = value;
            else if (o == "2.23.133.2.3") version = value;
        }
    }
    GENERAL_NAMES_free(names);
    // "id:" followed by the 4-byte TCG vendor id in hex (the FIDO conformance tool uses FFFFF1D0).
    const bool id_ok = manufacturer.size() == 11 && manufacturer.rfind("id:", 0) == 0 &&
                       std::all_of(manufacturer.begin() + 3, manufacturer.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; });
    if (!id_ok) return Error(Errc::att_tpm_aik_certificate, "subjectAltName TPM manufacturer (2.23.133.2.1) missing or not \"id:XXXXXXXX\"");
    if (model.empty()) return Error(Errc::att_tpm_aik_certificate, "subjectAltName TPM model (2.23.133.2.2) missing");
    if (version.empty()) return Error(Errc::att_tpm_aik_certificate, "subjectAltName TPM version (2.23.133.2.3) missing");
    return {};
}

Status check_aik_certificate(X509* cert, ByteView aaguid) {
    if (X509_get_version(cert) != X509_VERSION_3) return Error(Errc::att_tpm_aik_certificate, "AIK certificate is not version 3");
    if (X509_NAME_entry_count(X509_get_subject_name(cert)) != 0)
        return Error(Errc::att_tpm_aik_certificate, "AIK certificate subject is not empty");
    MFA_TRY(check_tpm_san(cert));
    if (!has_eku(cert, "2.23.133.8.3"))
        return Error(Errc::att_tpm_aik_certificate, "AIK certificate lacks the EKU tcg-kp-AIKCertificate (2.23.133.8.3)");
    if (is_ca(cert)) return Error(Errc::att_tpm_aik_certificate, "AIK certificate has CA=true");
    return check_aaguid_extension(cert, aaguid);
}

}  // namespace

Result<FormatOutcome> verify_tpm(const Statement& st, const Subject& s, const Policy& policy) {
    if (st.ecdaa_key_id) return Error(Errc::att_statement_invalid, "tpm: ecdaaKeyId (ECDAA) is not supported");
    if (!st.ver || *st.ver != "2.0") return Error(Errc::att_statement_invalid, "tpm: ver must be \"2.0\"");
    if (!st.alg) return Error(Errc::att_statement_invalid, "tpm: alg is missing");
    if (!st.sig) return Error(Errc::att_statement_invalid, "tpm: sig is missing");
    if (!st.x5c) return Error(Errc::att_statement_invalid, "tpm: x5c is missing");
    if (!st.pub_area) return Error(Errc::att_statement_invalid, "tpm: pubArea is missing");
    if (!st.cert_info) return Error(Errc::att_statement_invalid, "tpm: certInfo is missing");
    if (*st.alg == kRS1 && !policy.allow_rs1_tpm)
        return Error(Errc::att_sha1_rejected, "tpm: statement signed with RS1 (SHA-1); AttestationPolicy::allow_rs1_tpm is off");
    const EVP_MD* alg_hash = cose_alg_digest(*st.alg);
    if (alg_hash == nullptr) return Error(Errc::att_algorithm, "tpm: alg " + std::to_string(*st.alg) + " is not supported");

    auto pub = tpm::parse_public(*st.pub_area);
    if (!pub) return std::move(pub).error();
    MFA_TRY(check_pub_area_matches(*pub, s.credential_key));

    auto attest = tpm::parse_attest(*st.cert_info);
    if (!attest) return std::move(attest).error();
    if (attest->magic != tpm::kGeneratedValue) return Error(Errc::att_tpm_certinfo, "certInfo.magic is not TPM_GENERATED_VALUE");
    const Bytes expected_extra = digest(alg_hash, s.raw_auth_data, s.client_data_hash);
    if (!ct_equal(attest->extra_data, expected_extra))
        return Error(Errc::att_tpm_certinfo, "certInfo.extraData is not the " + alg_name(*st.alg) + " hash of authData || clientDataHash");
    const EVP_MD* name_hash = tpm_hash(pub->name_alg);
    if (name_hash == nullptr) return Error(Errc::att_tpm_structure, "pubArea.nameAlg " + std::to_string(pub->name_alg) + " is not a supported hash");
    Bytes name{static_cast<std::uint8_t>(pub->name_alg >> 8), static_cast<std::uint8_t>(pub->name_alg)};
    const Bytes h = digest(name_hash, *st.pub_area);
    name.insert(name.end(), h.begin(), h.end());
    if (!equal(attest->attested_name, name))
        return Error(Errc::att_tpm_certinfo, "certInfo.attested.name is not the name of pubArea");

    auto certs = parse_x5c(*st.x5c);
    if (!certs) return std::move(certs).error();
    X509* aik = (*certs)[0].get();
    MFA_TRY(verify_signature(X509_get0_pubkey(aik), *st.alg, *st.cert_info, *st.sig, "tpm certInfo signature"));
    MFA_TRY(check_aik_certificate(aik, s.aaguid));
    return FormatOutcome{webauthn::AttestationType::attca, std::move(*certs)};
}

}  // namespace mfa::att

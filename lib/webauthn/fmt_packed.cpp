// Formats none (§8.7), packed (§8.2) and fido-u2f (§8.6).
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "formats.hpp"

namespace mfa::att {
namespace {

constexpr std::int64_t kRS1 = -65535;

// The value of the first entry with this NID in the subject, as UTF-8 ("" when absent).
std::optional<std::string> subject_field(X509* cert, int nid) {
    X509_NAME* name = X509_get_subject_name(cert);
    const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0) return std::nullopt;
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n < 0) return std::nullopt;
    std::string s(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return s;
}

}  // namespace

Bytes signed_data(const Subject& s) {
    Bytes out(s.raw_auth_data.begin(), s.raw_auth_data.end());
    out.insert(out.end(), s.client_data_hash.begin(), s.client_data_hash.end());
    return out;
}

Status check_packed_subject(X509* cert) {
    const auto c = subject_field(cert, NID_countryName);
    if (!c || c->size() != 2) return Error(Errc::att_certificate_invalid, "subject C is missing or not a two-letter country code");
    const auto o = subject_field(cert, NID_organizationName);
    if (!o || o->empty()) return Error(Errc::att_certificate_invalid, "subject O is missing");
    const auto ou = subject_field(cert, NID_organizationalUnitName);
    if (!ou || *ou != "Authenticator Attestation")
        return Error(Errc::att_certificate_invalid, "subject OU is not \"Authenticator Attestation\"");
    const auto cn = subject_field(cert, NID_commonName);
    if (!cn || cn->empty()) return Error(Errc::att_certificate_invalid, "subject CN is missing");
    return {};
}

Result<FormatOutcome> verify_none(const Statement& st, const Subject&, const Policy&) {
    if (st.member_count != 0) return Error(Errc::att_statement_invalid, "none: attStmt must be an empty map");
    return FormatOutcome{webauthn::AttestationType::none, {}};
}

Result<FormatOutcome> verify_packed(const Statement& st, const Subject& s, const Policy&) {
    if (st.ecdaa_key_id) return Error(Errc::att_statement_invalid, "packed: ecdaaKeyId (ECDAA) is not supported");
    if (!st.alg) return Error(Errc::att_statement_invalid, "packed: alg is missing");
    if (!st.sig) return Error(Errc::att_statement_invalid, "packed: sig is missing");
    if (*st.alg == kRS1) return Error(Errc::att_sha1_rejected, "packed: RS1 (SHA-1) signatures are refused");
    const Bytes data = signed_data(s);
    if (!st.x5c) {
        // Self attestation: the credential key signs, and alg must be the credential's own.
        if (*st.alg != s.credential_alg)
            return Error(Errc::att_algorithm, "packed self attestation: alg " + std::to_string(*st.alg) +
                                                  " differs from the credential key's alg " + std::to_string(s.credential_alg));
        MFA_TRY(verify_signature(s.credential_key, *st.alg, data, *st.sig, "packed self-attestation signature"));
        return FormatOutcome{webauthn::AttestationType::self, {}};
    }
    auto certs = parse_x5c(*st.x5c);
    if (!certs) return std::move(certs).error();
    X509* leaf = (*certs)[0].get();
    MFA_TRY(verify_signature(X509_get0_pubkey(leaf), *st.alg, data, *st.sig, "packed attestation signature"));
    // §8.2.1 attestation certificate requirements.
    if (X509_get_version(leaf) != X509_VERSION_3) return Error(Errc::att_certificate_invalid, "packed: certificate is not version 3");
    MFA_TRY(check_packed_subject(leaf));
    if (is_ca(leaf)) return Error(Errc::att_certificate_invalid, "packed: attestation certificate has CA=true");
    MFA_TRY(check_aaguid_extension(leaf, s.aaguid));
    return FormatOutcome{webauthn::AttestationType::basic, std::move(*certs)};
}

Result<FormatOutcome> verify_fido_u2f(const Statement& st, const Subject& s, const Policy&) {
    if (!st.sig) return Error(Errc::att_statement_invalid, "fido-u2f: sig is missing");
    if (!st.x5c) return Error(Errc::att_statement_invalid, "fido-u2f: x5c is missing");
    if (st.x5c->size() != 1) return Error(Errc::att_statement_invalid, "fido-u2f: x5c must hold exactly one certificate");
    auto certs = parse_x5c(*st.x5c);
    if (!certs) return std::move(certs).error();
    X509* leaf = (*certs)[0].get();
    if (!check_key_fits_alg(X509_get0_pubkey(leaf), -7))
        return Error(Errc::att_certificate_invalid, "fido-u2f: attestation certificate key is not EC P-256");
    const auto ec = ec_components(s.credential_key);
    if (!ec || ec->curve != "prime256v1")
        return Error(Errc::att_algorithm, "fido-u2f: the credential key is not EC2 P-256");
    // verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || 0x04 || x || y
    Bytes v;
    v.push_back(0x00);
    v.insert(v.end(), s.rp_id_hash.begin(), s.rp_id_hash.end());
    v.insert(v.end(), s.client_data_hash.begin(), s.client_data_hash.end());
    v.insert(v.end(), s.credential_id.begin(), s.credential_id.end());
    v.push_back(0x04);
    v.insert(v.end(), ec->x.begin(), ec->x.end());
    v.insert(v.end(), ec->y.begin(), ec->y.end());
    MFA_TRY(verify_signature(X509_get0_pubkey(leaf), -7, v, *st.sig, "fido-u2f attestation signature"));
    return FormatOutcome{webauthn::AttestationType::basic, std::move(*certs)};
}

}  // namespace mfa::att

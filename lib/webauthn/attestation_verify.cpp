// verify_attestation: read attStmt, run the format's procedure, then assess trust (anchors + MDS).
#include <algorithm>

#include <openssl/x509.h>

#include "formats.hpp"
#include "mfa/cose.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/attestation.hpp"

namespace mfa::webauthn {
namespace {

using att::FormatOutcome;
using att::Statement;
using att::Subject;

// A known attStmt member with the wrong CBOR type is att_statement_invalid naming it.
Error wrong_type(std::string_view fmt, std::string_view key, std::string_view want) {
    return Error(Errc::att_statement_invalid, std::string(fmt) + ": attStmt." + std::string(key) + " is not " + std::string(want));
}

Result<Statement> read_statement(std::string_view fmt, const cbor::Value& att_stmt) {
    if (!att_stmt.is_map()) return Error(Errc::att_statement_invalid, std::string(fmt) + ": attStmt is not a map");
    Statement st;
    st.member_count = att_stmt.size();
    for (const auto& [key, value] : att_stmt.map_entries()) {
        if (key.type() != cbor::Type::text) return Error(Errc::att_statement_invalid, std::string(fmt) + ": attStmt has a non-text key");
        auto name = key.as_text();
        if (!name) return Error(Errc::att_statement_invalid, std::string(fmt) + ": attStmt key");
        const std::string_view k = *name;
        if (k == "alg") {
            auto v = value.as_int();
            if (!v) return wrong_type(fmt, k, "an integer");
            st.alg = *v;
        } else if (k == "sig" || k == "pubArea" || k == "certInfo" || k == "response") {
            auto v = value.as_bytes();
            if (!v) return wrong_type(fmt, k, "a byte string");
            (k == "sig" ? st.sig : k == "pubArea" ? st.pub_area : k == "certInfo" ? st.cert_info : st.response) = *v;
        } else if (k == "ver") {
            auto v = value.as_text();
            if (!v) return wrong_type(fmt, k, "a text string");
            st.ver = *v;
        } else if (k == "x5c") {
            auto arr = value.as_array();
            if (!arr) return wrong_type(fmt, k, "an array");
            std::vector<ByteView> certs;
            for (const auto& c : **arr) {
                auto b = c.as_bytes();
                if (!b) return wrong_type(fmt, k, "an array of byte strings");
                certs.push_back(*b);
            }
            st.x5c = std::move(certs);
        } else if (k == "ecdaaKeyId") {
            st.ecdaa_key_id = true;
        }
        // Other members are not part of any format's syntax and are ignored.
    }
    return st;
}

using Procedure = Result<FormatOutcome> (*)(const Statement&, const Subject&, const att::Policy&);

Procedure procedure_for(std::string_view fmt) {
    if (fmt == "none") return att::verify_none;
    if (fmt == "packed") return att::verify_packed;
    if (fmt == "fido-u2f") return att::verify_fido_u2f;
    if (fmt == "tpm") return att::verify_tpm;
    if (fmt == "android-key") return att::verify_android_key;
    if (fmt == "android-safetynet") return att::verify_android_safetynet;
    if (fmt == "apple") return att::verify_apple;
    return nullptr;
}

// The MDS entries that speak for this attestation. The attestation certificate's key identifier is
// covered by the signature in every format, so its entry always counts. The AAGUID is not: fido-u2f
// does not sign it at all (it is never looked up there), and a certificate without the AAGUID
// extension does not bind it, so an AAGUID entry can add a status but never hide one the key's
// entry reports.
struct Metadata {
    const MdsEntry* by_aaguid = nullptr;
    const MdsEntry* by_key = nullptr;
    // The entry reported and whose roots count: the AAGUID's when there is one, else the key's.
    const MdsEntry* primary() const { return by_aaguid != nullptr ? by_aaguid : by_key; }
};

Metadata find_metadata(const MdsBlob* mds, std::string_view fmt, ByteView aaguid, const std::vector<att::X509Ptr>& path) {
    Metadata out;
    if (mds == nullptr) return out;
    const bool zero = std::all_of(aaguid.begin(), aaguid.end(), [](std::uint8_t b) { return b == 0; });
    if (fmt != "fido-u2f" && !zero) out.by_aaguid = mds->find_by_aaguid(aaguid);
    if (path.empty()) return out;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_pubkey_digest(path[0].get(), EVP_sha1(), md, &n) == 1)
        out.by_key = mds->find_by_key_identifier(hex_encode(ByteView(md, n)));
    return out;
}

}  // namespace

Result<AttestationResult> verify_attestation(std::string_view fmt, const cbor::Value& att_stmt,
                                             const AuthenticatorData& auth_data, ByteView raw_auth_data,
                                             ByteView client_data_hash, const TrustAnchors& anchors,
                                             const AttestationPolicy& policy) {
    const Procedure procedure = procedure_for(fmt);
    if (procedure == nullptr) return Error(Errc::att_format_unsupported, "attestation format \"" + std::string(fmt) + "\"");
    if (!auth_data.attested) return Error(Errc::invalid_argument, "authenticator data carries no attested credential data");
    if (client_data_hash.size() != 32) return Error(Errc::invalid_argument, "clientDataHash must be 32 bytes");
    auto key = cose::parse_key(auth_data.attested->public_key);
    if (!key) return std::move(key).error();

    auto st = read_statement(fmt, att_stmt);
    if (!st) return std::move(st).error();
    Subject subject;
    subject.raw_auth_data = raw_auth_data;
    subject.client_data_hash = client_data_hash;
    subject.rp_id_hash = auth_data.rp_id_hash;
    subject.aaguid = auth_data.attested->aaguid;
    subject.credential_id = auth_data.attested->credential_id;
    subject.credential_key = key->pkey.get();
    subject.credential_alg = static_cast<std::int64_t>(key->alg);
    auto outcome = procedure(*st, subject, policy);
    if (!outcome) return std::move(outcome).error();

    AttestationResult result;
    result.fmt = std::string(fmt);
    result.type = outcome->type;
    result.aaguid = auth_data.attested->aaguid;
    for (const auto& c : outcome->path) result.trust_path.push_back(att::certificate_der(c.get()));

    const Metadata found = find_metadata(anchors.mds(), fmt, subject.aaguid, outcome->path);
    const MdsEntry* entry = found.primary();
    if (entry != nullptr) result.metadata = *entry;
    const std::time_t now = att::effective_time(policy.verification_time);

    if (outcome->path.empty()) {
        result.trust_detail = outcome->type == AttestationType::none ? "no attestation (fmt none)"
                                                                     : "self attestation carries no certificate";
    } else {
        std::vector<Bytes> roots = anchors.roots_for(fmt);
        if (entry != nullptr)
            roots.insert(roots.end(), entry->attestation_root_certificates.begin(), entry->attestation_root_certificates.end());
        if (roots.empty()) {
            // Nothing to chain to; the statement's certificates must still be valid at that time.
            for (std::size_t i = 0; i < outcome->path.size(); ++i)
                MFA_TRY(att::check_validity(outcome->path[i].get(), now, "x5c[" + std::to_string(i) + "]"));
        }
        auto path = att::validate_path(outcome->path, roots, now, policy.reject_sha1_certificates);
        if (!path) return std::move(path).error();
        result.trusted = path->trusted;
        result.trust_anchor = path->anchor;
        result.trust_detail = path->detail;
    }
    std::string why;
    if (found.by_key != nullptr && found.by_key->compromised())
        why = "FIDO MDS status " + found.by_key->compromise_status() + " for this attestation certificate's key";
    else if (found.by_aaguid != nullptr && found.by_aaguid->compromised())
        why = "FIDO MDS status " + found.by_aaguid->compromise_status() + " for this authenticator (AAGUID)";
    if (!why.empty()) {
        if (policy.reject_mds_compromised) return Error(Errc::mds_authenticator_revoked, why);
        result.trusted = false;
        result.trust_anchor.clear();
        result.trust_detail = why;
    }
    if (policy.require_trusted && !result.trusted) return Error(Errc::att_untrusted, result.trust_detail);
    return result;
}

Result<AttestationResult> verify_attestation(const AttestationObject& object, ByteView client_data_hash,
                                             const TrustAnchors& anchors, const AttestationPolicy& policy) {
    return verify_attestation(object.fmt, object.att_stmt, object.auth_data, object.auth_data_raw, client_data_hash,
                              anchors, policy);
}

}  // namespace mfa::webauthn

// Format apple (§8.8): Apple's anonymization CA puts SHA-256(authData || clientDataHash) in the
// credential certificate's extension 1.2.840.113635.100.8.2, and certifies the credential key.
#include "der.hpp"
#include "formats.hpp"
#include "mfa/ct.hpp"

namespace mfa::att {

inline constexpr const char* kAppleNonceOid = "1.2.840.113635.100.8.2";

// SEQUENCE { [1] EXPLICIT OCTET STRING nonce }
Result<ByteView> parse_apple_nonce(ByteView value) {
    Reader r(value);
    ByteView seq, tagged, nonce;
    if (!der::read_expected(r, der::Class::universal, true, der::kSequence, seq) || !r.empty())
        return Error(Errc::att_certificate_invalid, "Apple nonce extension is not a SEQUENCE");
    Reader s(seq);
    if (!der::read_expected(s, der::Class::context, true, 1, tagged) || !s.empty())
        return Error(Errc::att_certificate_invalid, "Apple nonce extension lacks the [1] member");
    Reader t(tagged);
    if (!der::read_expected(t, der::Class::universal, false, der::kOctetString, nonce) || !t.empty())
        return Error(Errc::att_certificate_invalid, "Apple nonce is not an OCTET STRING");
    return nonce;
}

Result<FormatOutcome> verify_apple(const Statement& st, const Subject& s, const Policy&) {
    if (!st.x5c) return Error(Errc::att_statement_invalid, "apple: x5c is missing");
    auto certs = parse_x5c(*st.x5c);
    if (!certs) return std::move(certs).error();
    X509* leaf = (*certs)[0].get();
    auto ext = find_extension(leaf, kAppleNonceOid);
    if (!ext) return std::move(ext).error();
    if (!ext->has_value()) return Error(Errc::att_apple_nonce, "credential certificate has no nonce extension (1.2.840.113635.100.8.2)");
    // The extension value is copied into the optional; parse it in place.
    const Bytes& value = (*ext)->value;
    auto nonce = parse_apple_nonce(value);
    if (!nonce) return std::move(nonce).error();
    const Bytes expected = digest(EVP_sha256(), s.raw_auth_data, s.client_data_hash);
    if (!ct_equal(*nonce, expected)) return Error(Errc::att_apple_nonce, "nonce is not SHA-256(authData || clientDataHash)");
    if (!same_public_key(X509_get0_pubkey(leaf), s.credential_key))
        return Error(Errc::att_public_key_mismatch, "apple: certificate public key differs from the credential key");
    return FormatOutcome{webauthn::AttestationType::anonca, std::move(*certs)};
}

}  // namespace mfa::att

// OpenSSL X.509 helpers for attestation: owning pointers, certificate field checks, trust-path
// validation at a chosen time, and signature verification by COSE algorithm. Internal.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::att {

struct X509Free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct PkeyFree { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Limits on what an attestation may carry (stated in docs/webauthn-attestation.md).
inline constexpr std::size_t kMaxCertificateSize = 16 * 1024;
inline constexpr std::size_t kMaxChainLength = 8;

// Parses exactly one DER certificate (no trailing bytes). `what` names it in the error detail.
Result<X509Ptr> parse_certificate(ByteView der, std::string_view what);
// Parses an x5c array (leaf first); at least one and at most kMaxChainLength certificates.
Result<std::vector<X509Ptr>> parse_x5c(const std::vector<ByteView>& x5c);
// The DER certificates in a PEM text: one or more "-----BEGIN CERTIFICATE-----" blocks (text around
// them is ignored). invalid_argument when a block does not decode or there is none; at most 1 MiB.
Result<std::vector<Bytes>> pem_certificates(std::string_view pem);
// DER encoding of a certificate.
Bytes certificate_der(X509* cert);
// RFC 2253 one-line subject ("CN=...,O=...").
std::string subject_string(X509* cert);

struct Extension {
    bool critical = false;
    Bytes value;  // the extnValue contents (the DER inside the OCTET STRING)
};
// The extension with this dotted OID, nullopt when absent, an error when it appears twice.
Result<std::optional<Extension>> find_extension(X509* cert, const char* oid);

// The FIDO AAGUID extension (1.3.6.1.4.1.45724.1.1.4): when present it must be non-critical and hold
// an OCTET STRING equal to `aaguid` (Errc::att_aaguid_mismatch); a malformed value is
// att_certificate_invalid.
Status check_aaguid_extension(X509* cert, ByteView aaguid);

// Basic constraints CA flag (false when the extension is absent).
bool is_ca(X509* cert);
// Has the extended key usage with this dotted OID.
bool has_eku(X509* cert, const char* oid);

// The certificate's notBefore <= now <= notAfter (att_certificate_invalid naming `what` otherwise).
Status check_validity(X509* cert, std::time_t now, std::string_view what);

// Does the signature on `cert` use SHA-1?
bool signed_with_sha1(X509* cert);

// The outcome of validating a trust path.
struct PathResult {
    bool trusted = false;       // chained to one of the anchors
    std::string anchor;         // subject of that anchor
    std::string detail;         // why not, when untrusted
};

// Validates x5c (leaf first) against `anchors` (DER) at `now`, with partial chains allowed so an
// intermediate can be configured as an anchor. No anchors: untrusted, not an error. A certificate
// that is expired, badly signed or otherwise invalid on the path: att_certificate_invalid. No path to
// any anchor: untrusted (detail says why). `reject_sha1` refuses SHA-1 signatures on the path
// below the anchor (att_sha1_rejected).
Result<PathResult> validate_path(const std::vector<X509Ptr>& x5c, const std::vector<Bytes>& anchors,
                                 std::time_t now, bool reject_sha1);

// Verifies `sig` over `data` with `key`, using COSE algorithm `alg` (ES256/384/512 with DER
// signatures, EdDSA (Ed25519), RS256/384/512, PS256/384/512 with salt = hash length, RS1). The key
// type (and curve) must fit the algorithm (att_algorithm); a bad signature is att_signature_invalid.
Status verify_signature(EVP_PKEY* key, std::int64_t alg, ByteView data, ByteView sig, std::string_view what);
// Does the key type fit COSE algorithm `alg`? (detail says what is wrong)
Status check_key_fits_alg(EVP_PKEY* key, std::int64_t alg);
// The digest a COSE algorithm signs with (nullptr for EdDSA or unknown).
const EVP_MD* cose_alg_digest(std::int64_t alg);

// SHA-256 / any digest, for the statement checks.
Bytes digest(const EVP_MD* md, ByteView a, ByteView b = {});

// Equal public keys (same type and parameters).
bool same_public_key(EVP_PKEY* a, EVP_PKEY* b);

// The current time, or the policy's verification time.
std::time_t effective_time(const std::optional<std::int64_t>& t);

// "alg -7", "RS1" ... for messages.
std::string alg_name(std::int64_t alg);

}  // namespace mfa::att

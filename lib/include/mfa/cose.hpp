// COSE keys (RFC 9052 §7, RFC 9053, RFC 8230) and signature verification for WebAuthn.
//
// parse_key turns a COSE_Key into an OpenSSL EVP_PKEY after strict checks: every required label
// present with the right type and length, no label that does not belong to the key type (a private
// component is an error), the curve and the algorithm consistent with each other, EC points on
// their curve, RSA moduli of 2048..8192 bits. encode_key does the reverse for keys we generate.
// verify_signature checks a signature under one algorithm and refuses a key that does not fit it.
// docs/cbor-cose.md has the tables.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include <openssl/types.h>

#include "mfa/bytes.hpp"
#include "mfa/cbor.hpp"
#include "mfa/error.hpp"

namespace mfa::cose {

// COSE algorithm identifiers (IANA "COSE Algorithms").
enum class Alg : std::int64_t {
    ES256 = -7,       // ECDSA P-256 SHA-256
    ES384 = -35,      // ECDSA P-384 SHA-384
    ES512 = -36,      // ECDSA P-521 SHA-512
    EdDSA = -8,       // Ed25519 (Ed448 is not supported)
    RS256 = -257,     // RSASSA-PKCS1-v1_5 SHA-256
    RS384 = -258,
    RS512 = -259,
    PS256 = -37,      // RSASSA-PSS SHA-256, MGF1 SHA-256, salt length 32 (RFC 8230)
    PS384 = -38,
    PS512 = -39,
    RS1 = -65535,     // RSASSA-PKCS1-v1_5 SHA-1: legacy TPM attestation only, off unless allowed
    // Key agreement, not signing: the CTAP2 PIN protocol's platform/authenticator key (EC2 P-256).
    ECDH_ES_HKDF_256 = -25,
};

enum class KeyType : std::int64_t { OKP = 1, EC2 = 2, RSA = 3 };
enum class Curve : std::int64_t { P256 = 1, P384 = 2, P521 = 3, Ed25519 = 6 };

// "ES256", "RS1" ... or "unknown".
std::string_view alg_name(Alg) noexcept;
// Whether this library implements the identifier (signature or the CTAP2 ECDH key algorithm).
[[nodiscard]] bool is_known_alg(std::int64_t alg) noexcept;

// Owns an EVP_PKEY.
struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept;
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Owns an X509 certificate.
struct X509Free {
    void operator()(X509* p) const noexcept;
};
using Certificate = std::unique_ptr<X509, X509Free>;

// A parsed COSE public key.
struct PublicKey {
    KeyType kty{};
    Alg alg{};
    std::optional<Curve> crv;  // for EC2 and OKP
    Pkey pkey;
};

// Parses a COSE_Key map. Required: kty (1), alg (3) (WebAuthn credential keys always carry it) and
// per kty: EC2 crv (-1), x (-2), y (-3) as uncompressed coordinates of the curve's size; OKP crv
// (-1) Ed25519 and x (-2) of 32 bytes; RSA n (-1), e (-2) without leading zero bytes. Optional:
// kid (2, bytes). Anything else (key_ops, private parts, unknown labels) is cose_key_invalid.
Result<PublicKey> parse_key(const cbor::Value& cose_key);
// Decodes the bytes (strict canonical CBOR, nothing after the map) and parses them.
Result<PublicKey> decode_key(ByteView cose_key);
// With other decoder options: keys stored by other libraries are not always canonical (go-webauthn
// re-encodes labels as 3, -1, -2, -3, 1); canonical = false accepts those, duplicates still fail.
Result<PublicKey> decode_key(ByteView cose_key, const cbor::DecodeOptions& opts);

// Encodes a public key as a canonical COSE_Key with the given algorithm (EC2 P-256/384/521,
// Ed25519, RSA). cose_alg_mismatch when the algorithm does not fit the key.
Result<cbor::Value> key_to_cbor(const EVP_PKEY* pkey, Alg alg);
Result<Bytes> encode_key(const EVP_PKEY* pkey, Alg alg);

// How an ECDSA signature is laid out.
enum class EcdsaFormat {
    der,  // ASN.1 DER Ecdsa-Sig-Value: WebAuthn assertions and attestation statements
    raw,  // r || s, each the size of the curve order (COSE_Sign1, RFC 9053 §2.1)
};

struct VerifyOptions {
    EcdsaFormat ecdsa_format = EcdsaFormat::der;
    // RS1 (SHA-1) is refused with cose_alg_disabled unless this is set; only legacy Windows Hello
    // TPM attestation statements need it.
    bool allow_rs1 = false;
};

// Verifies sig over data with pkey under alg. The key must fit the algorithm (ES256 needs a P-256
// key, EdDSA an Ed25519 key, RS*/PS* an RSA key of 2048..8192 bits): cose_alg_mismatch otherwise.
// Errors: cose_signature_invalid (it does not verify), cose_signature_format (not DER / wrong
// length), cose_alg_disabled, cose_unsupported_alg.
Status verify_signature(Alg alg, const EVP_PKEY* pkey, ByteView data, ByteView sig,
                        const VerifyOptions& opts = {});
// The raw identifier, as read from a COSE key or an attestation statement.
Status verify_signature(std::int64_t alg, const EVP_PKEY* pkey, ByteView data, ByteView sig,
                        const VerifyOptions& opts = {});

// Parses one DER X.509 certificate (nothing may follow it): cose_key_invalid on failure.
Result<Certificate> parse_certificate(ByteView der);
// Verifies with the certificate's subject public key (attestation statements: alg + x5c[0]).
Status verify_with_certificate(Alg alg, const X509* cert, ByteView data, ByteView sig,
                               const VerifyOptions& opts = {});
Status verify_with_certificate(std::int64_t alg, ByteView cert_der, ByteView data, ByteView sig,
                               const VerifyOptions& opts = {});

}  // namespace mfa::cose

// The per-format verification procedures of WebAuthn §8, over a typed view of attStmt. Each returns
// the attestation type and the certificates to validate; trust is assessed afterwards (verify.cpp).
// Internal.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/webauthn/attestation_policy.hpp"
#include "x509.hpp"

namespace mfa::att {

// attStmt members this library knows, type-checked; absent members are nullopt.
struct Statement {
    std::optional<std::int64_t> alg;
    std::optional<ByteView> sig;
    std::optional<std::vector<ByteView>> x5c;
    std::optional<std::string_view> ver;
    std::optional<ByteView> pub_area;
    std::optional<ByteView> cert_info;
    std::optional<ByteView> response;
    bool ecdaa_key_id = false;  // present (ECDAA was removed from WebAuthn; refused)
    std::size_t member_count = 0;
};

// What the statement is about.
struct Subject {
    ByteView raw_auth_data;
    ByteView client_data_hash;
    ByteView rp_id_hash;
    ByteView aaguid;
    ByteView credential_id;
    EVP_PKEY* credential_key = nullptr;
    std::int64_t credential_alg = 0;
};

struct FormatOutcome {
    webauthn::AttestationType type = webauthn::AttestationType::none;
    std::vector<X509Ptr> path;  // leaf first; empty for none / self
};

using Policy = webauthn::AttestationPolicy;

Result<FormatOutcome> verify_none(const Statement&, const Subject&, const Policy&);
Result<FormatOutcome> verify_packed(const Statement&, const Subject&, const Policy&);
Result<FormatOutcome> verify_fido_u2f(const Statement&, const Subject&, const Policy&);
Result<FormatOutcome> verify_tpm(const Statement&, const Subject&, const Policy&);
Result<FormatOutcome> verify_android_key(const Statement&, const Subject&, const Policy&);
Result<FormatOutcome> verify_android_safetynet(const Statement&, const Subject&, const Policy&);
Result<FormatOutcome> verify_apple(const Statement&, const Subject&, const Policy&);

// authData || clientDataHash, the data most formats sign.
Bytes signed_data(const Subject& s);

// A certificate's subject has the packed-format fields (§8.2.1): C (two letters), O, OU =
// "Authenticator Attestation", CN.
Status check_packed_subject(X509* cert);

// The public key's big-endian components (for TPM and U2F comparisons).
struct RsaComponents { Bytes n, e; };
struct EcComponents { std::string curve; Bytes x, y; };  // x, y padded to the field size
std::optional<RsaComponents> rsa_components(EVP_PKEY* key);
std::optional<EcComponents> ec_components(EVP_PKEY* key);

}  // namespace mfa::att

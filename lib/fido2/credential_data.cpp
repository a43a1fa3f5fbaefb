// What GetInfo, a credential and an assertion say, read without libfido2: an option of GetInfo,
// the attestation object, and an assertion's signature checked against a COSE key. Built with and without the fido2 feature (the
// C ABI and the app verify a soft token's output either way).
#include <openssl/evp.h>

#include <cstring>

#include "mfa/cbor.hpp"
#include "mfa/cose.hpp"
#include "mfa/fido2.hpp"

namespace mfa::fido2 {

std::optional<bool> Info::option(std::string_view name) const {
    for (const auto& [k, v] : options)
        if (k == name) return v;
    return std::nullopt;
}

Result<Bytes> Credential::attestation_object() const {
    cbor::DecodeOptions lenient;
    auto stmt = attestation_statement.empty() ? Result<cbor::Value>(cbor::Value(cbor::Map{}))
                                              : cbor::decode(attestation_statement, lenient);
    if (!stmt) return Error(Errc::fido2_bad_response, "attStmt: " + stmt.error().to_string());
    return cbor::encode(cbor::Value(cbor::Map{{"fmt", fmt}, {"attStmt", std::move(*stmt)}, {"authData", auth_data}}));
}

Status Assertion::verify(ByteView cdh, std::string_view rp_id, ByteView public_key_cose) const {
    auto decoded = cbor::decode(public_key_cose);
    if (!decoded) return std::move(decoded).error();
    auto key = cose::parse_key(*decoded);
    if (!key) return std::move(key).error();
    if (auth_data.size() < 37) return Error(Errc::fido2_bad_response, "authenticator data shorter than 37 bytes");
    const std::string rp(rp_id);
    std::uint8_t h[32];
    unsigned int n = 0;
    EVP_Digest(rp.data(), rp.size(), h, &n, EVP_sha256(), nullptr);
    if (std::memcmp(h, auth_data.data(), 32) != 0) return Error(Errc::fido2_verify_failed, "rpIdHash does not match the RP ID");
    Bytes signed_data = auth_data;
    signed_data.insert(signed_data.end(), cdh.begin(), cdh.end());
    return cose::verify_signature(key->alg, key->pkey.get(), signed_data, signature);
}

}  // namespace mfa::fido2

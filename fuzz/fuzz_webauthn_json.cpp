// Registration and authentication response JSON from an untrusted client. The first byte picks the
// ceremony; the rest is the JSON. Whatever parses is verified with the challenge and origin taken
// from its own clientDataJSON, so the fuzzer reaches the authenticator-data, attestation-object,
// COSE and signature code behind the JSON layer.
#include <cstdint>
#include <string_view>

#include "mfa/encoding.hpp"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/client_data.hpp"
#include "mfa/webauthn/registration.hpp"

namespace {

mfa::webauthn::RpConfig config_for(const mfa::Bytes& cdj, mfa::Bytes& challenge) {
    mfa::webauthn::RpConfig cfg;
    cfg.rp_id = "example.com";
    cfg.origins = {"https://example.com"};
    if (auto cd = mfa::webauthn::parse_client_data(cdj)) {
        cfg.origins.push_back(cd->origin);
        challenge = cd->challenge;
    }
    return cfg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view json(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1) {
        auto r = mfa::webauthn::parse_authentication_response(json);
        if (!r) return 0;
        mfa::Bytes challenge;
        const auto cfg = config_for(r->client_data_json, challenge);
        // A fixed P-256 record (the key of tests/vectors/webauthn) with the response's own id.
        mfa::webauthn::CredentialRecord rec;
        rec.id = r->id;
        rec.alg = -7;
        rec.public_key = *mfa::hex_decode(
            "a5010203262001215820a50ad8970f16effca4b473874fd6af803ab25358543c5df12e2e925e85729b6d225820"
            "beab24a360537d6bc093d0c4319ef3fe99060cdd16dcedd5aada997d4a237dd1");
        if (r->user_handle) rec.user_handle = *r->user_handle;
        mfa::webauthn::AuthenticationExpectation ex;
        ex.challenge = challenge;
        ex.user_handle = rec.user_handle;
        (void)mfa::webauthn::verify_authentication(cfg, *r, rec, ex);
    } else {
        auto r = mfa::webauthn::parse_registration_response(json);
        if (!r) return 0;
        mfa::Bytes challenge;
        const auto cfg = config_for(r->client_data_json, challenge);
        mfa::webauthn::RegistrationExpectation ex;
        ex.challenge = challenge;
        (void)mfa::webauthn::verify_registration(cfg, *r, ex);
    }
    return 0;
}

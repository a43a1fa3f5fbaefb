#include "mfa/webauthn/registration.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#include "digest.hpp"
#include "flags.hpp"
#include "mfa/cose.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/authdata.hpp"
#include "mfa/webauthn/client_data.hpp"

namespace mfa::webauthn {

Result<RegistrationResult> verify_registration(const RpConfig& cfg, const RegistrationResponse& resp,
                                               const RegistrationExpectation& expect) {
    MFA_TRY(cfg.validate());
    // §7.1 steps 5-11: clientDataJSON.
    auto cd = parse_client_data(resp.client_data_json);
    if (!cd) return std::move(cd).error();
    MFA_TRY(check_client_data(*cd, cfg, Ceremony::create, expect.challenge));
    // Step 12.
    auto cd_hash = detail::sha256(resp.client_data_json);
    if (!cd_hash) return std::move(cd_hash).error();
    // Step 13: CBOR-decode the attestation object (strict canonical CBOR; errors pass through).
    auto ao = parse_attestation_object(resp.attestation_object);
    if (!ao) return std::move(ao).error();
    const AuthenticatorData& ad = ao->auth_data;
    if (!ad.attested)
        return Error(Errc::webauthn_attested_credential, "authenticator data has no attested credential data");
    // Step 14.
    auto rp_hash = detail::sha256(as_bytes(cfg.rp_id));
    if (!rp_hash) return std::move(rp_hash).error();
    if (std::memcmp(ad.rp_id_hash.data(), rp_hash->data(), rp_hash->size()) != 0)
        return Error(Errc::webauthn_rp_id_hash, "authData.rpIdHash " + hex_encode(ad.rp_id_hash) +
                                                    " is not SHA-256(\"" + cfg.rp_id + "\")");
    // Steps 15-19.
    const UserVerification uv = expect.user_verification.value_or(cfg.user_verification);
    MFA_TRY(detail::check_flags(ad.flags, cfg, uv));
    // Step 20: the credential public key and its algorithm.
    auto key = cose::parse_key(ad.attested->public_key);
    if (!key) return std::move(key).error();
    const int alg = static_cast<int>(key->alg);
    if (std::find(cfg.algorithms.begin(), cfg.algorithms.end(), alg) == cfg.algorithms.end())
        return Error(Errc::webauthn_algorithm, std::string("credential algorithm ") + algorithm_name(alg) + " (" +
                                                   std::to_string(alg) + ") is not in the allowed list");
    // Step 25 (checked before the expensive attestation work).
    const Bytes& cred_id = ad.attested->credential_id;
    if (cred_id.empty() || cred_id.size() > kMaxCredentialIdLength)
        return Error(Errc::webauthn_credential_id,
                     "credential id of " + std::to_string(cred_id.size()) + " bytes (must be 1..1023)");
    // Steps 21-24: the attestation statement and its trust (the attestation module).
    AttestationPolicy policy = cfg.attestation;
    if (!policy.verification_time) policy.verification_time = cfg.now;
    auto att = verify_attestation(*ao, *cd_hash, cfg.trust_anchors, policy);
    if (!att) return std::move(att).error();
    // Step 26.
    if (expect.credential_exists && expect.credential_exists(cred_id))
        return Error(Errc::webauthn_credential_registered,
                     "credential id " + base64url_encode(cred_id).substr(0, 64) + " is already registered");
    // Step 27: the record.
    RegistrationResult out;
    CredentialRecord& r = out.record;
    r.id = cred_id;
    r.public_key = ad.attested->public_key_cbor;
    r.alg = alg;
    r.sign_count = ad.sign_count;
    r.transports = resp.transports;
    r.aaguid = ad.attested->aaguid;
    r.backup_eligible = ad.backup_eligible();
    r.backup_state = ad.backed_up();
    r.uv_initialized = ad.user_verified();
    r.user_handle = expect.user_handle;
    r.attestation.fmt = ao->fmt;
    r.attestation.type = std::string(attestation_type_name(att->type));
    r.attestation.trusted = att->trusted;
    r.created_at = cfg.now.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
    out.attestation = std::move(*att);
    out.origin = cd->origin;
    out.user_verified = ad.user_verified();
    out.discoverable = resp.extensions.cred_props_rk;
    out.authenticator_attachment = resp.authenticator_attachment;
    out.extensions = resp.extensions;
    return out;
}

Result<RegistrationResult> verify_registration(const RpConfig& cfg, std::string_view json,
                                               const RegistrationExpectation& expect) {
    auto resp = parse_registration_response(json);
    if (!resp) return std::move(resp).error();
    return verify_registration(cfg, *resp, expect);
}

}  // namespace mfa::webauthn

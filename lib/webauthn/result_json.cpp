#include "mfa/webauthn/result_json.hpp"

#include "json_strict.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/config.hpp"
#include "mfa/webauthn/record.hpp"

namespace mfa::webauthn {

using detail::Json;

std::string result_json(const RegistrationResult& r) {
    Json j = {{"credential_id", base64url_encode(r.record.id)},
              {"algorithm", algorithm_name(r.record.alg)},
              {"origin", r.origin},
              {"user_verified", r.user_verified},
              {"backup_eligible", r.record.backup_eligible},
              {"backup_state", r.record.backup_state},
              {"discoverable", r.discoverable ? Json(*r.discoverable) : Json(nullptr)},
              {"attestation_format", r.record.attestation.fmt},
              {"attestation_type", r.record.attestation.type},
              {"attestation_trusted", r.record.attestation.trusted},
              {"aaguid", aaguid_string(r.record.aaguid)}};
    if (!r.attestation.trust_anchor.empty()) j["trust_anchor"] = r.attestation.trust_anchor;
    return j.dump();
}

std::string result_json(const AuthenticationResult& r) {
    return Json{{"credential_id", base64url_encode(r.record.id)},
                {"origin", r.origin},
                {"sign_count", r.sign_count},
                {"user_verified", r.user_verified},
                {"backup_state", r.backup_state},
                {"counter_regressed", r.counter_regressed},
                {"appid_used", r.appid_used}}
        .dump();
}

}  // namespace mfa::webauthn

// What a verification checked, as JSON: the one serializer of a registration's and an
// authentication's result (`mfa webauthn verify-* --json` prints it). The C ABI hands the same
// facts over as mfa_webauthn_registration_info_t / _authentication_info_t; the credential record
// itself has its own serializer, to_json(CredentialRecord) (record.hpp).
#pragma once

#include <string>

#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/registration.hpp"

namespace mfa::webauthn {

// {"credential_id" (base64url),"algorithm" (ES256 ...),"origin","user_verified","backup_eligible",
//  "backup_state","discoverable" (bool | null: the client did not say),"attestation_format",
//  "attestation_type","attestation_trusted","aaguid", and "trust_anchor" when one was matched}
[[nodiscard]] std::string result_json(const RegistrationResult& r);
// {"credential_id","origin","sign_count","user_verified","backup_state","counter_regressed","appid_used"}
[[nodiscard]] std::string result_json(const AuthenticationResult& r);

}  // namespace mfa::webauthn

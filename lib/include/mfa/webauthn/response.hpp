// The credential JSON a browser sends back: PublicKeyCredential.toJSON() (RegistrationResponseJSON,
// AuthenticationResponseJSON, WebAuthn L3 §5.1.8-9), plus the older shapes still in the wild:
//   - binary members in padded base64url or in the standard Base64 alphabet (decoded leniently);
//   - escaped slashes and legacy members inside clientDataJSON (see client_data.hpp);
//   - "extensions" instead of "clientExtensionResults" (webauthn-rs), "transports" at the top
//     level or null, "userHandle" null or "".
// Limits: the JSON is at most kMaxResponseJson bytes and 32 levels deep; a duplicate member name,
// a missing or mistyped member is Errc::webauthn_json with the member's path in the detail.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::webauthn {

// What the client reported for extensions (clientExtensionResults). Typed where the verifier
// needs the value; the whole object is kept as JSON text for the caller (prf, largeBlob ...).
struct ClientExtensionResults {
    std::optional<bool> appid;          // U2F AppID extension output (authentication)
    std::optional<bool> cred_props_rk;  // credProps.rk (registration): a discoverable credential?
    std::string json = "{}";            // the object as received, re-serialised compactly
};

struct RegistrationResponse {
    Bytes id;                           // decoded id (equals rawId; checked)
    Bytes client_data_json;
    Bytes attestation_object;
    std::vector<std::string> transports;            // response.getTransports(), or legacy top level
    std::optional<std::string> authenticator_attachment;  // "platform" / "cross-platform"
    ClientExtensionResults extensions;
};

struct AuthenticationResponse {
    Bytes id;                           // decoded id (equals rawId; checked)
    Bytes client_data_json;
    Bytes authenticator_data;
    Bytes signature;
    std::optional<Bytes> user_handle;   // absent, null and "" all mean "not sent"
    std::optional<std::string> authenticator_attachment;
    ClientExtensionResults extensions;
};

Result<RegistrationResponse> parse_registration_response(std::string_view json);
Result<AuthenticationResponse> parse_authentication_response(std::string_view json);

}  // namespace mfa::webauthn

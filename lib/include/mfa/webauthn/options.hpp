// Ceremony options: PublicKeyCredentialCreationOptionsJSON and PublicKeyCredentialRequestOptionsJSON
// (WebAuthn L3 §5.4, §5.5, JSON forms §5.1.10-11), ready for
// PublicKeyCredential.parseCreationOptionsFromJSON() / parseRequestOptionsFromJSON() in the browser.
//
// The server keeps the returned challenge (and, for registration, the user id) in its session and
// hands the challenge back to verify_registration / verify_authentication.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/webauthn/config.hpp"

namespace mfa::webauthn {

struct CredentialDescriptor {
    Bytes id;
    std::vector<std::string> transports;  // "usb", "nfc", "ble", "internal", "hybrid", "smart-card"
};

// Extensions the options carry. Typed ones are checked; extra_json (a JSON object) is merged in
// as-is for the rest (prf with eval values, largeBlob, hmacCreateSecret, credProtect ...).
struct ExtensionInputs {
    bool cred_props = false;          // registration: ask whether the credential is discoverable
    bool hmac_create_secret = false;  // registration: CTAP2 hmac-secret
    bool appid = false;               // authentication: add {"appid": RpConfig::appid}
    bool appid_exclude = false;       // registration: add {"appidExclude": RpConfig::appid}
    std::string extra_json;           // "" or a JSON object, e.g. {"prf":{"eval":{"first":"..."}}}
};

struct CreationOptionsInput {
    Bytes user_id;                    // empty: 64 random bytes are generated (and returned)
    std::string user_name;            // required
    std::string user_display_name;    // defaults to user_name
    std::optional<Bytes> challenge;   // normally unset: challenge_length random bytes
    std::size_t challenge_length = 32;
    std::string attestation = "none"; // "none", "indirect", "direct", "enterprise"
    std::optional<std::string> authenticator_attachment;  // "platform" / "cross-platform"
    std::string resident_key = "preferred";               // "discouraged", "preferred", "required"
    std::optional<UserVerification> user_verification;    // default: RpConfig::user_verification
    std::vector<CredentialDescriptor> exclude_credentials;
    std::vector<std::string> hints;   // "security-key", "client-device", "hybrid"
    ExtensionInputs extensions;
};

struct RequestOptionsInput {
    std::optional<Bytes> challenge;
    std::size_t challenge_length = 32;
    std::vector<CredentialDescriptor> allow_credentials;  // empty: discoverable credentials
    std::optional<UserVerification> user_verification;
    std::vector<std::string> hints;
    ExtensionInputs extensions;
};

struct GeneratedOptions {
    std::string json;   // the options JSON for the browser
    Bytes challenge;    // keep server-side; pass to the verify call
    Bytes user_id;      // registration: the user handle used (store it with the account)
};

// Errc::webauthn_challenge_length for a challenge under 16 bytes (or over 1024),
// Errc::webauthn_options for any other bad input, Errc::webauthn_config for a bad RpConfig.
Result<GeneratedOptions> creation_options(const RpConfig& cfg, const CreationOptionsInput& in);
Result<GeneratedOptions> request_options(const RpConfig& cfg, const RequestOptionsInput& in);

}  // namespace mfa::webauthn

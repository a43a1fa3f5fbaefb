// Registration ceremony verification: every step of WebAuthn Level 3 §7.1 after the browser call
// (docs/webauthn.md has the step table). The result is the credential record to store.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/webauthn/attestation.hpp"
#include "mfa/webauthn/config.hpp"
#include "mfa/webauthn/record.hpp"
#include "mfa/webauthn/response.hpp"

namespace mfa::webauthn {

struct RegistrationExpectation {
    Bytes challenge;   // exactly the bytes issued with the creation options
    Bytes user_handle; // user.id from the options; copied into the record (may be empty)
    // UV policy for this ceremony; RpConfig::user_verification when unset.
    std::optional<UserVerification> user_verification;
    // §7.1 step 26: called with the new credential id; return true when any account already has
    // it, and the ceremony fails with Errc::webauthn_credential_registered. When unset, the caller
    // must make the check itself before storing (the record's id is the one to look up) -- a
    // unique index on the credential id column does it.
    std::function<bool(ByteView credential_id)> credential_exists;
};

struct RegistrationResult {
    CredentialRecord record;        // store this
    AttestationResult attestation;  // format, type, trust path, whether it chained to an anchor
    std::string origin;             // the origin that matched
    bool user_verified = false;
    std::optional<bool> discoverable;  // credProps.rk, when the client reported it
    std::optional<std::string> authenticator_attachment;
    ClientExtensionResults extensions;
};

// Verifies a parsed response. Each failed step has its own code (docs/errors.md); errors from the
// CBOR/authenticator-data parsers (cbor_*, authdata_*, attestation_object_invalid), the COSE key
// parser (cose_*) and the attestation module (att_*, mds_*) pass through with their detail.
Result<RegistrationResult> verify_registration(const RpConfig& cfg, const RegistrationResponse& response,
                                               const RegistrationExpectation& expect);
// Parses the JSON (response.hpp) and verifies it.
Result<RegistrationResult> verify_registration(const RpConfig& cfg, std::string_view response_json,
                                               const RegistrationExpectation& expect);

}  // namespace mfa::webauthn

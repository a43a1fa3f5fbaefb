// Authentication ceremony verification: every step of WebAuthn Level 3 §7.2 after the browser call
// (docs/webauthn.md has the step table). The result carries the updated credential record.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/webauthn/config.hpp"
#include "mfa/webauthn/record.hpp"
#include "mfa/webauthn/response.hpp"

namespace mfa::webauthn {

// The stored public key parsed once into an OpenSSL key. A server that verifies the same
// credential often keeps one next to the record and passes it to verify_authentication, which
// then skips the COSE parse. Immutable after creation; share it across threads.
class CredentialKey {
public:
    // Errc::webauthn_public_key when the COSE key does not parse or its alg differs from record.alg.
    static Result<CredentialKey> from_record(const CredentialRecord& record);
    [[nodiscard]] int alg() const noexcept { return alg_; }
    [[nodiscard]] const Bytes& cose() const noexcept { return cose_; }

    struct Impl;
    [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

private:
    std::shared_ptr<const Impl> impl_;
    Bytes cose_;
    int alg_ = 0;
};

struct AuthenticationExpectation {
    Bytes challenge;  // exactly the bytes issued with the request options
    // The ids sent in allowCredentials; when not empty the response's credential must be one.
    std::vector<Bytes> allow_credentials;
    // The account's user handle when the user was identified before the ceremony (username
    // first): a userHandle in the response must then equal it. nullopt for a discoverable
    // (usernameless) login: the response must carry a userHandle (the caller looked the record
    // up by it) and it must equal the record's user_handle.
    std::optional<Bytes> user_handle;
    std::optional<UserVerification> user_verification;  // RpConfig::user_verification when unset
};

struct AuthenticationResult {
    CredentialRecord record;         // updated: sign count, backup state, uvInitialized -- store it
    std::string origin;              // the origin that matched
    bool user_verified = false;
    bool backup_state = false;
    bool appid_used = false;         // rpIdHash was checked against SHA-256(RpConfig::appid)
    // CounterPolicy::flag only: the counter did not increase (possible clone); the stored count
    // was kept and the login succeeded -- feed this into risk scoring.
    bool counter_regressed = false;
    std::uint32_t sign_count = 0;    // the counter the authenticator reported
    ClientExtensionResults extensions;
};

// Verifies a parsed assertion against the stored record. `key`, when given, must have been made
// from this record (it is checked against record.public_key). Each failed step has its own code.
Result<AuthenticationResult> verify_authentication(const RpConfig& cfg, const AuthenticationResponse& response,
                                                   const CredentialRecord& record,
                                                   const AuthenticationExpectation& expect,
                                                   const CredentialKey* key = nullptr);
Result<AuthenticationResult> verify_authentication(const RpConfig& cfg, std::string_view response_json,
                                                   const CredentialRecord& record,
                                                   const AuthenticationExpectation& expect,
                                                   const CredentialKey* key = nullptr);

}  // namespace mfa::webauthn

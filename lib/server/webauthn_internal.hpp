// Internals shared by the toolkit's WebAuthn files: the parts of a login both flows (user name
// first, usernameless) have in common, and the verification they share.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mfa/webauthn/options.hpp"
#include "mfa/webauthn/response.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server {

namespace detail {

inline Status need_rp(const ToolkitConfig& c) {
    if (!c.webauthn) return {Errc::invalid_argument, "the security-key factor is not configured (ToolkitConfig::webauthn)"};
    return {};
}

// Credential ids may be up to 1023 bytes: keys use their SHA-256 (hex) to stay under kMaxKeyLength.
std::string id_hash(ByteView id);

// A login response with its challenge taken from the store. `failed` is the first step that
// failed (Errc::ok when none): the response did not parse, or its challenge was not pending under
// the key (used, expired, never issued, issued for another user or another kind of ceremony).
struct LoginStart {
    Errc failed = Errc::ok;
    std::optional<webauthn::AuthenticationResponse> response;
    Bytes challenge;
};
// Parses the response and takes (get and delete) the challenge it carries from the key
// `challenge_key(<challenge base64url>)`, before anything is verified: a challenge serves one
// response once. Errors: only the store's.
Result<LoginStart> start_login(store::Store& st, std::string_view response_json,
                               const std::function<std::string(const std::string&)>& challenge_key, std::int64_t now);

// Keeps a new ceremony's challenge under challenge_key(<challenge base64url>) (kind and expiry in
// the value, the same TTL in the store) and returns the options for the browser. Errors: the
// store's; store_conflict when the fresh random challenge exists already.
Result<WebAuthnCeremony> pending_ceremony(store::Store& st, webauthn::GeneratedOptions&& opts, bool registration,
                                          const std::function<std::string(const std::string&)>& challenge_key,
                                          std::int64_t now, std::int64_t ttl);

// A fresh P-256 credential nobody holds: verified instead of a missing one so that an unknown
// user handle or credential id costs the same signature check as a known one.
Result<webauthn::CredentialRecord> dummy_credential_record();

}  // namespace detail

// What webauthn_verify_assertion needs: the account (if any), its throttle counter and what the
// assertion must match.
struct Toolkit::WebAuthnAssertion {
    std::string user;                  // the account name; "" when the user handle named none
    std::string ukey;                  // user_key_part(user); "" with user
    std::string throttle_key;          // the account's second-factor counter (or the handle's)
    Errc failed = Errc::ok;            // a step that failed already: counted, nothing verified
    const webauthn::AuthenticationResponse* response = nullptr;  // set when failed == ok
    Bytes challenge;
    // The account's user handle (user name first), or nullopt for a usernameless login: the
    // response's userHandle must then equal the credential record's (§7.2 step 6).
    std::optional<Bytes> user_handle;
    std::optional<webauthn::UserVerification> user_verification;
    bool audit_success = false;        // record "webauthn.login" naming the account and key
};

}  // namespace mfa::server

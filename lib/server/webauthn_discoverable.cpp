// Usernameless login with discoverable credentials (passkeys): the challenge is bound to no user
// (mfa:wa-dchal:<challenge>), the authenticator picks the credential, and the response's userHandle
// names the account through the reverse index mfa:wa-uhx:<handle> written with the handle.
//
// Enumeration: a user handle that names no account fails exactly like a credential that is not
// the named account's -- webauthn_credential_id, counted on a throttle (the handle's own), the same
// audit event ("webauthn.failed", with an empty subject) and a signature check all the same,
// against a key nobody holds.
#include "mfa/encoding.hpp"
#include "mfa/webauthn/options.hpp"
#include "records.hpp"
#include "webauthn_internal.hpp"

namespace mfa::server {

Result<WebAuthnCeremony> Toolkit::webauthn_login_begin_discoverable(const RequestContext& ctx) {
    MFA_TRY(detail::need_rp(cfg_));
    webauthn::RequestOptionsInput in;  // allowCredentials empty: the authenticator's discoverable credentials
    in.user_verification = cfg_.webauthn_discoverable_user_verification;
    auto opts = webauthn::request_options(*cfg_.webauthn, in);
    if (!opts) return std::move(opts).error();
    (void)ctx;
    return detail::pending_ceremony(*store_, std::move(*opts), false, keys::wa_discoverable_challenge, now(),
                                    cfg_.webauthn_challenge_ttl);
}

Result<VerifyResult> Toolkit::webauthn_login_finish_discoverable(std::string_view response_json, const RequestContext& ctx) {
    MFA_TRY(detail::need_rp(cfg_));
    auto start = detail::start_login(*store_, response_json, keys::wa_discoverable_challenge, now());
    if (!start) return std::move(start).error();
    VerifyResult early;
    if (start->failed != Errc::ok) {
        early.status = start->failed;  // no account named yet: nothing to count or attribute
        return early;
    }
    const auto& resp = *start->response;
    if (!resp.user_handle || resp.user_handle->empty()) {
        // §7.2 step 6: without allowCredentials the user handle identifies the account; an
        // authenticator that returns none did not create a discoverable credential.
        early.status = Errc::webauthn_user_handle;
        return early;
    }
    const std::string handle = base64url_encode(*resp.user_handle);

    WebAuthnAssertion a;
    a.response = &resp;
    a.challenge = std::move(start->challenge);
    a.user_verification = cfg_.webauthn_discoverable_user_verification;
    a.audit_success = true;  // the toolkit, not the caller, chose the account: say which
    auto owner = store_->get(keys::wa_handle_owner(handle));
    if (!owner) return std::move(owner).error();
    if (owner->has_value()) {
        a.user = std::string(as_chars(**owner));
        auto u = user_key_part(a.user);
        if (!u) return Error{Errc::store_corrupt, "the owner of user handle " + handle + " is not a user name"};
        a.ukey = std::move(*u);
        a.throttle_key = keys::thr_2fa(a.ukey);
    } else {
        a.throttle_key = keys::thr_2fa_handle(handle);  // ukey "": fails as webauthn_credential_id
    }
    return webauthn_verify_assertion(a, ctx);
}

}  // namespace mfa::server

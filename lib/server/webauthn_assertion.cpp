// The verification both WebAuthn login flows share (user name first and usernameless): the
// challenge taken from the store, then the assertion checked against the account's stored record,
// counted on a throttle, the sign count moved by compare-and-set, and the outcome audited.
//
// A login updates the stored sign count by compare-and-set against the record it verified
// against; the attempt that records the outcome is guarded by the same record, so two servers
// verifying against one record state accept one of them.
#include "admin_keys.hpp"
#include <openssl/evp.h>

#include "mfa/cose.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/client_data.hpp"
#include "records.hpp"
#include "webauthn_internal.hpp"

namespace mfa::server {

namespace detail {

std::string id_hash(ByteView id) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_Digest(id.data(), id.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
    return hex_encode(ByteView(md, len));
}

Result<LoginStart> start_login(store::Store& st, std::string_view response_json,
                               const std::function<std::string(const std::string&)>& challenge_key, std::int64_t now) {
    LoginStart s;
    auto r = webauthn::parse_authentication_response(response_json);
    if (!r) {
        s.failed = r.error().code;
        return s;
    }
    s.response.emplace(std::move(*r));
    // The challenge the browser signed, from clientDataJSON (the relying party compares it again).
    auto cd = webauthn::parse_client_data(s.response->client_data_json);
    if (!cd) {
        s.failed = cd.error().code;
        return s;
    }
    s.challenge = std::move(cd->challenge);
    auto taken = st.take(challenge_key(base64url_encode(s.challenge)));
    if (!taken) return std::move(taken).error();
    if (!taken->has_value()) {
        s.failed = Errc::webauthn_challenge;
        return s;
    }
    auto c = parse_challenge(as_chars(**taken));
    if (!c) return std::move(c).error();
    if (c->registration || c->expires <= now) s.failed = Errc::webauthn_challenge;
    return s;
}

Result<WebAuthnCeremony> pending_ceremony(store::Store& st, webauthn::GeneratedOptions&& opts, bool registration,
                                          const std::function<std::string(const std::string&)>& challenge_key,
                                          std::int64_t now, std::int64_t ttl) {
    const auto expires = now + ttl;
    auto stored = st.put_if_absent(challenge_key(base64url_encode(opts.challenge)),
                                   as_bytes(challenge_json({registration, expires})), store::Ttl{ttl});
    if (!stored) return std::move(stored).error();
    if (!*stored) return Error{Errc::store_conflict, "a fresh random challenge already exists"};
    return WebAuthnCeremony{std::move(opts.json), expires};
}

Result<webauthn::CredentialRecord> dummy_credential_record() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (key == nullptr) return Error{Errc::internal, "P-256 key generation failed"};
    auto cose = cose::encode_key(key, cose::Alg::ES256);
    EVP_PKEY_free(key);
    if (!cose) return std::move(cose).error();
    webauthn::CredentialRecord r;
    r.public_key = std::move(*cose);
    r.alg = static_cast<int>(cose::Alg::ES256);
    return r;
}

}  // namespace detail

Result<VerifyResult> Toolkit::webauthn_verify_assertion(const WebAuthnAssertion& a, const RequestContext& ctx) {
    // A deleted account's keys log nobody in (usernameless login resolves to the account first).
    if (!a.ukey.empty())
        if (auto active = check_active(a.ukey); !active) return refused_inactive(active);
    for (int round = 0; round < 4; ++round) {
        Errc step = a.failed;
        std::optional<std::string> cred_key;
        std::optional<Bytes> raw;
        std::optional<detail::SecurityKeyRecord> updated;
        bool uv = false;
        bool regressed = false;
        if (step == Errc::ok) {
            const auto& resp = *a.response;
            const std::string hid = detail::id_hash(resp.id);
            // An account's key, or (no account) the credential's global index: one read either way.
            cred_key = a.ukey.empty() ? keys::wa_index(hid) : keys::wa_cred(a.ukey, hid);
            auto got = store_->get(*cred_key);
            if (!got) return std::move(got).error();
            std::optional<detail::SecurityKeyRecord> sk;
            if (a.ukey.empty()) {
                cred_key.reset();  // no account: nothing to guard, the attempt only counts the failure
            } else if (got->has_value()) {
                raw = std::move(*got);
                auto parsed = detail::parse_security_key(as_chars(*raw));
                if (!parsed) return std::move(parsed).error();
                sk = std::move(*parsed);
            }  // else the guard is "still absent": a key added meanwhile is verified on the retry
            webauthn::AuthenticationExpectation exp;
            exp.challenge = a.challenge;
            exp.user_handle = a.user_handle;
            exp.user_verification = a.user_verification;
            // Not one of this account's keys (or no account): the same checks against a key nobody
            // holds, which fail -- the time does not tell which it was.
            webauthn::CredentialRecord dummy;
            if (!sk) {
                dummy = *impl_->dummy_credential;
                dummy.id = resp.id;
                dummy.user_handle = resp.user_handle.value_or(Bytes{});
            }
            const webauthn::CredentialRecord& against = sk ? sk->record : dummy;
            exp.allow_credentials = {against.id};
            auto v = webauthn::verify_authentication(*cfg_.webauthn, resp, against, exp);
            if (!sk) {
                step = Errc::webauthn_credential_id;
            } else if (!v) {
                step = v.error().code;
            } else {
                uv = v->user_verified;
                regressed = v->counter_regressed;
                sk->record = std::move(v->record);
                sk->last_used = now();
                updated = std::move(*sk);
            }
        }
        store::AttemptRequest q;
        q.throttle_key = a.throttle_key;
        q.rule = cfg_.throttle;
        q.now = now();
        q.success = step == Errc::ok;
        if (cred_key) {
            q.guard_key = *cred_key;
            q.guard_value = raw;
        }
        auto att = store_->attempt(q);
        if (!att) return std::move(att).error();
        if (att->outcome == store::AttemptOutcome::stale) continue;  // the record changed: verify against the new one
        if (att->outcome == store::AttemptOutcome::accepted) {
            // The new sign count, only over the record verified against: of two servers that
            // verified against the same state, one replaces it.
            auto swapped = store_->compare_and_set(*cred_key, ByteView(*raw), as_bytes(detail::security_key_json(*updated)));
            if (!swapped) return std::move(swapped).error();
            if (!*swapped) continue;
        }
        VerifyResult r = finish(*att, a.user, "webauthn", ctx);
        if (!r.ok()) {
            if (r.status == Errc::otp_code_mismatch && step != Errc::ok) r.status = step;
            if (step == Errc::webauthn_sign_count)
                (void)record("webauthn.counter_regressed", a.user, "the signature counter did not increase: a cloned key or a replay", ctx);
            return r;
        }
        if (regressed)
            (void)record("webauthn.counter_regressed", a.user, "accepted under CounterPolicy::flag", ctx);
        if (a.audit_success)
            MFA_TRY(record("webauthn.login", a.user, "usernameless, key " + base64url_encode(updated->record.id), ctx));
        r.amr = amr_for_security_key(updated->record.backup_eligible, uv);
        r.user = a.user;
        return r;
    }
    return Error{Errc::store_conflict, "the security key record kept changing during verification"};
}

}  // namespace mfa::server

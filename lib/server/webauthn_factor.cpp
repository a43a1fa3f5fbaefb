// The security-key / passkey factor: WebAuthn registration and login through the relying party
// (mfa/webauthn), with the ceremony state in the store.
//
// A challenge lives under mfa:wa-chal:<user>:<challenge> with a TTL and an expiry inside the value
// (the store's TTL reclaims the space; the value's expiry is what is checked, against the toolkit's
// clock). The finish call finds it from the clientDataJSON the browser returned and removes it with
// Store::take before anything is verified, so a challenge serves one response, for the user it was
// issued to, once. A login updates the stored sign count by compare-and-set against the record it
// verified against; the attempt that records the outcome is guarded by the same record, so two
// servers verifying against one record state accept one of them.
#include <openssl/evp.h>

#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/client_data.hpp"
#include "mfa/webauthn/options.hpp"
#include "mfa/webauthn/registration.hpp"
#include "records.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server {
namespace {

constexpr std::size_t kUserHandleBytes = 32;

// Credential ids may be up to 1023 bytes: keys use their SHA-256 (hex) to stay under kMaxKeyLength.
std::string id_hash(ByteView id) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_Digest(id.data(), id.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
    return hex_encode(ByteView(md, len));
}

SecurityKeyInfo info_of(const detail::SecurityKeyRecord& s) {
    SecurityKeyInfo i;
    const auto& r = s.record;
    i.id = base64url_encode(r.id);
    i.name = s.name;
    i.aaguid = webauthn::aaguid_string(r.aaguid);
    i.alg = r.alg;
    i.sign_count = r.sign_count;
    i.transports = r.transports;
    i.backup_eligible = r.backup_eligible;
    i.backup_state = r.backup_state;
    i.uv_initialized = r.uv_initialized;
    i.attestation_fmt = r.attestation.fmt;
    i.attestation_type = r.attestation.type;
    i.attestation_trusted = r.attestation.trusted;
    i.created = r.created_at;
    i.last_used = s.last_used;
    return i;
}

struct Stored {
    std::string key;
    Bytes raw;
    detail::SecurityKeyRecord rec;
};

Result<std::vector<Stored>> load_all(store::Store& st, const std::string& ukey) {
    auto list = st.keys(keys::wa_prefix(ukey), kMaxSecurityKeys * 4);
    if (!list) return std::move(list).error();
    std::vector<Stored> out;
    for (const auto& k : *list) {
        auto raw = st.get(k);
        if (!raw) return std::move(raw).error();
        if (!raw->has_value()) continue;  // removed meanwhile
        auto rec = detail::parse_security_key(as_chars(**raw));
        if (!rec) return std::move(rec).error();
        out.push_back({k, std::move(**raw), std::move(*rec)});
    }
    return out;
}

// The challenge the browser signed, from clientDataJSON (the relying party compares it again).
Result<Bytes> challenge_of(ByteView client_data_json) {
    auto cd = webauthn::parse_client_data(client_data_json);
    if (!cd) return std::move(cd).error();
    return std::move(cd->challenge);
}

}  // namespace

namespace {
Status need_rp(const ToolkitConfig& c) {
    if (!c.webauthn) return {Errc::invalid_argument, "the security-key factor is not configured (ToolkitConfig::webauthn)"};
    return {};
}
}  // namespace

Result<WebAuthnCeremony> Toolkit::webauthn_register_begin(std::string_view user, std::string_view display_name,
                                                          const RequestContext& ctx) {
    MFA_TRY(need_rp(cfg_));
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    // The user handle: random and stable per account (WebAuthn §14.6.1: no personal data in it).
    Bytes handle;
    for (int round = 0; round < 2 && handle.empty(); ++round) {
        auto h = store_->get(keys::wa_user_handle(*u));
        if (!h) return std::move(h).error();
        if (h->has_value()) {
            auto d = base64_decode(as_chars(**h), Base64Mode::url_strict);
            if (!d || d->empty()) return Error{Errc::store_corrupt, "user handle of '" + std::string(user) + "'"};
            handle = std::move(*d);
            break;
        }
        Bytes fresh(kUserHandleBytes);
        MFA_TRY(random_fill(fresh));
        auto created = store_->put_if_absent(keys::wa_user_handle(*u), as_bytes(base64url_encode(fresh)));
        if (!created) return std::move(created).error();
        if (*created) handle = std::move(fresh);  // else another request created it: read it again
    }
    if (handle.empty()) return Error{Errc::store_conflict, "the user handle kept changing"};

    auto existing = load_all(*store_, *u);
    if (!existing) return std::move(existing).error();
    if (existing->size() >= kMaxSecurityKeys)
        return Error{Errc::factor_already_enrolled, "at most " + std::to_string(kMaxSecurityKeys) + " security keys per user"};
    webauthn::CreationOptionsInput in;
    in.user_id = handle;
    in.user_name = std::string(user);
    in.user_display_name = std::string(display_name.empty() ? user : display_name);
    for (const auto& s : *existing) in.exclude_credentials.push_back({s.rec.record.id, s.rec.record.transports});
    in.extensions.cred_props = true;
    auto opts = webauthn::creation_options(*cfg_.webauthn, in);
    if (!opts) return std::move(opts).error();

    const auto expires = now() + cfg_.webauthn_challenge_ttl;
    auto stored = store_->put_if_absent(keys::wa_challenge(*u, base64url_encode(opts->challenge)),
                                        as_bytes(detail::challenge_json({true, expires})),
                                        store::Ttl{cfg_.webauthn_challenge_ttl});
    if (!stored) return std::move(stored).error();
    if (!*stored) return Error{Errc::store_conflict, "a fresh random challenge already exists"};
    MFA_TRY(record("webauthn.registration_started", user, "", ctx));
    return WebAuthnCeremony{std::move(opts->json), expires};
}

Result<SecurityKeyInfo> Toolkit::webauthn_register_finish(std::string_view user, std::string_view response_json,
                                                          std::string_view name, const RequestContext& ctx) {
    MFA_TRY(need_rp(cfg_));
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (name.size() > kMaxSecurityKeyName) return Error{Errc::invalid_argument, "key name over 128 bytes"};
    auto resp = webauthn::parse_registration_response(response_json);
    if (!resp) return std::move(resp).error();
    auto chal = challenge_of(resp->client_data_json);
    if (!chal) return std::move(chal).error();
    // Single use: taken before verification, so a failed or repeated response cannot retry it.
    auto taken = store_->take(keys::wa_challenge(*u, base64url_encode(*chal)));
    if (!taken) return std::move(taken).error();
    if (!taken->has_value())
        return Error{Errc::webauthn_challenge, "no pending registration with this challenge for this user (used, expired or never issued)"};
    auto c = detail::parse_challenge(as_chars(**taken));
    if (!c) return std::move(c).error();
    if (!c->registration) return Error{Errc::webauthn_challenge, "the challenge was issued for a login, not a registration"};
    if (c->expires <= now()) return Error{Errc::webauthn_challenge, "the registration challenge expired"};

    auto h = store_->get(keys::wa_user_handle(*u));
    if (!h) return std::move(h).error();
    if (!h->has_value()) return Error{Errc::store_corrupt, "the user handle disappeared during registration"};
    auto handle = base64_decode(as_chars(**h), Base64Mode::url_strict);
    if (!handle) return Error{Errc::store_corrupt, "user handle of '" + std::string(user) + "'"};

    webauthn::RegistrationExpectation exp;
    exp.challenge = std::move(*chal);
    exp.user_handle = std::move(*handle);
    Status lookup;
    exp.credential_exists = [&](ByteView id) {
        auto v = store_->get(keys::wa_index(id_hash(id)));
        if (!v) {
            lookup = std::move(v).error();
            return true;  // fail closed; the store error is returned below
        }
        return v->has_value();
    };
    auto res = webauthn::verify_registration(*cfg_.webauthn, *resp, exp);
    if (!lookup) return lookup.error();
    if (!res) {
        (void)record("webauthn.registration_failed", user, res.error().to_string(), ctx);
        return std::move(res).error();
    }
    const std::string hid = id_hash(res->record.id);
    // The global index first, set-if-absent: two accounts racing the same credential id get it once.
    auto claimed = store_->put_if_absent(keys::wa_index(hid), as_bytes(*u));
    if (!claimed) return std::move(claimed).error();
    if (!*claimed) return Error{Errc::webauthn_credential_registered, "this credential is registered already"};
    detail::SecurityKeyRecord sk;
    sk.name = name.empty() ? "security key" : std::string(name);
    sk.record = std::move(res->record);
    sk.record.created_at = now();
    auto put = store_->put_if_absent(keys::wa_cred(*u, hid), as_bytes(detail::security_key_json(sk)));
    if (!put) return std::move(put).error();
    if (!*put) return Error{Errc::webauthn_credential_registered, "this credential is registered already"};
    auto info = info_of(sk);
    MFA_TRY(record("webauthn.registered", user, "key " + info.id + " (" + info.aaguid + ")", ctx));
    return info;
}

Result<WebAuthnCeremony> Toolkit::webauthn_login_begin(std::string_view user, const RequestContext& ctx) {
    MFA_TRY(need_rp(cfg_));
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto existing = load_all(*store_, *u);
    if (!existing) return std::move(existing).error();
    if (existing->empty()) return Error{Errc::factor_not_enrolled, "no security key"};
    webauthn::RequestOptionsInput in;
    for (const auto& s : *existing) in.allow_credentials.push_back({s.rec.record.id, s.rec.record.transports});
    auto opts = webauthn::request_options(*cfg_.webauthn, in);
    if (!opts) return std::move(opts).error();
    const auto expires = now() + cfg_.webauthn_challenge_ttl;
    auto stored = store_->put_if_absent(keys::wa_challenge(*u, base64url_encode(opts->challenge)),
                                        as_bytes(detail::challenge_json({false, expires})),
                                        store::Ttl{cfg_.webauthn_challenge_ttl});
    if (!stored) return std::move(stored).error();
    if (!*stored) return Error{Errc::store_conflict, "a fresh random challenge already exists"};
    (void)ctx;
    return WebAuthnCeremony{std::move(opts->json), expires};
}

Result<VerifyResult> Toolkit::webauthn_login_finish(std::string_view user, std::string_view response_json,
                                                    const RequestContext& ctx) {
    MFA_TRY(need_rp(cfg_));
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();

    // Every failure below is a counted attempt (the throttle sees it), with the step that failed.
    Errc failed = Errc::ok;
    std::optional<webauthn::AuthenticationResponse> resp;
    Bytes challenge;
    if (auto r = webauthn::parse_authentication_response(response_json); !r) {
        failed = r.error().code;
    } else {
        resp.emplace(std::move(*r));
        auto chal = challenge_of(resp->client_data_json);
        if (!chal) {
            failed = chal.error().code;
        } else {
            challenge = std::move(*chal);
            auto taken = store_->take(keys::wa_challenge(*u, base64url_encode(challenge)));
            if (!taken) return std::move(taken).error();
            if (!taken->has_value()) {
                failed = Errc::webauthn_challenge;  // used, expired, never issued, or another user's
            } else {
                auto c = detail::parse_challenge(as_chars(**taken));
                if (!c) return std::move(c).error();
                if (c->registration || c->expires <= now()) failed = Errc::webauthn_challenge;
            }
        }
    }
    std::optional<Bytes> handle;
    if (failed == Errc::ok) {
        auto h = store_->get(keys::wa_user_handle(*u));
        if (!h) return std::move(h).error();
        if (h->has_value()) {
            auto d = base64_decode(as_chars(**h), Base64Mode::url_strict);
            if (!d) return Error{Errc::store_corrupt, "user handle of '" + std::string(user) + "'"};
            handle = std::move(*d);
        }
    }

    for (int round = 0; round < 4; ++round) {
        Errc step = failed;
        std::optional<std::string> cred_key;
        std::optional<Bytes> raw;
        std::optional<detail::SecurityKeyRecord> updated;
        bool uv = false;
        bool regressed = false;
        if (step == Errc::ok) {
            cred_key = keys::wa_cred(*u, id_hash(resp->id));
            auto got = store_->get(*cred_key);
            if (!got) return std::move(got).error();
            raw = std::move(*got);
            if (!raw) {
                step = Errc::webauthn_credential_id;  // not one of this user's keys (or removed)
            } else {
                auto sk = detail::parse_security_key(as_chars(*raw));
                if (!sk) return std::move(sk).error();
                webauthn::AuthenticationExpectation exp;
                exp.challenge = challenge;
                exp.allow_credentials = {sk->record.id};
                exp.user_handle = handle;
                auto v = webauthn::verify_authentication(*cfg_.webauthn, *resp, sk->record, exp);
                if (!v) {
                    step = v.error().code;
                } else {
                    uv = v->user_verified;
                    regressed = v->counter_regressed;
                    sk->record = std::move(v->record);
                    sk->last_used = now();
                    updated = std::move(*sk);
                }
            }
        }
        store::AttemptRequest q;
        q.throttle_key = keys::thr_2fa(*u);
        q.rule = cfg_.throttle;
        q.now = now();
        q.success = step == Errc::ok;
        if (cred_key) {
            q.guard_key = *cred_key;
            q.guard_value = raw;
        }
        auto a = store_->attempt(q);
        if (!a) return std::move(a).error();
        if (a->outcome == store::AttemptOutcome::stale) continue;  // the record changed: verify against the new one
        if (a->outcome == store::AttemptOutcome::accepted) {
            // The new sign count, only over the record verified against: of two servers that
            // verified against the same state, one replaces it.
            auto swapped = store_->compare_and_set(*cred_key, ByteView(*raw), as_bytes(detail::security_key_json(*updated)));
            if (!swapped) return std::move(swapped).error();
            if (!*swapped) continue;
        }
        VerifyResult r = finish(*a, user, "webauthn", ctx);
        if (!r.ok()) {
            if (r.status == Errc::otp_code_mismatch && step != Errc::ok) r.status = step;
            if (step == Errc::webauthn_sign_count)
                (void)record("webauthn.counter_regressed", user, "the signature counter did not increase: a cloned key or a replay", ctx);
            return r;
        }
        if (regressed)
            (void)record("webauthn.counter_regressed", user, "accepted under CounterPolicy::flag", ctx);
        r.amr = amr_for_security_key(updated->record.backup_eligible, uv);
        return r;
    }
    return Error{Errc::store_conflict, "the security key record kept changing during verification"};
}

Result<std::vector<SecurityKeyInfo>> Toolkit::webauthn_list(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto all = load_all(*store_, *u);
    if (!all) return std::move(all).error();
    std::vector<SecurityKeyInfo> out;
    for (const auto& s : *all) out.push_back(info_of(s.rec));
    return out;
}

Status Toolkit::webauthn_remove(std::string_view user, std::string_view id, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto raw_id = base64_decode(id, Base64Mode::url_strict);
    if (!raw_id || raw_id->empty()) return {Errc::invalid_argument, "the key id must be base64url"};
    const std::string hid = id_hash(*raw_id);
    auto e = store_->erase(keys::wa_cred(*u, hid));
    if (!e) return std::move(e).error();
    if (!*e) return {Errc::factor_not_enrolled, "no such security key for this user"};
    auto ix = store_->erase(keys::wa_index(hid));
    if (!ix) return std::move(ix).error();
    return record("webauthn.removed", user, "key " + std::string(id), ctx);
}

}  // namespace mfa::server

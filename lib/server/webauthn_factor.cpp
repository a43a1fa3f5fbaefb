// The security-key / passkey factor: WebAuthn registration and login through the relying party
// (mfa/webauthn), with the ceremony state in the store.
//
// A challenge lives under mfa:wa-chal:<user>:<challenge> with a TTL and an expiry inside the value
// (the store's TTL reclaims the space; the value's expiry is what is checked, against the toolkit's
// clock). The finish call finds it from the clientDataJSON the browser returned and removes it with
// Store::take before anything is verified, so a challenge serves one response, for the user it was
// issued to, once. The login verification itself is shared with usernameless login
// (webauthn_assertion.cpp, webauthn_discoverable.cpp).
#include "admin_keys.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/client_data.hpp"
#include "mfa/webauthn/options.hpp"
#include "mfa/webauthn/registration.hpp"
#include "records.hpp"
#include "webauthn_internal.hpp"

namespace mfa::server {
namespace {

constexpr std::size_t kUserHandleBytes = 32;

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
    i.discoverable = s.discoverable;
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

}  // namespace

namespace {

std::string_view resident_key_name(ResidentKey rk) {
    switch (rk) {
        case ResidentKey::discouraged: return "discouraged";
        case ResidentKey::required: return "required";
        case ResidentKey::preferred: break;
    }
    return "preferred";
}

// The account's user handle: random and stable per account (WebAuthn §14.6.1: no personal data in
// it), created on first use. The reverse entry (handle → user name, what usernameless login looks
// up) is written first, so every handle has one: a crash in between leaves at most a reverse entry
// for a handle no credential carries. Handles created before the reverse index existed get theirs
// here (and at the next user-bound login).
Result<Bytes> account_user_handle(store::Store& st, std::string_view user, const std::string& ukey) {
    for (int round = 0; round < 2; ++round) {
        auto h = st.get(keys::wa_user_handle(ukey));
        if (!h) return std::move(h).error();
        if (h->has_value()) {
            auto d = base64_decode(as_chars(**h), Base64Mode::url_strict);
            if (!d || d->empty()) return Error{Errc::store_corrupt, "user handle of '" + std::string(user) + "'"};
            auto backfill = st.put_if_absent(keys::wa_handle_owner(base64url_encode(*d)), as_bytes(user));
            if (!backfill) return std::move(backfill).error();
            return std::move(*d);
        }
        Bytes fresh(kUserHandleBytes);
        MFA_TRY(random_fill(fresh));
        const std::string owner_key = keys::wa_handle_owner(base64url_encode(fresh));
        auto owner = st.put_if_absent(owner_key, as_bytes(user));
        if (!owner) return std::move(owner).error();
        if (!*owner) continue;  // 256 random bits already taken: draw again
        auto created = st.put_if_absent(keys::wa_user_handle(ukey), as_bytes(base64url_encode(fresh)));
        if (!created) return std::move(created).error();
        if (*created) return fresh;
        // Another request created the account's handle meanwhile: drop ours and read theirs.
        auto dropped = st.erase(owner_key);
        if (!dropped) return std::move(dropped).error();
    }
    return Error{Errc::store_conflict, "the user handle kept changing"};
}

// Before another key: the account's user handle (created when missing) and its keys, refusing one
// beyond kMaxSecurityKeys.
struct KeyRoom {
    Bytes handle;
    std::vector<Stored> existing;
};
Result<KeyRoom> room_for_key(store::Store& st, std::string_view user, const std::string& ukey) {
    auto handle = account_user_handle(st, user, ukey);
    if (!handle) return std::move(handle).error();
    auto existing = load_all(st, ukey);
    if (!existing) return std::move(existing).error();
    if (existing->size() >= kMaxSecurityKeys)
        return Error{Errc::factor_already_enrolled, "at most " + std::to_string(kMaxSecurityKeys) + " security keys per user"};
    return KeyRoom{std::move(*handle), std::move(*existing)};
}

}  // namespace

Result<WebAuthnCeremony> Toolkit::webauthn_register_begin(std::string_view user, std::string_view display_name,
                                                          const RequestContext& ctx) {
    return webauthn_register_begin(user, display_name, ResidentKey::preferred, ctx);
}

Result<WebAuthnCeremony> Toolkit::webauthn_register_begin(std::string_view user, std::string_view display_name,
                                                          ResidentKey resident_key, const RequestContext& ctx) {
    MFA_TRY(detail::need_rp(cfg_));
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    MFA_TRY(check_active(*u));
    auto room = room_for_key(*store_, user, *u);
    if (!room) return std::move(room).error();
    const auto& existing = room->existing;
    webauthn::CreationOptionsInput in;
    in.user_id = std::move(room->handle);
    in.user_name = std::string(user);
    in.user_display_name = std::string(display_name.empty() ? user : display_name);
    in.resident_key = std::string(resident_key_name(resident_key));
    for (const auto& s : existing) in.exclude_credentials.push_back({s.rec.record.id, s.rec.record.transports});
    in.extensions.cred_props = true;
    auto opts = webauthn::creation_options(*cfg_.webauthn, in);
    if (!opts) return std::move(opts).error();

    auto ceremony = detail::pending_ceremony(*store_, std::move(*opts), true,
                                             [&](const std::string& c) { return keys::wa_challenge(*u, c); }, now(),
                                             cfg_.webauthn_challenge_ttl);
    if (!ceremony) return ceremony;
    MFA_TRY(record("webauthn.registration_started", user, "residentKey " + std::string(resident_key_name(resident_key)), ctx));
    return ceremony;
}

Result<SecurityKeyInfo> Toolkit::webauthn_register_finish(std::string_view user, std::string_view response_json,
                                                          std::string_view name, const RequestContext& ctx) {
    MFA_TRY(detail::need_rp(cfg_));
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (name.size() > kMaxSecurityKeyName) return Error{Errc::invalid_argument, "key name over 128 bytes"};
    auto resp = webauthn::parse_registration_response(response_json);
    if (!resp) return std::move(resp).error();
    auto cd = webauthn::parse_client_data(resp->client_data_json);
    if (!cd) return std::move(cd).error();
    auto chal = std::move(cd->challenge);
    // Single use: taken before verification, so a failed or repeated response cannot retry it.
    auto taken = store_->take(keys::wa_challenge(*u, base64url_encode(chal)));
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
    exp.challenge = std::move(chal);
    exp.user_handle = std::move(*handle);
    Status lookup;
    exp.credential_exists = [&](ByteView id) {
        auto v = store_->get(keys::wa_index(detail::id_hash(id)));
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
    const std::string hid = detail::id_hash(res->record.id);
    // The global index first, set-if-absent: two accounts racing the same credential id get it once.
    auto claimed = store_->put_if_absent(keys::wa_index(hid), as_bytes(*u));
    if (!claimed) return std::move(claimed).error();
    if (!*claimed) return Error{Errc::webauthn_credential_registered, "this credential is registered already"};
    detail::SecurityKeyRecord sk;
    sk.name = name.empty() ? "security key" : std::string(name);
    sk.discoverable = res->discoverable;
    sk.record = std::move(res->record);
    sk.record.created_at = now();
    auto put = store_->put_if_absent(keys::wa_cred(*u, hid), as_bytes(detail::security_key_json(sk)));
    if (!put) return std::move(put).error();
    if (!*put) return Error{Errc::webauthn_credential_registered, "this credential is registered already"};
    auto info = info_of(sk);
    MFA_TRY(record("webauthn.registered", user, "key " + info.id + " (" + info.aaguid + ")", ctx));
    return info;
}

Result<SecurityKeyInfo> Toolkit::webauthn_import(std::string_view user, webauthn::CredentialRecord credential,
                                                 std::string_view name, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (name.size() > kMaxSecurityKeyName) return Error{Errc::invalid_argument, "key name over 128 bytes"};
    if (credential.id.empty() || credential.public_key.empty())
        return Error{Errc::invalid_argument, "a security key needs a credential id and a public key"};
    MFA_TRY(check_active(*u));
    // The account's user handle exists for every account with keys, as after a registration.
    MFA_TRY(room_for_key(*store_, user, *u));
    const std::string hid = detail::id_hash(credential.id);
    auto claimed = store_->put_if_absent(keys::wa_index(hid), as_bytes(*u));
    if (!claimed) return std::move(claimed).error();
    if (!*claimed) return Error{Errc::webauthn_credential_registered, "this credential is registered already"};
    detail::SecurityKeyRecord sk;
    sk.name = name.empty() ? "security key" : std::string(name);
    sk.record = std::move(credential);
    if (sk.record.created_at == 0) sk.record.created_at = now();
    auto put = store_->put_if_absent(keys::wa_cred(*u, hid), as_bytes(detail::security_key_json(sk)));
    if (!put) return std::move(put).error();
    if (!*put) return Error{Errc::webauthn_credential_registered, "this credential is registered already"};
    auto info = info_of(sk);
    MFA_TRY(record("webauthn.imported", user, "key " + info.id, ctx));
    return info;
}

Result<WebAuthnCeremony> Toolkit::webauthn_login_begin(std::string_view user, const RequestContext& ctx) {
    MFA_TRY(detail::need_rp(cfg_));
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    MFA_TRY(check_active(*u));
    auto existing = load_all(*store_, *u);
    if (!existing) return std::move(existing).error();
    if (existing->empty()) return Error{Errc::factor_not_enrolled, "no security key"};
    webauthn::RequestOptionsInput in;
    for (const auto& s : *existing) in.allow_credentials.push_back({s.rec.record.id, s.rec.record.transports});
    auto opts = webauthn::request_options(*cfg_.webauthn, in);
    if (!opts) return std::move(opts).error();
    (void)ctx;
    return detail::pending_ceremony(*store_, std::move(*opts), false, [&](const std::string& c) { return keys::wa_challenge(*u, c); },
                                    now(), cfg_.webauthn_challenge_ttl);
}

Result<VerifyResult> Toolkit::webauthn_login_finish(std::string_view user, std::string_view response_json,
                                                    const RequestContext& ctx) {
    MFA_TRY(detail::need_rp(cfg_));
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    // Every failure below is a counted attempt (the throttle sees it), with the step that failed.
    auto start = detail::start_login(*store_, response_json, [&](const std::string& c) { return keys::wa_challenge(*u, c); }, now());
    if (!start) return std::move(start).error();
    WebAuthnAssertion a;
    a.user = std::string(user);
    a.ukey = *u;
    a.throttle_key = keys::thr_2fa(*u);
    a.failed = start->failed;
    a.response = start->response ? &*start->response : nullptr;
    a.challenge = std::move(start->challenge);
    if (a.failed == Errc::ok) {
        auto h = store_->get(keys::wa_user_handle(*u));
        if (!h) return std::move(h).error();
        if (h->has_value()) {
            auto d = base64_decode(as_chars(**h), Base64Mode::url_strict);
            if (!d) return Error{Errc::store_corrupt, "user handle of '" + std::string(user) + "'"};
            a.user_handle = std::move(*d);
        }
    }
    auto r = webauthn_verify_assertion(a, ctx);
    if (r && r->ok() && a.user_handle) {
        // An account whose handle predates the reverse index gets it at its first login, so its
        // discoverable credentials then work for usernameless login too.
        auto backfill = store_->put_if_absent(keys::wa_handle_owner(base64url_encode(*a.user_handle)), as_bytes(user));
        if (!backfill) return std::move(backfill).error();
    }
    return r;
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
    const std::string hid = detail::id_hash(*raw_id);
    auto e = store_->erase(keys::wa_cred(*u, hid));
    if (!e) return std::move(e).error();
    if (!*e) return {Errc::factor_not_enrolled, "no such security key for this user"};
    auto ix = store_->erase(keys::wa_index(hid));
    if (!ix) return std::move(ix).error();
    return record("webauthn.removed", user, "key " + std::string(id), ctx);
}

}  // namespace mfa::server

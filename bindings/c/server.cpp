// The server toolkit's C ABI (mfa_server.h): handles over mfa::store::Store and mfa::server::Toolkit,
// JSON for structured outputs.
#include <cstddef>
#include <optional>
#include <nlohmann/json.hpp>

#include "abi.hpp"
#include "mfa/json.hpp"
#include "mfa/encoding.hpp"
#include "mfa/mfa_server.h"
#include "mfa/server/allowlist.hpp"
#include "mfa/server/toolkit.hpp"
#include "mfa/server/admin_json.hpp"
#include "server_handle.hpp"

namespace mfa::abi {
namespace {

using json = nlohmann::json;

// JSON objects that hold secrets, written straight into wiped memory: never a json node or a
// std::string, which are freed without a wipe.
class SecretJson {
public:
    SecretJson& add(std::string_view key, std::string_view value) {
        this->key(key);
        append_json_string(text_, value);
        return *this;
    }
    SecretJson& add(std::string_view key, std::int64_t value) {
        this->key(key);
        text_.append(std::to_string(value));
        return *this;
    }
    int put(char** out) {
        text_.push_back('}');
        return put_alloc(out, text_.view());
    }

private:
    void key(std::string_view k) {
        text_.push_back(text_.empty() ? '{' : ',');
        append_json_string(text_, k);
        text_.push_back(':');
    }
    SecretString text_;
};

// The one C coding of UserVerification and ResidentKey (mfa_webauthn.h).
std::optional<webauthn::UserVerification> user_verification(int v) {
    switch (v) {
        case MFA_WEBAUTHN_UV_PREFERRED: return webauthn::UserVerification::preferred;
        case MFA_WEBAUTHN_UV_REQUIRED: return webauthn::UserVerification::required;
        case MFA_WEBAUTHN_UV_DISCOURAGED: return webauthn::UserVerification::discouraged;
        default: return std::nullopt;
    }
}
std::optional<server::ResidentKey> resident_key(int v) {
    switch (v) {
        case MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED: return server::ResidentKey::preferred;
        case MFA_WEBAUTHN_RESIDENT_KEY_REQUIRED: return server::ResidentKey::required;
        case MFA_WEBAUTHN_RESIDENT_KEY_DISCOURAGED: return server::ResidentKey::discouraged;
        default: return std::nullopt;
    }
}

int webauthn_config(server::ToolkitConfig& cfg, const mfa_server_options_t& o) {
    webauthn::RpConfig rp;
    MFA_IN(id, o.webauthn_rp_id, "webauthn_rp_id");
    MFA_IN_OPT(name, o.webauthn_rp_name, "webauthn_rp_name");
    MFA_IN(origins, o.webauthn_origins, "webauthn_origins");
    rp.rp_id = std::string(id);
    rp.rp_name = std::string(name);
    std::size_t pos = 0;
    while (pos < origins.size()) {
        const auto end = std::min(origins.find(' ', pos), origins.size());
        if (end > pos) rp.origins.emplace_back(origins.substr(pos, end - pos));
        pos = end + 1;
    }
    auto uv = user_verification(o.webauthn_user_verification);
    if (!uv) return fail(Errc::invalid_argument, "webauthn_user_verification must be MFA_WEBAUTHN_UV_*");
    rp.user_verification = *uv;
    cfg.webauthn = std::move(rp);
    cfg.webauthn_challenge_ttl = o.webauthn_challenge_ttl;
    auto duv = user_verification(o.webauthn_discoverable_user_verification);
    if (!duv) return fail(Errc::invalid_argument, "webauthn_discoverable_user_verification must be MFA_WEBAUTHN_UV_*");
    cfg.webauthn_discoverable_user_verification = *duv;
    return MFA_OK;
}

int ceremony_out(char** out, const Result<server::WebAuthnCeremony>& c) {
    if (!c) return fail(c.error());
    auto opts = mfa::json::parse(c->options_json, {.code = Errc::internal, .what = "options JSON"});
    if (!opts) return fail(opts.error());
    return put_alloc(out, json{{"options", std::move(*opts)}, {"expires_at", c->expires_at}}.dump());
}

int audit_verify_out(const Result<server::AuditVerification>& v, uint64_t* records, char* head, size_t cap, size_t* len) {
    if (!v) return fail(v.error());
    if (records) *records = v->records;
    if (head != nullptr || len != nullptr) return put_string(head, cap, len, v->head_hash);
    return MFA_OK;
}

}  // namespace
}  // namespace mfa::abi

using namespace mfa;
using namespace mfa::abi;

extern "C" {

int mfa_server_store_open(mfa_server_store_t** out, const char* url) {
    return guarded([&] {
        if (out == nullptr) return fail(Errc::invalid_argument, "out is NULL");
        *out = nullptr;
        MFA_IN(u, url, "url");
        auto s = store::open_store(u);
        if (!s) return fail(s.error());
        *out = new mfa_server_store{std::move(*s)};
        return MFA_OK;
    });
}

void mfa_server_store_free(mfa_server_store_t** s) {
    if (s == nullptr) return;
    delete *s;
    *s = nullptr;
}

int mfa_server_keyring_generate(char** out_text) {
    return guarded([&] {
        auto r = server::KeyRing::generate();
        if (!r) return fail(r.error());
        return put_alloc(out_text, r->format().view());
    });
}

int mfa_server_keyring_rotate(char** out_text, const char* keyring, size_t keyring_len) {
    return guarded([&] {
        MFA_SECRET_IN(t, keyring, keyring_len, "keyring");
        auto r = server::KeyRing::parse(t);
        if (!r) return fail(r.error());
        auto id = r->rotate();
        if (!id) return fail(id.error());
        return put_alloc(out_text, r->format().view());
    });
}

int mfa_server_options_init(mfa_server_options_t* o) {
    if (o == nullptr) return fail(Errc::invalid_argument, "opts is NULL");
    const store::ThrottleRule d;
    *o = mfa_server_options_t{};
    o->struct_size = sizeof *o;
    o->free_failures = d.free_failures;
    o->base_delay = d.base_delay;
    o->max_delay = d.max_delay;
    o->lock_after = d.lock_after;
    o->lock_duration = d.lock_duration;
    o->recovery_codes = 10;
    o->webauthn_challenge_ttl = 300;
    o->webauthn_discoverable_user_verification = MFA_WEBAUTHN_UV_REQUIRED;
    return MFA_OK;
}

int mfa_server_new(mfa_server_t** out, mfa_server_store_t* st, const char* keyring, size_t keyring_len,
                   const mfa_server_options_t* opts) {
    return guarded([&] {
        if (out == nullptr) return fail(Errc::invalid_argument, "out is NULL");
        *out = nullptr;
        if (int rc = need(st, "store"); rc != MFA_OK) return rc;
        MFA_SECRET_IN(t, keyring, keyring_len, "keyring");
        auto ring = server::KeyRing::parse(t);
        if (!ring) return fail(ring.error());
        server::ToolkitConfig cfg;
        if (opts != nullptr) {
            mfa_server_options_t o{};
            mfa_server_options_init(&o);
            if (auto rs = abi::read_sized(opts, o, sizeof o, "opts"); !rs) return fail(rs.error());
            if (o.issuer) cfg.issuer = o.issuer;
            if (o.token_prefix) cfg.token_prefix = o.token_prefix;
            cfg.throttle = {o.free_failures, o.base_delay, o.max_delay, o.lock_after, o.lock_duration};
            cfg.recovery_codes = o.recovery_codes;
            if (o.webauthn_rp_id != nullptr) {
                if (int rc = webauthn_config(cfg, o); rc != MFA_OK) return rc;
            }
        }
        auto tk = server::Toolkit::create(st->store, std::move(*ring), std::move(cfg));
        if (!tk) return fail(tk.error());
        *out = new mfa_server{std::move(*tk)};
        return MFA_OK;
    });
}

void mfa_server_free(mfa_server_t** s) {
    if (s == nullptr) return;
    delete *s;
    *s = nullptr;
}

int mfa_server_totp_begin(mfa_server_t* s, char** out_json, const char* user, const char* account_name, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(a, account_name, "account_name");
        MFA_IN_OPT(i, ip, "source_ip");
        auto e = s->tk->totp_begin(u, a, ctx("", i));
        if (!e) return fail(e.error());
        return SecretJson()
            .add("secret", e->secret_base32.view())
            .add("uri", e->uri.view())
            .add("qr_svg", e->qr_svg.view())
            .add("qr_png_data_uri", e->qr_png_data_uri.view())
            .add("expires_at", e->expires_at)
            .put(out_json);
    });
}

int mfa_server_totp_confirm(mfa_server_t* s, mfa_server_verify_result_t* out, const char* user, const char* code, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = check_out(out); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(c, code, "code");
        MFA_IN_OPT(i, ip, "source_ip");
        return verify_out(out, s->tk->totp_confirm(u, c, ctx("", i)));
    });
}

int mfa_server_totp_verify(mfa_server_t* s, mfa_server_verify_result_t* out, const char* user, const char* code, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = check_out(out); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(c, code, "code");
        MFA_IN_OPT(i, ip, "source_ip");
        return verify_out(out, s->tk->totp_verify(u, c, ctx("", i)));
    });
}

int mfa_server_totp_remove(mfa_server_t* s, const char* user, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto r = s->tk->totp_remove(u, ctx(a, i));
        return r ? MFA_OK : fail(r.error());
    });
}

int mfa_server_recovery_generate(mfa_server_t* s, char** out_json, const char* user, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(i, ip, "source_ip");
        auto codes = s->tk->recovery_generate(u, ctx("", i));
        if (!codes) return fail(codes.error());
        SecretString j;
        j.push_back('[');
        for (std::size_t k = 0; k < codes->size(); ++k) {
            if (k > 0) j.push_back(',');
            append_json_string(j, (*codes)[k].view());
        }
        j.push_back(']');
        return put_alloc(out_json, j.view());
    });
}

int mfa_server_recovery_use(mfa_server_t* s, mfa_server_verify_result_t* out, const char* user, const char* code,
                            size_t code_len, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = check_out(out); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_SECRET_IN(c, code, code_len, "code");
        MFA_IN_OPT(i, ip, "source_ip");
        return verify_out(out, s->tk->recovery_use(u, c, ctx("", i)));
    });
}

int mfa_server_recovery_remaining(mfa_server_t* s, size_t* out, const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out, "out"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        auto n = s->tk->recovery_remaining(u);
        if (!n) return fail(n.error());
        *out = *n;
        return MFA_OK;
    });
}

int mfa_server_password_verify(mfa_server_t* s, mfa_server_verify_result_t* out, const char* user, const char* password,
                                size_t password_len, const char* phc, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = check_out(out); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_SECRET_IN(p, password, password_len, "password");
        MFA_IN_OPT(h, phc, "phc");
        MFA_IN_OPT(i, ip, "source_ip");
        return verify_out(out, s->tk->password_verify(u, p, h, ctx("", i)));
    });
}

int mfa_server_password_hash(char** out_phc, const char* password, size_t password_len) {
    return guarded([&] {
        MFA_SECRET_IN(p, password, password_len, "password");
        auto h = server::hash_password(p);
        if (!h) return fail(h.error());
        return put_alloc(out_phc, *h);
    });
}

int mfa_server_password_check(const char* password, size_t password_len, const char* user) {
    return guarded([&] {
        MFA_SECRET_IN(p, password, password_len, "password");
        MFA_IN_OPT(u, user, "user");
        auto r = server::check_password({}, p, u);
        return r ? MFA_OK : fail(r.error());
    });
}

int mfa_server_token_create(mfa_server_t* s, char** out_json, const char* user, const char* name, const char* scopes,
                            int64_t expires, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(n, name, "name");
        MFA_IN_OPT(sc, scopes, "scopes");
        MFA_IN_OPT(i, ip, "source_ip");
        std::vector<std::string> list;
        std::size_t pos = 0;
        while (pos < sc.size()) {
            const auto sp = sc.find(' ', pos);
            const auto w = sc.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos);
            if (!w.empty()) list.emplace_back(w);
            if (sp == std::string_view::npos) break;
            pos = sp + 1;
        }
        auto t = s->tk->token_create(u, n, std::move(list), expires, ctx("", i));
        if (!t) return fail(t.error());
        return SecretJson().add("token", t->token.view()).add("id", t->info.id).put(out_json);
    });
}

int mfa_server_token_verify(mfa_server_t* s, char** out_json, const char* token, size_t token_len, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_SECRET_IN(t, token, token_len, "token");
        MFA_IN_OPT(i, ip, "source_ip");
        auto info = s->tk->token_verify(t, ctx("", i));
        if (!info) return fail(info.error());
        if (out_json == nullptr) return MFA_OK;
        return put_alloc(out_json, server::token_info_json(*info));
    });
}

int mfa_server_token_list(mfa_server_t* s, char** out_json, const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        auto l = s->tk->token_list(u);
        if (!l) return fail(l.error());
        return put_alloc(out_json, server::token_infos_json(*l));
    });
}

int mfa_server_token_revoke(mfa_server_t* s, const char* user, const char* id, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(d, id, "id");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto r = s->tk->token_revoke(u, d, ctx(a, i));
        return r ? MFA_OK : fail(r.error());
    });
}

int mfa_server_lock_status(mfa_server_t* s, char** out_json, const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        auto l = s->tk->lock_status(u);
        if (!l) return fail(l.error());
        return put_alloc(out_json, server::lock_status_json(u, *l));
    });
}

int mfa_server_unlock(mfa_server_t* s, const char* user, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto r = s->tk->unlock(u, ctx(a, i));
        return r ? MFA_OK : fail(r.error());
    });
}

int mfa_server_audit_verify(mfa_server_t* s, uint64_t* records, char* head, size_t cap, size_t* len) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        return audit_verify_out(s->tk->audit().verify(), records, head, cap, len);
    });
}

int mfa_server_audit_verify_expect(mfa_server_t* s, const char* expect_head, uint64_t* records, char* head, size_t cap,
                                   size_t* len) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(e, expect_head, "expect_head");
        auto anchor = server::parse_audit_anchor(e);
        if (!anchor) return fail(anchor.error());
        return audit_verify_out(s->tk->audit().verify(*anchor), records, head, cap, len);
    });
}

int mfa_server_set_policy(mfa_server_t* s, const char* org, const char* policy_json, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(o, org, "org");
        MFA_IN(p, policy_json, "policy_json");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto pol = server::policy_from_json(p);
        if (!pol) return fail(pol.error());
        auto r = s->tk->set_policy(o, *pol, ctx(a, i));
        return r ? MFA_OK : fail(r.error());
    });
}

int mfa_server_login_decision(mfa_server_t* s, char** out_json, const char* org, const char* user, const char* state_json) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(o, org, "org");
        MFA_IN(u, user, "user");
        MFA_IN_OPT(st, state_json, "state_json");
        server::UserSecurityState state;
        if (!st.empty()) {
            auto parsed = mfa::json::parse_object(st, {.code = Errc::parse, .what = "state_json"});
            if (!parsed) return fail(parsed.error());
            nlohmann::json& j = *parsed;
            try {
                if (j.contains("roles")) state.roles = j["roles"].get<std::vector<std::string>>();
                if (j.contains("enrolled"))
                    for (const auto& f : j["enrolled"]) {
                        auto t = server::factor_from_string(f.get<std::string>());
                        if (!t) return fail(Errc::parse, "state_json: unknown factor type");
                        state.enrolled.push_back(*t);
                    }
                if (j.contains("joined_at")) state.joined_at = j["joined_at"].get<std::int64_t>();
                if (j.contains("email")) state.email = j["email"].get<std::string>();
                if (j.contains("source_ip")) state.source_ip = j["source_ip"].get<std::string>();
                if (j.contains("second_factor_verified")) state.second_factor_verified = j["second_factor_verified"].get<bool>();
                if (j.contains("password_changed_at")) state.password_changed_at = j["password_changed_at"].get<std::int64_t>();
            } catch (const nlohmann::json::exception& e) {
                return fail(Errc::parse, std::string("state_json: ") + e.what());
            }
        }
        auto d = s->tk->login_decision(o, u, std::move(state));
        if (!d) return fail(d.error());
        nlohmann::json acc = nlohmann::json::array();
        for (auto f : d->accepted) acc.push_back(std::string(server::to_string(f)));
        return put_alloc(out_json, nlohmann::json{{"decision", std::string(server::to_string(d->decision))}, {"reason", d->reason},
                                        {"may_skip", d->may_skip}, {"enroll_deadline", d->enroll_deadline},
                                        {"accepted", acc},
                                        {"password_change", std::string(server::to_string(d->password_change))}}.dump());
    });
}

int mfa_server_allowlist_check_ip(const char* list, const char* ip) {
    return guarded([&] {
        MFA_IN(l, list, "list");
        MFA_IN(a, ip, "ip");
        auto al = server::IpAllowList::parse(l);
        if (!al) return fail(al.error());
        auto ok = al->allows(a);
        if (!ok) return fail(ok.error());
        return *ok ? MFA_OK : fail(Errc::ip_not_allowed, std::string(a));
    });
}

int mfa_server_allowlist_check_email(const char* list, const char* email) {
    return guarded([&] {
        MFA_IN(l, list, "list");
        MFA_IN(e, email, "email");
        auto al = server::EmailDomainAllowList::parse(l);
        if (!al) return fail(al.error());
        auto ok = al->allows(e);
        if (!ok) return fail(ok.error());
        return *ok ? MFA_OK : fail(Errc::email_domain_not_allowed, "");
    });
}

int mfa_server_rewrap(mfa_server_t* s, size_t* moved) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        auto n = s->tk->rewrap();
        if (!n) return fail(n.error());
        if (moved) *moved = *n;
        return MFA_OK;
    });
}

int mfa_server_webauthn_register_begin(mfa_server_t* s, char** out_json, const char* user, const char* display_name,
                                       int resident, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(d, display_name, "display_name");
        MFA_IN_OPT(i, ip, "source_ip");
        auto rk = resident_key(resident);
        if (!rk) return fail(Errc::invalid_argument, "resident_key must be MFA_WEBAUTHN_RESIDENT_KEY_*");
        return ceremony_out(out_json, s->tk->webauthn_register_begin(u, d, *rk, ctx("", i)));
    });
}

int mfa_server_webauthn_register_finish(mfa_server_t* s, char** out_json, const char* user, const char* response_json,
                                        const char* name, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(r, response_json, "response_json");
        MFA_IN_OPT(n, name, "name");
        MFA_IN_OPT(i, ip, "source_ip");
        auto k = s->tk->webauthn_register_finish(u, r, n, ctx("", i));
        if (!k) return fail(k.error());
        return put_alloc(out_json, server::security_key_json(*k));
    });
}

int mfa_server_webauthn_login_begin(mfa_server_t* s, char** out_json, const char* user, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(i, ip, "source_ip");
        return ceremony_out(out_json, s->tk->webauthn_login_begin(u, ctx("", i)));
    });
}

int mfa_server_webauthn_login_finish(mfa_server_t* s, mfa_server_verify_result_t* out, const char* user,
                                     const char* response_json, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = check_out(out); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(r, response_json, "response_json");
        MFA_IN_OPT(i, ip, "source_ip");
        return verify_out(out, s->tk->webauthn_login_finish(u, r, ctx("", i)));
    });
}

int mfa_server_webauthn_login_begin_discoverable(mfa_server_t* s, char** out_json, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN_OPT(i, ip, "source_ip");
        return ceremony_out(out_json, s->tk->webauthn_login_begin_discoverable(ctx("", i)));
    });
}

int mfa_server_webauthn_login_finish_discoverable(mfa_server_t* s, mfa_server_verify_result_t* out, char** out_user,
                                                  const char* response_json, const char* ip) {
    return guarded([&] {
        if (out_user == nullptr) return fail(Errc::invalid_argument, "out_user is NULL");
        *out_user = nullptr;
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = check_out(out); rc != MFA_OK) return rc;
        MFA_IN(r, response_json, "response_json");
        MFA_IN_OPT(i, ip, "source_ip");
        auto res = s->tk->webauthn_login_finish_discoverable(r, ctx("", i));
        if (res && res->ok())
            if (int rc = put_alloc(out_user, res->user); rc != MFA_OK) return rc;
        return verify_out(out, res);
    });
}

int mfa_server_webauthn_list(mfa_server_t* s, char** out_json, const char* user) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        auto l = s->tk->webauthn_list(u);
        if (!l) return fail(l.error());
        return put_alloc(out_json, server::security_keys_json(*l));
    });
}

int mfa_server_webauthn_remove(mfa_server_t* s, const char* user, const char* id, const char* actor, const char* ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN(d, id, "id");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(i, ip, "source_ip");
        auto r = s->tk->webauthn_remove(u, d, ctx(a, i));
        return r ? MFA_OK : fail(r.error());
    });
}

}  // extern "C"

#include "mfa/server/admin_json.hpp"

#include "mfa/json.hpp"

namespace mfa::server {
namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json event(const AuditEvent& e) {
    return json{{"seq", e.seq},     {"ts", e.time},         {"time", utc_time(e.time)}, {"type", e.type},
                {"actor", e.actor}, {"subject", e.subject}, {"ip", e.source_ip},        {"detail", e.detail},
                {"orgs", e.orgs}};
}

json member(const Membership& m) {
    return json{{"user", m.user}, {"org", m.org}, {"role", std::string(to_string(m.role))}, {"since", m.since}};
}

json token(const TokenInfo& t) {
    return json{{"id", t.id},           {"user", t.user},       {"name", t.name},           {"scopes", t.scopes},
                {"created", t.created}, {"expires", t.expires}, {"last_used", t.last_used}, {"last_ip", t.last_ip}};
}

json security_key(const SecurityKeyInfo& k) {
    return json{{"id", k.id},
                {"name", k.name},
                {"aaguid", k.aaguid},
                {"alg", k.alg},
                {"sign_count", k.sign_count},
                {"transports", k.transports},
                {"backup_eligible", k.backup_eligible},
                {"backup_state", k.backup_state},
                {"uv_initialized", k.uv_initialized},
                {"discoverable", k.discoverable ? json(*k.discoverable) : json(nullptr)},
                {"attestation", {{"fmt", k.attestation_fmt}, {"type", k.attestation_type}, {"trusted", k.attestation_trusted}}},
                {"created", k.created},
                {"last_used", k.last_used}};
}

}  // namespace

std::string audit_event_json(const AuditEvent& e) { return dump(event(e)); }

std::string audit_page_json(const AuditPage& page) {
    json events = json::array();
    for (const auto& e : page.events) events.push_back(event(e));
    return dump(json{{"events", std::move(events)},
                     {"next_cursor", page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor)}});
}

std::string membership_json(const Membership& m) { return dump(member(m)); }

std::string memberships_json(const std::vector<Membership>& l) {
    json j = json::array();
    for (const auto& m : l) j.push_back(member(m));
    return dump(j);
}

std::string token_info_json(const TokenInfo& t) { return dump(token(t)); }

std::string token_infos_json(const std::vector<TokenInfo>& l) {
    json j = json::array();
    for (const auto& t : l) j.push_back(token(t));
    return dump(j);
}

std::string account_status_json(std::string_view user, const AccountStatus& s) {
    return dump(json{{"user", std::string(user)}, {"deleted", s.deleted}, {"deleted_at", s.deleted_at},
                     {"purge_after", s.purge_after}, {"deleted_by", s.deleted_by}});
}

std::string purged_json(const std::vector<PurgedAccount>& l) {
    json j = json::array();
    for (const auto& p : l) j.push_back({{"user", p.user}, {"deleted_at", p.deleted_at}, {"keys", p.keys}});
    return dump(j);
}

std::string password_state_report_json(std::string_view user, const PasswordState& s) {
    return dump(json{{"user", std::string(user)}, {"changed_at", s.changed_at}, {"must_change", std::string(to_string(s.must_change))}});
}

std::string security_key_json(const SecurityKeyInfo& k) { return dump(security_key(k)); }

std::string security_keys_json(const std::vector<SecurityKeyInfo>& l) {
    json j = json::array();
    for (const auto& k : l) j.push_back(security_key(k));
    return dump(j);
}

std::string verify_result_json(const VerifyResult& r) {
    return dump(json{{"ok", r.ok()},
                     {"status", std::string(errc_name(r.status))},
                     {"code", static_cast<int>(r.status)},
                     {"failures", r.failures},
                     {"retry_after", r.retry_after},
                     {"newly_locked", r.newly_locked},
                     {"needs_rehash", r.needs_rehash},
                     {"amr", r.amr},
                     {"user", r.user}});
}

std::string lock_status_json(std::string_view user, const LockStatus& s) {
    return dump(json{{"user", std::string(user)},
                     {"locked", s.locked},
                     {"retry_after", s.retry_after},
                     {"password_failures", s.password.failures},
                     {"second_factor_failures", s.second_factor.failures}});
}

std::string factor_state_json(std::string_view user, const FactorState& s) {
    json enrolled = json::array();
    for (auto f : s.enrolled) enrolled.push_back(std::string(to_string(f)));
    return dump(json{{"user", std::string(user)},
                     {"totp", s.totp},
                     {"totp_since", s.totp_since},
                     {"hwtoken", s.hwtoken.empty() ? json(nullptr) : json(s.hwtoken)},
                     {"otp_type", s.totp ? json(std::string(to_string(s.otp_type))) : json(nullptr)},
                     {"totp_pending", s.totp_pending},
                     {"security_keys", s.security_keys},
                     {"passkeys", s.passkeys},
                     {"recovery_codes_left", s.recovery_codes_left},
                     {"enrolled", std::move(enrolled)}});
}

std::string role_permissions_json() {
    json j = json::object();
    for (auto role : {Role::owner, Role::admin, Role::member}) {
        json l = json::array();
        for (auto p : role_permissions(role)) l.push_back(std::string(to_string(p)));
        j[std::string(to_string(role))] = std::move(l);
    }
    return dump(j);
}

}  // namespace mfa::server

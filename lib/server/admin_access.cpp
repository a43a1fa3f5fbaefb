// What a service shows and decides about a user without keeping its own copy: the user's factor
// state, and the role table that authorizes an organization's administration (account.hpp).
#include <algorithm>

#include "admin_keys.hpp"
#include "mfa/encoding.hpp"
#include "records.hpp"

namespace mfa::server {

std::string_view to_string(Permission p) noexcept {
    switch (p) {
        case Permission::policy_change: return "policy.change";
        case Permission::roles_change: return "roles.change";
        case Permission::members_manage: return "members.manage";
        case Permission::audit_read: return "audit.read";
        case Permission::api_keys_manage: return "api_keys.manage";
        case Permission::otp_tokens_manage: return "otp_tokens.manage";
        case Permission::data_protection_read: return "data_protection.read";
    }
    return "?";
}

std::optional<Permission> permission_from_string(std::string_view s) noexcept {
    for (auto p : kPermissions)
        if (to_string(p) == s) return p;
    return std::nullopt;
}

bool role_allows(Role role, Permission p) noexcept {
    switch (role) {
        case Role::owner: return true;
        case Role::admin: return p != Permission::policy_change && p != Permission::roles_change;
        case Role::member: return false;
    }
    return false;
}

std::vector<Permission> role_permissions(Role role) {
    std::vector<Permission> out;
    for (auto p : kPermissions)
        if (role_allows(role, p)) out.push_back(p);
    return out;
}

Status Toolkit::authorize(std::string_view actor, std::string_view org, Permission p, std::string_view target,
                          const RequestContext& ctx) {
    auto a = user_key_part(actor);
    if (!a) return std::move(a).error();
    if (auto o = user_key_part(org); !o) return std::move(o).error();
    MFA_TRY(check_active(*a));
    auto refuse = [&](std::string why) -> Status {
        RequestContext c = ctx;
        c.actor = std::string(actor);
        c.org = std::string(org);
        MFA_TRY(record_in("permission.denied", target.empty() ? actor : target,
                          std::string(to_string(p)) + ": " + why, c, {}));
        return Error{Errc::permission_denied, std::move(why)};
    };
    auto m = membership(actor);
    if (!m) return std::move(m).error();
    if (!m->has_value() || (*m)->org != org) return refuse(std::string(actor) + " is not a member of " + std::string(org));
    const Role role = (*m)->role;
    if (!role_allows(role, p))
        return refuse("the role " + std::string(to_string(role)) + " does not have " + std::string(to_string(p)));
    if (target.empty()) return {};
    auto t = membership(target);
    if (!t) return std::move(t).error();
    if (!t->has_value() || (*t)->org != org) return refuse(std::string(target) + " is not a member of " + std::string(org));
    if ((*t)->role > role)
        return refuse("an " + std::string(to_string(role)) + " may not act on an " + std::string(to_string((*t)->role)));
    return {};
}

Result<FactorState> Toolkit::factor_state(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    FactorState s;
    auto raw = store_->get(keys::totp(*u));
    if (!raw) return std::move(raw).error();
    if (raw->has_value()) {
        auto rec = detail::parse_totp_record(as_chars(**raw));
        if (!rec) return Error{Errc::store_corrupt, "TOTP factor of '" + std::string(user) + "': " + rec.error().detail};
        s.totp = true;
        s.totp_since = rec->created;
        s.hwtoken = rec->hwtoken;
        s.otp_type = rec->type;
        s.enrolled.push_back(FactorType::totp);
    }
    auto pending = store_->get(keys::totp_pending(*u));
    if (!pending) return std::move(pending).error();
    s.totp_pending = pending->has_value();
    auto keys = webauthn_list(user);
    if (!keys) return std::move(keys).error();
    s.security_keys = keys->size();
    s.passkeys = static_cast<std::size_t>(
        std::count_if(keys->begin(), keys->end(), [](const SecurityKeyInfo& k) { return k.discoverable.value_or(false); }));
    if (!keys->empty()) s.enrolled.push_back(FactorType::webauthn);
    auto left = recovery_remaining(user);
    if (!left) return std::move(left).error();
    s.recovery_codes_left = *left;
    return s;
}

}  // namespace mfa::server

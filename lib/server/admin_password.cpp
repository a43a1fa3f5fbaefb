// Password renewal: when each user's password was set, a forced change after a reset or a
// suspected compromise, and the organization's password rules (character classes, maximum age),
// which login_decision applies (decide(): must_change_password).
#include "admin_keys.hpp"

namespace mfa::server {

Result<PasswordPolicy> Toolkit::password_policy(std::string_view org) {
    auto p = policy(org);
    if (!p) return std::move(p).error();
    PasswordPolicy pw;
    pw.require_character_classes = p->password_min_classes > 0;
    if (pw.require_character_classes) pw.min_character_classes = p->password_min_classes;
    pw.max_age_seconds = p->password_max_age;
    return pw;
}

Status Toolkit::password_check(std::string_view org, std::string_view password, std::string_view user) {
    auto p = password_policy(org);
    if (!p) return std::move(p).error();
    return check_password(*p, password, user);
}

Result<PasswordState> Toolkit::password_state(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto raw = store_->get(keys::password_state(*u));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return PasswordState{};
    return detail::parse_password_state(as_chars(**raw));
}

Status Toolkit::password_changed(std::string_view user, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    MFA_TRY(check_active(*u));
    PasswordState s{now(), PasswordChange::none};
    MFA_TRY(store_->put(keys::password_state(*u), as_bytes(detail::password_state_json(s))));
    return record_in("password.changed", user, "", ctx, {});
}

Status Toolkit::password_require_change(std::string_view user, PasswordChange why, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (why != PasswordChange::reset && why != PasswordChange::compromised)
        return {Errc::invalid_argument, "a forced change is for a reset or a suspected compromise"};
    MFA_TRY(check_active(*u));
    auto s = password_state(user);
    if (!s) return std::move(s).error();
    s->must_change = why;
    MFA_TRY(store_->put(keys::password_state(*u), as_bytes(detail::password_state_json(*s))));
    return record_in(why == PasswordChange::reset ? "password.reset" : "password.compromised", user,
                     "a change is required at the next login", ctx, {});
}

}  // namespace mfa::server

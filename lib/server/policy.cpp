#include "mfa/server/policy.hpp"

#include <algorithm>
#include "mfa/json.hpp"

namespace mfa::server {

std::string_view to_string(FactorType f) noexcept {
    switch (f) {
        case FactorType::totp: return "totp";
        case FactorType::webauthn: return "webauthn";
        case FactorType::recovery_code: return "recovery_code";
    }
    return "unknown";
}

std::optional<FactorType> factor_from_string(std::string_view s) noexcept {
    if (s == "totp") return FactorType::totp;
    if (s == "webauthn") return FactorType::webauthn;
    if (s == "recovery_code") return FactorType::recovery_code;
    return std::nullopt;
}

std::string_view to_string(Decision d) noexcept {
    switch (d) {
        case Decision::allow: return "allow";
        case Decision::must_enroll: return "must_enroll";
        case Decision::must_verify: return "must_verify";
        case Decision::deny: return "deny";
        case Decision::must_change_password: return "must_change_password";
    }
    return "unknown";
}

Status validate(const OrgPolicy& p) {
    if (p.grace_period < 0 || p.grace_period > kMaxGracePeriod) return {Errc::policy_invalid, "grace_period must be 0..365 days"};
    if (p.require == OrgPolicy::Requirement::roles && p.roles.empty())
        return {Errc::policy_invalid, "a role requirement needs at least one role"};
    for (const auto& r : p.roles)
        if (r.empty() || r.size() > 128) return {Errc::policy_invalid, "role names are 1..128 bytes"};
    if (p.roles.size() > 256) return {Errc::policy_invalid, "at most 256 roles"};
    if (p.allowed.empty()) return {Errc::policy_invalid, "allowed factor types must not be empty"};
    if (p.token_max_lifetime < 0 || p.token_max_lifetime > kMaxTokenLifetime)
        return {Errc::policy_invalid, "token_max_lifetime must be 0..3650 days (0 = no maximum)"};
    if (p.password_max_age < 0 || p.password_max_age > kMaxPasswordAge)
        return {Errc::policy_invalid, "password_max_age must be 0..3650 days (0 = never)"};
    if (p.password_max_age != 0 && p.password_max_age < 86400)
        return {Errc::policy_invalid, "password_max_age below one day"};
    if (p.password_min_classes > 4) return {Errc::policy_invalid, "password_min_classes must be 0..4"};
    for (auto f : p.allowed)
        if (f == FactorType::recovery_code) return {Errc::policy_invalid, "recovery codes are a fallback, not an enrollable factor"};
    return {};
}

namespace {

PolicyDecision decide_factors(const OrgPolicy& p, const UserSecurityState& u, std::int64_t now) {
    PolicyDecision d;
    if (u.locked) {
        d.reason = "account locked after failed attempts";
        return d;
    }
    if (!p.ip_allow.empty()) {
        auto ok = p.ip_allow.allows(u.source_ip);
        if (!ok || !*ok) {
            d.reason = "source address outside the allowed ranges";
            return d;
        }
    }
    if (!p.email_allow.empty()) {
        auto ok = p.email_allow.allows(u.email);
        if (!ok || !*ok) {
            d.reason = "email domain not allowed";
            return d;
        }
    }
    bool required = p.require == OrgPolicy::Requirement::everyone;
    if (p.require == OrgPolicy::Requirement::roles)
        for (const auto& r : u.roles)
            if (std::find(p.roles.begin(), p.roles.end(), r) != p.roles.end()) required = true;
    std::vector<FactorType> usable;
    std::string outside;  // enrolled factors the policy no longer allows
    for (auto f : u.enrolled) {
        if (f == FactorType::recovery_code) continue;
        if (std::find(p.allowed.begin(), p.allowed.end(), f) != p.allowed.end()) {
            usable.push_back(f);
        } else if (outside.find(to_string(f)) == std::string::npos) {
            outside += (outside.empty() ? "" : ", ") + std::string(to_string(f));
        }
    }
    if (!usable.empty()) {
        // Whoever has a factor is always asked for it, required or not.
        if (u.second_factor_verified) {
            d.decision = Decision::allow;
            d.reason = "second factor verified";
        } else {
            d.decision = Decision::must_verify;
            d.reason = "second factor enrolled";
            d.accepted = usable;
            d.accepted.push_back(FactorType::recovery_code);
        }
        return d;
    }
    if (!outside.empty()) {
        // A user who has a second factor never falls back to the password alone: narrowing
        // `allowed` must not turn their factor into no factor. Enroll an allowed one, no skipping.
        d.decision = Decision::must_enroll;
        d.accepted = p.allowed;
        d.enroll_deadline = now;
        d.reason = "enrolled factor (" + outside + ") not allowed by the policy: enroll an allowed factor to continue";
        return d;
    }
    if (!required) {
        d.decision = Decision::allow;
        d.reason = "no second factor required";
        return d;
    }
    d.decision = Decision::must_enroll;
    d.accepted = p.allowed;
    d.enroll_deadline = std::max(p.effective_since, u.joined_at) + p.grace_period;
    d.may_skip = now < d.enroll_deadline;
    d.reason = d.may_skip ? "second factor required: enroll before the deadline"
                          : "second factor required and the grace period is over: enroll to continue";
    return d;
}

}  // namespace

PolicyDecision decide(const OrgPolicy& p, const UserSecurityState& u, std::int64_t now) {
    PolicyDecision d = decide_factors(p, u, now);
    // The password is renewed once the user has proven every factor they have: a change asked for
    // before the second factor would let a stolen password alone replace itself.
    if (d.decision != Decision::allow && d.decision != Decision::must_enroll) return d;
    PasswordChange why = u.password_must_change;
    if (why == PasswordChange::none && p.password_max_age > 0 && u.password_changed_at > 0 &&
        now - u.password_changed_at >= p.password_max_age)
        why = PasswordChange::max_age;
    if (why == PasswordChange::none) return d;
    PolicyDecision c;
    c.decision = Decision::must_change_password;
    c.password_change = why;
    c.reason = why == PasswordChange::max_age ? "the password is older than the organization's maximum age: change it to continue"
               : why == PasswordChange::reset ? "the password was reset by an administrator: change it to continue"
                                              : "the password is suspected compromised: change it to continue";
    return c;
}

std::string policy_to_json(const OrgPolicy& p) {
    nlohmann::json j;
    j["require"] = p.require == OrgPolicy::Requirement::optional ? "optional"
                   : p.require == OrgPolicy::Requirement::everyone ? "everyone" : "roles";
    j["roles"] = p.roles;
    j["grace_period"] = p.grace_period;
    j["effective_since"] = p.effective_since;
    auto& a = j["allowed"] = nlohmann::json::array();
    for (auto f : p.allowed) a.push_back(std::string(to_string(f)));
    j["ip_allow"] = p.ip_allow.format();
    j["email_allow"] = p.email_allow.format();
    j["token_max_lifetime"] = p.token_max_lifetime;
    j["password_max_age"] = p.password_max_age;
    j["password_min_classes"] = p.password_min_classes;
    return j.dump();
}

Result<OrgPolicy> policy_from_json(std::string_view text) {
    auto parsed = json::parse_object(text, {.code = Errc::policy_invalid, .what = "policy JSON", .max_bytes = 512 * 1024});
    if (!parsed) return std::move(parsed).error();
    const json::Value& j = *parsed;
    OrgPolicy p;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const auto& v = it.value();
        if (k == "require") {
            if (!v.is_string()) return Error{Errc::policy_invalid, "require must be a string"};
            const auto s = v.get<std::string>();
            if (s == "optional") p.require = OrgPolicy::Requirement::optional;
            else if (s == "everyone") p.require = OrgPolicy::Requirement::everyone;
            else if (s == "roles") p.require = OrgPolicy::Requirement::roles;
            else return Error{Errc::policy_invalid, "require must be optional, everyone or roles"};
        } else if (k == "roles") {
            if (!v.is_array()) return Error{Errc::policy_invalid, "roles must be an array"};
            for (const auto& r : v) {
                if (!r.is_string()) return Error{Errc::policy_invalid, "roles must be strings"};
                p.roles.push_back(r.get<std::string>());
            }
        } else if (k == "grace_period" || k == "effective_since" || k == "token_max_lifetime" || k == "password_max_age") {
            if (!v.is_number_integer()) return Error{Errc::policy_invalid, k + " must be an integer"};
            (k == "grace_period"         ? p.grace_period
             : k == "effective_since"    ? p.effective_since
             : k == "token_max_lifetime" ? p.token_max_lifetime
                                         : p.password_max_age) = v.get<std::int64_t>();
        } else if (k == "password_min_classes") {
            if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 4)
                return Error{Errc::policy_invalid, "password_min_classes must be 0..4"};
            p.password_min_classes = static_cast<unsigned>(v.get<std::uint64_t>());
        } else if (k == "allowed") {
            if (!v.is_array()) return Error{Errc::policy_invalid, "allowed must be an array"};
            p.allowed.clear();
            for (const auto& f : v) {
                auto t = f.is_string() ? factor_from_string(f.get<std::string>()) : std::nullopt;
                if (!t) return Error{Errc::policy_invalid, "unknown factor type in allowed"};
                p.allowed.push_back(*t);
            }
        } else if (k == "ip_allow" || k == "email_allow") {
            if (!v.is_string()) return Error{Errc::policy_invalid, k + " must be a string"};
            if (k == "ip_allow") {
                auto l = IpAllowList::parse(v.get<std::string>());
                if (!l) return std::move(l).error();
                p.ip_allow = std::move(*l);
            } else {
                auto l = EmailDomainAllowList::parse(v.get<std::string>());
                if (!l) return std::move(l).error();
                p.email_allow = std::move(*l);
            }
        } else {
            return Error{Errc::policy_invalid, "unknown field '" + k.substr(0, 64) + "'"};
        }
    }
    MFA_TRY(validate(p));
    return p;
}

}  // namespace mfa::server

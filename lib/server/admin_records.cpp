#include "admin_keys.hpp"
#include "mfa/json.hpp"

namespace mfa::server {

std::string_view to_string(Role r) noexcept {
    switch (r) {
        case Role::member: return "member";
        case Role::admin: return "admin";
        case Role::owner: return "owner";
    }
    return "member";
}

std::optional<Role> role_from_string(std::string_view s) noexcept {
    if (s == "member") return Role::member;
    if (s == "admin") return Role::admin;
    if (s == "owner") return Role::owner;
    return std::nullopt;
}

std::string_view to_string(PasswordChange c) noexcept {
    switch (c) {
        case PasswordChange::none: return "none";
        case PasswordChange::max_age: return "max_age";
        case PasswordChange::reset: return "reset";
        case PasswordChange::compromised: return "compromised";
    }
    return "none";
}

}  // namespace mfa::server

namespace mfa::server::detail {
namespace {

using json = nlohmann::json;

Error corrupt(std::string_view what) { return Error{Errc::store_corrupt, std::string(what)}; }

// An object with exactly these members, version 1.
Result<json> read(std::string_view text, std::string_view what, std::initializer_list<const char*> members) {
    auto parsed = mfa::json::parse_object(text, {.code = Errc::store_corrupt, .what = what, .max_bytes = 4096});
    if (!parsed) return std::move(parsed).error();
    json& j = *parsed;
    if (j.size() != members.size()) return corrupt(std::string(what) + ": unexpected members");
    for (const char* k : members)
        if (!j.contains(k)) return corrupt(std::string(what) + ": no " + k);
    if (!(j["v"].is_number_unsigned() && j["v"].get<unsigned>() == 1)) return corrupt(std::string(what) + ": version");
    return j;
}

}  // namespace

std::string membership_json(const Membership& m) {
    json j{{"v", 1}, {"user", m.user}, {"org", m.org}, {"role", std::string(to_string(m.role))}, {"since", m.since}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Membership> parse_membership(std::string_view text) {
    auto j = read(text, "membership record", {"v", "user", "org", "role", "since"});
    if (!j) return std::move(j).error();
    if (!(*j)["user"].is_string() || !(*j)["org"].is_string() || !(*j)["role"].is_string() || !(*j)["since"].is_number_integer())
        return corrupt("membership record: field types");
    Membership m;
    m.user = (*j)["user"].get<std::string>();
    m.org = (*j)["org"].get<std::string>();
    auto role = role_from_string((*j)["role"].get<std::string>());
    if (!role) return corrupt("membership record: role");
    m.role = *role;
    m.since = (*j)["since"].get<std::int64_t>();
    return m;
}

std::string deletion_json(const AccountStatus& s) {
    json j{{"v", 1}, {"deleted_at", s.deleted_at}, {"purge_after", s.purge_after}, {"by", s.deleted_by}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<AccountStatus> parse_deletion(std::string_view text) {
    auto j = read(text, "deletion record", {"v", "deleted_at", "purge_after", "by"});
    if (!j) return std::move(j).error();
    if (!(*j)["deleted_at"].is_number_integer() || !(*j)["purge_after"].is_number_integer() || !(*j)["by"].is_string())
        return corrupt("deletion record: field types");
    AccountStatus s;
    s.deleted = true;
    s.deleted_at = (*j)["deleted_at"].get<std::int64_t>();
    s.purge_after = (*j)["purge_after"].get<std::int64_t>();
    s.deleted_by = (*j)["by"].get<std::string>();
    return s;
}

std::string password_state_json(const PasswordState& s) {
    return json{{"v", 1}, {"changed_at", s.changed_at}, {"must_change", std::string(to_string(s.must_change))}}.dump();
}

Result<PasswordState> parse_password_state(std::string_view text) {
    auto j = read(text, "password state record", {"v", "changed_at", "must_change"});
    if (!j) return std::move(j).error();
    if (!(*j)["changed_at"].is_number_integer() || !(*j)["must_change"].is_string())
        return corrupt("password state record: field types");
    PasswordState s;
    s.changed_at = (*j)["changed_at"].get<std::int64_t>();
    const auto why = (*j)["must_change"].get<std::string>();
    if (why == "none") s.must_change = PasswordChange::none;
    else if (why == "reset") s.must_change = PasswordChange::reset;
    else if (why == "compromised") s.must_change = PasswordChange::compromised;
    else return corrupt("password state record: must_change");
    return s;
}

}  // namespace mfa::server::detail

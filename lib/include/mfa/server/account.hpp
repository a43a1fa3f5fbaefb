// Accounts as an organization's administrators manage them: membership of an organization with a
// role, deletion with a retention period (restorable until purged), and the password's renewal
// state. The toolkit does not own the service's user table: these records sit beside the factors
// in the store, under the user's hash tag, and every change is audited (docs/server.md
// "Organizations and accounts").
//
// Store keys (toolkit.hpp has the others):
//   mfa:member:{<user>}            the user's organization and role (JSON)
//   mfa:orgmember:{<org>}:<user>   the organization's member index (value: the user name)
//   mfa:deleted:{<user>}           the deletion (JSON: when, purge after, by whom)
//   mfa:deleted-idx:<user>         the purge job's index (value: the user name)
//   mfa:pwd:{<user>}               password renewal state (JSON: when set, forced change and why)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mfa::server {

enum class Role : std::uint8_t { member, admin, owner };
std::string_view to_string(Role) noexcept;
std::optional<Role> role_from_string(std::string_view) noexcept;

// One organization a user: a second set_membership moves the user.
struct Membership {
    std::string user;
    std::string org;
    Role role = Role::member;
    std::int64_t since = 0;   // Unix time of the last change
};

inline constexpr std::int64_t kDefaultAccountRetention = 30 * 86400;  // a month
inline constexpr std::int64_t kMaxAccountRetention = 3650LL * 86400;

struct AccountStatus {
    bool deleted = false;
    std::int64_t deleted_at = 0;
    std::int64_t purge_after = 0;   // restorable before this Unix time; purge() removes it after
    std::string deleted_by;
};

struct PurgedAccount {
    std::string user;
    std::int64_t deleted_at = 0;
    std::size_t keys = 0;           // store keys removed
};

// Why a password must be changed before the login completes.
enum class PasswordChange : std::uint8_t { none, max_age, reset, compromised };
std::string_view to_string(PasswordChange) noexcept;

struct PasswordState {
    std::int64_t changed_at = 0;             // 0 = never recorded (password_changed)
    PasswordChange must_change = PasswordChange::none;  // reset or compromised, until the next change
};

}  // namespace mfa::server

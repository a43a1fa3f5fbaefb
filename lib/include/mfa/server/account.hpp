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

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfa::server {

enum class Role : std::uint8_t { member, admin, owner };
std::string_view to_string(Role) noexcept;
std::optional<Role> role_from_string(std::string_view) noexcept;

// What a role may do in its organization's administration (docs/server.md "Roles and permissions").
// Every member manages their own factors, tokens and password; these are the actions on the
// organization and on other members. The table (role_allows):
//   permission            owner  admin  member
//   policy.change           x
//   roles.change            x
//   members.manage          x      x            invite, remove, unlock, require a new password,
//                                               delete and restore accounts
//   audit.read              x      x
//   api_keys.manage         x      x            the organization's API keys (list, revoke)
//   otp_tokens.manage       x      x            hardware OTP tokens (import, assign, retire)
//   data_protection.read    x      x            backups and the key ring's state
// Toolkit::authorize applies it (and that an admin never acts on an owner).
enum class Permission : std::uint8_t {
    policy_change, roles_change, members_manage, audit_read, api_keys_manage, otp_tokens_manage, data_protection_read
};
inline constexpr std::array<Permission, 7> kPermissions = {
    Permission::policy_change,   Permission::roles_change,      Permission::members_manage,      Permission::audit_read,
    Permission::api_keys_manage, Permission::otp_tokens_manage, Permission::data_protection_read};
std::string_view to_string(Permission) noexcept;
std::optional<Permission> permission_from_string(std::string_view) noexcept;
bool role_allows(Role role, Permission p) noexcept;
// The permissions of a role, in kPermissions order.
std::vector<Permission> role_permissions(Role role);

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

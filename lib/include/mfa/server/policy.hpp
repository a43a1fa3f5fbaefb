// Organization account-security policy and the login decision.
//
// A policy says who must have a second factor (nobody, everyone, or members of given roles), how long
// a user has to enroll once the requirement applies to them (the grace period, counted from the
// later of the policy's start and the user's joining), which factor types count, and which source
// IPs and email domains may log in at all; and for administration, the longest an API token may live,
// the password's maximum age and the character-class rule of the organization's password policy. decide() turns a policy and a user's state into one of
// allow / must_enroll / must_verify / deny. Policies are stored as JSON (policy_to_json /
// policy_from_json, fuzzed by fuzz_server_records).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/server/account.hpp"
#include "mfa/server/allowlist.hpp"

namespace mfa::server {

enum class FactorType : std::uint8_t { totp, webauthn, recovery_code };
std::string_view to_string(FactorType) noexcept;
std::optional<FactorType> factor_from_string(std::string_view) noexcept;

struct OrgPolicy {
    enum class Requirement : std::uint8_t { optional, everyone, roles };
    Requirement require = Requirement::optional;
    std::vector<std::string> roles;              // with Requirement::roles
    std::int64_t grace_period = 7 * 86400;       // seconds
    std::int64_t effective_since = 0;            // Unix time the requirement started
    std::vector<FactorType> allowed = {FactorType::totp, FactorType::webauthn};  // what counts as enrolled
    IpAllowList ip_allow;                        // empty = any address
    EmailDomainAllowList email_allow;            // empty = any domain
    // Administration (docs/server.md "Organizations and accounts"):
    std::int64_t token_max_lifetime = 0;         // seconds an API token of a member may live; 0 = no maximum
    std::int64_t password_max_age = 0;           // seconds before a password must be changed; 0 = never
    unsigned password_min_classes = 0;           // 0 = off; 1..4 of upper, lower, digit, other ("3 of 4")
};
inline constexpr std::int64_t kMaxTokenLifetime = 3650LL * 86400;
inline constexpr std::int64_t kMaxPasswordAge = 3650LL * 86400;
inline constexpr std::int64_t kMaxGracePeriod = 365 * 86400;
Status validate(const OrgPolicy& p);

struct UserSecurityState {
    std::vector<std::string> roles;
    std::vector<FactorType> enrolled;   // active factors (recovery codes never count as enrollment)
    std::int64_t joined_at = 0;
    std::string email;
    std::string source_ip;
    bool second_factor_verified = false;  // in this login
    bool locked = false;
    // Password renewal: when it was last set (0 = unknown: the maximum age is not applied) and a
    // forced change (after a reset or a suspected compromise). login_decision reads both from the
    // store (password_changed ...) when the store has them.
    std::int64_t password_changed_at = 0;
    PasswordChange password_must_change = PasswordChange::none;
};

// must_change_password: every factor passed (it is never answered before the second factor), but
// the password must be changed (password_change says why) before the login completes.
enum class Decision : std::uint8_t { allow, must_enroll, must_verify, deny, must_change_password };
std::string_view to_string(Decision) noexcept;

struct PolicyDecision {
    Decision decision = Decision::deny;
    std::string reason;                 // why, for logs and operators (never shown as an oracle)
    std::int64_t enroll_deadline = 0;   // must_enroll: until when the user may still skip
    bool may_skip = false;              // must_enroll within the grace period
    std::vector<FactorType> accepted;   // must_verify / must_enroll: the factor types that satisfy it
    PasswordChange password_change = PasswordChange::none;  // must_change_password: why
};

PolicyDecision decide(const OrgPolicy& policy, const UserSecurityState& user, std::int64_t now);

std::string policy_to_json(const OrgPolicy& p);
// Errors: policy_invalid (the detail names the field), allowlist_syntax.
Result<OrgPolicy> policy_from_json(std::string_view json);

}  // namespace mfa::server

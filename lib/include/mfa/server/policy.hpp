// Organization account-security policy and the login decision.
//
// A policy says who must have a second factor (nobody, everyone, or members of given roles), how long
// a user has to enroll once the requirement applies to them (the grace period, counted from the
// later of the policy's start and the user's joining), which factor types count, and which source
// IPs and email domains may log in at all. decide() turns a policy and a user's state into one of
// allow / must_enroll / must_verify / deny. Policies are stored as JSON (policy_to_json /
// policy_from_json, fuzzed by fuzz_server_records).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mfa/error.hpp"
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
};
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
};

enum class Decision : std::uint8_t { allow, must_enroll, must_verify, deny };
std::string_view to_string(Decision) noexcept;

struct PolicyDecision {
    Decision decision = Decision::deny;
    std::string reason;                 // why, for logs and operators (never shown as an oracle)
    std::int64_t enroll_deadline = 0;   // must_enroll: until when the user may still skip
    bool may_skip = false;              // must_enroll within the grace period
    std::vector<FactorType> accepted;   // must_verify / must_enroll: the factor types that satisfy it
};

PolicyDecision decide(const OrgPolicy& policy, const UserSecurityState& user, std::int64_t now);

std::string policy_to_json(const OrgPolicy& p);
// Errors: policy_invalid (the detail names the field), allowlist_syntax.
Result<OrgPolicy> policy_from_json(std::string_view json);

}  // namespace mfa::server

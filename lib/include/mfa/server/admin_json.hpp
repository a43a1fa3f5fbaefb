// The server toolkit's objects as JSON: one serializer a domain object, so the C ABI, Python and
// `mfa server … --json` print the same thing (docs/server.md "Organizations and accounts").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mfa/server/toolkit.hpp"

namespace mfa::server {

// {"seq","ts","time","type","actor","subject","ip","detail","orgs"}
std::string audit_event_json(const AuditEvent& e);
// {"events":[audit_event_json…],"next_cursor": "…" | null}
std::string audit_page_json(const AuditPage& page);
// {"user","org","role","since"}, and an array of them
std::string membership_json(const Membership& m);
std::string memberships_json(const std::vector<Membership>& l);
// {"id","user","name","scopes","created","expires","last_used","last_ip"}, and an array of them
std::string token_info_json(const TokenInfo& t);
std::string token_infos_json(const std::vector<TokenInfo>& l);
// {"user","deleted","deleted_at","purge_after","deleted_by"}
std::string account_status_json(std::string_view user, const AccountStatus& s);
// [{"user","deleted_at","keys"}]
std::string purged_json(const std::vector<PurgedAccount>& l);
// {"user","changed_at","must_change"}
std::string password_state_report_json(std::string_view user, const PasswordState& s);
// {"id","name","aaguid","alg","sign_count","transports","backup_eligible","backup_state",
//  "uv_initialized","discoverable" (bool | null: unknown),"attestation":{"fmt","type","trusted"},
//  "created","last_used"}, and an array of them
std::string security_key_json(const SecurityKeyInfo& k);
std::string security_keys_json(const std::vector<SecurityKeyInfo>& l);
// {"ok","status" (the Errc name),"code" (its number: mfa_server_verify_result_t's status),
//  "failures","retry_after","newly_locked","needs_rehash","amr" (array),"user"}
std::string verify_result_json(const VerifyResult& r);
// {"user","locked","retry_after","password_failures","second_factor_failures"}
std::string lock_status_json(std::string_view user, const LockStatus& s);

// {"user","totp","totp_since","hwtoken" (serial | null),"otp_type","totp_pending","security_keys",
//  "passkeys","recovery_codes_left","enrolled"}
std::string factor_state_json(std::string_view user, const FactorState& s);
// {"owner":[permission…],"admin":[…],"member":[…]}: the role table of account.hpp
std::string role_permissions_json();

}  // namespace mfa::server

// Store keys and records of the administration features (account.hpp lists the keys): membership,
// deletion and password renewal, each a small JSON record with a strict parser (store_corrupt when
// it does not parse, never guessed at).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mfa/server/account.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server::keys {
inline std::string member(const std::string& u) { return "mfa:member:" + tag(u); }
inline std::string org_members(const std::string& o) { return "mfa:orgmember:" + tag(o) + ":"; }
inline std::string deleted(const std::string& u) { return "mfa:deleted:" + tag(u); }
inline const std::string kDeletedIndex = "mfa:deleted-idx:";
inline std::string deleted_index(const std::string& u) { return kDeletedIndex + u; }
inline std::string password_state(const std::string& u) { return "mfa:pwd:" + tag(u); }
}  // namespace mfa::server::keys

namespace mfa::server::detail {

std::string membership_json(const Membership& m);
Result<Membership> parse_membership(std::string_view json);
std::string deletion_json(const AccountStatus& s);
Result<AccountStatus> parse_deletion(std::string_view json);
std::string password_state_json(const PasswordState& s);
Result<PasswordState> parse_password_state(std::string_view json);

}  // namespace mfa::server::detail

namespace mfa::server {
// A verification of a deleted account: account_deleted as the attempt's status (as a refused code
// is), any other failure of the check as the call's error.
inline Result<VerifyResult> refused_inactive(const Status& s) {
    if (s.code() != Errc::account_deleted) return s.error();
    VerifyResult r;
    r.status = Errc::account_deleted;
    return r;
}
}  // namespace mfa::server

// The one JSON view of a vault entry, without its secret: `mfa list|show|add|edit --json` and the C
// ABI's mfa_vault_list_json print it, so the two cannot drift apart.
//   {"id","issuer","name","type","algorithm","digits", "period" (totp, steam) or "counter" (hotp),
//    "tags","note","created","updated"}
#pragma once

#include <nlohmann/json.hpp>

#include "mfa/vault.hpp"

namespace mfa {

[[nodiscard]] nlohmann::json vault_entry_json(const VaultEntry& e);

}  // namespace mfa

// The plaintext inside the vault: the accounts, serialised into a wiped buffer (SecretBytes) and
// parsed with a bounded Reader. Internal to lib/vault; docs/vault-format.md §Payload is the layout.
#pragma once

#include <vector>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"
#include "mfa/vault.hpp"

namespace mfa::vault_detail {

inline constexpr std::uint8_t kPayloadVersion = 1;

SecretBytes encode_entries(const std::vector<VaultEntry>& entries);
// Errc::vault_payload with the entry index and field on malformed input.
Result<std::vector<VaultEntry>> decode_entries(ByteView plaintext);

}  // namespace mfa::vault_detail

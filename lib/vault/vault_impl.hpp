// The state behind mfa::Vault, shared by vault.cpp (files), slots.cpp (key slots) and
// entries.cpp (accounts). Internal to lib/vault.
#pragma once

#include <optional>

#include "file_io.hpp"
#include "format.hpp"
#include "locked_key.hpp"
#include "mfa/vault.hpp"

namespace mfa {

struct Vault::Impl {
    std::filesystem::path path;
    VaultOptions opts;
    std::optional<vault_detail::WriterLock> lock;   // held for OpenMode::write
    vault_detail::LockedKey master;
    vault_detail::Header header;                    // slots, vault id, generation of the loaded file
    std::vector<VaultEntry> entries;
    // Wrapping keys of the slots whose credential this session has seen (the one that unlocked or
    // created the vault, the ones added since), by slot index: a new master key (passwd, slot
    // remove) is rewrapped into them without asking for the credential again.
    std::vector<std::pair<std::size_t, SecretBytes>> known_keks;
};

namespace vault_detail {

// Errc::vault_kdf_params if the passphrase slots (but except) plus one with `added` would pass
// kVaultMaxKdfWork.
Status check_total_kdf_work(const std::vector<SlotRecord>& slots, std::optional<std::size_t> except,
                            const KdfParams& added);
// Wraps the master key into a slot under kek with a fresh nonce (slot metadata as AAD).
Status wrap_into(SlotRecord& slot, ByteView kek, const LockedKey& master);
// Unwraps a slot's master key; Errc::vault_tampered when the tag fails.
Result<LockedKey> unwrap_from(const SlotRecord& slot, ByteView kek);
// The wrapping key of a passphrase slot / a security-key slot.
Result<SecretBytes> passphrase_kek(const SlotRecord& slot, const SecretString& passphrase);
Result<SecretBytes> security_key_kek(const SlotRecord& slot, HmacSecretProvider& key);
// New slots.
// new_passphrase_slot hands out the slot's wrapping key in kek_out when given.
Result<SlotRecord> new_passphrase_slot(const SecretString& passphrase, const KdfParams& kdf,
                                       std::string label, const LockedKey& master,
                                       SecretBytes* kek_out = nullptr);
Result<SlotRecord> new_security_key_slot(HmacSecretProvider& key, ByteView vault_id, std::string label,
                                         const LockedKey& master, SecretBytes* kek_out = nullptr);

}  // namespace vault_detail
}  // namespace mfa

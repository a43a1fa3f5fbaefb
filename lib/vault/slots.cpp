// Key slots: wrapping the master key under a passphrase (Argon2id) or a security key
// (hmac-secret + HKDF), and the slot operations of mfa::Vault.
#include <algorithm>

#include "mfa/random.hpp"
#include "vault_impl.hpp"

namespace mfa {
namespace vault_detail {
namespace {
constexpr std::string_view kSecurityKeyInfo = "mfa-vault-v1 security-key slot";

Status check_label(const std::string& label) {
    if (label.size() > kVaultMaxLabel)
        return Error(Errc::invalid_argument, "slot label longer than " + std::to_string(kVaultMaxLabel) + " bytes");
    return {};
}
}  // namespace

Status check_total_kdf_work(const std::vector<SlotRecord>& slots, std::optional<std::size_t> except,
                            const KdfParams& added) {
    std::uint64_t work = std::uint64_t{added.memory_kib} * added.passes;
    for (std::size_t i = 0; i < slots.size(); ++i)
        if (i != except && slots[i].type == SlotType::passphrase)
            work += std::uint64_t{slots[i].kdf.memory_kib} * slots[i].kdf.passes;
    if (work > kVaultMaxKdfWork)
        return Error(Errc::vault_kdf_params, "Argon2id memory * passes summed over the passphrase slots would be " +
                                                 std::to_string(work) + " KiB, above the limit of " +
                                                 std::to_string(kVaultMaxKdfWork) + " per vault");
    return {};
}

Status wrap_into(SlotRecord& slot, ByteView kek, const LockedKey& master) {
    MFA_TRY(random_fill(slot.nonce));
    const Bytes aad = slot_aad(slot);
    auto sealed = gcm_seal(kek, slot.nonce, aad, master.view());
    if (!sealed) return std::move(sealed).error();
    std::copy(sealed->begin(), sealed->end(), slot.wrapped.begin());
    return {};
}

Result<LockedKey> unwrap_from(const SlotRecord& slot, ByteView kek) {
    const Bytes aad = slot_aad(slot);
    auto key = gcm_open(kek, slot.nonce, aad, slot.wrapped);
    if (!key) return std::move(key).error();
    return LockedKey::from(key->view());
}

Result<SecretBytes> passphrase_kek(const SlotRecord& slot, const SecretString& passphrase) {
    return argon2id_key(passphrase.view(), slot.salt, slot.kdf);
}

Result<SecretBytes> security_key_kek(const SlotRecord& slot, HmacSecretProvider& key) {
    auto out = key.hmac_secret(slot.rp_id, slot.credential_id, slot.salt);
    if (!out) {
        // not_found is the provider's way to say the credential is not on this authenticator.
        if (out.code() == Errc::not_found) return Error(Errc::vault_key_rejected, out.error().to_string());
        return Error(Errc::vault_key_provider, out.error().to_string());
    }
    if (out->size() != 32) return Error(Errc::vault_key_provider, "hmac-secret output is not 32 bytes");
    return hkdf_sha256(out->view(), slot.salt, kSecurityKeyInfo);
}

Result<SlotRecord> new_passphrase_slot(const SecretString& passphrase, const KdfParams& kdf,
                                       std::string label, const LockedKey& master, SecretBytes* kek_out) {
    MFA_TRY(check_label(label));
    SlotRecord s;
    s.type = SlotType::passphrase;
    s.kdf = kdf;
    s.label = std::move(label);
    MFA_TRY(random_fill(s.salt));
    auto kek = passphrase_kek(s, passphrase);
    if (!kek) return std::move(kek).error();
    MFA_TRY(wrap_into(s, kek->view(), master));
    if (kek_out != nullptr) *kek_out = std::move(*kek);
    return s;
}

Result<SlotRecord> new_security_key_slot(HmacSecretProvider& key, ByteView vault_id, std::string label,
                                         const LockedKey& master, SecretBytes* kek_out) {
    MFA_TRY(check_label(label));
    SlotRecord s;
    s.type = SlotType::security_key;
    s.rp_id = std::string(kVaultRpId);
    s.label = std::move(label);
    auto cred = key.make_credential(s.rp_id, vault_id);
    if (!cred) return Error(Errc::vault_key_provider, cred.error().to_string());
    if (cred->empty() || cred->size() > kVaultMaxCredentialId)
        return Error(Errc::vault_key_provider, "credential id of " + std::to_string(cred->size()) + " bytes");
    s.credential_id = std::move(*cred);
    MFA_TRY(random_fill(s.salt));
    auto kek = security_key_kek(s, key);
    if (!kek) return std::move(kek).error();
    MFA_TRY(wrap_into(s, kek->view(), master));
    if (kek_out != nullptr) *kek_out = std::move(*kek);
    return s;
}

}  // namespace vault_detail

using namespace vault_detail;

Status check_kdf_params(const KdfParams& p, bool allow_insecure) {
    if (p.lanes < 1 || p.lanes > kKdfMaxLanes)
        return Error(Errc::vault_kdf_params, "lanes " + std::to_string(p.lanes) + " (1.." + std::to_string(kKdfMaxLanes) + ")");
    if (p.passes < 1 || p.passes > kKdfMaxPasses)
        return Error(Errc::vault_kdf_params, "passes " + std::to_string(p.passes) + " (1.." + std::to_string(kKdfMaxPasses) + ")");
    // Argon2 needs at least 8 KiB per lane.
    if (p.memory_kib < 8 * p.lanes || p.memory_kib > kKdfMaxMemoryKib)
        return Error(Errc::vault_kdf_params, "memory " + std::to_string(p.memory_kib) + " KiB (8 KiB per lane .. " +
                                                 std::to_string(kKdfMaxMemoryKib) + " KiB)");
    if (std::uint64_t{p.memory_kib} * p.passes > kVaultMaxKdfWork)
        return Error(Errc::vault_kdf_params, "memory * passes " + std::to_string(std::uint64_t{p.memory_kib} * p.passes) +
                                                 " KiB above the limit of " + std::to_string(kVaultMaxKdfWork));
    if (!allow_insecure && (p.memory_kib < kKdfMinMemoryKib || p.passes < kKdfMinPasses))
        return Error(Errc::vault_kdf_params, "below the floor of " + std::to_string(kKdfMinMemoryKib) + " KiB and " +
                                                 std::to_string(kKdfMinPasses) + " passes");
    return {};
}

std::string_view to_string(SlotType t) noexcept {
    return t == SlotType::passphrase ? "passphrase" : "security-key";
}

std::vector<SlotInfo> Vault::slots() const {
    std::vector<SlotInfo> out;
    for (const auto& s : impl_->header.slots) out.push_back(slot_info(s));
    return out;
}

Result<std::size_t> Vault::add_passphrase_slot(const SecretString& passphrase, const KdfParams& kdf,
                                               std::string label) {
    MFA_TRY(check_kdf_params(kdf, impl_->opts.allow_insecure_kdf));
    if (impl_->header.slots.size() >= kVaultMaxSlots)
        return Error(Errc::limit_exceeded, "a vault holds at most " + std::to_string(kVaultMaxSlots) + " slots");
    MFA_TRY(check_total_kdf_work(impl_->header.slots, std::nullopt, kdf));
    SecretBytes kek;
    auto slot = new_passphrase_slot(passphrase, kdf, std::move(label), impl_->master, &kek);
    if (!slot) return std::move(slot).error();
    impl_->header.slots.push_back(std::move(*slot));
    impl_->known_keks.emplace_back(impl_->header.slots.size() - 1, std::move(kek));
    return impl_->header.slots.size() - 1;
}

Result<std::size_t> Vault::add_security_key_slot(HmacSecretProvider& key, std::string label) {
    if (impl_->header.slots.size() >= kVaultMaxSlots)
        return Error(Errc::limit_exceeded, "a vault holds at most " + std::to_string(kVaultMaxSlots) + " slots");
    SecretBytes kek;
    auto slot = new_security_key_slot(key, impl_->header.vault_id, std::move(label), impl_->master, &kek);
    if (!slot) return std::move(slot).error();
    impl_->header.slots.push_back(std::move(*slot));
    impl_->known_keks.emplace_back(impl_->header.slots.size() - 1, std::move(kek));
    return impl_->header.slots.size() - 1;
}

namespace vault_detail {
namespace {

using SlotKeks = std::vector<std::pair<std::size_t, SecretBytes>>;

// The wrapping key of each slot named in creds, each checked against the current master key so a
// wrong credential changes nothing.
Result<SlotKeks> checked_keks(const std::vector<SlotRecord>& slots, std::span<const SlotCredential> creds) {
    SlotKeks keks;
    for (const auto& c : creds) {
        if (c.slot >= slots.size()) return Error(Errc::vault_no_slot, "no slot " + std::to_string(c.slot));
        for (const auto& k : keks)
            if (k.first == c.slot) return Error(Errc::invalid_argument, "slot " + std::to_string(c.slot) + " named twice");
        const SlotRecord& s = slots[c.slot];
        Result<SecretBytes> kek = Error(Errc::invalid_argument, "");
        if (s.type == SlotType::passphrase) {
            if (c.passphrase == nullptr)
                return Error(Errc::invalid_argument, "slot " + std::to_string(c.slot) + " needs its passphrase");
            kek = passphrase_kek(s, *c.passphrase);
        } else {
            if (c.provider == nullptr)
                return Error(Errc::invalid_argument, "slot " + std::to_string(c.slot) + " needs its security key");
            kek = security_key_kek(s, *c.provider);
        }
        if (!kek) return std::move(kek).error();
        auto check = unwrap_from(s, kek->view());
        if (!check) {
            if (check.code() != Errc::vault_tampered) return std::move(check).error();
            return Error(s.type == SlotType::passphrase ? Errc::vault_wrong_passphrase : Errc::vault_key_rejected,
                         "slot " + std::to_string(c.slot));
        }
        keks.emplace_back(c.slot, std::move(*kek));
    }
    return keks;
}

// Wrapping keys for every slot but `except`: the ones given, plus those the session already knows.
// A slot left without one would keep the old master key, so it is an error naming the slot.
Result<SlotKeks> keks_for_all_but(const Vault::Impl& impl, std::optional<std::size_t> except,
                                  std::span<const SlotCredential> others) {
    const auto& slots = impl.header.slots;
    auto keks = checked_keks(slots, others);
    if (!keks) return keks;
    auto has = [&](std::size_t i) {
        return std::any_of(keks->begin(), keks->end(), [&](const auto& k) { return k.first == i; });
    };
    for (const auto& [i, kek] : impl.known_keks)
        if (i != except && !has(i)) keks->emplace_back(i, kek.clone());
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (i == except || has(i)) continue;
        return Error(Errc::invalid_argument,
                     "slot " + std::to_string(i) + " (" + std::string(to_string(slots[i].type)) + " \"" + slots[i].label +
                         "\") must be rewrapped under the new master key: give its " +
                         (slots[i].type == SlotType::passphrase ? "passphrase" : "security key") + ", or remove it first");
    }
    return keks;
}

// A new master key, wrapped into slots[i] under kek for each (i, kek); slots not named are dropped.
// The payload is encrypted under it at the next save, so backups made before open with the slots
// they hold but never decrypt what is written after.
Status rewrap_under_new_master(Vault::Impl& impl, std::vector<SlotRecord> slots, SlotKeks keks) {
    auto master = LockedKey::random();
    if (!master) return std::move(master).error();
    std::sort(keks.begin(), keks.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<SlotRecord> kept;
    std::vector<std::pair<std::size_t, SecretBytes>> known;
    for (auto& [index, kek] : keks) {
        SlotRecord s = slots[index];
        MFA_TRY(wrap_into(s, kek.view(), *master));
        known.emplace_back(kept.size(), std::move(kek));
        kept.push_back(std::move(s));
    }
    impl.header.slots = std::move(kept);
    impl.master = std::move(*master);
    impl.known_keks = std::move(known);
    return {};
}

}  // namespace
}  // namespace vault_detail

Status Vault::change_passphrase(std::size_t index, const SecretString& passphrase, const KdfParams& kdf,
                                std::span<const SlotCredential> others) {
    MFA_TRY(check_kdf_params(kdf, impl_->opts.allow_insecure_kdf));
    std::vector<SlotRecord> slots = impl_->header.slots;
    if (index >= slots.size() || slots[index].type != SlotType::passphrase)
        return Error(Errc::vault_no_slot, "slot " + std::to_string(index) + " is not a passphrase slot");
    MFA_TRY(check_total_kdf_work(slots, index, kdf));
    auto keks = keks_for_all_but(*impl_, index, others);
    if (!keks) return std::move(keks).error();
    // The slot gets its new salt and parameters here; rewrap_under_new_master wraps the new key.
    SecretBytes kek;
    auto fresh = new_passphrase_slot(passphrase, kdf, slots[index].label, impl_->master, &kek);
    if (!fresh) return std::move(fresh).error();
    slots[index] = std::move(*fresh);
    keks->emplace_back(index, std::move(kek));
    return rewrap_under_new_master(*impl_, std::move(slots), std::move(*keks));
}

Status Vault::remove_slot(std::size_t index, std::span<const SlotCredential> others) {
    const auto& slots = impl_->header.slots;
    if (index >= slots.size()) return Error(Errc::vault_no_slot, "no slot " + std::to_string(index));
    if (slots.size() == 1) return Error(Errc::vault_last_slot, "slot " + std::to_string(index) + " is the only one");
    auto keks = keks_for_all_but(*impl_, index, others);
    if (!keks) return std::move(keks).error();
    return rewrap_under_new_master(*impl_, slots, std::move(*keks));
}

Status Vault::rekey(std::span<const SlotCredential> keep) {
    if (keep.empty()) return Error(Errc::vault_last_slot, "rekey must keep at least one slot");
    auto keks = checked_keks(impl_->header.slots, keep);
    if (!keks) return std::move(keks).error();
    return rewrap_under_new_master(*impl_, impl_->header.slots, std::move(*keks));
}

}  // namespace mfa

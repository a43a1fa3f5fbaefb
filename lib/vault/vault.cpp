// mfa::Vault: creating, unlocking and saving vault files.
#include <algorithm>

#include "mfa/atomic_file.hpp"
#include "mfa/random.hpp"
#include "payload.hpp"
#include "vault_impl.hpp"

namespace mfa {
using namespace vault_detail;

namespace {

VaultFileInfo info_of(const Header& h) {
    VaultFileInfo i;
    i.version = h.version;
    i.generation = h.generation;
    i.vault_id.assign(h.vault_id.begin(), h.vault_id.end());
    for (const auto& s : h.slots) i.slots.push_back(slot_info(s));
    return i;
}

// Decrypts and parses the payload once a slot gave the master key. The header is the AAD, so a
// modified header byte that passed the structural checks fails here too.
Result<std::vector<VaultEntry>> open_payload(const ParsedFile& pf, const LockedKey& master) {
    auto plain = gcm_open(master.view(), pf.header.payload_nonce, pf.header_bytes, pf.ciphertext);
    if (!plain) {
        if (plain.code() == Errc::vault_tampered)
            return Error(Errc::vault_tampered, "payload tag mismatch: the ciphertext or an authenticated header byte was modified");
        return std::move(plain).error();
    }
    return decode_entries(plain->view());
}

struct Unlocked {
    LockedKey master;
    std::size_t slot = 0;
    SecretBytes kek;
};

// Tries every slot of one type with derive_kek; the first that unwraps gives the master key.
template <class DeriveKek>
Result<Unlocked> unlock_slots(const Header& h, SlotType type, DeriveKek&& derive_kek, Errc rejected,
                               std::string_view what) {
    bool any = false;
    std::optional<Error> provider_error;
    for (std::size_t i = 0; i < h.slots.size(); ++i) {
        const SlotRecord& s = h.slots[i];
        if (s.type != type) continue;
        any = true;
        auto kek = derive_kek(s);
        if (!kek) {
            if (kek.code() == Errc::vault_key_rejected) continue;
            if (kek.code() != Errc::vault_key_provider) return std::move(kek).error();
            provider_error = std::move(kek).error();
            continue;
        }
        auto master = unwrap_from(s, kek->view());
        if (master) return Unlocked{std::move(*master), i, std::move(*kek)};
        if (master.code() != Errc::vault_tampered) return std::move(master).error();
    }
    if (!any) return Error(Errc::vault_no_slot, "the vault has no " + std::string(to_string(type)) + " slot");
    if (provider_error) return *provider_error;
    return Error(rejected, std::string(what));
}

}  // namespace

Vault::Vault(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Vault::Vault(Vault&&) noexcept = default;
Vault& Vault::operator=(Vault&&) noexcept = default;
Vault::~Vault() = default;

const std::filesystem::path& Vault::path() const noexcept { return impl_->path; }
bool Vault::writable() const noexcept { return impl_->lock.has_value(); }
std::uint64_t Vault::generation() const noexcept { return impl_->header.generation; }

bool Vault::weak_kdf() const noexcept {
    return std::any_of(impl_->header.slots.begin(), impl_->header.slots.end(), [](const SlotRecord& s) {
        return s.type == SlotType::passphrase && !check_kdf_params(s.kdf, false).ok();
    });
}

Result<Vault> Vault::create(const std::filesystem::path& path, const SecretString& passphrase, const KdfParams& kdf,
                            const VaultOptions& opts) {
    MFA_TRY(check_kdf_params(kdf, opts.allow_insecure_kdf));
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->opts = opts;
    auto lock = WriterLock::acquire(path, opts.lock_wait);
    if (!lock) return std::move(lock).error();
    impl->lock.emplace(std::move(*lock));
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return Error(Errc::vault_exists, path.string());
    auto master = LockedKey::random();
    if (!master) return std::move(master).error();
    impl->master = std::move(*master);
    MFA_TRY(random_fill(impl->header.vault_id));
    SecretBytes kek;
    auto slot = new_passphrase_slot(passphrase, kdf, "passphrase", impl->master, &kek);
    if (!slot) return std::move(slot).error();
    impl->header.slots.push_back(std::move(*slot));
    impl->known_keks.emplace_back(0, std::move(kek));
    Vault v(std::move(impl));
    MFA_TRY(v.save());
    return v;
}

namespace vault_detail {

struct Access {
    static Vault make(std::unique_ptr<Vault::Impl> impl) { return Vault(std::move(impl)); }
};

namespace {

// Reads, parses and unlocks with `unlock` (header -> master key); shared by open() and open_with_key().
template <class Unlock>
Result<Vault> open_with(const std::filesystem::path& path, OpenMode mode, const VaultOptions& opts, Unlock&& unlock) {
    auto impl = std::make_unique<Vault::Impl>();
    impl->path = path;
    impl->opts = opts;
    // A writer takes the lock before reading, so what it reads is what it will replace.
    if (mode == OpenMode::write) {
        MFA_TRY(check_owner_writable(path));
        auto lock = WriterLock::acquire(path, opts.lock_wait);
        if (!lock) return std::move(lock).error();
        impl->lock.emplace(std::move(*lock));
    }
    auto file = read_file(path, kVaultMaxFileBytes);
    if (!file) return std::move(file).error();
    auto pf = parse_file(*file);
    if (!pf) return std::move(pf).error();
    auto master = unlock(pf->header);
    if (!master) return std::move(master).error();
    auto entries = open_payload(*pf, master->master);
    if (!entries) return std::move(entries).error();
    impl->master = std::move(master->master);
    impl->known_keks.emplace_back(master->slot, std::move(master->kek));
    impl->header = pf->header;
    impl->entries = std::move(*entries);
    return Access::make(std::move(impl));
}

}  // namespace
}  // namespace vault_detail

Result<Vault> Vault::open(const std::filesystem::path& path, const SecretString& passphrase, OpenMode mode,
                          const VaultOptions& opts) {
    return open_with(path, mode, opts, [&](const Header& h) {
        return unlock_slots(h, SlotType::passphrase, [&](const SlotRecord& s) { return passphrase_kek(s, passphrase); },
                            Errc::vault_wrong_passphrase, "no passphrase slot accepted the passphrase");
    });
}

Result<Vault> Vault::open_with_key(const std::filesystem::path& path, HmacSecretProvider& key, OpenMode mode,
                                   const VaultOptions& opts) {
    return open_with(path, mode, opts, [&](const Header& h) {
        return unlock_slots(h, SlotType::security_key, [&](const SlotRecord& s) { return security_key_kek(s, key); },
                            Errc::vault_key_rejected, "no security-key slot accepted this key");
    });
}

Result<VaultFileInfo> Vault::inspect(const std::filesystem::path& path) {
    auto file = read_file(path, kVaultMaxFileBytes);
    if (!file) return std::move(file).error();
    return parse_vault_header(*file);
}

Result<VaultFileInfo> parse_vault_header(ByteView file) {
    auto pf = parse_file(file);
    if (!pf) return std::move(pf).error();
    return info_of(pf->header);
}

Result<std::vector<VaultEntry>> decrypt_vault_image(ByteView file, const SecretString& passphrase) {
    auto pf = parse_file(file);
    if (!pf) return std::move(pf).error();
    auto master = unlock_slots(pf->header, SlotType::passphrase,
                               [&](const SlotRecord& s) { return passphrase_kek(s, passphrase); },
                               Errc::vault_wrong_passphrase, "no passphrase slot accepted the passphrase");
    if (!master) return std::move(master).error();
    return open_payload(*pf, master->master);
}

Status Vault::save() {
    if (!impl_->lock) return Error(Errc::vault_read_only, "open the vault with OpenMode::write to save");
    const std::int64_t now = now_from(impl_->opts);
    Header h = impl_->header;
    h.generation = impl_->header.generation + 1;
    MFA_TRY(random_fill(h.payload_nonce));
    const SecretBytes plain = encode_entries(impl_->entries);
    h.payload_len = static_cast<std::uint32_t>(plain.size() + kTagBytes);
    Bytes file = write_header(h);
    auto sealed = gcm_seal(impl_->master.view(), h.payload_nonce, file, plain.view());
    if (!sealed) return std::move(sealed).error();
    file.insert(file.end(), sealed->begin(), sealed->end());
    if (file.size() > kVaultMaxFileBytes)
        return Error(Errc::limit_exceeded, "the vault would exceed " + std::to_string(kVaultMaxFileBytes) + " bytes");
    remove_atomic_temporaries(impl_->path);   // safe: no other writer can be mid-write under our lock
    MFA_TRY(settle_pending_backups(impl_->path, impl_->opts));
    // The version being replaced is staged as a backup once the new one is durable (a failed write
    // removes it again) and published once the new one is in place (file_io.hpp says why).
    std::filesystem::path pending;
    AtomicWriteOptions wo;
    wo.keep_previous = staging_backup(pending, impl_->path, impl_->opts, now, impl_->header.generation);
    MFA_TRY(write_file_atomic(impl_->path, file, wo));
    impl_->header = std::move(h);
    MFA_TRY(publish_backup(pending));
    return prune_backups(impl_->path, impl_->opts, now);
}

Result<std::vector<BackupInfo>> Vault::list_backups(const std::filesystem::path& path, const VaultOptions& opts) {
    return vault_detail::list_backups(path, opts);
}

Status Vault::restore_backup(const std::filesystem::path& path, std::string_view backup_name, const VaultOptions& opts) {
    if (backup_name.empty() || backup_name.find('/') != std::string_view::npos || backup_name == "." || backup_name == "..")
        return Error(Errc::vault_backup, "bad backup name \"" + std::string(backup_name) + "\"");
    auto lock = WriterLock::acquire(path, opts.lock_wait);
    if (!lock) return std::move(lock).error();
    // First, so that a backup a killed writer left unpublished can be restored too.
    MFA_TRY(settle_pending_backups(path, opts));
    auto list = vault_detail::list_backups(path, opts);
    if (!list) return std::move(list).error();
    auto it = std::find_if(list->begin(), list->end(), [&](const BackupInfo& b) { return b.name == backup_name; });
    if (it == list->end()) return Error(Errc::vault_backup, "no backup named " + std::string(backup_name));
    auto data = read_file(it->path, kVaultMaxFileBytes);
    if (!data) return std::move(data).error();
    auto pf = parse_file(*data);
    if (!pf) return Error(Errc::vault_backup, it->name + ": " + pf.error().to_string());
    const std::int64_t now = now_from(opts);
    auto current = read_file(path, kVaultMaxFileBytes);
    std::filesystem::path pending;
    AtomicWriteOptions wo;
    if (current) {
        auto cur = parse_file(*current);
        const std::uint64_t generation = cur ? cur->header.generation : 0;
        wo.keep_previous = staging_backup(pending, path, opts, now, generation);
    } else if (current.code() != Errc::vault_missing) {
        return std::move(current).error();
    }
    MFA_TRY(write_file_atomic(path, *data, wo));
    return publish_backup(pending);
}

}  // namespace mfa

// The encrypted account vault of the `mfa` app (docs/vault-format.md is the file format,
// docs/authenticator.md the user's guide).
//
// A random 256-bit master key encrypts the accounts with AES-256-GCM (a fresh nonce on every write,
// the whole header as AAD). Key slots, in the LUKS/Aegis manner, each wrap the master key: a
// passphrase slot through Argon2id, a security-key slot through FIDO2 hmac-secret + HKDF. Any one
// slot opens the vault.
//
// Writes never lose data: a writer holds an exclusive flock on "<vault>.lock" for as long as the
// Vault is open for writing; a save writes a temporary file, fsyncs it, renames it over the vault
// and fsyncs the directory; the version it replaces is kept in backups/ beside the vault.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/otp.hpp"
#include "mfa/otpauth.hpp"
#include "mfa/secret.hpp"

namespace mfa {

// ---- Limits (enforced when parsing and when adding) -----------------------------------------
inline constexpr std::size_t kVaultMaxFileBytes = 64u << 20;   // a vault file is at most 64 MiB
inline constexpr std::size_t kVaultMaxSlots = 16;
inline constexpr std::size_t kVaultMaxAccounts = 10000;
inline constexpr std::size_t kVaultMaxLabel = 64;       // bytes of a slot label
inline constexpr std::size_t kVaultMaxText = 1024;      // bytes of an issuer, name, tag, extra key/value
inline constexpr std::size_t kVaultMaxNote = 4096;      // bytes of a note
inline constexpr std::size_t kVaultMaxTags = 32;
inline constexpr std::size_t kVaultMaxExtra = 32;       // unknown URI parameters kept per account
inline constexpr std::size_t kVaultMaxCredentialId = 1024;

// ---- Argon2id parameters of a passphrase slot --------------------------------------------------
struct KdfParams {
    std::uint32_t memory_kib = 65536;   // 64 MiB
    std::uint32_t passes = 3;
    std::uint32_t lanes = 1;

    // The default for new slots: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended option).
    static KdfParams recommended() noexcept { return {}; }
    // Cheap parameters for test suites only; accepted only with VaultOptions::allow_insecure_kdf.
    static KdfParams insecure_for_tests() noexcept { return {64, 1, 1}; }
};
// The production floor (OWASP's minimum for Argon2id): new or changed passphrase slots below it are
// rejected unless VaultOptions::allow_insecure_kdf is set.
inline constexpr std::uint32_t kKdfMinMemoryKib = 19456;
inline constexpr std::uint32_t kKdfMinPasses = 2;
// Caps, also applied to files being opened so a hostile vault cannot ask for unbounded work.
inline constexpr std::uint32_t kKdfMaxMemoryKib = 4u << 20;   // 4 GiB
inline constexpr std::uint32_t kKdfMaxPasses = 64;
inline constexpr std::uint32_t kKdfMaxLanes = 16;
// The Argon2id work (memory_kib * passes) summed over a vault's passphrase slots, which is what one
// open may spend trying them: 2^24 KiB-passes (16 GiB-passes, some seconds; 85 times the
// recommended 64 MiB x 3). A slot or a file beyond it is refused (vault_kdf_params), so 16 slots at
// the per-parameter caps cannot hang an open.
inline constexpr std::uint64_t kVaultMaxKdfWork = std::uint64_t{1} << 24;

// Checks p against the caps and (unless allow_insecure) the floor; the detail names the parameter.
Status check_kdf_params(const KdfParams& p, bool allow_insecure);

// ---- FIDO2 hmac-secret, abstracted so the vault does not depend on a FIDO2 stack --------------
// The real provider (a YubiKey through libfido2) lives in mfa/fido2.hpp; tests use a fake.
class HmacSecretProvider {
public:
    virtual ~HmacSecretProvider() = default;
    // Makes a new credential with the hmac-secret extension for rp_id; returns its credential id.
    virtual Result<Bytes> make_credential(std::string_view rp_id, ByteView user_id) = 0;
    // The 32-byte hmac-secret output for one 32-byte salt with the given credential; Errc::not_found
    // when the credential is not on this authenticator (the vault then tries its other slots).
    virtual Result<SecretBytes> hmac_secret(std::string_view rp_id, ByteView credential_id,
                                            ByteView salt) = 0;
};
inline constexpr std::string_view kVaultRpId = "mfa-vault";   // rp id of credentials made for vaults

// ---- Accounts ---------------------------------------------------------------------------------
struct VaultEntry {
    std::string id;              // 32 hex digits, random, stable for the life of the entry
    Account account;             // issuer, name, secret, type/algorithm/digits/period/counter, extra
    std::vector<std::string> tags;
    std::string note;
    std::int64_t created = 0;    // Unix seconds
    std::int64_t updated = 0;

    [[nodiscard]] VaultEntry clone() const;
    // "Issuer:name", or just the name when there is no issuer.
    [[nodiscard]] std::string label() const;
};

// Checks an entry against the limits above and the OTP parameter rules; the detail names the field.
Status validate_entry(const VaultEntry& e);

// A TOTP or Steam code of an entry: the current one, the next one, and how long the current one
// has left.
struct CurrentCode {
    Code code;
    Code next;
    std::uint32_t seconds_left = 0;   // 1..period
    std::uint32_t period = 0;
};
// Errc::invalid_argument for an HOTP entry (its codes come from Vault::hotp_next, which saves the
// counter first).
Result<CurrentCode> totp_code(const VaultEntry& e, std::int64_t unix_time);

// ---- Slots ------------------------------------------------------------------------------------
enum class SlotType : std::uint8_t { passphrase = 1, security_key = 2 };
std::string_view to_string(SlotType) noexcept;   // "passphrase", "security-key"

struct SlotInfo {
    SlotType type = SlotType::passphrase;
    std::string label;
    KdfParams kdf;              // passphrase slots
    std::string rp_id;          // security-key slots
    Bytes credential_id;        // security-key slots
};

// ---- Options ----------------------------------------------------------------------------------
struct VaultOptions {
    // Unix seconds; tests give a fake clock. Default: the system clock.
    std::function<std::int64_t()> clock;
    // Backups whose time is more than this many days before now are pruned after each save (the
    // newest backup is always kept). 0 keeps every backup.
    unsigned backup_retention_days = 30;
    // Where backups go; default: "backups" beside the vault file.
    std::filesystem::path backup_dir;
    // Tests only: permits Argon2id parameters below the production floor for new slots.
    bool allow_insecure_kdf = false;
    // How long a writer waits for another writer's lock before Errc::vault_locked (0: not at all).
    std::chrono::milliseconds lock_wait{0};
};

enum class OpenMode { read, write };   // write: holds the writer lock until the Vault is destroyed

// What can be read from a vault file without unlocking it.
struct VaultFileInfo {
    std::uint16_t version = 0;
    std::uint64_t generation = 0;   // counts writes
    Bytes vault_id;                 // 16 random bytes fixed at creation
    std::vector<SlotInfo> slots;
};

struct BackupInfo {
    std::filesystem::path path;
    std::string name;               // file name inside the backup directory
    std::int64_t time = 0;          // when it was superseded (Unix seconds, from the name)
    std::uint64_t generation = 0;
    std::uintmax_t size = 0;
};

// Credentials to keep a slot through a rekey: a passphrase for a passphrase slot, a provider for a
// security-key slot.
struct SlotCredential {
    std::size_t slot = 0;
    const SecretString* passphrase = nullptr;
    HmacSecretProvider* provider = nullptr;
};

namespace vault_detail {
struct Access;
}

class Vault {
public:
    Vault(Vault&&) noexcept;
    Vault& operator=(Vault&&) noexcept;
    ~Vault();

    // Creates a new vault file (Errc::vault_exists if one is there) with one passphrase slot, and
    // holds the writer lock.
    static Result<Vault> create(const std::filesystem::path& path, const SecretString& passphrase,
                                const KdfParams& kdf = KdfParams::recommended(),
                                const VaultOptions& opts = {});
    // Opens with a passphrase: every passphrase slot is tried; Errc::vault_wrong_passphrase if none
    // accepts it.
    static Result<Vault> open(const std::filesystem::path& path, const SecretString& passphrase,
                              OpenMode mode = OpenMode::read, const VaultOptions& opts = {});
    // Opens with a security key: every security-key slot is tried with the provider.
    static Result<Vault> open_with_key(const std::filesystem::path& path, HmacSecretProvider& key,
                                       OpenMode mode = OpenMode::read, const VaultOptions& opts = {});
    // Reads and checks the header (format, slots) without unlocking.
    static Result<VaultFileInfo> inspect(const std::filesystem::path& path);

    // Backups of the vault at path, oldest first.
    static Result<std::vector<BackupInfo>> list_backups(const std::filesystem::path& path,
                                                        const VaultOptions& opts = {});
    // Replaces the vault with a backup (by name, as list_backups gives it) under the writer lock; the
    // current version is itself backed up first. The backup must be a well-formed vault.
    static Status restore_backup(const std::filesystem::path& path, std::string_view backup_name,
                                 const VaultOptions& opts = {});

    const std::filesystem::path& path() const noexcept;
    bool writable() const noexcept;
    std::uint64_t generation() const noexcept;
    // True when any passphrase slot is below the production floor (a test vault): apps should warn.
    bool weak_kdf() const noexcept;

    // ---- Accounts (in memory; save() writes) ----
    const std::vector<VaultEntry>& entries() const noexcept;
    const VaultEntry* find_id(std::string_view id) const noexcept;
    // Entries whose issuer, name, label, id prefix or a tag contains `query` (case-insensitive);
    // an exact label or id match alone wins.
    std::vector<const VaultEntry*> search(std::string_view query) const;
    std::vector<const VaultEntry*> with_tag(std::string_view tag) const;
    // Adds a copy of the account; returns its new id. Errc::vault_duplicate if an entry with the same
    // secret, issuer and name is already there.
    Result<std::string> add(const Account& account, std::vector<std::string> tags = {},
                            std::string note = {});
    // Replaces the entry with the same id (created is kept, updated is set to now).
    Status update(VaultEntry entry);
    Status remove(std::string_view id);

    // HOTP: computes the code for the stored counter, stores counter + 1 and saves; the code is
    // returned only after the new counter is on disk (a failed write leaves the counter unchanged).
    Result<Code> hotp_next(std::string_view id);

    // Writes the vault (atomically; the previous version is kept as a backup). Needs OpenMode::write.
    Status save();

    // ---- Slots (in memory; save() writes) ----
    std::vector<SlotInfo> slots() const;
    // Adds a passphrase slot; returns its index.
    Result<std::size_t> add_passphrase_slot(const SecretString& passphrase, const KdfParams& kdf,
                                            std::string label = "passphrase");
    // Makes a credential on the key, adds a security-key slot; returns its index.
    Result<std::size_t> add_security_key_slot(HmacSecretProvider& key, std::string label = "security key");
    // Replaces the passphrase of a passphrase slot (new salt, new parameters) and makes a new master
    // key, as rekey does: the old passphrase then opens at most the backups made before, never what
    // is saved after. Every other slot is rewrapped under the new key, so each needs its credential in
    // others, except the slot that unlocked the vault (its wrapping key is remembered); a slot left
    // without one is an invalid_argument naming it, and nothing changes.
    Status change_passphrase(std::size_t slot, const SecretString& passphrase, const KdfParams& kdf,
                             std::span<const SlotCredential> others = {});
    // Removes a slot and makes a new master key for the others (credentials as change_passphrase), so
    // the removed slot's credential opens at most the backups made before. Errc::vault_last_slot for
    // the only one.
    Status remove_slot(std::size_t slot, std::span<const SlotCredential> others = {});
    // Makes a new master key and rewraps it into each slot named in keep (each credential is checked
    // against its slot first); slots not named are dropped. At least one slot must remain.
    Status rekey(std::span<const SlotCredential> keep);

    struct Impl;

private:
    friend struct vault_detail::Access;
    explicit Vault(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;
};

// Parses and checks a whole vault file image (structure and checks, no decryption): what the
// fuzzer drives. The detail of a failure names the field and offset.
Result<VaultFileInfo> parse_vault_header(ByteView file);
// Decrypts a vault file image with a passphrase without touching the disk (fuzzing, tools).
Result<std::vector<VaultEntry>> decrypt_vault_image(ByteView file, const SecretString& passphrase);

}  // namespace mfa

// The vault's keys: `mfa passwd`, `mfa slot list | add-key | add-passphrase | remove`, `mfa rekey`.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "mfa/encoding.hpp"
#include "security_key.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

// Credentials for slots other than the one that unlocked: `--passphrase-for SLOT=FILE` (repeatable)
// and `--keep-key SLOT`. passwd and slot remove need them for every other slot (a new master key
// is wrapped into each); rekey keeps exactly the slots they name.
class SlotCredentialFlags {
public:
    void add_to(CLI::App& cmd) {
        cmd.add_option("--keep-key", keep_key_, "keep this security-key slot (by index; the key is asked for)")
            ->check(whole_number(0, kVaultMaxSlots - 1));
        cmd.add_option("--passphrase-for", pass_for_,
                       "SLOT=FILE: the passphrase of another passphrase slot to keep (repeatable)");
    }

    // Appends the credentials given to creds (replacing one for the same slot); kExitOk or an exit code.
    int collect(Context& ctx, std::vector<SlotCredential>& creds) {
        for (const auto& spec : pass_for_) {
            const auto eq = spec.find('=');
            std::size_t slot = 0;
            try {
                if (eq == std::string::npos) throw std::invalid_argument(spec);
                slot = std::stoul(spec.substr(0, eq));
            } catch (const std::exception&) {
                return usage_error(ctx, "--passphrase-for: SLOT=FILE");
            }
            SecretString p;
            if (int rc = read_passphrase(ctx, spec.substr(eq + 1), "", false, p, "--passphrase-for"); rc != kExitOk) return rc;
            std::erase_if(creds, [&](const SlotCredential& c) { return c.slot == slot; });
            creds.push_back({slot, hold(std::move(p)), nullptr});
        }
        if (keep_key_) {
            auto k = open_security_key(ctx);
            if (!k) return report_vault(ctx, k.error(), "--keep-key");
            key_ = std::move(*k);
            creds.push_back({*keep_key_, nullptr, key_.get()});
        }
        return kExitOk;
    }

    // Keeps a passphrase alive as long as the credentials that point to it.
    const SecretString* hold(SecretString pass) {
        passes_.push_back(std::make_unique<SecretString>(std::move(pass)));
        return passes_.back().get();
    }

private:
    std::vector<std::unique_ptr<SecretString>> passes_;
    std::optional<std::size_t> keep_key_;
    std::vector<std::string> pass_for_;
    std::unique_ptr<HmacSecretProvider> key_;
};

class PasswdCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("--slot", slot_, "which passphrase slot (default: the first)")->check(whole_number(0, kVaultMaxSlots - 1));
        cmd.add_option("--new-passphrase-file", new_file_, "read the new passphrase from FILE ('-' = stdin)");
        add_kdf_flags(cmd, kdf_);
        others_.add_to(cmd);
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
        const auto slots = v->slots();
        std::size_t index = slots.size();
        if (slot_) index = *slot_;
        else
            for (std::size_t i = 0; i < slots.size() && index == slots.size(); ++i)
                if (slots[i].type == SlotType::passphrase) index = i;
        SecretString pass;
        if (int rc = read_passphrase(ctx, new_file_, "New passphrase: ", true, pass, "--new-passphrase-file"); rc != kExitOk) return rc;
        std::vector<SlotCredential> others;
        if (int rc = others_.collect(ctx, others); rc != kExitOk) return rc;
        if (auto st = v->change_passphrase(index, pass, kdf_, others); !st) return report_vault(ctx, st.error());
        if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
        ctx.out << "Passphrase of slot " << index << " changed; new master key for all " << slots.size()
                << " slot(s). Backups made before this still open with the old passphrase: see `mfa backup list`.\n";
        return kExitOk;
    }

private:
    VaultFlags vault_;
    SlotCredentialFlags others_;
    std::optional<std::size_t> slot_;
    std::string new_file_;
    KdfParams kdf_ = KdfParams::recommended();
};

class SlotCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        list_ = cmd.add_subcommand("list", "the key slots (no unlock needed)");
        list_->add_flag("--json", json_, "print JSON");
        list_->add_option("--vault", vault_path_, "the vault file");
        add_key_ = cmd.add_subcommand("add-key", "enrol a FIDO2 security key (hmac-secret) as another way to unlock");
        add_key_->add_option("--label", label_, "a name for the slot")->capture_default_str();
        vault_.add_to(*add_key_);
        add_pass_ = cmd.add_subcommand("add-passphrase", "add another passphrase (a recovery passphrase, say)");
        add_pass_->add_option("--label", label_, "a name for the slot");
        add_pass_->add_option("--new-passphrase-file", new_file_, "read the new passphrase from FILE");
        add_kdf_flags(*add_pass_, kdf_);
        vault2_.add_to(*add_pass_);
        remove_ = cmd.add_subcommand("remove", "remove a key slot (not the last one)");
        remove_->add_option("index", index_, "the slot's index (see `mfa slot list`)")
            ->check(whole_number(0, kVaultMaxSlots - 1))
            ->required();
        others_.add_to(*remove_);
        vault3_.add_to(*remove_);
    }

    int run(Context& ctx) override {
        if (list_->parsed()) return list(ctx);
        if (add_key_->parsed()) return add_key(ctx);
        if (add_pass_->parsed()) return add_passphrase(ctx);
        return remove(ctx);
    }

private:
    int list(Context& ctx) {
        const auto p = vault_path_.empty() ? default_vault_path() : std::filesystem::path(vault_path_);
        auto info = Vault::inspect(p);
        if (!info) return report_vault(ctx, info.error(), p.string());
        nlohmann::json arr = nlohmann::json::array();
        for (std::size_t i = 0; i < info->slots.size(); ++i) {
            const auto& s = info->slots[i];
            if (json_) {
                nlohmann::json j{{"index", i}, {"type", std::string(to_string(s.type))}, {"label", s.label}};
                if (s.type == SlotType::passphrase) j["kdf"] = {{"algorithm", "argon2id"}, {"memory_kib", s.kdf.memory_kib},
                                                                 {"passes", s.kdf.passes}, {"lanes", s.kdf.lanes}};
                else j["credential_id"] = hex_encode(s.credential_id), j["rp_id"] = s.rp_id;
                arr.push_back(std::move(j));
            } else if (s.type == SlotType::passphrase) {
                ctx.out << i << "  passphrase    " << s.label << "  (Argon2id " << s.kdf.memory_kib << " KiB, " << s.kdf.passes
                        << " passes, " << s.kdf.lanes << " lane" << (s.kdf.lanes == 1 ? "" : "s") << ")\n";
            } else {
                ctx.out << i << "  security-key  " << s.label << "  (credential " << hex_encode(s.credential_id).substr(0, 16)
                        << "..., rp " << s.rp_id << ")\n";
            }
        }
        if (json_) ctx.out << arr.dump() << '\n';
        return kExitOk;
    }

    int add_key(Context& ctx) {
        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
        auto key = open_security_key(ctx);
        if (!key) return report_vault(ctx, key.error());
        auto idx = v->add_security_key_slot(**key, label_);
        if (!idx) return report_vault(ctx, idx.error());
        if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
        ctx.out << "Security key enrolled as slot " << *idx << "; unlock with `--key`.\n";
        return kExitOk;
    }

    int add_passphrase(Context& ctx) {
        std::optional<Vault> v;
        if (int rc = vault2_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
        SecretString pass;
        if (int rc = read_passphrase(ctx, new_file_, "Additional passphrase: ", true, pass, "--new-passphrase-file"); rc != kExitOk) return rc;
        auto idx = v->add_passphrase_slot(pass, kdf_, label_.empty() ? "passphrase" : label_);
        if (!idx) return report_vault(ctx, idx.error());
        if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
        ctx.out << "Passphrase added as slot " << *idx << ".\n";
        return kExitOk;
    }

    int remove(Context& ctx) {
        std::optional<Vault> v;
        if (int rc = vault3_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
        std::vector<SlotCredential> others;
        if (int rc = others_.collect(ctx, others); rc != kExitOk) return rc;
        if (auto st = v->remove_slot(index_, others); !st) return report_vault(ctx, st.error());
        if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
        ctx.out << "Slot " << index_ << " removed; new master key for the other slots. Backups made before this"
                   " still open with it: see `mfa backup list`.\n";
        return kExitOk;
    }

    CLI::App *list_ = nullptr, *add_key_ = nullptr, *add_pass_ = nullptr, *remove_ = nullptr;
    VaultFlags vault_, vault2_, vault3_;
    SlotCredentialFlags others_;
    std::string vault_path_, label_ = "security key", new_file_;
    KdfParams kdf_ = KdfParams::recommended();
    std::size_t index_ = 0;
    bool json_ = false;
};

class RekeyCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        others_.add_to(cmd);
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
        const auto slots = v->slots();
        // The slot that unlocked is kept with the passphrase just given (the first passphrase slot
        // that accepts it); others are kept only when named.
        std::vector<SlotCredential> keep;
        SecretString first;
        // The passphrase file is read again (stdin, already consumed by the unlock, is not).
        const std::string again = vault_.passphrase_file() == "-" ? "" : vault_.passphrase_file();
        if (int rc = read_passphrase(ctx, again, "Passphrase to keep (the current one): ", false, first); rc != kExitOk)
            return rc;
        for (std::size_t i = 0; i < slots.size(); ++i)
            if (slots[i].type == SlotType::passphrase) {
                keep.push_back({i, others_.hold(first.clone()), nullptr});
                break;
            }
        if (int rc = others_.collect(ctx, keep); rc != kExitOk) return rc;
        if (auto st = v->rekey(keep); !st) return report_vault(ctx, st.error());
        if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
        ctx.out << "New master key; " << v->slots().size() << " slot(s) kept, " << slots.size() - v->slots().size()
                << " dropped. Backups made before this still open with the old slots: see `mfa backup list`.\n";
        return kExitOk;
    }

private:
    VaultFlags vault_;
    SlotCredentialFlags others_;
};

}  // namespace

static const Registration kPasswd{{
    "passwd",
    "Change the vault passphrase (and make a new master key)",
    "Examples:\n"
    "  mfa passwd\n"
    "  mfa passwd --passphrase-file old.txt --new-passphrase-file new.txt\n"
    "  mfa passwd --keep-key 1 --passphrase-for 2=recovery.txt   # the other slots, rewrapped\n",
    20,
    [] { return std::make_unique<PasswdCommand>(); },
}};
static const Registration kSlot{{
    "slot",
    "Key slots: list, add-key (a FIDO2 security key), add-passphrase, remove",
    "Examples:\n"
    "  mfa slot list\n"
    "  mfa slot add-key --label 'YubiKey 5C'\n"
    "  mfa slot add-passphrase --label recovery\n"
    "  mfa slot remove 1\n",
    21,
    [] { return std::make_unique<SlotCommand>(); },
}};
static const Registration kRekey{{
    "rekey",
    "Make a new master key and re-encrypt; slots not kept are dropped",
    "Examples:\n"
    "  mfa rekey                                   # keeps the passphrase you type; drops other slots\n"
    "  mfa rekey --passphrase-for 1=recovery.txt   # also keeps passphrase slot 1\n"
    "  mfa rekey --keep-key 2                      # also keeps security-key slot 2 (touch the key)\n",
    22,
    [] { return std::make_unique<RekeyCommand>(); },
}};

}  // namespace mfa::app

// Changing accounts: `mfa edit` (issuer, name, tags, note, HOTP counter), `mfa rename`, `mfa remove`.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "entry_view.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

// Opens for writing, picks the entry, applies change, saves; prints the result.
template <class Change>
int modify(Context& ctx, const VaultFlags& flags, const std::string& query, bool json, Change&& change) {
    std::optional<Vault> v;
    if (int rc = flags.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
    const VaultEntry* found = nullptr;
    if (int rc = pick_one(ctx, *v, query, found); rc != kExitOk) return rc;
    VaultEntry e = found->clone();
    if (int rc = change(e); rc != kExitOk) return rc;
    const std::string id = e.id;
    if (auto st = v->update(std::move(e)); !st) return report_vault(ctx, st.error());
    if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
    const VaultEntry* now = v->find_id(id);
    if (json) ctx.out << entry_json(*now).dump() << '\n';
    else ctx.out << "Saved " << entry_summary(*now) << '\n';
    return kExitOk;
}

class EditCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("name", query_, "the account: its label, part of it, or its id")->required();
        issuer_ = cmd.add_option("--issuer", issuer_v_, "new issuer");
        name_ = cmd.add_option("--name", name_v_, "new account name");
        note_ = cmd.add_option("--note", note_v_, "new note ('' clears it)");
        cmd.add_option("--add-tag", add_tags_, "add a tag (repeatable)");
        cmd.add_option("--remove-tag", remove_tags_, "remove a tag (repeatable)");
        counter_ = cmd.add_option("--counter", counter_v_, "set the HOTP counter (resynchronise with the server), 0..2^64-1")
                       ->check(whole_number(0, UINT64_MAX));
        cmd.add_flag("--json", json_, "print the account as JSON");
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        return modify(ctx, vault_, query_, json_, [&](VaultEntry& e) {
            if (issuer_->count() > 0) e.account.issuer = issuer_v_;
            if (name_->count() > 0) e.account.name = name_v_;
            if (note_->count() > 0) e.note = note_v_;
            for (const auto& t : remove_tags_) std::erase(e.tags, t);
            for (const auto& t : add_tags_)
                if (std::find(e.tags.begin(), e.tags.end(), t) == e.tags.end()) e.tags.push_back(t);
            if (counter_->count() > 0) {
                if (e.account.params.type != OtpType::hotp) return usage_error(ctx, "--counter: not an HOTP account");
                e.account.params.counter = counter_v_;
            }
            return kExitOk;
        });
    }

private:
    VaultFlags vault_;
    std::string query_, issuer_v_, name_v_, note_v_;
    std::vector<std::string> add_tags_, remove_tags_;
    std::uint64_t counter_v_ = 0;
    CLI::Option *issuer_ = nullptr, *name_ = nullptr, *note_ = nullptr, *counter_ = nullptr;
    bool json_ = false;
};

class RenameCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("name", query_, "the account: its label, part of it, or its id")->required();
        cmd.add_option("new-label", label_, "the new label: 'Issuer:name', or just a name (the issuer is kept)")->required();
        cmd.add_flag("--json", json_, "print the account as JSON");
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        return modify(ctx, vault_, query_, json_, [&](VaultEntry& e) {
            const auto colon = label_.find(':');
            if (colon == std::string::npos) {
                e.account.name = label_;
            } else {
                e.account.issuer = label_.substr(0, colon);
                e.account.name = label_.substr(colon + 1);
            }
            return kExitOk;
        });
    }

private:
    VaultFlags vault_;
    std::string query_, label_;
    bool json_ = false;
};

class RemoveCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("name", query_, "the account: its label, part of it, or its id")->required();
        cmd.add_flag("--yes,-y", yes_, "do not ask for confirmation");
        cmd.add_flag("--json", json_, "print the removed account as JSON");
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
        const VaultEntry* e = nullptr;
        if (int rc = pick_one(ctx, *v, query_, e); rc != kExitOk) return rc;
        if (!yes_) {
            if (!stdin_is_terminal()) return usage_error(ctx, "removing needs --yes when not on a terminal");
            if (!confirm_on_terminal("Remove " + e->label() + "? The previous vault stays in backups/.")) {
                ctx.err << "Nothing removed.\n";
                return kExitFailure;
            }
        }
        const nlohmann::json j = entry_json(*e);
        const std::string summary = entry_summary(*e);
        if (auto st = v->remove(e->id); !st) return report_vault(ctx, st.error());
        if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
        if (json_) ctx.out << j.dump() << '\n';
        else ctx.out << "Removed " << summary << '\n';
        return kExitOk;
    }

private:
    VaultFlags vault_;
    std::string query_;
    bool yes_ = false;
    bool json_ = false;
};

}  // namespace

static const Registration kEdit{{
    "edit",
    "Change an account's issuer, name, tags, note or HOTP counter",
    "Examples:\n"
    "  mfa edit github --add-tag work --note 'recovery codes in the safe'\n"
    "  mfa edit bank --counter 42          # resynchronise an HOTP counter\n",
    6,
    [] { return std::make_unique<EditCommand>(); },
}};
static const Registration kRename{{
    "rename",
    "Rename an account ('Issuer:name' or a new name)",
    "Examples:\n"
    "  mfa rename github 'GitHub:alice-work'\n"
    "  mfa rename 3fa4b2c1 bob\n",
    7,
    [] { return std::make_unique<RenameCommand>(); },
}};
static const Registration kRemove{{
    "remove",
    "Remove an account (asks first on a terminal; the old vault stays in backups/)",
    "Examples:\n"
    "  mfa remove github\n"
    "  mfa remove 3fa4b2c1 --yes\n",
    8,
    [] { return std::make_unique<RemoveCommand>(); },
}};

}  // namespace mfa::app

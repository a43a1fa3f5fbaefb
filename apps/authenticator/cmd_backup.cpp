// `mfa backup list | restore NAME`: the versions every change keeps in backups/ beside the vault.
#include <CLI/CLI.hpp>
#include <ctime>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

std::string utc(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

class BackupCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        list_ = cmd.add_subcommand("list", "the backups, oldest first");
        list_->add_flag("--json", json_, "print JSON");
        list_->add_option("--vault", vault_, "the vault file");
        // Listing and restoring open no vault, so no passphrase is read; the flag is taken because
        // every command takes it (scripts pass it to all of them).
        list_->add_option("--passphrase-file", passphrase_file_, "accepted and not needed: backups are listed unopened");
        restore_ = cmd.add_subcommand("restore", "replace the vault with a backup (the current version is backed up first)");
        restore_->add_option("name", name_, "the backup's name (from `mfa backup list`), or 'latest'")->required();
        restore_->add_flag("--yes,-y", yes_, "do not ask for confirmation");
        restore_->add_option("--vault", vault_, "the vault file");
        restore_->add_option("--passphrase-file", passphrase_file_, "accepted and not needed: the backup is restored unopened");
    }

    int run(Context& ctx) override {
        const auto path = vault_.empty() ? default_vault_path() : std::filesystem::path(vault_);
        auto list = Vault::list_backups(path);
        if (!list) return report_vault(ctx, list.error());
        if (list_->parsed()) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& b : *list) {
                if (json_) arr.push_back({{"name", b.name}, {"path", b.path.string()}, {"time", b.time},
                                          {"generation", b.generation}, {"size", b.size}});
                else ctx.out << b.name << "  " << utc(b.time) << "  generation " << b.generation << "  " << b.size << " bytes\n";
            }
            if (json_) ctx.out << arr.dump() << '\n';
            else if (list->empty()) ctx.err << "No backups yet (each change to the vault keeps the previous version).\n";
            return kExitOk;
        }
        std::string name = name_;
        if (name == "latest") {
            if (list->empty()) return report_vault(ctx, Error(Errc::vault_backup, "there are no backups"));
            name = list->back().name;
        }
        if (!yes_) {
            if (!stdin_is_terminal()) return usage_error(ctx, "restoring needs --yes when not on a terminal");
            if (!confirm_on_terminal("Replace " + path.string() + " with " + name + "?")) {
                ctx.err << "Nothing restored.\n";
                return kExitFailure;
            }
        }
        if (auto st = Vault::restore_backup(path, name); !st) return report_vault(ctx, st.error());
        ctx.out << "Restored " << name << " (the version it replaced is now the newest backup).\n";
        return kExitOk;
    }

private:
    CLI::App *list_ = nullptr, *restore_ = nullptr;
    std::string vault_, name_, passphrase_file_;
    bool json_ = false, yes_ = false;
};

}  // namespace

static const Registration kBackup{{
    "backup",
    "Backups of the vault: list, restore (kept 30 days, the newest always)",
    "Examples:\n"
    "  mfa backup list\n"
    "  mfa backup restore latest\n"
    "  mfa backup restore vault.mfa.20260101T120000Z.g12.bak --yes\n",
    23,
    [] { return std::make_unique<BackupCommand>(); },
}};

}  // namespace mfa::app

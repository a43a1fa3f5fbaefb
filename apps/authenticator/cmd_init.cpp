// `mfa init`: creates an empty vault protected by a passphrase.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

class InitCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        vault_.add_to(cmd);
        add_kdf_flags(cmd, kdf_);
        cmd.add_flag("--json", json_, "print the result as JSON");
    }

    int run(Context& ctx) override {
        const auto path = vault_.path();
        if (std::filesystem::exists(path)) return report_vault(ctx, Error(Errc::vault_exists, path.string()));
        if (auto st = check_kdf_params(kdf_, false); !st) return report_vault(ctx, st.error(), "--kdf-memory/--kdf-passes");
        SecretString pass;
        if (int rc = read_passphrase(ctx, vault_.passphrase_file(), "New vault passphrase: ", true, pass); rc != kExitOk)
            return rc;
        // The directory holds the vault, its lock and its backups: private to the user.
        std::error_code ec;
        const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
        if (!std::filesystem::exists(dir, ec)) {
            std::filesystem::create_directories(dir, ec);
            if (ec) return report(ctx, Error(Errc::io, "create " + dir.string() + ": " + ec.message()));
            ::chmod(dir.c_str(), 0700);
        }
        auto v = Vault::create(path, pass, kdf_, vault_.options());
        if (!v) return report_vault(ctx, v.error(), path.string());
        if (json_) {
            ctx.out << nlohmann::json{{"vault", path.string()}, {"kdf", {{"memory_kib", kdf_.memory_kib}, {"passes", kdf_.passes}}}}.dump()
                    << '\n';
        } else {
            ctx.out << "Created " << path.string() << " (Argon2id " << kdf_.memory_kib / 1024 << " MiB, " << kdf_.passes
                    << " passes). Add accounts with `mfa add` or `mfa import`.\n";
        }
        return kExitOk;
    }

private:
    VaultFlags vault_;
    KdfParams kdf_ = KdfParams::recommended();
    bool json_ = false;
};

}  // namespace

static const Registration kInit{{
    "init",
    "Create an empty vault protected by a passphrase",
    "Examples:\n"
    "  mfa init                                   # asks for the passphrase twice\n"
    "  mfa init --vault ~/vaults/work.mfa --passphrase-file pass.txt\n"
    "  MFA_VAULT=/tmp/demo.mfa mfa init --kdf-memory 262144 --kdf-passes 4\n",
    1,
    [] { return std::make_unique<InitCommand>(); },
}};

}  // namespace mfa::app

// mfa: the mfakit terminal authenticator. main() only assembles the commands that registered
// themselves (command.hpp) into one CLI11 parser, runs the chosen one and maps failures to the
// documented exit codes: 0 ok, 1 runtime failure, 2 usage or bad input.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "command.hpp"
#include "mfa/features.hpp"
#include "mfa/version.h"

namespace {

constexpr const char* kFooter =
    "Exit codes: 0 ok, 1 runtime failure, 2 usage or bad input, 3 the vault did not unlock (wrong\n"
    "passphrase or key), 4 the vault is being written by another mfa.\n"
    "A flag value of '-' (--uri -, --secret -) is read from standard input, which keeps secrets out\n"
    "of the process list and the shell history. `mfa COMMAND --help` shows each command's examples.\n"
    "\n"
    "Examples:\n"
    "  mfa init                       # a new vault (default ~/.local/share/mfa/vault.mfa, or $MFA_VAULT)\n"
    "  mfa add --qr screenshot.png    # or --uri URI, or interactively\n"
    "  mfa code                       # every account's code, next code and seconds left\n"
    "  mfa code github --watch\n"
    "  mfa import aegis-export.json\n"
    "  mfa code --uri 'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example'\n"
    "  mfa code --secret JBSWY3DPEHPK3PXP --json\n"
    "  mfa uri 'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example'\n"
    "  mfa uri --random --issuer Example --name alice@example.com\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace mfa::app;
    // The vault's keys and secrets live in this process: no core dumps, and no ptrace by other
    // processes of the same user (PR_SET_DUMPABLE 0 covers both).
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // Past the file size limit (ulimit -f) a write would kill mfa silently; ignored, it fails with
    // EFBIG, and the write's error names the file while the vault stays as it was.
    ::signal(SIGXFSZ, SIG_IGN);
    Context ctx{std::cin, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1};
    try {
        CLI::App app{"mfa: an authenticator with an encrypted vault: TOTP, HOTP, Steam codes, otpauth:// URIs, import/export, from mfakit.", "mfa"};
        app.set_version_flag("--version", std::string("mfa ") + MFA_VERSION_STRING + " (mfakit, ABI " +
                                              std::to_string(MFA_SOVERSION) + ")\noptional components: " +
                                              (mfa::kBuiltFeatures.empty() ? "none" : std::string(mfa::kBuiltFeatures)));
        app.require_subcommand(1);
        app.footer(kFooter);

        // Only the command named on the command line is built: building every command's options
        // (CLI11 objects, validators, help texts) was a fifth of a `mfa code --secret` run. A
        // command that reads the whole tree (completion, man) or a line without a known command
        // (--help, --version, a typo) gets them all.
        const std::vector<const CommandInfo*> all = commands();
        const char* word = argc >= 2 && argv[1][0] != '-' ? argv[1] : nullptr;
        const CommandInfo* chosen = nullptr;
        for (const CommandInfo* info : all)
            if (word && info->name == word) chosen = info;
        if (word && !chosen) {
            std::string known;
            for (const CommandInfo* info : all) known += (known.empty() ? "" : ", ") + info->name;
            return usage_error(ctx, std::string("unknown command '") + word + "' (commands: " + known + ")");
        }
        const bool build_all = !chosen || chosen->reads_every_command;
        std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>> parsed;
        for (const CommandInfo* info : all) {
            if (!build_all && info != chosen) continue;
            CLI::App* sub = app.add_subcommand(info->name, info->description);
            if (!info->examples.empty()) sub->footer(info->examples);
            auto cmd = info->make();
            cmd->configure(*sub);
            parsed.emplace_back(sub, std::move(cmd));
        }

        if (argc < 2) {
            std::cerr << app.help();
            return kExitUsage;
        }
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            // --help and --version arrive as "errors" with exit code 0; real ones are usage errors.
            if (e.get_exit_code() == 0) return app.exit(e, std::cout, std::cerr);
            std::cerr << "mfa: " << e.what() << "\nRun 'mfa --help' or 'mfa COMMAND --help' for usage.\n";
            return kExitUsage;
        }

        for (auto& [sub, cmd] : parsed)
            if (sub->parsed()) return cmd->run(ctx);
        return usage_error(ctx, "no command given (see mfa --help)");
    } catch (const std::bad_alloc&) {
        std::cerr << "mfa: out of memory\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "mfa: internal error: " << e.what() << '\n';
        return kExitFailure;
    }
}

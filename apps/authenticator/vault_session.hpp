// The flags and steps every vault command shares: which vault (--vault, $MFA_VAULT, XDG data dir),
// how to unlock it (a no-echo prompt on the terminal, --passphrase-file, or a security key), and
// opening it for reading or writing with the error printed and the exit code chosen.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "command.hpp"
#include "mfa/vault.hpp"

namespace mfa::app {

// Exit codes of the vault commands besides 0/1/2 (docs/authenticator.md).
inline constexpr int kExitUnlock = 3;   // wrong passphrase, or the security key did not unlock
inline constexpr int kExitLocked = 4;   // another mfa is writing the vault

// The default vault: $MFA_VAULT, else $XDG_DATA_HOME/mfa/vault.mfa, else ~/.local/share/mfa/vault.mfa.
std::filesystem::path default_vault_path();

// --kdf-memory and --kdf-passes for a new passphrase slot (the floors are check_kdf_params's).
void add_kdf_flags(CLI::App& cmd, KdfParams& kdf);

// Reads a passphrase: from a file ("-" = stdin; the first line), else from the terminal without echo.
// confirm: a new passphrase, asked twice on a terminal and checked against the password policy
// (a warning when weak). Prints an error naming flag (the option that gave file) and returns its
// exit code on failure.
int read_passphrase(Context& ctx, const std::string& file, std::string_view prompt, bool confirm, SecretString& out,
                    std::string_view flag = "--passphrase-file");
// Asks on the terminal (echo off unless echo); false when there is no terminal.
bool ask(std::string_view prompt, SecretString& out, bool echo);
// Asks a yes/no question on the terminal; false when there is no terminal.
bool confirm_on_terminal(std::string_view question);
// True when standard input is a terminal.
bool stdin_is_terminal();

class VaultFlags {
public:
    void add_to(CLI::App& cmd);
    std::filesystem::path path() const;
    const std::string& passphrase_file() const { return passphrase_file_; }

    // Opens the vault (passphrase or --key), printing any error; returns the exit code.
    int open(Context& ctx, OpenMode mode, std::optional<Vault>& out) const;
    VaultOptions options() const;

private:
    std::string vault_;
    std::string passphrase_file_;
    bool key_ = false;
    unsigned wait_seconds_ = 0;
};

// Exit code for a vault-level error (unlock failures 3, lock contention 4, else exit_code_for).
int vault_exit_code(Errc c) noexcept;
int report_vault(Context& ctx, const Error& e, std::string_view what = {});

// The current Unix time.
std::int64_t unix_now();
// Picks exactly one entry by id, id prefix, label or search text; prints why not otherwise.
int pick_one(Context& ctx, const Vault& v, std::string_view query, const VaultEntry*& out);

}  // namespace mfa::app

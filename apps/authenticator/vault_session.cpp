#include "vault_session.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <ostream>

#include "mfa/encoding.hpp"
#include "mfa/server/password.hpp"
#include "security_key.hpp"
#include "tty_echo.hpp"

namespace mfa::app {
namespace {

// Reads a line from the controlling terminal with echo off; restores the mode on every path
// (Ctrl-C included: tty_echo.hpp).
bool read_tty_line(std::string_view prompt, SecretString& out, bool echo = false) {
    FILE* tty = std::fopen("/dev/tty", "r+");
    if (tty == nullptr) return false;
    bool got = false;
    {
        std::optional<EchoOff> quiet;
        if (!echo) quiet.emplace(fileno(tty), true);
        std::fwrite(prompt.data(), 1, prompt.size(), tty);
        std::fflush(tty);
        out.clear();
        int c;
        while ((c = std::fgetc(tty)) != EOF) {
            got = true;
            if (c == '\n') break;
            out.push_back(static_cast<char>(c));
        }
    }
    std::fclose(tty);
    return got;
}

bool read_file_line(const std::string& file, SecretString& out) {
    std::ifstream f;
    std::istream* in = &std::cin;
    if (file != "-") {
        f.open(file, std::ios::binary);
        if (!f) return false;
        in = &f;
    }
    out.clear();
    char c;
    while (in->get(c) && c != '\n') out.push_back(c);
    std::string_view v = out.view();
    if (!v.empty() && v.back() == '\r') out = SecretString(v.substr(0, v.size() - 1));
    return true;
}

}  // namespace

std::int64_t unix_now() {
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

std::filesystem::path default_vault_path() {
    if (const char* v = std::getenv("MFA_VAULT"); v != nullptr && *v != '\0') return v;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x == '/') return std::filesystem::path(x) / "mfa" / "vault.mfa";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : ".") / ".local" / "share" / "mfa" / "vault.mfa";
}

namespace {

// A new passphrase meets the server toolkit's password policy (length, cracklib dictionary when
// installed): the same check a server applies to its users' passwords. A warning, not a refusal:
// the vault's Argon2id makes each guess expensive, and the choice is the owner's.
void warn_if_weak(Context& ctx, const SecretString& pass) {
    if (auto st = server::check_password(server::PasswordPolicy{}, pass.view()); !st)
        ctx.err << "mfa: warning: weak passphrase: " << st.error().detail
                << ". It guards every secret in the vault; `mfa passwd` changes it.\n";
}

}  // namespace

int read_passphrase(Context& ctx, const std::string& file, std::string_view prompt, bool confirm, SecretString& out,
                    std::string_view flag) {
    const std::string f(flag);
    if (!file.empty()) {
        if (!read_file_line(file, out)) return usage_error(ctx, f + ": cannot read " + file);
        if (out.empty()) return usage_error(ctx, f + ": the passphrase is empty");
        if (confirm) warn_if_weak(ctx, out);
        return kExitOk;
    }
    if (!read_tty_line(prompt, out)) return usage_error(ctx, "no terminal to ask for the passphrase: use " + f + " FILE");
    if (out.empty()) return usage_error(ctx, "the passphrase is empty");
    if (confirm) {
        SecretString again;
        if (!read_tty_line("Repeat the passphrase: ", again) || again.view() != out.view())
            return usage_error(ctx, "the passphrases differ");
        warn_if_weak(ctx, out);
    }
    return kExitOk;
}

bool ask(std::string_view prompt, SecretString& out, bool echo) { return read_tty_line(prompt, out, echo); }

bool confirm_on_terminal(std::string_view question) {
    FILE* tty = std::fopen("/dev/tty", "r+");
    if (tty == nullptr) return false;
    std::fprintf(tty, "%.*s [y/N] ", static_cast<int>(question.size()), question.data());
    std::fflush(tty);
    char buf[16] = {};
    const bool yes = std::fgets(buf, sizeof buf, tty) != nullptr && (buf[0] == 'y' || buf[0] == 'Y');
    std::fclose(tty);
    return yes;
}

void add_kdf_flags(CLI::App& cmd, KdfParams& kdf) {
    cmd.add_option("--kdf-memory", kdf.memory_kib, "Argon2id memory in KiB for the new passphrase (at least 19456)")
        ->check(whole_number(0, UINT32_MAX))
        ->capture_default_str();
    cmd.add_option("--kdf-passes", kdf.passes, "Argon2id passes for the new passphrase (at least 2)")
        ->check(whole_number(0, UINT32_MAX))
        ->capture_default_str();
}

void VaultFlags::add_to(CLI::App& cmd) {
    cmd.add_option("--vault", vault_, "the vault file (default: $MFA_VAULT, else ~/.local/share/mfa/vault.mfa)");
    cmd.add_option("--passphrase-file", passphrase_file_,
                   "read the passphrase from the first line of FILE ('-' = stdin) instead of the terminal");
    cmd.add_flag("--key", key_, "unlock with the security key (FIDO2 hmac-secret) instead of the passphrase");
    cmd.add_flag("--wait{30}", wait_seconds_,
                 "when another mfa is writing the vault, wait up to SECONDS (--wait=SECONDS; --wait alone: 30) "
                 "instead of failing at once (exit 4)")
        ->check(CLI::Range(0u, 3600u));
}

std::filesystem::path VaultFlags::path() const {
    return vault_.empty() ? default_vault_path() : std::filesystem::path(vault_);
}

VaultOptions VaultFlags::options() const {
    VaultOptions o;
    o.lock_wait = std::chrono::seconds(wait_seconds_);
    return o;
}

int vault_exit_code(Errc c) noexcept {
    switch (c) {
        case Errc::vault_wrong_passphrase:
        case Errc::vault_key_rejected: return kExitUnlock;
        case Errc::vault_locked: return kExitLocked;
        case Errc::vault_entry:
        case Errc::vault_kdf_params:
        case Errc::vault_duplicate:
        case Errc::vault_missing: return kExitUsage;
        default: return exit_code_for(c);
    }
}

int report_vault(Context& ctx, const Error& e, std::string_view what) {
    report(ctx, e, what);
    return vault_exit_code(e.code);
}

int VaultFlags::open(Context& ctx, OpenMode mode, std::optional<Vault>& out) const {
    const auto p = path();
    auto info = Vault::inspect(p);
    if (!info) {
        if (info.code() == Errc::vault_missing)
            return report_vault(ctx, info.error(),
                                "no vault (create one with `mfa init`, or choose one with --vault; `mfa code` also takes --uri or --secret)");
        return report_vault(ctx, info.error(), p.string());
    }
    Result<Vault> v = Error(Errc::internal);
    if (key_) {
        auto key = open_security_key(ctx);
        if (!key) return report_vault(ctx, key.error(), "--key");
        v = Vault::open_with_key(p, **key, mode, options());
    } else {
        // A person at the terminal gets three tries, as with sudo; a passphrase file gets one.
        constexpr int kTries = 3;
        for (int attempt = 1;; ++attempt) {
            SecretString pass;
            if (int rc = read_passphrase(ctx, passphrase_file_, "Passphrase for " + p.string() + ": ", false, pass);
                rc != kExitOk)
                return rc;
            v = Vault::open(p, pass, mode, options());
            if (v || v.code() != Errc::vault_wrong_passphrase || !passphrase_file_.empty() || attempt == kTries) break;
            const int left = kTries - attempt;
            ctx.err << "mfa: wrong passphrase; " << left << (left == 1 ? " try" : " tries") << " left\n";
        }
    }
    if (!v) return report_vault(ctx, v.error(), p.string());
    if (v->weak_kdf())
        ctx.err << "mfa: warning: this vault's passphrase slot uses Argon2id parameters below the recommended floor "
                   "(a test vault?); `mfa passwd` rewraps it with the defaults\n";
    out.emplace(std::move(*v));
    return kExitOk;
}

int pick_one(Context& ctx, const Vault& v, std::string_view query, const VaultEntry*& out) {
    auto hits = v.search(query);
    if (hits.empty()) return report(ctx, Error(Errc::not_found, "no account matches '" + std::string(query) + "'"));
    if (hits.size() > 1) {
        ctx.err << "mfa: '" << query << "' matches " << hits.size() << " accounts; be more specific (or use the id):\n";
        for (const auto* e : hits) ctx.err << "  " << e->id.substr(0, 8) << "  " << e->label() << '\n';
        return kExitUsage;
    }
    out = hits[0];
    return kExitOk;
}

}  // namespace mfa::app

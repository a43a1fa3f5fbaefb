// `mfa code`: the current code of an account given on the command line (a URI or a secret), or of
// the vault's accounts matching QUERY (current and next code, seconds left), once, as JSON, or
// refreshed every second with a countdown (--watch).
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "account_options.hpp"
#include "command.hpp"
#include "mfa/otp.hpp"
#include "vault_codes.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted.store(true); }

// "123 456", "1234 5678": easier to read off a screen. Steam and odd lengths stay whole.
std::string grouped(std::string_view code) {
    if (code.size() < 6 || code.size() % 2 != 0) return std::string(code);
    const std::size_t half = code.size() / 2;
    return std::string(code.substr(0, half)) + " " + std::string(code.substr(half));
}

std::string label(const Account& a) {
    if (a.issuer.empty()) return a.name;
    if (a.name.empty()) return a.issuer;
    return a.issuer + " (" + a.name + ")";
}

class CodeCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("query", query_, "vault accounts whose issuer, name, tag or id contains this text");
        account_.add_to(cmd);
        vault_.add_to(cmd);
        // Up to where valid_until (time + seconds left, at most a day) still fits in 64 bits.
        time_opt_ = cmd.add_option("--time", time_, "the Unix time to make the code for (default: now), 0..2^63-86401")
                        ->check(whole_number(0, INT64_MAX - kMaxPeriod));
        cmd.add_flag("--json", json_, "print JSON: the code with its step, period and seconds left");
        watch_opt_ = cmd.add_flag("--watch", watch_, "refresh every second with a countdown, until Ctrl-C");
        auto* copy = cmd.add_flag("--copy", copy_,
                                  "put the code of the one matching account on the clipboard (wl-copy, xclip or xsel); "
                                  "cleared when it expires");
        copy->excludes(watch_opt_);
        auto* duration = cmd.add_option("--duration", duration_, "with --watch: stop after this many seconds")
                             ->check(whole_number(1, UINT32_MAX));
        watch_opt_->excludes(time_opt_);
        duration->needs(watch_opt_);
    }

    int run(Context& ctx) override {
        const bool from_flags = account_.has_uri() || account_.has_secret();
        if (from_flags && !query_.empty()) return usage_error(ctx, "give either QUERY (the vault) or --uri/--secret, not both");
        if (!from_flags) {
            VaultCodes codes{vault_, query_, json_, watch_, duration_, time_opt_->count() > 0 ? std::optional(time_) : std::nullopt,
                             copy_};
            return codes.run(ctx);
        }
        if (copy_) return usage_error(ctx, "--copy: for a vault account (mfa code NAME --copy)");
        Account account;
        if (int rc = account_.resolve(ctx, account); rc != kExitOk) return rc;
        auto otp = Otp::create(std::move(account.secret), account.params);
        if (!otp) return report(ctx, otp.error(), "account");
        if (watch_) return watch(ctx, account, *otp);
        const std::int64_t t = time_opt_->count() > 0 ? time_ : unix_now();
        print_once(ctx, account, *otp, t);
        return kExitOk;
    }

private:
    nlohmann::json describe(const Account& account, const Otp& otp, std::int64_t t) const {
        const OtpParams& p = otp.params();
        nlohmann::json j;
        j["code"] = std::string(otp.generate(t).view());
        j["type"] = std::string(to_string(p.type));
        if (!account.issuer.empty()) j["issuer"] = account.issuer;
        if (!account.name.empty()) j["name"] = account.name;
        if (p.type == OtpType::hotp) {
            j["counter"] = p.counter;
            j["next_counter"] = p.counter + 1;
        } else {
            const std::uint32_t left = otp.seconds_left(t);
            j["time"] = t;
            j["step"] = otp.time_step(t);
            j["period"] = p.period;
            j["seconds_left"] = left;
            j["valid_until"] = t + left;
        }
        return j;
    }

    void print_once(Context& ctx, const Account& account, const Otp& otp, std::int64_t t) const {
        if (json_) {
            ctx.out << describe(account, otp, t).dump() << '\n';
        } else {
            ctx.out << otp.generate(t).view() << '\n';
        }
    }

    // One frame a second: on a terminal the line is redrawn in place, elsewhere one line a second.
    int watch(Context& ctx, const Account& account, const Otp& otp) {
        if (otp.params().type == OtpType::hotp)
            return usage_error(ctx, "--watch: an hotp code changes when it is used, not with time");
        g_interrupted.store(false);
        auto previous = std::signal(SIGINT, on_interrupt);
        const std::int64_t start = unix_now();
        const std::string name = label(account);
        for (std::int64_t t = start;; t = unix_now()) {
            if (json_) {
                ctx.out << describe(account, otp, t).dump() << '\n';
            } else {
                const std::uint32_t left = otp.seconds_left(t);
                const std::uint32_t period = otp.params().period;
                const std::size_t width = 20;
                const std::size_t filled = period == 0 ? 0 : width * left / period;
                std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
                if (ctx.out_is_terminal) ctx.out << "\r\033[K";
                ctx.out << (name.empty() ? "" : name + "  ") << grouped(otp.generate(t).view()) << "  " << bar << ' '
                        << left << "s";
                if (!ctx.out_is_terminal) ctx.out << '\n';
            }
            ctx.out.flush();
            if (duration_opt_set() && t - start + 1 >= static_cast<std::int64_t>(duration_)) break;
            // Sleep to the next second boundary, waking often enough to notice Ctrl-C.
            const auto next = std::chrono::system_clock::time_point(std::chrono::seconds(t + 1));
            while (std::chrono::system_clock::now() < next && !g_interrupted.load())
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (g_interrupted.load()) break;
        }
        if (ctx.out_is_terminal && !json_) ctx.out << '\n';
        std::signal(SIGINT, previous);
        return kExitOk;
    }

    bool duration_opt_set() const { return duration_ > 0; }

    AccountOptions account_;
    VaultFlags vault_;
    std::string query_;
    std::int64_t time_ = 0;
    CLI::Option* time_opt_ = nullptr;
    CLI::Option* watch_opt_ = nullptr;
    bool json_ = false;
    bool watch_ = false;
    bool copy_ = false;
    unsigned duration_ = 0;
};

}  // namespace

static const Registration kCode{{
    "code",
    "Print codes: of vault accounts (current, next, seconds left), or of a URI or secret",
    "Examples:\n"
    "  mfa code                       # every account in the vault\n"
    "  mfa code github --watch        # accounts matching 'github', refreshed until Ctrl-C\n"
    "  mfa code work --json           # accounts tagged or named 'work', as JSON\n"
    "  mfa code --uri 'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example'\n"
    "  mfa code --secret JBSWY3DPEHPK3PXP --json\n"
    "  mfa code --secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ --digits 8 --time 59      # 94287082 (RFC 6238)\n"
    "  mfa code --secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ --type hotp --counter 1   # 287082 (RFC 4226)\n"
    "  mfa code --secret - --watch < secret.txt\n",
    10,
    [] { return std::make_unique<CodeCommand>(); },
}};

}  // namespace mfa::app

// `mfa uri`: shows what an otpauth:// (or otpauth-migration://) URI holds, without the secret
// unless asked; or builds the canonical URI of an account from flags (or with a random secret).
#include <CLI/CLI.hpp>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>

#include "account_options.hpp"
#include "command.hpp"
#include "mfa/encoding.hpp"
#include "mfa/otp.hpp"
#include "mfa/otpauth.hpp"

namespace mfa::app {
namespace {

constexpr std::string_view kMigrationScheme = "otpauth-migration:";

nlohmann::json describe(const Account& a, bool show_secret) {
    nlohmann::json j;
    j["issuer"] = a.issuer;
    j["name"] = a.name;
    j["type"] = std::string(to_string(a.params.type));
    j["algorithm"] = std::string(to_string(a.params.algorithm));
    j["digits"] = a.params.digits;
    if (a.params.type == OtpType::hotp) {
        j["counter"] = a.params.counter;
    } else {
        j["period"] = a.params.period;
        if (a.params.t0 != 0) j["t0"] = a.params.t0;
    }
    if (!a.extra.empty()) {
        nlohmann::json extra = nlohmann::json::object();
        for (const auto& [k, v] : a.extra) extra[k] = v;
        j["extra"] = extra;
    }
    if (show_secret) j["secret"] = std::string(base32_encode(a.secret.view()).view());
    return j;
}

void print_human(std::ostream& out, const Account& a, bool show_secret, std::string_view indent = "") {
    auto row = [&](std::string_view k, const std::string& v) {
        out << indent << std::left << std::setw(11) << (std::string(k) + ":") << v << '\n';
    };
    row("issuer", a.issuer.empty() ? "(none)" : a.issuer);
    row("name", a.name.empty() ? "(none)" : a.name);
    row("type", std::string(to_string(a.params.type)));
    row("algorithm", std::string(to_string(a.params.algorithm)));
    row("digits", std::to_string(a.params.digits));
    if (a.params.type == OtpType::hotp) {
        row("counter", std::to_string(a.params.counter));
    } else {
        row("period", std::to_string(a.params.period) + " s");
        if (a.params.t0 != 0) row("t0", std::to_string(a.params.t0));
    }
    for (const auto& [k, v] : a.extra) row(k, v);
    row("secret", show_secret ? std::string(base32_encode(a.secret.view()).view())
                              : std::to_string(a.secret.size()) + " bytes (hidden; --show-secret prints it)");
}

class UriCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        account_.add_to(cmd);
        positional_ = cmd.add_option("URI", positional_uri_, "the URI to show (same as --uri; '-' reads stdin)");
        cmd.add_flag("--json", json_, "print JSON");
        cmd.add_flag("--show-secret", show_secret_, "also print the secret (Base32)");
        random_ = cmd.add_flag("--random", random_flag_, "build with a new random secret (instead of --secret)");
        cmd.add_option("--secret-bytes", secret_bytes_, "with --random: secret length in bytes, 1..1024")
            ->check(whole_number(1, kMaxSecretBytes))
            ->capture_default_str()
            ->needs(random_);
    }

    int run(Context& ctx) override {
        const bool from_positional = positional_->count() > 0;
        if (from_positional && (account_.has_uri() || account_.has_secret() || random_flag_))
            return usage_error(ctx, "give one of: a URI, --uri, --secret or --random");
        if (from_positional || account_.has_uri()) {
            const std::string& flag = from_positional ? positional_uri_ : account_.uri_flag();
            SecretString text = flag == "-" ? read_secret_line(ctx) : SecretString(flag);
            return show(ctx, text.view(), from_positional ? "URI" : "--uri");
        }
        return build(ctx);
    }

private:
    int show(Context& ctx, std::string_view uri, std::string_view what) {
        if (uri.substr(0, kMigrationScheme.size()) == kMigrationScheme) return show_migration(ctx, uri, what);
        auto a = parse_otpauth_uri(uri, account_.parse_options());
        if (!a) return report(ctx, a.error(), what);
        if (json_) {
            ctx.out << describe(*a, show_secret_).dump(2) << '\n';
        } else {
            print_human(ctx.out, *a, show_secret_);
        }
        return kExitOk;
    }

    int show_migration(Context& ctx, std::string_view uri, std::string_view what) {
        auto batch = parse_migration_uri(uri);
        if (!batch) return report(ctx, batch.error(), what);
        if (json_) {
            nlohmann::json j;
            j["batch_size"] = batch->batch_size;
            j["batch_index"] = batch->batch_index;
            j["batch_id"] = batch->batch_id;
            j["accounts"] = nlohmann::json::array();
            for (const auto& a : batch->accounts) j["accounts"].push_back(describe(a, show_secret_));
            ctx.out << j.dump(2) << '\n';
            return kExitOk;
        }
        ctx.out << "Google Authenticator export, QR code " << batch->batch_index + 1 << " of " << batch->batch_size
                << ": " << batch->accounts.size() << " account(s)\n";
        for (std::size_t i = 0; i < batch->accounts.size(); ++i) {
            ctx.out << "\naccount " << i + 1 << '\n';
            print_human(ctx.out, batch->accounts[i], show_secret_, "  ");
        }
        return kExitOk;
    }

    int build(Context& ctx) {
        Account a;
        if (random_flag_) {
            if (account_.has_secret()) return usage_error(ctx, "--random and --secret exclude each other");
            auto secret = generate_secret(secret_bytes_);
            if (!secret) return report(ctx, secret.error(), "--secret-bytes");
            if (int rc = account_.resolve_with(ctx, std::move(*secret), a); rc != kExitOk) return rc;
        } else {
            if (!account_.has_secret())
                return usage_error(ctx, "nothing to do: give a URI to show, or --secret/--random to build one (see --help)");
            if (int rc = account_.resolve(ctx, a); rc != kExitOk) return rc;
        }
        if (auto otp = Otp::create(a.secret.clone(), a.params); !otp) return report(ctx, otp.error(), "account");
        auto uri = format_otpauth_uri(a);
        if (!uri) return report(ctx, uri.error(), "account");
        if (json_) {
            nlohmann::json j = describe(a, show_secret_ || random_flag_);
            j["uri"] = std::string(uri->view());
            ctx.out << j.dump(2) << '\n';
        } else {
            ctx.out << uri->view() << '\n';
        }
        return kExitOk;
    }

    AccountOptions account_;
    std::string positional_uri_;
    CLI::Option* positional_ = nullptr;
    CLI::Option* random_ = nullptr;
    bool json_ = false;
    bool show_secret_ = false;
    bool random_flag_ = false;
    std::size_t secret_bytes_ = kDefaultSecretBytes;
};

}  // namespace

static const Registration kUri{{
    "uri",
    "Show what an otpauth:// URI holds, or build one",
    "Examples:\n"
    "  mfa uri 'otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example'\n"
    "  mfa uri --json --show-secret 'otpauth://hotp/Bank:bob?secret=JBSWY3DPEHPK3PXP&counter=3'\n"
    "  mfa uri 'otpauth-migration://offline?data=...'      # a Google Authenticator export\n"
    "  mfa uri --secret JBSWY3DPEHPK3PXP --issuer Example --name alice@example.com\n"
    "  mfa uri --random --issuer Example --name alice@example.com --digits 8 --algorithm SHA256\n",
    20,
    [] { return std::make_unique<UriCommand>(); },
}};

}  // namespace mfa::app

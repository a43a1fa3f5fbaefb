// `mfa add`: adds accounts to the vault from a URI, from flags, from a QR image, or by asking.
#include <CLI/CLI.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>

#include "account_options.hpp"
#include "command.hpp"
#include "entry_view.hpp"
#include "mfa/encoding.hpp"
#include "mfa/qr.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

class AddCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        account_.add_to(cmd);
        qr_opt_ = cmd.add_option("--qr", qr_, "a PNG or JPEG image with an otpauth:// or otpauth-migration:// QR code");
        cmd.add_option("--tag", tags_, "a tag (repeatable)");
        cmd.add_option("--note", note_, "a note kept with the account");
        cmd.add_flag("--json", json_, "print the added accounts as JSON");
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        std::vector<Account> accounts;
        if (qr_opt_->count() > 0) {
            if (account_.has_uri() || account_.has_secret()) return usage_error(ctx, "--qr: not with --uri or --secret");
            if (int rc = from_qr(ctx, accounts); rc != kExitOk) return rc;
        } else if (account_.has_uri() || account_.has_secret()) {
            Account a;
            if (int rc = account_.resolve(ctx, a); rc != kExitOk) return rc;
            accounts.push_back(std::move(a));
        }
        std::optional<Vault> v;
        if (accounts.empty()) {
            // Interactively the vault is unlocked first: a wrong passphrase should not cost the
            // typing of the account.
            if (!stdin_is_terminal())
                return usage_error(ctx, "no account: give --uri, --secret or --qr (or run on a terminal to be asked)");
            if (int rc = vault_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
            Account a;
            if (int rc = interactive(ctx, a); rc != kExitOk) return rc;
            accounts.push_back(std::move(a));
        }
        if (!v)
            if (int rc = vault_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
        std::vector<std::string> ids;
        for (const auto& a : accounts) {
            auto id = v->add(a, tags_, note_);
            if (!id) return report_vault(ctx, id.error(), a.issuer.empty() ? a.name : a.issuer + ":" + a.name);
            ids.push_back(*id);
        }
        if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& id : ids) {
            const VaultEntry* e = v->find_id(id);
            if (json_) arr.push_back(entry_json(*e));
            else ctx.out << "Added " << entry_summary(*e) << '\n';
        }
        if (json_) ctx.out << arr.dump() << '\n';
        return kExitOk;
    }

private:
    int from_qr(Context& ctx, std::vector<Account>& out) {
        auto texts = qr::decode_image_file(qr_);
        if (!texts) return report(ctx, texts.error(), "--qr");
        for (const auto& t : *texts) {
            if (t.view().starts_with("otpauth-migration:")) {
                auto batch = parse_migration_uri(t.view());
                if (!batch) return report(ctx, batch.error(), "--qr");
                for (auto& a : batch->accounts) out.push_back(std::move(a));
            } else {
                auto a = parse_otpauth_uri(t.view(), account_.parse_options());
                if (!a) return report(ctx, a.error(), "--qr");
                out.push_back(std::move(*a));
            }
        }
        return kExitOk;
    }

    int interactive(Context& ctx, Account& out) {
        SecretString issuer, name, secret, type;
        if (!ask("Issuer (e.g. GitHub): ", issuer, true) || !ask("Account name (e.g. alice@example.com): ", name, true) ||
            !ask("Secret (Base32, not shown): ", secret, false) || !ask("Type [totp/hotp/steam] (totp): ", type, true))
            return usage_error(ctx, "input ended");
        auto key = base32_decode(secret.view());
        if (!key) return report(ctx, key.error(), "secret");
        Account a;
        a.issuer = std::string(issuer.view());
        a.name = std::string(name.view());
        a.secret = std::move(*key);
        const std::string_view t = type.view();
        if (t.empty() || t == "totp") a.params.type = OtpType::totp;
        else if (t == "hotp") a.params.type = OtpType::hotp;
        else if (t == "steam") {
            a.params.type = OtpType::steam;
            a.params.digits = kSteamDigits;
        } else return usage_error(ctx, "type: totp, hotp or steam");
        if (a.params.type != OtpType::steam)
            if (int rc = ask_parameters(ctx, a.params); rc != kExitOk) return rc;
        if (auto st = validate(a.params); !st) return report(ctx, st.error());
        out = std::move(a);
        return kExitOk;
    }

    // Algorithm, digits and period (TOTP) or counter (HOTP); Enter keeps the default shown.
    int ask_parameters(Context& ctx, OtpParams& p) {
        SecretString alg, digits, more;
        if (!ask("Algorithm [SHA1/SHA256/SHA512] (SHA1): ", alg, true)) return usage_error(ctx, "input ended");
        std::string upper(alg.view());
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (upper.empty() || upper == "SHA1") p.algorithm = HashAlg::sha1;
        else if (upper == "SHA256") p.algorithm = HashAlg::sha256;
        else if (upper == "SHA512") p.algorithm = HashAlg::sha512;
        else return usage_error(ctx, "algorithm: SHA1, SHA256 or SHA512, not '" + std::string(alg.view()) + "'");
        if (!ask("Digits (6): ", digits, true)) return usage_error(ctx, "input ended");
        if (int rc = parse_answer(ctx, digits.view(), "digits", 4, 10, p.digits); rc != kExitOk) return rc;
        if (p.type == OtpType::hotp) {
            if (!ask("Counter (0): ", more, true)) return usage_error(ctx, "input ended");
            return parse_answer(ctx, more.view(), "counter", 0, UINT64_MAX, p.counter);
        }
        if (!ask("Period in seconds (30): ", more, true)) return usage_error(ctx, "input ended");
        return parse_answer(ctx, more.view(), "period", 1, kMaxPeriod, p.period);
    }

    // An answer in lo..hi into out; empty keeps out. Errors name the field and the range.
    template <class T>
    static int parse_answer(Context& ctx, std::string_view text, const char* field, std::uint64_t lo, std::uint64_t hi, T& out) {
        if (text.empty()) return kExitOk;
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
            return usage_error(ctx, std::string(field) + ": '" + std::string(text) + "' is not a number in " +
                                        std::to_string(lo) + ".." + std::to_string(hi));
        out = static_cast<T>(v);
        return kExitOk;
    }

    AccountOptions account_;
    VaultFlags vault_;
    std::string qr_;
    CLI::Option* qr_opt_ = nullptr;
    std::vector<std::string> tags_;
    std::string note_;
    bool json_ = false;
};

}  // namespace

static const Registration kAdd{{
    "add",
    "Add an account to the vault (from a URI, flags, a QR image, or interactively)",
    "Examples:\n"
    "  mfa add --uri 'otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub' --tag work\n"
    "  mfa add --uri - < uri.txt                  # keeps the secret out of the shell history\n"
    "  mfa add --secret - --issuer Bank --name bob --type hotp --counter 0 < secret.txt\n"
    "  mfa add --qr screenshot.png\n"
    "  mfa add                                    # unlocks, then asks issuer, name, secret (not echoed), type, algorithm, digits, period\n",
    2,
    [] { return std::make_unique<AddCommand>(); },
}};

}  // namespace mfa::app

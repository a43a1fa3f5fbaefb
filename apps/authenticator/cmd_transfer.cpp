// Moving accounts: `mfa import FILE|-` (otpauth URI lists, Google Authenticator migration URIs or
// QR images, Aegis, 2FAS and andOTP, plain or encrypted) and `mfa export` (URI list, Aegis JSON, Google
// Authenticator migration QR codes as PNG files).

#include <CLI/CLI.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "entry_view.hpp"
#include "mfa/atomic_file.hpp"
#include "mfa/qr.hpp"
#include "mfa/random.hpp"
#include "mfa/vault_import.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

Result<SecretBytes> read_input(Context& ctx, const std::string& file) {
    SecretBytes out;
    std::ifstream f;
    std::istream* in = &ctx.in;
    if (file != "-") {
        f.open(file, std::ios::binary);
        if (!f) return Error(Errc::io, "cannot read " + file);
        in = &f;
    }
    char buf[4096];
    while (in->read(buf, sizeof buf) || in->gcount() > 0) {
        out.append(ByteView(reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(in->gcount())));
        if (out.size() > kImportMaxBytes) return Error(Errc::limit_exceeded, file + ": larger than " + std::to_string(kImportMaxBytes) + " bytes");
    }
    secure_wipe(buf, sizeof buf);
    return out;
}

class ImportCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("file", file_, "the export file, a PNG or JPEG with a QR code, or '-' for stdin")->required();
        cmd.add_option("--password-file", password_file_, "the password of an encrypted Aegis, 2FAS or andOTP export (default: asked)");
        cmd.add_option("--format", format_,
                       "auto (recognised from the content), or andotp-encrypted / andotp-encrypted-old (andOTP 0.6.2 or "
                       "older) for an encrypted andOTP backup, which cannot be recognised")
            ->check(CLI::IsMember({"auto", "andotp-encrypted", "andotp-encrypted-old"}))
            ->capture_default_str();
        cmd.add_option("--tag", tags_, "add this tag to every imported account (repeatable)");
        cmd.add_option("--issuer-policy", issuer_policy_,
                       "URIs and Google Authenticator codes whose issuer parameter and label prefix differ: strict "
                       "(refuse), param, label")
            ->check(CLI::IsMember({"strict", "param", "label"}))
            ->capture_default_str();
        cmd.add_flag("--skip-invalid", skip_invalid_,
                     "URI lists: report each line that does not parse (with its number) and import the rest");
        cmd.add_flag("--dry-run", dry_run_, "show what would be imported; change nothing");
        cmd.add_flag("--json", json_, "print JSON: format, imported, duplicates, skipped, invalid, warnings");
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        auto data = read_input(ctx, file_);
        if (!data) return report(ctx, data.error(), file_);
        const ImportOptions opts{.issuer_policy = issuer_policy_ == "param"   ? IssuerPolicy::prefer_param
                                                  : issuer_policy_ == "label" ? IssuerPolicy::prefer_label
                                                                              : IssuerPolicy::strict,
                                 .skip_invalid = skip_invalid_};
        std::string format_name;
        Result<ImportResult> parsed = Error(Errc::internal);
        if (format_ == "auto" && qr::is_image(data->view())) {
            if (file_ == "-") return usage_error(ctx, "a QR image must be given as a file");
            auto texts = qr::decode_image(data->view());
            if (!texts) return report(ctx, texts.error(), file_);
            SecretString joined;
            for (const auto& t : *texts) {
                joined.append(t.view());
                joined.push_back('\n');
            }
            parsed = import_uri_list(joined.view(), opts);
            if (parsed) format_name = "QR image: " + std::string(to_string(parsed->format));
        } else {
            Result<ImportFormat> format = format_ == "andotp-encrypted"       ? ImportFormat::andotp_encrypted
                                          : format_ == "andotp-encrypted-old" ? ImportFormat::andotp_encrypted_old
                                                                              : detect_import_format(data->view());
            if (!format) {
                const int rc = report(ctx, format.error(), file_);
                // Only bytes that are not text may be an encrypted andOTP backup.
                if (format.error().detail.starts_with("binary data"))
                    ctx.err << "mfa: an encrypted andOTP backup needs --format andotp-encrypted (andotp-encrypted-old for andOTP 0.6.2 or older)\n";
                return rc;
            }
            SecretString password;
            if (needs_password(*format)) {
                const std::string prompt = "Password of the " + std::string(to_string(*format)) + " export: ";
                if (int rc = read_passphrase(ctx, password_file_, prompt, false, password, "--password-file"); rc != kExitOk) return rc;
            }
            parsed = import_accounts(data->view(), *format, &password, opts);
        }
        if (!parsed) {
            const int rc = report_vault(ctx, parsed.error(), file_);
            if (parsed.code() == Errc::uri_issuer_mismatch)
                ctx.err << "mfa: --issuer-policy param or label chooses one of them (--skip-invalid leaves such lines out)\n";
            else if (!skip_invalid_ && parsed.error().detail.starts_with("line "))
                ctx.err << "mfa: --skip-invalid imports the other lines and lists the bad ones\n";
            return rc;
        }
        if (format_name.empty()) format_name = to_string(parsed->format);

        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, dry_run_ ? OpenMode::read : OpenMode::write, v); rc != kExitOk) return rc;
        auto outcome = add_imported(*v, *parsed, tags_);
        if (!outcome) return report_vault(ctx, outcome.error());
        std::vector<std::string> added;
        for (const auto& a : outcome->added) added.push_back(a.label);
        const std::vector<std::string>& duplicates = outcome->duplicates;
        if (!dry_run_ && !added.empty())
            if (auto st = v->save(); !st) return report_vault(ctx, st.error(), "save");
        // Warnings go to stderr also with --json: a missing QR code must not go unnoticed.
        for (const auto& w : parsed->warnings) ctx.err << "mfa: warning: " << w << '\n';
        if (json_) {
            ctx.out << nlohmann::json{{"format", format_name}, {"imported", added}, {"duplicates", duplicates},
                                      {"skipped", parsed->skipped}, {"invalid", parsed->invalid},
                                      {"warnings", parsed->warnings}, {"dry_run", dry_run_}}
                           .dump()
                    << '\n';
            return kExitOk;
        }
        ctx.out << (dry_run_ ? "Would import " : "Imported ") << added.size() << " account(s) from " << format_name << '\n';
        for (const auto& l : added) ctx.out << "  + " << l << '\n';
        for (const auto& d : duplicates) ctx.out << "  = duplicate, skipped: " << d << '\n';
        for (const auto& s : parsed->skipped) ctx.out << "  - skipped: " << s << '\n';
        for (const auto& s : parsed->invalid) ctx.out << "  ! invalid, skipped: " << s << '\n';
        return kExitOk;
    }

private:
    VaultFlags vault_;
    std::string file_, password_file_, format_ = "auto", issuer_policy_ = "strict";
    std::vector<std::string> tags_;
    bool dry_run_ = false, json_ = false, skip_invalid_ = false;
};

class ExportCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("--format", format_, "uri (otpauth URI list), aegis (plain Aegis JSON), or migration-qr (Google Authenticator)")
            ->check(CLI::IsMember({"uri", "aegis", "migration-qr"}))
            ->capture_default_str();
        cmd.add_option("--out,-o", out_, "the output file (uri, aegis; default stdout) or directory (migration-qr)");
        cmd.add_option("query", query_, "only accounts matching this text");
        cmd.add_option("--per-qr", per_qr_, "accounts per QR code (migration-qr), 1..100")
            ->check(whole_number(1, 100))
            ->capture_default_str();
        cmd.add_flag("--yes,-y", yes_, "do not ask for confirmation");
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        if (format_ == "migration-qr" && out_.empty()) return usage_error(ctx, "--format migration-qr needs --out DIRECTORY");
        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, OpenMode::read, v); rc != kExitOk) return rc;
        const auto entries = v->search(query_);
        if (entries.empty()) return report(ctx, Error(Errc::not_found, "no accounts to export"));
        // The export holds every secret in the clear: make sure a person meant it.
        if (!yes_) {
            if (stdin_is_terminal()) {
                if (!confirm_on_terminal("Export " + std::to_string(entries.size()) + " account(s) with their secrets UNENCRYPTED?")) {
                    ctx.err << "Nothing exported.\n";
                    return kExitFailure;
                }
            } else if (!out_.empty() || ctx.out_is_terminal) {
                return usage_error(ctx, "export writes secrets in the clear: confirm with --yes");
            }
        }
        if (format_ == "migration-qr") return export_qr(ctx, entries);
        Result<SecretString> text = format_ == "uri" ? export_uri_list(entries) : export_aegis_json(entries);
        if (!text) return report(ctx, text.error());
        if (out_.empty()) {
            ctx.out << text->view();
            return kExitOk;
        }
        if (auto st = write_file_atomic(out_, as_bytes(text->view())); !st) return report(ctx, st.error(), "--out");
        ctx.err << "Exported " << entries.size() << " account(s) to " << out_ << " (mode 0600; delete it when done).\n";
        return kExitOk;
    }

private:
    int export_qr(Context& ctx, const std::vector<const VaultEntry*>& entries) {
        // What a Google Authenticator code cannot carry (Steam, another period ...) is left out and
        // listed; the rest is exported.
        std::vector<Account> accounts;
        std::vector<std::string> left_out;
        for (const auto* e : entries) {
            if (auto st = check_migration_account(e->account, accounts.size() + left_out.size() + 1); !st)
                left_out.push_back(st.error().detail);
            else
                accounts.push_back(e->account.clone());
        }
        for (const auto& l : left_out) ctx.err << "mfa: left out: " << l << '\n';
        if (accounts.empty())
            return report(ctx, Error(Errc::migration_field, "none of the " + std::to_string(entries.size()) +
                                                                " account(s) fits a Google Authenticator QR code"));
        if (!left_out.empty())
            ctx.err << "mfa: " << left_out.size() << " account(s) left out; " << accounts.size() << " exported\n";
        std::uint8_t r[4];
        if (auto st = random_fill(r); !st) return report(ctx, st.error());
        const std::int32_t batch_id = static_cast<std::int32_t>((std::uint32_t{r[0]} << 24 | std::uint32_t{r[1]} << 16 |
                                                                 std::uint32_t{r[2]} << 8 | r[3]) & 0x7fffffff);
        auto uris = build_migration_uris(accounts, per_qr_, batch_id);
        if (!uris) return report(ctx, uris.error());
        std::error_code ec;
        std::filesystem::create_directories(out_, ec);
        for (std::size_t i = 0; i < uris->size(); ++i) {
            auto png = qr::to_png((*uris)[i].view(), {.scale = 6});
            if (!png) return report(ctx, png.error());
            const auto file = std::filesystem::path(out_) / ("google-authenticator-" + std::to_string(i + 1) + "-of-" +
                                                            std::to_string(uris->size()) + ".png");
            if (auto st = write_file_atomic(file, png->view()); !st) return report(ctx, st.error(), "--out");
            ctx.out << file.string() << '\n';
        }
        ctx.err << "Scan these in order with Google Authenticator (Transfer accounts > Import accounts); delete them afterwards.\n";
        return kExitOk;
    }

    VaultFlags vault_;
    std::string format_ = "uri", out_, query_;
    std::size_t per_qr_ = 10;
    bool yes_ = false;
};

}  // namespace

static const Registration kImport{{
    "import",
    "Import accounts: otpauth URI lists, Google Authenticator QR/URIs, Aegis, 2FAS, andOTP",
    "Examples:\n"
    "  mfa import aegis-export.json                 # plain or encrypted (asks for the password)\n"
    "  mfa import 2fas-backup.2fas --tag phone        # plain or password-protected\n"
    "  mfa import otp_accounts.json.aes --format andotp-encrypted\n"
    "  mfa import google-export.png                 # a Google Authenticator transfer QR code\n"
    "  zbarimg -q --raw qr.png | mfa import -       # URIs, one a line\n"
    "  mfa import andotp.json --dry-run\n",
    30,
    [] { return std::make_unique<ImportCommand>(); },
}};
static const Registration kExport{{
    "export",
    "Export accounts (with their secrets): URI list, Aegis JSON, Google Authenticator QR codes",
    "Examples:\n"
    "  mfa export --format uri --out accounts.txt\n"
    "  mfa export --format aegis --out aegis.json --yes\n"
    "  mfa export --format migration-qr --out qr/   # PNGs to scan with Google Authenticator\n",
    31,
    [] { return std::make_unique<ExportCommand>(); },
}};

}  // namespace mfa::app

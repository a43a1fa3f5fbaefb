// `mfa show NAME`: one account's details; with --qr its otpauth:// URI as a QR code on the terminal
// (or --png FILE / --svg FILE), to move it to a phone. --uri prints the URI (contains the secret).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "entry_view.hpp"
#include "mfa/atomic_file.hpp"
#include "mfa/qr.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

class ShowCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("name", query_, "the account: its label, part of it, or its id")->required();
        cmd.add_flag("--qr", qr_, "show the account's otpauth:// URI as a QR code in the terminal");
        cmd.add_option("--png", png_, "write the QR code to a PNG file (mode 0600)");
        cmd.add_option("--svg", svg_, "write the QR code to an SVG file (mode 0600)");
        cmd.add_flag("--uri", uri_, "print the otpauth:// URI (it contains the secret)");
        cmd.add_flag("--json", json_, "print the account as JSON (without the secret)");
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, OpenMode::read, v); rc != kExitOk) return rc;
        const VaultEntry* e = nullptr;
        if (int rc = pick_one(ctx, *v, query_, e); rc != kExitOk) return rc;
        if (!qr_ && png_.empty() && svg_.empty() && !uri_) {
            if (json_) ctx.out << entry_json(*e).dump() << '\n';
            else print_details(ctx, *e);
            return kExitOk;
        }
        auto uri = format_otpauth_uri(e->account);
        if (!uri) return report(ctx, uri.error());
        if (uri_) ctx.out << uri->view() << '\n';
        if (!qr_ && png_.empty() && svg_.empty()) return kExitOk;
        auto code = qr::Matrix::encode(uri->view());
        if (!code) return report(ctx, code.error());
        if (qr_) {
            // The standard's 4-module quiet zone: with less, some phone readers miss a code drawn
            // next to other text on a dark terminal.
            auto text = qr::to_terminal(*code);
            if (!text) return report(ctx, text.error());
            ctx.out << text->view() << e->label() << '\n';
        }
        if (!png_.empty()) {
            auto png = qr::to_png(*code, {.scale = 8});
            if (!png) return report(ctx, png.error(), "--png");
            if (auto st = write_file_atomic(png_, png->view()); !st) return report(ctx, st.error(), "--png");
        }
        if (!svg_.empty()) {
            auto svg = qr::to_svg(*code, {.scale = 8});
            if (!svg) return report(ctx, svg.error(), "--svg");
            if (auto st = write_file_atomic(svg_, as_bytes(svg->view())); !st) return report(ctx, st.error(), "--svg");
        }
        return kExitOk;
    }

private:
    static void print_details(Context& ctx, const VaultEntry& e) {
        const auto& p = e.account.params;
        ctx.out << "id:        " << e.id << '\n'
                << "issuer:    " << e.account.issuer << '\n'
                << "name:      " << e.account.name << '\n'
                << "type:      " << to_string(p.type) << '\n'
                << "algorithm: " << to_string(p.algorithm) << '\n'
                << "digits:    " << p.digits << '\n';
        if (p.type == OtpType::hotp) ctx.out << "counter:   " << p.counter << '\n';
        else ctx.out << "period:    " << p.period << " s\n";
        if (!e.tags.empty()) {
            ctx.out << "tags:     ";
            for (const auto& t : e.tags) ctx.out << ' ' << t;
            ctx.out << '\n';
        }
        if (!e.note.empty()) ctx.out << "note:      " << e.note << '\n';
    }

    VaultFlags vault_;
    std::string query_;
    bool qr_ = false;
    bool uri_ = false;
    bool json_ = false;
    std::string png_;
    std::string svg_;
};

}  // namespace

static const Registration kShow{{
    "show",
    "Show one account; --qr shows it as a QR code to scan with a phone",
    "Examples:\n"
    "  mfa show github\n"
    "  mfa show 'GitHub:alice' --qr\n"
    "  mfa show github --png github.png\n"
    "  mfa show github --uri              # prints the secret: mind your terminal history\n",
    5,
    [] { return std::make_unique<ShowCommand>(); },
}};

}  // namespace mfa::app

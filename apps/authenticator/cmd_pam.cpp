// `mfa pam enroll`: a user sets up pam_mfa's TOTP factor without any privilege (docs/pam.md
// "Enrollment"). A fresh secret is shown as a QR code and text, a code from the app proves it was
// scanned, and the enrollment file (0600, ~/.config/mfa/pam-enroll.json or --file) is written;
// pam_mfa imports it into its root-owned store at the user's next login, records the import there,
// and never reads it again.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <filesystem>
#include <istream>
#include <ostream>
#include <string>

#include "command.hpp"
#include "pin_input.hpp"
#include "mfa/atomic_file.hpp"
#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/random.hpp"
#include "mfa/otpauth.hpp"
#include "mfa/qr.hpp"
#include "mfa/server/migrate.hpp"

namespace mfa::app {
namespace {

constexpr int kProofTries = 3;

class PamCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        auto* en = cmd.add_subcommand("enroll", "set up a TOTP code for logins through pam_mfa (writes the enrollment file)");
        en->add_option("--file", file_, "where to write it (default ~/.config/mfa/pam-enroll.json; pam_mfa's enroll_dir=DIR reads DIR/<user>.json)");
        en->add_option("--issuer", issuer_, "the name the app shows")->default_val("");
        en->add_flag("--no-qr", no_qr_, "print only the secret and the URI");
        en->add_flag("--force", force_, "replace an enrollment file that pam_mfa has not imported yet");
        en->add_option("--key", key_device_, "also register a FIDO2 security key (a device path: hid:…, tty:/dev/pts/N)");
        en->add_option("--key-name", key_name_, "what the key is called in listings")->default_val("security key");
        en->add_option("--pin-file", pin_file_, "the key's PIN (first line); the key then verifies the user at every login");
        en->add_option("--rp-id", rp_id_, "the relying party pam_mfa uses (its rp_id=; default pam://<hostname>)");
        en->add_flag("--no-totp", no_totp_, "register only the key (with --key)");
        cmd_ = &cmd;
    }

    int run(Context& ctx) override {
        const passwd* pw = getpwuid(getuid());
        if (!pw || !pw->pw_name) return usage_error(ctx, "cannot find the current user in the user database");
        const std::string user = pw->pw_name;
        std::filesystem::path path = file_;
        if (path.empty()) {
            if (!pw->pw_dir || !*pw->pw_dir) return usage_error(ctx, "the current user has no home directory; pass --file");
            const std::filesystem::path dir = std::filesystem::path(pw->pw_dir) / ".config" / "mfa";
            std::error_code ec;
            std::filesystem::create_directories(dir, ec);
            if (ec) return report(ctx, Error{Errc::io, dir.string() + ": " + ec.message()}, "enroll");
            ::chmod(dir.c_str(), 0700);
            path = dir / "pam-enroll.json";
        }
        std::error_code ec;
        if (std::filesystem::exists(std::filesystem::symlink_status(path, ec)) && !force_)
            return usage_error(ctx, path.string() + " exists (pam_mfa imports an enrollment once; --force replaces one not imported yet)");

        if (no_totp_ && key_device_.empty()) return usage_error(ctx, "--no-totp needs --key");
        char host[256] = "";
        gethostname(host, sizeof host - 1);
        server::EnrollmentFile f;
        f.user = user;
        f.created = static_cast<std::int64_t>(std::time(nullptr));
        if (!key_device_.empty()) {
            auto key = register_key(ctx, user, rp_id_.empty() ? std::string("pam://") + host : rp_id_);
            if (!key) return report(ctx, key.error(), "--key");
            f.keys.push_back(std::move(*key));
            ctx.out << "Security key registered.\n";
        }
        if (!no_totp_)
            if (int rc = enroll_totp(ctx, user, host, f); rc != kExitOk) return rc;
        const SecretString text = server::enrollment_file_json(f);
        AtomicWriteOptions wo;
        wo.mode = 0600;
        if (!force_) wo.refuse_existing = Errc::invalid_argument;
        if (auto st = write_file_atomic(path, as_bytes(text.view()), wo); !st) return report(ctx, st.error(), "enroll");
        ctx.out << "Wrote " << path.string()
                << ".\nYour next login through pam_mfa imports it: then delete the file (it holds the secret).\n";
        return kExitOk;
    }

private:
    // The TOTP part: a fresh secret, shown, and proven by a code before it goes into the file.
    int enroll_totp(Context& ctx, const std::string& user, const char* host, server::EnrollmentFile& f) {
        auto secret = generate_secret(kDefaultSecretBytes);
        if (!secret) return report(ctx, secret.error(), "enroll");
        Account acct;
        acct.issuer = issuer_.empty() ? std::string(host) : issuer_;
        acct.name = user;
        acct.params.type = OtpType::totp;
        acct.secret = secret->clone();
        auto uri = format_otpauth_uri(acct);
        if (!uri) return report(ctx, uri.error(), "enroll");
        if (!no_qr_) {
            auto text = qr::to_terminal(uri->view());
            if (!text) return report(ctx, text.error(), "enroll");
            ctx.out << text->view();
        }
        ctx.out << "Secret: " << base32_encode(secret->view()).view() << "\nURI:    " << uri->view()
                << "\nScan it (or type the secret) into your authenticator app.\n";
        auto otp = Otp::create(secret->clone(), acct.params);
        if (!otp) return report(ctx, otp.error(), "enroll");
        bool proven = false;
        for (int i = 0; i < kProofTries && !proven; ++i) {
            ctx.out << "Code from the app: " << std::flush;
            std::string code;
            if (!std::getline(ctx.in, code)) break;
            while (!code.empty() && (code.back() == '\r' || code.back() == ' ')) code.pop_back();
            const auto v = otp->verify(code, static_cast<std::int64_t>(std::time(nullptr)), Window{1, 1});
            if (v.ok()) proven = true;
            else ctx.err << "mfa: that code does not match; check the app's clock and try again\n";
        }
        if (!proven) return report(ctx, Error{Errc::otp_code_mismatch, "no matching code: nothing written"}, "enroll");
        f.has_totp = true;
        f.totp_secret = std::move(*secret);
        f.totp_params = acct.params;
        return kExitOk;
    }

    // A credential made on the key for pam_mfa's relying party, checked with libfido2's own
    // attestation verification, as the record the module stores.
    Result<server::EnrollmentKey> register_key(Context& ctx, const std::string& user, const std::string& rp_id) {
        fido2::Client client;
        auto dev = client.open(key_device_);
        if (!dev) return std::move(dev).error();
        Bytes challenge(32), uid(16);
        MFA_TRY(random_fill(challenge));
        MFA_TRY(random_fill(uid));
        const auto cd = fido2::make_client_data("webauthn.create", challenge, rp_id);
        fido2::MakeCredentialRequest req;
        req.client_data_hash = cd.hash;
        req.rp = {rp_id, rp_id};
        req.user = {uid, user, user};
        if (!pin_file_.empty()) {
            auto pin = read_pin_file(pin_file_);
            if (!pin) return std::move(pin).error();
            req.pin = std::move(*pin);
            req.user_verification = true;
        }
        ctx.out << "Touch your security key.\n" << std::flush;
        auto cred = (*dev)->make_credential(req);
        if (!cred) return std::move(cred).error();
        MFA_TRY(cred->verify(cd.hash, rp_id));
        server::EnrollmentKey k;
        k.name = key_name_;
        k.record.id = cred->credential_id;
        k.record.public_key = cred->public_key_cose;
        k.record.alg = static_cast<int>(cred->algorithm);
        k.record.sign_count = cred->sign_count;
        k.record.uv_initialized = req.user_verification;
        // Authenticator data: rpIdHash (32), flags (1), counter (4), then the AAGUID (16).
        if (cred->auth_data.size() >= 53) std::copy_n(cred->auth_data.begin() + 37, 16, k.record.aaguid.begin());
        k.record.attestation.fmt = cred->fmt;
        k.record.created_at = static_cast<std::int64_t>(std::time(nullptr));
        return k;
    }

    CLI::App* cmd_ = nullptr;
    std::string file_, issuer_, key_device_, key_name_, pin_file_, rp_id_;
    bool no_qr_ = false, force_ = false, no_totp_ = false;
};

const Registration kPam{{"pam", "pam_mfa: set up your login second factor",
                         "Examples:\n"
                         "  mfa pam enroll\n"
                         "  mfa pam enroll --file /var/lib/mfa/enroll/$USER.json --no-qr\n"
                         "  mfa pam enroll --key hid:/dev/hidraw0 --pin-file ~/.pin\n",
                         62, [] { return std::make_unique<PamCommand>(); }}};

}  // namespace
}  // namespace mfa::app

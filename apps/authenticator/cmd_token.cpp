// `mfa token`: a FIDO2 authenticator -- a USB security key, a soft token file (--device soft:FILE)
// or a served soft token (--device tty:/dev/pts/N). list, info, pin set|change|retries, reset,
// creds list|delete, and register / login, which print the WebAuthn JSON a browser would send for
// --origin (pipe it into `mfa webauthn verify-registration`). PINs come from --pin-file or a
// no-echo terminal prompt, never from the command line.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/random.hpp"
#include "pin_input.hpp"

namespace mfa::app {
namespace {

using namespace mfa::fido2;

Result<Bytes> b64url_arg(const std::string& text, const char* what) {
    auto b = base64_decode(text, Base64Mode::lenient);
    if (!b) return Error(Errc::invalid_argument, std::string(what) + " is not base64url");
    return std::move(*b);
}

Result<Bytes> random_bytes_n(std::size_t n) {
    Bytes b(n);
    if (auto s = random_fill(b); !s) return std::move(s).error();
    return b;
}

class TokenCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        cmd.add_option("--device", device_, "soft:FILE, tty:/dev/pts/N or a key's path (default: the first key found)");
        cmd.add_flag("--json", json_, "print JSON");
        list_ = cmd.add_subcommand("list", "list the USB security keys present");
        info_ = cmd.add_subcommand("info", "what the authenticator supports (GetInfo) and its PIN retries");
        auto* pin = cmd.add_subcommand("pin", "set, change or count the PIN");
        pin->require_subcommand(1);
        pin_set_ = pin->add_subcommand("set", "set the PIN of an authenticator that has none");
        pin_change_ = pin->add_subcommand("change", "change the PIN");
        pin_retries_ = pin->add_subcommand("retries", "PIN attempts left before the PIN blocks");
        pin_change_->add_option("--pin-file", pin_file_, "file whose first line is the current PIN");
        for (auto* s : {pin_set_, pin_change_})
            s->add_option("--new-pin-file", new_pin_file_, "file whose first line is the new PIN");
        reset_ = cmd.add_subcommand("reset", "delete every credential and the PIN");
        reset_->add_flag("--yes", yes_, "really reset (required)");
        auto* creds = cmd.add_subcommand("creds", "discoverable credentials (credential management; needs the PIN)");
        creds->require_subcommand(1);
        creds_list_ = creds->add_subcommand("list", "list discoverable credentials by relying party");
        creds_delete_ = creds->add_subcommand("delete", "delete a discoverable credential");
        creds_delete_->add_option("ID", cred_ids_, "the credential ID, base64url")->required()->expected(1);
        for (auto* s : {creds_list_, creds_delete_})
            s->add_option("--pin-file", pin_file_, "file whose first line is the PIN");

        register_ = cmd.add_subcommand("register", "make a credential; print the RegistrationResponseJSON");
        login_ = cmd.add_subcommand("login", "get an assertion; print the AuthenticationResponseJSON");
        for (auto* s : {register_, login_}) {
            s->add_option("--rp-id", rp_id_, "relying party ID, e.g. example.com (required without --options)");
            s->add_option("--options", options_file_,
                          "FILE with the relying party's options JSON ('-': standard input), as a browser gets them; needs --origin");
            s->add_option("--origin", origin_, "origin in clientDataJSON (default: https://RP-ID)");
            s->add_option("--challenge", challenge_, "the challenge, base64url (default: 32 random bytes)");
            s->add_flag("--uv", uv_, "require user verification (the PIN)");
            s->add_option("--pin-file", pin_file_, "file whose first line is the PIN (else a prompt when needed)");
        }
        register_->add_option("--user", user_, "user name (required without --options)");
        register_->add_option("--user-id", user_id_, "user handle, base64url (default: 16 random bytes)");
        register_->add_flag("--resident", resident_, "make a discoverable (resident) credential");
        register_->add_option("--alg", alg_, "es256 (default) or eddsa")->check(CLI::IsMember({"es256", "eddsa"}));
        login_->add_option("--credential-id", cred_ids_, "allowed credential ID, base64url (repeatable; none: discoverable)");
    }

    int run(Context& ctx) override {
        if (list_->parsed()) return list(ctx);
        if (reset_->parsed() && !yes_) return usage_error(ctx, "reset deletes every credential and the PIN: add --yes");
        auto dev = open(ctx);
        if (!dev) return report(ctx, dev.error(), "device");
        Device& d = **dev;
        if (info_->parsed()) return info(ctx, d);
        if (pin_set_->parsed()) return pin_set(ctx, d);
        if (pin_change_->parsed()) return pin_change(ctx, d);
        if (pin_retries_->parsed()) return pin_retries(ctx, d);
        if (reset_->parsed()) return reset(ctx, d);
        if (creds_list_->parsed()) return creds_list(ctx, d);
        if (creds_delete_->parsed()) return creds_delete(ctx, d);
        if (register_->parsed()) return make(ctx, d);
        return login(ctx, d);
    }

private:
    Result<std::unique_ptr<Device>> open(Context&) {
        std::string path = device_;
        if (path.empty()) {
            auto all = client_.list();
            if (!all) return std::move(all).error();
            for (const auto& e : *all)
                if (e.path.rfind("soft:", 0) != 0) {
                    path = e.path;
                    break;
                }
            if (path.empty()) return Error(Errc::fido2_no_device, "no security key found; give --device");
        }
        return client_.open(path);
    }

    int done(Context& ctx, const char* what) {
        if (json_)
            ctx.out << nlohmann::json{{"ok", true}}.dump() << '\n';
        else
            ctx.out << what << '\n';
        return kExitOk;
    }

    int list(Context& ctx) {
        auto all = client_.list();
        if (!all) return report(ctx, all.error(), "list");
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& e : *all) {
            if (e.path.rfind("soft:", 0) == 0) continue;
            char ids[16];
            std::snprintf(ids, sizeof ids, "%04x:%04x", e.vendor_id, e.product_id);
            if (json_)
                arr.push_back({{"path", e.path}, {"manufacturer", e.manufacturer}, {"product", e.product}, {"id", ids}});
            else
                ctx.out << e.path << "  " << ids << "  " << e.manufacturer << ' ' << e.product << '\n';
        }
        if (json_) ctx.out << arr.dump() << '\n';
        return kExitOk;
    }

    int info(Context& ctx, Device& d) {
        auto i = d.info();
        if (!i) return report(ctx, i.error(), "info");
        if (json_) {
            ctx.out << info_json(*i) << '\n';
            return kExitOk;
        }
        auto join = [](const auto& v) {
            std::string s;
            for (const auto& x : v) {
                if (!s.empty()) s += ", ";
                if constexpr (std::is_convertible_v<decltype(x), std::string>) s += x;
                else s += std::to_string(x);
            }
            return s;
        };
        std::string opts;
        for (const auto& [k, v] : i->options) opts += (opts.empty() ? "" : ", ") + k + (v ? "" : "=false");
        auto j = nlohmann::json::parse(info_json(*i));
        ctx.out << "path: " << d.path() << '\n'
                << "versions: " << join(i->versions) << '\n'
                << "extensions: " << join(i->extensions) << '\n'
                << "aaguid: " << j["aaguid"].get<std::string>() << '\n'
                << "options: " << opts << '\n'
                << "algorithms: " << join(i->algorithms) << '\n'
                << "pin protocols: " << join(i->pin_protocols) << '\n';
        if (i->pin_retries) ctx.out << "pin retries: " << *i->pin_retries << '\n';
        if (i->remaining_resident_credentials)
            ctx.out << "remaining discoverable credentials: " << *i->remaining_resident_credentials << '\n';
        return kExitOk;
    }

    Result<SecretString> new_pin() {
        if (!new_pin_file_.empty()) return read_pin_file(new_pin_file_);
        auto a = prompt_pin("New PIN: ");
        if (!a) return a;
        auto b = prompt_pin("New PIN again: ");
        if (!b) return b;
        if (a->view() != b->view()) return Error(Errc::invalid_argument, "the two PINs differ");
        return a;
    }

    int pin_set(Context& ctx, Device& d) {
        auto p = new_pin();
        if (!p) return report(ctx, p.error(), "new PIN");
        if (auto s = d.set_pin(*p); !s) return report(ctx, s.error(), "pin set");
        return done(ctx, "PIN set");
    }

    int pin_change(Context& ctx, Device& d) {
        auto old = get_pin(pin_file_, "Current PIN: ");
        if (!old) return report(ctx, old.error(), "PIN");
        auto p = new_pin();
        if (!p) return report(ctx, p.error(), "new PIN");
        if (auto s = d.change_pin(*old, *p); !s) return report(ctx, s.error(), "pin change");
        return done(ctx, "PIN changed");
    }

    int pin_retries(Context& ctx, Device& d) {
        auto r = d.pin_retries();
        if (!r) return report(ctx, r.error(), "pin retries");
        if (json_)
            ctx.out << nlohmann::json{{"pinRetries", *r}}.dump() << '\n';
        else
            ctx.out << *r << '\n';
        return kExitOk;
    }

    int reset(Context& ctx, Device& d) {
        if (auto s = d.reset(); !s) return report(ctx, s.error(), "reset");
        return done(ctx, "reset: every credential and the PIN are gone");
    }

    int creds_list(Context& ctx, Device& d) {
        auto pin = get_pin(pin_file_, "PIN: ");
        if (!pin) return report(ctx, pin.error(), "PIN");
        auto text = credentials_json(d, *pin);
        if (!text) return report(ctx, text.error(), "creds list");
        if (json_) {
            ctx.out << *text << '\n';
            return kExitOk;
        }
        auto j = nlohmann::json::parse(*text);
        ctx.out << j["existing"].get<std::uint64_t>() << " discoverable credentials, room for "
                << j["remaining"].get<std::uint64_t>() << " more\n";
        for (const auto& rp : j["rps"]) {
            ctx.out << rp["id"].get<std::string>() << '\n';
            for (const auto& c : rp["credentials"])
                ctx.out << "  " << c["id"].get<std::string>() << "  " << c["userName"].get<std::string>() << "  "
                        << (c["algorithm"].get<int>() == -8 ? "EdDSA" : "ES256") << "  credProtect "
                        << c["credProtect"].get<int>() << '\n';
        }
        return kExitOk;
    }

    int creds_delete(Context& ctx, Device& d) {
        auto id = b64url_arg(cred_ids_.front(), "ID");
        if (!id) return report(ctx, id.error());
        auto pin = get_pin(pin_file_, "PIN: ");
        if (!pin) return report(ctx, pin.error(), "PIN");
        if (auto s = d.delete_credential(*id, *pin); !s) return report(ctx, s.error(), "creds delete");
        return done(ctx, "deleted");
    }

    // The PIN when one is given, or when UV is asked of a device whose PIN is set.
    Result<std::optional<SecretString>> uv_pin(Device& d) {
        if (!pin_file_.empty()) {
            auto p = read_pin_file(pin_file_);
            if (!p) return std::move(p).error();
            return std::optional<SecretString>(std::move(*p));
        }
        if (!uv_) return std::optional<SecretString>{};
        auto i = d.info();
        if (!i) return std::move(i).error();
        if (i->option("clientPin") != true) return std::optional<SecretString>{};
        auto p = prompt_pin("PIN: ");
        if (!p) return std::move(p).error();
        return std::optional<SecretString>(std::move(*p));
    }

    Result<Bytes> the_challenge() {
        if (challenge_.empty()) return random_bytes_n(32);
        return b64url_arg(challenge_, "--challenge");
    }

    // Without --options: --rp-id. With it: --origin, and none of the options it replaces.
    std::optional<int> check_ceremony_args(Context& ctx, bool create) {
        if (options_file_.empty()) {
            if (rp_id_.empty()) return usage_error(ctx, "give --rp-id, or the relying party's --options");
            if (create && user_.empty()) return usage_error(ctx, "give --user, or the relying party's --options");
            return std::nullopt;
        }
        if (origin_.empty()) return usage_error(ctx, "--options needs --origin (the origin of the page the options are for)");
        if (!rp_id_.empty() || !challenge_.empty() || !user_.empty() || !user_id_.empty() || resident_ ||
            !cred_ids_.empty() || alg_ != "es256")
            return usage_error(ctx, "--options gives the RP ID, challenge, user and credentials: drop the other ceremony options");
        return std::nullopt;
    }

    // register / login --options: the WebAuthn client (fido2::webauthn_create / _get) answers the
    // relying party's options as a browser would.
    int from_options(Context& ctx, Device& d, bool create) {
        auto text = read_text_input(ctx, options_file_, 256 * 1024);
        if (!text) return report(ctx, text.error(), "--options");
        auto pin = uv_pin(d);
        if (!pin) return report(ctx, pin.error(), "PIN");
        auto json = create ? webauthn_create(d, *text, origin_, *pin) : webauthn_get(d, *text, origin_, *pin);
        if (!json) return report(ctx, json.error(), create ? "register" : "login");
        ctx.out << *json << '\n';
        return kExitOk;
    }

    int make(Context& ctx, Device& d) {
        if (auto bad = check_ceremony_args(ctx, true)) return *bad;
        if (!options_file_.empty()) return from_options(ctx, d, true);
        auto chal = the_challenge();
        if (!chal) return report(ctx, chal.error());
        Bytes uid;
        if (user_id_.empty()) {
            auto r = random_bytes_n(16);
            if (!r) return report(ctx, r.error());
            uid = std::move(*r);
        } else {
            auto r = b64url_arg(user_id_, "--user-id");
            if (!r) return report(ctx, r.error());
            uid = std::move(*r);
        }
        if (uid.empty() || uid.size() > 64) return usage_error(ctx, "--user-id must be 1..64 bytes");
        auto pin = uv_pin(d);
        if (!pin) return report(ctx, pin.error(), "PIN");
        const std::string origin = origin_.empty() ? "https://" + rp_id_ : origin_;
        const auto cd = make_client_data("webauthn.create", *chal, origin);
        MakeCredentialRequest req;
        req.client_data_hash = cd.hash;
        req.rp = {rp_id_, rp_id_};
        req.user = {uid, user_, user_};
        req.algorithm = alg_ == "eddsa" ? Algorithm::eddsa : Algorithm::es256;
        req.resident = resident_;
        req.user_verification = uv_;
        req.pin = std::move(*pin);
        auto cred = d.make_credential(req);
        if (!cred) return report(ctx, cred.error(), "register");
        auto json = registration_json(*cred, cd);
        if (!json) return report(ctx, json.error(), "register");
        if (json_)
            ctx.out << nlohmann::ordered_json{{"challenge", base64url_encode(*chal)},
                                              {"userId", base64url_encode(uid)},
                                              {"origin", origin},
                                              {"credential", nlohmann::json::parse(*json)}}
                           .dump()
                    << '\n';
        else
            ctx.out << *json << '\n';
        return kExitOk;
    }

    int login(Context& ctx, Device& d) {
        if (auto bad = check_ceremony_args(ctx, false)) return *bad;
        if (!options_file_.empty()) return from_options(ctx, d, false);
        auto chal = the_challenge();
        if (!chal) return report(ctx, chal.error());
        GetAssertionRequest req;
        for (const auto& s : cred_ids_) {
            auto id = b64url_arg(s, "--credential-id");
            if (!id) return report(ctx, id.error());
            req.allow.push_back(std::move(*id));
        }
        auto pin = uv_pin(d);
        if (!pin) return report(ctx, pin.error(), "PIN");
        const std::string origin = origin_.empty() ? "https://" + rp_id_ : origin_;
        const auto cd = make_client_data("webauthn.get", *chal, origin);
        req.rp_id = rp_id_;
        req.client_data_hash = cd.hash;
        req.user_verification = uv_;
        req.pin = std::move(*pin);
        auto as = d.get_assertions(req);
        if (!as) return report(ctx, as.error(), "login");
        auto arr = nlohmann::json::array();
        for (const auto& a : *as) {
            auto json = authentication_json(a, cd);
            if (!json) return report(ctx, json.error(), "login");
            if (json_)
                arr.push_back(nlohmann::json::parse(*json));
            else
                ctx.out << *json << '\n';
        }
        if (json_)
            ctx.out << nlohmann::ordered_json{{"challenge", base64url_encode(*chal)}, {"origin", origin}, {"assertions", arr}}
                           .dump()
                    << '\n';
        return kExitOk;
    }

    Client client_;
    CLI::App *list_ = nullptr, *info_ = nullptr, *pin_set_ = nullptr, *pin_change_ = nullptr, *pin_retries_ = nullptr,
             *reset_ = nullptr, *creds_list_ = nullptr, *creds_delete_ = nullptr, *register_ = nullptr,
             *login_ = nullptr;
    std::string device_, pin_file_, new_pin_file_, options_file_, rp_id_, origin_, challenge_, user_, user_id_, alg_ = "es256";
    std::vector<std::string> cred_ids_;
    bool json_ = false, yes_ = false, uv_ = false, resident_ = false;
};

}  // namespace

static const Registration kToken{
    {"token", "FIDO2 authenticators: info, PIN, reset, credentials, register and login",
     "Examples:\n"
     "  mfa token list\n"
     "  mfa token --device soft:dev.token info\n"
     "  mfa token --device soft:dev.token pin set --new-pin-file pin.txt\n"
     "  mfa token --device soft:dev.token register --rp-id example.com --user alice --resident \\\n"
     "      --uv --pin-file pin.txt --challenge <b64url> > reg.json\n"
     "  mfa token --device soft:dev.token login --rp-id example.com --uv --pin-file pin.txt\n"
     "  mfa token --device tty:/dev/pts/5 creds list --pin-file pin.txt\n"
     "  curl -s https://example.com/webauthn/begin | mfa token --device soft:dev.token register --options - \\\n"
     "      --origin https://example.com --pin-file pin.txt\n"
     "PINs are read from --pin-file or typed without echo; never given on the command line.\n",
     60, [] { return std::make_unique<TokenCommand>(); }}};

}  // namespace mfa::app

// pam_mfa.so: the second factor of a PAM stack (docs/pam.md). Every decision goes through the
// server toolkit over the store named by store=: TOTP verification with its replay guard, the
// throttle and lock-out, and recovery codes, so that logins on every machine sharing the store see
// one state and concurrent logins of a user are counted exactly (Store::attempt). Nothing the user
// can edit holds state: the enrollment file, ~/.google_authenticator and pam-u2f's u2f_keys are read
// once, imported into the store, recorded there as imported, and never written.
#include <fcntl.h>
#include <pwd.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <memory>
#include <ctime>
#include <string>
#include <vector>

#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/json.hpp"
#include "mfa/secret.hpp"
#include "mfa/server/migrate.hpp"
#include "mfa/server/toolkit.hpp"
#include "mfa/webauthn/config.hpp"
#include "pam_options.hpp"

namespace {

using namespace mfa;
using mfa::pam::Options;
using mfa::pam::PassMode;
using Factor = mfa::pam::Factor;

struct Account {
    std::string name;
    std::string home;
    uid_t uid = 0;
    bool known = false;  // in the system's user database (the files it owns can be imported)
};

Account lookup(const char* user) {
    Account a;
    a.name = user;
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (getpwnam_r(user, &pw, buf.data(), buf.size(), &found) == 0 && found) {
        a.home = found->pw_dir ? found->pw_dir : "";
        a.uid = found->pw_uid;
        a.known = true;
    }
    return a;
}

class Login {
public:
    Login(pam_handle_t* pamh, Options opt) : pamh_(pamh), opt_(std::move(opt)) {}

    int run(const char* user);

private:
    void log(int prio, const std::string& msg) const { pam_syslog(pamh_, prio, "%s", msg.c_str()); }
    void debug(const std::string& msg) const {
        if (opt_.debug) log(LOG_DEBUG, msg);
    }
    // The store or something behind it failed: fail=closed refuses, fail=open steps aside.
    int unavailable(const Error& e) const {
        log(LOG_ERR, "user " + account_.name + ": store unavailable (" + e.to_string() + "); fail=" +
                         (opt_.fail_open ? "open: not asking for a second factor" : "closed: refusing"));
        return opt_.fail_open ? PAM_IGNORE : PAM_AUTHINFO_UNAVAIL;
    }
    int failed(const Error& e, const char* what) const {
        if (e.code == Errc::store_unavailable) return unavailable(e);
        log(LOG_ERR, "user " + account_.name + ": " + what + ": " + e.to_string());
        return PAM_AUTHINFO_UNAVAIL;
    }
    // The user's file, checked on the opened descriptor. `public_data` (pam-u2f's mappings hold
    // public keys): owned by the user or root and writable by no one else, as pam-u2f requires;
    // otherwise owned by the user and private.
    Result<std::string> read_user_file(const std::string& path, std::size_t max, bool public_data = false) const;
    // Imports one source once: the claim in the store is taken first (put_if_absent), so concurrent
    // logins import once, and a factor an operator removed later is not brought back by the file.
    Status import_once(std::string_view source, const std::function<Status()>& action);
    Status import_enrollment();
    Status import_google_authenticator();
    Status import_pam_u2f();
    int verify_code(SecretString code, bool& retry);
    // A FIDO2 assertion from the key plugged in (or device=): the toolkit's WebAuthn login with
    // the client data made here. `fallback` tells whether the code prompt may follow.
    int try_key(bool& fallback);
    bool key_enrolled_ = false;

    pam_handle_t* pamh_;
    Options opt_;
    Account account_;
    std::unique_ptr<server::Toolkit> tk_;
    server::RequestContext ctx_;
    std::size_t recovery_left_ = 0;
};

Result<std::string> Login::read_user_file(const std::string& path, std::size_t max, bool public_data) const {
    // O_NOFOLLOW and fstat on the opened file: the checks are about the file that is read.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) return Error{Errc::not_found, path};
        return Error{Errc::io, path + ": " + std::strerror(errno)};
    }
    struct stat st {};
    std::string text;
    Status check;  // ok while the file passes every check
    if (fstat(fd, &st) != 0) check = Error{Errc::io, path + ": fstat failed"};
    else if (!S_ISREG(st.st_mode)) check = Error{Errc::invalid_argument, path + " is not a regular file"};
    else if (public_data && st.st_uid != account_.uid && st.st_uid != 0)
        check = Error{Errc::invalid_argument, path + " is owned by neither the user nor root"};
    else if (public_data && (st.st_mode & 022) != 0) check = Error{Errc::invalid_argument, path + " is writable by others (chmod go-w)"};
    else if (!public_data && st.st_uid != account_.uid) check = Error{Errc::invalid_argument, path + " is not owned by the user"};
    else if (!public_data && (st.st_mode & 077) != 0)
        check = Error{Errc::invalid_argument, path + " is readable or writable by others (chmod 600)"};
    else if (static_cast<std::size_t>(st.st_size) > max) check = Error{Errc::limit_exceeded, path + " is too large"};
    if (check) {
        text.resize(max + 1);
        std::size_t got = 0;
        while (got < text.size()) {
            const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        if (got > max) check = Error{Errc::limit_exceeded, path + " is too large"};
        text.resize(got);
    }
    ::close(fd);
    if (!check) {
        secure_wipe(text.data(), text.size());
        return std::move(check).error();
    }
    return text;
}

Status Login::import_once(std::string_view source, const std::function<Status()>& action) {
    auto ukey = server::user_key_part(account_.name);
    if (!ukey) return std::move(ukey).error();
    const std::string claim = "mfa:pam-import:{" + *ukey + "}:" + std::string(source);
    auto done = tk_->store().get(claim);
    if (!done) return std::move(done).error();
    if (done->has_value()) return {};
    const std::string when = std::to_string(tk_->now());
    auto mine = tk_->store().put_if_absent(claim, as_bytes(when));
    if (!mine) return std::move(mine).error();
    if (!*mine) return {};  // a concurrent login imports it
    auto st = action();
    if (!st && st.code() != Errc::factor_already_enrolled) {
        // Nothing was imported: give the next login its chance (after the user fixes the file).
        (void)tk_->store().erase(claim);
        return st;
    }
    return {};
}

Status Login::import_enrollment() {
    const std::string path = !opt_.enroll_dir.empty() ? opt_.enroll_dir + "/" + account_.name + ".json"
                                                      : account_.home + "/.config/mfa/pam-enroll.json";
    auto text = read_user_file(path, server::kMaxEnrollmentFile);
    if (!text) return text.code() == Errc::not_found ? Status{} : Status{std::move(text).error()};
    auto f = server::parse_enrollment_file(*text);
    secure_wipe(text->data(), text->size());
    if (!f) return std::move(f).error();
    if (f->user != account_.name) return {Errc::invalid_argument, path + " names another user"};
    return import_once("enroll", [&]() -> Status {
        bool any = false;
        if (f->has_totp) {
            auto st = tk_->totp_import(account_.name, f->totp_secret.view(), f->totp_params, "", ctx_);
            if (!st && st.code() != Errc::factor_already_enrolled) return st;
            if (st) {
                any = true;
                log(LOG_NOTICE, "user " + account_.name + ": TOTP factor imported from " + path);
            }
        }
        for (auto& k : f->keys) {
            auto info = tk_->webauthn_import(account_.name, std::move(k.record), k.name, ctx_);
            if (!info && info.code() != Errc::webauthn_credential_registered) return std::move(info).error();
            if (info) {
                any = true;
                log(LOG_NOTICE, "user " + account_.name + ": security key " + info->id + " imported from " + path);
            }
        }
        return any ? Status{} : Status{Errc::factor_already_enrolled, "nothing new in " + path};
    });
}

Status Login::import_google_authenticator() {
    const std::string path = pam::expand_path(opt_.ga_secret_path, account_.name, account_.home);
    auto text = read_user_file(path, server::kMaxGoogleAuthenticatorFile);
    if (!text) return text.code() == Errc::not_found ? Status{} : Status{std::move(text).error()};
    auto f = server::parse_google_authenticator(*text);
    secure_wipe(text->data(), text->size());
    if (!f) return std::move(f).error();
    return import_once("google_authenticator", [&]() -> Status {
        auto rep = server::import_google_authenticator(*tk_, account_.name, *f, ctx_);
        if (!rep) return std::move(rep).error();
        std::string msg = "user " + account_.name + ": imported " + path + " (TOTP " +
                          (rep->totp_imported ? "imported" : "kept") + ", " + std::to_string(rep->recovery_codes) +
                          " scratch codes)";
        for (const auto& n : rep->notes) msg += "; " + n;
        log(LOG_NOTICE, msg);
        return {};
    });
}

Status Login::import_pam_u2f() {
    // pam-u2f's authfile=: absolute, or relative to the home directory (".ssh/u2f_keys").
    std::string path = pam::expand_path(opt_.u2f_authfile, account_.name, account_.home);
    if (!path.starts_with("/")) path = account_.home + "/" + path;
    auto text = read_user_file(path, server::kMaxU2fMappingFile, true);
    if (!text) return text.code() == Errc::not_found ? Status{} : Status{std::move(text).error()};
    // Only this user's lines, as pam-u2f reads a central file: another user's typo is not ours.
    auto all = server::parse_u2f_mappings(*text, account_.name);
    if (!all) return std::move(all).error();
    const server::U2fMapping* found = server::u2f_mapping_for(*all, account_.name);
    if (!found) return {};  // not in the file (yet): no claim, a later line is imported then
    server::U2fMapping mapping = *found;
    for (const auto& note : server::drop_other_appid_keys(mapping, opt_.appid, opt_.rp_id))
        log(LOG_WARNING, "user " + account_.name + ": " + path + " line " + std::to_string(mapping.line) + ": " + note);
    return import_once("pam_u2f", [&]() -> Status {
        auto rep = server::import_u2f_keys(*tk_, account_.name, mapping, ctx_);
        if (!rep) return std::move(rep).error();
        std::string msg = "user " + account_.name + ": imported " + path + " line " + std::to_string(mapping.line) + " (" +
                          std::to_string(rep->keys_imported) + " security keys)";
        for (const auto& n : rep->notes) msg += "; " + n;
        log(LOG_NOTICE, msg);
        return rep->keys_imported ? Status{} : Status{Errc::factor_already_enrolled, "no new key in " + path};
    });
}

bool looks_like_recovery_code(std::string_view code) {
    if (code.size() == 8) return true;  // google-authenticator scratch codes; TOTP codes here are 6 digits
    for (char c : code)
        if (c < '0' || c > '9') return true;
    return code.size() > 10;
}

int Login::verify_code(SecretString code, bool& retry) {
    retry = false;
    const bool as_recovery = opt_.allows(Factor::recovery) && recovery_left_ > 0 && looks_like_recovery_code(code.view());
    if (!as_recovery && !opt_.allows(Factor::totp)) {
        log(LOG_NOTICE, "user " + account_.name + ": not a recovery code, and TOTP is not among factors=");
        retry = true;
        return PAM_AUTH_ERR;
    }
    auto r = as_recovery ? tk_->recovery_use(account_.name, code.view(), ctx_) : tk_->totp_verify(account_.name, code.view(), ctx_);
    if (!r) return failed(r.error(), as_recovery ? "recovery code" : "TOTP");
    const std::string what = as_recovery ? "recovery code" : "TOTP code";
    switch (r->status) {
        case Errc::ok:
            log(LOG_INFO, "user " + account_.name + ": " + what + " accepted");
            if (as_recovery) pam_info(pamh_, "Recovery code accepted; %zu left.", recovery_left_ - 1);
            return PAM_SUCCESS;
        case Errc::throttled:
            log(LOG_NOTICE, "user " + account_.name + ": throttled for " + std::to_string(r->retry_after) + " s");
            pam_error(pamh_, "Too many failed codes: try again in %lld seconds.", static_cast<long long>(r->retry_after));
            return PAM_MAXTRIES;
        case Errc::account_locked:
            log(LOG_WARNING, "user " + account_.name + ": second factor locked after " + std::to_string(r->failures) +
                                 " failures" + (r->newly_locked ? " (locked now)" : ""));
            pam_error(pamh_, "Second factor locked: ask an administrator (mfa server lock --unlock).");
            return PAM_MAXTRIES;
        case Errc::otp_code_replayed:
            log(LOG_NOTICE, "user " + account_.name + ": " + what + " replayed (already used), failure " + std::to_string(r->failures));
            retry = true;
            return PAM_AUTH_ERR;
        default:
            log(LOG_NOTICE, "user " + account_.name + ": wrong " + what + " (" + std::string(errc_name(r->status)) +
                                "), failure " + std::to_string(r->failures));
            retry = true;
            return PAM_AUTH_ERR;
    }
}

int Login::try_key(bool& fallback) {
    fallback = true;
    auto begin = tk_->webauthn_login_begin(account_.name, ctx_);
    if (!begin) return failed(begin.error(), "security key");
    auto opts = json::parse_object(begin->options_json, {.what = "request options"});
    if (!opts) return failed(opts.error(), "security key");
    auto challenge = base64_decode((*opts)["challenge"].get<std::string>(), Base64Mode::url_strict);
    if (!challenge) return failed(challenge.error(), "security key");
    fido2::GetAssertionRequest req;
    req.rp_id = tk_->config().webauthn->rp_id;
    for (const auto& c : (*opts)["allowCredentials"]) {
        auto id = base64_decode(c["id"].get<std::string>(), Base64Mode::url_strict);
        if (id) req.allow.push_back(std::move(*id));
    }
    fido2::Client client;
    std::string path = opt_.device;
    if (path.empty()) {
        auto list = client.list();
        if (list && !list->empty()) path = list->front().path;
    }
    if (path.empty()) {
        log(LOG_NOTICE, "user " + account_.name + ": no security key plugged in");
        return PAM_AUTH_ERR;
    }
    auto dev = client.open(path);
    if (!dev) {
        log(LOG_NOTICE, "user " + account_.name + ": security key " + path + ": " + dev.error().to_string());
        return PAM_AUTH_ERR;
    }
    const auto cd = fido2::make_client_data("webauthn.get", *challenge, tk_->config().webauthn->origins.front());
    req.client_data_hash = cd.hash;
    req.user_presence = true;
    if (opt_.pin) {
        char* resp = nullptr;
        if (pam_prompt(pamh_, PAM_PROMPT_ECHO_OFF, &resp, "Security key PIN: ") != PAM_SUCCESS || !resp) {
            if (resp) free(resp);
            return PAM_CONV_ERR;
        }
        req.pin = SecretString(std::string_view(resp));
        req.user_verification = true;
        secure_wipe(resp, std::strlen(resp));
        free(resp);
    }
    if (opt_.cue) pam_info(pamh_, "Touch your security key.");
    auto got = (*dev)->get_assertions(req);
    if (!got || got->empty()) {
        log(LOG_NOTICE, "user " + account_.name + ": security key " + path + ": " +
                            (got ? std::string("no assertion") : got.error().to_string()));
        return PAM_AUTH_ERR;
    }
    auto response = fido2::authentication_json(got->front(), cd);
    if (!response) return failed(response.error(), "security key");
    auto r = tk_->webauthn_login_finish(account_.name, *response, ctx_);
    if (!r) return failed(r.error(), "security key");
    switch (r->status) {
        case Errc::ok:
            log(LOG_INFO, "user " + account_.name + ": security key accepted");
            return PAM_SUCCESS;
        case Errc::throttled:
        case Errc::account_locked:
            fallback = false;
            log(LOG_NOTICE, "user " + account_.name + ": security key refused: " + std::string(errc_name(r->status)));
            pam_error(pamh_, "Too many failed attempts.");
            return PAM_MAXTRIES;
        default:
            log(LOG_NOTICE, "user " + account_.name + ": security key refused (" + std::string(errc_name(r->status)) +
                                "), failure " + std::to_string(r->failures));
            return PAM_AUTH_ERR;
    }
}

// Password and code typed together: the code is the last 6 characters when they are digits, and
// `rest` the password before them. False when the text does not end in 6 digits (a plain password
// from an earlier module is then not tried as a code: it would count as a failure).
bool split_code(std::string_view text, SecretString& code, SecretString& rest) {
    constexpr std::size_t kDigits = 6;
    if (text.size() < kDigits) return false;
    const auto tail = text.substr(text.size() - kDigits);
    for (char c : tail)
        if (c < '0' || c > '9') return false;
    code = SecretString(tail);
    rest = SecretString(text.substr(0, text.size() - kDigits));
    return true;
}

// PAM copies the item; the temporary holding the NUL-terminated password is wiped.
void set_authtok(pam_handle_t* pamh, const SecretString& password) {
    std::string text(password.view());
    pam_set_item(pamh, PAM_AUTHTOK, text.c_str());
    secure_wipe(text.data(), text.size());
}

int Login::run(const char* user) {
    account_ = lookup(user);
    const char* rhost = nullptr;
    if (pam_get_item(pamh_, PAM_RHOST, reinterpret_cast<const void**>(&rhost)) == PAM_SUCCESS && rhost) ctx_.source_ip = rhost;
    auto store = store::open_store(opt_.store_url);
    if (!store) return failed(store.error(), "store");
    auto ring = server::KeyRing::load(opt_.keyring_path);
    if (!ring) {
        log(LOG_ERR, "key ring " + opt_.keyring_path + ": " + ring.error().to_string());
        return PAM_SERVICE_ERR;
    }
    server::ToolkitConfig cfg;
    cfg.issuer = opt_.issuer;
    cfg.throttle = opt_.throttle;
    cfg.window = Window{opt_.window, opt_.window};
    if (opt_.rp_id.empty()) {
        // pam-u2f's origin= is the relying party id its keys were made for; its default pam://<host>.
        if (!opt_.origin.empty()) {
            opt_.rp_id = opt_.origin;
        } else {
            char host[256] = "";
            gethostname(host, sizeof host - 1);
            opt_.rp_id = std::string("pam://") + host;
        }
    }
    if (opt_.allows(Factor::key)) {
        webauthn::RpConfig rp;
        rp.rp_id = opt_.rp_id;
        rp.origins = {opt_.origin.empty() ? rp.rp_id : opt_.origin};
        rp.user_verification = opt_.pin ? webauthn::UserVerification::required : webauthn::UserVerification::discouraged;
        cfg.webauthn = std::move(rp);
    }
    auto tk = server::Toolkit::create(std::move(*store), std::move(*ring), cfg);
    if (!tk) {
        log(LOG_ERR, "toolkit: " + tk.error().to_string());
        return PAM_SERVICE_ERR;
    }
    tk_ = std::move(*tk);

    // First use: bring in what the user already has. A bad file is logged and skipped: the user
    // may still hold a factor in the store, or recovery codes.
    if (account_.known) {
        if (opt_.enroll)
            if (auto st = import_enrollment(); !st) {
                if (st.code() == Errc::store_unavailable) return unavailable(st.error());
                log(LOG_WARNING, "user " + account_.name + ": enrollment file not imported: " + st.error().to_string());
            }
        if (opt_.migrate_google_authenticator)
            if (auto st = import_google_authenticator(); !st) {
                if (st.code() == Errc::store_unavailable) return unavailable(st.error());
                log(LOG_WARNING, "user " + account_.name + ": google_authenticator file not imported: " + st.error().to_string());
            }
        if (opt_.migrate_pam_u2f)
            if (auto st = import_pam_u2f(); !st) {
                if (st.code() == Errc::store_unavailable) return unavailable(st.error());
                log(LOG_WARNING, "user " + account_.name + ": pam-u2f mapping not imported: " + st.error().to_string());
            }
    }

    auto totp = tk_->totp_enrolled(account_.name);
    if (!totp) return failed(totp.error(), "TOTP factor");
    auto left = tk_->recovery_remaining(account_.name);
    if (!left) return failed(left.error(), "recovery codes");
    recovery_left_ = *left;
    if (opt_.allows(Factor::key)) {
        auto keys = tk_->webauthn_list(account_.name);
        if (!keys) return failed(keys.error(), "security keys");
        key_enrolled_ = !keys->empty();
    }
    const bool code_factor = (opt_.allows(Factor::totp) && *totp) || (opt_.allows(Factor::recovery) && recovery_left_ > 0);
    const bool has_factor = code_factor || key_enrolled_;
    if (!opt_.org.empty()) {
        server::UserSecurityState state;
        if (*totp) state.enrolled.push_back(server::FactorType::totp);
        if (key_enrolled_) state.enrolled.push_back(server::FactorType::webauthn);
        state.source_ip = ctx_.source_ip;
        auto d = tk_->login_decision(opt_.org, account_.name, state);
        if (!d) return failed(d.error(), "policy");
        debug("user " + account_.name + ": policy of " + opt_.org + ": " + std::string(server::to_string(d->decision)) + " (" +
              d->reason + ")");
        if (d->decision == server::Decision::deny) {
            log(LOG_NOTICE, "user " + account_.name + ": denied by the policy of " + opt_.org + ": " + d->reason);
            return PAM_PERM_DENIED;
        }
        if (!has_factor && d->decision == server::Decision::allow) return PAM_IGNORE;
        if (!has_factor && d->decision == server::Decision::must_enroll) {
            if (d->may_skip) {
                char when[32] = "";
                const std::time_t t = static_cast<std::time_t>(d->enroll_deadline);
                std::tm tm{};
                if (gmtime_r(&t, &tm)) std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
                pam_info(pamh_, "Set up a second factor with `mfa pam enroll` before %s.", when);
                log(LOG_NOTICE, "user " + account_.name + ": not enrolled, in the grace period of " + opt_.org);
                return PAM_IGNORE;
            }
            log(LOG_NOTICE, "user " + account_.name + ": not enrolled and the grace period of " + opt_.org + " is over");
            pam_error(pamh_, "A second factor is required: ask an administrator to enroll you.");
            return PAM_AUTH_ERR;
        }
    } else if (!has_factor && opt_.nullok) {
        debug("user " + account_.name + ": no second factor enrolled; nullok");
        return PAM_IGNORE;
    }
    // A user without a factor (and without nullok) is asked like everyone else: the toolkit
    // verifies a dummy secret and the code fails, so the prompt does not tell who is enrolled.

    // The key before the prompt: with key_first, or when the user has nothing else this service takes.
    if (key_enrolled_ && (opt_.key_first || !code_factor)) {
        bool fallback = true;
        const int rc = try_key(fallback);
        if (rc == PAM_SUCCESS || !fallback || !code_factor) return rc;
    }
    // try_first_pass / use_first_pass: the code typed after the password for an earlier module.
    if (opt_.pass == PassMode::try_first_pass || opt_.pass == PassMode::use_first_pass) {
        const void* item = nullptr;
        SecretString code, rest;
        if (pam_get_item(pamh_, PAM_AUTHTOK, &item) == PAM_SUCCESS && item &&
            split_code(static_cast<const char*>(item), code, rest)) {
            bool retry = false;
            const int rc = verify_code(std::move(code), retry);
            if (rc == PAM_SUCCESS) {
                // The password part goes on to the next module (pam_unix use_first_pass).
                set_authtok(pamh_, rest);
                return PAM_SUCCESS;
            }
            if (!retry || opt_.pass == PassMode::use_first_pass) return rc;
        } else if (opt_.pass == PassMode::use_first_pass) {
            log(LOG_NOTICE, "user " + account_.name + ": use_first_pass and no code after the earlier password");
            return PAM_AUTH_ERR;
        }
    }
    for (unsigned attempt = 0; attempt < opt_.tries; ++attempt) {
        char* resp = nullptr;
        const std::string prompt = opt_.pass == PassMode::forward_pass ? "Password & " + opt_.prompt : opt_.prompt;
        const int prc = pam_prompt(pamh_, opt_.echo_code ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF, &resp, "%s", prompt.c_str());
        if (prc != PAM_SUCCESS || !resp) {
            if (resp) free(resp);
            log(LOG_NOTICE, "user " + account_.name + ": the conversation returned no code");
            return PAM_CONV_ERR;
        }
        SecretString code, rest;
        const std::string_view typed(resp);
        if (typed.empty() && key_enrolled_ && !opt_.key_first) {
            // An empty answer asks for the security key instead.
            free(resp);
            bool fallback = true;
            const int rc = try_key(fallback);
            if (rc == PAM_SUCCESS || !fallback) return rc;
            continue;
        }
        const bool split = opt_.pass == PassMode::forward_pass && split_code(typed, code, rest);
        if (!split) code = SecretString(typed);
        secure_wipe(resp, std::strlen(resp));
        free(resp);
        bool retry = false;
        const int rc = verify_code(std::move(code), retry);
        if (rc == PAM_SUCCESS) {
            if (split) set_authtok(pamh_, rest);
            return PAM_SUCCESS;
        }
        if (!retry) return rc;
    }
    return PAM_AUTH_ERR;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) PAM_EXTERN int pam_sm_authenticate(pam_handle_t* pamh, int /*flags*/, int argc, const char** argv) {
    std::vector<std::string_view> args;
    for (int i = 0; i < argc; ++i) args.emplace_back(argv[i]);
    auto opt = mfa::pam::parse_options(args);
    if (!opt) {
        pam_syslog(pamh, LOG_ERR, "configuration: %s", opt.error().detail.c_str());
        return PAM_SERVICE_ERR;
    }
    const char* user = nullptr;
    if (pam_get_user(pamh, &user, nullptr) != PAM_SUCCESS || !user || !*user) {
        pam_syslog(pamh, LOG_ERR, "no user name");
        return PAM_USER_UNKNOWN;
    }
    try {
        Login login(pamh, std::move(*opt));
        return login.run(user);
    } catch (const std::exception& e) {
        // Nothing may unwind into the C caller; out of memory and the like fail closed.
        pam_syslog(pamh, LOG_CRIT, "internal error: %s", e.what());
        return PAM_SERVICE_ERR;
    }
}

__attribute__((visibility("default"))) PAM_EXTERN int pam_sm_setcred(pam_handle_t* /*pamh*/, int /*flags*/, int /*argc*/, const char** /*argv*/) {
    return PAM_SUCCESS;
}

}  // extern "C"

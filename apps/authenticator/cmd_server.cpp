// `mfa server …`: the server toolkit for operators, against a SQLite file or a Redis URL.
//   mfa server keyring-new FILE
//   mfa server enroll USER   / confirm USER CODE / verify USER CODE / remove USER
//   mfa server recovery-codes USER [--remaining]
//   mfa server lock USER [--unlock]
//   mfa server tokens create USER --name N [--scope S]... [--expires UNIX] | list USER | revoke USER ID
//   mfa server audit verify
//   mfa server policy show ORG | set ORG (--file F | --policy JSON)
//   mfa server password hash | verify PHC | check [--user U] [--min-length N]   (password on stdin)
//   mfa server keyring rotate | retire ID --retain-until UNIX | rewrap
//   mfa server webauthn list USER | remove USER ID
//   administration (audit list/export, members, account, purge, api-keys, password-state): server_admin.hpp
//   mfa server backup …, keyring maintain, otp-tokens …   (server_ops.hpp)
//   mfa server import-google-authenticator USER FILE   (a ~/.google_authenticator: secret and scratch codes)
//   mfa server import-pam-u2f FILE [--user USER]       (pam-u2f's u2f_keys / authfile: security keys)
// Output is JSON on stdout (the policy/password/keyring/webauthn commands print text unless --json);
// secrets (a new TOTP secret, recovery codes, a token) are shown once.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "server_ops.hpp"
#include "mfa/server/admin_json.hpp"
#include "mfa/server/migrate.hpp"
#include "mfa/server/toolkit.hpp"
#include "server_admin.hpp"

namespace mfa::app {
namespace {

using json = nlohmann::json;

class ServerCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        cmd.add_option("--store", store_url_, "store URL: sqlite:/path/mfa.db, redis://host:port/db or postgresql://user@host/db")->default_val("sqlite:mfa.db");
        cmd.add_option("--keyring", keyring_, "key ring file (mfa server keyring-new makes one)")->default_val("mfa.keyring");
        cmd.add_option("--actor", actor_, "who is acting (recorded in the audit log)")->default_val("operator");
        cmd.add_option("--issuer", issuer_, "issuer shown in authenticator apps")->default_val("mfakit");
        auto* kn = cmd.add_subcommand("keyring-new", "write a new key ring file (0600); refuses an existing one");
        kn->add_option("file", keyring_out_, "where to write it")->required();
        for (const char* name : {"enroll", "confirm", "verify", "remove", "recovery-codes", "lock"}) {
            auto* s = cmd.add_subcommand(name, describe(name));
            s->add_option("user", user_, "account")->required();
            if (std::string_view(name) == "confirm" || std::string_view(name) == "verify")
                s->add_option("code", code_, "the code from the app")->required();
            if (std::string_view(name) == "recovery-codes") s->add_flag("--remaining", remaining_, "only count the unused codes");
            if (std::string_view(name) == "lock") s->add_flag("--unlock", unlock_, "reset the failure counters");
        }
        auto* ga = cmd.add_subcommand("import-google-authenticator",
                                      "import a ~/.google_authenticator file as the user's TOTP factor and recovery codes");
        ga->add_option("user", user_, "account")->required();
        ga->add_option("file", import_file_, "the google-authenticator-libpam secret file")->required();
        auto* u2f = cmd.add_subcommand("import-pam-u2f", "import pam-u2f's u2f_keys or authfile= mappings as security keys");
        u2f->add_option("file", import_file_, "the mapping file (user:keyHandle,publicKey,coseType,options:…)")->required();
        u2f->add_option("--user", user_, "only this user's line (default: every user in the file)");
        auto* tokens = cmd.add_subcommand("tokens", "API tokens");
        tokens->require_subcommand(1);
        auto* tc = tokens->add_subcommand("create", "create a token (shown once)");
        tc->add_option("user", user_)->required();
        tc->add_option("--name", token_name_, "what it is for")->required();
        tc->add_option("--scope", scopes_, "a scope (repeatable)");
        tc->add_option("--expires", expires_, "Unix time (default: never)")->check(whole_number(0, INT64_MAX));
        auto* tl = tokens->add_subcommand("list", "list a user's tokens");
        tl->add_option("user", user_)->required();
        auto* tr = tokens->add_subcommand("revoke", "revoke a token");
        tr->add_option("user", user_)->required();
        tr->add_option("id", token_id_)->required();
        auto* audit = cmd.add_subcommand("audit", "the audit log");
        audit->require_subcommand(1);
        auto* av = audit->add_subcommand("verify", "check the hash chain; prints the anchor to record elsewhere");
        av->add_option("--expect-head", expect_head_,
                       "an anchor printed earlier (<records>:<hash>): the chain must still contain it");

        auto* pol = cmd.add_subcommand("policy", "organization policy (JSON, docs/server.md)");
        pol->require_subcommand(1);
        auto* ps = pol->add_subcommand("show", "print an organization's policy (the default when none is set)");
        ps->add_option("org", org_)->required();
        auto* pset = pol->add_subcommand("set", "validate and store an organization's policy");
        pset->add_option("org", org_)->required();
        auto* src = pset->add_option("--file", policy_file_, "a JSON file");
        pset->add_option("--policy", policy_json_, "the JSON text")->excludes(src);
        auto* pw = cmd.add_subcommand("password", "password hashing and policy (the password is read from stdin)");
        pw->require_subcommand(1);
        pw->add_subcommand("hash", "print an Argon2id PHC string");
        auto* pv = pw->add_subcommand("verify", "verify against a PHC string (Argon2, scrypt, PBKDF2)");
        pv->add_option("phc", phc_)->required();
        auto* pc = pw->add_subcommand("check", "check against the password policy; prints the reason");
        pc->add_option("--user", user_, "the user name (the password must not contain it)");
        pc->add_option("--min-length", min_length_, "minimum length in characters")
            ->check(whole_number(0, UINT32_MAX))
            ->default_val(8);
        auto* kr = cmd.add_subcommand("keyring", "the key ring (--keyring FILE)");
        kr->require_subcommand(1);
        kr->add_subcommand("rotate", "add a fresh key; new writes use it");
        auto* kret = kr->add_subcommand("retire", "retire a key (kept to decrypt until --retain-until)");
        kret->add_option("id", key_id_)->check(whole_number(0, UINT32_MAX))->required();
        kret->add_option("--retain-until", retain_until_, "Unix time")->check(whole_number(0, INT64_MAX))->required();
        kr->add_subcommand("rewrap", "re-encrypt stored secrets under the current key");
        auto* wa = cmd.add_subcommand("webauthn", "a user's security keys and passkeys");
        wa->require_subcommand(1);
        auto* wl = wa->add_subcommand("list", "list a user's keys");
        wl->add_option("user", user_)->required();
        auto* wr = wa->add_subcommand("remove", "remove a key (id from the list)");
        wr->add_option("user", user_)->required();
        wr->add_option("id", key_cred_)->required();
        admin_.configure(cmd, *audit);
        for (auto* c : {pol, pw, kr, wa})
            for (auto* leaf : c->get_subcommands([](CLI::App*) { return true; })) leaf->add_flag("--json", json_, "print JSON");
        ops_.configure(cmd, *kr);
        cmd_ = &cmd;
    }

    int run(Context& ctx) override {
        if (auto rc = ops_.run(ctx, *cmd_, ServerCommon{store_url_, keyring_, actor_, issuer_})) return *rc;
        const auto* sub = cmd_->get_subcommands().front();
        const std::string name = sub->get_name();
        if (name == "keyring-new") {
            auto ring = server::KeyRing::generate();
            if (!ring) return report(ctx, ring.error(), "keyring");
            auto st = ring->save_new(keyring_out_);
            if (!st) return report(ctx, st.error(), "keyring");
            ctx.out << json{{"file", keyring_out_}, {"key", ring->current_id()}}.dump() << '\n';
            return kExitOk;
        }
        if (name == "password") return run_password(ctx, sub->get_subcommands().front()->get_name());
        if (name == "keyring" && sub->get_subcommands().front()->get_name() != "rewrap")
            return run_keyring(ctx, sub->get_subcommands().front()->get_name());
        auto store = store::open_store(store_url_);
        if (!store) return report(ctx, store.error(), "store");
        auto ring = server::KeyRing::load(keyring_);
        if (!ring) return report(ctx, ring.error(), "keyring");
        server::ToolkitConfig cfg;
        cfg.issuer = issuer_;
        auto tk_r = server::Toolkit::create(*store, std::move(*ring), cfg);
        if (!tk_r) return report(ctx, tk_r.error(), "toolkit");
        auto& tk = **tk_r;
        const server::RequestContext rc{actor_, "cli"};
        if (admin_.handles(*sub)) return admin_.run(ctx, tk, *sub, rc);
        if (name == "import-google-authenticator") {
            std::ifstream in(import_file_, std::ios::binary);
            if (!in) return report(ctx, Error{Errc::invalid_argument, "cannot read " + import_file_}, "import");
            std::string text(server::kMaxGoogleAuthenticatorFile + 1, '\0');
            in.read(text.data(), static_cast<std::streamsize>(text.size()));
            text.resize(static_cast<std::size_t>(in.gcount()));
            auto f = server::parse_google_authenticator(text);
            secure_wipe(text.data(), text.size());
            if (!f) return report(ctx, f.error(), import_file_);
            auto rep = server::import_google_authenticator(tk, user_, *f, rc);
            if (!rep) return report(ctx, rep.error(), "import");
            ctx.out << json::parse(server::google_authenticator_import_json(user_, *rep)).dump(2) << '\n';
            return rep->totp_imported ? kExitOk : kExitFailure;
        }
        if (name == "import-pam-u2f") return import_pam_u2f(ctx, tk, rc);
        if (name == "enroll") {
            auto e = tk.totp_begin(user_, "", rc);
            if (!e) return report(ctx, e.error(), "enroll");
            ctx.out << json{{"secret", e->secret_base32.view()}, {"uri", e->uri.view()}, {"expires_at", e->expires_at},
                            {"next", "mfa server confirm " + user_ + " <code>"}}.dump(2) << '\n';
            return kExitOk;
        }
        if (name == "confirm" || name == "verify") {
            auto r = name == "confirm" ? tk.totp_confirm(user_, code_, rc) : tk.totp_verify(user_, code_, rc);
            if (!r) return report(ctx, r.error(), name);
            ctx.out << server::verify_result_json(*r) << '\n';
            return r->ok() ? kExitOk : kExitFailure;
        }
        if (name == "remove") {
            auto r = tk.totp_remove(user_, rc);
            if (!r) return report(ctx, r.error(), "remove");
            ctx.out << json{{"removed", user_}}.dump() << '\n';
            return kExitOk;
        }
        if (name == "recovery-codes") {
            if (remaining_) {
                auto n = tk.recovery_remaining(user_);
                if (!n) return report(ctx, n.error(), "recovery-codes");
                ctx.out << json{{"remaining", *n}}.dump() << '\n';
                return kExitOk;
            }
            auto codes = tk.recovery_generate(user_, rc);
            if (!codes) return report(ctx, codes.error(), "recovery-codes");
            json j = json::array();
            for (const auto& c : *codes) j.push_back(c.view());
            ctx.out << json{{"codes", j}, {"note", "shown once; any earlier set no longer works"}}.dump(2) << '\n';
            return kExitOk;
        }
        if (name == "lock") {
            if (unlock_) {
                auto r = tk.unlock(user_, rc);
                if (!r) return report(ctx, r.error(), "unlock");
            }
            auto s = tk.lock_status(user_);
            if (!s) return report(ctx, s.error(), "lock");
            ctx.out << server::lock_status_json(user_, *s) << '\n';
            return kExitOk;
        }
        if (name == "tokens") {
            const std::string what = sub->get_subcommands().front()->get_name();
            if (what == "create") {
                auto t = tk.token_create(user_, token_name_, scopes_, expires_, rc);
                if (!t) return report(ctx, t.error(), "tokens create");
                ctx.out << json{{"token", t->token.view()}, {"id", t->info.id}, {"note", "shown once"}}.dump(2) << '\n';
            } else if (what == "list") {
                auto l = tk.token_list(user_);
                if (!l) return report(ctx, l.error(), "tokens list");
                ctx.out << json::parse(server::token_infos_json(*l)).dump(2) << '\n';
            } else {
                auto r = tk.token_revoke(user_, token_id_, rc);
                if (!r) return report(ctx, r.error(), "tokens revoke");
                ctx.out << json{{"revoked", token_id_}}.dump() << '\n';
            }
            return kExitOk;
        }
        if (name == "policy") return run_policy(ctx, tk, sub->get_subcommands().front()->get_name(), rc);
        if (name == "webauthn") return run_webauthn(ctx, tk, sub->get_subcommands().front()->get_name(), rc);
        if (name == "keyring") {  // rewrap
            auto n = tk.rewrap();
            if (!n) return report(ctx, n.error(), "keyring rewrap");
            print(ctx, json{{"moved", *n}}, std::to_string(*n) + " secret(s) re-encrypted under the current key");
            return kExitOk;
        }
        // audit verify
        std::optional<server::AuditAnchor> expected;
        if (!expect_head_.empty()) {
            auto a = server::parse_audit_anchor(expect_head_);
            if (!a) return report(ctx, a.error(), "audit verify --expect-head");
            expected = std::move(*a);
        }
        auto v = tk.audit().verify(expected);
        if (!v) return report(ctx, v.error(), "audit verify");
        ctx.out << json{{"records", v->records}, {"head", v->head_hash}, {"anchor", v->anchor()}, {"status", "intact"}}.dump()
                << '\n';
        return kExitOk;
    }

private:
    // Every user's line of the file (the last one of a user, as pam-u2f reads it), or --user's.
    // Exit 0 when a key was imported, 1 when nothing was new, 2 for a file that does not parse.
    int import_pam_u2f(Context& ctx, server::Toolkit& tk, const server::RequestContext& rc) {
        std::ifstream in(import_file_, std::ios::binary);
        if (!in) return report(ctx, Error{Errc::invalid_argument, "cannot read " + import_file_}, "import");
        std::string text(server::kMaxU2fMappingFile + 1, '\0');
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<std::size_t>(in.gcount()));
        auto users = server::import_u2f_mappings(tk, text, {.only_user = user_, .appid = {}}, rc);
        if (!users) return report(ctx, users.error(), import_file_);
        std::size_t imported = 0;
        for (const auto& u : *users) imported += u.report.keys_imported;
        ctx.out << json::parse(server::u2f_import_json(*users)).dump(2) << '\n';
        return imported ? kExitOk : kExitFailure;
    }

    void print(Context& ctx, const json& j, const std::string& text) const {
        ctx.out << (json_ ? j.dump() : text) << '\n';
    }

    static std::string read_stdin_line() {
        std::string line;
        std::getline(std::cin, line);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }

    int run_password(Context& ctx, const std::string& what) {
        std::string pw = read_stdin_line();
        if (what == "hash") {
            auto h = server::hash_password(pw);
            if (!h) return report(ctx, h.error(), "password hash");
            print(ctx, json{{"phc", *h}}, *h);
            return kExitOk;
        }
        if (what == "verify") {
            auto st = server::verify_password(pw, phc_);
            if (!st && st.error().code != Errc::password_mismatch) return report(ctx, st.error(), "password verify");
            const bool ok = static_cast<bool>(st);
            const bool rehash = ok && server::needs_rehash(phc_);
            print(ctx, json{{"match", ok}, {"needs_rehash", rehash}},
                  std::string(ok ? "match" : "mismatch") + (rehash ? " (hash again with current parameters)" : ""));
            return ok ? kExitOk : kExitFailure;
        }
        server::PasswordPolicy p;
        p.min_length = min_length_;
        if (auto v = server::validate(p); !v) return report(ctx, v.error(), "password check");
        auto st = server::check_password(p, pw, user_);
        const std::string reason = st ? "" : st.error().detail;
        if (!st && st.error().code != Errc::password_policy) return report(ctx, st.error(), "password check");
        print(ctx, json{{"acceptable", static_cast<bool>(st)}, {"reason", reason}, {"dictionary", server::dictionary_available(p)}},
              st ? std::string("acceptable") : "refused: " + reason);
        return st ? kExitOk : kExitFailure;
    }

    int run_keyring(Context& ctx, const std::string& what) {
        auto ring = server::KeyRing::load(keyring_);
        if (!ring) return report(ctx, ring.error(), "keyring");
        std::uint32_t id = 0;
        if (what == "rotate") {
            auto r = ring->rotate();
            if (!r) return report(ctx, r.error(), "keyring rotate");
            id = *r;
        } else {
            auto r = ring->retire(key_id_, retain_until_);
            if (!r) return report(ctx, r.error(), "keyring retire");
            id = key_id_;
        }
        if (auto s = ring->save(keyring_); !s) return report(ctx, s.error(), "keyring");
        print(ctx, json{{"file", keyring_}, {"key", id}, {"current", ring->current_id()}},
              what == "rotate" ? "key " + std::to_string(id) + " added and current; run `mfa server keyring rewrap`"
                               : "key " + std::to_string(id) + " retired until " + std::to_string(retain_until_));
        return kExitOk;
    }

    int run_policy(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc) {
        if (what == "show") {
            auto p = tk.policy(org_);
            if (!p) return report(ctx, p.error(), "policy show");
            const auto j = json::parse(server::policy_to_json(*p));
            ctx.out << (json_ ? j.dump() : j.dump(2)) << '\n';
            return kExitOk;
        }
        std::string text = policy_json_;
        if (!policy_file_.empty()) {
            std::ifstream in(policy_file_, std::ios::binary);
            if (!in) return report(ctx, Error{Errc::io, "cannot read " + policy_file_}, "policy set");
            text.assign(std::istreambuf_iterator<char>(in), {});
        }
        if (text.empty()) return report(ctx, Error{Errc::invalid_argument, "give --file or --policy"}, "policy set");
        auto p = server::policy_from_json(text);
        if (!p) return report(ctx, p.error(), "policy set");
        if (auto s = tk.set_policy(org_, *p, rc); !s) return report(ctx, s.error(), "policy set");
        print(ctx, json{{"org", org_}, {"policy", json::parse(server::policy_to_json(*p))}}, "policy of " + org_ + " stored");
        return kExitOk;
    }

    int run_webauthn(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc) {
        if (what == "remove") {
            if (auto s = tk.webauthn_remove(user_, key_cred_, rc); !s) return report(ctx, s.error(), "webauthn remove");
            print(ctx, json{{"removed", key_cred_}, {"user", user_}}, "removed " + key_cred_);
            return kExitOk;
        }
        auto l = tk.webauthn_list(user_);
        if (!l) return report(ctx, l.error(), "webauthn list");
        std::string text;
        for (const auto& k : *l) {
            text += k.id + "  " + k.name + "  " + k.aaguid + "  count " + std::to_string(k.sign_count) +
                    (k.backup_eligible ? "  synced" : "  device-bound") + "\n";
        }
        if (json_) ctx.out << server::security_keys_json(*l) << '\n';
        else ctx.out << (text.empty() ? "no security keys\n" : text);
        return kExitOk;
    }

    static std::string describe(std::string_view n) {
        if (n == "enroll") return "start a TOTP enrollment (prints the secret and URI once)";
        if (n == "confirm") return "activate the pending TOTP factor with a first code";
        if (n == "verify") return "verify a TOTP code (throttled, replay-guarded)";
        if (n == "remove") return "remove the TOTP factor";
        if (n == "recovery-codes") return "generate a new set of recovery codes (shown once)";
        return "show the lock status; --unlock resets the counters";
    }

    CLI::App* cmd_ = nullptr;
    ServerAdmin admin_;
    ServerOps ops_;
    std::string store_url_, keyring_, keyring_out_, actor_, issuer_, user_, code_, token_name_, token_id_, expect_head_;
    std::vector<std::string> scopes_;
    std::string import_file_;
    std::string org_, policy_file_, policy_json_, phc_, key_cred_;
    std::int64_t expires_ = 0;
    std::int64_t retain_until_ = 0;
    std::uint32_t key_id_ = 0;
    std::size_t min_length_ = 8;
    bool remaining_ = false, unlock_ = false, json_ = false;
};

const Registration kServer{{"server", "Server toolkit: enroll, verify, recovery codes, lock-out, tokens, audit",
                            "Examples:\n"
                            "  mfa server keyring-new /etc/mfa/keyring\n"
                            "  mfa server --store sqlite:/var/lib/mfa.db --keyring /etc/mfa/keyring enroll alice\n"
                            "  mfa server --store redis://127.0.0.1:6379/0 --keyring k verify alice 123456\n"
                            "  mfa server --store 'postgresql://mfa@db.internal/app?sslmode=verify-full' --keyring k lock alice\n"
                            "  mfa server --keyring k lock alice --unlock\n"
                            "  mfa server --keyring k tokens create alice --name ci --scope repo:read\n"
                            "  mfa server --keyring k audit verify\n"
                            "  mfa server --keyring k policy set acme --policy '{\"require\":\"everyone\"}'\n"
                            "  echo 'correct horse' | mfa server password check --user alice --json\n"
                            "  mfa server --keyring k keyring rotate && mfa server --keyring k keyring rewrap\n"
                            "  mfa server --keyring k webauthn list alice\n"
                            "  mfa server --keyring k audit list --org acme --event 'app.*' --limit 20\n"
                            "  mfa server --keyring k members set alice acme --role admin\n"
                            "  mfa server --keyring k account delete alice && mfa server --keyring k purge\n"
                            "  mfa server --keyring k api-keys list --org acme\n"
                            "  mfa server --store sqlite:/var/lib/mfa.db backup create --dir /var/backups/mfa\n"
                            "  mfa server --store sqlite:/var/lib/mfa.db --keyring k keyring maintain --max-age-days 90 --batch 500 --backup-dir /var/backups/mfa\n"
                            "  mfa server --keyring k otp-tokens import tokens.pskc --key 12345678901234567890123456789012\n"
                            "  mfa server --keyring k otp-tokens assign 987654321 alice\n"
                            "  mfa server --keyring k import-google-authenticator alice /home/alice/.google_authenticator\n"
                            "  mfa server --keyring k import-pam-u2f /etc/u2f_mappings\n",
                            60, [] { return std::make_unique<ServerCommand>(); }}};

}  // namespace
}  // namespace mfa::app

// `mfa server …`: the server toolkit for operators, against a SQLite file or a Redis URL.
//   mfa server keyring-new FILE
//   mfa server enroll USER   / confirm USER CODE / verify USER CODE / remove USER
//   mfa server recovery-codes USER [--remaining]
//   mfa server lock USER [--unlock]
//   mfa server tokens create USER --name N [--scope S]... [--expires UNIX] | list USER | revoke USER ID
//   mfa server audit verify
// Output is JSON on stdout; secrets (a new TOTP secret, recovery codes, a token) are shown once.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "mfa/server/toolkit.hpp"

namespace mfa::app {
namespace {

using json = nlohmann::json;

class ServerCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        cmd.add_option("--store", store_url_, "store URL: sqlite:/path/mfa.db or redis://host:port/db")->default_val("sqlite:mfa.db");
        cmd.add_option("--keyring", keyring_, "key ring file (mfa server keyring-new makes one)")->default_val("mfa.keyring");
        cmd.add_option("--actor", actor_, "who is acting (recorded in the audit log)")->default_val("operator");
        cmd.add_option("--issuer", issuer_, "issuer shown in authenticator apps")->default_val("mfakit");
        auto* kn = cmd.add_subcommand("keyring-new", "write a new key ring file (0600)");
        kn->add_option("file", keyring_out_, "where to write it")->required();
        for (const char* name : {"enroll", "confirm", "verify", "remove", "recovery-codes", "lock"}) {
            auto* s = cmd.add_subcommand(name, describe(name));
            s->add_option("user", user_, "account")->required();
            if (std::string_view(name) == "confirm" || std::string_view(name) == "verify")
                s->add_option("code", code_, "the code from the app")->required();
            if (std::string_view(name) == "recovery-codes") s->add_flag("--remaining", remaining_, "only count the unused codes");
            if (std::string_view(name) == "lock") s->add_flag("--unlock", unlock_, "reset the failure counters");
        }
        auto* tokens = cmd.add_subcommand("tokens", "API tokens");
        tokens->require_subcommand(1);
        auto* tc = tokens->add_subcommand("create", "create a token (shown once)");
        tc->add_option("user", user_)->required();
        tc->add_option("--name", token_name_, "what it is for")->required();
        tc->add_option("--scope", scopes_, "a scope (repeatable)");
        tc->add_option("--expires", expires_, "Unix time (default: never)");
        auto* tl = tokens->add_subcommand("list", "list a user's tokens");
        tl->add_option("user", user_)->required();
        auto* tr = tokens->add_subcommand("revoke", "revoke a token");
        tr->add_option("user", user_)->required();
        tr->add_option("id", token_id_)->required();
        auto* audit = cmd.add_subcommand("audit", "the audit log");
        audit->require_subcommand(1);
        audit->add_subcommand("verify", "check the hash chain; prints the head to record elsewhere");
        cmd_ = &cmd;
    }

    int run(Context& ctx) override {
        const auto* sub = cmd_->get_subcommands().front();
        const std::string name = sub->get_name();
        if (name == "keyring-new") {
            auto ring = server::KeyRing::generate();
            if (!ring) return report(ctx, ring.error(), "keyring");
            auto st = ring->save(keyring_out_);
            if (!st) return report(ctx, st.error(), "keyring");
            ctx.out << json{{"file", keyring_out_}, {"key", ring->current_id()}}.dump() << '\n';
            return kExitOk;
        }
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
            ctx.out << json{{"status", std::string(errc_name(r->status))}, {"failures", r->failures},
                            {"retry_after", r->retry_after}, {"amr", r->amr}}.dump() << '\n';
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
            ctx.out << json{{"user", user_}, {"locked", s->locked}, {"retry_after", s->retry_after},
                            {"password_failures", s->password.failures},
                            {"second_factor_failures", s->second_factor.failures}}.dump() << '\n';
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
                json j = json::array();
                for (const auto& t : *l)
                    j.push_back({{"id", t.id}, {"name", t.name}, {"scopes", t.scopes}, {"created", t.created},
                                 {"expires", t.expires}, {"last_used", t.last_used}});
                ctx.out << j.dump(2) << '\n';
            } else {
                auto r = tk.token_revoke(user_, token_id_, rc);
                if (!r) return report(ctx, r.error(), "tokens revoke");
                ctx.out << json{{"revoked", token_id_}}.dump() << '\n';
            }
            return kExitOk;
        }
        // audit verify
        auto v = tk.audit().verify();
        if (!v) return report(ctx, v.error(), "audit verify");
        ctx.out << json{{"records", v->records}, {"head", v->head_hash}, {"status", "intact"}}.dump() << '\n';
        return kExitOk;
    }

private:
    static std::string describe(std::string_view n) {
        if (n == "enroll") return "start a TOTP enrollment (prints the secret and URI once)";
        if (n == "confirm") return "activate the pending TOTP factor with a first code";
        if (n == "verify") return "verify a TOTP code (throttled, replay-guarded)";
        if (n == "remove") return "remove the TOTP factor";
        if (n == "recovery-codes") return "generate a new set of recovery codes (shown once)";
        return "show the lock status; --unlock resets the counters";
    }

    CLI::App* cmd_ = nullptr;
    std::string store_url_, keyring_, keyring_out_, actor_, issuer_, user_, code_, token_name_, token_id_;
    std::vector<std::string> scopes_;
    std::int64_t expires_ = 0;
    bool remaining_ = false, unlock_ = false;
};

const Registration kServer{{"server", "Server toolkit: enroll, verify, recovery codes, lock-out, tokens, audit",
                            "Examples:\n"
                            "  mfa server keyring-new /etc/mfa/keyring\n"
                            "  mfa server --store sqlite:/var/lib/mfa.db --keyring /etc/mfa/keyring enroll alice\n"
                            "  mfa server --store redis://127.0.0.1:6379/0 --keyring k verify alice 123456\n"
                            "  mfa server --keyring k lock alice --unlock\n"
                            "  mfa server --keyring k tokens create alice --name ci --scope repo:read\n"
                            "  mfa server --keyring k audit verify\n",
                            60, [] { return std::make_unique<ServerCommand>(); }}};

}  // namespace
}  // namespace mfa::app

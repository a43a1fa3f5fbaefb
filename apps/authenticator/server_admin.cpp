#include "server_admin.hpp"

#include "mfa/server/admin_json.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

namespace mfa::app {
namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string when(std::int64_t t) { return t == 0 ? "-" : server::utc_time(t); }

}  // namespace

void ServerAdmin::configure(CLI::App& server, CLI::App& audit) {
    auto filters = [this](CLI::App* c) {
        c->add_option("--org", query_.org, "events of this organization (its members' and those tagged with it)");
        c->add_option("--user", query_.subject, "events about this user (the subject)");
        c->add_option("--actor", query_.actor, "events done by this actor");
        c->add_option("--event", query_.type, "an event type, or a prefix ending in '*' (app.*)");
        c->add_option("--since", query_.since, "Unix time: records at or after it")->check(whole_number(0, INT64_MAX));
        c->add_option("--until", query_.until, "Unix time: records before it")->check(whole_number(0, INT64_MAX));
    };
    auto* al = audit.add_subcommand("list", "events newest first, filtered, a page at a time");
    filters(al);
    al->add_option("--limit", query_.limit, "events a page (1..1000)")->check(whole_number(1, server::kMaxAuditPage))->default_val(50);
    al->add_option("--cursor", query_.cursor, "the next_cursor a page before printed");
    al->add_flag("--json", json_, "print the page as JSON");
    auto* ae = audit.add_subcommand("export", "the matching records as JSON lines, oldest first (the text the chain hashes)");
    filters(ae);
    auto* aa = audit.add_subcommand("append", "append an application event (app.*) to the chain");
    aa->add_option("--event", event_, "app.<name>, e.g. app.role_changed")->required();
    aa->add_option("--subject", subject_, "the user it concerns");
    aa->add_option("--detail", detail_, "what happened");
    aa->add_option("--org", org_, "the organization it belongs to");
    audit.add_subcommand("reindex", "restore missing organization index entries");

    auto* m = server.add_subcommand("members", "organization membership and roles (audited)");
    m->require_subcommand(1);
    auto* ms = m->add_subcommand("set", "put USER in ORG with a role (moving them out of another one)");
    ms->add_option("user", user_)->required();
    ms->add_option("org", org_)->required();
    ms->add_option("--role", role_, "owner, admin or member")->check(CLI::IsMember({"owner", "admin", "member"}))->default_val("member");
    m->add_subcommand("remove", "take USER out of their organization")->add_option("user", user_)->required();
    m->add_subcommand("show", "USER's organization and role")->add_option("user", user_)->required();
    m->add_subcommand("list", "ORG's members")->add_option("org", org_)->required();
    auto* mc = m->add_subcommand("can", "whether USER's role in ORG has PERMISSION (exit 0) or not (a refusal is audited)");
    mc->add_option("user", user_)->required();
    mc->add_option("permission", permission_, "policy.change, members.manage ... (see `members permissions`)")->required();
    mc->add_option("--org", org_, "the organization")->required();
    mc->add_option("--target", subject_, "the member the action is on");
    m->add_subcommand("permissions", "the role table: which role may do what");

    auto* f = server.add_subcommand("factors", "a user's factors (no secret): OTP, security keys, recovery codes left");
    f->add_option("user", user_)->required();
    f->add_flag("--json", json_, "print JSON");

    auto* a = server.add_subcommand("account", "account deletion with a retention period");
    a->require_subcommand(1);
    auto* ad = a->add_subcommand("delete", "disable every factor and token of USER now; purge after the retention");
    ad->add_option("user", user_)->required();
    ad->add_option("--retention-days", retention_days_, "days the data is kept (restorable)")->check(whole_number(1, 3650))->default_val(30);
    a->add_subcommand("restore", "undo a deletion within the retention")->add_option("user", user_)->required();
    a->add_subcommand("status", "whether USER is deleted, and until when restorable")->add_option("user", user_)->required();

    auto* p = server.add_subcommand("purge", "remove the deleted accounts whose retention ended (for cron)");
    p->add_option("--now", now_, "Unix time to purge as of (default: the clock)")->check(whole_number(1, INT64_MAX));

    auto* k = server.add_subcommand("api-keys", "the API tokens of an organization");
    k->require_subcommand(1);
    k->add_subcommand("list", "every token of ORG's members")->add_option("--org", org_, "the organization")->required();
    auto* kr = k->add_subcommand("revoke", "revoke a token by id");
    kr->add_option("id", id_)->required();
    kr->add_option("--org", org_, "only if its owner is a member of this organization");

    auto* ps = server.add_subcommand("password-state", "a user's password renewal state");
    ps->add_option("user", user_)->required();
    auto* rq = ps->add_option("--require-change", require_change_, "force a change at the next login: reset or compromised")
                   ->check(CLI::IsMember({"reset", "compromised"}));
    ps->add_flag("--changed", changed_, "record that the password was just set")->excludes(rq);

    for (auto* c : {m, a, k})
        for (auto* leaf : c->get_subcommands([](CLI::App*) { return true; })) leaf->add_flag("--json", json_, "print JSON");
    p->add_flag("--json", json_, "print JSON");
    ps->add_flag("--json", json_, "print JSON");
    aa->add_flag("--json", json_, "print JSON");
}

bool ServerAdmin::handles(const CLI::App& sub) const {
    const std::string name = sub.get_name();
    if (name == "audit") return sub.get_subcommands().front()->get_name() != "verify";
    return name == "members" || name == "account" || name == "purge" || name == "api-keys" || name == "password-state" ||
           name == "factors";
}

int ServerAdmin::run(Context& ctx, server::Toolkit& tk, const CLI::App& sub, const server::RequestContext& rc) {
    const std::string name = sub.get_name();
    const std::string leaf = sub.get_subcommands().empty() ? "" : sub.get_subcommands().front()->get_name();
    if (name == "audit") return run_audit(ctx, tk, leaf, rc);
    if (name == "members") return run_members(ctx, tk, leaf, rc);
    if (name == "account") return run_account(ctx, tk, leaf, rc);
    if (name == "purge") return run_purge(ctx, tk, rc);
    if (name == "api-keys") return run_api_keys(ctx, tk, leaf, rc);
    if (name == "factors") return run_factors(ctx, tk);
    return run_password_state(ctx, tk, rc);
}

int ServerAdmin::run_audit(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc) {
    if (what == "list") {
        auto page = tk.audit_query(query_);
        if (!page) return report(ctx, page.error(), "audit list");
        if (json_) {
            ctx.out << server::audit_page_json(*page) << '\n';
            return kExitOk;
        }
        for (const auto& e : page->events)
            ctx.out << e.seq << "  " << server::utc_time(e.time) << "  " << e.type << "  actor " << e.actor << "  subject "
                    << (e.subject.empty() ? "-" : e.subject) << (e.detail.empty() ? "" : "  " + e.detail) << '\n';
        if (page->events.empty()) ctx.out << "no matching events\n";
        if (!page->next_cursor.empty()) ctx.out << "more: --cursor " << page->next_cursor << '\n';
        return kExitOk;
    }
    if (what == "export") {
        auto st = tk.audit().export_lines(query_, [&](std::string_view line) -> Status {
            ctx.out << line << '\n';
            return ctx.out ? Status{} : Status{Errc::io, "cannot write the export"};
        });
        if (!st) return report(ctx, st.error(), "audit export");
        return kExitOk;
    }
    if (what == "append") {
        auto n = tk.audit_append(rc.actor, subject_, event_, detail_, rc.source_ip, org_);
        if (!n) return report(ctx, n.error(), "audit append");
        ctx.out << (json_ ? dump(json{{"seq", *n}}) : "appended record " + std::to_string(*n)) << '\n';
        return kExitOk;
    }
    auto n = tk.audit().reindex();  // reindex
    if (!n) return report(ctx, n.error(), "audit reindex");
    ctx.out << dump(json{{"added", *n}}) << '\n';
    return kExitOk;
}

int ServerAdmin::run_members(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc) {
    if (what == "set") {
        const auto role = server::role_from_string(role_);
        if (!role) return usage_error(ctx, "--role must be owner, admin or member");
        if (auto st = tk.set_membership(user_, org_, *role, rc); !st) return report(ctx, st.error(), "members set");
        ctx.out << (json_ ? dump(json{{"user", user_}, {"org", org_}, {"role", role_}}) : user_ + " is " + role_ + " of " + org_) << '\n';
        return kExitOk;
    }
    if (what == "remove") {
        if (auto st = tk.remove_membership(user_, rc); !st) return report(ctx, st.error(), "members remove");
        ctx.out << (json_ ? dump(json{{"removed", user_}}) : user_ + " is in no organization now") << '\n';
        return kExitOk;
    }
    if (what == "show") {
        auto m = tk.membership(user_);
        if (!m) return report(ctx, m.error(), "members show");
        if (!m->has_value()) return report(ctx, Error{Errc::not_found, user_ + " is in no organization"}, "members show");
        ctx.out << (json_ ? server::membership_json(**m) : (*m)->user + "  " + (*m)->org + "  " + std::string(server::to_string((*m)->role)) +
                                                              "  since " + when((*m)->since))
                << '\n';
        return kExitOk;
    }
    if (what == "can") {
        const auto perm = server::permission_from_string(permission_);
        if (!perm) return usage_error(ctx, "no permission '" + permission_ + "' (see `mfa server members permissions`)");
        server::RequestContext c = rc;
        c.org = org_;
        if (auto st = tk.authorize(user_, org_, *perm, subject_, c); !st) return report(ctx, st.error(), "members can");
        ctx.out << (json_ ? dump(json{{"user", user_}, {"org", org_}, {"permission", permission_}, {"allowed", true}})
                          : user_ + " may " + permission_ + " in " + org_)
                << '\n';
        return kExitOk;
    }
    if (what == "permissions") {
        const auto table = json::parse(server::role_permissions_json());
        if (json_) ctx.out << table.dump() << '\n';
        else
            for (const auto& [role, perms] : table.items()) {
                std::string line = role + ":";
                for (const auto& p : perms) line += " " + p.get<std::string>();
                ctx.out << line << (perms.empty() ? " (their own factors, tokens and password only)" : "") << '\n';
            }
        return kExitOk;
    }
    auto l = tk.org_members(org_);
    if (!l) return report(ctx, l.error(), "members list");
    for (const auto& m : *l)
        if (!json_) ctx.out << m.user << "  " << server::to_string(m.role) << "  since " << when(m.since) << '\n';
    if (json_) ctx.out << server::memberships_json(*l) << '\n';
    else if (l->empty()) ctx.out << "no members\n";
    return kExitOk;
}

int ServerAdmin::run_account(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc) {
    if (what == "delete") {
        if (auto st = tk.delete_account(user_, retention_days_ * 86400, rc); !st) return report(ctx, st.error(), "account delete");
    } else if (what == "restore") {
        if (auto st = tk.restore_account(user_, rc); !st) return report(ctx, st.error(), "account restore");
    }
    auto s = tk.account_status(user_);
    if (!s) return report(ctx, s.error(), "account status");
    if (json_) {
        ctx.out << server::account_status_json(user_, *s) << '\n';
    } else if (s->deleted) {
        ctx.out << user_ << " deleted at " << when(s->deleted_at) << " by " << s->deleted_by << "; restorable until "
                << when(s->purge_after) << '\n';
    } else {
        ctx.out << user_ << " is active\n";
    }
    return kExitOk;
}

int ServerAdmin::run_purge(Context& ctx, server::Toolkit& tk, const server::RequestContext& rc) {
    auto purged = tk.purge(now_, rc);
    if (!purged) return report(ctx, purged.error(), "purge");
    for (const auto& p : *purged) {
        if (!json_) ctx.out << "purged " << p.user << " (deleted at " << when(p.deleted_at) << ", " << p.keys << " store keys)\n";
    }
    if (json_) ctx.out << server::purged_json(*purged) << '\n';
    else if (purged->empty()) ctx.out << "nothing to purge\n";
    return kExitOk;
}

int ServerAdmin::run_api_keys(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc) {
    if (what == "revoke") {
        if (auto st = tk.revoke_token(id_, org_, rc); !st) return report(ctx, st.error(), "api-keys revoke");
        ctx.out << (json_ ? dump(json{{"revoked", id_}}) : "revoked " + id_) << '\n';
        return kExitOk;
    }
    auto l = tk.org_tokens(org_);
    if (!l) return report(ctx, l.error(), "api-keys list");
    for (const auto& t : *l) {
        if (!json_) {
            std::string scopes;
            for (const auto& s : t.scopes) scopes += (scopes.empty() ? "" : ",") + s;
            ctx.out << t.id << "  " << t.user << "  " << t.name << "  scopes " << (scopes.empty() ? "-" : scopes) << "  created "
                    << when(t.created) << "  expires " << (t.expires == 0 ? "never" : when(t.expires)) << "  last used "
                    << when(t.last_used) << (t.last_ip.empty() ? "" : " from " + t.last_ip) << '\n';
        }
    }
    if (json_) ctx.out << server::token_infos_json(*l) << '\n';
    else if (l->empty()) ctx.out << "no API keys\n";
    return kExitOk;
}

int ServerAdmin::run_password_state(Context& ctx, server::Toolkit& tk, const server::RequestContext& rc) {
    if (changed_) {
        if (auto st = tk.password_changed(user_, rc); !st) return report(ctx, st.error(), "password-state --changed");
    } else if (!require_change_.empty()) {
        const auto why = require_change_ == "reset" ? server::PasswordChange::reset : server::PasswordChange::compromised;
        if (auto st = tk.password_require_change(user_, why, rc); !st) return report(ctx, st.error(), "password-state --require-change");
    }
    auto s = tk.password_state(user_);
    if (!s) return report(ctx, s.error(), "password-state");
    const std::string must(server::to_string(s->must_change));
    ctx.out << (json_ ? server::password_state_report_json(user_, *s)
                      : user_ + ": password set " + when(s->changed_at) + (must == "none" ? "" : "; must change (" + must + ")"))
            << '\n';
    return kExitOk;
}

int ServerAdmin::run_factors(Context& ctx, server::Toolkit& tk) {
    auto f = tk.factor_state(user_);
    if (!f) return report(ctx, f.error(), "factors");
    if (json_) {
        ctx.out << server::factor_state_json(user_, *f) << '\n';
        return kExitOk;
    }
    std::string otp = !f->totp ? "none" : f->hwtoken.empty() ? "authenticator app" : "hardware token " + f->hwtoken;
    if (f->totp) otp += " (" + std::string(to_string(f->otp_type)) + ", since " + when(f->totp_since) + ")";
    if (f->totp_pending) otp += "; an enrollment awaits its first code";
    ctx.out << user_ << ": OTP " << otp << "; " << f->security_keys << " security key(s), " << f->passkeys
            << " of them passkeys; " << f->recovery_codes_left << " recovery code(s) left\n";
    return kExitOk;
}

}  // namespace mfa::app

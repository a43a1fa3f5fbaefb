// `mfa server backup …`, `mfa server keyring maintain`, `mfa server otp-tokens …` (server_ops.hpp).
#include "server_ops.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "mfa/encoding.hpp"
#include "mfa/server/backup.hpp"
#include "mfa/server/hwtoken_json.hpp"
#include "mfa/server/key_maintenance.hpp"
#include "mfa/server/pskc.hpp"
#include "mfa/server/toolkit.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

using json = nlohmann::json;

json backup_json(const server::BackupInfo& b) {
    return json{{"name", b.name}, {"path", b.path}, {"time", b.time}, {"utc", server::utc_time(b.time)}, {"bytes", b.bytes}};
}

json token_json(const server::HwTokenInfo& t) { return json::parse(server::hwtoken_info_json(t)); }

json ids_json(const std::vector<std::uint32_t>& v) { return json(v); }

}  // namespace

void ServerOps::configure(CLI::App& server, CLI::App& keyring) {
    auto* b = server.add_subcommand("backup", "backups of the SQLite store (docs/server.md \"Backups\")");
    b->require_subcommand(1);
    b->add_option("--dir", dir_, "the backup directory")->default_val("backups");
    b->add_option("--retention-days", retention_days_, "days a backup is kept (create prunes too)")
        ->check(whole_number(1, 36500))
        ->default_val(30);
    b->add_subcommand("create", "take a consistent online backup, then prune past the retention");
    b->add_subcommand("list", "list the backups, oldest first");
    auto* bv = b->add_subcommand("verify", "integrity, schema and audit chain of a backup");
    bv->add_option("file", file_, "a backup file (a name in --dir, or a path)")->required();
    auto* br = b->add_subcommand("restore", "verify a backup and put it in place (the service stopped)");
    br->add_option("file", file_, "a backup file (a name in --dir, or a path)")->required();
    br->add_option("--to", to_, "the store file to write (default: the --store path)");
    br->add_flag("--overwrite", overwrite_, "replace an existing store file (stop every process using it first)");
    b->add_subcommand("prune", "remove backups older than --retention-days (the newest is kept)");

    auto* m = keyring.add_subcommand("maintain", "rotate, rewrap a batch, retire and remove keys (for cron)");
    auto* days = m->add_option("--max-age-days", max_age_days_, "rotate when the current key is older")->check(whole_number(1, 36500))->default_val(90);
    m->add_option("--max-age-seconds", max_age_seconds_, "the same in seconds (an hourly rotation: 3600)")
        ->check(whole_number(1, 36500LL * 86400))
        ->excludes(days);
    m->add_option("--batch", batch_, "records examined this run")->check(whole_number(1, 100000))->default_val(1000);
    m->add_option("--backup-dir", backup_dir_, "backups whose keys must be kept while they are retained");
    m->add_option("--retention-days", retention_days_, "the backups' retention")->check(whole_number(1, 36500))->default_val(30);
    m->add_option("--rewrap-delay", rewrap_delay_, "seconds after a rotation before rewrapping (services reload the ring)")
        ->check(whole_number(0, 2592000))
        ->default_val(3600);

    auto* t = server.add_subcommand("otp-tokens", "hardware OTP tokens from PSKC files (docs/server.md)");
    t->require_subcommand(1);
    auto* ti = t->add_subcommand("import", "import every token of a PSKC file as unassigned tokens of an organization");
    ti->add_option("file", file_, "the vendor's .pskc / .xml file")->required();
    ti->add_option("--org", org_, "the organization whose inventory the tokens join")->required();
    auto* key = ti->add_option("--key", key_hex_, "the pre-shared key, hex (16, 24 or 32 bytes)");
    ti->add_option("--passphrase-file", passphrase_file_, "the passphrase PBKDF2 derives the key from ('-': stdin)")->excludes(key);
    auto* tl = t->add_subcommand("list", "list the tokens (of one organization with --org)");
    auto* ta = t->add_subcommand("assign", "make a token a user's OTP factor (a member of the token's organization)");
    ta->add_option("serial", serial_)->required();
    ta->add_option("user", user_)->required();
    std::vector<CLI::App*> scoped{tl, ta};
    for (const char* n : {"unassign", "retire"}) {
        auto* s = t->add_subcommand(n, std::string(n) == "retire" ? "take a token out of service for good (its seed is destroyed)"
                                                                   : "remove a token from its user (it becomes unassigned)");
        s->add_option("serial", serial_)->required();
        scoped.push_back(s);
    }
    for (auto* s : scoped) s->add_option("--org", org_, "only a token of this organization (default: any, an operator's view)");
    auto* tad = t->add_subcommand("adopt", "give a token imported before tokens had an organization to one");
    tad->add_option("serial", serial_)->required();
    tad->add_option("--org", org_, "the organization")->required();
    auto* ts = t->add_subcommand("resync", "resynchronise a user's HOTP token with two consecutive codes");
    ts->add_option("user", user_)->required();
    ts->add_option("code1", code1_)->required();
    ts->add_option("code2", code2_)->required();
    for (auto* c : {b, t})
        for (auto* leaf : c->get_subcommands([](CLI::App*) { return true; })) leaf->add_flag("--json", json_, "print JSON");
    // --dir and --retention-days may also follow the action: `backup create --dir D`.
    for (auto* leaf : b->get_subcommands([](CLI::App*) { return true; })) leaf->fallthrough();
    m->add_flag("--json", json_, "print JSON");
}

std::optional<int> ServerOps::run(Context& ctx, const CLI::App& server, const ServerCommon& common) {
    const auto subs = server.get_subcommands();
    if (subs.empty()) return std::nullopt;
    const CLI::App* sub = subs.front();
    const auto leaves = sub->get_subcommands();
    if (leaves.empty()) return std::nullopt;
    const std::string name = sub->get_name(), leaf = leaves.front()->get_name();
    if (name == "backup") return run_backup(ctx, leaf, common);
    if (name == "keyring" && leaf == "maintain") return run_maintain(ctx, common);
    if (name == "otp-tokens") return run_tokens(ctx, leaf, common);
    return std::nullopt;
}

int ServerOps::run_backup(Context& ctx, const std::string& what, const ServerCommon& common) {
    server::BackupOptions o;
    o.dir = dir_;
    o.retention_days = retention_days_;
    auto in_dir = [&](const std::string& f) { return f.find('/') == std::string::npos ? dir_ + "/" + f : f; };
    auto print = [&](const json& j, const std::string& text) { ctx.out << (json_ ? j.dump() : text) << '\n'; };
    if (what == "list") {
        auto l = server::backup_list(dir_);
        if (!l) return report(ctx, l.error(), "backup list");
        json j = json::array();
        std::string text;
        for (const auto& b : *l) {
            j.push_back(backup_json(b));
            text += b.name + "  " + server::utc_time(b.time) + "  " + std::to_string(b.bytes) + " bytes\n";
        }
        if (json_) ctx.out << j.dump() << '\n';
        else ctx.out << (text.empty() ? "no backups in " + dir_ + "\n" : text);
        return kExitOk;
    }
    if (what == "verify") {
        auto v = server::backup_verify(in_dir(file_));
        if (!v) return report(ctx, v.error(), "backup verify");
        print(json{{"file", in_dir(file_)}, {"status", "ok"}, {"entries", v->entries}, {"audit_records", v->audit_records},
                   {"audit_head", v->audit_head}, {"key_ids", std::vector<std::uint32_t>(v->key_ids.begin(), v->key_ids.end())}},
              in_dir(file_) + ": ok, " + std::to_string(v->entries) + " entries, audit chain of " + std::to_string(v->audit_records) +
                  " records intact");
        return kExitOk;
    }
    if (what == "prune") {
        auto r = server::backup_prune(o);
        if (!r) return report(ctx, r.error(), "backup prune");
        json j = json::array();
        for (const auto& b : *r) j.push_back(b.name);
        print(json{{"removed", j}}, std::to_string(r->size()) + " backup(s) older than " + std::to_string(retention_days_) + " days removed");
        return kExitOk;
    }
    // create, restore: the store must be SQLite
    auto path = server::store_backup_path(common.store_url);
    if (!path) return report(ctx, path.error(), "backup " + what);
    if (what == "restore") {
        const std::string target = to_.empty() ? *path : to_;
        if (auto st = server::backup_restore(in_dir(file_), target, overwrite_); !st) return report(ctx, st.error(), "backup restore");
        print(json{{"restored", in_dir(file_)}, {"to", target}}, "restored " + in_dir(file_) + " to " + target);
        return kExitOk;
    }
    auto b = server::backup_create(*path, o);
    if (!b) return report(ctx, b.error(), "backup create");
    auto pruned = server::backup_prune(o);
    if (!pruned) return report(ctx, pruned.error(), "backup prune");
    print(json{{"backup", backup_json(*b)}, {"pruned", pruned->size()}},
          "backup " + b->path + " (" + std::to_string(b->bytes) + " bytes); " + std::to_string(pruned->size()) + " old backup(s) pruned");
    return kExitOk;
}

int ServerOps::run_maintain(Context& ctx, const ServerCommon& common) {
    auto store = store::open_store(common.store_url);
    if (!store) return report(ctx, store.error(), "store");
    server::KeyMaintenancePolicy p;
    p.max_age = max_age_seconds_ != 0 ? max_age_seconds_ : max_age_days_ * 86400;
    p.batch = batch_;
    p.rewrap_delay = rewrap_delay_;
    p.backup_dir = backup_dir_;
    p.backup_retention_days = retention_days_;
    auto r = server::maintain_keyring(common.keyring, **store, p);
    if (!r) return report(ctx, r.error(), "keyring maintain");
    const json j{{"current", r->current},         {"rotated", r->rotated},     {"created_recorded", ids_json(r->created_recorded)},
                 {"examined", r->examined},       {"rewrapped", r->rewrapped}, {"rewrap_pending", r->rewrap_pending},
                 {"retired", ids_json(r->retired)}, {"removed", ids_json(r->removed)}, {"kept", ids_json(r->kept)}};
    std::string text = "current key " + std::to_string(r->current) + (r->rotated ? " (rotated now: reload the services' key ring)" : "") +
                       "; " + std::to_string(r->rewrapped) + " of " + std::to_string(r->examined) + " secrets rewrapped" +
                       (r->rewrap_pending ? ", more on the next run" : "");
    if (!r->retired.empty()) text += "; retired " + j["retired"].dump();
    if (!r->removed.empty()) text += "; removed " + j["removed"].dump();
    if (!r->kept.empty()) text += "; kept for backups or data " + j["kept"].dump();
    ctx.out << (json_ ? j.dump() : text) << '\n';
    return kExitOk;
}

int ServerOps::run_tokens(Context& ctx, const std::string& what, const ServerCommon& common) {
    auto store = store::open_store(common.store_url);
    if (!store) return report(ctx, store.error(), "store");
    auto ring = server::KeyRing::load(common.keyring);
    if (!ring) return report(ctx, ring.error(), "keyring");
    server::ToolkitConfig cfg;
    cfg.issuer = common.issuer;
    auto tk_r = server::Toolkit::create(*store, std::move(*ring), cfg);
    if (!tk_r) return report(ctx, tk_r.error(), "toolkit");
    auto& tk = **tk_r;
    const server::RequestContext rc{common.actor, "cli"};
    auto print = [&](const json& j, const std::string& text) { ctx.out << (json_ ? j.dump() : text) << '\n'; };
    if (what == "import") {
        std::ifstream in(file_, std::ios::binary);
        if (!in) return report(ctx, Error{Errc::io, "cannot read " + file_}, "otp-tokens import");
        const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        server::PskcDecryption dec;
        if (!key_hex_.empty()) {
            auto k = hex_decode(key_hex_);
            if (!k) return report(ctx, Error{Errc::invalid_argument, "--key is not hex"}, "otp-tokens import");
            dec.key = SecretBytes(*k);
            secure_wipe(k->data(), k->size());
            secure_wipe(key_hex_.data(), key_hex_.size());
        }
        if (!passphrase_file_.empty()) {
            SecretString pw;
            if (int rc2 = read_passphrase(ctx, passphrase_file_, "PSKC passphrase: ", false, pw); rc2 != kExitOk) return rc2;
            dec.passphrase = std::move(pw);
        }
        auto r = tk.hwtoken_import(org_, xml, dec, rc);
        if (!r) return report(ctx, r.error(), "otp-tokens import " + file_);
        json j = json::array();
        std::string text;
        for (const auto& t : *r) {
            j.push_back(token_json(t));
            text += "imported " + t.serial + " into " + t.org + " (" + std::string(to_string(t.type)) + ", " + std::to_string(t.digits) +
                    " digits)\n";
        }
        if (json_) ctx.out << j.dump() << '\n';
        else ctx.out << text;
        return kExitOk;
    }
    if (what == "list") {
        auto l = tk.hwtoken_list(org_);
        if (!l) return report(ctx, l.error(), "otp-tokens list");
        json j = json::array();
        std::string text;
        for (const auto& t : *l) {
            j.push_back(token_json(t));
            text += t.serial + "  " + std::string(to_string(t.type)) + "  " + std::string(server::to_string(t.state)) +
                    "  " + (t.org.empty() ? "(no organization)" : t.org) + (t.user.empty() ? "" : "  " + t.user) + "\n";
        }
        if (json_) ctx.out << j.dump() << '\n';
        else ctx.out << (text.empty() ? "no hardware tokens\n" : text);
        return kExitOk;
    }
    if (what == "resync") {
        auto r = tk.hwtoken_resync(user_, code1_, code2_, rc);
        if (!r) return report(ctx, r.error(), "otp-tokens resync");
        print(json{{"status", std::string(errc_name(r->status))}, {"failures", r->failures}, {"retry_after", r->retry_after}},
              r->ok() ? "resynchronised" : std::string("not resynchronised: ") + std::string(errc_name(r->status)));
        return r->ok() ? kExitOk : kExitFailure;
    }
    if (what == "adopt") {
        if (auto st = tk.hwtoken_adopt(serial_, org_, rc); !st) return report(ctx, st.error(), "otp-tokens adopt");
        print(json{{"adopted", serial_}, {"org", org_}}, serial_ + " is now of " + org_);
        return kExitOk;
    }
    Status st = what == "assign" ? tk.hwtoken_assign(org_, serial_, user_, rc)
                : what == "unassign" ? tk.hwtoken_unassign(org_, serial_, rc)
                                     : tk.hwtoken_retire(org_, serial_, rc);
    if (!st) return report(ctx, st.error(), "otp-tokens " + what);
    print(json{{what == "assign" ? "assigned" : what == "unassign" ? "unassigned" : "retired", serial_}, {"user", user_}},
          serial_ + " " + (what == "assign" ? "assigned to " + user_ : what + "d"));
    return kExitOk;
}

}  // namespace mfa::app

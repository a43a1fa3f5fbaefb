// The operations section of mfa_server.h: backups, key maintenance, hardware OTP tokens.
#include <nlohmann/json.hpp>

#include "abi.hpp"
#include "mfa/mfa_server.h"
#include "mfa/server/backup.hpp"
#include "mfa/server/hwtoken_json.hpp"
#include "mfa/server/key_maintenance.hpp"
#include "mfa/server/pskc.hpp"
#include "server_handle.hpp"

namespace mfa::abi {
namespace {

using json = nlohmann::json;
constexpr std::size_t kMaxIn = 64 * 1024;

Result<std::string_view> text(const char* s, std::string_view what, bool null_ok = false) {
    return in_string(s, kMaxIn, what, null_ok);
}


json backup_json(const server::BackupInfo& b) {
    return json{{"name", b.name}, {"path", b.path}, {"time", b.time}, {"bytes", b.bytes}};
}

json token_json(const server::HwTokenInfo& t) { return json::parse(server::hwtoken_info_json(t)); }

int tokens_out(char** out, const Result<std::vector<server::HwTokenInfo>>& r) {
    if (!r) return fail(r.error());
    json j = json::array();
    for (const auto& t : *r) j.push_back(token_json(t));
    return put_alloc(out, j.dump());
}

server::BackupOptions backup_options(std::string_view dir, uint32_t retention_days) {
    server::BackupOptions o;
    o.dir = std::string(dir);
    o.retention_days = retention_days == 0 ? server::kDefaultBackupRetentionDays : retention_days;
    return o;
}

server::RequestContext rctx(const char* actor, const char* ip) {
    return ctx(actor ? actor : "", ip ? ip : "");
}

// assign, unassign and retire: a change of one token, in the inventory org sees (NULL: every token).
template <class F>
int token_change(mfa_server_t* s, const char* org, const char* serial, F&& change) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        auto o = text(org, "org", true);
        if (!o) return fail(o.error());
        auto sn = text(serial, "serial");
        if (!sn) return fail(sn.error());
        if (auto st = change(*o, *sn); !st) return fail(st.error());
        return MFA_OK;
    });
}

}  // namespace
}  // namespace mfa::abi

using namespace mfa;
using namespace mfa::abi;

extern "C" {

int mfa_server_backup_create(char** out_json, const char* store_url, const char* dir, uint32_t retention_days) {
    return guarded([&] {
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        auto url = text(store_url, "store_url");
        if (!url) return fail(url.error());
        auto d = text(dir, "dir");
        if (!d) return fail(d.error());
        auto path = server::store_backup_path(*url);
        if (!path) return fail(path.error());
        const auto o = backup_options(*d, retention_days);
        auto b = server::backup_create(*path, o);
        if (!b) return fail(b.error());
        auto pruned = server::backup_prune(o);
        if (!pruned) return fail(pruned.error());
        json j = backup_json(*b);
        j["pruned"] = json::array();
        for (const auto& p : *pruned) j["pruned"].push_back(p.name);
        return put_alloc(out_json, j.dump());
    });
}

int mfa_server_backup_list(char** out_json, const char* dir) {
    return guarded([&] {
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        auto d = text(dir, "dir");
        if (!d) return fail(d.error());
        auto l = server::backup_list(std::string(*d));
        if (!l) return fail(l.error());
        json j = json::array();
        for (const auto& b : *l) j.push_back(backup_json(b));
        return put_alloc(out_json, j.dump());
    });
}

int mfa_server_backup_prune(char** out_json, const char* dir, uint32_t retention_days) {
    return guarded([&] {
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        auto d = text(dir, "dir");
        if (!d) return fail(d.error());
        auto r = server::backup_prune(backup_options(*d, retention_days));
        if (!r) return fail(r.error());
        json j = json::array();
        for (const auto& b : *r) j.push_back(b.name);
        return put_alloc(out_json, j.dump());
    });
}

int mfa_server_backup_verify(char** out_json, const char* backup_path) {
    return guarded([&] {
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        auto p = text(backup_path, "backup_path");
        if (!p) return fail(p.error());
        auto v = server::backup_verify(std::string(*p));
        if (!v) return fail(v.error());
        return put_alloc(out_json, json{{"entries", v->entries},
                                        {"audit_records", v->audit_records},
                                        {"audit_head", v->audit_head},
                                        {"key_ids", std::vector<std::uint32_t>(v->key_ids.begin(), v->key_ids.end())}}
                                       .dump());
    });
}

int mfa_server_backup_restore(const char* backup_path, const char* target_path, int overwrite) {
    return guarded([&] {
        auto b = text(backup_path, "backup_path");
        if (!b) return fail(b.error());
        auto t = text(target_path, "target_path");
        if (!t) return fail(t.error());
        if (auto st = server::backup_restore(std::string(*b), std::string(*t), overwrite != 0); !st) return fail(st.error());
        return MFA_OK;
    });
}

int mfa_server_keyring_maintain(char** out_json, mfa_server_store_t* store, const char* keyring_path, uint32_t max_age_days,
                                uint32_t batch, uint32_t rewrap_delay, const char* backup_dir, uint32_t backup_retention_days) {
    mfa_server_key_maintenance_t p{};
    if (int rc = mfa_server_key_maintenance_init(&p); rc != MFA_OK) return rc;
    if (max_age_days != 0) p.max_age = static_cast<int64_t>(max_age_days) * 86400;
    if (batch != 0) p.batch = batch;
    p.rewrap_delay = rewrap_delay;
    p.backup_dir = backup_dir;
    if (backup_retention_days != 0) p.backup_retention_days = backup_retention_days;
    return mfa_server_keyring_maintain_policy(out_json, store, keyring_path, &p);
}

int mfa_server_key_maintenance_init(mfa_server_key_maintenance_t* policy) {
    if (policy == nullptr) return fail(Errc::invalid_argument, "policy is NULL");
    const server::KeyMaintenancePolicy d{};
    *policy = mfa_server_key_maintenance_t{};
    policy->struct_size = sizeof *policy;
    policy->max_age = d.max_age;
    policy->batch = static_cast<uint32_t>(d.batch);
    policy->rewrap_delay = static_cast<uint32_t>(d.rewrap_delay);
    policy->backup_retention_days = static_cast<uint32_t>(d.backup_retention_days);
    return MFA_OK;
}

int mfa_server_keyring_maintain_policy(char** out_json, mfa_server_store_t* store, const char* keyring_path,
                                       const mfa_server_key_maintenance_t* policy) {
    return guarded([&] {
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        if (int rc = need(store, "store"); rc != MFA_OK) return rc;
        mfa_server_key_maintenance_t c{};
        if (int rc = mfa_server_key_maintenance_init(&c); rc != MFA_OK) return rc;
        if (policy != nullptr)
            if (auto rs = read_sized(policy, c, sizeof c, "policy"); !rs) return fail(rs.error());
        auto k = text(keyring_path, "keyring_path");
        if (!k) return fail(k.error());
        auto d = text(c.backup_dir, "policy.backup_dir", true);
        if (!d) return fail(d.error());
        server::KeyMaintenancePolicy p;
        p.max_age = c.max_age;
        p.batch = c.batch;
        p.rewrap_delay = c.rewrap_delay;
        p.backup_dir = std::string(*d);
        p.backup_retention_days = c.backup_retention_days;
        auto r = server::maintain_keyring(std::string(*k), *store->store, p);
        if (!r) return fail(r.error());
        return put_alloc(out_json, json{{"current", r->current},
                                        {"rotated", r->rotated},
                                        {"created_recorded", r->created_recorded},
                                        {"examined", r->examined},
                                        {"rewrapped", r->rewrapped},
                                        {"rewrap_pending", r->rewrap_pending},
                                        {"retired", r->retired},
                                        {"removed", r->removed},
                                        {"kept", r->kept}}
                                       .dump());
    });
}

int mfa_server_otp_tokens_import(mfa_server_t* s, char** out_json, const char* org, const char* pskc, size_t pskc_len,
                                 const uint8_t* key, size_t key_len, const char* passphrase, size_t passphrase_len,
                                 const char* actor, const char* source_ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        auto o = text(org, "org");
        if (!o) return fail(o.error());
        if (pskc == nullptr) return fail(Errc::invalid_argument, "pskc is NULL");
        if (pskc_len > server::kMaxPskcBytes) return fail(Errc::limit_exceeded, "pskc larger than 16 MiB");
        if (key == nullptr && key_len != 0) return fail(Errc::invalid_argument, "key is NULL with a length");
        if (passphrase == nullptr && passphrase_len != 0) return fail(Errc::invalid_argument, "passphrase is NULL with a length");
        server::PskcDecryption dec;
        if (key != nullptr) dec.key = SecretBytes(ByteView(key, key_len));
        if (passphrase != nullptr) {
            SecretString pw;
            pw.append(std::string_view(passphrase, passphrase_len));
            dec.passphrase = std::move(pw);
        }
        return tokens_out(out_json, s->tk->hwtoken_import(*o, std::string_view(pskc, pskc_len), dec, rctx(actor, source_ip)));
    });
}

int mfa_server_otp_tokens_list(mfa_server_t* s, char** out_json, const char* org) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        auto o = text(org, "org", true);
        if (!o) return fail(o.error());
        return tokens_out(out_json, s->tk->hwtoken_list(*o));
    });
}

int mfa_server_otp_tokens_assign(mfa_server_t* s, const char* org, const char* serial, const char* user, const char* actor,
                                 const char* source_ip) {
    return token_change(s, org, serial, [&](std::string_view o, std::string_view sn) -> Status {
        auto u = text(user, "user");
        if (!u) return std::move(u).error();
        return s->tk->hwtoken_assign(o, sn, *u, rctx(actor, source_ip));
    });
}

int mfa_server_otp_tokens_unassign(mfa_server_t* s, const char* org, const char* serial, const char* actor,
                                   const char* source_ip) {
    return token_change(s, org, serial, [&](std::string_view o, std::string_view sn) {
        return s->tk->hwtoken_unassign(o, sn, rctx(actor, source_ip));
    });
}

int mfa_server_otp_tokens_retire(mfa_server_t* s, const char* org, const char* serial, const char* actor, const char* source_ip) {
    return token_change(s, org, serial, [&](std::string_view o, std::string_view sn) {
        return s->tk->hwtoken_retire(o, sn, rctx(actor, source_ip));
    });
}

int mfa_server_otp_tokens_adopt(mfa_server_t* s, const char* serial, const char* org, const char* actor, const char* source_ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        auto sn = text(serial, "serial");
        if (!sn) return fail(sn.error());
        auto o = text(org, "org");
        if (!o) return fail(o.error());
        if (auto st = s->tk->hwtoken_adopt(*sn, *o, rctx(actor, source_ip)); !st) return fail(st.error());
        return MFA_OK;
    });
}

int mfa_server_otp_tokens_resync(mfa_server_t* s, mfa_server_verify_result_t* out, const char* user, const char* code1,
                                 const char* code2, const char* source_ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = check_out(out); rc != MFA_OK) return rc;
        auto u = text(user, "user");
        if (!u) return fail(u.error());
        auto c1 = text(code1, "code1");
        if (!c1) return fail(c1.error());
        auto c2 = text(code2, "code2");
        if (!c2) return fail(c2.error());
        return verify_out(out, s->tk->hwtoken_resync(*u, *c1, *c2, rctx("", source_ip)));
    });
}

}  // extern "C"

// The purge job: accounts whose retention ended are removed from the store for good, key family by
// key family (the families of toolkit.hpp and account.hpp). The audit trail is append-only and
// keeps their events.
#include "admin_keys.hpp"
#include "mfa/encoding.hpp"
#include "records.hpp"

namespace mfa::server {
namespace {

// Erases each key under prefix; the count of erased keys is added to n.
Status erase_prefix(store::Store& st, const std::string& prefix, std::size_t& n,
                    const std::function<Status(const std::string&)>& before = {}) {
    auto ks = st.keys(prefix);
    if (!ks) return std::move(ks).error();
    for (const auto& k : *ks) {
        if (before) MFA_TRY(before(k));
        auto e = st.erase(k);
        if (!e) return std::move(e).error();
        n += *e ? 1 : 0;
    }
    return {};
}

Status erase_key(store::Store& st, const std::string& key, std::size_t& n) {
    auto e = st.erase(key);
    if (!e) return std::move(e).error();
    n += *e ? 1 : 0;
    return {};
}

// Erases a single-key index entry only when it still names this user (a credential id or user
// handle taken over by another account since is not this account's).
Status erase_if_owned(store::Store& st, const std::string& key, std::string_view user, std::size_t& n) {
    auto v = st.get(key);
    if (!v) return std::move(v).error();
    if (v->has_value() && as_chars(**v) == user) return erase_key(st, key, n);
    return {};
}

Result<std::size_t> erase_account(store::Store& st, const std::string& u, const std::string& user) {
    std::size_t n = 0;
    // Records found through another key first, then that key.
    auto handle = st.get(keys::wa_user_handle(u));
    if (!handle) return std::move(handle).error();
    if (handle->has_value()) MFA_TRY(erase_if_owned(st, keys::wa_handle_owner(std::string(as_chars(**handle))), user, n));
    auto m = st.get(keys::member(u));
    if (!m) return std::move(m).error();
    if (m->has_value()) {
        auto rec = detail::parse_membership(as_chars(**m));
        if (rec) {
            auto o = user_key_part(rec->org);
            if (o) MFA_TRY(erase_key(st, keys::org_members(*o) + u, n));
        }
    }
    const std::string wa = keys::wa_prefix(u);
    MFA_TRY(erase_prefix(st, wa, n, [&](const std::string& k) { return erase_if_owned(st, keys::wa_index(k.substr(wa.size())), user, n); }));
    const std::string tokidx = keys::token_index(u);
    MFA_TRY(erase_prefix(st, tokidx, n, [&](const std::string& k) -> Status {
        const std::string tk = keys::token(k.substr(tokidx.size()));
        auto raw = st.get(tk);
        if (!raw) return std::move(raw).error();
        if (!raw->has_value()) return {};
        auto rec = detail::parse_token_record(as_chars(**raw));
        if (rec && rec->info.user == user) return erase_key(st, tk, n);
        return {};
    }));
    MFA_TRY(erase_prefix(st, "mfa:rc:" + keys::tag(u) + ":", n));
    for (const auto& k : {keys::totp(u), keys::totp_pending(u), keys::totp_last(u), keys::thr_pwd(u), keys::thr_2fa(u),
                          keys::wa_user_handle(u), keys::member(u), keys::password_state(u)})
        MFA_TRY(erase_key(st, k, n));
    return n;
}

}  // namespace

Result<std::vector<PurgedAccount>> Toolkit::purge(std::int64_t at, const RequestContext& ctx) {
    if (at < 0) return Error{Errc::invalid_argument, "now must be a Unix time (0 = the clock)"};
    const std::int64_t t = at != 0 ? at : now();
    // The whole index first, then the work: erasing while a Redis SCAN runs is allowed, but a
    // listing taken first keeps every backend's walk simple.
    std::vector<std::string> pending;
    std::string cursor;
    do {
        auto page = store_->scan(keys::kDeletedIndex, cursor);
        if (!page) return std::move(page).error();
        cursor = std::move(page->cursor);
        for (auto& k : page->keys) pending.push_back(std::move(k));
    } while (!cursor.empty());
    std::sort(pending.begin(), pending.end());
    pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
    std::vector<PurgedAccount> out;
    const RequestContext system{ctx.actor.empty() ? "system" : ctx.actor, ctx.source_ip, ctx.org};
    for (const auto& ix : pending) {
        const std::string u = ix.substr(keys::kDeletedIndex.size());
        auto name = store_->get(ix);
        if (!name) return std::move(name).error();
        if (!name->has_value()) continue;
        const std::string user(as_chars(**name));
        auto raw = store_->get(keys::deleted(u));
        if (!raw) return std::move(raw).error();
        if (!raw->has_value()) {  // restored: the index entry is stale
            auto e = store_->erase(ix);
            if (!e) return std::move(e).error();
            continue;
        }
        auto d = detail::parse_deletion(as_chars(**raw));
        if (!d) return Error{Errc::store_corrupt, "deletion record of '" + user.substr(0, 64) + "': " + d.error().detail};
        if (d->purge_after > t) continue;
        // The organizations are read before the membership goes, so the event stays in their trail.
        auto org = org_of(user);
        if (!org) return std::move(org).error();
        // A hardware token assigned to the account goes back to the pool (its HOTP counter kept, so
        // the next user's token does not accept the old codes) before the factor record is erased.
        auto factor = store_->get(keys::totp(u));
        if (!factor) return std::move(factor).error();
        if (factor->has_value()) {
            auto f = detail::parse_totp_record(as_chars(**factor));
            if (f && !f->hwtoken.empty()) MFA_TRY(hwtoken_unassign("", f->hwtoken, system));
        }
        auto n = erase_account(*store_, u, user);
        if (!n) return std::move(n).error();
        impl_->forget(u);
        std::size_t count = *n;
        MFA_TRY(erase_key(*store_, keys::deleted(u), count));
        MFA_TRY(erase_key(*store_, ix, count));
        MFA_TRY(record_in("account.purged", user, "deleted at " + utc_time(d->deleted_at) + "; " + std::to_string(count) + " store keys removed",
                          system, org->value_or("")));
        out.push_back(PurgedAccount{user, d->deleted_at, count});
    }
    return out;
}

}  // namespace mfa::server

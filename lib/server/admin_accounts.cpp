// Organizations and accounts: membership (who is in which organization, with which role), the
// audit events tagged with it, application events in the same chain, and account deletion with a
// retention period and a purge.
#include <algorithm>

#include "admin_keys.hpp"
#include "mfa/encoding.hpp"

namespace mfa::server {

Result<std::optional<std::string>> Toolkit::org_of(std::string_view user) {
    if (user.empty() || user.size() > kMaxUserName) return std::optional<std::string>{};
    auto m = membership(user);
    if (!m) return std::move(m).error();
    if (!m->has_value()) return std::optional<std::string>{};
    return std::optional<std::string>{(*m)->org};
}

Status Toolkit::record_in(std::string type, std::string_view user, std::string detail, const RequestContext& ctx,
                          std::string_view also) {
    AuditEvent e;
    e.time = now();
    e.type = std::move(type);
    e.actor = ctx.actor.empty() ? std::string(user) : ctx.actor;
    e.subject = std::string(user);
    e.source_ip = ctx.source_ip;
    e.detail = std::move(detail);
    // The organizations at the time of the event, so that an organization's trail keeps what its
    // members did and had done to them even after they leave it.
    for (std::string_view who : {std::string_view(e.subject), std::string_view(e.actor)}) {
        auto org = org_of(who);
        if (!org) return std::move(org).error();
        if (org->has_value()) e.orgs.push_back(**org);
    }
    if (!ctx.org.empty()) e.orgs.emplace_back(ctx.org);
    if (!also.empty()) e.orgs.emplace_back(also);
    auto r = audit_.append(std::move(e));
    if (!r) return std::move(r).error();
    return {};
}

Result<std::uint64_t> Toolkit::audit_append(std::string_view actor, std::string_view subject, std::string_view type,
                                            std::string_view detail, std::string_view source_ip, std::string_view org) {
    MFA_TRY(validate_app_event_type(type));
    if (actor.empty() || actor.size() > kMaxAuditField) return Error{Errc::invalid_argument, "actor must be 1..1024 bytes"};
    for (auto f : {subject, detail, source_ip})
        if (f.size() > kMaxAuditField) return Error{Errc::invalid_argument, "subject, detail and source_ip are at most 1024 bytes"};
    if (!org.empty()) MFA_TRY(audit_org_index_prefix(org));
    AuditEvent e;
    e.time = now();
    e.type = std::string(type);
    e.actor = std::string(actor);
    e.subject = std::string(subject);
    e.source_ip = std::string(source_ip);
    e.detail = std::string(detail);
    for (std::string_view who : {subject, actor}) {
        auto o = org_of(who);
        if (!o) return std::move(o).error();
        if (o->has_value()) e.orgs.push_back(**o);
    }
    if (!org.empty()) e.orgs.emplace_back(org);
    return audit_.append(std::move(e));
}

// --- Membership ------------------------------------------------------------------------------------

Result<std::optional<Membership>> Toolkit::membership(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto raw = store_->get(keys::member(*u));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return std::optional<Membership>{};
    auto m = detail::parse_membership(as_chars(**raw));
    if (!m) return std::move(m).error();
    return std::optional<Membership>{std::move(*m)};
}

Status Toolkit::set_membership(std::string_view user, std::string_view org, Role role, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto o = user_key_part(org);
    if (!o) return Error{Errc::invalid_argument, "organization name must be 1..256 bytes"};
    MFA_TRY(check_active(*u));
    auto old = membership(user);
    if (!old) return std::move(old).error();
    if (old->has_value() && ((*old)->org != org || role != Role::owner))
        MFA_TRY(keep_an_owner(**old, (*old)->org != org ? "move to " + std::string(org) : "make " + std::string(to_string(role)), ctx));
    Membership m{std::string(user), std::string(org), role, now()};
    // The index first: a listing checks each member's own record, so an entry without one (or
    // naming another organization) is skipped, never a member missing from the list.
    MFA_TRY(store_->put(keys::org_members(*o) + *u, as_bytes(user)));
    MFA_TRY(store_->put(keys::member(*u), as_bytes(detail::membership_json(m))));
    std::string was;
    if (old->has_value() && (*old)->org != m.org) {
        auto oo = user_key_part((*old)->org);
        if (oo) {
            auto e = store_->erase(keys::org_members(*oo) + *u);
            if (!e) return std::move(e).error();
        }
        was = " (was " + std::string(to_string((*old)->role)) + " of " + (*old)->org + ")";
    } else if (old->has_value()) {
        was = " (was " + std::string(to_string((*old)->role)) + ")";
    }
    return record_in("membership.changed", user, std::string(to_string(role)) + " of " + m.org + was, ctx,
                     old->has_value() ? std::string_view((*old)->org) : std::string_view());
}

Status Toolkit::remove_membership(std::string_view user, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto old = membership(user);
    if (!old) return std::move(old).error();
    if (!old->has_value()) return {Errc::not_found, "'" + std::string(user).substr(0, 64) + "' is in no organization"};
    MFA_TRY(keep_an_owner(**old, "remove", ctx));
    auto oo = user_key_part((*old)->org);
    if (oo) {
        auto e = store_->erase(keys::org_members(*oo) + *u);
        if (!e) return std::move(e).error();
    }
    auto e = store_->erase(keys::member(*u));
    if (!e) return std::move(e).error();
    return record_in("membership.removed", user, "left " + (*old)->org + " (was " + std::string(to_string((*old)->role)) + ")",
                     ctx, (*old)->org);
}

// Checked before the change, so two owners demoting each other at the same instant can both pass;
// the service's role changes are an owner's deliberate actions, not a race to arbitrate here.
Status Toolkit::keep_an_owner(const Membership& m, std::string_view change, const RequestContext& ctx) {
    if (m.role != Role::owner) return {};
    auto members = org_members(m.org);
    if (!members) return std::move(members).error();
    // A deleted owner (in its retention) cannot act for the organization: it does not count.
    for (const auto& o : *members) {
        if (o.role != Role::owner || o.user == m.user) continue;
        auto ou = user_key_part(o.user);
        if (!ou) continue;
        auto active = check_active(*ou);
        if (active) return {};
        if (active.code() != Errc::account_deleted) return active;
    }
    std::string why = m.user + " is the last owner of " + m.org + ": make another member owner first";
    RequestContext c = ctx;
    c.org = m.org;
    MFA_TRY(record_in("permission.denied", m.user, std::string(to_string(Permission::roles_change)) + ": " + std::string(change) +
                                                        " refused, " + why, c, {}));
    return Error{Errc::last_owner, std::move(why)};
}

Result<std::vector<Membership>> Toolkit::org_members(std::string_view org) {
    auto o = user_key_part(org);
    if (!o) return Error{Errc::invalid_argument, "organization name must be 1..256 bytes"};
    const std::string prefix = keys::org_members(*o);
    auto ks = store_->keys(prefix);
    if (!ks) return std::move(ks).error();
    std::vector<Membership> out;
    for (const auto& k : *ks) {
        auto name = store_->get(k);
        if (!name) return std::move(name).error();
        if (!name->has_value()) continue;
        auto m = membership(as_chars(**name));
        if (!m) return std::move(m).error();
        if (!m->has_value() || (*m)->org != org) continue;  // moved or left since the index entry
        out.push_back(std::move(**m));
    }
    std::sort(out.begin(), out.end(), [](const Membership& a, const Membership& b) { return a.user < b.user; });
    return out;
}

// --- Deletion ------------------------------------------------------------------------------------

Status Toolkit::check_active(const std::string& ukey) {
    auto raw = store_->get(keys::deleted(ukey));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return {};
    auto d = detail::parse_deletion(as_chars(**raw));
    if (!d) return std::move(d).error();
    return {Errc::account_deleted, "deleted at " + utc_time(d->deleted_at) + "; restorable until " + utc_time(d->purge_after)};
}

Result<AccountStatus> Toolkit::account_status(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto raw = store_->get(keys::deleted(*u));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return AccountStatus{};
    return detail::parse_deletion(as_chars(**raw));
}

Status Toolkit::delete_account(std::string_view user, std::int64_t retention, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (retention < 0 || retention > kMaxAccountRetention) return {Errc::invalid_argument, "retention must be 0..3650 days (0 = 30 days)"};
    if (retention == 0) retention = kDefaultAccountRetention;
    // An organization keeps an owner who can act: its last one is not deleted.
    auto member = membership(user);
    if (!member) return std::move(member).error();
    if (member->has_value()) {
        MFA_TRY(check_active(*u));  // already deleted: say since when, as below
        MFA_TRY(keep_an_owner(**member, "delete the account", ctx));
    }
    AccountStatus s;
    s.deleted = true;
    s.deleted_at = now();
    s.purge_after = s.deleted_at + retention;
    s.deleted_by = ctx.actor.empty() ? std::string(user) : ctx.actor;
    // The purge index before the mark: a mark is never left where the purge job cannot find it.
    MFA_TRY(store_->put(keys::deleted_index(*u), as_bytes(user)));
    auto created = store_->put_if_absent(keys::deleted(*u), as_bytes(detail::deletion_json(s)));
    if (!created) return std::move(created).error();
    if (!*created) return check_active(*u);  // already deleted: say since when
    // Pending ceremonies are not data to keep: an enrollment started before the deletion cannot
    // be finished after a restore either.
    auto pending = store_->erase(keys::totp_pending(*u));
    if (!pending) return std::move(pending).error();
    impl_->forget(*u);
    return record_in("account.deleted", user, "restorable until " + utc_time(s.purge_after), ctx, {});
}

Status Toolkit::restore_account(std::string_view user, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto raw = store_->get(keys::deleted(*u));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return {Errc::not_found, "'" + std::string(user).substr(0, 64) + "' is not deleted (or was purged)"};
    auto d = detail::parse_deletion(as_chars(**raw));
    if (!d) return std::move(d).error();
    // Once the retention is over the purge may be running: no restore can race it.
    if (now() >= d->purge_after)
        return {Errc::not_found, "the retention of '" + std::string(user).substr(0, 64) + "' ended at " + utc_time(d->purge_after) +
                                     ": it is purged"};
    auto e = store_->erase(keys::deleted(*u));
    if (!e) return std::move(e).error();
    auto ix = store_->erase(keys::deleted_index(*u));
    if (!ix) return std::move(ix).error();
    return record_in("account.restored", user, "deleted at " + utc_time(d->deleted_at), ctx, {});
}

}  // namespace mfa::server

// Hardware OTP tokens (toolkit.hpp "Hardware OTP tokens", docs/server.md): imported from PSKC,
// kept by serial number, assigned to a user as the user's OTP factor (mfa:totp:{user}, verified by
// totp_verify with the token's own parameters), unassigned, retired, and HOTP-resynchronised.
#include "admin_keys.hpp"
#include "hwtoken_record.hpp"
#include "mfa/server/pskc.hpp"
#include "records.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server {

std::string_view to_string(HwTokenState s) noexcept {
    switch (s) {
        case HwTokenState::unassigned: return "unassigned";
        case HwTokenState::assigned: return "assigned";
        case HwTokenState::retired: return "retired";
    }
    return "unknown";
}

namespace {

// The serial as a store key part: escaped like user names, so no serial forges another key.
Result<std::string> serial_part(std::string_view serial) {
    if (serial.empty() || serial.size() > kMaxHwTokenSerial)
        return Error{Errc::invalid_argument, "a serial number is 1..128 bytes"};
    return user_key_part(serial);
}

struct Loaded {
    std::string part;
    Bytes raw;
    detail::HwTokenRecord rec;
};

Status check_org(std::string_view org) {
    if (org.empty()) return {};
    if (auto o = user_key_part(org); !o) return Error{Errc::invalid_argument, "organization name must be 1..256 bytes"};
    return {};
}

// The token as `org` sees it ("" = every token): another organization's is not_found, as if it
// were not stored, so that one organization learns nothing of another's inventory.
Result<Loaded> load(store::Store& s, std::string_view org, std::string_view serial) {
    MFA_TRY(check_org(org));
    auto part = serial_part(serial);
    if (!part) return std::move(part).error();
    auto raw = s.get(detail::hwtoken_key(*part));
    if (!raw) return std::move(raw).error();
    auto missing = [&] {
        return Error{Errc::not_found, "no hardware token with serial '" + std::string(serial).substr(0, 128) + "'" +
                                          (org.empty() ? std::string() : " in " + std::string(org).substr(0, 256))};
    };
    if (!raw->has_value()) return missing();
    auto rec = detail::parse_hwtoken_record(as_chars(**raw));
    if (!rec) return std::move(rec).error();
    if (!org.empty() && rec->info.org != org) return missing();
    return Loaded{std::move(*part), std::move(**raw), std::move(*rec)};
}

// The request context with the token's organization, so that its trail has the token's events.
RequestContext in_org(const RequestContext& ctx, const std::string& org) {
    RequestContext c = ctx;
    if (!org.empty()) c.org = org;
    return c;
}

// Replaces the token record if it is still the one read (a concurrent change is store_conflict).
Status replace(store::Store& s, const Loaded& l, const detail::HwTokenRecord& updated) {
    auto ok = s.compare_and_set(detail::hwtoken_key(l.part), ByteView(l.raw), as_bytes(detail::hwtoken_record_json(updated)));
    if (!ok) return std::move(ok).error();
    if (!*ok) return {Errc::store_conflict, "the hardware token changed meanwhile; try again"};
    return {};
}

}  // namespace

Result<std::vector<HwTokenInfo>> Toolkit::hwtoken_import(std::string_view org, std::string_view pskc_xml,
                                                          const PskcDecryption& dec, const RequestContext& ctx) {
    if (org.empty()) return Error{Errc::invalid_argument, "tokens are imported into an organization: org is required"};
    MFA_TRY(check_org(org));
    auto parsed = parse_pskc(pskc_xml, dec);
    if (!parsed) return std::move(parsed).error();
    const std::int64_t t = now();
    // Every check before the first write: a file is imported whole or not at all.
    std::vector<std::pair<std::string, detail::HwTokenRecord>> records;
    for (auto& k : *parsed) {
        auto part = serial_part(k.serial);
        if (!part) return std::move(part).error();
        for (const auto& r : records)
            if (r.first == *part) return Error{Errc::hwtoken_exists, "serial '" + k.serial + "' is in the file twice"};
        auto existing = store_->get(detail::hwtoken_key(*part));
        if (!existing) return std::move(existing).error();
        if (existing->has_value()) return Error{Errc::hwtoken_exists, "serial '" + k.serial + "' is already stored"};
        OtpParams p;
        p.type = k.type;
        p.algorithm = k.algorithm;
        p.digits = k.digits;
        p.period = k.period;
        p.t0 = k.t0;
        p.counter = k.counter;
        if (auto v = validate(p); !v) return Error{Errc::pskc_algorithm, "serial '" + k.serial + "': " + v.error().detail};
        detail::HwTokenRecord r;
        auto enc = keys_.encrypt(k.secret.view(), detail::hwtoken_context(*part));
        if (!enc) return std::move(enc).error();
        r.secret = std::move(*enc);
        r.info = HwTokenInfo{k.serial, k.type, k.algorithm, k.digits, k.period, k.t0, k.counter,
                             HwTokenState::unassigned, "", k.manufacturer, k.model, k.issuer, t, t, std::string(org)};
        records.emplace_back(std::move(*part), std::move(r));
    }
    std::vector<HwTokenInfo> out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& [part, r] = records[i];
        auto created = store_->put_if_absent(detail::hwtoken_key(part), as_bytes(detail::hwtoken_record_json(r)));
        if (!created || !*created) {
            // Another import won a serial meanwhile: take back what this one wrote.
            for (std::size_t j = 0; j < i; ++j) (void)store_->erase(detail::hwtoken_key(records[j].first));
            if (!created) return std::move(created).error();
            return Error{Errc::hwtoken_exists, "serial '" + r.info.serial + "' was imported concurrently"};
        }
        out.push_back(r.info);
    }
    const RequestContext c = in_org(ctx, std::string(org));
    for (const auto& i : out)
        MFA_TRY(record("hwtoken.imported", "", "serial " + i.serial + " " + std::string(mfa::to_string(i.type)) + " into " + i.org, c));
    return out;
}

Result<std::vector<HwTokenInfo>> Toolkit::hwtoken_list(std::string_view org) {
    MFA_TRY(check_org(org));
    auto keys = store_->keys(detail::kHwTokenPrefix);
    if (!keys) return std::move(keys).error();
    std::vector<HwTokenInfo> out;
    for (const auto& k : *keys) {
        auto raw = store_->get(k);
        if (!raw) return std::move(raw).error();
        if (!raw->has_value()) continue;
        auto rec = detail::parse_hwtoken_record(as_chars(**raw));
        if (!rec) return std::move(rec).error();
        if (!org.empty() && rec->info.org != org) continue;
        out.push_back(std::move(rec->info));
    }
    return out;
}

Result<HwTokenInfo> Toolkit::hwtoken_get(std::string_view org, std::string_view serial) {
    auto l = load(*store_, org, serial);
    if (!l) return std::move(l).error();
    return l->rec.info;
}

Status Toolkit::hwtoken_assign(std::string_view org, std::string_view serial, std::string_view user, const RequestContext& ctx) {
    auto l = load(*store_, org, serial);
    if (!l) return std::move(l).error();
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    // A token serves its own organization's members (a token of none: anyone an operator picks).
    if (!l->rec.info.org.empty()) {
        auto m = membership(user);
        if (!m) return std::move(m).error();
        if (!m->has_value() || (*m)->org != l->rec.info.org)
            return {Errc::hwtoken_org, "token " + l->rec.info.serial + " is of " + l->rec.info.org + ", and " +
                                           std::string(user).substr(0, 128) + " is not a member of it"};
    }
    if (l->rec.info.state != HwTokenState::unassigned)
        return {Errc::hwtoken_state, "token " + l->rec.info.serial + " is " + std::string(to_string(l->rec.info.state)) +
                                         (l->rec.info.state == HwTokenState::assigned ? " (unassign it first)" : "")};
    auto existing = store_->get(keys::totp(*u));
    if (!existing) return std::move(existing).error();
    if (existing->has_value()) return {Errc::hwtoken_state, "the user has an OTP factor already: remove it first"};
    auto secret = keys_.decrypt(l->rec.secret, detail::hwtoken_context(l->part));
    if (!secret) return std::move(secret).error();
    detail::TotpRecord f;
    auto enc = keys_.encrypt(secret->view(), "totp:" + *u);
    if (!enc) return std::move(enc).error();
    const auto& i = l->rec.info;
    f.secret = std::move(*enc);
    f.algorithm = i.algorithm;
    f.digits = i.digits;
    f.period = i.period;
    f.created = now();
    f.label = i.serial;
    f.hwtoken = i.serial;
    f.type = i.type;
    f.t0 = i.t0;
    f.counter = i.counter;
    // A new sequence: the previous factor's last step or counter means nothing for this token.
    auto cleared = store_->erase(keys::totp_last(*u));
    if (!cleared) return std::move(cleared).error();
    auto created = store_->put_if_absent(keys::totp(*u), as_bytes(detail::totp_record_json(f)));
    if (!created) return std::move(created).error();
    if (!*created) return {Errc::hwtoken_state, "the user got an OTP factor concurrently"};
    detail::HwTokenRecord updated = l->rec;
    updated.info.state = HwTokenState::assigned;
    updated.info.user = std::string(user);
    updated.info.changed = f.created;
    if (auto st = replace(*store_, *l, updated); !st) {
        (void)store_->erase(keys::totp(*u));  // take back the factor of a token another call changed
        return st;
    }
    impl_->forget(*u);
    return record("hwtoken.assigned", user, "serial " + i.serial, in_org(ctx, i.org));
}

Status Toolkit::hwtoken_unassign(std::string_view org, std::string_view serial, const RequestContext& ctx) {
    auto l = load(*store_, org, serial);
    if (!l) return std::move(l).error();
    if (l->rec.info.state != HwTokenState::assigned)
        return {Errc::hwtoken_state, "token " + l->rec.info.serial + " is " + std::string(to_string(l->rec.info.state))};
    const std::string user = l->rec.info.user;
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    detail::HwTokenRecord updated = l->rec;
    // The factor goes only if it is still this token's (an operator may have replaced it).
    auto raw = store_->get(keys::totp(*u));
    if (!raw) return std::move(raw).error();
    if (raw->has_value()) {
        auto f = detail::parse_totp_record(as_chars(**raw));
        if (!f) return std::move(f).error();
        if (f->hwtoken == l->rec.info.serial) {
            if (f->type == OtpType::hotp) {
                // Keep the counter the token reached: a later user must not accept its old codes.
                auto next = detail::hotp_next_counter(*store_, *u, f->counter);
                if (!next) return std::move(next).error();
                updated.info.counter = *next;
            }
            auto erased = store_->erase(keys::totp(*u));
            if (!erased) return std::move(erased).error();
        }
    }
    impl_->forget(*u);
    updated.info.state = HwTokenState::unassigned;
    updated.info.user.clear();
    updated.info.changed = now();
    MFA_TRY(replace(*store_, *l, updated));
    return record("hwtoken.unassigned", user, "serial " + l->rec.info.serial, in_org(ctx, l->rec.info.org));
}

Status Toolkit::hwtoken_retire(std::string_view org, std::string_view serial, const RequestContext& ctx) {
    auto first = load(*store_, org, serial);
    if (!first) return std::move(first).error();
    if (first->rec.info.state == HwTokenState::retired) return {Errc::hwtoken_state, "token " + first->rec.info.serial + " is retired already"};
    if (first->rec.info.state == HwTokenState::assigned) MFA_TRY(hwtoken_unassign(org, serial, ctx));
    auto l = load(*store_, org, serial);
    if (!l) return std::move(l).error();
    detail::HwTokenRecord updated = l->rec;
    updated.secret.clear();  // the seed is destroyed; the record stays for the audit trail
    updated.info.state = HwTokenState::retired;
    updated.info.changed = now();
    MFA_TRY(replace(*store_, *l, updated));
    return record("hwtoken.retired", "", "serial " + l->rec.info.serial, in_org(ctx, l->rec.info.org));
}

Status Toolkit::hwtoken_adopt(std::string_view serial, std::string_view org, const RequestContext& ctx) {
    if (org.empty()) return {Errc::invalid_argument, "adopt gives the token to an organization: org is required"};
    auto l = load(*store_, "", serial);
    if (!l) return std::move(l).error();
    const auto& i = l->rec.info;
    if (!i.org.empty()) return {Errc::hwtoken_org, "token " + i.serial + " is of " + i.org + " already"};
    MFA_TRY(check_org(org));
    if (i.state == HwTokenState::assigned) {
        auto m = membership(i.user);
        if (!m) return std::move(m).error();
        if (!m->has_value() || (*m)->org != org)
            return {Errc::hwtoken_org, "token " + i.serial + " is assigned to " + i.user + ", who is not a member of " + std::string(org)};
    }
    detail::HwTokenRecord updated = l->rec;
    updated.info.org = std::string(org);
    updated.info.changed = now();
    MFA_TRY(replace(*store_, *l, updated));
    return record("hwtoken.adopted", i.user, "serial " + i.serial + " into " + std::string(org), in_org(ctx, std::string(org)));
}

Result<VerifyResult> Toolkit::hwtoken_resync(std::string_view user, std::string_view code1, std::string_view code2,
                                             const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto raw = store_->get(keys::totp(*u));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return Error{Errc::factor_not_enrolled, "no hardware token is assigned to the user"};
    auto f = detail::parse_totp_record(as_chars(**raw));
    if (!f) return std::move(f).error();
    if (f->hwtoken.empty()) return Error{Errc::factor_not_enrolled, "the user's OTP factor is an app, not a hardware token"};
    if (f->type != OtpType::hotp) return Error{Errc::hwtoken_state, "resync is for HOTP (counter) tokens; a TOTP token's clock is checked within the window"};
    auto secret = keys_.decrypt(f->secret, "totp:" + *u);
    if (!secret) return std::move(secret).error();
    auto start = detail::hotp_next_counter(*store_, *u, f->counter);
    if (!start) return std::move(start).error();
    OtpParams p;
    p.type = OtpType::hotp;
    p.algorithm = f->algorithm;
    p.digits = f->digits;
    p.counter = *start;
    auto otp = Otp::create(std::move(*secret), p);
    if (!otp) return std::move(otp).error();
    const HotpVerification h = otp->resync_hotp(code1, code2, kHotpResyncLookAhead);
    store::AttemptRequest q;
    q.throttle_key = keys::thr_2fa(*u);
    q.rule = cfg_.throttle;
    q.now = now();
    q.success = h.ok() && h.matched_counter <= static_cast<std::uint64_t>(INT64_MAX);
    // A deleted account is refused inside the attempt, as totp_verify refuses it: nothing counted.
    q.absent_key = keys::deleted(*u);
    q.guard_key = keys::totp(*u);
    q.guard_value = std::move(*raw);
    // The second code's counter becomes the last accepted one: neither code works again.
    q.advance_key = keys::totp_last(*u);
    q.step = static_cast<std::int64_t>(h.matched_counter);
    auto a = store_->attempt(q);
    if (!a) return std::move(a).error();
    if (a->outcome == store::AttemptOutcome::stale) {
        if (auto active = check_active(*u); !active) return refused_inactive(active);
        return Error{Errc::store_conflict, "the factor changed during the resync"};
    }
    VerifyResult r = finish(*a, user, "hwtoken.resync", ctx);
    if (h.status == Errc::otp_code_format && r.status == Errc::otp_code_mismatch) r.status = Errc::otp_code_format;
    impl_->forget(*u);
    if (r.ok()) MFA_TRY(record("hwtoken.resynced", user, "serial " + f->hwtoken + ", counter " + std::to_string(h.next_counter), ctx));
    return r;
}

}  // namespace mfa::server

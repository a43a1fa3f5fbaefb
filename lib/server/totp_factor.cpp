// TOTP enrollment, verification, removal and rewrap.
#include "admin_keys.hpp"
#include "mfa/encoding.hpp"
#include "mfa/otpauth.hpp"
#include "encrypted_records.hpp"
#include "records.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server {
namespace {

std::string context(const std::string& ukey) { return "totp:" + ukey; }

Result<Otp> otp_from(const detail::TotpRecord& r, const KeyRing& keys, const std::string& ukey) {
    auto secret = keys.decrypt(r.secret, context(ukey));
    if (!secret) return std::move(secret).error();
    OtpParams p;
    p.type = r.type;
    p.algorithm = r.algorithm;
    p.digits = r.digits;
    p.period = r.period;
    p.t0 = r.t0;
    p.counter = r.counter;
    return Otp::create(std::move(*secret), p);
}

}  // namespace

namespace detail {

Result<std::uint64_t> hotp_next_counter(store::Store& s, const std::string& ukey, std::uint64_t token_counter) {
    auto last = s.get(keys::totp_last(ukey));
    if (!last) return std::move(last).error();
    if (!last->has_value()) return token_counter;
    auto n = store::parse_i64(as_chars(**last));
    if (!n || *n < 0) return Error{Errc::store_corrupt, "the last accepted HOTP counter is not a counter"};
    return std::max<std::uint64_t>(token_counter, static_cast<std::uint64_t>(*n) + 1);
}

Result<TotpVerification> check_code(store::Store& s, const std::string& ukey, const Otp& otp, std::string_view code,
                                    std::int64_t now, Window window, unsigned look_ahead) {
    if (otp.params().type != OtpType::hotp) return otp.verify(code, now, window);
    // HOTP (a hardware token, an imported secret): from the counter after the last accepted one,
    // up to look_ahead codes ahead (presses or app refreshes that never reached the server).
    auto start = hotp_next_counter(s, ukey, otp.params().counter);
    if (!start) return std::move(start).error();
    OtpParams p = otp.params();
    p.counter = *start;
    auto at = Otp::create(SecretBytes(otp.secret()), p);
    if (!at) return std::move(at).error();
    const HotpVerification h = at->verify_hotp(code, look_ahead);
    TotpVerification v;
    v.status = h.status;
    // The replay guard keeps it as a signed step: a counter past 2^63 is not a real token's.
    if (h.ok() && h.matched_counter > static_cast<std::uint64_t>(INT64_MAX)) v.status = Errc::otp_code_mismatch;
    v.matched_step = static_cast<std::int64_t>(h.matched_counter);
    return v;
}

}  // namespace detail

Result<TotpEnrollment> Toolkit::totp_begin(std::string_view user, std::string_view account_name, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    MFA_TRY(check_active(*u));
    auto existing = store_->get(keys::totp(*u));
    if (!existing) return std::move(existing).error();
    if (existing->has_value()) return Error{Errc::factor_already_enrolled, "remove the current TOTP factor first"};
    auto secret = generate_secret(kDefaultSecretBytes);  // 160 bits (RFC 4226 §4)
    if (!secret) return std::move(secret).error();

    Account acct;
    acct.issuer = cfg_.issuer;
    acct.name = std::string(account_name.empty() ? user : account_name);
    acct.params.algorithm = cfg_.algorithm;
    acct.params.digits = cfg_.digits;
    acct.params.period = cfg_.period;
    acct.secret = secret->clone();
    auto uri = format_otpauth_uri(acct);
    if (!uri) return std::move(uri).error();

    detail::TotpRecord rec;
    auto enc = keys_.encrypt(secret->view(), context(*u));
    if (!enc) return std::move(enc).error();
    rec.secret = std::move(*enc);
    rec.algorithm = cfg_.algorithm;
    rec.digits = cfg_.digits;
    rec.period = cfg_.period;
    rec.created = now();
    rec.label = acct.name;
    MFA_TRY(store_->put(keys::totp_pending(*u), as_bytes(detail::totp_record_json(rec)), store::Ttl{cfg_.enrollment_ttl}));

    TotpEnrollment out;
    out.secret_base32 = base32_encode(secret->view());
    auto svg = qr::to_svg(uri->view());
    if (!svg) return std::move(svg).error();
    auto png = qr::to_png_data_uri(uri->view());
    if (!png) return std::move(png).error();
    out.uri = std::move(*uri);
    out.qr_svg = std::move(*svg);
    out.qr_png_data_uri = std::move(*png);
    out.expires_at = rec.created + cfg_.enrollment_ttl;
    MFA_TRY(record("totp.enrollment_started", user, "", ctx));
    return out;
}

Result<VerifyResult> Toolkit::totp_confirm(std::string_view user, std::string_view code, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (auto active = check_active(*u); !active) return refused_inactive(active);
    auto pending = store_->get(keys::totp_pending(*u));
    if (!pending) return std::move(pending).error();
    if (!pending->has_value()) return Error{Errc::factor_not_enrolled, "no pending TOTP enrollment (it may have expired)"};
    auto rec = detail::parse_totp_record(as_chars(**pending));
    if (!rec) return std::move(rec).error();
    auto otp = otp_from(*rec, keys_, *u);
    if (!otp) return std::move(otp).error();
    const auto t = now();
    const TotpVerification v = otp->verify(code, t, cfg_.window);
    // The same throttle as logins: enrollment is a path to guess codes too.
    store::AttemptRequest q;
    q.throttle_key = keys::thr_2fa(*u);
    q.rule = cfg_.throttle;
    q.now = t;
    q.success = v.ok();
    // Activation consumes the pending record (single use) and records the step as used, so the code
    // shown at setup cannot log in afterwards (rotp#44, nextcloud/twofactor_totp#245, hanko#2723).
    q.consume_key = keys::totp_pending(*u);
    q.advance_key = keys::totp_last(*u);
    q.step = v.matched_step;
    // Clear an old factor's last step first: a re-enrollment starts a new sequence.
    auto old = store_->get(keys::totp(*u));
    if (!old) return std::move(old).error();
    if (old->has_value()) return Error{Errc::factor_already_enrolled, "a TOTP factor is already active"};
    auto cleared = store_->erase(keys::totp_last(*u));
    if (!cleared) return std::move(cleared).error();
    auto a = store_->attempt(q);
    if (!a) return std::move(a).error();
    VerifyResult r = finish(*a, user, "totp.enrollment", ctx);
    if (v.status == Errc::otp_code_format && r.status == Errc::otp_code_mismatch) r.status = Errc::otp_code_format;
    if (!r.ok()) return r;
    // Activate: set-if-absent, so two confirmations cannot both install a factor.
    auto created = store_->put_if_absent(keys::totp(*u), **pending);
    if (!created) return std::move(created).error();
    if (!*created) return Error{Errc::factor_already_enrolled, "a TOTP factor was activated concurrently"};
    impl_->forget(*u);
    r.amr = amr_for(FactorType::totp);
    MFA_TRY(record("totp.enrolled", user, "", ctx));
    return r;
}

Result<VerifyResult> Toolkit::totp_verify(std::string_view user, std::string_view code, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    // The account's deletion mark is checked inside the attempt (absent_key): one round trip on the
    // accept path, and a deletion and a verification are ordered by the store. A deleted account is
    // refused as before — when the attempt comes back stale, or when anything before it fails.
    const auto refused_or = [&](Error e) -> Result<VerifyResult> {
        if (auto active = check_active(*u); active.code() == Errc::account_deleted) return refused_inactive(active);
        return e;
    };
    for (int round = 0; round < 4; ++round) {
        auto f = impl_->cached(*u);
        if (!f) {
            auto raw = store_->get(keys::totp(*u));
            if (!raw) return refused_or(std::move(raw).error());
            auto nf = std::make_shared<CachedFactor>();
            nf->record = std::move(*raw);
            if (nf->record) {
                auto rec = detail::parse_totp_record(as_chars(*nf->record));
                if (!rec) return refused_or(std::move(rec).error());
                auto otp = otp_from(*rec, keys_, *u);
                if (!otp) return refused_or(std::move(otp).error());
                nf->otp.emplace(std::move(*otp));
                nf->look_ahead = rec->look_ahead.value_or(kHotpLookAhead);
            }
            // Unknown users are cached too: a later request costs them what it costs a known user.
            impl_->remember(*u, nf, cfg_.cache_capacity);
            f = nf;
        }
        // Users without a factor check a dummy secret: the same work, and a mismatch either way.
        const Otp& otp = f->otp ? *f->otp : *impl_->dummy_otp;
        const auto t = now();
        auto checked = detail::check_code(*store_, *u, otp, code, t, cfg_.window, f->look_ahead);
        if (!checked) return refused_or(std::move(checked).error());
        const TotpVerification v = *checked;
        store::AttemptRequest q;
        q.throttle_key = keys::thr_2fa(*u);
        q.rule = cfg_.throttle;
        q.now = t;
        q.success = f->otp.has_value() && v.ok();
        q.absent_key = keys::deleted(*u);
        q.guard_key = keys::totp(*u);
        q.guard_value = f->record;
        q.advance_key = keys::totp_last(*u);
        q.step = v.matched_step;
        auto a = store_->attempt(q);
        if (!a) return refused_or(std::move(a).error());
        if (a->outcome == store::AttemptOutcome::stale) {
            // Deleted (nothing was counted), or the factor changed since it was cached: read it again.
            if (auto active = check_active(*u); !active) return refused_inactive(active);
            impl_->forget(*u);
            continue;
        }
        VerifyResult r = finish(*a, user, "totp", ctx);
        if (v.status == Errc::otp_code_format && r.status == Errc::otp_code_mismatch) r.status = Errc::otp_code_format;
        if (r.ok()) r.amr = amr_for(FactorType::totp);
        return r;
    }
    return Error{Errc::store_conflict, "the TOTP factor kept changing during verification"};
}

Result<bool> Toolkit::totp_enrolled(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto raw = store_->get(keys::totp(*u));
    if (!raw) return std::move(raw).error();
    return raw->has_value();
}

Status Toolkit::totp_import(std::string_view user, ByteView secret, const OtpParams& params, std::string_view label,
                            const RequestContext& ctx) {
    if (params.type != OtpType::totp) return {Errc::invalid_argument, "only TOTP secrets can be imported as the TOTP factor"};
    return otp_import(user, secret, params, std::nullopt, label, ctx);
}

Status Toolkit::hotp_import(std::string_view user, ByteView secret, const OtpParams& params, unsigned look_ahead,
                            std::string_view label, const RequestContext& ctx) {
    if (params.type != OtpType::hotp) return {Errc::invalid_argument, "hotp_import takes HOTP parameters"};
    if (look_ahead > kMaxLookAhead) return {Errc::invalid_argument, "HOTP look-ahead above 100"};
    if (params.counter > static_cast<std::uint64_t>(INT64_MAX)) return {Errc::invalid_argument, "HOTP counter above 2^63"};
    return otp_import(user, secret, params, look_ahead, label, ctx);
}

Status Toolkit::otp_import(std::string_view user, ByteView secret, const OtpParams& params, std::optional<unsigned> look_ahead,
                           std::string_view label, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    MFA_TRY(check_active(*u));
    // Otp::create checks the secret length and the parameters against the limits verification uses.
    auto check = Otp::create(SecretBytes(secret), params);
    if (!check) return std::move(check).error();
    detail::TotpRecord rec;
    if (look_ahead) {
        rec.type = OtpType::hotp;
        rec.counter = params.counter;
        rec.look_ahead = look_ahead;
    }
    auto enc = keys_.encrypt(secret, context(*u));
    if (!enc) return std::move(enc).error();
    rec.secret = std::move(*enc);
    rec.algorithm = params.algorithm;
    rec.digits = params.digits;
    rec.period = params.period;
    rec.created = now();
    rec.label = std::string(label.empty() ? user : label);
    // The guard of a removed earlier factor would refuse the imported secret's current codes only
    // if its steps were later; a new factor starts a new sequence, as totp_confirm does.
    auto old = store_->get(keys::totp(*u));
    if (!old) return std::move(old).error();
    if (old->has_value()) return {Errc::factor_already_enrolled, "a TOTP factor is already active"};
    auto cleared = store_->erase(keys::totp_last(*u));
    if (!cleared) return std::move(cleared).error();
    // Set-if-absent: two concurrent imports (two logins importing one file) install one factor.
    auto created = store_->put_if_absent(keys::totp(*u), as_bytes(detail::totp_record_json(rec)));
    if (!created) return std::move(created).error();
    if (!*created) return {Errc::factor_already_enrolled, "a TOTP factor was activated concurrently"};
    impl_->forget(*u);
    return record(look_ahead ? "hotp.imported" : "totp.imported", user, look_ahead ? "counter " + std::to_string(params.counter) : "", ctx);
}

Status Toolkit::totp_remove(std::string_view user, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto e = store_->erase(keys::totp(*u));
    if (!e) return std::move(e).error();
    impl_->forget(*u);
    if (!*e) return {Errc::factor_not_enrolled, "no TOTP factor"};
    // The replay guard stays: a re-enrollment clears it when the new factor is confirmed.
    return record("totp.removed", user, "", ctx);
}

Result<std::size_t> Toolkit::rewrap(std::size_t page_size) {
    std::size_t moved = 0;
    std::string cursor;
    // Every page, not a bounded listing: a secret left under the old key is lost when it is removed.
    do {
        auto step = detail::rewrap_step(*store_, keys_, cursor, page_size);
        if (!step) return std::move(step).error();
        moved += step->moved;
        cursor = std::move(step->cursor);
    } while (!cursor.empty());
    if (moved > 0) {
        {
            std::lock_guard lock(impl_->mu);
            impl_->cache.clear();  // every cached record changed bytes; re-read them
        }
        AuditEvent e;
        e.time = now();
        e.type = "keyring.rewrap";
        e.actor = "system";
        e.detail = std::to_string(moved) + " secrets moved to key " + std::to_string(keys_.current_id());
        auto r = audit_.append(std::move(e));
        if (!r) return std::move(r).error();
    }
    return moved;
}

}  // namespace mfa::server

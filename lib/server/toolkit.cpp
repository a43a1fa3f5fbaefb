#include <chrono>

#include "mfa/random.hpp"
#include "mfa/server/api_token.hpp"
#include "webauthn_internal.hpp"

namespace mfa::server {

Result<std::string> user_key_part(std::string_view user) {
    if (user.empty() || user.size() > kMaxUserName) return Error{Errc::invalid_argument, "user name must be 1..256 bytes"};
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : user) {
        if (c <= 0x20 || c >= 0x7f || c == ':' || c == '%' || c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' ||
            c == '{' || c == '}') {  // '{' '}': the key is a Redis hash tag (toolkit_impl.hpp)
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

std::vector<std::string> amr_for(FactorType f, bool user_verified) {
    switch (f) {
        // RFC 8176: "otp" for one-time passwords; recovery codes are one-time secrets too.
        case FactorType::totp: return {"otp"};
        case FactorType::recovery_code: return {"otp"};
        // A security key is a hardware-secured key; with user verification (PIN or biometric) it is
        // multi-factor by itself.
        case FactorType::webauthn: return amr_for_security_key(false, user_verified);
    }
    return {};
}

std::vector<std::string> amr_for_security_key(bool backup_eligible, bool user_verified) {
    std::vector<std::string> out{backup_eligible ? "swk" : "hwk", "user"};
    if (user_verified) {
        out.emplace_back("pin");
        out.emplace_back("mfa");
    }
    return out;
}

std::vector<std::string> amr_combine(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> out;
    for (const auto* v : {&a, &b})
        for (const auto& m : *v)
            if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    if (!a.empty() && !b.empty() && std::find(out.begin(), out.end(), "mfa") == out.end()) out.push_back("mfa");
    return out;
}

Toolkit::Toolkit(std::shared_ptr<store::Store> s, KeyRing k, ToolkitConfig c)
    : store_(std::move(s)), keys_(std::move(k)), cfg_(std::move(c)), audit_(store_), impl_(std::make_unique<Impl>()) {}

Toolkit::~Toolkit() = default;

Result<std::unique_ptr<Toolkit>> Toolkit::create(std::shared_ptr<store::Store> store, KeyRing keys, ToolkitConfig cfg) {
    if (!store) return Error{Errc::invalid_argument, "no store"};
    if (keys.empty() || keys.current_id() == 0) return Error{Errc::keyring_invalid, "the key ring has no active key"};
    MFA_TRY(store::validate(cfg.throttle));
    if (cfg.window.past > kMaxWindow || cfg.window.future > kMaxWindow) return Error{Errc::invalid_argument, "window side above 50"};
    if (cfg.recovery_codes < 1 || cfg.recovery_codes > kMaxRecoveryCodes) return Error{Errc::invalid_argument, "recovery_codes must be 1..100"};
    if (cfg.enrollment_ttl < 60 || cfg.enrollment_ttl > 86400) return Error{Errc::invalid_argument, "enrollment_ttl must be 60..86400 seconds"};
    if (cfg.issuer.empty() || cfg.issuer.find(':') != std::string::npos) return Error{Errc::invalid_argument, "issuer must be non-empty without ':'"};
    MFA_TRY(validate_token_prefix(cfg.token_prefix));
    if (cfg.cache_capacity == 0) cfg.cache_capacity = 1;
    if (cfg.webauthn_challenge_ttl < 30 || cfg.webauthn_challenge_ttl > 3600)
        return Error{Errc::invalid_argument, "webauthn_challenge_ttl must be 30..3600 seconds"};
    if (cfg.webauthn) MFA_TRY(cfg.webauthn->validate());
    OtpParams p;
    p.algorithm = cfg.algorithm;
    p.digits = cfg.digits;
    p.period = cfg.period;
    MFA_TRY(validate(p));
    auto t = std::unique_ptr<Toolkit>(new Toolkit(std::move(store), std::move(keys), std::move(cfg)));
    auto secret = generate_secret();
    if (!secret) return std::move(secret).error();
    auto dummy = Otp::create(std::move(*secret), p);
    if (!dummy) return std::move(dummy).error();
    t->impl_->dummy_otp.emplace(std::move(*dummy));
    if (t->cfg_.webauthn) {
        auto cred = detail::dummy_credential_record();
        if (!cred) return std::move(cred).error();
        t->impl_->dummy_credential.emplace(std::move(*cred));
    }
    return t;
}

std::int64_t Toolkit::now() const {
    if (cfg_.clock) return cfg_.clock();
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

Status Toolkit::record(std::string type, std::string_view user, std::string detail, const RequestContext& ctx) {
    return record_in(std::move(type), user, std::move(detail), ctx, {});  // admin_accounts.cpp
}

VerifyResult Toolkit::finish(const store::Attempt& a, std::string_view user, std::string_view what,
                             const RequestContext& ctx) {
    VerifyResult v;
    v.failures = a.failures;
    v.retry_after = a.retry_after;
    v.newly_locked = a.newly_locked;
    switch (a.outcome) {
        case store::AttemptOutcome::accepted: v.status = Errc::ok; break;
        case store::AttemptOutcome::replayed:
            v.status = Errc::otp_code_replayed;
            (void)record(std::string(what) + ".replayed", user, "a code already used was submitted again", ctx);
            break;
        case store::AttemptOutcome::throttled: v.status = Errc::throttled; break;
        case store::AttemptOutcome::locked: v.status = Errc::account_locked; break;
        case store::AttemptOutcome::rejected:
        case store::AttemptOutcome::stale:
            v.status = Errc::otp_code_mismatch;
            (void)record(std::string(what) + ".failed", user, "failure " + std::to_string(a.failures), ctx);
            break;
    }
    if (a.newly_locked)
        (void)record("account.locked", user, std::string(what) + ": " + std::to_string(a.failures) + " consecutive failures", ctx);
    return v;
}

Result<LockStatus> Toolkit::lock_status(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    LockStatus s;
    auto p = store_->throttle_state(keys::thr_pwd(*u));
    if (!p) return std::move(p).error();
    auto f = store_->throttle_state(keys::thr_2fa(*u));
    if (!f) return std::move(f).error();
    s.password = *p;
    s.second_factor = *f;
    const auto t = now();
    for (const auto& st : {*p, *f}) {
        const auto d = store::throttle_check(cfg_.throttle, st, t);
        if (d.blocked && d.blocked_as == store::AttemptOutcome::locked) s.locked = true;
        s.retry_after = std::max(s.retry_after, d.retry_after);
    }
    return s;
}

Status Toolkit::unlock(std::string_view user, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto a = store_->erase(keys::thr_pwd(*u));
    if (!a) return std::move(a).error();
    auto b = store_->erase(keys::thr_2fa(*u));
    if (!b) return std::move(b).error();
    return record("account.unlocked", user, "failure counters reset by an operator", ctx);
}

Status Toolkit::set_policy(std::string_view org, const OrgPolicy& p, const RequestContext& ctx) {
    auto o = user_key_part(org);
    if (!o) return std::move(o).error();
    MFA_TRY(validate(p));
    const std::string j = policy_to_json(p);
    MFA_TRY(store_->put(keys::policy(*o), as_bytes(j)));
    return record_in("policy.changed", org, j, ctx, org);
}

Result<OrgPolicy> Toolkit::policy(std::string_view org) {
    auto o = user_key_part(org);
    if (!o) return std::move(o).error();
    auto v = store_->get(keys::policy(*o));
    if (!v) return std::move(v).error();
    if (!v->has_value()) return OrgPolicy{};
    auto p = policy_from_json(as_chars(**v));
    if (!p) return Error{Errc::store_corrupt, "policy of '" + std::string(org) + "': " + p.error().detail};
    return p;
}

Result<PolicyDecision> Toolkit::login_decision(std::string_view org, std::string_view user, UserSecurityState state) {
    auto p = policy(org);
    if (!p) return std::move(p).error();
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (auto active = check_active(*u); !active) {
        if (active.code() != Errc::account_deleted) return active.error();
        PolicyDecision d;
        d.reason = "account deleted: " + active.error().detail;
        return d;
    }
    auto pw = password_state(user);
    if (!pw) return std::move(pw).error();
    if (pw->changed_at != 0) state.password_changed_at = pw->changed_at;
    if (pw->must_change != PasswordChange::none) state.password_must_change = pw->must_change;
    auto factors = factor_state(user);  // admin_access.cpp
    if (!factors) return std::move(factors).error();
    for (auto f : factors->enrolled)
        if (std::find(state.enrolled.begin(), state.enrolled.end(), f) == state.enrolled.end()) state.enrolled.push_back(f);
    auto lock = lock_status(user);
    if (!lock) return std::move(lock).error();
    state.locked = state.locked || lock->locked;
    return decide(*p, state, now());
}

}  // namespace mfa::server

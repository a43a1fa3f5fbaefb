// Throttled password verification: the password counter is separate from the second-factor one,
// so a correct password never resets second-factor failures (listmonk CVE-2026-128332).
#include "admin_keys.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server {

Result<VerifyResult> Toolkit::password_verify(std::string_view user, std::string_view password, std::string_view phc,
                                              const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    const auto t = now();
    // A locked or delayed account is refused before the (deliberately slow) hash is computed: the
    // answer is the same whatever the password, so nothing is revealed.
    auto st = store_->throttle_state(keys::thr_pwd(*u));
    if (!st) return std::move(st).error();
    const auto pre = store::throttle_check(cfg_.throttle, *st, t);
    if (pre.blocked) {
        VerifyResult r;
        r.status = pre.blocked_as == store::AttemptOutcome::locked ? Errc::account_locked : Errc::throttled;
        r.retry_after = pre.retry_after;
        r.failures = st->failures;
        return r;
    }
    std::call_once(impl_->dummy_phc_once, [&] {
        auto h = hash_password("mfakit dummy password for unknown users");
        if (h) impl_->dummy_phc = std::move(*h);
    });
    const bool known = !phc.empty();
    const Status v = verify_password(password, known ? phc : std::string_view(impl_->dummy_phc));
    if (!v && v.code() != Errc::password_mismatch && known) return v.error();  // a malformed stored hash
    store::AttemptRequest q;
    q.throttle_key = keys::thr_pwd(*u);
    q.rule = cfg_.throttle;
    q.now = t;
    q.success = known && v.ok();
    auto a = store_->attempt(q);
    if (!a) return std::move(a).error();
    VerifyResult r = finish(*a, user, "password", ctx);
    if (r.status == Errc::otp_code_mismatch) r.status = Errc::password_mismatch;
    if (r.ok()) {
        r.amr = {"pwd"};
        r.needs_rehash = needs_rehash(phc);
        // Checked after the password, so only the account's owner learns that it is deleted.
        if (auto active = check_active(*u); !active) {
            auto refused = refused_inactive(active);
            if (!refused) return refused;
            (void)record("password.refused", user, "the account is deleted", ctx);
            return refused;
        }
    }
    return r;
}

}  // namespace mfa::server

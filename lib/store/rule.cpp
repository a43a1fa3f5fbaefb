// The throttle rule and the small text formats the backends share.
#include <charconv>
#include <string>

#include "mfa/store.hpp"

namespace mfa::store {

Status validate(const ThrottleRule& r) {
    if (r.lock_after == 0 || r.lock_after > kMaxLockAfter)
        return {Errc::invalid_argument, "lock_after must be 1.." + std::to_string(kMaxLockAfter) +
                                            " (NIST SP 800-63B: at most 100 consecutive failures)"};
    if (r.free_failures >= r.lock_after)
        return {Errc::invalid_argument, "free_failures must be below lock_after"};
    if (r.base_delay > r.max_delay) return {Errc::invalid_argument, "base_delay must not exceed max_delay"};
    if (r.max_delay > 86400) return {Errc::invalid_argument, "max_delay must be at most 86400 seconds"};
    if (r.lock_duration > 366 * 86400) return {Errc::invalid_argument, "lock_duration must be at most a year"};
    return {};
}

std::string_view to_string(AttemptOutcome o) noexcept {
    switch (o) {
        case AttemptOutcome::accepted: return "accepted";
        case AttemptOutcome::rejected: return "rejected";
        case AttemptOutcome::replayed: return "replayed";
        case AttemptOutcome::throttled: return "throttled";
        case AttemptOutcome::locked: return "locked";
        case AttemptOutcome::stale: return "stale";
    }
    return "unknown";
}

RuleDecision throttle_check(const ThrottleRule& rule, const ThrottleState& state, std::int64_t now) noexcept {
    RuleDecision d;
    d.effective = state;
    if (state.failures >= rule.lock_after) {
        const std::int64_t until = state.last_failure + static_cast<std::int64_t>(rule.lock_duration);
        if (rule.lock_duration != 0 && now >= until) {
            d.effective = {};  // the lock expired: the count starts again
        } else {
            d.blocked = true;
            d.blocked_as = AttemptOutcome::locked;
            d.retry_after = rule.lock_duration != 0 ? until - now : 0;
            return d;
        }
    }
    if (d.effective.failures > rule.free_failures) {
        const std::uint32_t n = d.effective.failures - rule.free_failures;  // >= 1
        const std::uint32_t shift = n - 1 > 30 ? 30 : n - 1;
        std::int64_t delay = static_cast<std::int64_t>(rule.base_delay) << shift;
        if (delay > rule.max_delay) delay = rule.max_delay;
        const std::int64_t ready = d.effective.last_failure + delay;
        if (now < ready) {
            d.blocked = true;
            d.blocked_as = AttemptOutcome::throttled;
            d.retry_after = ready - now;
        }
    }
    return d;
}

std::optional<std::int64_t> parse_i64(std::string_view t) noexcept {
    if (t.empty() || t.size() > 20) return std::nullopt;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc{} || p != t.data() + t.size()) return std::nullopt;
    if (t[0] == '+' || (t.size() > 1 && t[0] == '0') || (t.size() > 2 && t[0] == '-' && t[1] == '0')) return std::nullopt;
    return v;
}

// "<failures> <last_failure>": the same two numbers the Redis backend keeps in a hash.
std::string format_throttle(const ThrottleState& s) {
    return std::to_string(s.failures) + " " + std::to_string(s.last_failure);
}

std::optional<ThrottleState> parse_throttle(std::string_view t) noexcept {
    const auto sp = t.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    auto f = parse_i64(t.substr(0, sp));
    auto l = parse_i64(t.substr(sp + 1));
    if (!f || !l || *f < 0 || *f > 0xFFFFFFFF) return std::nullopt;
    return ThrottleState{static_cast<std::uint32_t>(*f), *l};
}

}  // namespace mfa::store

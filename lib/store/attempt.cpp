#include "attempt.hpp"

#include <string>

namespace mfa::store::detail {

Status check_key(std::string_view key) {
    if (key.empty()) return {Errc::invalid_argument, "empty store key"};
    if (key.size() > kMaxKeyLength) return {Errc::limit_exceeded, "store key longer than 512 bytes"};
    return {};
}

Status check_value(ByteView value) {
    if (value.size() > kMaxValueLength) return {Errc::limit_exceeded, "store value larger than 1 MiB"};
    return {};
}

Status check_request(const AttemptRequest& req) {
    MFA_TRY(check_key(req.throttle_key));
    MFA_TRY(validate(req.rule));
    if (req.absent_key) MFA_TRY(check_key(*req.absent_key));
    if (req.guard_key) MFA_TRY(check_key(*req.guard_key));
    if (!req.guard_key && req.guard_value) return {Errc::invalid_argument, "guard_value without guard_key"};
    if (req.advance_key) MFA_TRY(check_key(*req.advance_key));
    if (req.consume_key) MFA_TRY(check_key(*req.consume_key));
    return {};
}

Status check_ordered_scan(std::string_view prefix, std::string_view cursor, std::size_t count) {
    if (count == 0 || count > kMaxKeyPageSize) return {Errc::invalid_argument, "scan page size must be 1..100000"};
    if (prefix.size() > kMaxKeyLength) return {Errc::limit_exceeded, "scan prefix longer than 512 bytes"};
    if (!cursor.empty() && (cursor.size() > kMaxKeyLength || !cursor.starts_with(prefix)))
        return {Errc::invalid_argument, "scan cursor does not belong to this prefix"};
    return {};
}

bool add_to_page(KeyPage& page, std::string key, std::string_view prefix, std::size_t count) {
    if (!key.starts_with(prefix)) return false;
    if (page.keys.size() == count) {
        page.cursor = page.keys.back();
        return false;
    }
    page.keys.push_back(std::move(key));
    return true;
}

Result<Attempt> run_attempt(TxnOps& txn, const AttemptRequest& req) {
    Attempt out;
    if (req.absent_key) {
        auto cur = txn.get(*req.absent_key);
        if (!cur) return std::move(cur).error();
        if (cur->has_value()) {
            out.outcome = AttemptOutcome::stale;
            return out;
        }
    }
    if (req.guard_key) {
        auto cur = txn.get(*req.guard_key);
        if (!cur) return std::move(cur).error();
        const bool same = cur->has_value() == req.guard_value.has_value() &&
                          (!cur->has_value() || **cur == *req.guard_value);
        if (!same) {
            out.outcome = AttemptOutcome::stale;
            return out;
        }
    }
    auto raw = txn.get(req.throttle_key);
    if (!raw) return std::move(raw).error();
    ThrottleState state;
    if (raw->has_value()) {
        auto parsed = parse_throttle(as_chars(**raw));
        if (!parsed) return Error{Errc::store_corrupt, "throttle record '" + req.throttle_key + "'"};
        state = *parsed;
    }
    const RuleDecision d = throttle_check(req.rule, state, req.now);
    if (d.blocked) {
        out.outcome = d.blocked_as;
        out.failures = state.failures;
        out.retry_after = d.retry_after;
        return out;
    }
    ThrottleState st = d.effective;
    bool ok = req.success;
    out.outcome = AttemptOutcome::rejected;
    if (ok && req.advance_key) {
        auto cur = txn.get(*req.advance_key);
        if (!cur) return std::move(cur).error();
        if (cur->has_value()) {
            auto last = parse_i64(as_chars(**cur));
            if (!last) return Error{Errc::store_corrupt, "replay guard '" + *req.advance_key + "'"};
            if (req.step <= *last) {
                ok = false;
                out.outcome = AttemptOutcome::replayed;
                out.last_step = *last;
            }
        }
    }
    if (ok && req.consume_key) {
        auto existed = txn.erase(*req.consume_key);
        if (!existed) return std::move(existed).error();
        if (!*existed) ok = false;
    }
    if (ok) {
        if (req.advance_key) MFA_TRY(txn.put(*req.advance_key, as_bytes(std::to_string(req.step))));
        if (raw->has_value()) {
            auto e = txn.erase(req.throttle_key);
            if (!e) return std::move(e).error();
        }
        out.outcome = AttemptOutcome::accepted;
        out.failures = 0;
        return out;
    }
    if (st.failures < 0xFFFFFFFFu) ++st.failures;
    st.last_failure = req.now;
    MFA_TRY(txn.put(req.throttle_key, as_bytes(format_throttle(st))));
    out.failures = st.failures;
    out.newly_locked = st.failures == req.rule.lock_after;
    return out;
}

}  // namespace mfa::store::detail

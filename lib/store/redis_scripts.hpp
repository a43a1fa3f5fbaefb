// Lua scripts the Redis backend loads once (SCRIPT LOAD) and runs with EVALSHA: each is one atomic
// step on the server, one round trip for the caller.
#pragma once

namespace mfa::store::detail {

// attempt(): the same steps as run_attempt() in attempt.cpp (keep the two in step; the contract
// suite in tests/store_test.cpp runs both against the same cases).
// KEYS: throttle, guard, advance, consume (unused ones repeat the throttle key).
// ARGV: now, success, free_failures, base_delay, max_delay, lock_after, lock_duration,
//       has_guard, guard_present, guard_value, has_advance, step, has_consume.
// Returns {outcome, failures, retry_after, newly_locked, last_step}; outcome 0 accepted, 1 rejected,
// 2 replayed, 3 throttled, 4 locked, 5 stale.
inline constexpr const char* kAttemptScript = R"lua(
local now = tonumber(ARGV[1])
local free, base, maxd = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local lock_after, lock_dur = tonumber(ARGV[6]), tonumber(ARGV[7])
if ARGV[8] == '1' then
  local cur = redis.call('GET', KEYS[2])
  if ARGV[9] == '1' then
    if cur ~= ARGV[10] then return {5, 0, 0, 0, 0} end
  elseif cur then
    return {5, 0, 0, 0, 0}
  end
end
local raw = redis.call('GET', KEYS[1])
local f, t = 0, 0
if raw then
  local a, b = string.match(raw, '^(%d+) (%-?%d+)$')
  if not a then return redis.error_reply('CORRUPT throttle record') end
  f, t = tonumber(a), tonumber(b)
end
local raw_f = f
if f >= lock_after then
  if lock_dur ~= 0 and now >= t + lock_dur then
    f, t = 0, 0
  else
    local ra = 0
    if lock_dur ~= 0 then ra = t + lock_dur - now end
    return {4, raw_f, ra, 0, 0}
  end
end
if f > free then
  local shift = f - free - 1
  if shift > 30 then shift = 30 end
  local delay = base * (2 ^ shift)
  if delay > maxd then delay = maxd end
  if now < t + delay then return {3, raw_f, t + delay - now, 0, 0} end
end
local ok = ARGV[2] == '1'
local outcome = 1
local last = 0
if ok and ARGV[11] == '1' then
  local cur = redis.call('GET', KEYS[3])
  if cur then
    if not string.match(cur, '^%-?%d+$') then return redis.error_reply('CORRUPT replay guard') end
    local c = tonumber(cur)
    if tonumber(ARGV[12]) <= c then
      ok = false
      outcome = 2
      last = c
    end
  end
end
if ok and ARGV[13] == '1' then
  if redis.call('DEL', KEYS[4]) == 0 then ok = false end
end
if ok then
  if ARGV[11] == '1' then redis.call('SET', KEYS[3], ARGV[12]) end
  if raw then redis.call('DEL', KEYS[1]) end
  return {0, 0, 0, 0, 0}
end
if f < 4294967295 then f = f + 1 end
redis.call('SET', KEYS[1], string.format('%d %d', f, now))
local newly = 0
if f == lock_after then newly = 1 end
return {outcome, f, 0, newly, last}
)lua";

// compare_and_set(): KEYS[1]; ARGV: expected_present, expected, desired. Returns 1 when replaced.
inline constexpr const char* kCasScript = R"lua(
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur ~= ARGV[2] then return 0 end
elseif cur then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
)lua";

// increment(): KEYS[1]; ARGV: by, ttl. The TTL is set only when the key is created.
inline constexpr const char* kIncrScript = R"lua(
local existed = redis.call('EXISTS', KEYS[1])
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return v
)lua";

}  // namespace mfa::store::detail

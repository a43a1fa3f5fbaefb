// Lua scripts the Redis backend loads once (SCRIPT LOAD) and runs with EVALSHA: each is one atomic
// step on the server, one round trip for the caller.
#pragma once

namespace mfa::store::detail {

// attempt(): the same steps as run_attempt() in attempt.cpp (keep the two in step; the contract
// suite in tests/store_test.cpp runs both against the same cases).
// KEYS: throttle, guard, advance, consume, absent (unused ones repeat the throttle key).
// ARGV: now, step, flags, rule, guard_value. flags: six '0'/'1' characters — success, has_guard,
// guard_present, has_advance, has_consume, has_absent; rule: "free_failures base_delay max_delay
// lock_after lock_duration" (decimal, one space each).
// Returns 0 when accepted, else {outcome, failures, retry_after, newly_locked, last_step}; outcome
// 1 rejected, 2 replayed, 3 throttled, 4 locked, 5 stale.
//
// The accept path is kept short because every verification pays it (docs/performance.md "Redis
// Cluster"): few arguments (the Lua call costs per argument), the rule parsed only when a throttle
// record exists or a failure is counted, no reply array. Each redis.call costs the server about as
// much as the script's whole arithmetic, so there is one per key the attempt needs.
inline constexpr const char* kAttemptScript = R"lua(
local flags = ARGV[3]
local sub = string.sub
if sub(flags, 6, 6) == '1' and redis.call('EXISTS', KEYS[5]) == 1 then return {5, 0, 0, 0, 0} end
if sub(flags, 2, 2) == '1' then
  local cur = redis.call('GET', KEYS[2])
  if sub(flags, 3, 3) == '1' then
    if cur ~= ARGV[5] then return {5, 0, 0, 0, 0} end
  elseif cur then
    return {5, 0, 0, 0, 0}
  end
end
local function rule()
  local a, b, c, d, e = string.match(ARGV[4], '^(%d+) (%d+) (%d+) (%d+) (%d+)$')
  if not a then return nil end
  return tonumber(a), tonumber(b), tonumber(c), tonumber(d), tonumber(e)
end
local raw = redis.call('GET', KEYS[1])
local f, t, now, lock_after = 0, 0, 0, 0
if raw then
  local a, b = string.match(raw, '^(%d+) (%-?%d+)$')
  if not a then return redis.error_reply('CORRUPT throttle record') end
  f, t, now = tonumber(a), tonumber(b), tonumber(ARGV[1])
  local free, base, maxd, lock_dur
  free, base, maxd, lock_after, lock_dur = rule()
  if not free then return redis.error_reply('ERR attempt: malformed rule') end
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
end
local ok = sub(flags, 1, 1) == '1'
local advance = sub(flags, 4, 4) == '1'
local outcome = 1
local last = 0
if ok and advance then
  local cur = redis.call('GET', KEYS[3])
  if cur then
    if not string.match(cur, '^%-?%d+$') then return redis.error_reply('CORRUPT replay guard') end
    local c = tonumber(cur)
    if tonumber(ARGV[2]) <= c then
      ok = false
      outcome = 2
      last = c
    end
  end
end
if ok and sub(flags, 5, 5) == '1' then
  if redis.call('DEL', KEYS[4]) == 0 then ok = false end
end
if ok then
  if advance then redis.call('SET', KEYS[3], ARGV[2]) end
  if raw then redis.call('DEL', KEYS[1]) end
  return 0
end
if not raw then
  local free, base, maxd
  now = tonumber(ARGV[1])
  free, base, maxd, lock_after = rule()
  if not free then return redis.error_reply('ERR attempt: malformed rule') end
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

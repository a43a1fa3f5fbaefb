// The server toolkit's storage: one interface with atomic operations, three backends.
//
//   memory  — in-process (tests, a single process)          open_store("memory:")
//   sqlite  — the embedded default: one file, WAL, busy timeout   open_store("sqlite:/var/lib/app/mfa.db")
//   redis   — shared by many servers, through hiredis        open_store("redis://127.0.0.1:6379/0")
//   postgresql — the service's own database, through libpq    open_store("postgresql://app@db/app")
//
// Keys are text (at most kMaxKeyLength bytes), values bytes (at most kMaxValueLength). Every
// operation is atomic on its own; attempt() is the one composite operation: it applies a throttle
// rule, a replay guard and a single-use consumption in one step (one transaction in SQLite and
// PostgreSQL, one EVALSHA in Redis), so that two servers racing the same code accept it once. docs/server.md has the
// guarantees of each backend.
//
// A Store object is safe to use from several threads (the SQLite and Redis backends serialise use
// of their connection, PostgreSQL lends each call a connection of its pool); several processes
// share state through SQLite, Redis or PostgreSQL.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::store {

inline constexpr std::size_t kMaxKeyLength = 512;
inline constexpr std::size_t kMaxValueLength = 1 << 20;  // 1 MiB
inline constexpr std::size_t kMaxListKeys = 100000;      // keys() collects at most this many, else an error
inline constexpr std::size_t kKeyPageSize = 1000;        // scan()'s default page
inline constexpr std::size_t kMaxKeyPageSize = 100000;

// One page of a key listing (Store::scan).
struct KeyPage {
    std::vector<std::string> keys;
    std::string cursor;  // pass to the next scan(); empty when the listing is complete
};

// Time to live: zero means "no expiry".
using Ttl = std::chrono::seconds;

// The throttle rule (RFC 4226 §7.3, NIST SP 800-63B-4 §3.2.2): after free_failures consecutive
// failures each further attempt waits base_delay · 2^(n−1) seconds after the last failure (capped at
// max_delay); at lock_after failures the key is locked until reset() or, when lock_duration is
// non-zero, until lock_duration seconds after the last failure (the count then starts again).
struct ThrottleRule {
    std::uint32_t free_failures = 3;
    std::uint32_t base_delay = 30;     // seconds
    std::uint32_t max_delay = 3600;    // seconds
    std::uint32_t lock_after = 10;     // 1..kMaxLockAfter
    std::uint32_t lock_duration = 0;   // seconds; 0 = until reset (an operator unlock)
};
inline constexpr std::uint32_t kMaxLockAfter = 100;  // NIST SP 800-63B: never more than 100
// Names the field that is out of range.
Status validate(const ThrottleRule& rule);

// The state kept under a throttle key.
struct ThrottleState {
    std::uint32_t failures = 0;        // consecutive failures
    std::int64_t last_failure = 0;     // Unix time of the last one
};

enum class AttemptOutcome : std::uint8_t {
    accepted,   // success and every guard held; the failure count is reset
    rejected,   // a failure (counted); includes a failed consume
    replayed,   // success, but the step was not after the last accepted one (counted as a failure)
    throttled,  // a delay is in effect: nothing was evaluated or counted
    locked,     // locked: nothing was evaluated or counted
    stale,      // the guard record changed since the caller read it, or the absent key exists: nothing
                // changed; re-read and retry
};
std::string_view to_string(AttemptOutcome) noexcept;

struct AttemptRequest {
    std::string throttle_key;
    ThrottleRule rule;
    std::int64_t now = 0;      // Unix time on the server's clock
    bool success = false;      // the factor check, computed before the call (and not revealed when
                               // the attempt is throttled or locked)
    // When set: this key must not exist (the toolkit passes the account's deletion mark, so that a
    // verification and an account deletion are ordered by the store), else the outcome is `stale`
    // and nothing changes. Checked first.
    std::optional<std::string> absent_key;
    // When set: the record the caller verified against must still hold exactly this value (nullopt:
    // must still be absent), else the outcome is `stale` and nothing changes.
    std::optional<std::string> guard_key;
    std::optional<Bytes> guard_value;
    // When set (success only): the replay guard. Accept only if `step` > the integer under the key
    // (absent = accept), and store `step` there.
    std::optional<std::string> advance_key;
    std::int64_t step = 0;
    // When set (success only): single use. Accept only if the key exists, and delete it.
    std::optional<std::string> consume_key;
};

struct Attempt {
    AttemptOutcome outcome = AttemptOutcome::rejected;
    std::uint32_t failures = 0;     // consecutive failures after this attempt
    std::int64_t retry_after = 0;   // seconds to wait (throttled), 0 otherwise
    bool newly_locked = false;      // this failure reached lock_after
    std::int64_t last_step = 0;     // the stored step when the outcome is `replayed`
};

// The pure rule behind attempt(): what happens to `state` (the throttle key's value) for a request,
// given whether the guards held. Backends run it atomically; the Redis Lua script mirrors it.
struct RuleDecision {
    bool blocked = false;          // throttled or locked: evaluate nothing
    AttemptOutcome blocked_as = AttemptOutcome::throttled;
    std::int64_t retry_after = 0;
    ThrottleState effective;       // the state after an expired lock was cleared
};
RuleDecision throttle_check(const ThrottleRule& rule, const ThrottleState& state, std::int64_t now) noexcept;

class Store {
public:
    virtual ~Store() = default;
    // "memory", "sqlite", "redis" or "postgresql".
    [[nodiscard]] virtual std::string_view backend() const noexcept = 0;

    [[nodiscard]] virtual Result<std::optional<Bytes>> get(std::string_view key) = 0;
    [[nodiscard]] virtual Status put(std::string_view key, ByteView value, Ttl ttl = Ttl{0}) = 0;
    // Set-if-absent: true when this call created the key.
    [[nodiscard]] virtual Result<bool> put_if_absent(std::string_view key, ByteView value, Ttl ttl = Ttl{0}) = 0;
    // Compare-and-set: replaces the value only when it equals `expected` (nullopt: only when the key
    // is absent). The new value has no expiry. True when it was replaced.
    [[nodiscard]] virtual Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected,
                                                       ByteView desired) = 0;
    // True when the key existed.
    [[nodiscard]] virtual Result<bool> erase(std::string_view key) = 0;
    // Get and delete in one step (single-use values: challenges, pending enrollments).
    [[nodiscard]] virtual Result<std::optional<Bytes>> take(std::string_view key) = 0;
    // Adds `by` to the decimal integer under the key (absent = 0) and returns the new value; when
    // the key is created, it expires after ttl (zero: never).
    [[nodiscard]] virtual Result<std::int64_t> increment(std::string_view key, std::int64_t by, Ttl ttl = Ttl{0}) = 0;
    // Iterates the keys starting with prefix, about `count` (1..kMaxKeyPageSize) per page: start with
    // an empty cursor and pass each returned cursor back until it comes back empty. Every key that
    // exists for the whole iteration is returned; memory and SQLite return each key once, in order;
    // Redis (SCAN) may return a key twice and in any order, so callers must be idempotent per key.
    // The cursor is opaque: one from another prefix or backend is invalid_argument.
    [[nodiscard]] virtual Result<KeyPage> scan(std::string_view prefix, std::string_view cursor,
                                               std::size_t count = kKeyPageSize) = 0;
    // Every key starting with prefix, sorted, through scan(); limit_exceeded when there are more
    // than `limit` (never a silent truncation). Use scan() for listings that can grow large.
    [[nodiscard]] Result<std::vector<std::string>> keys(std::string_view prefix, std::size_t limit = kMaxListKeys);

    // The composite, atomic attempt (see AttemptRequest).
    [[nodiscard]] virtual Result<Attempt> attempt(const AttemptRequest& req) = 0;
    // The throttle state under a key (zeros when absent): a get and parse_throttle, the same for
    // every backend.
    [[nodiscard]] Result<ThrottleState> throttle_state(std::string_view key);
};

struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};
struct RedisOptions {
    std::chrono::milliseconds timeout{2000};  // connect and reply; also bounds redirect/retry loops
    // Durability (WAIT): an accepted replay-guard step or single-use consumption, and a take(), is
    // reported only once this many replicas acknowledged it within wait_timeout; else
    // store_unavailable (the step is spent: the verification fails closed). 0: no WAIT.
    unsigned wait_replicas = 0;
    std::chrono::milliseconds wait_timeout{100};
};
// PostgreSQL (docs/server.md "PostgreSQL"): the connection string goes to libpq as it is (a
// postgresql:// URL or key=value pairs: hosts, TLS, password or peer authentication,
// target_session_attrs ...); the store creates and migrates its tables on open.
inline constexpr std::size_t kMaxPostgresPool = 64;
struct PostgresOptions {
    std::size_t pool_size = 4;                     // connections, 1..kMaxPostgresPool, opened on demand
    std::chrono::milliseconds pool_wait{5000};     // how long a call waits for a free connection
    std::chrono::milliseconds lock_timeout{5000};  // how long a call waits for another call's key lock
};

// Opens a store from a URL: "memory:", "sqlite:<path>" (or "sqlite://<absolute path>"),
// "redis://[host][:port][/db]" (host defaults to 127.0.0.1, port to 6379, db to 0),
// "redis-sentinel://host[:port][,host[:port]...]/<master name>[/db]" (port 26379),
// "redis-cluster://host[:port][,host[:port]...][/]" (seed nodes, port 6379). Redis URLs take the
// query "?wait_replicas=N&wait_timeout_ms=T" (RedisOptions);
// "postgresql://…" or "postgres://…" (libpq's URL; the store's own query parameters pool_size,
// pool_wait_ms and lock_timeout_ms are taken out before libpq sees it). Errors: invalid_argument for
// a URL that does not parse (the detail says why and never repeats a password), store_unavailable
// when the backend cannot be reached, unsupported for PostgreSQL in a build without libpq.
struct StoreUrl {
    enum class Kind : std::uint8_t { memory, sqlite, redis, redis_sentinel, redis_cluster, postgresql } kind = Kind::memory;
    std::string path;   // sqlite
    std::string host;   // redis
    std::uint16_t port = 6379;
    unsigned db = 0;
    std::vector<HostPort> nodes;  // redis-sentinel: the sentinels; redis-cluster: the seeds
    std::string master;           // redis-sentinel: the group name
    RedisOptions redis;           // every Redis kind
    std::string conninfo;  // postgresql: the URL without the store's own parameters
    PostgresOptions postgres;
};
inline constexpr std::size_t kMaxStoreUrlLength = 4096;
Result<StoreUrl> parse_store_url(std::string_view url);
Result<std::shared_ptr<Store>> open_store(std::string_view url);

std::shared_ptr<Store> open_memory_store();
struct SqliteOptions {
    std::chrono::milliseconds busy_timeout{5000};
    // Opens the file read-only and immutable (no WAL, no lock, nothing created or migrated): for
    // reading a backup copy (docs/server.md "Backups"); every write is an io error.
    bool read_only = false;
};
Result<std::shared_ptr<Store>> open_sqlite_store(const std::string& path, const SqliteOptions& opts = {});
Result<std::shared_ptr<Store>> open_redis_store(const std::string& host, std::uint16_t port, unsigned db,
                                                const RedisOptions& opts = {});
// Redis behind Sentinel: the master of group `master`, asked of each sentinel in turn, checked
// with ROLE, and asked for again after a lost connection or a READONLY reply (a failover).
Result<std::shared_ptr<Store>> open_redis_sentinel_store(const std::vector<HostPort>& sentinels, const std::string& master,
                                                         unsigned db, const RedisOptions& opts = {});
// Redis Cluster from seed nodes: the slot table (CLUSTER SLOTS), one connection per node, MOVED and
// ASK followed. Every key an attempt() touches must hash to one slot (a shared {hash tag}; the
// toolkit's keys do), else invalid_argument.
Result<std::shared_ptr<Store>> open_redis_cluster_store(const std::vector<HostPort>& seeds, const RedisOptions& opts = {});
// unsupported ("built without PostgreSQL support") when mfakit was built without libpq.
Result<std::shared_ptr<Store>> open_postgres_store(const std::string& conninfo, const PostgresOptions& opts = {});

// Helpers shared by the backends and callers: decimal integers and the throttle state as stored.
std::optional<std::int64_t> parse_i64(std::string_view text) noexcept;
std::string format_throttle(const ThrottleState& s);
std::optional<ThrottleState> parse_throttle(std::string_view text) noexcept;

}  // namespace mfa::store

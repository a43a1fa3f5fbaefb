// The PostgreSQL backend (libpq): a bounded pool of connections, one table mfa_kv(k, v, exp).
//
// Locking. Every read-modify-write runs in one READ COMMITTED transaction that first takes a
// transaction-scoped advisory lock per key (pg_advisory_xact_lock on a hash of the key, in ascending
// order, so two calls never wait on each other in a cycle), then reads. A row lock (SELECT … FOR
// UPDATE) cannot lock a row that does not exist yet — the first replay guard of a factor, a throttle
// record after a reset — so two racing calls would both see it absent and both accept; a key lock
// can. After the lock statement every statement reads a fresh snapshot, so the reads see whatever
// the previous holder committed. Writers that bypass the store are not covered (docs/server.md).
//
// Round trips. A call sends "BEGIN; lock; read" as one simple query, decides in C++ (the same
// run_attempt() as SQLite and memory), then sends "writes; COMMIT" as a second one. Keys and values
// travel as decode('<hex>', 'hex') literals built here from bytes: hex digits cannot end a literal,
// so nothing a caller passes becomes SQL, and several statements share one round trip.
//
// Retries. A call is retried (at most kMaxTries times) only when nothing can have committed: the
// connection broke before COMMIT was sent, or the server rolled the transaction back itself
// (40001 serialization failure, 40P01 deadlock). A connection lost while COMMIT was in flight is
// store_unavailable, never retried: the COMMIT may have happened, and a failure counted twice or a
// code accepted twice is worse than an error. Idle connections are checked (without a round trip)
// before they are lent, so a server restart costs no failed call.
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "attempt.hpp"
#include "mfa/encoding.hpp"
#include "mfa/shared_library.hpp"

namespace mfa::store {
namespace {

// libpq is loaded when the first postgresql:// store is opened, not linked (mfa/shared_library.hpp
// says why): these are the functions this backend calls, taken from it once.
#define MFA_LIBPQ_FUNCTIONS(X)                                                                                  \
    X(PQclear) X(PQconnectdbParams) X(PQconninfoFree) X(PQconninfoParse) X(PQerrorMessage) X(PQfinish)           \
    X(PQfreemem) X(PQgetResult) X(PQgetvalue) X(PQntuples) X(PQresultErrorField) X(PQresultErrorMessage)          \
    X(PQresultStatus) X(PQsendQuery) X(PQsetNoticeProcessor) X(PQsocket) X(PQstatus) X(PQtransactionStatus)

struct LibPq {
    MFA_LIBRARY_POINTERS(MFA_LIBPQ_FUNCTIONS)
};

// The soname of libpq's ABI (5 since PostgreSQL 8.0; Debian's libpq5).
constexpr const char* kLibPq = "libpq.so.5";

// Loaded once per process; every later open sees the same outcome.
const Result<LibPq>& libpq() {
    static const Result<LibPq> loaded =
        SharedLibrary::load<LibPq>("postgresql", kLibPq, [](const SharedLibrary& lib, LibPq& t) -> Status {
            MFA_LIBRARY_BIND(MFA_LIBPQ_FUNCTIONS, lib, t);
            return {};
        });
    return loaded;
}

// Only called once open_postgres_store() found libpq loaded: every connection comes from there.
const LibPq& pq() { return *libpq(); }

constexpr int kMaxTries = 3;
// Advisory lock classes (the first key of pg_advisory_xact_lock(int4, int4)): 'mfk1' for store
// keys, 'mfk0' for schema migrations.
constexpr std::int32_t kKeyLockClass = 0x6d666b31;
constexpr std::int32_t kMigrationLockClass = 0x6d666b30;
// The server's clock in Unix milliseconds: expiry is decided by one clock for every server.
constexpr const char* kNowMs = "(extract(epoch FROM clock_timestamp()) * 1000)::int8";
constexpr const char* kLive = "(exp = 0 OR exp > (extract(epoch FROM clock_timestamp()) * 1000)::int8)";

// The schema, one migration a version; each runs once, in order, inside the migration transaction.
constexpr const char* kMigrations[] = {
    // 1: the key-value table. bytea keys: binary-safe and ordered bytewise, as the other backends.
    "CREATE TABLE mfa_schema_version (version integer PRIMARY KEY, "
    "applied_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE mfa_kv (k bytea PRIMARY KEY, v bytea NOT NULL, exp bigint NOT NULL DEFAULT 0);"
    "CREATE INDEX mfa_kv_expiring ON mfa_kv (exp) WHERE exp <> 0;",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

struct PgFree {
    void operator()(PGconn* c) const noexcept { pq().PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, PgFree>;
struct ResFree {
    void operator()(PGresult* r) const noexcept { pq().PQclear(r); }
};
using ResPtr = std::unique_ptr<PGresult, ResFree>;

std::string sql_bytes(std::string_view b) { return "decode('" + hex_encode(as_bytes(b)) + "', 'hex')"; }
std::string sql_bytes(ByteView b) { return sql_bytes(as_chars(b)); }

// FNV-1a: a stable 32-bit lock id for a key (a collision only makes two keys share a lock).
std::int32_t lock_id(std::string_view key) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : key) h = (h ^ c) * 16777619u;
    return static_cast<std::int32_t>(h);
}

// How a round trip failed: whether the connection is gone (and when), or the server's SQLSTATE.
struct Failure {
    bool connection = false;
    std::string sqlstate;
    std::string message;
    bool rolled_back() const { return sqlstate == "40001" || sqlstate == "40P01"; }
};

// Replaces every secret (a password in its raw and percent-decoded forms) in a libpq message.
class Redactor {
public:
    void add(std::string s) {
        if (!s.empty()) secrets_.push_back(std::move(s));
    }
    std::string operator()(std::string msg) const {
        for (const auto& s : secrets_)
            for (auto at = msg.find(s); at != std::string::npos; at = msg.find(s, at + 3)) msg.replace(at, s.size(), "***");
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        for (auto& c : msg)
            if (c == '\n') c = ' ';
        return msg;
    }

private:
    std::vector<std::string> secrets_;
};

// Lenient on purpose (unlike otpauth's strict decoder): the password of a URL that libpq rejects
// must be found too, so a malformed escape is kept as written instead of failing.
std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1; };
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

// The password a connection string carries, found without libpq (whose parser may be the one that
// fails, quoting the text): the URL's user:password@ and any password= parameter.
Redactor redactor_for(const std::string& conninfo) {
    Redactor r;
    auto add = [&r](std::string_view raw) {
        r.add(std::string(raw));
        r.add(percent_decode(raw));
    };
    if (const auto scheme = conninfo.find("://"); scheme != std::string::npos) {
        const std::string_view rest = std::string_view(conninfo).substr(scheme + 3);
        const auto at = rest.find('@');
        const auto end = rest.find_first_of("/?");
        if (at != std::string_view::npos && (end == std::string_view::npos || at < end)) {
            const std::string_view userinfo = rest.substr(0, at);
            if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) add(userinfo.substr(colon + 1));
        }
    }
    for (auto at = conninfo.find("password="); at != std::string::npos; at = conninfo.find("password=", at + 1)) {
        const std::string_view v = std::string_view(conninfo).substr(at + 9);
        add(v.substr(0, v.find_first_of("& ")));
    }
    char* err = nullptr;
    if (PQconninfoOption* opts = pq().PQconninfoParse(conninfo.c_str(), &err)) {
        for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o)
            if (std::string_view(o->keyword) == "password" && o->val != nullptr) r.add(o->val);
        pq().PQconninfoFree(opts);
    }
    pq().PQfreemem(err);
    return r;
}

// A row as read inside a transaction: present (even if expired), its value and expiry, and whether
// it is live on the server's clock.
struct Row {
    bool present = false;
    bool live = false;
    Bytes value;
    std::int64_t exp = 0;
};

// The keys one call reads and the statements it will write, in the order it decided them.
class Txn final : public detail::TxnOps {
public:
    explicit Txn(std::map<std::string, Row, std::less<>> rows) : rows_(std::move(rows)) {}

    const Row& row(std::string_view key) {
        auto it = rows_.find(key);
        if (it == rows_.end()) it = rows_.emplace(std::string(key), Row{}).first;  // not read: absent
        return it->second;
    }
    // exp_sql: "0" (never), or an expression of the server's clock.
    void write(std::string_view key, ByteView value, const std::string& exp_sql) {
        writes_ += "INSERT INTO mfa_kv (k, v, exp) VALUES (" + sql_bytes(key) + ", " + sql_bytes(value) + ", " +
                   exp_sql + ") ON CONFLICT (k) DO UPDATE SET v = excluded.v, exp = excluded.exp;";
        Row& r = rows_[std::string(key)];
        r = Row{true, true, Bytes(value.begin(), value.end()), 0};
    }
    // True when the key was live.
    bool remove(std::string_view key) {
        Row& r = rows_[std::string(key)];
        const bool live = r.live;
        if (r.present) writes_ += "DELETE FROM mfa_kv WHERE k = " + sql_bytes(key) + ";";
        r = Row{};
        return live;
    }
    const std::string& writes() const { return writes_; }

    // detail::TxnOps, for run_attempt().
    Result<std::optional<Bytes>> get(std::string_view key) override {
        const Row& r = row(key);
        if (!r.live) return std::optional<Bytes>{};
        return std::optional<Bytes>{r.value};
    }
    Status put(std::string_view key, ByteView value) override {
        write(key, value, "0");
        return {};
    }
    Result<bool> erase(std::string_view key) override { return remove(key); }

private:
    std::map<std::string, Row, std::less<>> rows_;
    std::string writes_;
};

std::string expiry_sql(Ttl ttl) {
    return ttl.count() > 0 ? "(" + std::string(kNowMs) + " + " + std::to_string(ttl.count() * 1000) + ")" : "0";
}

class PostgresStore;

// A connection lent by the pool; given back (or closed, when broken) when it goes out of scope.
class Lease {
public:
    Lease(PostgresStore* owner, ConnPtr c) : owner_(owner), conn_(std::move(c)) {}
    Lease(Lease&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), conn_(std::move(o.conn_)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    PGconn* get() const { return conn_.get(); }
    void discard() { conn_.reset(); }

private:
    PostgresStore* owner_;
    ConnPtr conn_;
};

class PostgresStore final : public Store {
public:
    PostgresStore(std::string conninfo, PostgresOptions opts)
        : conninfo_(std::move(conninfo)), opts_(opts), redact_(redactor_for(conninfo_)) {}

    std::string_view backend() const noexcept override { return "postgresql"; }

    // Opens the first connection and brings the schema to kSchemaVersion.
    Status init() {
        auto lease = acquire();
        if (!lease) return std::move(lease).error();
        return migrate(*lease);
    }

    Result<std::optional<Bytes>> get(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        auto rows = read_only("SELECT encode(v, 'hex') FROM mfa_kv WHERE k = " + sql_bytes(key) + " AND " + kLive);
        if (!rows) return std::move(rows).error();
        if (pq().PQntuples(rows->get()) == 0) return std::optional<Bytes>{};
        auto v = hex_decode(pq().PQgetvalue(rows->get(), 0, 0));
        if (!v) return Error{Errc::store_corrupt, "postgresql: a value is not hex"};
        return std::optional<Bytes>{std::move(*v)};
    }

    Status put(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        auto r = transact<bool>({key}, false, [&](Txn& t) -> Result<bool> {
            t.write(key, value, expiry_sql(ttl));
            return true;
        });
        if (!r) return std::move(r).error();
        return {};
    }

    Result<bool> put_if_absent(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        return transact<bool>({key}, true, [&](Txn& t) -> Result<bool> {
            if (t.row(key).live) return false;
            t.write(key, value, expiry_sql(ttl));
            return true;
        });
    }

    Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected, ByteView desired) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(desired));
        return transact<bool>({key}, true, [&](Txn& t) -> Result<bool> {
            const Row& r = t.row(key);
            const bool match = r.live == expected.has_value() &&
                               (!r.live || std::equal(r.value.begin(), r.value.end(), expected->begin(), expected->end()));
            if (!match) return false;
            t.write(key, desired, "0");
            return true;
        });
    }

    Result<bool> erase(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        return transact<bool>({key}, true, [&](Txn& t) -> Result<bool> { return t.remove(key); });
    }

    Result<std::optional<Bytes>> take(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        return transact<std::optional<Bytes>>({key}, true, [&](Txn& t) -> Result<std::optional<Bytes>> {
            const Row& r = t.row(key);
            std::optional<Bytes> out;
            if (r.live) out = r.value;
            t.remove(key);
            return out;
        });
    }

    Result<std::int64_t> increment(std::string_view key, std::int64_t by, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        return transact<std::int64_t>({key}, true, [&](Txn& t) -> Result<std::int64_t> {
            const Row& r = t.row(key);
            std::int64_t v = 0;
            std::string exp = expiry_sql(ttl);
            if (r.live) {
                auto parsed = parse_i64(as_chars(r.value));
                if (!parsed) return Error{Errc::store_corrupt, "'" + std::string(key) + "' is not an integer"};
                v = *parsed;
                exp = std::to_string(r.exp);  // the expiry is set when the key is created only
            }
            if (__builtin_add_overflow(v, by, &v)) return Error{Errc::limit_exceeded, "integer overflow"};
            t.write(key, as_bytes(std::to_string(v)), exp);
            return v;
        });
    }

    Result<KeyPage> scan(std::string_view prefix, std::string_view cursor, std::size_t count) override {
        MFA_TRY(detail::check_ordered_scan(prefix, cursor, count));
        std::string sql = "SELECT encode(k, 'hex') FROM mfa_kv WHERE k >= " + sql_bytes(prefix);
        if (!cursor.empty()) sql += " AND k > " + sql_bytes(cursor);
        // The first key after the prefix range (the prefix with its last byte below 0xff raised).
        std::string upper(prefix);
        while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
        if (!upper.empty()) {
            upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
            sql += " AND k < " + sql_bytes(upper);
        }
        sql += " AND " + std::string(kLive) + " ORDER BY k LIMIT " + std::to_string(count + 1);
        auto rows = read_only(sql);
        if (!rows) return std::move(rows).error();
        KeyPage page;
        for (int i = 0; i < pq().PQntuples(rows->get()); ++i) {
            auto k = hex_decode(pq().PQgetvalue(rows->get(), i, 0));
            if (!k) return Error{Errc::store_corrupt, "postgresql: a key is not hex"};
            if (!detail::add_to_page(page, std::string(as_chars(*k)), prefix, count)) break;
        }
        return page;
    }

    Result<Attempt> attempt(const AttemptRequest& req) override {
        MFA_TRY(detail::check_request(req));
        std::vector<std::string_view> keys{req.throttle_key};
        for (const auto* k : {&req.absent_key, &req.guard_key, &req.advance_key, &req.consume_key})
            if (*k) keys.emplace_back(**k);
        return transact<Attempt>(std::move(keys), true, [&](Txn& t) { return detail::run_attempt(t, req); });
    }

    void give_back(ConnPtr c) {
        std::lock_guard lock(mu_);
        if (c) idle_.push_back(std::move(c));
        else --open_;
        cv_.notify_one();
    }

private:
    friend class Lease;

    // Lends a connection: an idle one that is still alive, else a new one while the pool has room,
    // else waits up to pool_wait for one to come back.
    Result<Lease> acquire() {
        std::unique_lock lock(mu_);
        for (;;) {
            while (!idle_.empty()) {
                ConnPtr c = std::move(idle_.back());
                idle_.pop_back();
                if (alive(c.get())) return Lease(this, std::move(c));
                // Closed by the server (a restart, an idle timeout): the others likely are too.
                --open_;
                open_ -= std::erase_if(idle_, [](const ConnPtr& i) { return !alive(i.get()); });
            }
            if (open_ < opts_.pool_size) {
                ++open_;
                lock.unlock();
                auto c = connect();
                if (!c) {
                    lock.lock();
                    --open_;
                    cv_.notify_one();
                    return std::move(c).error();
                }
                return Lease(this, std::move(*c));
            }
            if (!cv_.wait_for(lock, opts_.pool_wait, [this] { return !idle_.empty() || open_ < opts_.pool_size; }))
                return Error{Errc::store_unavailable, "postgresql: no free connection in the pool within " +
                                                          std::to_string(opts_.pool_wait.count()) + " ms (pool_size " +
                                                          std::to_string(opts_.pool_size) + ")"};
        }
    }

    // An idle connection has nothing to say: anything to read is the server's goodbye (a shutdown
    // or restart, idle_session_timeout, a terminated backend) or, rarely, a parameter report, and
    // the connection is replaced either way (a spurious reconnect costs less than a failed call).
    static bool alive(PGconn* c) {
        if (pq().PQstatus(c) != CONNECTION_OK) return false;
        pollfd p{pq().PQsocket(c), POLLIN, 0};
        return poll(&p, 1, 0) == 0;
    }

    // After a broken connection: the idle ones were probably cut by the same event.
    void drop_idle() {
        std::lock_guard lock(mu_);
        open_ -= idle_.size();
        idle_.clear();
        cv_.notify_all();
    }

    Result<ConnPtr> connect() {
        // Defaults before the caller's string, which overrides them (libpq's expand_dbname order).
        const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
        const char* vals[] = {"5", "mfakit", conninfo_.c_str(), nullptr};
        ConnPtr c(pq().PQconnectdbParams(keys, vals, 1));
        if (!c) return Error{Errc::store_unavailable, "postgresql: out of memory"};
        if (pq().PQstatus(c.get()) != CONNECTION_OK)
            return Error{Errc::store_unavailable, "postgresql: cannot connect: " + redact_(pq().PQerrorMessage(c.get()))};
        // A library does not write to stderr: notices (a shutdown's FATAL among them) are dropped,
        // errors reach the caller through results.
        pq().PQsetNoticeProcessor(c.get(), [](void*, const char*) {}, nullptr);
        // An accepted step must be durable before "accepted" is returned: synchronous_commit=off
        // could lose it in a crash, and the code would be accepted again. Stronger settings
        // (remote_write, remote_apply for synchronous replicas) are kept.
        const std::string setup = "SET lock_timeout = " + std::to_string(opts_.lock_timeout.count()) +
                                  "; SELECT set_config('synchronous_commit', 'on', false) "
                                  "WHERE current_setting('synchronous_commit') IN ('off', 'local')";
        Failure f;
        if (!run(c.get(), setup, nullptr, f))
            return Error{Errc::store_unavailable, "postgresql: session setup: " + f.message};
        return c;
    }

    // Sends one simple query (one or more statements) and collects the result of each that returns
    // rows. False with `f` filled when a statement failed or the connection broke.
    bool run(PGconn* c, const std::string& sql, std::vector<ResPtr>* out, Failure& f) {
        f = Failure{};  // a SQLSTATE left from an earlier try must not make this failure look retryable
        if (pq().PQsendQuery(c, sql.c_str()) == 0) {
            f = {true, "", "postgresql: " + redact_(pq().PQerrorMessage(c))};
            return false;
        }
        bool ok = true;
        while (PGresult* raw = pq().PQgetResult(c)) {
            ResPtr r(raw);
            const auto st = pq().PQresultStatus(r.get());
            if (st == PGRES_TUPLES_OK) {
                if (out) out->push_back(std::move(r));
            } else if (st != PGRES_COMMAND_OK && ok) {
                ok = false;
                const char* state = pq().PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
                f.sqlstate = state ? state : "";
                f.message = "postgresql: " + redact_(pq().PQresultErrorMessage(r.get()));
            }
        }
        if (pq().PQstatus(c) != CONNECTION_OK || f.sqlstate.rfind("08", 0) == 0 || f.sqlstate == "57P01") {
            f.connection = true;
            if (ok || f.message.empty()) {
                const std::string why = redact_(pq().PQerrorMessage(c));
                f.message = "postgresql: connection lost" + (why.empty() ? std::string() : ": " + why);
            }
            return false;
        }
        return ok;
    }

    // Ends a failed transaction so the connection can be lent again (or drops the connection).
    void abandon(Lease& lease) {
        if (!lease.get()) return;
        if (pq().PQstatus(lease.get()) != CONNECTION_OK) {
            lease.discard();
            return drop_idle();
        }
        if (pq().PQtransactionStatus(lease.get()) != PQTRANS_IDLE) {
            Failure f;
            if (!run(lease.get(), "ROLLBACK", nullptr, f)) lease.discard();
        }
    }

    static Error to_error(const Failure& f) {
        if (f.sqlstate == "55P03") return Error{Errc::store_unavailable, f.message + " (lock_timeout_ms)"};
        return Error{Errc::store_unavailable, f.message};
    }

    // A statement that reads only: retried on a new connection when the connection broke.
    Result<ResPtr> read_only(const std::string& sql) {
        Failure f;
        for (int i = 0; i < kMaxTries; ++i) {
            auto lease = acquire();
            if (!lease) return std::move(lease).error();
            std::vector<ResPtr> rows;
            if (run(lease->get(), sql, &rows, f) && rows.size() == 1) return std::move(rows[0]);
            abandon(*lease);
            if (!f.connection && !f.rolled_back()) break;
        }
        return to_error(f);
    }

    // One read-modify-write: locks `keys`, reads them when `read` is set, lets `decide` choose the
    // writes, then commits them. See the file comment for when it is retried.
    template <class T, class F>
    Result<T> transact(std::vector<std::string_view> keys, bool read, F&& decide) {
        std::vector<std::int32_t> ids;
        for (auto k : keys) ids.push_back(lock_id(k));
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        std::string head = "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" +
                           std::to_string(kKeyLockClass) + ", id) FROM unnest(ARRAY[";
        for (std::size_t i = 0; i < ids.size(); ++i) head += (i ? "," : "") + std::to_string(ids[i]);
        head += "]::int4[]) AS id;";
        if (read) {
            head += "SELECT encode(k, 'hex'), encode(v, 'hex'), exp, " + std::string(kLive) + " FROM mfa_kv WHERE k IN (";
            for (std::size_t i = 0; i < keys.size(); ++i) head += (i ? ", " : "") + sql_bytes(keys[i]);
            head += ");";
        }
        Failure f;
        for (int i = 0; i < kMaxTries; ++i) {
            auto lease = acquire();
            if (!lease) return std::move(lease).error();
            std::vector<ResPtr> res;
            if (!run(lease->get(), head, &res, f)) {
                abandon(*lease);
                if (f.connection || f.rolled_back()) continue;  // nothing was written
                return to_error(f);
            }
            if (res.size() != (read ? 2u : 1u)) {
                abandon(*lease);
                return Error{Errc::store_unavailable, "postgresql: unexpected reply to the lock and read"};
            }
            std::map<std::string, Row, std::less<>> rows;
            if (read) {
                const PGresult* r = res[1].get();
                for (int n = 0; n < pq().PQntuples(r); ++n) {
                    auto k = hex_decode(pq().PQgetvalue(r, n, 0));
                    auto v = hex_decode(pq().PQgetvalue(r, n, 1));
                    auto exp = parse_i64(pq().PQgetvalue(r, n, 2));
                    if (!k || !v || !exp) {
                        abandon(*lease);
                        return Error{Errc::store_corrupt, "postgresql: a row of mfa_kv does not parse"};
                    }
                    rows[std::string(as_chars(*k))] = Row{true, pq().PQgetvalue(r, n, 3)[0] == 't', std::move(*v), *exp};
                }
            }
            Txn txn(std::move(rows));
            Result<T> out = decide(txn);
            if (!out) {
                abandon(*lease);
                return out;
            }
            if (!run(lease->get(), txn.writes() + "COMMIT", nullptr, f)) {
                abandon(*lease);
                // Nothing written: the outcome was decided on what the locked reads saw, and stands.
                if (txn.writes().empty()) return out;
                if (f.rolled_back()) continue;
                if (f.connection)
                    return Error{Errc::store_unavailable,
                                 f.message + " (during COMMIT: the change may or may not have been made; not retried)"};
                return to_error(f);
            }
            return out;
        }
        return to_error(f);
    }

    // Creates or upgrades the schema under an advisory lock, so that servers starting together
    // migrate once; each migration commits with its version row (DDL is transactional here).
    Status migrate(Lease& lease) {
        Failure f;
        std::vector<ResPtr> res;
        const std::string head = "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockClass) +
                                 ", 0); SELECT to_regclass('mfa_schema_version') IS NOT NULL";
        if (!run(lease.get(), head, &res, f) || res.size() != 2) {
            abandon(lease);
            return to_error(f);
        }
        int version = 0;
        if (pq().PQgetvalue(res[1].get(), 0, 0)[0] == 't') {
            res.clear();
            if (!run(lease.get(), "SELECT coalesce(max(version), 0) FROM mfa_schema_version", &res, f) || res.size() != 1) {
                abandon(lease);
                return to_error(f);
            }
            version = std::atoi(pq().PQgetvalue(res[0].get(), 0, 0));
        }
        if (version > kSchemaVersion) {
            abandon(lease);
            return {Errc::unsupported, "postgresql: the schema is at version " + std::to_string(version) +
                                           ", newer than this mfakit knows (" + std::to_string(kSchemaVersion) + ")"};
        }
        std::string sql;
        for (int v = version + 1; v <= kSchemaVersion; ++v)
            sql += std::string(kMigrations[v - 1]) + "INSERT INTO mfa_schema_version (version) VALUES (" +
                   std::to_string(v) + ");";
        if (!run(lease.get(), sql + "COMMIT", nullptr, f)) {
            abandon(lease);
            return {Errc::store_unavailable, "postgresql: migrating the schema to version " +
                                                 std::to_string(kSchemaVersion) + ": " + f.message};
        }
        return {};
    }

    std::string conninfo_;
    PostgresOptions opts_;
    Redactor redact_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<ConnPtr> idle_;
    std::size_t open_ = 0;  // lent and idle connections
};

Lease::~Lease() {
    if (owner_) owner_->give_back(std::move(conn_));
}

}  // namespace

Result<std::shared_ptr<Store>> open_postgres_store(const std::string& conninfo, const PostgresOptions& opts) {
    if (const auto& lib = libpq(); !lib) return lib.error();
    if (opts.pool_size == 0 || opts.pool_size > kMaxPostgresPool)
        return Error{Errc::invalid_argument, "postgresql: pool_size must be 1.." + std::to_string(kMaxPostgresPool)};
    auto s = std::make_shared<PostgresStore>(conninfo, opts);
    MFA_TRY(s->init());
    return std::shared_ptr<Store>(std::move(s));
}

}  // namespace mfa::store

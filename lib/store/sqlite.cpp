// The embedded backend: one SQLite file in WAL mode, shared by every process that opens it.
//
// One table kv(k, v, exp). Single-statement operations are atomic by themselves; read-modify-write
// operations (compare_and_set, take, increment, attempt) run inside BEGIN IMMEDIATE, which takes the
// database's write lock up front, so two processes cannot interleave between the read and the write.
// synchronous=FULL: an accepted code's step is on disk before the call returns, so a crash cannot
// roll the replay guard back. Waiting for another writer is bounded by the busy timeout.
#include <mutex>

#include "attempt.hpp"
#include "clock.hpp"
#include "sqlite_lib.hpp"

namespace mfa::store {
namespace {

using detail::sq;

// The kv table (the backup's schema check compares a copy against this statement).
constexpr const char* kSqliteSchema =
    "CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB NOT NULL, exp INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID";

// A path as the path part of a file: URI ('?' '#' '%' escaped, RFC 3986 as SQLite reads it).
std::string uri_path(const std::string& path) {
    std::string out;
    for (const char c : path) {
        if (c == '?' || c == '#' || c == '%') {
            static constexpr char hex[] = "0123456789ABCDEF";
            out += '%';
            out += hex[static_cast<unsigned char>(c) >> 4];
            out += hex[static_cast<unsigned char>(c) & 15];
        } else {
            out += c;
        }
    }
    return out;
}

class Stmt {
public:
    Stmt() = default;
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt() { sq().sqlite3_finalize(s_); }
    sqlite3_stmt** out() { return &s_; }
    sqlite3_stmt* get() const { return s_; }

private:
    sqlite3_stmt* s_ = nullptr;
};

// Resets a cached statement when the operation using it ends.
struct Use {
    explicit Use(sqlite3_stmt* s) : s_(s) {}
    ~Use() {
        sq().sqlite3_reset(s_);
        sq().sqlite3_clear_bindings(s_);
    }
    sqlite3_stmt* s_;
};

class SqliteStore final : public Store {
public:
    static Result<std::shared_ptr<Store>> open(const std::string& path, const SqliteOptions& opts) {
        auto s = std::shared_ptr<SqliteStore>(new SqliteStore());
        MFA_TRY(s->init(path, opts));
        return std::shared_ptr<Store>(std::move(s));
    }

    std::string_view backend() const noexcept override { return "sqlite"; }

    Result<std::optional<Bytes>> get(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        std::lock_guard lock(mu_);
        return get_locked(key);
    }

    Status put(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        std::lock_guard lock(mu_);
        return put_locked(key, value, detail::expiry_ms(ttl));
    }

    Result<bool> put_if_absent(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        std::lock_guard lock(mu_);
        MFA_TRY(begin());
        auto cur = get_locked(key);
        if (!cur) return rollback(std::move(cur).error());
        if (cur->has_value()) {
            MFA_TRY(commit());
            return false;
        }
        if (auto st = put_locked(key, value, detail::expiry_ms(ttl)); !st) return rollback(std::move(st).error());
        MFA_TRY(commit());
        return true;
    }

    Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected, ByteView desired) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(desired));
        std::lock_guard lock(mu_);
        MFA_TRY(begin());
        auto cur = get_locked(key);
        if (!cur) return rollback(std::move(cur).error());
        const bool match = cur->has_value() == expected.has_value() &&
                           (!cur->has_value() || std::equal((*cur)->begin(), (*cur)->end(), expected->begin(),
                                                            expected->end()));
        if (!match) {
            MFA_TRY(commit());
            return false;
        }
        if (auto st = put_locked(key, desired, 0); !st) return rollback(std::move(st).error());
        MFA_TRY(commit());
        return true;
    }

    Result<bool> erase(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        std::lock_guard lock(mu_);
        MFA_TRY(begin());
        auto r = erase_locked(key);
        if (!r) return rollback(std::move(r).error());
        MFA_TRY(commit());
        return *r;
    }

    Result<std::optional<Bytes>> take(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        std::lock_guard lock(mu_);
        MFA_TRY(begin());
        auto cur = get_locked(key);
        if (!cur) return rollback(std::move(cur).error());
        if (cur->has_value()) {
            if (auto r = erase_locked(key); !r) return rollback(std::move(r).error());
        }
        MFA_TRY(commit());
        return cur;
    }

    Result<std::int64_t> increment(std::string_view key, std::int64_t by, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        std::lock_guard lock(mu_);
        MFA_TRY(begin());
        auto cur = get_locked(key);
        if (!cur) return rollback(std::move(cur).error());
        std::int64_t v = 0;
        std::int64_t exp = detail::expiry_ms(ttl);
        if (cur->has_value()) {
            auto parsed = parse_i64(as_chars(**cur));
            if (!parsed) return rollback({Errc::store_corrupt, "'" + std::string(key) + "' is not an integer"});
            v = *parsed;
            exp = cur_exp_;
        }
        if (__builtin_add_overflow(v, by, &v)) return rollback({Errc::limit_exceeded, "integer overflow"});
        if (auto st = put_locked(key, as_bytes(std::to_string(v)), exp); !st) return rollback(std::move(st).error());
        MFA_TRY(commit());
        return v;
    }

    Result<KeyPage> scan(std::string_view prefix, std::string_view cursor, std::size_t count) override {
        MFA_TRY(detail::check_ordered_scan(prefix, cursor, count));
        std::lock_guard lock(mu_);
        Use u(scan_.get());
        sq().sqlite3_bind_text(scan_.get(), 1, prefix.data(), static_cast<int>(prefix.size()), SQLITE_TRANSIENT);
        sq().sqlite3_bind_text(scan_.get(), 2, cursor.data(), static_cast<int>(cursor.size()), SQLITE_TRANSIENT);
        sq().sqlite3_bind_int64(scan_.get(), 3, detail::now_ms());
        // One row more than the page: whether it exists says if the listing goes on.
        sq().sqlite3_bind_int64(scan_.get(), 4, static_cast<sqlite3_int64>(count + 1));
        KeyPage page;
        for (;;) {
            const int rc = sq().sqlite3_step(scan_.get());
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return fail("listing keys");
            const auto* p = reinterpret_cast<const char*>(sq().sqlite3_column_text(scan_.get(), 0));
            // Rows come in key order from the prefix on: the first one without it ends the range.
            if (!detail::add_to_page(page, std::string(p, static_cast<std::size_t>(sq().sqlite3_column_bytes(scan_.get(), 0))),
                                     prefix, count))
                break;
        }
        return page;
    }

    Result<Attempt> attempt(const AttemptRequest& req) override {
        MFA_TRY(detail::check_request(req));
        std::lock_guard lock(mu_);
        MFA_TRY(begin());
        Txn txn{*this};
        auto r = detail::run_attempt(txn, req);
        if (!r) return rollback(std::move(r).error());
        MFA_TRY(commit());
        return r;
    }

private:
    struct Txn final : detail::TxnOps {
        explicit Txn(SqliteStore& s) : s_(s) {}
        Result<std::optional<Bytes>> get(std::string_view key) override { return s_.get_locked(key); }
        Status put(std::string_view key, ByteView value) override { return s_.put_locked(key, value, 0); }
        Result<bool> erase(std::string_view key) override { return s_.erase_locked(key); }
        SqliteStore& s_;
    };

    SqliteStore() = default;

    Error fail(std::string_view what) {
        const int code = sq().sqlite3_errcode(db_.get());
        const Errc e = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? Errc::store_unavailable : Errc::io;
        return Error{e, "sqlite: " + std::string(what) + ": " + sq().sqlite3_errmsg(db_.get())};
    }

    Status exec(const char* sql) {
        char* msg = nullptr;
        if (sq().sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg) != SQLITE_OK) {
            Error e = fail(sql);
            sq().sqlite3_free(msg);
            return e;
        }
        return {};
    }

    Status prepare(Stmt& st, const char* sql) {
        if (sq().sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, st.out(), nullptr) != SQLITE_OK)
            return fail("prepare");
        return {};
    }

    Status init(const std::string& path, const SqliteOptions& opts) {
        sqlite3* raw = nullptr;
        // A backup copy is read as immutable: SQLite takes no lock and creates no -wal or -shm file
        // beside it, so verifying a backup never changes it.
        const std::string name = opts.read_only ? "file:" + uri_path(path) + "?mode=ro&immutable=1" : path;
        const int flags = opts.read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
                                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        const int rc = sq().sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
        db_.reset(raw);
        if (rc != SQLITE_OK) {
            return {Errc::store_unavailable,
                    "sqlite: cannot open '" + path + "': " + (raw ? sq().sqlite3_errmsg(raw) : "out of memory")};
        }
        sq().sqlite3_busy_timeout(db_.get(), static_cast<int>(opts.busy_timeout.count()));
        sq().sqlite3_extended_result_codes(db_.get(), 0);
        if (!opts.read_only) {
            MFA_TRY(exec("PRAGMA journal_mode=WAL"));
            MFA_TRY(exec("PRAGMA synchronous=FULL"));
            MFA_TRY(exec(kSqliteSchema));
        }
        MFA_TRY(prepare(get_, "SELECT v, exp FROM kv WHERE k = ?1"));
        MFA_TRY(prepare(put_, "INSERT INTO kv (k, v, exp) VALUES (?1, ?2, ?3) "
                              "ON CONFLICT (k) DO UPDATE SET v = excluded.v, exp = excluded.exp"));
        MFA_TRY(prepare(del_, "DELETE FROM kv WHERE k = ?1"));
        MFA_TRY(prepare(scan_, "SELECT k FROM kv WHERE k >= ?1 AND k > ?2 AND (exp = 0 OR exp > ?3) ORDER BY k LIMIT ?4"));
        MFA_TRY(prepare(begin_, "BEGIN IMMEDIATE"));
        MFA_TRY(prepare(commit_, "COMMIT"));
        MFA_TRY(prepare(rollback_, "ROLLBACK"));
        return {};
    }

    Status step_done(Stmt& st, std::string_view what) {
        Use u(st.get());
        if (sq().sqlite3_step(st.get()) != SQLITE_DONE) return fail(what);
        return {};
    }
    Status begin() { return step_done(begin_, "BEGIN IMMEDIATE"); }
    // A COMMIT that fails can leave the transaction open (SQLITE_BUSY does): without the rollback
    // every later BEGIN IMMEDIATE on this connection would fail until a restart.
    Status commit() {
        if (auto st = step_done(commit_, "COMMIT"); !st) return rollback(std::move(st).error());
        return {};
    }
    Error rollback(Error e) {
        // SQLite has already ended the transaction after some errors (SQLITE_FULL, SQLITE_IOERR).
        if (sq().sqlite3_get_autocommit(db_.get()) == 0) {
            Use u(rollback_.get());
            (void)sq().sqlite3_step(rollback_.get());
        }
        return e;
    }

    // The live value (expired rows read as absent); sets cur_exp_.
    Result<std::optional<Bytes>> get_locked(std::string_view key) {
        Use u(get_.get());
        sq().sqlite3_bind_text(get_.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
        const int rc = sq().sqlite3_step(get_.get());
        if (rc == SQLITE_DONE) return std::optional<Bytes>{};
        if (rc != SQLITE_ROW) return fail("reading a key");
        cur_exp_ = sq().sqlite3_column_int64(get_.get(), 1);
        if (cur_exp_ != 0 && cur_exp_ <= detail::now_ms()) return std::optional<Bytes>{};
        const auto* p = static_cast<const std::uint8_t*>(sq().sqlite3_column_blob(get_.get(), 0));
        const auto n = static_cast<std::size_t>(sq().sqlite3_column_bytes(get_.get(), 0));
        return std::optional<Bytes>{Bytes(p, p + n)};
    }

    Status put_locked(std::string_view key, ByteView value, std::int64_t exp) {
        Use u(put_.get());
        sq().sqlite3_bind_text(put_.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
        if (value.empty()) {
            sq().sqlite3_bind_zeroblob(put_.get(), 2, 0);  // a NULL data pointer would bind SQL NULL
        } else {
            sq().sqlite3_bind_blob(put_.get(), 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
        }
        sq().sqlite3_bind_int64(put_.get(), 3, exp);
        if (sq().sqlite3_step(put_.get()) != SQLITE_DONE) return fail("writing a key");
        return {};
    }

    // Deletes the row; true when it was live.
    Result<bool> erase_locked(std::string_view key) {
        auto cur = get_locked(key);
        if (!cur) return std::move(cur).error();
        Use u(del_.get());
        sq().sqlite3_bind_text(del_.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
        if (sq().sqlite3_step(del_.get()) != SQLITE_DONE) return fail("deleting a key");
        return cur->has_value();
    }

    struct DbClose {
        void operator()(sqlite3* db) const noexcept { sq().sqlite3_close(db); }
    };
    // Declared first so it is destroyed last, after every statement.
    std::unique_ptr<sqlite3, DbClose> db_;
    Stmt get_, put_, del_, scan_, begin_, commit_, rollback_;
    std::int64_t cur_exp_ = 0;
    std::mutex mu_;
};

}  // namespace

Result<std::shared_ptr<Store>> open_sqlite_store(const std::string& path, const SqliteOptions& opts) {
    if (path.empty()) return Error{Errc::invalid_argument, "empty SQLite path"};
    if (const auto& lib = detail::libsqlite(); !lib) return lib.error();
    return SqliteStore::open(path, opts);
}

}  // namespace mfa::store

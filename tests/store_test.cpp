// The store contract: every case runs against the memory, SQLite, Redis and PostgreSQL backends
// (Redis and PostgreSQL on throwaway servers; skipped with a message when they are not installed).
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include <sqlite3.h>
#ifdef MFA_TEST_POSTGRESQL
#include <libpq-fe.h>
#endif

#include <set>

#include "../lib/store/redis_routing.hpp"
#include "mfa/store.hpp"
#include "pg_server.hpp"
#include "redis_server.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::store;

namespace mfa::store {
inline std::ostream& operator<<(std::ostream& os, AttemptOutcome o) { return os << to_string(o); }
}  // namespace mfa::store

namespace {

// One hash tag a case: on Redis Cluster every key of the case is in one slot, as the toolkit's
// keys of one user are (an attempt's keys must share one).
std::string fresh_prefix() {
    static std::atomic<int> n{0};
    return "{t" + std::to_string(getpid()) + "-" + std::to_string(n++) + "}:";
}

struct TempFile {
    TempFile() {
        char tmpl[] = "/tmp/mfa-store-XXXXXX";
        dir = mkdtemp(tmpl);
        path = dir + "/store.db";
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::string dir, path;
};

// The shared PostgreSQL cluster's URL, or nullopt (recorded as a skip) when it cannot run.
std::optional<std::string> postgres_url(const std::string& db = "mfa") {
#ifndef MFA_TEST_POSTGRESQL
    BOOST_TEST(open_store("postgresql:///x").code() == Errc::unsupported);
    test::skip("postgresql backend: built without PostgreSQL support (meson option postgresql)");
    return std::nullopt;
#endif
    auto& pg = test::PgServer::shared();
    if (!pg.available()) {
        test::skip("postgresql backend: " + pg.reason());
        return std::nullopt;
    }
    return pg.url(db);
}

// Runs f(store, key prefix) on each backend.
void each_backend(const std::function<void(Store&, const std::string&)>& f) {
    {
        BOOST_TEST_CONTEXT("memory") {
            auto s = open_memory_store();
            f(*s, fresh_prefix());
        }
    }
    {
        TempFile tmp;
        BOOST_TEST_CONTEXT("sqlite") {
            auto s = open_store("sqlite:" + tmp.path);
            BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
            f(**s, fresh_prefix());
        }
    }
    auto& redis = test::RedisServer::shared();
    if (!redis.available()) {
        test::skip("redis backend: " + redis.reason());
    } else {
        BOOST_TEST_CONTEXT("redis") {
            auto s = open_store(redis.url());
            BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
            f(**s, fresh_prefix());
        }
    }
    if (auto pg = postgres_url()) {
        BOOST_TEST_CONTEXT("postgresql") {
            auto s = open_store(*pg);
            BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
            f(**s, fresh_prefix());
        }
    }
    auto& cluster = test::RedisCluster::shared();
    if (!cluster.available()) {
        test::skip("redis cluster backend: " + cluster.reason());
    } else {
        BOOST_TEST_CONTEXT("redis cluster") {
            auto s = open_store(cluster.url());
            BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
            f(**s, fresh_prefix());
        }
    }
    auto& sentinel = test::RedisSentinelGroup::shared();
    if (!sentinel.available()) {
        test::skip("redis sentinel backend: " + sentinel.reason());
    } else {
        BOOST_TEST_CONTEXT("redis sentinel") {
            auto s = open_store(sentinel.url("?wait_replicas=1&wait_timeout_ms=500"));
            BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
            f(**s, fresh_prefix());
        }
    }
}

// A Redis reply parsed from its wire form, as a server would send it.
struct Parsed {
    explicit Parsed(std::string_view wire) {
        redisReader* r = redisReaderCreate();
        redisReaderFeed(r, wire.data(), wire.size());
        void* out = nullptr;
        if (redisReaderGetReply(r, &out) == REDIS_OK) reply = static_cast<redisReply*>(out);
        redisReaderFree(r);
    }
    ~Parsed() {
        if (reply) freeReplyObject(reply);
    }
    Parsed(const Parsed&) = delete;
    Parsed& operator=(const Parsed&) = delete;
    redisReply* reply = nullptr;
};

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

ThrottleRule rule() {
    ThrottleRule r;
    r.free_failures = 2;
    r.base_delay = 10;
    r.max_delay = 40;
    r.lock_after = 6;
    r.lock_duration = 0;
    return r;
}

AttemptRequest req(const std::string& p, bool success, std::int64_t now) {
    AttemptRequest q;
    q.throttle_key = p + "thr";
    q.rule = rule();
    q.now = now;
    q.success = success;
    return q;
}

// A VFS over the default one that fails writes to WAL files with a chosen code while armed, so a
// COMMIT fails. SQLITE_BUSY leaves the transaction open (SQLite rolls back FULL and IOERR itself):
// the store must roll it back or every later BEGIN IMMEDIATE fails.
class FailingWalVfs {
public:
    static FailingWalVfs& install() {
        static FailingWalVfs v;
        return v;
    }
    void arm(int code) { fail_with_ = code; }
    void disarm() { fail_with_ = SQLITE_OK; }
    int failures() const { return failures_; }

private:
    // Our file wraps the base VFS's file (allocated right after it) and forwards every method.
    struct File {
        sqlite3_file base;
        sqlite3_file* real;
        bool wal;
    };
    static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

    FailingWalVfs() {
        base_ = sqlite3_vfs_find(nullptr);
        vfs_ = *base_;
        vfs_.zName = "mfa-failing-wal";
        vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
        vfs_.xOpen = &open;
        methods_.iVersion = 2;
        methods_.xClose = [](sqlite3_file* f) {
            const int rc = real(f)->pMethods->xClose(real(f));
            f->pMethods = nullptr;
            return rc;
        };
        methods_.xRead = [](sqlite3_file* f, void* d, int n, sqlite3_int64 o) { return real(f)->pMethods->xRead(real(f), d, n, o); };
        methods_.xWrite = &write;
        methods_.xTruncate = [](sqlite3_file* f, sqlite3_int64 n) { return real(f)->pMethods->xTruncate(real(f), n); };
        methods_.xSync = [](sqlite3_file* f, int fl) { return real(f)->pMethods->xSync(real(f), fl); };
        methods_.xFileSize = [](sqlite3_file* f, sqlite3_int64* n) { return real(f)->pMethods->xFileSize(real(f), n); };
        methods_.xLock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); };
        methods_.xUnlock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); };
        methods_.xCheckReservedLock = [](sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); };
        methods_.xFileControl = [](sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); };
        methods_.xSectorSize = [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); };
        methods_.xDeviceCharacteristics = [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); };
        methods_.xShmMap = [](sqlite3_file* f, int i, int sz, int ext, void volatile** p) {
            return real(f)->pMethods->xShmMap(real(f), i, sz, ext, p);
        };
        methods_.xShmLock = [](sqlite3_file* f, int o, int n, int fl) { return real(f)->pMethods->xShmLock(real(f), o, n, fl); };
        methods_.xShmBarrier = [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); };
        methods_.xShmUnmap = [](sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); };
        sqlite3_vfs_register(&vfs_, 1);  // the default from now on: the store opens through it
    }

    static int open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out) {
        FailingWalVfs& me = install();
        File* file = reinterpret_cast<File*>(f);
        file->real = reinterpret_cast<sqlite3_file*>(file + 1);
        file->wal = (flags & SQLITE_OPEN_WAL) != 0;
        const int rc = me.base_->xOpen(me.base_, name, file->real, flags, out);
        f->pMethods = rc == SQLITE_OK && file->real->pMethods != nullptr ? &me.methods_ : nullptr;
        return rc;
    }
    static int write(sqlite3_file* f, const void* data, int n, sqlite3_int64 off) {
        FailingWalVfs& me = install();
        if (reinterpret_cast<File*>(f)->wal && me.fail_with_ != SQLITE_OK) {
            ++me.failures_;
            return me.fail_with_;
        }
        return real(f)->pMethods->xWrite(real(f), data, n, off);
    }

    sqlite3_vfs* base_ = nullptr;
    sqlite3_vfs vfs_{};
    sqlite3_io_methods methods_{};
    std::atomic<int> fail_with_{SQLITE_OK};
    std::atomic<int> failures_{0};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store)

BOOST_AUTO_TEST_CASE(get_put_erase) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(!s.get(p + "a")->has_value());
        BOOST_TEST(s.put(p + "a", b("one")).ok());
        BOOST_TEST((*s.get(p + "a")).value() == b("one"));
        BOOST_TEST(s.put(p + "a", b(std::string("t\0wo", 4))).ok());  // binary-safe
        BOOST_TEST((*s.get(p + "a")).value() == b(std::string("t\0wo", 4)));
        BOOST_TEST(*s.erase(p + "a"));
        BOOST_TEST(!*s.erase(p + "a"));
        BOOST_TEST(!s.get(p + "a")->has_value());
        BOOST_TEST(s.put(p + "empty", ByteView{}).ok());
        BOOST_TEST(s.get(p + "empty")->has_value());
        BOOST_TEST(s.get(p + "empty")->value().empty());
    });
}

BOOST_AUTO_TEST_CASE(key_and_value_limits) {
    each_backend([](Store& s, const std::string&) {
        BOOST_TEST(s.get("").code() == Errc::invalid_argument);
        BOOST_TEST(s.put(std::string(kMaxKeyLength + 1, 'k'), b("v")).code() == Errc::limit_exceeded);
        BOOST_TEST(s.put("k", Bytes(kMaxValueLength + 1, 0)).code() == Errc::limit_exceeded);
        AttemptRequest q;
        q.throttle_key = "x";
        q.rule.lock_after = 101;
        BOOST_TEST(s.attempt(q).code() == Errc::invalid_argument);
    });
}

BOOST_AUTO_TEST_CASE(put_if_absent_and_ttl) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(*s.put_if_absent(p + "n", b("first"), Ttl{1}));
        BOOST_TEST(!*s.put_if_absent(p + "n", b("second")));
        BOOST_TEST((*s.get(p + "n")).value() == b("first"));
        BOOST_TEST(s.put(p + "t", b("x"), Ttl{1}).ok());
        BOOST_TEST(*s.increment(p + "i", 1, Ttl{1}) == 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(2100));
        BOOST_TEST(!s.get(p + "t")->has_value());
        BOOST_TEST(!s.get(p + "i")->has_value());
        BOOST_TEST(*s.put_if_absent(p + "n", b("after expiry")));  // the expired value is gone
        BOOST_TEST(s.keys(p)->size() == 1u);
    });
}

BOOST_AUTO_TEST_CASE(compare_and_set) {
    each_backend([](Store& s, const std::string& p) {
        const std::string k = p + "cas";
        BOOST_TEST(!*s.compare_and_set(k, b("x"), b("y")));  // absent, expected a value
        BOOST_TEST(*s.compare_and_set(k, std::nullopt, b("1")));
        BOOST_TEST(!*s.compare_and_set(k, std::nullopt, b("2")));  // present, expected absent
        BOOST_TEST(!*s.compare_and_set(k, b("0"), b("2")));
        BOOST_TEST(*s.compare_and_set(k, b("1"), b("2")));
        BOOST_TEST((*s.get(k)).value() == b("2"));
    });
}

BOOST_AUTO_TEST_CASE(take_is_single_use) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(s.put(p + "c", b("challenge")).ok());
        auto first = s.take(p + "c");
        BOOST_TEST(first->has_value());
        BOOST_TEST(first->value() == b("challenge"));
        BOOST_TEST(!s.take(p + "c")->has_value());
    });
}

BOOST_AUTO_TEST_CASE(increment) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(*s.increment(p + "n", 5) == 5);
        BOOST_TEST(*s.increment(p + "n", -7) == -2);
        BOOST_TEST(s.put(p + "bad", b("abc")).ok());
        BOOST_TEST(s.increment(p + "bad", 1).code() == Errc::store_corrupt);
    });
}

BOOST_AUTO_TEST_CASE(keys_by_prefix) {
    each_backend([](Store& s, const std::string& p) {
        for (const char* k : {"a:1", "a:2", "a*:3", "b:1", "a:0"}) BOOST_TEST(s.put(p + k, b("v")).ok());
        auto a = s.keys(p + "a:");
        BOOST_REQUIRE(a.ok());
        BOOST_TEST(a->size() == 3u);
        BOOST_TEST(a->front() == p + "a:0");  // sorted
        BOOST_TEST(s.keys(p + "a*")->size() == 1u);  // glob characters are literal
        BOOST_TEST(s.keys(p + "a:", 2).code() == Errc::limit_exceeded);  // never a silent cut
        BOOST_TEST(s.keys(p + "zzz")->empty());
    });
}

BOOST_AUTO_TEST_CASE(scan_walks_every_page) {
    each_backend([](Store& s, const std::string& p) {
        std::set<std::string> want;
        for (int i = 0; i < 25; ++i) {
            const std::string k = p + "s:" + std::to_string(i);
            BOOST_TEST(s.put(k, b("v")).ok());
            want.insert(k);
        }
        BOOST_TEST(s.put(p + "t:1", b("v")).ok());  // outside the prefix
        std::set<std::string> got;
        std::string cursor;
        int pages = 0;
        do {
            auto page = s.scan(p + "s:", cursor, 4);
            BOOST_REQUIRE_MESSAGE(page.ok(), (page.ok() ? std::string() : page.error().to_string()));
            if (s.backend() != "redis") BOOST_TEST(page->keys.size() <= 4u);  // SCAN's COUNT is a hint
            got.insert(page->keys.begin(), page->keys.end());
            cursor = page->cursor;
            BOOST_REQUIRE(++pages < 1000);
        } while (!cursor.empty());
        BOOST_TEST((got == want));
        if (s.backend() != "redis") BOOST_TEST(pages >= 7);
        // keys() collects every page, and says so instead of truncating.
        BOOST_TEST(s.keys(p + "s:")->size() == 25u);
        BOOST_TEST(s.keys(p + "s:", 25)->size() == 25u);
        BOOST_TEST(s.keys(p + "s:", 24).code() == Errc::limit_exceeded);
        BOOST_TEST(s.scan(p + "s:", "", 0).code() == Errc::invalid_argument);
        BOOST_TEST(s.scan(p + "s:", "", kMaxKeyPageSize + 1).code() == Errc::invalid_argument);
        BOOST_TEST(s.scan(p + "s:", "not-a-cursor:x", 4).code() == Errc::invalid_argument);
    });
}

// More keys than the old kMaxListKeys bound: a scan returns all of them, keys() refuses.
BOOST_AUTO_TEST_CASE(scan_past_the_old_limit) {
    constexpr std::size_t kCount = kMaxListKeys + 1;
    auto walk = [](Store& s) {
        std::size_t n = 0;
        std::string cursor;
        do {
            auto page = s.scan("big:", cursor);
            BOOST_REQUIRE(page.ok());
            n += page->keys.size();
            cursor = page->cursor;
        } while (!cursor.empty());
        return n;
    };
    {
        auto s = open_memory_store();
        for (std::size_t i = 0; i < kCount; ++i) BOOST_REQUIRE(s->put("big:" + std::to_string(i), b("v")).ok());
        BOOST_TEST(walk(*s) == kCount);
        BOOST_TEST(s->keys("big:").code() == Errc::limit_exceeded);
    }
    TempFile tmp;
    auto s = open_sqlite_store(tmp.path);
    BOOST_REQUIRE(s.ok());
    {
        // One transaction through SQLite itself: a store put per key would sync 100,001 times.
        sqlite3* db = nullptr;
        BOOST_REQUIRE(sqlite3_open(tmp.path.c_str(), &db) == SQLITE_OK);
        BOOST_REQUIRE(sqlite3_exec(db, "BEGIN; WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                                       "WHERE i < 100000) INSERT INTO kv (k, v) SELECT 'big:' || i, x'76' FROM n; COMMIT",
                                   nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    BOOST_TEST(walk(**s) == kCount);
    BOOST_TEST((*s)->keys("big:").code() == Errc::limit_exceeded);
}

// A failed COMMIT (a full disk, a busy WAL) must not leave the connection inside its transaction.
BOOST_AUTO_TEST_CASE(sqlite_recovers_from_a_failed_commit) {
    auto& vfs = FailingWalVfs::install();
    TempFile tmp;
    auto opened = open_sqlite_store(tmp.path);
    BOOST_REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? std::string() : opened.error().to_string()));
    Store& s = **opened;
    BOOST_REQUIRE(*s.increment("n", 1) == 1);
    for (int code : {SQLITE_BUSY, SQLITE_FULL, SQLITE_IOERR_WRITE}) {
        BOOST_TEST_CONTEXT("code " << code) {
            const int before = vfs.failures();
            vfs.arm(code);
            BOOST_TEST(!s.increment("n", 1).ok());
            BOOST_TEST(!s.compare_and_set("c", std::nullopt, b("x")).ok());
            BOOST_TEST(!s.attempt(req("p:", false, 1000)).ok());
            vfs.disarm();
            BOOST_TEST(vfs.failures() > before);  // the injection did reach the commits
            // Nothing of the failed operations stuck, and the store works again.
            auto n = s.increment("n", 1);
            BOOST_REQUIRE_MESSAGE(n.ok(), (n.ok() ? std::string() : n.error().to_string()));
            BOOST_TEST(*n == 2);
            BOOST_TEST(*s.increment("n", -1) == 1);
            BOOST_TEST(!s.get("c")->has_value());
            BOOST_TEST(s.attempt(req("p:", false, 1000))->failures == 1u);
            BOOST_TEST(*s.erase("p:thr"));
        }
    }
}

BOOST_AUTO_TEST_CASE(attempt_counts_delays_and_locks) {
    each_backend([](Store& s, const std::string& p) {
        std::int64_t now = 1000;
        // Two free failures, then delays of 10, 20, 40, 40 seconds, then the lock at 6.
        for (std::uint32_t i = 1; i <= 2; ++i) {
            auto a = s.attempt(req(p, false, now));
            BOOST_REQUIRE(a.ok());
            BOOST_TEST(a->outcome == AttemptOutcome::rejected);
            BOOST_TEST(a->failures == i);
        }
        BOOST_TEST(s.attempt(req(p, false, now))->failures == 3u);  // the third failure starts the delay
        auto t = s.attempt(req(p, true, now + 5));
        BOOST_TEST(t->outcome == AttemptOutcome::throttled);
        BOOST_TEST(t->retry_after == 5);
        BOOST_TEST(t->failures == 3u);  // not counted
        now += 10;
        BOOST_TEST(s.attempt(req(p, false, now))->failures == 4u);
        BOOST_TEST(s.attempt(req(p, false, now + 19))->outcome == AttemptOutcome::throttled);
        now += 20;
        BOOST_TEST(s.attempt(req(p, false, now))->failures == 5u);
        now += 40;
        auto locked_now = s.attempt(req(p, false, now));
        BOOST_TEST(locked_now->failures == 6u);
        BOOST_TEST(locked_now->newly_locked);
        // Locked: even a correct code is not accepted, and nothing is counted.
        auto l = s.attempt(req(p, true, now + 100000));
        BOOST_TEST(l->outcome == AttemptOutcome::locked);
        BOOST_TEST(l->retry_after == 0);
        BOOST_TEST(s.throttle_state(p + "thr")->failures == 6u);
        // An operator unlock is erasing the throttle key.
        BOOST_TEST(*s.erase(p + "thr"));
        BOOST_TEST(s.attempt(req(p, true, now))->outcome == AttemptOutcome::accepted);
    });
}

BOOST_AUTO_TEST_CASE(attempt_success_resets) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(s.attempt(req(p, false, 10))->failures == 1u);
        BOOST_TEST(s.attempt(req(p, false, 10))->failures == 2u);
        BOOST_TEST(s.attempt(req(p, true, 10))->outcome == AttemptOutcome::accepted);
        BOOST_TEST(s.throttle_state(p + "thr")->failures == 0u);
        BOOST_TEST(s.attempt(req(p, false, 10))->failures == 1u);
    });
}

BOOST_AUTO_TEST_CASE(attempt_lock_duration_expires) {
    each_backend([](Store& s, const std::string& p) {
        auto q = req(p, false, 100);
        q.rule.lock_after = 2;
        q.rule.free_failures = 1;
        q.rule.lock_duration = 60;
        q.rule.base_delay = 0;
        BOOST_TEST(s.attempt(q)->failures == 1u);
        BOOST_TEST(s.attempt(q)->newly_locked);
        q.now = 159;
        q.success = true;
        auto l = s.attempt(q);
        BOOST_TEST(l->outcome == AttemptOutcome::locked);
        BOOST_TEST(l->retry_after == 1);
        q.now = 160;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::accepted);
    });
}

BOOST_AUTO_TEST_CASE(attempt_replay_guard) {
    each_backend([](Store& s, const std::string& p) {
        auto q = req(p, true, 10);
        q.advance_key = p + "last";
        q.step = 100;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::accepted);
        auto again = s.attempt(q);
        BOOST_TEST(again->outcome == AttemptOutcome::replayed);
        BOOST_TEST(again->last_step == 100);
        BOOST_TEST(again->failures == 1u);  // a replay counts as a failure
        q.step = 99;  // an earlier step after a later one was accepted
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::replayed);
        q.step = 101;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::accepted);
        BOOST_TEST(s.get(p + "last")->value() == b("101"));
        // A failed check does not advance the guard.
        q.step = 200;
        q.success = false;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::rejected);
        BOOST_TEST(s.get(p + "last")->value() == b("101"));
    });
}

BOOST_AUTO_TEST_CASE(attempt_consume_once) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(s.put(p + "code", b("")).ok());
        auto q = req(p, true, 10);
        q.consume_key = p + "code";
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::accepted);
        auto second = s.attempt(q);
        BOOST_TEST(second->outcome == AttemptOutcome::rejected);
        BOOST_TEST(second->failures == 1u);
    });
}

BOOST_AUTO_TEST_CASE(attempt_guard_detects_stale_record) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(s.put(p + "rec", b("v1")).ok());
        auto q = req(p, true, 10);
        q.guard_key = p + "rec";
        q.guard_value = b("v1");
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::accepted);
        BOOST_TEST(s.put(p + "rec", b("v2")).ok());
        q.success = false;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::stale);
        BOOST_TEST(s.throttle_state(p + "thr")->failures == 0u);  // a stale attempt changes nothing
        q.guard_value.reset();  // expected absent
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::stale);
        BOOST_TEST(*s.erase(p + "rec"));
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::rejected);
    });
}

// absent_key (the toolkit's account deletion mark): while it exists every attempt is stale and
// changes nothing — checked before the guard and before the throttle rule, so a locked key and a
// changed record answer stale as well.
BOOST_AUTO_TEST_CASE(attempt_absent_key) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(s.put(p + "rec", b("v1")).ok());
        auto q = req(p, true, 10);
        q.absent_key = p + "deleted";
        q.guard_key = p + "rec";
        q.guard_value = b("v1");
        q.advance_key = p + "last";
        q.step = 5;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::accepted);
        BOOST_TEST(s.put(p + "deleted", b("")).ok());  // any value counts, even an empty one
        q.step = 6;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::stale);
        BOOST_TEST(s.get(p + "last")->value() == b("5"));  // not advanced
        q.success = false;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::stale);
        BOOST_TEST(s.throttle_state(p + "thr")->failures == 0u);  // not counted
        // Locked and deleted: stale (the deletion is what the caller must learn).
        BOOST_TEST(s.put(p + "thr", b("10 9")).ok());
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::stale);
        BOOST_TEST(*s.erase(p + "deleted"));
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::locked);
        BOOST_TEST(*s.erase(p + "thr"));
        q.success = true;
        BOOST_TEST(s.attempt(q)->outcome == AttemptOutcome::accepted);
        BOOST_TEST(s.get(p + "last")->value() == b("6"));
        // Alone, without the other keys; and the key is checked like every other key.
        auto only = req(p, true, 11);
        only.absent_key = p + "deleted";
        BOOST_TEST(s.attempt(only)->outcome == AttemptOutcome::accepted);
        only.absent_key = std::string(kMaxKeyLength + 1, 'k');
        BOOST_TEST(s.attempt(only).code() == Errc::limit_exceeded);
    });
}

// The absent key orders attempts against its writer: once the put that creates it has returned,
// no attempt that starts afterwards is accepted (the toolkit relies on this for account deletion).
BOOST_AUTO_TEST_CASE(attempt_absent_key_orders_against_its_writer) {
    each_backend([](Store& s, const std::string& p) {
        std::atomic<bool> marked{false};
        std::atomic<int> accepted_after{0}, accepted{0}, stale{0}, errors{0};
        std::vector<std::thread> ts;
        for (int i = 0; i < 4; ++i)
            ts.emplace_back([&] {
                for (int after_mark = 0; after_mark < 20;) {  // until 20 attempts after the mark
                    const bool after = marked.load();
                    if (after) ++after_mark;
                    auto q = req(p, true, 10);  // no replay guard: threads' steps would race each other
                    q.absent_key = p + "deleted";
                    auto a = s.attempt(q);
                    if (!a) {
                        ++errors;
                        continue;
                    }
                    if (a->outcome == AttemptOutcome::accepted) {
                        ++accepted;
                        if (after) ++accepted_after;
                    } else if (a->outcome == AttemptOutcome::stale) {
                        ++stale;
                    }
                }
            });
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (accepted.load() < 5 && errors.load() == 0 && std::chrono::steady_clock::now() < give_up)
            std::this_thread::yield();  // the attempts are under way
        BOOST_TEST(s.put(p + "deleted", b("x")).ok());
        marked = true;
        for (auto& t : ts) t.join();
        BOOST_TEST(errors.load() == 0);
        BOOST_TEST(accepted_after.load() == 0);
        BOOST_TEST(stale.load() > 0);
    });
}

BOOST_AUTO_TEST_CASE(corrupt_throttle_record) {
    each_backend([](Store& s, const std::string& p) {
        BOOST_TEST(s.put(p + "thr", b("garbage")).ok());
        BOOST_TEST(s.attempt(req(p, true, 1)).code() == Errc::store_corrupt);
        BOOST_TEST(s.throttle_state(p + "thr").code() == Errc::store_corrupt);
    });
}

BOOST_AUTO_TEST_CASE(threads_accept_a_step_once) {
    each_backend([](Store& s, const std::string& p) {
        std::atomic<int> accepted{0};
        std::vector<std::thread> ts;
        for (int i = 0; i < 8; ++i)
            ts.emplace_back([&] {
                auto q = req(p, true, 10);
                q.advance_key = p + "last";
                q.step = 7;
                auto a = s.attempt(q);
                if (a.ok() && a->outcome == AttemptOutcome::accepted) ++accepted;
            });
        for (auto& t : ts) t.join();
        BOOST_TEST(accepted.load() == 1);
    });
}

BOOST_AUTO_TEST_CASE(store_urls) {
    auto m = parse_store_url("memory:");
    BOOST_TEST(m.ok());
    auto sq = parse_store_url("sqlite:/var/lib/x.db");
    BOOST_TEST(sq->path == "/var/lib/x.db");
    BOOST_TEST(parse_store_url("sqlite:///var/x.db")->path == "/var/x.db");
    BOOST_TEST(parse_store_url("sqlite://rel.db").code() == Errc::invalid_argument);
    auto r = parse_store_url("redis://10.0.0.1:6380/3");
    BOOST_TEST(r->host == "10.0.0.1");
    BOOST_TEST(r->port == 6380);
    BOOST_TEST(r->db == 3u);
    auto d = parse_store_url("redis://");
    BOOST_TEST(d->host == "127.0.0.1");
    BOOST_TEST(d->port == 6379);
    BOOST_TEST(parse_store_url("redis://[::1]:7000")->host == "::1");
    BOOST_TEST(parse_store_url("redis://h:0").code() == Errc::invalid_argument);
    BOOST_TEST(parse_store_url("redis://h:65536").code() == Errc::invalid_argument);
    BOOST_TEST(parse_store_url("redis://h/16").code() == Errc::invalid_argument);
    BOOST_TEST(parse_store_url("redis://user:pw@h").code() == Errc::unsupported);
    BOOST_TEST(parse_store_url("postgresx://x").code() == Errc::invalid_argument);
    BOOST_TEST(parse_store_url("sqlite:a\nb").code() == Errc::invalid_argument);
    BOOST_TEST(open_store("redis://127.0.0.1:1/0").code() == Errc::store_unavailable);
    BOOST_TEST(parse_store_url("redis://h?wait_replicas=0")->redis.wait_replicas == 0u);
}

BOOST_AUTO_TEST_CASE(cluster_and_sentinel_urls) {
    auto c = parse_store_url("redis-cluster://10.0.0.1:7000,[::1]:7001,h3/");
    BOOST_REQUIRE(c.ok());
    BOOST_TEST((c->kind == StoreUrl::Kind::redis_cluster));
    BOOST_REQUIRE(c->nodes.size() == 3u);
    BOOST_TEST(c->nodes[0].host == "10.0.0.1");
    BOOST_TEST(c->nodes[0].port == 7000);
    BOOST_TEST(c->nodes[1].host == "::1");
    BOOST_TEST(c->nodes[2].port == 6379);
    BOOST_TEST(parse_store_url("redis-cluster://h:1")->nodes.size() == 1u);
    BOOST_TEST(parse_store_url("redis-cluster://").code() == Errc::invalid_argument);
    BOOST_TEST(parse_store_url("redis-cluster://h:1,").code() == Errc::invalid_argument);
    BOOST_TEST(parse_store_url("redis-cluster://h:1/3").code() == Errc::invalid_argument);  // db 0 only
    BOOST_TEST(parse_store_url("redis-cluster://a@h:1").code() == Errc::unsupported);
    auto s = parse_store_url("redis-sentinel://s1,s2:5000/mymaster/2?wait_replicas=1&wait_timeout_ms=250");
    BOOST_REQUIRE(s.ok());
    BOOST_TEST((s->kind == StoreUrl::Kind::redis_sentinel));
    BOOST_TEST(s->nodes[0].port == 26379);
    BOOST_TEST(s->nodes[1].port == 5000);
    BOOST_TEST(s->master == "mymaster");
    BOOST_TEST(s->db == 2u);
    BOOST_TEST(s->redis.wait_replicas == 1u);
    BOOST_TEST(s->redis.wait_timeout.count() == 250);
    BOOST_TEST(s->redis.timeout > s->redis.wait_timeout);
    BOOST_TEST(parse_store_url("redis-sentinel://s1/").code() == Errc::invalid_argument);       // no master name
    BOOST_TEST(parse_store_url("redis-sentinel://s1/a b").code() == Errc::invalid_argument);
    BOOST_TEST(parse_store_url("redis-sentinel://s1/m/16").code() == Errc::invalid_argument);
    for (const char* bad : {"redis://h?wait_replicas=x", "redis://h?wait_replicas=17", "redis://h?wait_timeout_ms=0",
                            "redis://h?wait_replicas=1&wait_replicas=1", "redis://h?color=red", "redis://h?"})
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(parse_store_url(bad).code() == Errc::invalid_argument); }
    BOOST_TEST(open_store("redis-cluster://127.0.0.1:1").code() == Errc::store_unavailable);
    BOOST_TEST(open_store("redis-sentinel://127.0.0.1:1/m").code() == Errc::store_unavailable);
}

// Known answers from the Redis Cluster specification (crc16 check value, hash tag rules).
BOOST_AUTO_TEST_CASE(cluster_slots_and_hash_tags) {
    using namespace routing;
    BOOST_TEST(crc16("123456789") == 0x31C3);
    BOOST_TEST(key_slot("foo") == 12182);
    BOOST_TEST(key_slot("{user1000}.following") == key_slot("{user1000}.followers"));
    BOOST_TEST(hash_tag("foo{{bar}}zap") == "{bar");
    BOOST_TEST(hash_tag("foo{bar}{zap}") == "bar");
    BOOST_TEST(hash_tag("foo{}{bar}") == "foo{}{bar}");  // an empty tag: the whole key
    BOOST_TEST(hash_tag("foo{bar") == "foo{bar");
    BOOST_TEST(*prefix_slot("mfa:wa:{alice}:") == key_slot("mfa:wa:{alice}:abc"));
    BOOST_TEST(!prefix_slot("mfa:totp:{").has_value());
    BOOST_TEST(!prefix_slot("mfa:totp:{al").has_value());
    BOOST_TEST(!prefix_slot("x{}").has_value());
    BOOST_TEST(!prefix_slot("").has_value());
    const Address me{"10.0.0.9", 7000};
    auto m = parse_redirect("MOVED 3999 127.0.0.1:6381", me);
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST(!m->ask);
    BOOST_TEST(m->slot == 3999);
    BOOST_TEST(m->to.to_string() == "127.0.0.1:6381");
    auto a = parse_redirect("ASK 16383 ::1:7002", me);
    BOOST_REQUIRE(a.has_value());
    BOOST_TEST(a->ask);
    BOOST_TEST(a->to.host == "::1");
    BOOST_TEST(parse_redirect("MOVED 12 :7005", me)->to.host == "10.0.0.9");  // the node did not know its address
    for (const char* bad : {"MOVED 16384 h:1", "MOVED 1 h:0", "MOVED 1 h", "MOVED x h:1", "ERR MOVED 1 h:1", "ASK 1", "MOVED 1 h/x:1"})
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!parse_redirect(bad, me).has_value()); }
}

BOOST_AUTO_TEST_CASE(cluster_slots_reply) {
    using namespace routing;
    const Address me{"10.0.0.9", 7000};
    Parsed ok("*2\r\n*4\r\n:0\r\n:8191\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$2\r\nid\r\n*2\r\n$9\r\n127.0.0.1\r\n:7003\r\n"
              "*3\r\n:8192\r\n:16383\r\n*2\r\n$0\r\n\r\n:7001\r\n");
    BOOST_REQUIRE(ok.reply != nullptr);
    auto r = parse_cluster_slots(*ok.reply, me);
    BOOST_REQUIRE(r.ok());
    BOOST_REQUIRE(r->size() == 2u);
    BOOST_TEST((*r)[0].last == 8191);
    BOOST_TEST((*r)[0].master.port == 7000);  // the master, not the replica after it
    BOOST_TEST((*r)[1].master.host == "10.0.0.9");  // an empty host is the node asked
    for (const char* bad : {"*1\r\n*3\r\n:5\r\n:4\r\n*2\r\n$1\r\nh\r\n:1\r\n",        // last < first
                            "*1\r\n*3\r\n:0\r\n:16384\r\n*2\r\n$1\r\nh\r\n:1\r\n",    // past the last slot
                            "*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n$1\r\nh\r\n:0\r\n",        // port 0
                            "*1\r\n*2\r\n:0\r\n:1\r\n", "+OK\r\n", "*1\r\n:1\r\n"}) {
        Parsed p(bad);
        BOOST_REQUIRE(p.reply != nullptr);
        BOOST_TEST(parse_cluster_slots(*p.reply, me).code() == Errc::store_unavailable);
    }
    Parsed master("*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6380\r\n");
    BOOST_TEST(parse_master_address(*master.reply, me)->port == 6380);
    Parsed nil("*-1\r\n");
    BOOST_TEST(parse_master_address(*nil.reply, me).code() == Errc::store_unavailable);
    Parsed bad_port("*2\r\n$1\r\nh\r\n$5\r\n70000\r\n");
    BOOST_TEST(parse_master_address(*bad_port.reply, me).code() == Errc::store_unavailable);
}

// On a cluster: a listing without a hash tag walks every master; an attempt across slots is
// refused before it is sent; keys of every slot work through one seed (MOVED followed).
BOOST_AUTO_TEST_CASE(cluster_spans_masters) {
    auto& cluster = test::RedisCluster::shared();
    if (!cluster.available()) {
        test::skip("redis cluster: " + cluster.reason());
        return;
    }
    // One seed only: every other master is reached through MOVED and the slot table.
    auto s = open_store("redis-cluster://" + test::RedisCluster::addr(cluster.nodes()[0]->port()));
    BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
    const std::string p = "spread" + std::to_string(getpid()) + ":";
    std::set<std::string> want;
    std::set<unsigned short> masters;
    for (int i = 0; i < 60; ++i) {
        const std::string k = p + std::to_string(i);
        BOOST_REQUIRE((*s)->put(k, b("v")).ok());
        want.insert(k);
        masters.insert(cluster.master_of_slot(routing::key_slot(k)));
    }
    BOOST_TEST(masters.size() == 3u);  // the keys really are spread
    std::set<std::string> got;
    std::string cursor;
    int pages = 0;
    do {
        auto page = (*s)->scan(p, cursor, 7);
        BOOST_REQUIRE_MESSAGE(page.ok(), (page.ok() ? std::string() : page.error().to_string()));
        got.insert(page->keys.begin(), page->keys.end());
        cursor = page->cursor;
        BOOST_REQUIRE(++pages < 1000);
    } while (!cursor.empty());
    BOOST_TEST((got == want));
    BOOST_TEST((*s)->scan(p, "99999-0", 7).code() == Errc::invalid_argument);
    BOOST_TEST((*s)->scan(p, "12", 7).code() == Errc::invalid_argument);
    AttemptRequest q = req(p + "a", true, 10);
    q.advance_key = p + "b";  // another slot
    BOOST_TEST((*s)->attempt(q).code() == Errc::invalid_argument);
    q.advance_key = "{" + q.throttle_key + "}x";  // "{…}" hashes only the tag: the throttle key's slot
    BOOST_TEST((*s)->attempt(q)->outcome == AttemptOutcome::accepted);
    q.absent_key = p + "c";  // the deletion mark is one of the attempt's keys too
    BOOST_TEST((*s)->attempt(q).code() == Errc::invalid_argument);
}

// WAIT: with more replicas asked for than exist, an accepted step and a take fail closed (the step
// is spent all the same); rejections, plain writes and reads are unaffected.
BOOST_AUTO_TEST_CASE(wait_fails_closed_without_replicas) {
    auto& redis = test::RedisServer::shared();
    if (!redis.available()) {
        test::skip("redis: " + redis.reason());
        return;
    }
    auto s = open_store("redis://127.0.0.1:" + std::to_string(redis.port()) + "/0?wait_replicas=1&wait_timeout_ms=50");
    BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
    const std::string p = fresh_prefix();
    auto q = req(p, true, 10);
    q.advance_key = p + "last";
    q.step = 5;
    auto a = (*s)->attempt(q);
    BOOST_TEST(a.code() == Errc::store_unavailable);
    BOOST_TEST(a.error().detail.find("0 of 1 replicas") != std::string::npos);
    BOOST_TEST((*s)->get(p + "last")->value() == b("5"));  // spent: the same step is a replay now
    q.success = false;
    BOOST_TEST((*s)->attempt(q)->outcome == AttemptOutcome::rejected);
    BOOST_TEST((*s)->put(p + "c", b("x")).ok());
    BOOST_TEST((*s)->take(p + "c").code() == Errc::store_unavailable);
    BOOST_TEST(!(*s)->get(p + "c")->has_value());
    BOOST_TEST(!(*s)->take(p + "c")->has_value());  // nothing taken: nothing to confirm
    // Without WAIT the same store accepts.
    auto plain = open_store(redis.url());
    q.success = true;
    q.step = 6;
    BOOST_TEST((*plain)->attempt(q)->outcome == AttemptOutcome::accepted);
}

BOOST_AUTO_TEST_CASE(postgres_url_parameters) {
    auto u = parse_store_url("postgresql://app:pw@db.example:5433/mfa?sslmode=verify-full&pool_size=8&"
                             "pool_wait_ms=250&lock_timeout_ms=900&target_session_attrs=read-write");
    BOOST_REQUIRE(u.ok());
    BOOST_TEST((u->kind == StoreUrl::Kind::postgresql));
    // The store's own parameters are taken out; libpq's stay, in order.
    BOOST_TEST(u->conninfo == "postgresql://app:pw@db.example:5433/mfa?sslmode=verify-full&target_session_attrs=read-write");
    BOOST_TEST(u->postgres.pool_size == 8u);
    BOOST_TEST(u->postgres.pool_wait.count() == 250);
    BOOST_TEST(u->postgres.lock_timeout.count() == 900);
    BOOST_TEST(parse_store_url("postgres://h/d?pool_size=2")->conninfo == "postgres://h/d");
    BOOST_TEST(parse_store_url("postgres://h/d")->postgres.pool_size == 4u);
    for (const char* bad : {"postgresql://h/d?pool_size=0", "postgresql://h/d?pool_size=65", "postgresql://h/d?pool_size=x",
                            "postgresql://h/d?pool_wait_ms=", "postgresql://h/d?lock_timeout_ms=600001"}) {
        BOOST_TEST_CONTEXT(bad) {
            auto r = parse_store_url(bad);
            BOOST_TEST(r.code() == Errc::invalid_argument);
            const std::string_view name = std::string_view(bad).substr(17, std::string_view(bad).find('=') - 17);
            BOOST_TEST(r.error().to_string().find(name) != std::string::npos);  // names it
        }
    }
    // A password never comes back in an error about the URL.
    auto e = parse_store_url("postgresql://app:Hunter2pw@h/d?pool_size=99");
    BOOST_TEST(e.code() == Errc::invalid_argument);
    BOOST_TEST(e.error().to_string().find("Hunter2pw") == std::string::npos);
}

#ifdef MFA_TEST_POSTGRESQL

// Servers starting together on an empty database create the schema once; a schema newer than this
// code is refused rather than used.
BOOST_AUTO_TEST_CASE(postgres_schema_is_created_once) {
    auto& pg = test::PgServer::shared();
    if (!pg.available()) return test::skip("postgresql: " + pg.reason());
    const std::string db = pg.create_database("schema_" + std::to_string(getpid()));
    BOOST_REQUIRE(!db.empty());
    std::atomic<int> opened{0};
    std::vector<std::string> errors(8);
    std::vector<std::thread> ts;
    for (int i = 0; i < 8; ++i)
        ts.emplace_back([&, i] {
            auto s = open_store(pg.url(db));
            if (s.ok() && (*s)->put("k" + std::to_string(i), b("v")).ok()) ++opened;
            else if (!s.ok()) errors[static_cast<std::size_t>(i)] = s.error().to_string();
        });
    for (auto& t : ts) t.join();
    for (const auto& e : errors) BOOST_TEST(e.empty(), e);
    BOOST_TEST(opened.load() == 8);
    BOOST_TEST(pg.psql("DO $$BEGIN IF (SELECT count(*) FROM mfa_schema_version) <> 1 OR "
                       "(SELECT max(version) FROM mfa_schema_version) <> 1 THEN RAISE EXCEPTION 'versions'; END IF; END$$",
                       db) == 0);
    auto again = open_store(pg.url(db));  // idempotent: the data stays
    BOOST_REQUIRE(again.ok());
    BOOST_TEST((*again)->keys("k")->size() == 8u);
    BOOST_REQUIRE(pg.psql("INSERT INTO mfa_schema_version (version) VALUES (99)", db) == 0);
    auto newer = open_store(pg.url(db));
    BOOST_TEST(newer.code() == Errc::unsupported);
    BOOST_TEST(newer.error().to_string().find("version 99") != std::string::npos);
}

// Password authentication over TCP through the URL; no libpq message repeats the password.
BOOST_AUTO_TEST_CASE(postgres_password_is_used_and_never_shown) {
    auto& pg = test::PgServer::shared();
    if (!pg.available()) return test::skip("postgresql: " + pg.reason());
    auto good = open_store(pg.tcp_url(test::PgServer::kPassword));
    BOOST_REQUIRE_MESSAGE(good.ok(), (good.ok() ? std::string() : good.error().to_string()));
    BOOST_TEST((*good)->put(fresh_prefix() + "x", b("y")).ok());
    auto wrong = open_store(pg.tcp_url("Wr0ngPa55"));
    BOOST_TEST(wrong.code() == Errc::store_unavailable);
    BOOST_TEST(wrong.error().to_string().find("password authentication failed") != std::string::npos);
    BOOST_TEST(wrong.error().to_string().find("Wr0ngPa55") == std::string::npos);
    // libpq quotes the token it cannot decode: here, the password.
    auto garbled = open_store(pg.tcp_url("Zq%zzPw"));
    BOOST_TEST(garbled.code() == Errc::store_unavailable);
    BOOST_TEST(garbled.error().to_string().find("percent") != std::string::npos, garbled.error().to_string());
    BOOST_TEST(garbled.error().to_string().find("Zq%zzPw") == std::string::npos, garbled.error().to_string());
    auto param = open_store("postgresql://mfa@127.0.0.1:" + std::to_string(pg.port()) + "/mfa?password=Kw9x%20yz");
    BOOST_TEST(param.code() == Errc::store_unavailable);
    BOOST_TEST(param.error().to_string().find("Kw9x") == std::string::npos, param.error().to_string());
}

// TLS through the URL: verify-full against the server's certificate works, against another root it
// is refused (so the first was TLS, and checked).
BOOST_AUTO_TEST_CASE(postgres_tls_through_the_url) {
    auto& pg = test::PgServer::shared();
    if (!pg.available()) return test::skip("postgresql: " + pg.reason());
    if (pg.certificate().empty()) return test::skip("postgresql TLS: no openssl command to make a certificate");
    const std::string base = pg.tcp_url(test::PgServer::kPassword) + "?sslmode=verify-full&sslrootcert=";
    auto ok = open_store(base + pg.certificate());
    BOOST_REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? std::string() : ok.error().to_string()));
    BOOST_TEST((*ok)->put(fresh_prefix() + "tls", b("v")).ok());
    TempFile other;
    BOOST_REQUIRE(test::PgServer::run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                       other.dir + "/k", "-out", other.dir + "/c", "-days", "2", "-subj", "/CN=127.0.0.1"},
                                      true) == 0);
    auto refused = open_store(base + other.dir + "/c");
    BOOST_TEST(refused.code() == Errc::store_unavailable);
    BOOST_TEST(refused.error().to_string().find("certificate") != std::string::npos, refused.error().to_string());
    BOOST_TEST(refused.error().to_string().find(test::PgServer::kPassword) == std::string::npos);
}

// A pool of one connection serves many threads, one at a time, and loses no increment.
BOOST_AUTO_TEST_CASE(postgres_pool_of_one_serves_threads) {
    auto& pg = test::PgServer::shared();
    if (!pg.available()) return test::skip("postgresql: " + pg.reason());
    auto s = open_store(pg.url() + "&pool_size=1&pool_wait_ms=20000");
    BOOST_REQUIRE(s.ok());
    const std::string k = fresh_prefix() + "n";
    std::atomic<int> errors{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 6; ++i)
        ts.emplace_back([&] {
            for (int j = 0; j < 20; ++j)
                if (!(*s)->increment(k, 1).ok()) ++errors;
        });
    for (auto& t : ts) t.join();
    BOOST_TEST(errors.load() == 0);
    BOOST_TEST(*(*s)->increment(k, 0) == 120);
}

// The key lock is the one docs/server.md names (class 0x6d666b31, FNV-1a of the key), so an operator
// can take it; a call waits for it at most lock_timeout_ms, and a call waits for a connection at most
// pool_wait_ms. Both fail as store_unavailable, saying which limit, and change nothing.
BOOST_AUTO_TEST_CASE(postgres_lock_and_pool_waits_are_bounded) {
    auto& pg = test::PgServer::shared();
    if (!pg.available()) return test::skip("postgresql: " + pg.reason());
    auto opened = open_store(pg.url() + "&pool_size=1&pool_wait_ms=300&lock_timeout_ms=1500");
    BOOST_REQUIRE(opened.ok());
    Store& s = **opened;
    const std::string key = fresh_prefix() + "locked";
    BOOST_REQUIRE(s.put(key, b("before")).ok());
    std::uint32_t h = 2166136261u;
    for (unsigned char c : key) h = (h ^ c) * 16777619u;
    PGconn* op = PQconnectdb(("dbname=mfa user=mfa host=" + pg.dir() + " port=" + std::to_string(pg.port())).c_str());
    BOOST_REQUIRE(PQstatus(op) == CONNECTION_OK);
    const std::string lock = "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(0x6d666b31) + ", " +
                             std::to_string(static_cast<std::int32_t>(h)) + ")";
    PQclear(PQexec(op, lock.c_str()));
    BOOST_REQUIRE(PQtransactionStatus(op) == PQTRANS_INTRANS);
    // One call waits on the lock and holds the pool's only connection; a second finds no connection.
    Status waited;
    std::thread t([&] { waited = s.put(key, b("during")); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto starved = s.get(key);
    BOOST_TEST(starved.code() == Errc::store_unavailable);
    BOOST_TEST(starved.error().to_string().find("pool_size 1") != std::string::npos, starved.error().to_string());
    t.join();
    BOOST_TEST(waited.code() == Errc::store_unavailable);
    BOOST_TEST(waited.error().to_string().find("lock_timeout_ms") != std::string::npos, waited.error().to_string());
    BOOST_TEST(s.get(key)->value() == b("before"));
    PQclear(PQexec(op, "COMMIT"));
    PQfinish(op);
    BOOST_TEST(s.put(key, b("after")).ok());
    BOOST_TEST(s.get(key)->value() == b("after"));
}

// A connection lost while COMMIT is in flight is an error, never a second try: with a synchronous
// standby that does not exist, COMMIT waits (committed locally, not yet acknowledged); the backend
// is terminated in that wait. The failure is then counted once — a blind retry would count it twice.
BOOST_AUTO_TEST_CASE(postgres_commit_lost_in_flight_is_not_retried) {
    auto& pg = test::PgServer::shared();
    if (!pg.available()) return test::skip("postgresql: " + pg.reason());
    auto opened = open_store(pg.url() + "&pool_size=1");
    BOOST_REQUIRE(opened.ok());
    Store& s = **opened;
    const std::string p = fresh_prefix();
    BOOST_REQUIRE(s.attempt(req(p, false, 10))->failures == 1u);
    auto sync_rep = [&](bool on) {
        return pg.psql(on ? "ALTER SYSTEM SET synchronous_standby_names = 'ghost'" : "ALTER SYSTEM RESET synchronous_standby_names") == 0 &&
               pg.psql("SELECT pg_reload_conf()") == 0;
    };
    BOOST_REQUIRE(sync_rep(true));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the reload reaches the backends
    Result<Attempt> during = Error{Errc::internal, "not run"};
    std::thread t([&] { during = s.attempt(req(p, false, 10)); });
    bool terminated = false;
    for (int i = 0; i < 100 && !terminated; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        terminated = pg.psql("DO $$BEGIN IF (SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE application_name = 'mfakit' AND wait_event = 'SyncRep') = 0 THEN "
                             "RAISE EXCEPTION 'not waiting yet'; END IF; END$$") == 0;
    }
    const bool reset = sync_rep(false);
    t.join();
    BOOST_REQUIRE(reset);
    BOOST_REQUIRE(terminated);
    BOOST_TEST(during.code() == Errc::store_unavailable);
    if (!during.ok()) BOOST_TEST(during.error().to_string().find("not retried") != std::string::npos, during.error().to_string());
    BOOST_TEST(s.throttle_state(p + "thr")->failures == 2u);  // the lost call committed once, locally
}

// pg_ctl restart in the middle of a storm of failed attempts: calls during the outage fail, none is
// counted twice, the replay guard written before survives, and calls after it succeed at once.
BOOST_AUTO_TEST_CASE(postgres_restart_mid_run) {
    auto& pg = test::PgServer::shared();
    if (!pg.available()) return test::skip("postgresql: " + pg.reason());
    auto opened = open_store(pg.url() + "&pool_size=4");
    BOOST_REQUIRE(opened.ok());
    Store& s = **opened;
    const std::string p = fresh_prefix();
    auto accept = req(p + "a:", true, 10);
    accept.advance_key = p + "last";
    accept.step = 100;
    BOOST_REQUIRE(s.attempt(accept)->outcome == AttemptOutcome::accepted);
    std::atomic<int> counted{0}, errors{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i)
        ts.emplace_back([&] {
            auto q = req(p, false, 10);
            q.rule.free_failures = 98;
            q.rule.lock_after = 100;
            for (int n = 0; n < 20 && !stop; ++n) {
                auto a = s.attempt(q);
                if (a.ok() && a->outcome == AttemptOutcome::rejected) ++counted;
                else if (!a.ok()) ++errors;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    BOOST_REQUIRE(pg.restart());
    for (auto& t : ts) t.join();
    auto st = s.throttle_state(p + "thr");
    BOOST_REQUIRE_MESSAGE(st.ok(), (st.ok() ? std::string() : st.error().to_string()));
    BOOST_TEST_MESSAGE("restart: " << counted.load() << " counted, " << errors.load() << " failed, " << st->failures
                                   << " stored");
    BOOST_TEST(st->failures >= static_cast<std::uint32_t>(counted.load()));
    BOOST_TEST(st->failures <= static_cast<std::uint32_t>(counted.load() + errors.load()));
    BOOST_TEST(counted.load() > 0);
    // The step accepted before the restart is still the last one.
    BOOST_TEST(s.attempt(accept)->outcome == AttemptOutcome::replayed);
    accept.step = 101;
    BOOST_TEST(s.attempt(accept)->outcome == AttemptOutcome::accepted);
    // With no traffic during it, not even the first call after a restart fails: the pool notices
    // the closed connections before lending them.
    BOOST_REQUIRE(pg.restart());
    auto n = s.increment(p + "after", 1);
    BOOST_TEST(n.ok(), (n.ok() ? std::string() : n.error().to_string()));
    BOOST_TEST(s.get(p + "last")->value() == b("101"));
}

#endif

BOOST_AUTO_TEST_CASE(rule_validation) {
    ThrottleRule r;
    BOOST_TEST(validate(r).ok());
    r.lock_after = 100;
    BOOST_TEST(validate(r).ok());
    r.lock_after = 101;
    BOOST_TEST(validate(r).code() == Errc::invalid_argument);
    r.lock_after = 3;
    r.free_failures = 3;
    BOOST_TEST(validate(r).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// The store backends the toolkit suites run their cases on, one list for all of them: memory,
// SQLite, one Redis, a Redis Cluster of 3 masters + 3 replicas, Redis behind Sentinel with WAIT 1,
// and PostgreSQL -- the servers each test program shares (redis_server.hpp, pg_server.hpp), started
// on first use and stopped at exit. A backend that cannot run here (a server not installed, built
// without PostgreSQL) is recorded with test::skip, naming it.
#pragma once

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "mfa/store.hpp"
#include "pg_server.hpp"
#include "redis_server.hpp"
#include "test_support.hpp"

namespace mfa::test {

// Opens a store on the backend under test: a new connection (pool, file handle) each call for
// every backend but memory, so two calls play two servers on one store.
using StoreOpener = std::function<std::shared_ptr<store::Store>()>;

enum class Stores {
    shared,  // the backend's one store: cases use names of their own (fresh_user)
    empty,   // an empty store for each call: cases that count or walk everything in it (the audit
             // chain, the purge index, rewrap) -- a new SQLite file or PostgreSQL database, the
             // Redis server, every cluster master and the Sentinel master flushed
};

inline StoreOpener store_opener(const std::string& url) {
    return [url] {
        auto s = store::open_store(url);
        BOOST_REQUIRE_MESSAGE(s.ok(), url + ": " + (s.ok() ? std::string() : s.error().to_string()));
        return *s;
    };
}

// Runs f(backend name, open) once per backend, inside a BOOST_TEST_CONTEXT naming the backend.
inline void each_store_backend(Stores stores, const std::function<void(const std::string&, const StoreOpener&)>& f) {
    static std::atomic<int> round{0};
    const std::string tag = std::to_string(getpid()) + "_" + std::to_string(round++);
    const bool empty = stores == Stores::empty;
    BOOST_TEST_CONTEXT("memory") {
        auto s = store::open_memory_store();
        f("memory", [s] { return s; });
    }
    const auto dir = std::filesystem::temp_directory_path() / ("mfa-backends-" + tag);
    std::filesystem::create_directories(dir);
    BOOST_TEST_CONTEXT("sqlite") { f("sqlite", store_opener("sqlite:" + (dir / "s.db").string())); }
    std::filesystem::remove_all(dir);

    if (auto& redis = RedisServer::shared(); !redis.available()) {
        skip("redis backend: " + redis.reason());
    } else {
        BOOST_TEST_CONTEXT("redis") {
            if (empty) BOOST_REQUIRE(redis_flushall(redis.port()));
            f("redis", store_opener(redis.url()));
        }
    }
    if (auto& cluster = RedisCluster::shared(); !cluster.available()) {
        skip("redis cluster backend: " + cluster.reason());
    } else {
        BOOST_TEST_CONTEXT("redis cluster") {
            if (empty) BOOST_REQUIRE(cluster.flushall());
            f("redis cluster", store_opener(cluster.url()));
        }
    }
    if (auto& sentinel = RedisSentinelGroup::shared(); !sentinel.available()) {
        skip("redis sentinel backend: " + sentinel.reason());
    } else {
        BOOST_TEST_CONTEXT("redis sentinel, WAIT 1") {
            if (empty) BOOST_REQUIRE(sentinel.flushall());
            // Every replay guard and recovery code acknowledged by the replica before it is reported.
            f("redis sentinel", store_opener(sentinel.url("?wait_replicas=1&wait_timeout_ms=500")));
        }
    }
#ifdef MFA_TEST_POSTGRESQL
    if (auto& pg = PgServer::shared(); !pg.available()) {
        skip("postgresql backend: " + pg.reason());
    } else {
        BOOST_TEST_CONTEXT("postgresql") {
            std::string db = "mfa";
            if (empty) {
                db = pg.create_database("t_" + tag);
                BOOST_REQUIRE(!db.empty());
            }
            f("postgresql", store_opener(pg.url(db)));
        }
    }
#else
    skip("postgresql backend: built without PostgreSQL support");
#endif
}

}  // namespace mfa::test

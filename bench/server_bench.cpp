// Verifications per second through each store (memory, SQLite, Redis on loopback), on the accept
// path: an enrolled user submits a fresh valid code each time (the clock advances one step per
// verification, so every code is new and accepted). Redis is compared with redis-benchmark's
// single-connection rate for one command (GET), a 3-master Redis Cluster (with and without WAIT 1)
// with redis-benchmark --cluster, PostgreSQL with pgbench's simple-update transactions (pgbench -N,
// one client), each measured on the same throwaway server in the same run.
//   server_bench [verifications]      (needs redis-server, redis-cli and redis-benchmark for the Redis rows,
//                                      the PostgreSQL server binaries and pgbench for the PostgreSQL rows)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "../tests/pg_server.hpp"
#include "../tests/redis_server.hpp"
#include "mfa/encoding.hpp"
#include "mfa/server/toolkit.hpp"

using namespace mfa;
using namespace mfa::server;

static double run(const std::string& url, int n, const std::string& user = "alice") {
    std::int64_t clock = 1'700'000'000;
    ToolkitConfig cfg;
    cfg.clock = [&] { return clock; };
    auto st = store::open_store(url);
    if (!st) {
        std::fprintf(stderr, "%s: %s\n", url.c_str(), st.error().to_string().c_str());
        return 0;
    }
    auto tk = *Toolkit::create(*st, *KeyRing::generate(), cfg);
    auto e = tk->totp_begin(user, "", {});
    if (!e) {
        std::fprintf(stderr, "%s: %s\n", url.c_str(), e.error().to_string().c_str());
        return 0;
    }
    auto otp = *Otp::create(*base32_decode(e->secret_base32.view()), {});
    auto confirmed = tk->totp_confirm(user, otp.generate(clock).view(), {});
    if (!confirmed || !confirmed->ok()) {
        std::fprintf(stderr, "%s: enrollment: %s\n", url.c_str(), confirmed ? "refused" : confirmed.error().to_string().c_str());
        return 0;
    }
    std::vector<std::string> codes;
    for (int i = 1; i <= n; ++i) codes.emplace_back(otp.generate(clock + 30 * i).view());
    (void)tk->totp_verify(user, "000000", {});  // warm the factor cache (and count one failure)
    (void)tk->unlock(user, {});
    const auto t0 = std::chrono::steady_clock::now();
    int ok = 0;
    for (int i = 0; i < n; ++i) {
        clock += 30;
        auto r = tk->totp_verify(user, codes[static_cast<std::size_t>(i)], {});
        if (r && r->ok()) ++ok;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (ok != n) std::fprintf(stderr, "%s: only %d of %d accepted\n", url.c_str(), ok, n);
    return n / s;
}

// redis-benchmark's rate for GET over one connection (0 when it could not run).
static double redis_benchmark(unsigned short port, int n, const std::string& extra) {
    const std::string cmd = "redis-benchmark -p " + std::to_string(port) + " " + extra + " -c 1 -n " + std::to_string(n) +
                            " -t get -q 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512];
    double rb = 0;
    // -q prints progress lines separated by '\r', then "GET: <n> requests per second, ...".
    while (p && std::fgets(buf, sizeof buf, p)) {
        std::string line(buf);
        const auto end = line.find(" requests per second");
        if (end == std::string::npos) continue;
        const auto start = line.rfind("GET: ", end);
        if (start != std::string::npos) rb = std::atof(line.c_str() + start + 5);
    }
    if (p) pclose(p);
    return rb;
}

// pgbench -N (per transaction: BEGIN, UPDATE pgbench_accounts, SELECT, INSERT pgbench_history,
// END) with one client for `seconds`, on a database of its own; its tps, 0 when it did not run.
static double pgbench_tps(const mfa::test::PgServer& pg, int seconds) {
    if (pg.create_database("pgbench").empty()) return 0;
    const std::string conn = " -h " + pg.dir() + " -p " + std::to_string(pg.port()) + " -U mfa ";
    if (std::system((pg.bin() + "/pgbench -q -i -s 1" + conn + "pgbench >/dev/null 2>&1").c_str()) != 0) return 0;
    const std::string cmd = pg.bin() + "/pgbench -N -c 1 -T " + std::to_string(seconds) + conn + "pgbench 2>/dev/null";
    std::printf("  %s\n", cmd.c_str());
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512];
    double tps = 0;
    while (p && std::fgets(buf, sizeof buf, p))
        if (std::string_view(buf).rfind("tps = ", 0) == 0) tps = std::atof(buf + 6);
    if (p) pclose(p);
    return tps;
}

static void postgres_rows(int n) {
    mfa::test::PgServer pg;
    if (!pg.available()) {
        std::printf("postgresql: skipped (%s)\n", pg.reason().c_str());
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const double pv = run(pg.url(), n);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-8s %12.0f\n", "postgres", pv);
    const double tps = pgbench_tps(pg, std::max(3, static_cast<int>(secs + 0.5)));
    if (tps > 0)
        std::printf("pgbench -N, 1 client: %.0f tps; toolkit verify = %.0f%% of it\n", tps, 100.0 * pv / tps);
}

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IONBF, 0);
    const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
    std::printf("%-8s %12s\n", "store", "verify/s");
    std::printf("%-8s %12.0f\n", "memory", run("memory:", n));
    const auto dir = std::filesystem::temp_directory_path() / ("mfa-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::printf("%-8s %12.0f\n", "sqlite", run("sqlite:" + (dir / "b.db").string(), n / 10));
    std::filesystem::remove_all(dir);
    postgres_rows(n / 4);
    mfa::test::RedisServer redis;
    if (!redis.available()) {
        std::printf("redis: skipped (%s)\n", redis.reason().c_str());
        return 0;
    }
    const double rv = run(redis.url(), n);
    std::printf("%-8s %12.0f\n", "redis", rv);
    const double rb = redis_benchmark(redis.port(), n, "");
    if (rb > 0)
        std::printf("redis-benchmark GET, 1 connection: %.0f req/s; toolkit verify = %.0f%% of it\n", rb, 100.0 * rv / rb);
    mfa::test::RedisCluster cluster;
    if (!cluster.available()) {
        std::printf("redis cluster: skipped (%s)\n", cluster.reason().c_str());
        return 0;
    }
    const double cv = run(cluster.url(), n);
    std::printf("%-8s %12.0f\n", "cluster", cv);
    const double cw = run(cluster.url(0, "?wait_replicas=1&wait_timeout_ms=100"), n / 4, "bob");
    std::printf("%-8s %12.0f   (WAIT 1: the accepted step on a replica before it is reported)\n", "cluster+W", cw);
    const double cb = redis_benchmark(cluster.nodes()[0]->port(), n, "--cluster");
    if (cb > 0)
        std::printf("redis-benchmark --cluster GET, 1 connection: %.0f req/s; toolkit verify = %.0f%% of it\n", cb, 100.0 * cv / cb);
    return 0;
}
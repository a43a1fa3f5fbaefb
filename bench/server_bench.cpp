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
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "../tests/pg_server.hpp"
#include "../tests/redis_server.hpp"
#include "mfa/encoding.hpp"
#include "mfa/server/toolkit.hpp"

using namespace mfa;
using namespace mfa::server;

// One enrolled user on one store, verifying fresh valid codes: the clock advances a step before each
// code, so every call takes the accept path.
class AcceptPath {
public:
    static std::optional<AcceptPath> enroll(const std::string& url, const std::string& user = "alice") {
        auto st = store::open_store(url);
        if (!st) {
            std::fprintf(stderr, "%s: %s\n", url.c_str(), st.error().to_string().c_str());
            return std::nullopt;
        }
        AcceptPath a;
        ToolkitConfig cfg;
        cfg.clock = [clock = a.clock_] { return *clock; };
        a.tk_ = std::move(*Toolkit::create(*st, *KeyRing::generate(), cfg));
        auto e = a.tk_->totp_begin(user, "", {});
        if (!e) {
            std::fprintf(stderr, "%s: %s\n", url.c_str(), e.error().to_string().c_str());
            return std::nullopt;
        }
        a.otp_ = *Otp::create(*base32_decode(e->secret_base32.view()), {});
        auto confirmed = a.tk_->totp_confirm(user, a.otp_->generate(*a.clock_).view(), {});
        if (!confirmed || !confirmed->ok()) {
            std::fprintf(stderr, "%s: enrollment: %s\n", url.c_str(), confirmed ? "refused" : confirmed.error().to_string().c_str());
            return std::nullopt;
        }
        a.user_ = user;
        a.url_ = url;
        (void)a.tk_->totp_verify(user, "000000", {});  // warm the factor cache (and count one failure)
        (void)a.tk_->unlock(user, {});
        return a;
    }

    // Verifications per second over n fresh codes (made before the clock starts).
    double rate(int n) {
        std::vector<std::string> codes;
        for (int i = 1; i <= n; ++i) codes.emplace_back(otp_->generate(*clock_ + 30 * i).view());
        const auto t0 = std::chrono::steady_clock::now();
        int ok = 0;
        for (int i = 0; i < n; ++i) {
            *clock_ += 30;
            auto r = tk_->totp_verify(user_, codes[static_cast<std::size_t>(i)], {});
            if (r && r->ok()) ++ok;
        }
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (ok != n) std::fprintf(stderr, "%s: only %d of %d accepted\n", url_.c_str(), ok, n);
        return n / s;
    }

private:
    AcceptPath() = default;
    std::shared_ptr<std::int64_t> clock_ = std::make_shared<std::int64_t>(1'700'000'000);
    std::unique_ptr<Toolkit> tk_;
    std::optional<Otp> otp_;
    std::string user_, url_;
};

static double run(const std::string& url, int n, const std::string& user = "alice") {
    auto a = AcceptPath::enroll(url, user);
    return a ? a->rate(n) : 0;
}

// redis-benchmark's rate for GET over one connection (0 when it could not run), over `n` requests.
static double redis_benchmark(unsigned short port, int n, const std::string& extra) {
    const std::string cmd = "redis-benchmark -p " + std::to_string(port) + " " + extra + " -c 1 -n " + std::to_string(n) +
                            " -t get -q 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (p && std::fgets(buf, sizeof buf, p)) out += buf;
    if (p) pclose(p);
    // -q prints progress lines separated by '\r' (one long "line" for fgets: read it whole), then
    // "GET: <n> requests per second, ...".
    const auto end = out.rfind(" requests per second");
    if (end == std::string::npos) return 0;
    const auto start = out.rfind("GET: ", end);
    return start == std::string::npos ? 0 : std::atof(out.c_str() + start + 5);
}

// The output of `redis-cli -p port ARGS` ("" when it could not run).
static std::string redis_cli(unsigned short port, const std::string& args) {
    FILE* p = popen(("redis-cli -p " + std::to_string(port) + " " + args + " 2>/dev/null").c_str(), "r");
    std::string out;
    char buf[512];
    while (p && std::fgets(buf, sizeof buf, p)) out += buf;
    if (p) pclose(p);
    return out;
}

// INFO commandstats of one node for `command` since the last CONFIG RESETSTAT: {calls, usec_per_call}.
static std::pair<long, double> command_stats(unsigned short port, const std::string& command) {
    const std::string out = redis_cli(port, "info commandstats");
    const auto at = out.find("cmdstat_" + command + ":calls=");
    if (at == std::string::npos) return {0, 0};
    const long calls = std::atol(out.c_str() + at + command.size() + 15);
    const auto u = out.find("usec_per_call=", at);
    return {calls, u == std::string::npos ? 0 : std::atof(out.c_str() + u + 14)};
}

// Every command a node ran since the last CONFIG RESETSTAT but the INFO/CONFIG of this bench: read
// right after the toolkit's part of a round, the toolkit's commands — with those its scripts ran
// (Redis 7 counts a script's redis.call()s in INFO commandstats) and a replica's copies of writes.
static long toolkit_calls(unsigned short port) {
    const std::string out = redis_cli(port, "info commandstats");
    long calls = 0;
    for (std::size_t at = out.find("cmdstat_"); at != std::string::npos; at = out.find("cmdstat_", at + 1)) {
        const auto colon = out.find(':', at);
        const std::string name = out.substr(at + 8, colon - at - 8);
        if (name == "info" || name == "config|resetstat" || name == "config" || name.rfind("slowlog", 0) == 0) continue;
        calls += std::atol(out.c_str() + colon + 7);
    }
    return calls;
}

// The commands a client sent per verification, on the node that serves the user (`port`): the slow
// log at threshold 0 records every command, those a script runs under the client name "?:0"; the
// others over `n` verifications count round trips (a pipeline's WAIT or ASKING would count too).
static double sent_per_verification(AcceptPath& ours, unsigned short port, int n) {
    redis_cli(port, "config set slowlog-max-len " + std::to_string(8 * n + 16));
    redis_cli(port, "config set slowlog-log-slower-than 0");
    redis_cli(port, "slowlog reset");
    (void)ours.rate(n);
    redis_cli(port, "config set slowlog-log-slower-than 10000");
    long sent = 0;
    redisContext* c = redisConnect("127.0.0.1", port);
    if (c != nullptr && c->err == 0) {
        auto* r = static_cast<redisReply*>(redisCommand(c, "SLOWLOG GET %d", 8 * n + 16));
        if (r != nullptr && r->type == REDIS_REPLY_ARRAY)
            for (std::size_t i = 0; i < r->elements; ++i) {
                const redisReply* e = r->element[i];
                if (e->elements < 5 || e->element[3]->type != REDIS_REPLY_ARRAY || e->element[3]->elements == 0) continue;
                const std::string_view cmd(e->element[3]->element[0]->str, e->element[3]->element[0]->len);
                const std::string_view client(e->element[4]->str, e->element[4]->len);
                if (client != "?:0" && cmd != "slowlog" && cmd != "SLOWLOG" && cmd != "config" && cmd != "CONFIG") ++sent;
            }
        if (r != nullptr) freeReplyObject(r);
    }
    if (c != nullptr) redisFree(c);
    redis_cli(port, "slowlog reset");
    return static_cast<double>(sent) / n;
}

// Alternating rounds, the toolkit then the peer command, so that both rates of a round see the same
// load on this shared machine; the per-round ratios and their median. `ports`: the nodes whose
// server-side time per EVALSHA and per GET is read (INFO commandstats, reset between the two
// parts), to tell the script's cost on the server from the client's; the commands a verification
// cost are counted on every node (a replica's copy of a write counts too).
static void compare(const char* what, AcceptPath& ours, int n, const std::function<double()>& peer,
                    const std::vector<unsigned short>& ports, unsigned short user_node, int rounds = 5) {
    std::printf("%s: %.2f commands sent per verification (slow log on the user's node)\n", what,
                sent_per_verification(ours, user_node, 500));
    std::vector<double> ratios;
    for (int r = 1; r <= rounds; ++r) {
        for (auto port : ports) redis_cli(port, "config resetstat");
        const double v = ours.rate(n);
        long calls = 0, commands = 0;
        double eval_us = 0, get_us = 0;
        for (auto port : ports) {
            commands += toolkit_calls(port);
            const auto [c, us] = command_stats(port, "evalsha");
            if (c > calls) {
                calls = c;
                eval_us = us;
            }
            redis_cli(port, "config resetstat");
        }
        const double b = peer();
        if (b <= 0) {
            std::printf("%s: the peer benchmark did not run\n", what);
            return;
        }
        for (auto port : ports) {
            const auto [gc, gus] = command_stats(port, "get");
            if (gc > 0) get_us = std::max(get_us, gus);
        }
        ratios.push_back(v / b);
        std::printf("%s round %d: toolkit %8.0f verify/s, peer %8.0f GET/s: %3.0f%%   (server: %.2f commands a verification "
                    "with the script's own; EVALSHA %.2f us, peer's GET %.2f us a call)\n",
                    what, r, v, b, 100.0 * v / b, static_cast<double>(commands) / n, eval_us, get_us);
    }
    std::sort(ratios.begin(), ratios.end());
    std::printf("%s: median toolkit / peer = %.0f%% over %d rounds\n", what, 100.0 * ratios[ratios.size() / 2], rounds);
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
    auto single = AcceptPath::enroll(redis.url());
    if (!single) return 1;
    compare("redis", *single, n, [&] { return redis_benchmark(redis.port(), std::max(n, 50000), ""); }, {redis.port()},
            redis.port());
    mfa::test::RedisCluster cluster;
    if (!cluster.available()) {
        std::printf("redis cluster: skipped (%s)\n", cluster.reason().c_str());
        return 0;
    }
    std::vector<unsigned short> ports;
    for (auto& node : cluster.nodes()) ports.push_back(node->port());
    auto clustered = AcceptPath::enroll(cluster.url());
    if (!clustered) return 1;
    // With --cluster, redis-benchmark's run time comes out in steps of a quarter second (10,000 GETs
    // at ~18,000/s reported as 13,298 or 19,920 a second): 200,000 GETs keep that under ~5 %.
    compare("cluster", *clustered, n, [&] { return redis_benchmark(ports[0], std::max(20 * n, 200000), "--cluster"); }, ports,
            cluster.master_of("mfa:totp:{alice}"));
    const double cw = run(cluster.url(0, "?wait_replicas=1&wait_timeout_ms=100"), n / 4, "bob");
    std::printf("%-8s %12.0f   (WAIT 1: the accepted step on a replica before it is reported)\n", "cluster+W", cw);
    return 0;
}
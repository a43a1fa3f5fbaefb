// Multi-process races on the shared stores (SQLite: several processes; Redis and PostgreSQL: several
// processes × threads), each process with its own connection (pool) and Toolkit, all released at once:
//   - the same valid TOTP code is accepted exactly once (forgekeep/nebula-mesh#237, pad#914);
//   - the same recovery code is consumed exactly once;
//   - failure counters are exact (no lost increments).
// Redis Cluster: 16 processes x 4 threads through different seed nodes while alice's slot migrates
// to another master (ASK, TRYAGAIN, then MOVED). Failover (cluster and Sentinel, WAIT on): the
// master holding alice's keys is killed during a storm of verifications; a replica takes over, the
// service continues, and no code accepted before the kill is accepted again.
// Exit 0 on success, 1 on a violation, 77 (skip) for Redis or PostgreSQL when the server is missing.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <functional>
#include <mutex>

#include "mfa/encoding.hpp"
#include "mfa/server/toolkit.hpp"
#include "mfa_features.h"
#include "pg_server.hpp"
#if MFA_HAVE_REDIS
#include "redis_server.hpp"
#endif

using namespace mfa;
using namespace mfa::server;
namespace test = mfa::test;

namespace {

constexpr std::int64_t kClock = 1'700'000'000;

ToolkitConfig config() {
    ToolkitConfig c;
    c.clock = [] { return kClock + 60; };
    c.throttle.free_failures = 99;  // no delays: every wrong attempt is counted, none refused
    c.throttle.lock_after = 100;
    return c;
}

struct Totals {
    int totp = 0, recovery = 0, errors = 0;
};

// `seeds(p)`: the store URL process p opens. `during`: runs while the processes race.
int run(const std::string& url, int procs, int threads, const std::function<std::string(int)>& seeds = {},
        const std::function<void()>& during = {}) {
    auto ring = KeyRing::generate();
    const std::string ring_text(ring->format().view());
    std::string code, recovery;
    {
        auto st = store::open_store(url);
        if (!st) {
            std::fprintf(stderr, "%s: %s\n", url.c_str(), st.error().to_string().c_str());
            return 1;
        }
        ToolkitConfig c = config();
        c.clock = [] { return kClock; };
        auto tk = *Toolkit::create(*st, *KeyRing::parse(ring_text), c);
        auto e = tk->totp_begin("alice", "", {});
        auto otp = *Otp::create(*base32_decode(e->secret_base32.view()), {});
        if (!tk->totp_confirm("alice", otp.generate(kClock).view(), {})->ok()) return 1;
        code = std::string(otp.generate(kClock + 60).view());
        recovery = std::string((*tk->recovery_generate("alice", {}))[0].view());
    }
    const int wrong_each = 96 / (procs * threads);
    int go[2], results[2];
    if (pipe(go) != 0 || pipe(results) != 0) return 1;
    std::vector<pid_t> kids;
    for (int p = 0; p < procs; ++p) {
        const pid_t pid = fork();
        if (pid == 0) {
            close(go[1]);
            auto st = store::open_store(seeds ? seeds(p) : url);
            auto tk = st ? Toolkit::create(*st, *KeyRing::parse(ring_text), config()) : Result<std::unique_ptr<Toolkit>>(st.error());
            char c;
            if (read(go[0], &c, 1) != 0) _exit(3);  // EOF: everyone starts together
            if (!tk) _exit(2);
            std::atomic<int> totp{0}, rec{0}, errors{0};
            std::vector<std::thread> ts;
            for (int t = 0; t < threads; ++t)
                ts.emplace_back([&] {
                    auto a = (*tk)->totp_verify("alice", code, {});
                    if (!a) ++errors;
                    else if (a->ok()) ++totp;
                    auto r = (*tk)->recovery_use("alice", recovery, {});
                    if (!r) ++errors;
                    else if (r->ok()) ++rec;
                    for (int i = 0; i < wrong_each; ++i) {
                        auto w = (*tk)->totp_verify("bob", "000000", {});
                        if (!w || w->status != Errc::otp_code_mismatch) ++errors;
                    }
                });
            for (auto& t : ts) t.join();
            char line[64];
            const int n = std::snprintf(line, sizeof line, "%d %d %d\n", totp.load(), rec.load(), errors.load());
            if (write(results[1], line, static_cast<std::size_t>(n)) != n) _exit(4);
            _exit(0);
        }
        kids.push_back(pid);
    }
    close(go[0]);
    close(results[1]);
    close(go[1]);  // release them all
    std::thread side;
    if (during) side = std::thread(during);
    Totals sum;
    FILE* in = fdopen(results[0], "r");
    int a = 0, b = 0, e = 0;
    while (std::fscanf(in, "%d %d %d", &a, &b, &e) == 3) {
        sum.totp += a;
        sum.recovery += b;
        sum.errors += e;
    }
    std::fclose(in);
    if (side.joinable()) side.join();
    int bad_exit = 0;
    for (pid_t k : kids) {
        int st = 0;
        waitpid(k, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) ++bad_exit;
    }
    auto st = store::open_store(url);
    auto tk = *Toolkit::create(*st, *KeyRing::parse(ring_text), config());
    const auto bob = tk->lock_status("bob")->second_factor.failures;
    const auto want = static_cast<unsigned>(wrong_each * procs * threads);
    std::printf("%s: %d processes x %d threads: TOTP accepted %d, recovery accepted %d, bob failures %u (want %u), "
                "errors %d, bad exits %d\n",
                url.c_str(), procs, threads, sum.totp, sum.recovery, bob, want, sum.errors, bad_exit);
    return sum.totp == 1 && sum.recovery == 1 && bob == want && sum.errors == 0 && bad_exit == 0 ? 0 : 1;
}

#if MFA_HAVE_REDIS
// hiredis on one node, for the test's own cluster administration.
struct Admin {
    explicit Admin(unsigned short port) : c(redisConnect("127.0.0.1", port)) {}
    ~Admin() {
        if (c) redisFree(c);
    }
    Admin(const Admin&) = delete;
    Admin& operator=(const Admin&) = delete;
    // The reply's text (status, string, error), or its integer in decimal.
    std::string cmd(const std::vector<std::string>& args) {
        std::vector<const char*> p;
        std::vector<std::size_t> l;
        for (const auto& a : args) {
            p.push_back(a.data());
            l.push_back(a.size());
        }
        auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(args.size()), p.data(), l.data()));
        std::string out;
        if (r == nullptr) return "(lost)";
        if (r->type == REDIS_REPLY_INTEGER) out = std::to_string(r->integer);
        else if (r->str) out.assign(r->str, r->len);
        last_keys.clear();
        if (r->type == REDIS_REPLY_ARRAY)
            for (std::size_t i = 0; i < r->elements; ++i)
                if (r->element[i]->type == REDIS_REPLY_STRING) last_keys.emplace_back(r->element[i]->str, r->element[i]->len);
        freeReplyObject(r);
        return out;
    }
    redisContext* c;
    std::vector<std::string> last_keys;
};

// Moves one slot from its master to another (the steps of redis-cli --cluster reshard), pausing
// half-way so that clients meet a slot whose keys are split between the two.
bool migrate_slot(test::RedisCluster& cluster, int slot, std::chrono::milliseconds pause) {
    const unsigned short from = cluster.master_of_slot(slot);
    unsigned short to = 0;
    for (auto& n : cluster.nodes()) {
        Admin a(n->port());
        if (n->port() != from && a.cmd({"ROLE"}) == "" && a.last_keys.size() > 0 && a.last_keys[0] == "master") to = n->port();
    }
    if (from == 0 || to == 0) return false;
    Admin src(from), dst(to);
    const std::string src_id = src.cmd({"CLUSTER", "MYID"}), dst_id = dst.cmd({"CLUSTER", "MYID"});
    const std::string s = std::to_string(slot);
    if (dst.cmd({"CLUSTER", "SETSLOT", s, "IMPORTING", src_id}) != "OK") return false;
    if (src.cmd({"CLUSTER", "SETSLOT", s, "MIGRATING", dst_id}) != "OK") return false;
    bool paused = false;
    while (true) {
        src.cmd({"CLUSTER", "GETKEYSINSLOT", s, paused ? "1000" : "2"});
        std::vector<std::string> keys = src.last_keys;
        if (keys.empty()) break;
        std::vector<std::string> m{"MIGRATE", "127.0.0.1", std::to_string(to), "", "0", "5000", "KEYS"};
        m.insert(m.end(), keys.begin(), keys.end());
        if (src.cmd(m) != "OK") return false;
        if (!paused) {
            std::this_thread::sleep_for(pause);
            paused = true;
        }
    }
    for (auto& n : cluster.nodes()) {
        Admin a(n->port());
        a.cmd({"CLUSTER", "SETSLOT", s, "NODE", dst_id});
    }
    return cluster.master_of_slot(slot) == to;
}

// A storm of TOTP verifications on `url` (4 threads, one step after another); the master serving
// alice is killed half-way by `kill`. Every step is accepted at most once, service resumes after
// the failover, and afterwards no step accepted before (or after) the kill verifies again. With
// WAIT 1 the promoted master accepts nothing until it has a replica again: `revive` waits for the
// promotion, then restarts the killed node, which rejoins as a replica (restarting a master that
// has no persistence before the failover would bring it back empty, and its replica with it).
int failover(const std::string& url, const std::function<void()>& kill, const std::function<void()>& revive) {
    auto ring = KeyRing::generate();
    const std::string ring_text(ring->format().view());
    std::atomic<std::int64_t> now{kClock};
    ToolkitConfig c = config();
    c.clock = [&now] { return now.load(); };
    c.window = {0, 0};
    auto st = store::open_store(url);
    if (!st) {
        std::fprintf(stderr, "%s: %s\n", url.c_str(), st.error().to_string().c_str());
        return 1;
    }
    auto tk = *Toolkit::create(*st, *KeyRing::parse(ring_text), c);
    auto e = tk->totp_begin("alice", "", {});
    if (!e) {
        std::fprintf(stderr, "enroll: %s\n", e.error().to_string().c_str());
        return 1;
    }
    auto otp = *Otp::create(*base32_decode(e->secret_base32.view()), {});
    auto confirmed = tk->totp_confirm("alice", otp.generate(kClock).view(), {});
    if (!confirmed || !confirmed->ok()) {
        std::fprintf(stderr, "confirm: %s\n", confirmed ? "refused" : confirmed.error().to_string().c_str());
        return 1;
    }
    constexpr int kSteps = 400;
    std::vector<std::atomic<int>> accepted(kSteps);
    std::atomic<int> errors{0}, killed_at{-1}, first_after{-1};
    std::thread side;
    for (int step = 1; step < kSteps; ++step) {
        now = kClock + 30LL * step;
        const std::string code(otp.generate(now).view());
        std::vector<std::thread> ts;
        for (int t = 0; t < 4; ++t)
            ts.emplace_back([&, step] {
                auto a = tk->totp_verify("alice", code, {});
                if (!a) {
                    if (++errors % 20 == 1) std::fprintf(stderr, "step %d: %s\n", step, a.error().to_string().c_str());
                } else if (a->ok()) {
                    ++accepted[step];
                    if (killed_at >= 0 && first_after < 0) first_after = step;
                }
            });
        if (step == 40) {
            kill();
            killed_at = step;
            side = std::thread([&] {
                revive();
            });
        }
        for (auto& t : ts) t.join();
        if (first_after >= 0 && step > first_after + 40) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(first_after < 0 && killed_at >= 0 ? 50 : 2));
    }
    if (side.joinable()) side.join();
    int twice = 0, again = 0, total = 0, last = 0;
    for (int step = 1; step < kSteps; ++step) {
        total += accepted[step];
        if (accepted[step] > 1) ++twice;
        if (accepted[step] == 0) continue;
        last = step;
        now = kClock + 30LL * step;
        auto a = tk->totp_verify("alice", otp.generate(now).view(), {});
        if (a && a->ok()) ++again;
    }
    std::printf("%s: killed at step %d, service back at step %d, %d steps accepted (last %d), %d store errors, "
                "accepted twice %d, accepted again afterwards %d\n",
                url.c_str(), killed_at.load(), first_after.load(), total, last, errors.load(), twice, again);
    return first_after > 0 && twice == 0 && again == 0 ? 0 : 1;
}
#endif  // MFA_HAVE_REDIS

}  // namespace

int main(int argc, char** argv) {
    const std::string which = argc > 1 ? argv[1] : "sqlite";
    if (which == "sqlite") {
        const auto dir = std::filesystem::temp_directory_path() / ("mfa-conc-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        const int rc = run("sqlite:" + (dir / "s.db").string(), 4, 2);
        std::filesystem::remove_all(dir);
        return rc;
    }
    if (which == "postgresql") {
#ifndef MFA_TEST_POSTGRESQL
        std::printf("skipped: built without PostgreSQL support\n");
        return 77;
#endif
        mfa::test::PgServer pg;
        if (!pg.available()) {
            std::printf("skipped: %s\n", pg.reason().c_str());
            return 77;
        }
        return run(pg.url(), 4, 4);
    }
#if MFA_HAVE_REDIS
    if (which == "redis-cluster" || which == "redis-cluster-failover") {
        test::RedisCluster cluster;
        if (!cluster.available()) {
            std::printf("skipped: %s\n", cluster.reason().c_str());
            return 77;
        }
        if (which == "redis-cluster-failover")
        {
            const std::string alice_key = "mfa:totp-last:{alice}";
            test::RedisServer* victim = nullptr;
            return failover(
                cluster.url(0, "?wait_replicas=1&wait_timeout_ms=500"),
                [&] {
                    victim = cluster.node_by_port(cluster.master_of(alice_key));
                    victim->crash();
                },
                [&] {
                    const auto old = victim->port();
                    test::wait_until([&] { return cluster.master_of(alice_key) != old && cluster.master_of(alice_key) != 0; }, 30);
                    victim->restart();
                });
        }
        // alice's slot moves to another master while they race: TOTP, recovery codes, bob's counter.
        const int slot = std::stoi(test::redis_cli("-p " + std::to_string(cluster.any_live_port()) +
                                                   " cluster keyslot 'mfa:totp-last:{alice}'"));
        std::atomic<bool> moved{false};
        const int rc = run(cluster.url(), 16, 4, [&](int p) { return cluster.url(static_cast<std::size_t>(p)); },
                           [&] { moved = migrate_slot(cluster, slot, std::chrono::milliseconds(300)); });
        std::printf("slot %d of alice migrated during the run: %s\n", slot, moved ? "yes" : "NO");
        return rc == 0 && moved ? 0 : 1;
    }
    if (which == "redis-sentinel-failover") {
        test::RedisSentinelGroup group;
        if (!group.available()) {
            std::printf("skipped: %s\n", group.reason().c_str());
            return 77;
        }
        return failover(group.url("?wait_replicas=1&wait_timeout_ms=500"), [&] { group.master().crash(); },
                        [&] {
                            const auto old = group.master().port();
                            test::wait_until([&] { return group.master_port() != old && group.master_port() != 0; }, 30);
                            group.master().restart();
                        });
    }
    mfa::test::RedisServer redis;
    if (!redis.available()) {
        std::printf("skipped: %s\n", redis.reason().c_str());
        return 77;
    }
    return run(redis.url(), 4, 4);
#else
    std::printf("skipped: built without Redis support (-Dredis)\n");
    return 77;
#endif
}

// Multi-process races on the shared stores (SQLite: several processes; Redis and PostgreSQL: several
// processes × threads), each process with its own connection (pool) and Toolkit, all released at once:
//   - the same valid TOTP code is accepted exactly once (forgekeep/nebula-mesh#237, pad#914);
//   - the same recovery code is consumed exactly once;
//   - failure counters are exact (no lost increments).
// Exit 0 on success, 1 on a violation, 77 (skip) for Redis or PostgreSQL when the server is missing.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "mfa/encoding.hpp"
#include "mfa/server/toolkit.hpp"
#include "pg_server.hpp"
#include "redis_server.hpp"

using namespace mfa;
using namespace mfa::server;

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

int run(const std::string& url, int procs, int threads) {
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
            auto st = store::open_store(url);
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
    Totals sum;
    FILE* in = fdopen(results[0], "r");
    int a = 0, b = 0, e = 0;
    while (std::fscanf(in, "%d %d %d", &a, &b, &e) == 3) {
        sum.totp += a;
        sum.recovery += b;
        sum.errors += e;
    }
    std::fclose(in);
    int bad_exit = 0;
    for (pid_t k : kids) {
        int st = 0;
        waitpid(k, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) ++bad_exit;
    }
    auto st = store::open_store(url);
    auto tk = *Toolkit::create(*st, *KeyRing::parse(ring_text), config());
    const auto bob = tk->lock_status("bob")->second_factor.failures;
    std::printf("%s: %d processes x %d threads: TOTP accepted %d, recovery accepted %d, bob failures %u (want 96), "
                "errors %d, bad exits %d\n",
                url.c_str(), procs, threads, sum.totp, sum.recovery, bob, sum.errors, bad_exit);
    return sum.totp == 1 && sum.recovery == 1 && bob == 96u && sum.errors == 0 && bad_exit == 0 ? 0 : 1;
}

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
    mfa::test::RedisServer redis;
    if (!redis.available()) {
        std::printf("skipped: %s\n", redis.reason().c_str());
        return 77;
    }
    return run(redis.url(), 4, 4);
}

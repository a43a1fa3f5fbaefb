// The vault with many accounts: what unlocking costs (Argon2id, measured alone with the same
// parameters, against the whole open), then listing and computing every code, and the peak memory.
//   vault_bench DIR [ACCOUNTS=1000] [ROUNDS=20]
#include <argon2.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "mfa/random.hpp"
#include "mfa/vault.hpp"

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: vault_bench DIR [ACCOUNTS] [ROUNDS]\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const std::size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1000;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 20;
    std::filesystem::create_directories(dir);
    const auto path = dir / "bench.mfa";
    std::filesystem::remove(path);
    std::filesystem::remove_all(dir / "backups");
    const mfa::SecretString pass("benchmark passphrase");
    const mfa::KdfParams kdf = mfa::KdfParams::recommended();
    {
        auto v = mfa::Vault::create(path, pass, kdf);
        if (!v) return std::fprintf(stderr, "%s\n", v.error().to_string().c_str()), 1;
        for (std::size_t i = 0; i < n; ++i) {
            mfa::Account a;
            a.issuer = "Issuer " + std::to_string(i % 97);
            a.name = "user" + std::to_string(i) + "@example.com";
            auto s = mfa::random_secret(20);
            a.secret = std::move(*s);
            a.params.algorithm = static_cast<mfa::HashAlg>(i % 3);
            a.params.digits = i % 2 ? 8 : 6;
            if (!v->add(a, {"tag" + std::to_string(i % 5)})) return 1;
        }
        if (!v->save()) return 1;
    }
    std::printf("vault: %zu accounts, %ju bytes, Argon2id %u KiB, %u passes, %u lane\n", n,
                static_cast<std::uintmax_t>(std::filesystem::file_size(path)), kdf.memory_kib, kdf.passes, kdf.lanes);

    // Argon2id alone, with the same parameters.
    std::vector<double> kdf_ms, open_ms, list_ms;
    std::uint8_t salt[32] = {1}, out[32];
    for (int r = 0; r < 3; ++r) {
        const auto t = Clock::now();
        argon2id_hash_raw(kdf.passes, kdf.memory_kib, kdf.lanes, pass.data(), pass.size(), salt, sizeof salt, out, sizeof out);
        kdf_ms.push_back(ms_since(t));
        const auto t2 = Clock::now();
        auto v = mfa::Vault::open(path, pass);
        open_ms.push_back(ms_since(t2));
        if (!v) return 1;
    }
    auto v = mfa::Vault::open(path, pass);
    if (!v) return 1;
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    std::size_t sink = 0;
    for (int r = 0; r < rounds; ++r) {
        const auto t = Clock::now();
        for (const auto* e : v->search("")) {
            sink += e->label().size();
            auto c = mfa::totp_code(*e, now);
            if (c) sink += c->code.size() + c->next.size();
        }
        list_ms.push_back(ms_since(t));
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("Argon2id alone:                 %8.1f ms (median of 3)\n", median(kdf_ms));
    std::printf("open (read, unwrap, decrypt):   %8.1f ms (median of 3): KDF + %.1f ms\n", median(open_ms),
                median(open_ms) - median(kdf_ms));
    std::printf("list + current/next code of all %zu: %6.2f ms (median of %d)\n", n, median(list_ms), rounds);
    std::printf("peak RSS:                       %8ld KiB\n", ru.ru_maxrss);
    return sink == 0 ? 1 : 0;
}

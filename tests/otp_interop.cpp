// Cross-check against a peer: codes from mfakit and from oathtool (OATH Toolkit) for random
// secrets, algorithms, digits (6..8, oathtool's range), periods, T0 and times (also past 2038),
// plus HOTP counters. oathtool's -w prints the codes of the following steps too, so each
// process checks three steps. Usage: otp_interop <path to oathtool>; without oathtool it exits 77
// (skipped). MFA_INTEROP_SEED picks the random seed (printed on failure).
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "mfa/encoding.hpp"
#include "mfa/otp.hpp"

namespace {

constexpr int kCases = 1000;
constexpr int kExtraSteps = 2;  // oathtool -w 2: the step and the next two

struct Case {
    mfa::OtpParams p;
    mfa::Bytes key;
    std::int64_t now = 0;
    std::string cmd;
};

std::string shell_quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || access(argv[1], X_OK) != 0) {
        std::printf("oathtool not found (Debian package oathtool): interop check skipped\n");
        return 77;
    }
    const std::string oathtool = argv[1];
    std::uint64_t seed = 0x6238;
    if (const char* e = std::getenv("MFA_INTEROP_SEED")) seed = std::strtoull(e, nullptr, 0);
    std::mt19937_64 rng(seed);

    const mfa::HashAlg algs[] = {mfa::HashAlg::sha1, mfa::HashAlg::sha256, mfa::HashAlg::sha512};
    const char* alg_flag[] = {"SHA1", "SHA256", "SHA512"};
    std::vector<Case> cases;
    std::string script;
    for (int i = 0; i < kCases; ++i) {
        Case c;
        c.key.resize(1 + rng() % 100);
        for (auto& b : c.key) b = static_cast<std::uint8_t>(rng());
        c.p.digits = 6 + static_cast<unsigned>(rng() % 3);
        const std::string hex = mfa::hex_encode(c.key);
        char buf[256];
        if (i % 10 == 9) {
            // HOTP (oathtool's HOTP is HMAC-SHA1 only).
            c.p.type = mfa::OtpType::hotp;
            c.p.counter = rng() >> 16;
            std::snprintf(buf, sizeof buf, " --hotp -d %u -c %" PRIu64 " -w %d ", c.p.digits, c.p.counter,
                          kExtraSteps);
        } else {
            const unsigned a = static_cast<unsigned>(rng() % 3);
            c.p.algorithm = algs[a];
            const std::uint32_t periods[] = {30, 60, 1, 15, 45, 90, 300, 3600};
            c.p.period = rng() % 2 ? periods[rng() % 8] : 1 + static_cast<std::uint32_t>(rng() % 600);
            c.p.t0 = rng() % 4 == 0 ? static_cast<std::int64_t>(rng() % 2000000000) : 0;
            // Up to 2^36 s (year ~4147): well past 2038.
            c.now = c.p.t0 + static_cast<std::int64_t>(rng() % (std::uint64_t{1} << 36));
            std::snprintf(buf, sizeof buf, " --totp=%s -d %u -s %us -S @%" PRId64 " -N @%" PRId64 " -w %d ",
                          alg_flag[a], c.p.digits, c.p.period, c.p.t0, c.now, kExtraSteps);
        }
        c.cmd = shell_quote(oathtool) + buf + hex;
        script += c.cmd + " || echo FAILED\n";
        cases.push_back(std::move(c));
    }

    char path[] = "/tmp/mfa_interop_XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) {
        std::perror("mkstemp");
        return 1;
    }
    const bool wrote = write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
    close(fd);
    if (!wrote) {
        unlink(path);
        return 1;
    }
    FILE* out = popen(("sh " + std::string(path)).c_str(), "r");
    if (out == nullptr) {
        unlink(path);
        return 1;
    }
    int failures = 0, compared = 0;
    char line[64];
    for (const Case& c : cases) {
        auto o = mfa::Otp::create(mfa::SecretBytes(c.key), c.p);
        if (!o.ok()) {
            std::printf("create failed: %s\n", o.error().to_string().c_str());
            ++failures;
            continue;
        }
        const std::uint64_t base = c.p.type == mfa::OtpType::hotp ? c.p.counter
                                                                  : static_cast<std::uint64_t>(o->time_step(c.now));
        for (int k = 0; k <= kExtraSteps; ++k) {
            if (std::fgets(line, sizeof line, out) == nullptr) {
                std::printf("oathtool output ended early\n");
                pclose(out);
                unlink(path);
                return 1;
            }
            std::string theirs(line);
            while (!theirs.empty() && (theirs.back() == '\n' || theirs.back() == '\r')) theirs.pop_back();
            const mfa::Code ours = o->at_step(base + static_cast<std::uint64_t>(k));
            if (k == 0 && ours.view() != o->generate(c.now).view()) ++failures;
            ++compared;
            if (ours.view() != theirs) {
                if (failures < 20)
                    std::printf("MISMATCH step +%d: mfakit %s, oathtool %s\n  %s\n", k, std::string(ours.view()).c_str(),
                                theirs.c_str(), c.cmd.c_str());
                ++failures;
            }
        }
    }
    const int rc = pclose(out);
    unlink(path);
    std::printf("%d cases, %d codes compared with oathtool, %d mismatches (seed 0x%" PRIx64 ")\n", kCases, compared,
                failures, seed);
    return failures == 0 && rc == 0 ? 0 : 1;
}

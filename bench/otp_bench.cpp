// TOTP generation and ±1-window verification: mfakit against liboath (oath-toolkit) in one run.
// Same secret (RFC 6238's 20-byte SHA-1 seed), time, period 30 s, 6 digits as
// ../shared/peers/oathbench.c. liboath stops at the first match and compares with strcmp;
// mfakit always computes and compares the whole window. Compare ratios within one run.
// SHA1_Transform is deprecated in OpenSSL 3.0; the floor benchmark calls it directly.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <benchmark/benchmark.h>
#include <liboath/oath.h>
#include <openssl/sha.h>

#include <cstring>
#include <ctime>
#include <string>

#include "mfa/otp.hpp"

namespace {

constexpr char kSecret[] = "12345678901234567890";
constexpr std::size_t kSecretLen = 20;
constexpr std::int64_t kNow = 1234567890;
constexpr const char* kRejected = "000000";

mfa::Otp make_otp() {
    mfa::OtpParams p;  // TOTP, SHA-1, 6 digits, 30 s
    auto o = mfa::Otp::create(mfa::SecretBytes(mfa::as_bytes(std::string_view(kSecret, kSecretLen))), p);
    if (!o.ok()) std::abort();
    return std::move(*o);
}

std::string good_code() { return std::string(make_otp().generate(kNow).view()); }

void mfakit_verify_accepted(benchmark::State& st) {
    const mfa::Otp o = make_otp();
    const std::string code = good_code();
    for (auto _ : st) benchmark::DoNotOptimize(o.verify(code, kNow));
    if (!o.verify(code, kNow).ok()) st.SkipWithError("code not accepted");
    st.SetItemsProcessed(st.iterations());
}

void mfakit_verify_rejected(benchmark::State& st) {
    const mfa::Otp o = make_otp();
    for (auto _ : st) benchmark::DoNotOptimize(o.verify(kRejected, kNow));
    if (o.verify(kRejected, kNow).ok()) st.SkipWithError("code accepted");
    st.SetItemsProcessed(st.iterations());
}

// A server that keeps only the secret: Otp::create (key schedule) on every request.
void mfakit_create_verify_accepted(benchmark::State& st) {
    const std::string code = good_code();
    for (auto _ : st) benchmark::DoNotOptimize(make_otp().verify(code, kNow));
    st.SetItemsProcessed(st.iterations());
}

void mfakit_create_verify_rejected(benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(make_otp().verify(kRejected, kNow));
    st.SetItemsProcessed(st.iterations());
}

void mfakit_generate(benchmark::State& st) {
    const mfa::Otp o = make_otp();
    for (auto _ : st) benchmark::DoNotOptimize(o.generate(kNow));
    st.SetItemsProcessed(st.iterations());
}

void liboath_validate_accepted(benchmark::State& st) {
    const std::string code = good_code();
    for (auto _ : st)
        benchmark::DoNotOptimize(oath_totp_validate(kSecret, kSecretLen, static_cast<time_t>(kNow), 30, 0, 1, code.c_str()));
    if (oath_totp_validate(kSecret, kSecretLen, static_cast<time_t>(kNow), 30, 0, 1, code.c_str()) < 0)
        st.SkipWithError("liboath rejected the code");
    st.SetItemsProcessed(st.iterations());
}

void liboath_validate_rejected(benchmark::State& st) {
    for (auto _ : st)
        benchmark::DoNotOptimize(oath_totp_validate(kSecret, kSecretLen, static_cast<time_t>(kNow), 30, 0, 1, kRejected));
    st.SetItemsProcessed(st.iterations());
}

void liboath_generate(benchmark::State& st) {
    char out[16];
    for (auto _ : st) {
        benchmark::DoNotOptimize(oath_totp_generate(kSecret, kSecretLen, static_cast<time_t>(kNow), 30, 0, 6, out));
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations());
}

// The floor of any ±1 verify: six dependent SHA-1 compressions (two per candidate), nothing else.
void floor_six_sha1_compressions(benchmark::State& st) {
    SHA_CTX c;
    SHA1_Init(&c);
    unsigned char block[SHA_CBLOCK] = {};
    for (auto _ : st) {
        for (int i = 0; i < 6; ++i) SHA1_Transform(&c, block);
        benchmark::DoNotOptimize(c.h0);
    }
    st.SetItemsProcessed(st.iterations());
}

}  // namespace

BENCHMARK(floor_six_sha1_compressions);
BENCHMARK(mfakit_verify_accepted);
BENCHMARK(liboath_validate_accepted);
BENCHMARK(mfakit_verify_rejected);
BENCHMARK(liboath_validate_rejected);
BENCHMARK(mfakit_create_verify_accepted);
BENCHMARK(mfakit_create_verify_rejected);
BENCHMARK(mfakit_generate);
BENCHMARK(liboath_generate);

int main(int argc, char** argv) {
    if (oath_init() != OATH_OK) return 1;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    oath_done();
    return 0;
}

// Generating and verifying do not allocate in mfakit: a dedicated executable (no Boost.Test, whose
// own bookkeeping allocates) replaces the global operator new and OpenSSL's allocator with
// counting ones and asserts zero allocations of either kind inside
// generate/verify/verify_hotp/resync_hotp.
#include <openssl/crypto.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "mfa/otp.hpp"

namespace {

long g_new = 0;
long g_ossl_alloc = 0;
long g_ossl_live = 0;

void* ossl_malloc(std::size_t n, const char*, int) {
    ++g_ossl_alloc;
    ++g_ossl_live;
    return std::malloc(n);
}
void* ossl_realloc(void* p, std::size_t n, const char*, int) {
    ++g_ossl_alloc;
    if (p == nullptr) ++g_ossl_live;
    return std::realloc(p, n);
}
void ossl_free(void* p, const char*, int) {
    if (p != nullptr) --g_ossl_live;
    std::free(p);
}

int g_failures = 0;
std::string g_sink;  // a real allocation for the hook's self-check

struct Counts {
    long news, ossl, live;
};

template <class F>
Counts measure(F&& f) {
    const long n0 = g_new, o0 = g_ossl_alloc, l0 = g_ossl_live;
    f();
    return {g_new - n0, g_ossl_alloc - o0, g_ossl_live - l0};
}

void check(const char* what, Counts c) {
    const bool ok = c.news == 0 && c.live == 0 && c.ossl == 0;
    std::printf("%-34s operator new: %ld  OpenSSL allocations: %ld (still live %ld)  %s\n", what, c.news,
                c.ossl, c.live, ok ? "ok" : "FAIL");
    if (!ok) ++g_failures;
}

void expect(bool cond, const char* what) {
    if (!cond) {
        std::printf("FAIL: %s\n", what);
        ++g_failures;
    }
}

}  // namespace

void* operator new(std::size_t n) {
    ++g_new;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    ++g_new;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

int main() {
    // Must come before OpenSSL allocates anything.
    if (CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) != 1) {
        std::printf("CRYPTO_set_mem_functions failed\n");
        return 1;
    }
    using namespace mfa;
    const std::string key = "12345678901234567890";
    OtpParams tp;
    tp.digits = 8;
    tp.algorithm = HashAlg::sha256;
    auto totp = Otp::create(SecretBytes(as_bytes(key)), tp);
    OtpParams hp;
    hp.type = OtpType::hotp;
    auto hotp = Otp::create(SecretBytes(as_bytes(key)), hp);
    OtpParams sp;
    sp.type = OtpType::steam;
    auto steam = Otp::create(SecretBytes(as_bytes(key)), sp);
    if (!totp.ok() || !hotp.ok() || !steam.ok()) {
        std::printf("create failed\n");
        return 1;
    }
    const std::int64_t now = 1234567890;
    // Codes prepared outside the measured sections (building them may allocate).
    const Code good = totp->generate(now);
    const Code steam_good = steam->generate(now);
    const Code h5 = hotp->at_step(5), h6 = hotp->at_step(6);

    // The hook has teeth: a std::string longer than the small-string buffer is counted.
    const Counts probe = measure([] { g_sink.assign(100, 'x'); });
    expect(probe.news >= 1, "the operator new hook counts allocations");

    Code out;
    check("generate (totp)", measure([&] { out = totp->generate(now); }));
    expect(out == good.view(), "generate returns the code");
    check("at_step (hotp)", measure([&] { out = hotp->at_step(3); }));
    check("generate (steam)", measure([&] { out = steam->generate(now); }));

    TotpVerification v;
    check("verify accepted (±1)", measure([&] { v = totp->verify(good.view(), now); }));
    expect(v.ok(), "accepted code verifies");
    check("verify rejected (±1)", measure([&] { v = totp->verify("00000000", now); }));
    check("verify replayed (±1)", measure([&] { v = totp->verify(good.view(), now, {}, totp->time_step(now)); }));
    expect(v.status == Errc::otp_code_replayed, "replay detected");
    check("verify bad format", measure([&] { v = totp->verify("1234abcd", now); }));
    expect(v.status == Errc::otp_code_format, "format detected");
    check("verify window 10/10", measure([&] { v = totp->verify(good.view(), now, Window{10, 10}); }));
    check("verify steam", measure([&] { v = steam->verify(steam_good.view(), now); }));
    expect(v.ok(), "steam code verifies");

    HotpVerification h;
    check("verify_hotp look-ahead 10", measure([&] { h = hotp->verify_hotp(h5.view(), 10); }));
    expect(h.ok() && h.next_counter == 6, "hotp look-ahead");
    check("resync_hotp look-ahead 20", measure([&] { h = hotp->resync_hotp(h5.view(), h6.view(), 20); }));
    expect(h.ok() && h.next_counter == 7, "hotp resync");

    if (g_failures != 0) {
        std::printf("%d failure(s)\n", g_failures);
        return 1;
    }
    std::printf("no C++ allocation on the generate/verify paths\n");
    return 0;
}

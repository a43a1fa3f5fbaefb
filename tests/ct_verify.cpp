// Constant-time check in the ctgrind style (agl/ctgrind; BoringSSL CONSTTIME_SECRET): the secret
// key and the submitted codes are marked undefined for valgrind memcheck, so any branch or memory
// index that depends on them is reported ("Conditional jump or move depends on uninitialised
// value(s)" / "Use of uninitialised value"). Results are declassified only after each call.
// Run under `valgrind --error-exitcode=42 --track-origins=yes` (tests/meson.build, suite ct);
// outside valgrind it exits 77 (skipped). No suppression file is used: OpenSSL's SHA code (in the
// variant its CPU-feature dispatch picks under valgrind's CPUID) reports nothing, and the poison
// does reach the MAC through it (an indexed truncation, tried on purpose, is reported).
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

#include <cstdio>
#include <string>

#include "mfa/encoding.hpp"
#include "mfa/otp.hpp"

namespace {

int g_failures = 0;

void secret(const void* p, std::size_t n) { VALGRIND_MAKE_MEM_UNDEFINED(p, n); }
template <class T>
void declassify(const T& v) {
    VALGRIND_MAKE_MEM_DEFINED(&v, sizeof v);
}

void declassify_bytes(const void* p, std::size_t n) { VALGRIND_MAKE_MEM_DEFINED(p, n); }

void expect(bool cond, const char* what) {
    std::printf("%-40s %s\n", what, cond ? "ok" : "FAIL");
    if (!cond) ++g_failures;
}

mfa::Otp make(mfa::OtpParams p, std::size_t key_len) {
    mfa::SecretBytes key(key_len);
    for (std::size_t i = 0; i < key_len; ++i) key[i] = static_cast<std::uint8_t>('1' + i % 10);
    secret(key.data(), key.size());  // before create: the HMAC key states derive from it
    auto o = mfa::Otp::create(std::move(key), p);
    if (!o.ok()) {
        std::printf("create failed\n");
        std::exit(1);
    }
    return std::move(*o);
}

// A code for a step, declassified so that the test can build inputs from it.
std::string code_at(const mfa::Otp& o, std::uint64_t step) {
    const mfa::Code c = o.at_step(step);
    std::string s(c.view());
    VALGRIND_MAKE_MEM_DEFINED(s.data(), s.size());
    return s;
}

// A submitted code marked secret.
std::string submitted(std::string s) {
    secret(s.data(), s.size());
    return s;
}

mfa::TotpVerification verify(const mfa::Otp& o, const std::string& code, std::int64_t now, mfa::Window w,
                             std::optional<std::int64_t> last) {
    const std::string c = submitted(code);
    mfa::TotpVerification v = o.verify(c, now, w, last);
    declassify(v);
    return v;
}

}  // namespace

int main() {
    if (!RUNNING_ON_VALGRIND) {
        std::printf("ct_verify checks constant-time behaviour only under valgrind memcheck: skipped\n");
        return 77;
    }
    using namespace mfa;
    const std::int64_t now = 1234567890;

    for (HashAlg alg : {HashAlg::sha1, HashAlg::sha256, HashAlg::sha512}) {
        OtpParams p;
        p.algorithm = alg;
        p.digits = 8;
        // 20 bytes, and 200 bytes to take the long-key (hashed key) path.
        for (std::size_t len : {std::size_t{20}, std::size_t{200}}) {
            Otp o = make(p, len);
            const std::int64_t cur = o.time_step(now);
            const std::string good = code_at(o, static_cast<std::uint64_t>(cur - 1));
            auto v = verify(o, good, now, {}, std::nullopt);
            expect(v.ok() && v.drift == -1, "totp accepted");
            v = verify(o, good == "00000000" ? "11111111" : "00000000", now, {}, std::nullopt);
            expect(v.status == Errc::otp_code_mismatch, "totp rejected");
            v = verify(o, good, now, {}, cur);
            expect(v.status == Errc::otp_code_replayed, "totp replayed");
            v = verify(o, "1234567a", now, Window{2, 3}, std::nullopt);
            expect(v.status == Errc::otp_code_format, "totp bad character");
            const Code g = o.generate(now);  // generation on the secret, unchecked result
            declassify(g);
            expect(g.size() == 8, "totp generate");
        }
    }

    {
        OtpParams p;
        p.type = OtpType::hotp;
        Otp o = make(p, 20);
        const std::string c3 = code_at(o, 3), c4 = code_at(o, 4);
        auto run = [&](const std::string& code, unsigned la) {
            const std::string c = submitted(code);
            HotpVerification v = o.verify_hotp(c, la);
            declassify(v);
            return v;
        };
        auto v = run(c3, 5);
        expect(v.ok() && v.next_counter == 4, "hotp accepted");
        expect(run(c3, 2).status == Errc::otp_code_mismatch, "hotp rejected");
        expect(run("12345x", 5).status == Errc::otp_code_format, "hotp bad character");
        const std::string a = submitted(c3), b = submitted(c4);
        HotpVerification r = o.resync_hotp(a, b, 10);
        declassify(r);
        expect(r.ok() && r.next_counter == 5, "hotp resync accepted");
        const std::string a2 = submitted(c4), b2 = submitted(c3);
        r = o.resync_hotp(a2, b2, 10);
        declassify(r);
        expect(r.status == Errc::otp_code_mismatch, "hotp resync rejected");
    }

    {
        OtpParams p;
        p.type = OtpType::steam;
        Otp o = make(p, 20);
        const std::int64_t cur = o.time_step(now);
        const std::string good = code_at(o, static_cast<std::uint64_t>(cur + 1));
        auto v = verify(o, good, now, {}, std::nullopt);
        expect(v.ok() && v.drift == 1, "steam accepted");
        v = verify(o, good == "22222" ? "33333" : "22222", now, {}, std::nullopt);
        expect(v.status == Errc::otp_code_mismatch, "steam rejected");
        v = verify(o, "RYH4A", now, {}, std::nullopt);
        expect(v.status == Errc::otp_code_format, "steam bad character");
    }

    // The encoders of generated secrets: Base32 (TOTP secrets), base62 and CRC-32 (API tokens),
    // Crockford base32 both ways (recovery codes).
    {
        std::uint8_t raw[20];
        for (std::size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<std::uint8_t>(i * 37 + 11);
        secret(raw, sizeof raw);
        SecretString b32 = base32_encode(raw);
        declassify_bytes(b32.data(), b32.size());
        expect(b32.view() == "BMYFK6U7YTUQ4M2YPWRMP3ARGZNYBJOK", "base32 encode");  // Python's b32encode

        std::uint32_t values[62];
        for (std::uint32_t v = 0; v < 62; ++v) values[v] = v;
        secret(values, sizeof values);
        char b62[62], crock[32];
        std::uint32_t masks[62], back[32];
        for (std::uint32_t v = 0; v < 62; ++v) b62[v] = base62_char(values[v]);
        for (std::uint32_t v = 0; v < 62; ++v) masks[v] = base62_mask(static_cast<unsigned char>(b62[v]));
        for (std::uint32_t v = 0; v < 32; ++v) crock[v] = crockford_char(values[v]);
        for (std::uint32_t v = 0; v < 32; ++v) back[v] = crockford_value(static_cast<unsigned char>(crock[v]));
        const std::uint32_t crc = crc32_ct(std::string_view(b62, sizeof b62));
        declassify_bytes(b62, sizeof b62);
        declassify_bytes(crock, sizeof crock);
        declassify_bytes(masks, sizeof masks);
        declassify_bytes(back, sizeof back);
        declassify(crc);
        const std::string_view want62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        const std::string_view want32 = "0123456789abcdefghjkmnpqrstvwxyz";
        bool masks_ok = true, back_ok = true;
        for (std::uint32_t v = 0; v < 62; ++v) masks_ok = masks_ok && masks[v] == ~0u;
        for (std::uint32_t v = 0; v < 32; ++v) back_ok = back_ok && back[v] == v;
        expect(std::string_view(b62, sizeof b62) == want62 && masks_ok, "base62 alphabet");
        expect(std::string_view(crock, sizeof crock) == want32 && back_ok, "crockford alphabet");
        expect(crc == 0xD6213ADCu, "crc32");  // zlib.crc32 of the base62 alphabet

        // A typed code: any case and look-alikes, poisoned before it is read.
        char typed[] = "ILOUilou0Z";
        secret(typed, sizeof typed - 1);
        std::uint32_t tv[10];
        for (int i = 0; i < 10; ++i) tv[i] = crockford_value(static_cast<unsigned char>(typed[i]));
        declassify_bytes(tv, sizeof tv);
        expect(tv[0] == 1 && tv[1] == 1 && tv[2] == 0 && tv[3] >= 32 && tv[4] == 1 && tv[5] == 1 && tv[6] == 0 &&
                   tv[7] >= 32 && tv[8] == 0 && tv[9] == 31,
               "crockford typed input");
    }

    if (g_failures != 0) {
        std::printf("%d functional failure(s)\n", g_failures);
        return 1;
    }
    return 0;
}

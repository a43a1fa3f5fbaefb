#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>

#include "mfa/encoding.hpp"
#include "mfa/otp.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace std::string_literals;

namespace mfa {
inline std::ostream& operator<<(std::ostream& os, HashAlg a) { return os << to_string(a); }
inline std::ostream& operator<<(std::ostream& os, const Code& c) { return os << c.view(); }
}  // namespace mfa

namespace {

SecretBytes ascii_secret(std::string_view s) { return SecretBytes(as_bytes(s)); }

Otp make(std::string_view secret, OtpParams p) {
    auto o = Otp::create(ascii_secret(secret), p);
    BOOST_REQUIRE_MESSAGE(o.ok(), (o.ok() ? std::string() : o.error().to_string()));
    return std::move(*o);
}

OtpParams totp(HashAlg a = HashAlg::sha1, unsigned digits = 6, std::uint32_t period = 30, std::int64_t t0 = 0) {
    OtpParams p;
    p.type = OtpType::totp;
    p.algorithm = a;
    p.digits = digits;
    p.period = period;
    p.t0 = t0;
    return p;
}

OtpParams hotp(std::uint64_t counter = 0, unsigned digits = 6) {
    OtpParams p;
    p.type = OtpType::hotp;
    p.digits = digits;
    p.counter = counter;
    return p;
}

OtpParams steam() {
    OtpParams p;
    p.type = OtpType::steam;
    return p;
}

// An independent reference, written from RFC 4226 §5.3 and the Steam Guard description with
// OpenSSL's one-shot HMAC() and plain indexing (not the library's constant-time path).
std::uint32_t ref_value(ByteView key, HashAlg alg, std::uint64_t counter) {
    const EVP_MD* md = alg == HashAlg::sha1 ? EVP_sha1() : alg == HashAlg::sha256 ? EVP_sha256() : EVP_sha512();
    std::uint8_t msg[8];
    for (int i = 0; i < 8; ++i) msg[i] = static_cast<std::uint8_t>(counter >> (56 - 8 * i));
    std::uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    static const std::uint8_t empty = 0;
    BOOST_REQUIRE(HMAC(md, key.empty() ? &empty : key.data(), static_cast<int>(key.size()), msg, 8, mac, &n));
    const unsigned off = mac[n - 1] & 0x0f;
    return ((std::uint32_t{mac[off]} & 0x7f) << 24) | (std::uint32_t{mac[off + 1]} << 16) |
           (std::uint32_t{mac[off + 2]} << 8) | mac[off + 3];
}

std::string ref_decimal(ByteView key, HashAlg alg, std::uint64_t counter, unsigned digits) {
    std::uint64_t mod = 1;
    for (unsigned i = 0; i < digits; ++i) mod *= 10;
    std::string s = std::to_string(ref_value(key, alg, counter) % mod);
    return std::string(digits - s.size(), '0') + s;
}

std::string ref_steam(ByteView key, std::uint64_t counter) {
    static const char alphabet[] = "23456789BCDFGHJKMNPQRTVWXY";
    std::uint32_t v = ref_value(key, HashAlg::sha1, counter);
    std::string s;
    for (int i = 0; i < 5; ++i) {
        s += alphabet[v % 26];
        v /= 26;
    }
    return s;
}

std::string code_str(const Code& c) { return std::string(c.view()); }

}  // namespace

BOOST_AUTO_TEST_SUITE(otp)

BOOST_AUTO_TEST_CASE(rfc4226_appendix_d) {
    // RFC 4226 Appendix D: HMAC-SHA-1 values, truncated values and 6-digit HOTPs for counts 0..9.
    struct Row {
        const char* hmac;
        std::uint32_t truncated;
        const char* hotp;
    };
    const Row rows[] = {
        {"cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 0x4c93cf18, "755224"},
        {"75a48a19d4cbe100644e8ac1397eea747a2d33ab", 0x41397eea, "287082"},
        {"0bacb7fa082fef30782211938bc1c5e70416ff44", 0x082fef30, "359152"},
        {"66c28227d03a2d5529262ff016a1e6ef76557ece", 0x66ef7655, "969429"},
        {"a904c900a64b35909874b33e61c5938a8e15ed1c", 0x61c5938a, "338314"},
        {"a37e783d7b7233c083d4f62926c7a25f238d0316", 0x33c083d4, "254676"},
        {"bc9cd28561042c83f219324d3c607256c03272ae", 0x7256c032, "287922"},
        {"a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", 0x04e5b397, "162583"},
        {"1b3c89f65e6c9e883012052823443f048b4332db", 0x2823443f, "399871"},
        {"1637409809a679dc698207310c8c7fc07290d9e5", 0x2679dc69, "520489"},
    };
    const std::string_view key = "12345678901234567890";
    Otp o = make(key, hotp());
    for (std::uint64_t c = 0; c < 10; ++c) {
        std::uint8_t mac[64];
        const std::size_t n = hotp_hmac(as_bytes(key), HashAlg::sha1, c, mac);
        BOOST_REQUIRE_EQUAL(n, 20u);
        BOOST_TEST(hex_encode(ByteView(mac, n)) == rows[c].hmac);
        BOOST_TEST(hotp_truncate(mac, n) == rows[c].truncated);
        BOOST_TEST(code_str(o.at_step(c)) == rows[c].hotp);
        o.set_counter(c);
        BOOST_TEST(code_str(o.generate(0)) == rows[c].hotp);  // time is ignored for HOTP
    }
    // Decimal values from the RFC table as well.
    BOOST_TEST(hotp_truncate(std::array<std::uint8_t, 20>{}.data(), 20) == 0u);
    std::uint8_t mac[64];
    BOOST_REQUIRE(hotp_hmac(as_bytes(key), HashAlg::sha1, 7, mac) == 20u);
    BOOST_TEST(hotp_truncate(mac, 20) == 82162583u);
    BOOST_TEST(hotp_truncate(mac, 19) == 0u);  // below the 20-byte minimum
}

BOOST_AUTO_TEST_CASE(rfc6238_appendix_b_all_algorithms) {
    // RFC 6238 Appendix B with the errata seeds (20, 32 and 64 bytes), T0 = 0, X = 30, 8 digits.
    const std::string seed1 = "12345678901234567890";
    const std::string seed256 = "12345678901234567890123456789012";
    const std::string seed512 = "1234567890123456789012345678901234567890123456789012345678901234";
    struct Row {
        std::int64_t t;
        std::int64_t step;
        const char* sha1;
        const char* sha256;
        const char* sha512;
    };
    const Row rows[] = {
        {59, 0x1, "94287082", "46119246", "90693936"},
        {1111111109, 0x23523EC, "07081804", "68084774", "25091201"},
        {1111111111, 0x23523ED, "14050471", "67062674", "99943326"},
        {1234567890, 0x273EF07, "89005924", "91819424", "93441116"},
        {2000000000, 0x3F940AA, "69279037", "90698825", "38618901"},
        {20000000000, 0x27BC86AA, "65353130", "77737706", "47863826"},  // year 2603
    };
    Otp o1 = make(seed1, totp(HashAlg::sha1, 8));
    Otp o256 = make(seed256, totp(HashAlg::sha256, 8));
    Otp o512 = make(seed512, totp(HashAlg::sha512, 8));
    for (const Row& r : rows) {
        BOOST_TEST(o1.time_step(r.t) == r.step);
        BOOST_TEST(code_str(o1.generate(r.t)) == r.sha1);
        BOOST_TEST(code_str(o256.generate(r.t)) == r.sha256);
        BOOST_TEST(code_str(o512.generate(r.t)) == r.sha512);
        // And each verifies at its own time, with drift 0.
        auto v = o512.verify(r.sha512, r.t);
        BOOST_TEST(v.status == Errc::ok);
        BOOST_TEST(v.matched_step == r.step);
        BOOST_TEST(v.drift == 0);
    }
}

BOOST_AUTO_TEST_CASE(cached_key_state_matches_openssl_hmac) {
    // Keys shorter than, equal to and longer than the block (64 / 128 bytes), up to the maximum.
    std::mt19937_64 rng(4226);
    for (HashAlg alg : {HashAlg::sha1, HashAlg::sha256, HashAlg::sha512}) {
        for (std::size_t len : {std::size_t{1}, std::size_t{10}, std::size_t{20}, std::size_t{63}, std::size_t{64},
                                std::size_t{65}, std::size_t{128}, std::size_t{129}, std::size_t{300}, kMaxSecretBytes}) {
            SecretBytes key(len);
            for (std::size_t i = 0; i < len; ++i) key[i] = static_cast<std::uint8_t>(rng());
            const std::uint64_t counter = rng();
            OtpParams p = hotp(counter, 10);
            p.algorithm = alg;
            auto o = Otp::create(key.clone(), p);
            BOOST_REQUIRE(o.ok());
            BOOST_TEST(code_str(o->at_step(counter)) == ref_decimal(key.view(), alg, counter, 10),
                       to_string(alg) << " key " << len);
            std::uint8_t mac[64], ref[EVP_MAX_MD_SIZE];
            unsigned int n = 0;
            const EVP_MD* md = alg == HashAlg::sha1 ? EVP_sha1() : alg == HashAlg::sha256 ? EVP_sha256() : EVP_sha512();
            std::uint8_t msg[8];
            for (int i = 0; i < 8; ++i) msg[i] = static_cast<std::uint8_t>(counter >> (56 - 8 * i));
            BOOST_REQUIRE(HMAC(md, key.data(), static_cast<int>(len), msg, 8, ref, &n));
            BOOST_REQUIRE_EQUAL(hotp_hmac(key.view(), alg, counter, mac), n);
            BOOST_TEST(std::memcmp(mac, ref, n) == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(times_past_2038) {
    const std::string key = "12345678901234567890";
    Otp o = make(key, totp(HashAlg::sha256, 8));
    for (std::int64_t t : {std::int64_t{2147483647}, std::int64_t{2147483648}, std::int64_t{4294967295},
                           std::int64_t{4294967296}, std::int64_t{1} << 40, std::int64_t{253402300799} /* 9999-12-31 */,
                           INT64_MAX}) {
        const std::int64_t step = t / 30;
        BOOST_TEST(o.time_step(t) == step);
        BOOST_TEST(code_str(o.generate(t)) ==
                   ref_decimal(as_bytes(key), HashAlg::sha256, static_cast<std::uint64_t>(step), 8));
        BOOST_TEST(o.verify(o.generate(t).view(), t).ok());
    }
    // 2^31 / 30 = 71582788.26..: the 2038 boundary falls inside a step.
    BOOST_TEST(o.time_step(2147483647) == o.time_step(2147483648));
    BOOST_TEST(o.time_step(INT64_MAX) == INT64_MAX / 30);
}

BOOST_AUTO_TEST_CASE(times_before_t0_floor) {
    const std::string key = "12345678901234567890";
    Otp o = make(key, totp(HashAlg::sha1, 6, 30, 1000));
    BOOST_TEST(o.time_step(1000) == 0);
    BOOST_TEST(o.time_step(1029) == 0);
    BOOST_TEST(o.time_step(1030) == 1);
    BOOST_TEST(o.time_step(999) == -1);  // floor, not truncation towards zero
    BOOST_TEST(o.time_step(970) == -1);
    BOOST_TEST(o.time_step(969) == -2);
    BOOST_TEST(o.time_step(-1000000) == -33367);  // -1001000 / 30 = -33366.67 -> -33367
    BOOST_TEST(o.seconds_left(999) == 1u);
    BOOST_TEST(o.seconds_left(970) == 30u);
    BOOST_TEST(o.seconds_left(1000) == 30u);
    BOOST_TEST(o.seconds_left(1029) == 1u);
    // A negative step is the two's complement counter.
    BOOST_TEST(code_str(o.generate(999)) == ref_decimal(as_bytes(key), HashAlg::sha1, UINT64_MAX, 6));
    BOOST_TEST(code_str(o.generate(969)) == ref_decimal(as_bytes(key), HashAlg::sha1, UINT64_MAX - 1, 6));
    // Verification across t0: a code of step -1 accepted at step 0 with drift -1.
    auto v = o.verify(o.generate(999).view(), 1000);
    BOOST_TEST(v.status == Errc::ok);
    BOOST_TEST(v.matched_step == -1);
    BOOST_TEST(v.drift == -1);
    // Negative Unix times with t0 = 0, and extreme t0 without overflow.
    Otp z = make(key, totp());
    BOOST_TEST(z.time_step(-1) == -1);
    BOOST_TEST(z.time_step(-30) == -1);
    BOOST_TEST(z.time_step(-31) == -2);
    Otp far = make(key, totp(HashAlg::sha1, 6, 1, INT64_MAX));
    BOOST_TEST(far.time_step(INT64_MIN) == INT64_MIN);  // saturates instead of overflowing
    BOOST_TEST(far.seconds_left(INT64_MIN) == 1u);
}

BOOST_AUTO_TEST_CASE(period_edges) {
    const std::string key = "12345678901234567890";
    Otp one = make(key, totp(HashAlg::sha1, 6, 1));
    BOOST_TEST(one.time_step(1234567890) == 1234567890);
    BOOST_TEST(one.seconds_left(1234567890) == 1u);
    BOOST_TEST(code_str(one.generate(59)) == ref_decimal(as_bytes(key), HashAlg::sha1, 59, 6));
    Otp day = make(key, totp(HashAlg::sha1, 6, kMaxPeriod));
    BOOST_TEST(day.time_step(86399) == 0);
    BOOST_TEST(day.time_step(86400) == 1);
    BOOST_TEST(day.seconds_left(86399) == 1u);
    Otp odd = make(key, totp(HashAlg::sha1, 6, 45));
    BOOST_TEST(odd.time_step(89) == 1);
    BOOST_TEST(odd.time_step(90) == 2);
    BOOST_TEST(odd.seconds_left(89) == 1u);
    for (std::uint32_t bad : {0u, kMaxPeriod + 1}) {
        auto o = Otp::create(ascii_secret(key), totp(HashAlg::sha1, 6, bad));
        BOOST_REQUIRE(!o.ok());
        BOOST_TEST(o.code() == Errc::invalid_argument);
        BOOST_TEST(o.error().detail.find("period") != std::string::npos);
    }
    // The period is irrelevant for HOTP and not checked there.
    OtpParams h = hotp();
    h.period = 0;
    BOOST_TEST(validate(h).ok());
}

BOOST_AUTO_TEST_CASE(digits_4_to_10) {
    const std::string key = "12345678901234567890";
    for (unsigned d = kMinDigits; d <= kMaxDigits; ++d) {
        Otp o = make(key, hotp(0, d));
        for (std::uint64_t c = 0; c < 10; ++c) {
            const Code code = o.at_step(c);
            BOOST_TEST(code.size() == d);
            BOOST_TEST(code_str(code) == ref_decimal(as_bytes(key), HashAlg::sha1, c, d));
        }
    }
    // 10 digits is the whole 31-bit value, zero-padded: count 7 truncates to 82162583.
    BOOST_TEST(code_str(make(key, hotp(0, 10)).at_step(7)) == "0082162583");
    BOOST_TEST(code_str(make(key, hotp(0, 4)).at_step(0)) == "5224");
    for (unsigned bad : {0u, 3u, 11u, 100u}) {
        auto o = Otp::create(ascii_secret(key), hotp(0, bad));
        BOOST_TEST(o.code() == Errc::invalid_argument);
        BOOST_TEST(o.error().detail.find("digits") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(steam_guard_codes) {
    // KeePassXC tests/TestTotp.cpp (testSteamTotp): values taken from the Steam mobile app.
    auto secret = base32_decode("63BEDWCQZKTQWPESARIERL5DTTQFCJTK");
    BOOST_REQUIRE(secret.ok());
    auto o = Otp::create(std::move(*secret), steam());
    BOOST_REQUIRE(o.ok());
    BOOST_TEST(o->params().digits == kSteamDigits);
    BOOST_TEST(code_str(o->generate(1511200518)) == "FR8RV");
    BOOST_TEST(code_str(o->generate(1511200714)) == "9P3VP");
    BOOST_TEST(o->verify("FR8RV", 1511200518).ok());
    BOOST_TEST(o->verify("FR8RV", 1511200518 + 30).ok());  // one step late, within ±1
    BOOST_TEST(o->verify("FR8RV", 1511200518 + 30).drift == -1);
    // MAKS11060/otp src/steamTotp.test.ts: a key of 20 zero bytes.
    auto z = Otp::create(SecretBytes(20), steam());
    BOOST_REQUIRE(z.ok());
    BOOST_TEST(code_str(z->at_step(0)) == "RYH4D");
    BOOST_TEST(code_str(z->at_step(1)) == "DR2DK");
    // Against the independent reference on random keys and steps.
    std::mt19937_64 rng(2603);
    for (int i = 0; i < 200; ++i) {
        SecretBytes key(1 + rng() % 64);
        for (std::size_t j = 0; j < key.size(); ++j) key[j] = static_cast<std::uint8_t>(rng());
        const std::uint64_t step = rng();
        auto s = Otp::create(key.clone(), steam());
        BOOST_REQUIRE(s.ok());
        BOOST_TEST(code_str(s->at_step(step)) == ref_steam(key.view(), step));
    }
    // Steam is SHA1 only.
    OtpParams p = steam();
    p.algorithm = HashAlg::sha256;
    auto bad = Otp::create(SecretBytes(20), p);
    BOOST_TEST(bad.code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(window_edges_asymmetric) {
    const std::string key = "12345678901234567890";
    Otp o = make(key, totp());
    const std::int64_t now = 1234567890;
    const std::int64_t cur = o.time_step(now);
    auto code = [&](std::int64_t step) { return code_str(o.at_step(static_cast<std::uint64_t>(step))); };

    // Default ±1.
    for (std::int64_t d : {-1, 0, 1}) {
        auto v = o.verify(code(cur + d), now);
        BOOST_TEST(v.status == Errc::ok);
        BOOST_TEST(v.matched_step == cur + d);
        BOOST_TEST(v.drift == d);
    }
    for (std::int64_t d : {-2, 2}) BOOST_TEST(o.verify(code(cur + d), now).status == Errc::otp_code_mismatch);

    // past = 3, future = 0: exactly at the edge accepted, one beyond rejected, no future step.
    const Window w{3, 0};
    BOOST_TEST(o.verify(code(cur - 3), now, w).status == Errc::ok);
    BOOST_TEST(o.verify(code(cur - 3), now, w).drift == -3);
    BOOST_TEST(o.verify(code(cur - 4), now, w).status == Errc::otp_code_mismatch);
    BOOST_TEST(o.verify(code(cur + 1), now, w).status == Errc::otp_code_mismatch);
    // past = 0, future = 2.
    const Window f{0, 2};
    BOOST_TEST(o.verify(code(cur + 2), now, f).drift == 2);
    BOOST_TEST(o.verify(code(cur + 3), now, f).status == Errc::otp_code_mismatch);
    BOOST_TEST(o.verify(code(cur - 1), now, f).status == Errc::otp_code_mismatch);
    // Zero window: the current step only.
    BOOST_TEST(o.verify(code(cur), now, Window{0, 0}).ok());
    BOOST_TEST(!o.verify(code(cur - 1), now, Window{0, 0}).ok());
    // The maximum window, at both edges; beyond the maximum is refused.
    const Window m{kMaxWindow, kMaxWindow};
    BOOST_TEST(o.verify(code(cur - kMaxWindow), now, m).drift == -std::int64_t{kMaxWindow});
    BOOST_TEST(o.verify(code(cur + kMaxWindow), now, m).drift == std::int64_t{kMaxWindow});
    BOOST_TEST(o.verify(code(cur), now, Window{kMaxWindow + 1, 0}).status == Errc::invalid_argument);
    BOOST_TEST(o.verify(code(cur), now, Window{0, kMaxWindow + 1}).status == Errc::invalid_argument);
    // The last second of a step and the first of the next.
    const std::int64_t edge = (cur + 1) * 30;
    BOOST_TEST(o.verify(code(cur + 2), edge - 1).status == Errc::otp_code_mismatch);
    BOOST_TEST(o.verify(code(cur + 2), edge).ok());
    // A mismatch reports no step.
    auto miss = o.verify(code(cur + 5), now);
    BOOST_TEST(miss.matched_step == 0);
    BOOST_TEST(miss.drift == 0);
    // verify on an HOTP Otp is an argument error.
    BOOST_TEST(make(key, hotp()).verify("755224", 0).status == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(replay_guard) {
    const std::string key = "12345678901234567890";
    Otp o = make(key, totp());
    const std::int64_t now = 2000000000;
    const std::int64_t cur = o.time_step(now);
    const std::string c0 = code_str(o.at_step(static_cast<std::uint64_t>(cur)));
    const std::string cm1 = code_str(o.at_step(static_cast<std::uint64_t>(cur - 1)));
    const std::string cp1 = code_str(o.at_step(static_cast<std::uint64_t>(cur + 1)));

    // First use: accepted; the server stores matched_step.
    auto first = o.verify(c0, now, {}, std::nullopt);
    BOOST_REQUIRE(first.ok());
    const std::int64_t last = first.matched_step;
    // The same code again (same step): replayed, its own error, with the step it belongs to.
    auto again = o.verify(c0, now + 5, {}, last);
    BOOST_TEST(again.status == Errc::otp_code_replayed);
    BOOST_TEST(again.matched_step == cur);
    // An earlier step (still inside the window): replayed.
    BOOST_TEST(o.verify(cm1, now, {}, last).status == Errc::otp_code_replayed);
    // A later step: accepted.
    auto later = o.verify(cp1, now, {}, last);
    BOOST_TEST(later.status == Errc::ok);
    BOOST_TEST(later.matched_step == cur + 1);
    // After the later code, the current one is a replay too (libpam's lesson).
    BOOST_TEST(o.verify(c0, now, {}, later.matched_step).status == Errc::otp_code_replayed);
    // A guard below the window has no effect; a wrong code stays a mismatch, not a replay.
    BOOST_TEST(o.verify(cm1, now, {}, cur - 2).ok());
    BOOST_TEST(o.verify("000000" == c0 ? "111111" : "000000", now, {}, last).status != Errc::ok);
    // Negative steps compare as signed numbers.
    Otp b = make(key, totp(HashAlg::sha1, 6, 30, 1000));
    const std::string neg = code_str(b.generate(999));
    BOOST_TEST(b.verify(neg, 999, {}, -2).ok());
    BOOST_TEST(b.verify(neg, 999, {}, -1).status == Errc::otp_code_replayed);
    BOOST_TEST(b.verify(neg, 999, {}, 0).status == Errc::otp_code_replayed);
}

BOOST_AUTO_TEST_CASE(hotp_look_ahead) {
    const std::string key = "12345678901234567890";
    Otp o = make(key, hotp(0));
    // RFC 4226 App. D code for count 3 ("969429").
    BOOST_TEST(o.verify_hotp("969429", 2).status == Errc::otp_code_mismatch);
    auto v = o.verify_hotp("969429", 3);
    BOOST_TEST(v.status == Errc::ok);
    BOOST_TEST(v.matched_counter == 3u);
    BOOST_TEST(v.next_counter == 4u);
    // The server stores next_counter; the same code is then no longer accepted.
    o.set_counter(v.next_counter);
    BOOST_TEST(o.verify_hotp("969429", 5).status == Errc::otp_code_mismatch);
    BOOST_TEST(o.verify_hotp("338314").ok());  // count 4, look-ahead 0
    BOOST_TEST(o.verify_hotp("254676").status == Errc::otp_code_mismatch);  // count 5 needs look-ahead 1
    BOOST_TEST(o.verify_hotp("254676", 1).matched_counter == 5u);
    BOOST_TEST(o.verify_hotp("338314", kMaxLookAhead + 1).status == Errc::invalid_argument);
    BOOST_TEST(o.verify_hotp("338314", kMaxLookAhead).ok());
    // The far end of the maximum look-ahead.
    o.set_counter(0);
    const std::string far = code_str(o.at_step(kMaxLookAhead));
    auto f = o.verify_hotp(far, kMaxLookAhead);
    BOOST_TEST(f.ok());
    BOOST_TEST(f.next_counter == kMaxLookAhead + 1u);
    // No wrap-around past 2^64 - 1: counter 2^64 - 1 has no next counter to store, so its code is
    // never accepted (accepting it would store 0 and make every old code valid again).
    o.set_counter(UINT64_MAX);
    const std::string top = code_str(o.at_step(UINT64_MAX));
    auto t = o.verify_hotp(top, 10);
    BOOST_TEST(t.status == Errc::otp_code_mismatch);
    BOOST_TEST(t.next_counter == 0u);
    BOOST_TEST(o.verify_hotp(top, 0).status == Errc::otp_code_mismatch);
    BOOST_TEST(o.verify_hotp(code_str(o.at_step(0)), 10).status == Errc::otp_code_mismatch);
    // A window that would cross the top stops before it: 2^64 - 2 is the last counter accepted.
    o.set_counter(UINT64_MAX - 3);
    auto below = o.verify_hotp(code_str(o.at_step(UINT64_MAX - 1)), 10);
    BOOST_TEST(below.ok());
    BOOST_TEST(below.matched_counter == UINT64_MAX - 1);
    BOOST_TEST(below.next_counter == UINT64_MAX);
    BOOST_TEST(o.verify_hotp(top, 10).status == Errc::otp_code_mismatch);
    BOOST_TEST(o.verify_hotp(code_str(o.at_step(0)), 10).status == Errc::otp_code_mismatch);
    BOOST_TEST(o.verify_hotp(code_str(o.at_step(1)), kMaxLookAhead).status == Errc::otp_code_mismatch);
    // verify_hotp on a TOTP Otp is an argument error.
    BOOST_TEST(make(key, totp()).verify_hotp("755224").status == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(hotp_resync_two_codes) {
    const std::string key = "12345678901234567890";
    Otp o = make(key, hotp(0));
    // Counts 5 and 6: "254676", "287922".
    auto r = o.resync_hotp("254676", "287922", 10);
    BOOST_TEST(r.status == Errc::ok);
    BOOST_TEST(r.matched_counter == 6u);
    BOOST_TEST(r.next_counter == 7u);
    // Exactly at the edge: the first code at counter + look_ahead.
    BOOST_TEST(o.resync_hotp("254676", "287922", 5).ok());
    BOOST_TEST(o.resync_hotp("254676", "287922", 4).status == Errc::otp_code_mismatch);
    // Not consecutive, or in the wrong order: rejected.
    BOOST_TEST(o.resync_hotp("254676", "162583", 10).status == Errc::otp_code_mismatch);
    BOOST_TEST(o.resync_hotp("287922", "254676", 10).status == Errc::otp_code_mismatch);
    // A large resync range, and its limit.
    const std::string a = code_str(o.at_step(900)), b = code_str(o.at_step(901));
    auto big = o.resync_hotp(a, b, kMaxResyncLookAhead);
    BOOST_TEST(big.ok());
    BOOST_TEST(big.next_counter == 902u);
    BOOST_TEST(o.resync_hotp(a, b, kMaxResyncLookAhead + 1).status == Errc::invalid_argument);
    BOOST_TEST(o.resync_hotp("25467", "287922", 10).status == Errc::otp_code_format);
    BOOST_TEST(o.resync_hotp("254676", "28792x", 10).status == Errc::otp_code_format);
    // Near the top of the counter space: no wrap.
    o.set_counter(UINT64_MAX - 1);
    BOOST_TEST(o.resync_hotp(code_str(o.at_step(UINT64_MAX - 1)), code_str(o.at_step(UINT64_MAX)), 3).status ==
               Errc::otp_code_mismatch);
}

BOOST_AUTO_TEST_CASE(code_format_rejected_never_padded) {
    const std::string key = "12345678901234567890";
    Otp o = make(key, totp());
    const std::int64_t now = 59;
    const std::string good = code_str(o.generate(now));
    BOOST_REQUIRE(o.verify(good, now).ok());
    const std::string bad[] = {
        "",
        good.substr(1),                    // short: "12345" is not "012345"
        good + "0",                        // long
        " " + good.substr(1),              // leading space
        good.substr(0, 5) + " ",           // trailing space
        good.substr(0, 3) + " " + good.substr(4),
        good.substr(0, 5) + "a",           // letter
        "-" + good.substr(1),
        good.substr(0, 5) + "\x00"s,       // NUL
        "\xef\xbc\x91\xef\xbc\x92",        // "１２" full-width digits: 6 bytes, not ASCII
        "\xd9\xa1\xd9\xa2\xd9\xa3",        // Arabic-Indic digits ١٢٣: 6 bytes
        "１２３４５６",                    // full-width, 18 bytes
        good.substr(0, 5) + "\x80",
        good.substr(0, 5) + "/",           // '0' - 1
        good.substr(0, 5) + ":",           // '9' + 1
    };
    for (const std::string& c : bad) {
        auto v = o.verify(c, now);
        BOOST_TEST(v.status == Errc::otp_code_format, "code of " << c.size() << " bytes");
        BOOST_TEST(v.matched_step == 0);
    }
    // A short code is not zero-padded: "5224" is the 4-digit form of "755224"'s tail, not a match.
    Otp h = make(key, hotp(0));
    BOOST_TEST(h.verify_hotp("55224").status == Errc::otp_code_format);
    BOOST_TEST(h.verify_hotp("0755224").status == Errc::otp_code_format);
    BOOST_TEST(h.verify_hotp("75522a").status == Errc::otp_code_format);
    // Steam: only the 26 upper-case characters.
    auto s = Otp::create(SecretBytes(20), steam());
    BOOST_REQUIRE(s.ok());
    const std::string sc = code_str(s->at_step(0));
    BOOST_REQUIRE(sc == "RYH4D");
    BOOST_TEST(s->verify("RYH4D", 15).ok());
    for (const char* c : {"ryh4d", "RYH4", "RYH4DD", "RYH41", "RYH4A", "RYH4E", "RYH40", "RYH4 ", "12345"})
        BOOST_TEST(s->verify(c, 15).status == Errc::otp_code_format, c);
}

BOOST_AUTO_TEST_CASE(secrets_and_limits) {
    auto s = generate_secret();
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->size() == kDefaultSecretBytes);
    std::set<std::string> seen;
    for (int i = 0; i < 16; ++i) {
        auto k = generate_secret(32);
        BOOST_REQUIRE(k.ok());
        BOOST_TEST(k->size() == 32u);
        seen.insert(hex_encode(k->view()));
    }
    BOOST_TEST(seen.size() == 16u);
    BOOST_TEST(generate_secret(0).code() == Errc::invalid_argument);
    BOOST_TEST(generate_secret(kMaxSecretBytes + 1).code() == Errc::invalid_argument);
    BOOST_TEST(generate_secret(kMaxSecretBytes).ok());

    BOOST_TEST(Otp::create(SecretBytes(), totp()).code() == Errc::otp_secret_too_short);
    BOOST_TEST(Otp::create(SecretBytes(kMaxSecretBytes + 1), totp()).code() == Errc::otp_secret_too_long);
    BOOST_TEST(Otp::create(SecretBytes(kMaxSecretBytes), totp()).ok());
    BOOST_TEST(Otp::create(SecretBytes(kMinSecretBytes), totp()).ok());

    // The Otp keeps the secret and the parameters; it moves.
    auto o = Otp::create(ascii_secret("12345678901234567890"), totp(HashAlg::sha512, 8, 60, 7));
    BOOST_REQUIRE(o.ok());
    Otp moved = std::move(*o);
    BOOST_TEST(as_chars(moved.secret()) == "12345678901234567890");
    BOOST_TEST(moved.params().algorithm == HashAlg::sha512);
    BOOST_TEST(moved.params().period == 60u);
    BOOST_TEST(moved.params().t0 == 7);
    BOOST_TEST(moved.generate(100).size() == 8u);

    BOOST_TEST(to_string(HashAlg::sha1) == "SHA1");
    BOOST_TEST(to_string(HashAlg::sha256) == "SHA256");
    BOOST_TEST(to_string(HashAlg::sha512) == "SHA512");
    BOOST_TEST(to_string(OtpType::totp) == "totp");
    BOOST_TEST(to_string(OtpType::hotp) == "hotp");
    BOOST_TEST(to_string(OtpType::steam) == "steam");
    OtpParams bad_type;
    bad_type.type = static_cast<OtpType>(9);
    BOOST_TEST(validate(bad_type).code() == Errc::invalid_argument);
    OtpParams bad_alg;
    bad_alg.algorithm = static_cast<HashAlg>(9);
    BOOST_TEST(validate(bad_alg).code() == Errc::invalid_argument);

    Code c;
    BOOST_TEST(c.size() == 0u);
    c.assign("0123456789", 10);
    BOOST_TEST(c == "0123456789");
    c.assign("0123456789xyz", 13);  // clamped to kMaxDigits
    BOOST_TEST(c.size() == kMaxDigits);
}

// The masked truncation must agree with the RFC 4226 §5.3 reading at every offset and MAC length.
BOOST_AUTO_TEST_CASE(truncation_matches_the_rfc_reading_at_every_offset) {
    std::mt19937 rng(4226);
    for (std::size_t len : {20u, 32u, 64u}) {
        for (int round = 0; round < 200; ++round) {
            std::uint8_t mac[64];
            for (std::size_t i = 0; i < len; ++i) mac[i] = static_cast<std::uint8_t>(rng());
            mac[len - 1] = static_cast<std::uint8_t>((mac[len - 1] & 0xf0) | (round % 16));
            const unsigned off = mac[len - 1] & 0x0f;
            const std::uint32_t expect = (static_cast<std::uint32_t>(mac[off] & 0x7f) << 24) |
                                         (static_cast<std::uint32_t>(mac[off + 1]) << 16) |
                                         (static_cast<std::uint32_t>(mac[off + 2]) << 8) | mac[off + 3];
            BOOST_TEST(hotp_truncate(mac, len) == expect);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/reader.hpp"
#include "mfa/secret.hpp"
#include "test_support.hpp"

using namespace mfa;

namespace {
std::string str(const SecretBytes& b) { return std::string(as_chars(b.view())); }
}  // namespace

BOOST_AUTO_TEST_SUITE(util)

BOOST_AUTO_TEST_CASE(base32_rfc4648_vectors) {
    // RFC 4648 §10, with and without padding.
    const std::pair<const char*, const char*> v[] = {
        {"", ""},          {"f", "MY======"},         {"fo", "MZXQ===="},         {"foo", "MZXW6==="},
        {"foob", "MZXW6YQ="}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI======"},
    };
    for (auto [plain, enc] : v) {
        auto d = base32_decode(enc);
        BOOST_REQUIRE_MESSAGE(d.ok(), enc);
        BOOST_TEST(str(*d) == plain);
        std::string unpadded(enc);
        unpadded.erase(unpadded.find_last_not_of('=') + 1);
        auto d2 = base32_decode(unpadded);
        BOOST_REQUIRE(d2.ok());
        BOOST_TEST(str(*d2) == plain);
        BOOST_TEST(std::string(base32_encode(as_bytes(plain)).view()) == unpadded);
    }
}

BOOST_AUTO_TEST_CASE(base32_human_input) {
    auto d = base32_decode("mzxw 6ytb-oi");
    BOOST_REQUIRE(d.ok());
    BOOST_TEST(str(*d) == "foobar");
}

BOOST_AUTO_TEST_CASE(base32_rejects_with_position) {
    auto r = base32_decode("MZXW1YTB");
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.code() == Errc::base32_invalid);
    BOOST_TEST(r.error().detail == "invalid character at position 4");
    BOOST_TEST(base32_decode("MZXW6===X").error().detail == "data after padding at position 8");
    BOOST_TEST(base32_decode("MZXW6==").code() == Errc::base32_invalid);   // 3 pad expected
    BOOST_TEST(base32_decode("MZX").code() == Errc::base32_invalid);       // 3 chars: impossible length
    BOOST_TEST(base32_decode("MZXW6\xC3\xA9").error().detail == "invalid character at position 5");
    BOOST_TEST(base32_decode(std::string(kBase32MaxInput + 1, 'A')).code() == Errc::limit_exceeded);
}

BOOST_AUTO_TEST_CASE(base64_modes) {
    const std::string bytes = "\xfb\xff\xbf";
    BOOST_TEST(base64url_encode(as_bytes(bytes)) == "-_-_");
    BOOST_TEST(base64_encode(as_bytes(bytes)) == "+/+/");
    BOOST_TEST(base64_encode(as_bytes("fo")) == "Zm8=");
    BOOST_TEST(base64_decode("-_-_", Base64Mode::url_strict).ok());
    BOOST_TEST(base64_decode("+/+/", Base64Mode::url_strict).code() == Errc::base64_invalid);
    BOOST_TEST(base64_decode("Zm8=", Base64Mode::url_strict).code() == Errc::base64_invalid);
    BOOST_TEST(base64_decode("Zm8", Base64Mode::standard).code() == Errc::base64_invalid);
    auto l = base64_decode("Zm8=", Base64Mode::lenient);
    BOOST_REQUIRE(l.ok());
    BOOST_TEST(std::string(as_chars(*l)) == "fo");
    BOOST_TEST(base64_decode("Zm9=", Base64Mode::lenient).code() == Errc::base64_invalid);  // trailing bits
    BOOST_TEST(base64_decode("Z", Base64Mode::lenient).code() == Errc::base64_invalid);
    BOOST_TEST(base64_decode("Zm8*", Base64Mode::lenient).error().detail == "invalid character at position 3");
}

BOOST_AUTO_TEST_CASE(hex_round_trip) {
    auto d = hex_decode("00ff10Ab");
    BOOST_REQUIRE(d.ok());
    BOOST_TEST(hex_encode(*d) == "00ff10ab");
    BOOST_TEST(hex_decode("0").code() == Errc::hex_invalid);
    BOOST_TEST(hex_decode("0g").error().detail == "invalid character at position 1");
}

BOOST_AUTO_TEST_CASE(secret_bytes_move_and_wipe) {
    SecretBytes a(as_bytes("secret"));
    SecretBytes b = std::move(a);
    BOOST_TEST(a.size() == 0u);
    BOOST_TEST(str(b) == "secret");
    b.append(as_bytes("-more"));
    BOOST_TEST(str(b) == "secret-more");
    b.resize(3);
    BOOST_TEST(str(b) == "sec");
    SecretBytes c = b.clone();
    b.clear();
    BOOST_TEST(b.empty());
    BOOST_TEST(str(c) == "sec");
}

BOOST_AUTO_TEST_CASE(ct_equal_semantics) {
    BOOST_TEST(ct_equal(std::string_view("123456"), std::string_view("123456")));
    BOOST_TEST(!ct_equal(std::string_view("123456"), std::string_view("123457")));
    BOOST_TEST(!ct_equal(std::string_view("12345"), std::string_view("123456")));
    BOOST_TEST(ct_equal(std::string_view(""), std::string_view("")));
    BOOST_TEST(ct_eq_mask(7, 7) == 0xFFFFFFFFu);
    BOOST_TEST(ct_eq_mask(7, 8) == 0u);
    BOOST_TEST(ct_lt_mask(3, 9) == 0xFFFFFFFFu);
    BOOST_TEST(ct_lt_mask(9, 3) == 0u);
    BOOST_TEST(ct_lt_mask(0, 0x80000000u) == 0xFFFFFFFFu);
}

BOOST_AUTO_TEST_CASE(reader_bounds) {
    const std::uint8_t buf[] = {0x01, 0x02, 0x03, 0xAC, 0x02};
    Reader r{ByteView(buf)};
    std::uint16_t v16 = 0;
    BOOST_TEST(r.get_u16be(v16));
    BOOST_TEST(v16 == 0x0102);
    std::uint32_t v32 = 0;
    BOOST_TEST(!r.get_u32be(v32));  // only 3 left: fails and does not advance
    BOOST_TEST(r.position() == 2u);
    BOOST_TEST(r.skip(1));
    std::uint64_t vi = 0;
    BOOST_TEST(r.get_varint(vi));
    BOOST_TEST(vi == 300u);
    BOOST_TEST(r.empty());
    const std::uint8_t overlong[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02};
    Reader r2{ByteView(overlong)};
    BOOST_TEST(!r2.get_varint(vi));
    Bytes out;
    Writer w(out);
    w.varint(300);
    w.u32be(0xDEADBEEF);
    BOOST_TEST(hex_encode(out) == "ac02deadbeef");
}

BOOST_AUTO_TEST_CASE(random_is_random) {
    std::set<std::string> seen;
    for (int i = 0; i < 32; ++i) {
        auto s = random_secret(20);
        BOOST_REQUIRE(s.ok());
        seen.insert(hex_encode(s->view()));
    }
    BOOST_TEST(seen.size() == 32u);
    for (int i = 0; i < 1000; ++i) {
        auto u = random_uniform(26);
        BOOST_REQUIRE(u.ok());
        BOOST_TEST(*u < 26u);
    }
    BOOST_TEST(random_uniform(0).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "mfa/cbor.hpp"
#include "mfa/encoding.hpp"
#include "test_support.hpp"

using namespace mfa;
using mfa::cbor::Value;

namespace {

Bytes hx(std::string_view h) {
    auto b = hex_decode(h);
    BOOST_REQUIRE_MESSAGE(b.ok(), h);
    return *b;
}

template <class R>
std::string err(const R& r) {
    return r.ok() ? std::string() : r.error().to_string();
}

Errc decode_code(std::string_view h, const mfa::cbor::DecodeOptions& o = {}) { return mfa::cbor::decode(hx(h), o).code(); }

// RFC 8949 Appendix A examples that are in preferred (and CTAP2 canonical) serialization.
const char* const kAppendixA[] = {
    "00", "01", "0a", "17", "1818", "1819", "1864", "1903e8", "1a000f4240", "1b000000e8d4a51000",
    "1bffffffffffffffff", "c249010000000000000000", "3bffffffffffffffff", "c349010000000000000000",
    "20", "29", "3863", "3903e7", "f90000", "f98000", "f93c00", "fb3ff199999999999a", "f93e00",
    "f97bff", "fa47c35000", "fa7f7fffff", "fb7e37e43c8800759c", "f90001", "f90400", "f9c400",
    "fbc010666666666666", "f97c00", "f97e00", "f9fc00", "f4", "f5", "f6", "f7", "f0", "f8ff",
    "c074323031332d30332d32315432303a30343a30305a", "c11a514b67b0", "c1fb41d452d9ec200000",
    "d74401020304", "d818456449455446", "d82076687474703a2f2f7777772e6578616d706c652e636f6d", "40",
    "4401020304", "60", "6161", "6449455446", "62225c", "62c3bc", "63e6b0b4", "64f0908591", "80",
    "83010203", "8301820203820405",
    "98190102030405060708090a0b0c0d0e0f101112131415161718181819", "a0", "a201020304",
    "a26161016162820203", "826161a161626163", "a56161614161626142616361436164614461656145",
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cbor)

BOOST_AUTO_TEST_CASE(appendix_a_decodes_and_reencodes_identically) {
    for (const char* h : kAppendixA) {
        const Bytes in = hx(h);
        auto v = mfa::cbor::decode(in);
        BOOST_REQUIRE_MESSAGE(v.ok(), h << ": " << err(v));
        auto out = mfa::cbor::encode(*v);
        BOOST_REQUIRE(out.ok());
        BOOST_TEST(hex_encode(*out) == h);
    }
}

BOOST_AUTO_TEST_CASE(appendix_a_values) {
    BOOST_TEST(*mfa::cbor::decode(hx("1bffffffffffffffff"))->as_uint() == UINT64_MAX);
    auto min = mfa::cbor::decode(hx("3bffffffffffffffff"));
    BOOST_TEST((min->type() == mfa::cbor::Type::negative_int));
    BOOST_TEST(min->raw_argument() == UINT64_MAX);  // -2^64
    BOOST_TEST(min->as_int().code() == Errc::cbor_int_range);
    BOOST_TEST(*mfa::cbor::decode(hx("3903e7"))->as_int() == -1000);
    BOOST_TEST(*mfa::cbor::decode(hx("3b7fffffffffffffff"))->as_int() == INT64_MIN);
    BOOST_TEST(*mfa::cbor::decode(hx("fb3ff199999999999a"))->as_float() == 1.1);
    BOOST_TEST(*mfa::cbor::decode(hx("f90001"))->as_float() == 5.960464477539063e-8);
    BOOST_TEST(*mfa::cbor::decode(hx("fa7f7fffff"))->as_float() == 3.4028234663852886e+38);
    BOOST_TEST(std::isnan(*mfa::cbor::decode(hx("f97e00"))->as_float()));
    BOOST_TEST(std::isinf(*mfa::cbor::decode(hx("f9fc00"))->as_float()));
    BOOST_TEST(*mfa::cbor::decode(hx("64f0908591"))->as_text() == "\xf0\x90\x85\x91");
    auto m = mfa::cbor::decode(hx("a26161016162820203"));
    BOOST_TEST(*m->get_int("a") == 1);
    BOOST_TEST((*m->get_array("b"))->size() == 2u);
    auto tag = mfa::cbor::decode(hx("c11a514b67b0"));
    BOOST_TEST(tag->tag_number() == 1u);
    BOOST_TEST(*tag->tag_content()->as_uint() == 1363896240u);
    BOOST_TEST((mfa::cbor::decode(hx("f0"))->type() == mfa::cbor::Type::simple));
    BOOST_TEST(mfa::cbor::decode(hx("f8ff"))->raw_argument() == 255u);
}

BOOST_AUTO_TEST_CASE(rejects_non_shortest_integers_and_lengths) {
    for (const char* h : {"1817", "190017", "1900ff", "1a0000ffff", "1b00000000ffffffff", "3817", "390000",
                          "580100", "5900016161", "780161", "98010a", "b8010101", "d80100", "c2580100"}) {
        const Errc c = decode_code(h);
        BOOST_TEST_INFO(h);
        BOOST_TEST(c == Errc::cbor_non_canonical);
    }
    auto e = mfa::cbor::decode(hx("82011817"));
    BOOST_TEST(e.error().detail.find("offset 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_non_shortest_floats) {
    for (const char* h : {"fa3f800000", "fb3ff0000000000000", "fa00000000", "fb0000000000000000",
                          "fa7f800000", "fb7ff0000000000000", "f97e01", "f9fe00", "fa7fc00000",
                          "fb7ff8000000000000", "fb3ff8000000000000", "fb40f86a0000000000"}) {
        BOOST_TEST_INFO(h);
        BOOST_TEST(decode_code(h) == Errc::cbor_non_canonical);
    }
    mfa::cbor::DecodeOptions lax;
    lax.canonical = false;
    auto one = mfa::cbor::decode(hx("fb3ff0000000000000"), lax);
    BOOST_REQUIRE(one.ok());
    BOOST_TEST(hex_encode(*mfa::cbor::encode(*one)) == "f93c00");
    auto nan = mfa::cbor::decode(hx("fa7fc00001"), lax);
    BOOST_REQUIRE(nan.ok());
    BOOST_TEST(hex_encode(*mfa::cbor::encode(*nan)) == "f97e00");
}

BOOST_AUTO_TEST_CASE(rejects_keys_out_of_canonical_order) {
    // 2 before 1; "b" before "a"; "aa" before "b" (shorter first); -1 before 1 (major type first);
    // text before integer; 24 (1818) before 23 (17).
    for (const char* h : {"a202000100", "a2616200616100", "a262616100616200", "a220000100",
                          "a261610001 00", "a218180017 00"}) {
        std::string s(h);
        s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
        BOOST_TEST_INFO(s);
        BOOST_TEST(decode_code(s) == Errc::cbor_key_order);
    }
    // Canonical order is accepted: 1, 24, -1, "a", "b", "aa".
    BOOST_TEST(mfa::cbor::decode(hx("a6" "0100" "181800" "2000" "616100" "616200" "62616100")).ok());
    auto e = mfa::cbor::decode(hx("a202000100"));
    BOOST_TEST(e.error().detail.find("offset 3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_duplicate_keys) {
    BOOST_TEST(decode_code("a201000100") == Errc::cbor_duplicate_key);
    BOOST_TEST(decode_code("a2616100616101") == Errc::cbor_duplicate_key);
    BOOST_TEST(decode_code("81a2f400f401") == Errc::cbor_duplicate_key);
    // Without the canonical check, duplicates are still found whatever their encoding.
    mfa::cbor::DecodeOptions lax;
    lax.canonical = false;
    BOOST_TEST(decode_code("a20100181f00", lax) == Errc::ok);
    BOOST_TEST(decode_code("a2010018010f", lax) == Errc::cbor_duplicate_key);
    BOOST_TEST(decode_code("a3020001000300", lax) == Errc::ok);
    BOOST_TEST(decode_code("a3020001000200", lax) == Errc::cbor_duplicate_key);
}

BOOST_AUTO_TEST_CASE(lax_mode_normalises_to_canonical) {
    mfa::cbor::DecodeOptions lax;
    lax.canonical = false;
    auto v = mfa::cbor::decode(hx("a3616200020018010f"), lax);  // {"b":0, 2:0, 1:15} with a long 1
    BOOST_REQUIRE(v.ok());
    BOOST_TEST(hex_encode(*mfa::cbor::encode(*v)) == "a3010f02006162" "00");
    BOOST_TEST(mfa::cbor::decode(*mfa::cbor::encode(*v)).ok());
}

BOOST_AUTO_TEST_CASE(rejects_indefinite_lengths_and_stray_breaks) {
    for (const char* h : {"5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "9f018202039f0405ffff",
                          "bf61610161629f0203ffff", "5fff"})
        BOOST_TEST(decode_code(h) == Errc::cbor_indefinite);
    BOOST_TEST(decode_code("ff") == Errc::cbor_malformed);
    BOOST_TEST(decode_code("8201ff") == Errc::cbor_malformed);  // a break where an item belongs
    BOOST_TEST(decode_code("1f") == Errc::cbor_malformed);
    BOOST_TEST(decode_code("df00") == Errc::cbor_malformed);
}

BOOST_AUTO_TEST_CASE(rejects_reserved_and_bad_simple) {
    for (const char* h : {"1c", "3d", "5e", "7c", "9d", "be", "dc", "fc", "fd", "fe"})
        BOOST_TEST(decode_code(h) == Errc::cbor_malformed);
    for (const char* h : {"f800", "f814", "f81f"}) BOOST_TEST(decode_code(h) == Errc::cbor_malformed);
    BOOST_TEST(decode_code("f820") == Errc::ok);
}

BOOST_AUTO_TEST_CASE(depth_limit) {
    auto nested = [](std::size_t levels) {
        Bytes b(levels, 0x81);
        b.push_back(0x00);
        return b;
    };
    BOOST_TEST(mfa::cbor::decode(nested(15)).ok());                       // 15 arrays + scalar = depth 16
    BOOST_TEST(mfa::cbor::decode(nested(16)).code() == Errc::cbor_depth);
    mfa::cbor::DecodeOptions o;
    o.max_depth = 4;
    BOOST_TEST(mfa::cbor::decode(nested(3), o).ok());
    BOOST_TEST(mfa::cbor::decode(nested(4), o).code() == Errc::cbor_depth);
    Bytes maps;
    for (int i = 0; i < 20; ++i) maps.insert(maps.end(), {0xa1, 0x00});
    maps.push_back(0x00);
    BOOST_TEST(mfa::cbor::decode(maps).code() == Errc::cbor_depth);
    Bytes tags(20, 0xc1);
    tags.push_back(0x00);
    BOOST_TEST(mfa::cbor::decode(tags).code() == Errc::cbor_depth);
}

BOOST_AUTO_TEST_CASE(size_limits) {
    mfa::cbor::DecodeOptions o;
    o.max_items = 4;
    BOOST_TEST(mfa::cbor::decode(hx("83010203"), o).ok());
    BOOST_TEST(mfa::cbor::decode(hx("8401020304"), o).code() == Errc::cbor_limit);
    BOOST_TEST(mfa::cbor::decode(hx("82818181818100"), o).code() == Errc::cbor_limit);
    o = {};
    o.max_string = 3;
    BOOST_TEST(mfa::cbor::decode(hx("43010203"), o).ok());
    BOOST_TEST(mfa::cbor::decode(hx("4401020304"), o).code() == Errc::cbor_limit);
    BOOST_TEST(mfa::cbor::decode(hx("6461626364"), o).code() == Errc::cbor_limit);
    o = {};
    o.max_input = 2;
    BOOST_TEST(mfa::cbor::decode(hx("1818"), o).ok());
    BOOST_TEST(mfa::cbor::decode(hx("190100"), o).code() == Errc::cbor_limit);
    // A huge announced count fails before anything is allocated.
    BOOST_TEST(decode_code("9bffffffffffffffff") == Errc::cbor_limit);
    BOOST_TEST(decode_code("991000") == Errc::cbor_truncated);
    BOOST_TEST(decode_code("5bffffffffffffffff") == Errc::cbor_limit);
    BOOST_TEST(decode_code("bb7fffffffffffffff") == Errc::cbor_limit);
}

BOOST_AUTO_TEST_CASE(option_switches) {
    mfa::cbor::DecodeOptions o;
    o.allow_tags = false;
    BOOST_TEST(mfa::cbor::decode(hx("c11a514b67b0"), o).code() == Errc::cbor_unsupported);
    o = {};
    o.allow_floats = false;
    BOOST_TEST(mfa::cbor::decode(hx("f93c00"), o).code() == Errc::cbor_unsupported);
    o = {};
    o.allow_simple = false;
    BOOST_TEST(mfa::cbor::decode(hx("f7"), o).code() == Errc::cbor_unsupported);
    BOOST_TEST(mfa::cbor::decode(hx("f0"), o).code() == Errc::cbor_unsupported);
    BOOST_TEST(mfa::cbor::decode(hx("f5"), o).ok());
    BOOST_TEST(mfa::cbor::decode(hx("f6"), o).ok());
}

BOOST_AUTO_TEST_CASE(truncation_at_every_byte) {
    const Bytes whole = hx("a5" "01" "02" "03" "26" "20" "01" "21" "5820" "e5a7d2e6f4d3b8c1a9f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566"
                           "22" "5820" "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    BOOST_REQUIRE(mfa::cbor::decode(whole).ok());
    for (std::size_t n = 0; n < whole.size(); ++n) {
        auto r = mfa::cbor::decode(ByteView(whole).first(n));
        BOOST_TEST_INFO("prefix " << n);
        BOOST_TEST(r.code() == Errc::cbor_truncated);
    }
    for (const char* h : kAppendixA) {
        const Bytes b = hx(h);
        for (std::size_t n = 0; n < b.size(); ++n) {
            BOOST_TEST_INFO(h << " prefix " << n);
            BOOST_TEST(mfa::cbor::decode(ByteView(b).first(n)).code() == Errc::cbor_truncated);
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_invalid_utf8) {
    for (const char* h : {"62c328", "6180", "63eda080", "62c080", "64f4908080", "63e08080", "61ff", "62e282",
                          "64f8888080"}) {
        BOOST_TEST_INFO(h);
        BOOST_TEST(decode_code(h) == Errc::cbor_invalid_utf8);
    }
    BOOST_TEST(decode_code("64f48fbfbf") == Errc::ok);  // U+10FFFF
    BOOST_TEST(decode_code("63efbbbf") == Errc::ok);    // U+FEFF
    BOOST_TEST(decode_code("62c328") != decode_code("42c328"));  // byte strings are not checked
}

BOOST_AUTO_TEST_CASE(trailing_bytes_and_prefix_mode) {
    auto t = mfa::cbor::decode(hx("0000"));
    BOOST_TEST(t.code() == Errc::cbor_trailing);
    BOOST_TEST(t.error().detail.find("offset 1") != std::string::npos);
    auto p = mfa::cbor::decode_prefix(hx("a1010258ff"));
    BOOST_REQUIRE(p.ok());
    BOOST_TEST(p->consumed == 3u);
    BOOST_TEST(*p->value.get_int(1) == 2);
    const Bytes two = hx("820102f5");
    Reader r(two);
    auto first = mfa::cbor::decode_from(r);
    BOOST_REQUIRE(first.ok());
    BOOST_TEST(r.position() == 3u);
    auto second = mfa::cbor::decode_from(r);
    BOOST_TEST(*second->as_bool());
    BOOST_TEST(r.empty());
    const Bytes short_array = hx("8201");
    Reader bad(short_array);
    BOOST_TEST(mfa::cbor::decode_from(bad).code() == Errc::cbor_truncated);
    BOOST_TEST(bad.position() == 0u);  // left untouched on failure
}

BOOST_AUTO_TEST_CASE(typed_accessors_name_the_key) {
    auto v = mfa::cbor::decode(hx("a3" "01" "02" "20" "6161" "63666d74" "f5"));  // {1:2, -1:"a", "fmt":true}
    BOOST_REQUIRE(v.ok());
    BOOST_TEST(*v->get_int(1) == 2);
    BOOST_TEST(*v->get_text(-1) == "a");
    BOOST_TEST(*v->get_bool("fmt"));
    auto wrong = v->get_bytes(-1);
    BOOST_TEST(wrong.code() == Errc::cbor_type);
    BOOST_TEST(wrong.error().detail == "map key -1: expected byte string, got text string");
    auto missing = v->get_int("alg");
    BOOST_TEST(missing.code() == Errc::cbor_missing_key);
    BOOST_TEST(missing.error().detail.find("\"alg\"") != std::string::npos);
    BOOST_TEST(v->get_map("fmt").code() == Errc::cbor_type);
    BOOST_TEST(v->find(2) == nullptr);
    BOOST_TEST(v->find("a") == nullptr);  // text key "a" is a value here, not a key
    const Value notmap(5);
    BOOST_TEST(notmap.find(1) == nullptr);
    BOOST_TEST(notmap.at(1).code() == Errc::cbor_type);
    BOOST_TEST(Value(-5).as_uint().code() == Errc::cbor_int_range);
    BOOST_TEST(Value(std::uint64_t{1} << 63).as_int().code() == Errc::cbor_int_range);
    BOOST_TEST(*Value(INT64_MIN).as_int() == INT64_MIN);
}

BOOST_AUTO_TEST_CASE(encoder_sorts_keys_canonically) {
    const Value m(mfa::cbor::Map{
        {"aa", 1}, {"b", 2}, {-1, 3}, {24, 4}, {1, 5}, {Value(Bytes{0x00}), 6}, {-25, 7}, {"a", 8},
    });
    auto out = mfa::cbor::encode(m);
    BOOST_REQUIRE(out.ok());
    // 1, 24, -1, -25, h'00', "a", "b", "aa"
    BOOST_TEST(hex_encode(*out) == "a8" "0105" "181804" "2003" "381807" "410006" "616108" "616202" "62616101");
    auto back = mfa::cbor::decode(*out);
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(*mfa::cbor::encode(*back) == *out);
}

BOOST_AUTO_TEST_CASE(encoder_rejects_what_cannot_decode) {
    BOOST_TEST(mfa::cbor::encode(Value(mfa::cbor::Map{{1, 1}, {1, 2}})).code() == Errc::cbor_duplicate_key);
    BOOST_TEST(mfa::cbor::encode(Value(mfa::cbor::Map{{"x", 1}, {"x", 2}})).code() == Errc::cbor_duplicate_key);
    BOOST_TEST(mfa::cbor::encode(Value(std::string("\xc3\x28"))).code() == Errc::cbor_invalid_utf8);
    BOOST_TEST(mfa::cbor::encode(Value::simple(21)).code() == Errc::cbor_malformed);
    Bytes out{0x99};
    BOOST_TEST(!mfa::cbor::encode_to(Value(mfa::cbor::Array{1, Value(std::string("\xff"))}), out).ok());
    BOOST_TEST(out.size() == 1u);  // nothing half-written on failure
}

BOOST_AUTO_TEST_CASE(encoder_round_trips) {
    const Value v(mfa::cbor::Array{
        0, 23, 24, 255, 256, 65535, 65536, 4294967295ull, 4294967296ull, UINT64_MAX, -1, -24, -25, -256, -257,
        INT64_MIN, Value::negative(UINT64_MAX), true, false, Value::null(), Value::undefined(), Value::simple(32),
        Value::floating(0.5), Value::floating(-0.0), Value::floating(1e300), Value::floating(100000.0),
        Value::floating(3.0e-8), Value::floating(INFINITY), Value::floating(NAN), Value::floating(65504.0),
        Value::floating(65520.0), Value::floating(0x1p-24), Value::floating(0x1p-25), Value(Bytes(300, 7)),
        Value(std::string(70000, 'z')), Value::tagged(24, Value(Bytes{1, 2})),
        Value(mfa::cbor::Map{{"k", mfa::cbor::Array{}}, {3, mfa::cbor::Map{}}}),
    });
    auto out = mfa::cbor::encode(v);
    BOOST_REQUIRE(out.ok());
    mfa::cbor::DecodeOptions o;
    o.max_string = 100000;
    auto back = mfa::cbor::decode(*out, o);
    BOOST_REQUIRE_MESSAGE(back.ok(), err(back));
    // NaN compares by bit pattern; the encoder's NaN decodes to the canonical one, like ours.
    BOOST_TEST(*mfa::cbor::encode(*back) == *out);
    const auto& items = back->array_items();
    BOOST_TEST(*items[9].as_uint() == UINT64_MAX);
    BOOST_TEST(*items[15].as_int() == INT64_MIN);
    BOOST_TEST(*items[24].as_float() == 1e300);
    BOOST_TEST(*items[30].as_float() == 65520.0);
    BOOST_TEST(*items[32].as_float() == 0x1p-25);
    BOOST_TEST(items[34].size() == 70000u);
    // Widths chosen: 65504 is a half, 65520 a single, 2^-24 a half, 2^-25 a single, 3e-8 a double.
    BOOST_TEST(hex_encode(*mfa::cbor::encode(Value::floating(65504.0))) == "f97bff");
    BOOST_TEST(hex_encode(*mfa::cbor::encode(Value::floating(65520.0))) == "fa477ff000");
    BOOST_TEST(hex_encode(*mfa::cbor::encode(Value::floating(0x1p-24))) == "f90001");
    BOOST_TEST(hex_encode(*mfa::cbor::encode(Value::floating(0x1p-25))) == "fa33000000");
    BOOST_TEST(mfa::cbor::encode(Value::floating(3.0e-8))->size() == 9u);
}

BOOST_AUTO_TEST_CASE(default_limit_on_strings) {
    BOOST_TEST(mfa::cbor::decode(*mfa::cbor::encode(Value(Bytes(65536, 1)))).ok());
    BOOST_TEST(mfa::cbor::decode(*mfa::cbor::encode(Value(Bytes(65537, 1)))).code() == Errc::cbor_limit);
}

BOOST_AUTO_TEST_SUITE_END()

// The strict JSON reader (mfa/json.hpp): part of the util suite.
#include <boost/test/unit_test.hpp>

#include <string>

#include "mfa/json.hpp"
#include "test_support.hpp"

using namespace mfa;

namespace {

json::Options opts(std::size_t max_depth = json::kDefaultMaxDepth, std::size_t max_bytes = json::kDefaultMaxBytes) {
    return json::Options{.code = Errc::webauthn_json, .what = "doc", .max_bytes = max_bytes, .max_depth = max_depth};
}

// The detail of a failed parse, which must use the caller's code.
std::string refused(std::string_view text, const json::Options& o = opts()) {
    auto r = json::parse(text, o);
    BOOST_TEST(!r.ok(), text);
    if (r.ok()) return {};
    BOOST_TEST(r.code() == o.code, text);
    return r.error().detail;
}

bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(util)

BOOST_AUTO_TEST_CASE(json_reads_what_rfc8259_allows) {
    auto v = json::parse(R"( {"a":[1,-2,2.5,1e3,18446744073709551615,true,false,null],"b":{"c":"\u00e9\ud83d\ude00\n"},
                              "":"", "d":"é😀", "e":123456789012345678901234567890} )");
    BOOST_TEST_REQUIRE(v.ok());
    BOOST_TEST((*v)["a"].size() == 8u);
    BOOST_TEST((*v)["a"][4].get<std::uint64_t>() == 18446744073709551615u);
    BOOST_TEST((*v)["a"][1].get<std::int64_t>() == -2);
    BOOST_TEST((*v)["b"]["c"].get<std::string>() == "\xC3\xA9\xF0\x9F\x98\x80\n");
    BOOST_TEST((*v)["d"].get<std::string>() == "\xC3\xA9\xF0\x9F\x98\x80");
    BOOST_TEST((*v)["e"].is_number_float());
    BOOST_TEST(json::parse("0").ok());
    BOOST_TEST(json::parse("\"x\"").ok());
    BOOST_TEST(json::parse("[]").ok());
    BOOST_TEST(json::parse_object("{}").ok());
}

BOOST_AUTO_TEST_CASE(json_parse_object_wants_an_object) {
    auto r = json::parse_object("[1]", opts());
    BOOST_TEST(r.code() == Errc::webauthn_json);
    BOOST_TEST(r.error().detail == "doc: not a JSON object");
}

BOOST_AUTO_TEST_CASE(json_duplicate_members_are_refused_after_unescaping) {
    const auto d = refused(R"({"a":1,"a":2})");
    BOOST_TEST(d == "doc: duplicate member \"a\" at byte 7 in /a");
    BOOST_TEST(has(refused(R"({"id":1,"\u0069d":2})"), "duplicate member \"id\""));
    BOOST_TEST(has(refused(R"({"x":[{"a":1},{"b":1,"b":2}]})"), "in /x/1/b"));
    BOOST_TEST(has(refused(R"({"a":{"b":null,"b":null}})"), "in /a/b"));
    // An escaped quote inside the name: the offset is that of the name's opening quote.
    BOOST_TEST(has(refused(R"({"q\"":1, "q\"":2})"), "at byte 10"));
    // The same name in different objects, or a prefix of another name, is fine.
    BOOST_TEST(json::parse(R"({"a":{"a":1},"b":[{"a":1},{"a":2}],"ab":1,"abc":{"ab":2}})").ok());
    // Objects above the linear-search size switch to a set; duplicates are still found, first or last.
    std::string big = "{";
    for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    BOOST_TEST(json::parse(big + "\"last\":0}").ok());
    BOOST_TEST(has(refused(big + "\"k0\":0}"), "duplicate member \"k0\""));
    BOOST_TEST(has(refused(big + "\"k39\":0}"), "in /k39"));
    BOOST_TEST(has(refused(big.substr(0, big.size() - 1) + ",\"k17\":0}"), "k17"));
}

BOOST_AUTO_TEST_CASE(json_depth_and_size_limits) {
    auto nest = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
    BOOST_TEST(json::parse(nest(32), opts()).ok());
    const auto d = refused(nest(33), opts());
    BOOST_TEST(d == "doc: nesting deeper than 32 at byte 32 in /0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0");
    BOOST_TEST(json::parse(R"({"a":{"b":{}}})", opts(3)).ok());
    BOOST_TEST(has(refused(R"({"a":{"b":{"c":1}}})", opts(2)), "nesting deeper than 2 at byte 10 in /a/b"));
    // A deep document that stops early is refused for depth, not read to the end.
    BOOST_TEST(has(refused(std::string(100000, '['), opts()), "nesting deeper than 32"));

    const std::string ten = R"({"a":"12"})";
    BOOST_TEST(json::parse(ten, opts(32, 10)).ok());
    auto big = json::parse(ten + " ", opts(32, 10));
    BOOST_TEST(big.code() == Errc::limit_exceeded);
    BOOST_TEST(big.error().detail == "doc is 11 bytes, limit 10");
}

BOOST_AUTO_TEST_CASE(json_utf8_is_checked) {
    BOOST_TEST(has(refused("\"\xFF\""), "ill-formed UTF-8"));
    BOOST_TEST(has(refused("\"\xC0\xAF\""), "ill-formed UTF-8"));          // overlong '/'
    BOOST_TEST(has(refused("\"\xE0\x80\xAF\""), "ill-formed UTF-8"));      // overlong, 3 bytes
    BOOST_TEST(has(refused("\"\xF0\x80\x80\xAF\""), "ill-formed UTF-8"));  // overlong, 4 bytes
    BOOST_TEST(has(refused("\"\xED\xA0\x80\""), "ill-formed UTF-8"));      // U+D800 encoded
    BOOST_TEST(has(refused("\"\xF4\x90\x80\x80\""), "ill-formed UTF-8"));  // above U+10FFFF
    BOOST_TEST(has(refused("\"\xE2\x82\""), "ill-formed UTF-8"));          // truncated
    BOOST_TEST(has(refused("{\"\x80\":1}"), "ill-formed UTF-8"));          // in a name too
    BOOST_TEST(has(refused(R"("\ud800")"), "surrogate"));
    BOOST_TEST(has(refused(R"("\udc00")"), "surrogate"));
    BOOST_TEST(has(refused(R"("\ud800\u0041")"), "surrogate"));
    BOOST_TEST(has(refused(R"("\ude00\ud83d")"), "surrogate"));
    BOOST_TEST(has(refused("\"a\tb\""), "control character"));
    BOOST_TEST(has(refused("\xEF\xBB\xBF{}"), "byte order mark at byte 0"));
    BOOST_TEST(json::parse("\"\xF4\x8F\xBF\xBF\"").ok());  // U+10FFFF
}

BOOST_AUTO_TEST_CASE(json_syntax_errors_carry_position_and_path) {
    BOOST_TEST(has(refused(""), "syntax error"));
    BOOST_TEST(has(refused("  "), "at byte 2"));
    BOOST_TEST(has(refused("{} x"), "at byte 3"));
    BOOST_TEST(has(refused(R"({"a":tru})"), "invalid literal at byte 8 in /a"));
    BOOST_TEST(has(refused(R"({"a":[1,2,]})"), "at byte 10 in /a/1"));
    BOOST_TEST(has(refused(R"({"a":1,})"), "syntax error"));
    BOOST_TEST(has(refused(R"({'a':1})"), "syntax error"));
    BOOST_TEST(has(refused("[1] // c"), "syntax error"));  // no comments
    BOOST_TEST(has(refused("[01]"), "syntax error"));
    BOOST_TEST(has(refused("[NaN]"), "syntax error"));
    BOOST_TEST(has(refused(R"(["\q"])"), "syntax error"));
    // A number beyond a double's range is refused rather than read as infinity.
    BOOST_TEST(has(refused(R"({"n":[1e999]})"), "number out of range at byte 6 in /n/0"));
    BOOST_TEST(has(refused("-1e400"), "number out of range at byte 0"));
    // Several lines: line and column as well.
    const auto d = refused("{\n  \"a\": 1,\n  \"a\": 2\n}");
    BOOST_TEST(d == "doc: duplicate member \"a\" at byte 14 (line 3, column 3) in /a");
    BOOST_TEST(has(refused("[1,\n2,\n]"), "(line 3, column 1)"));
}

BOOST_AUTO_TEST_CASE(json_errors_do_not_copy_the_input) {
    const auto d = refused("{\"secret\":\"JBSWY3DPEHPK3PXP\xFF\"}");
    BOOST_TEST(!has(d, "JBSWY3DP"), d);
    BOOST_TEST(has(d, "in /secret"));
    const auto t = refused("{\"secret\":JBSWY3DPEHPK3PXP}");
    BOOST_TEST(!has(t, "JBSWY3DP"), t);
    // A name with control characters and a long name are shown escaped and cut.
    const auto n = refused("{\"a\\u0001\":1,\"a\\u0001\":1}");
    BOOST_TEST(has(n, R"(duplicate member "a\u0001")"), n);
    const std::string lng(100, 'n');
    const auto l = refused("{\"" + lng + "\":1,\"" + lng + "\":1}");
    BOOST_TEST(has(l, "\"" + std::string(64, 'n') + "\"..."), l);
}

// A sink's own refusal is placed like the reader's.
BOOST_AUTO_TEST_CASE(json_sink_refusals_get_position_and_path) {
    struct NoStrings final : json::Sink {
        bool null() override { return true; }
        bool boolean(bool) override { return true; }
        bool number_integer(std::int64_t) override { return true; }
        bool number_unsigned(std::uint64_t) override { return true; }
        bool number_float(double) override { return true; }
        bool string(std::string&) override { return reject("a string"); }
        bool start_object() override { return true; }
        bool key(std::string&) override { return true; }
        bool end_object() override { return true; }
        bool start_array() override { return true; }
        bool end_array() override { return true; }
    } sink;
    auto st = json::read(R"({"a":[1, "x\"y"]})", sink, opts());
    BOOST_TEST(st.code() == Errc::webauthn_json);
    BOOST_TEST(st.error().detail == "doc: a string at byte 9 in /a/1");
    BOOST_TEST(json::read(R"({"a":[1, 2.5, null, true]})", sink, opts()).ok());
}

BOOST_AUTO_TEST_SUITE_END()

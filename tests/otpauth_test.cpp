// otpauth:// Key URIs and the otpauth-migration export: every rule of docs/otpauth.md with its
// error, the Key URI wiki examples, the public Google Authenticator export sample, round trips.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "mfa/encoding.hpp"
#include "mfa/otpauth.hpp"
#include "test_support.hpp"

using namespace mfa;

namespace mfa {
inline std::ostream& operator<<(std::ostream& os, OtpType t) { return os << to_string(t); }
inline std::ostream& operator<<(std::ostream& os, HashAlg a) { return os << to_string(a); }
}  // namespace mfa

namespace {

std::string hex(const SecretBytes& b) { return hex_encode(b.view()); }

// The error text of a result, or "" (Boost evaluates assertion messages also when they pass).
template <class R>
std::string err(const R& r) {
    return r.ok() ? std::string() : r.error().to_string();
}

Account parse_ok(std::string_view uri, UriParseOptions opts = {}) {
    auto r = parse_otpauth_uri(uri, opts);
    BOOST_REQUIRE_MESSAGE(r.ok(), std::string(uri) + " -> " + err(r));
    return std::move(*r);
}

// Fails with `code`, and the detail mentions `needle` (the parameter or the position).
template <class R>
void check_error(const R& r, Errc code, std::string_view needle, std::string_view what) {
    BOOST_REQUIRE_MESSAGE(!r.ok(), std::string(what) + " parsed but should fail");
    BOOST_TEST_MESSAGE(what << " -> " << r.error().to_string());
    BOOST_CHECK_MESSAGE(r.code() == code, std::string(what) + ": got " + std::string(errc_name(r.code())) +
                                              " (" + r.error().detail + "), want " + std::string(errc_name(code)));
    BOOST_CHECK_MESSAGE(r.error().detail.find(needle) != std::string::npos,
                        std::string(what) + ": detail '" + r.error().detail + "' lacks '" + std::string(needle) + "'");
}

void uri_fails(std::string_view uri, Errc code, std::string_view needle, UriParseOptions opts = {}) {
    check_error(parse_otpauth_uri(uri, opts), code, needle, uri);
}

constexpr std::string_view kSecret = "JBSWY3DPEHPK3PXP";           // "Hello!" DE AD BE EF
constexpr std::string_view kSecretHex = "48656c6c6f21deadbeef";

std::string totp(std::string_view label, std::string_view params) {
    return "otpauth://totp/" + std::string(label) + "?secret=" + std::string(kSecret) + std::string(params);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(otpauth)

// ---- The Key URI wiki examples --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(wiki_examples) {
    auto a = parse_ok("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example");
    BOOST_TEST(a.issuer == "Example");
    BOOST_TEST(a.name == "alice@google.com");
    BOOST_TEST(hex(a.secret) == kSecretHex);
    BOOST_TEST(a.params.type == OtpType::totp);
    BOOST_TEST(a.params.algorithm == HashAlg::sha1);
    BOOST_TEST(a.params.digits == 6u);
    BOOST_TEST(a.params.period == 30u);
    BOOST_TEST(a.extra.empty());

    auto b = parse_ok(totp("Provider1:Alice%20Smith", "&issuer=Provider1"));
    BOOST_TEST(b.issuer == "Provider1");
    BOOST_TEST(b.name == "Alice Smith");

    auto c = parse_ok(totp("Big%20Corporation%3A%20alice%40bigco.com", "&issuer=Big%20Corporation"));
    BOOST_TEST(c.issuer == "Big Corporation");
    BOOST_TEST(c.name == "alice@bigco.com");

    auto d = parse_ok("otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
                      "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30");
    BOOST_TEST(d.issuer == "ACME Co");
    BOOST_TEST(d.name == "john.doe@email.com");
    BOOST_TEST(d.secret.size() == 20u);
}

BOOST_AUTO_TEST_CASE(canonical_format) {
    auto a = parse_ok("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example");
    auto s = format_otpauth_uri(a);
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->view() == "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
                            "&algorithm=SHA1&digits=6&period=30");

    auto h = parse_ok("otpauth://HOTP/Big%20Co%3A%20bob?SECRET=jbswy3dpehpk3pxp&counter=7&image=https%3A%2F%2Fx%2Fa.png");
    auto hs = format_otpauth_uri(h);
    BOOST_REQUIRE(hs.ok());
    BOOST_TEST(hs->view() == "otpauth://hotp/Big%20Co:bob?secret=JBSWY3DPEHPK3PXP&issuer=Big%20Co&algorithm=SHA1"
                             "&digits=6&counter=7&image=https%3A%2F%2Fx%2Fa.png");

    Account steam = parse_ok("steam://JBSWY3DPEHPK3PXP");
    auto ss = format_otpauth_uri(steam);
    BOOST_REQUIRE(ss.ok());
    BOOST_TEST(ss->view() == "otpauth://totp/Steam:?secret=JBSWY3DPEHPK3PXP&issuer=Steam&algorithm=SHA1"
                             "&digits=5&period=30&encoder=steam");
}

// ---- Scheme, type, label -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(scheme_and_type) {
    BOOST_TEST(parse_ok("OTPAUTH://TOTP/a?secret=JBSWY3DPEHPK3PXP").params.type == OtpType::totp);
    uri_fails("http://totp/a?secret=JBSWY3DPEHPK3PXP", Errc::uri_scheme, "http");
    uri_fails("otpauth:/totp/a?secret=JBSWY3DPEHPK3PXP", Errc::uri_scheme, "://");
    uri_fails("otpauth-migration://offline?data=AA", Errc::uri_scheme, "parse_migration_uri");
    uri_fails("otpauth://motp/a?secret=JBSWY3DPEHPK3PXP", Errc::uri_type, "'motp' at position 10");
    uri_fails("otpauth://totp?secret=JBSWY3DPEHPK3PXP", Errc::uri_invalid, "position 10");
    uri_fails("otpauth://totp", Errc::uri_invalid, "'/'");
}

BOOST_AUTO_TEST_CASE(label_separators) {
    for (std::string_view label : {"Example:alice", "Example%3Aalice", "Example%3aalice", "Example:%20alice",
                                   "Example: alice", "Example%3A%20%20alice", "Example:  %20alice"}) {
        auto a = parse_ok(totp(label, ""));
        BOOST_TEST(a.issuer == "Example", label);
        BOOST_TEST(a.name == "alice", label);
    }
    // No prefix: spaces are part of the name; a plus in the label is a plus.
    auto b = parse_ok(totp("%20bob+1", ""));
    BOOST_TEST(b.issuer == "");
    BOOST_TEST(b.name == " bob+1");
    // Only an issuer.
    auto c = parse_ok(totp("Example:", "&issuer=Example"));
    BOOST_TEST(c.issuer == "Example");
    BOOST_TEST(c.name == "");
    // UTF-8, raw or encoded.
    BOOST_TEST(parse_ok(totp("M%C3%BCller%20AG:j%C3%B6rg", "")).name == "j\xC3\xB6rg");
    BOOST_TEST(parse_ok(totp("M\xC3\xBCller:\xE6\x97\xA5", "")).issuer == "M\xC3\xBCller");

    // Further ':' stay in the name; with the issuer parameter the split is where the issuer ends.
    auto d = parse_ok(totp("a:b:c", ""));
    BOOST_TEST((d.issuer == "a" && d.name == "b:c"));
    auto e = parse_ok(totp("a%3Ab:c", "&issuer=a%3Ab"));
    BOOST_TEST((e.issuer == "a:b" && e.name == "c"));
    auto f = parse_ok(totp("a%3Ab:c%3Ad", "&issuer=a"));
    BOOST_TEST((f.issuer == "a" && f.name == "b:c:d"));
    // An empty issuer before ':' is no issuer; the parameter may still give one.
    auto g = parse_ok(totp(":alice", ""));
    BOOST_TEST((g.issuer == "" && g.name == "alice"));
    BOOST_TEST(parse_ok(totp(":alice", "&issuer=Corp")).issuer == "Corp");
    BOOST_TEST(parse_ok(totp(":a%3Ab", "")).name == "a:b");
    uri_fails(totp(":", ""), Errc::uri_label, "neither an issuer nor an account name");
    uri_fails(totp("", ""), Errc::uri_label, "neither an issuer nor an account name");
    uri_fails(totp(std::string(300, 'n'), ""), Errc::limit_exceeded, "label account name");
    uri_fails(totp(std::string(300, 'i') + ":n", ""), Errc::limit_exceeded, "label issuer");
}

BOOST_AUTO_TEST_CASE(percent_encoding_and_utf8) {
    uri_fails(totp("ab%2", ""), Errc::uri_invalid, "truncated percent escape at position 17");
    uri_fails(totp("ab%G1", ""), Errc::uri_invalid, "invalid percent escape at position 17");
    uri_fails(totp("ab%C3%28", ""), Errc::uri_invalid, "invalid UTF-8 at position 17");
    uri_fails(totp("ab%C3", ""), Errc::uri_invalid, "truncated UTF-8 sequence at position 17");
    uri_fails(totp("a%ED%A0%80", ""), Errc::uri_invalid, "invalid UTF-8 at position 16");   // surrogate
    uri_fails(totp("a%C0%AF", ""), Errc::uri_invalid, "invalid UTF-8 at position 16");      // overlong
    uri_fails(totp("a\xFF", ""), Errc::uri_invalid, "invalid UTF-8 at position 16");
    uri_fails(totp("a%00b", ""), Errc::uri_invalid, "encoded control character at position 16");
    uri_fails(totp("a\tb", ""), Errc::uri_invalid, "raw control character at position 16");
    uri_fails(totp("a#b", ""), Errc::uri_invalid, "raw '#'");
    uri_fails(totp("a", "&issuer=x%0Ay"), Errc::uri_invalid, "parameter 'issuer'");
    uri_fails(totp("a", "&image=%FF"), Errc::uri_invalid, "parameter 'image'");
    uri_fails(totp("a", "&x%2=1"), Errc::uri_invalid, "parameter name");
    BOOST_TEST(parse_ok(totp("a%23b", "")).name == "a#b");
}

BOOST_AUTO_TEST_CASE(plus_in_query_is_space) {
    auto a = parse_ok(totp("Big+Co:bob", "&issuer=Big%2BCo&note=a+b%2Bc"));
    BOOST_TEST(a.issuer == "Big+Co");  // label: '+' literal, parameter: form encoding
    BOOST_TEST(a.extra.at(0).second == "a b+c");
    auto b = parse_ok(totp("bob", "&issuer=Big+Co"));
    BOOST_TEST(b.issuer == "Big Co");
    uri_fails(totp("Big+Co:bob", "&issuer=Big+Co"), Errc::uri_issuer_mismatch, "'Big Co' differs");
}

// ---- Issuer precedence ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(issuer_policy) {
    const std::string mismatch = totp("Label:alice", "&issuer=Param");
    uri_fails(mismatch, Errc::uri_issuer_mismatch, "'Param' differs from the label prefix 'Label'");
    BOOST_TEST(parse_ok(mismatch, {IssuerPolicy::prefer_param}).issuer == "Param");
    BOOST_TEST(parse_ok(mismatch, {IssuerPolicy::prefer_label}).issuer == "Label");
    // Case matters: "should be equal" means equal.
    uri_fails(totp("example:alice", "&issuer=Example"), Errc::uri_issuer_mismatch, "differs");

    auto only_param = parse_ok(totp("alice", "&issuer=Param"));
    BOOST_TEST(only_param.issuer == "Param");
    BOOST_TEST(only_param.name == "alice");
    auto only_label = parse_ok(totp("Label:alice", ""));
    BOOST_TEST(only_label.issuer == "Label");
    auto empty_param = parse_ok(totp("Label:alice", "&issuer="));
    BOOST_TEST(empty_param.issuer == "Label");
    // Separator spaces go also when the issuer came from the parameter only.
    BOOST_TEST(parse_ok(totp("%20alice", "&issuer=P")).name == "alice");

    BOOST_TEST(parse_ok(totp("alice", "&issuer=a%3Ab")).issuer == "a:b");
    uri_fails(totp("alice", "&issuer=" + std::string(257, 'x')), Errc::limit_exceeded, "issuer parameter");
}

// ---- Parameters -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(secret_parameter) {
    BOOST_TEST(hex(parse_ok(totp("a", "")).secret) == kSecretHex);
    BOOST_TEST(hex(parse_ok("otpauth://totp/a?secret=jbswy3dpehpk3pxp").secret) == kSecretHex);
    BOOST_TEST(hex(parse_ok("otpauth://totp/a?secret=MFRGG===").secret) == "616263");
    BOOST_TEST(hex(parse_ok("otpauth://totp/a?secret=MFRGG%3D%3D%3D").secret) == "616263");
    BOOST_TEST(hex(parse_ok("otpauth://totp/a?secret=JBSW+Y3DP%20EHPK-3PXP").secret) == kSecretHex);

    uri_fails("otpauth://totp/a?issuer=x", Errc::uri_secret, "missing");
    uri_fails("otpauth://totp/a", Errc::uri_secret, "missing");
    uri_fails("otpauth://totp/a?secret=", Errc::uri_secret, "empty");
    uri_fails("otpauth://totp/a?secret", Errc::uri_secret, "empty");
    uri_fails("otpauth://totp/a?secret=JBSW1Y3D", Errc::uri_secret, "secret at position 17: invalid character at position 4");
    uri_fails("otpauth://totp/a?secret=MFRGG==", Errc::uri_secret, "padding");
    uri_fails("otpauth://totp/a?secret=A", Errc::uri_secret, "truncated");
    uri_fails("otpauth://totp/a?secret=JB%ZZ", Errc::uri_secret, "invalid percent escape at position 26");
    uri_fails("otpauth://totp/a?secret=" + std::string(1640, 'A'), Errc::otp_secret_too_long, "1025 bytes");
    BOOST_TEST(parse_ok("otpauth://totp/a?secret=" + std::string(1639, 'A')).secret.size() == 1024u);
}

BOOST_AUTO_TEST_CASE(algorithm_digits_period_counter) {
    BOOST_TEST(parse_ok(totp("a", "&algorithm=SHA256")).params.algorithm == HashAlg::sha256);
    BOOST_TEST(parse_ok(totp("a", "&algorithm=sha512")).params.algorithm == HashAlg::sha512);
    BOOST_TEST(parse_ok(totp("a", "&Algorithm=Sha1")).params.algorithm == HashAlg::sha1);
    uri_fails(totp("a", "&algorithm=MD5"), Errc::uri_parameter, "parameter 'algorithm' at position 41: 'MD5'");
    uri_fails(totp("a", "&algorithm=SHA-256"), Errc::uri_parameter, "algorithm");
    uri_fails(totp("a", "&algorithm="), Errc::uri_parameter, "algorithm");

    BOOST_TEST(parse_ok(totp("a", "&digits=8")).params.digits == 8u);
    BOOST_TEST(parse_ok(totp("a", "&digits=4")).params.digits == 4u);
    BOOST_TEST(parse_ok(totp("a", "&digits=10")).params.digits == 10u);
    for (std::string_view bad : {"3", "11", "0", "-6", "+6", "six", "", "6 ", "99999999999999999999999"})
        uri_fails(totp("a", "&digits=" + std::string(bad)), Errc::uri_parameter, "parameter 'digits'");

    BOOST_TEST(parse_ok(totp("a", "&period=60")).params.period == 60u);
    BOOST_TEST(parse_ok(totp("a", "&period=86400")).params.period == 86400u);
    for (std::string_view bad : {"0", "86401", "-30", "30s", ""})
        uri_fails(totp("a", "&period=" + std::string(bad)), Errc::uri_parameter, "parameter 'period'");

    auto h = parse_ok("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551615&period=60");
    BOOST_TEST(h.params.type == OtpType::hotp);
    BOOST_TEST(h.params.counter == 18446744073709551615ull);
    BOOST_TEST(h.params.period == 30u);  // meaningless for hotp: checked, not kept
    uri_fails("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP", Errc::uri_parameter, "counter parameter is required");
    uri_fails("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551616", Errc::uri_parameter, "counter");
    uri_fails("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=-1", Errc::uri_parameter, "counter");
    uri_fails("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=1&period=0", Errc::uri_parameter, "period");
    // A counter on a totp URI is checked and dropped.
    BOOST_TEST(parse_ok(totp("a", "&counter=5")).params.counter == 0u);
}

BOOST_AUTO_TEST_CASE(duplicates_and_unknown_parameters) {
    uri_fails(totp("a", "&secret=JBSWY3DPEHPK3PXP"), Errc::uri_parameter, "duplicate parameter 'secret' at position 41 (first at position 17)");
    uri_fails(totp("a", "&SECRET=JBSWY3DPEHPK3PXP"), Errc::uri_parameter, "duplicate parameter 'secret'");
    uri_fails(totp("a", "&digits=6&digits=6"), Errc::uri_parameter, "duplicate parameter 'digits'");
    uri_fails(totp("a", "&issuer=x&issuer=x"), Errc::uri_parameter, "duplicate parameter 'issuer'");
    uri_fails(totp("a", "&encoder=steam&encoder=steam"), Errc::uri_parameter, "duplicate parameter 'encoder'");
    uri_fails(totp("a", "&=x"), Errc::uri_parameter, "empty parameter name at position 41");

    auto a = parse_ok(totp("a", "&image=https%3A%2F%2Fexample.com%2Fi.png&lock=true&pin=1234&lock=false&flag&&"));
    BOOST_REQUIRE(a.extra.size() == 5u);
    BOOST_TEST(a.extra[0].first == "image");
    BOOST_TEST(a.extra[0].second == "https://example.com/i.png");
    BOOST_TEST(a.extra[1].second == "true");
    BOOST_TEST(a.extra[2].first == "pin");
    BOOST_TEST(a.extra[3].second == "false");
    BOOST_TEST(a.extra[4].first == "flag");
    BOOST_TEST(a.extra[4].second == "");
    auto s = format_otpauth_uri(a);
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(std::string(s->view()).ends_with("&image=https%3A%2F%2Fexample.com%2Fi.png&lock=true&pin=1234&lock=false&flag="));

    std::string many;
    for (int i = 0; i < 33; ++i) many += "&p" + std::to_string(i) + "=1";
    uri_fails(totp("a", many), Errc::limit_exceeded, "more than 32 unknown parameters");
    BOOST_TEST(parse_ok(totp("a", many.substr(0, many.rfind('&')))).extra.size() == 32u);
    uri_fails(totp("a", "&x=" + std::string(kMaxUriLength, 'v')), Errc::uri_too_long, "limit is 4096");
}

// ---- Steam ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(steam_spellings) {
    for (std::string_view uri : {
             "otpauth://totp/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam&encoder=steam",
             "otpauth://totp/gaben?secret=JBSWY3DPEHPK3PXP&encoder=Steam",
             "otpauth://steam/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam",
             "otpauth://steam/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam&algorithm=SHA1&digits=5&period=30",
             "otpauth://totp/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam",
             "otpauth://totp/gaben?secret=JBSWY3DPEHPK3PXP&issuer=steam",
             "otpauth://totp/Steam:gaben?secret=JBSWY3DPEHPK3PXP",
             "otpauth://totp/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam&algorithm=SHA1&period=30",
         }) {
        auto a = parse_ok(uri);
        BOOST_TEST((a.params.type == OtpType::steam), uri);
        BOOST_TEST(a.params.digits == kSteamDigits, uri);
        BOOST_TEST(hex(a.secret) == kSecretHex);
    }
    auto s = parse_ok("steam://JBSWY3DPEHPK3PXP");
    BOOST_TEST((s.params.type == OtpType::steam));
    BOOST_TEST(s.issuer == "Steam");
    BOOST_TEST(s.name == "");
    BOOST_TEST(hex(parse_ok("STEAM://jbswy3dpehpk3pxp").secret) == kSecretHex);

    // Issuer Steam with a digits parameter or another algorithm: plain TOTP, as written.
    BOOST_TEST((parse_ok(totp("Steam:gaben", "&issuer=Steam&digits=6")).params.type == OtpType::totp));
    BOOST_TEST((parse_ok(totp("Steam:gaben", "&issuer=Steam&algorithm=SHA256")).params.type == OtpType::totp));
    BOOST_TEST((parse_ok(totp("Steamworks:gaben", "")).params.type == OtpType::totp));
    BOOST_TEST((parse_ok("otpauth://hotp/Steam:g?secret=JBSWY3DPEHPK3PXP&counter=1").params.type == OtpType::hotp));

    uri_fails("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=1&encoder=steam", Errc::uri_parameter, "hotp");
    uri_fails(totp("a", "&encoder=base32"), Errc::uri_parameter, "encoder 'base32'");
    uri_fails(totp("a", "&encoder=steam&digits=6"), Errc::uri_parameter, "digits=6 at position");
    uri_fails(totp("a", "&encoder=steam&algorithm=SHA256"), Errc::uri_parameter, "Steam codes use SHA1");
    uri_fails("otpauth://steam/a?secret=JBSWY3DPEHPK3PXP&digits=8", Errc::uri_parameter, "Steam");
    uri_fails("steam://JBSWY3DPEHPK3PXP?issuer=x", Errc::uri_invalid, "'?' at position 24");
    uri_fails("steam://JBSWY3DPEHPK3PX1", Errc::uri_secret, "invalid character");
    uri_fails("steam://", Errc::uri_secret, "empty");
}

// ---- Building ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(format_rejects_what_uris_cannot_carry) {
    Account a = parse_ok(totp("Example:alice", ""));
    auto with = [&](auto change) {
        Account b = a.clone();
        change(b);
        return format_otpauth_uri(b);
    };
    check_error(with([](Account& b) { b.issuer.clear(); b.name = " a:b"; }), Errc::uri_label, "starts with a space",
                "space before a name with a colon");
    check_error(with([](Account& b) { b.name = " alice"; }), Errc::uri_label, "starts with a space", "space");
    check_error(with([](Account& b) { b.name = "bad\xFF"; }), Errc::uri_label, "UTF-8", "utf8");
    check_error(with([](Account& b) { b.issuer.clear(); b.name.clear(); }), Errc::uri_label, "neither", "empty");
    check_error(with([](Account& b) { b.secret.clear(); }), Errc::uri_secret, "empty", "empty secret");
    check_error(with([](Account& b) { b.secret = SecretBytes(kMaxSecretBytes + 1); }), Errc::otp_secret_too_long,
                "1025", "long secret");
    check_error(with([](Account& b) { b.params.t0 = 10; }), Errc::invalid_argument, "t0", "t0");
    check_error(with([](Account& b) { b.extra.emplace_back("Digits", "8"); }), Errc::uri_parameter, "'Digits'",
                "known key");
    check_error(with([](Account& b) { b.extra.emplace_back("", "8"); }), Errc::uri_parameter, "empty name",
                "empty key");
    check_error(with([](Account& b) { b.extra.emplace_back("x", "a\nb"); }), Errc::uri_parameter, "control",
                "control");
    check_error(with([](Account& b) { b.params.type = OtpType::steam; b.params.algorithm = HashAlg::sha256; }),
                Errc::uri_parameter, "SHA1", "steam sha256");
    check_error(with([](Account& b) { b.extra.emplace_back("x", std::string(4000, 'x')); }), Errc::uri_too_long,
                "4096", "too long");
    check_error(with([](Account& b) {
                    for (int i = 0; i < 33; ++i) b.extra.emplace_back("k" + std::to_string(i), "v");
                }),
                Errc::limit_exceeded, "33 extra parameters", "too many");
}

namespace {

// Text for issuers, names and extra values: ASCII specials, spaces, multi-byte UTF-8.
std::string random_text(std::mt19937_64& rng, std::size_t max_len) {
    static const std::vector<std::string> kPieces = {
        "a", "Z", "0", "9", " ", "@", ".", "-", "_", "~", "+", "%", "&", "=", "?", "#", "/", "'", "\"",
        "<", "!", "*", "(", "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80", "%20", "%3A", ":"};
    std::string s;
    const std::size_t n = rng() % (max_len + 1);
    for (std::size_t i = 0; i < n; ++i) s += kPieces[rng() % kPieces.size()];
    return s;
}

Account random_account(std::mt19937_64& rng) {
    Account a;
    a.issuer = random_text(rng, 6);
    a.name = random_text(rng, 10);
    // Spaces after the label's ':' are separator spaces (and there is one with an issuer, or a ':' in the name).
    if (!a.issuer.empty() || a.name.find(':') != std::string::npos)
        a.name.erase(0, std::min(a.name.size(), a.name.find_first_not_of(' ')));
    if (a.issuer.empty() && a.name.empty()) a.name = "n";
    const std::size_t len = 1 + rng() % 64;
    a.secret = SecretBytes(len);
    for (std::size_t i = 0; i < len; ++i) a.secret[i] = static_cast<std::uint8_t>(rng());
    a.params.type = static_cast<OtpType>(rng() % 3);
    a.params.algorithm = a.params.type == OtpType::steam ? HashAlg::sha1 : static_cast<HashAlg>(rng() % 3);
    a.params.digits = a.params.type == OtpType::steam ? kSteamDigits : static_cast<unsigned>(kMinDigits + rng() % (kMaxDigits - kMinDigits + 1));
    if (a.params.type == OtpType::hotp)
        a.params.counter = rng() >> (rng() % 64);
    else
        a.params.period = 1 + static_cast<std::uint32_t>(rng() % kMaxPeriod);
    static const std::vector<std::string> kKeys = {"image", "lock", "pin", "codeDisplay", "a b", "x&y", "\xC3\xA9"};
    const std::size_t extras = rng() % 4;
    for (std::size_t i = 0; i < extras; ++i) a.extra.emplace_back(kKeys[rng() % kKeys.size()], random_text(rng, 8));
    return a;
}

}  // namespace

BOOST_AUTO_TEST_CASE(uri_round_trip_property) {
    std::mt19937_64 rng(20240611);
    for (int i = 0; i < 3000; ++i) {
        const Account a = random_account(rng);
        auto uri = format_otpauth_uri(a);
        BOOST_REQUIRE_MESSAGE(uri.ok(), "account " << i << ": " << err(uri));
        for (IssuerPolicy policy : {IssuerPolicy::strict, IssuerPolicy::prefer_param, IssuerPolicy::prefer_label}) {
            auto back = parse_otpauth_uri(uri->view(), {policy});
            BOOST_REQUIRE_MESSAGE(back.ok(), std::string(uri->view()) + " -> " + err(back));
            BOOST_REQUIRE_MESSAGE(same_account(a, *back), std::string(uri->view()));
        }
        auto again = format_otpauth_uri(*parse_otpauth_uri(uri->view()));
        BOOST_REQUIRE(again.ok());
        BOOST_REQUIRE(again->view() == uri->view());  // canonical is a fixed point
    }
}

BOOST_AUTO_TEST_CASE(same_account_compares_what_matters) {
    Account a = parse_ok(totp("E:a", "&period=60"));
    Account b = a.clone();
    BOOST_TEST(same_account(a, b));
    b.params.counter = 9;  // meaningless for totp
    BOOST_TEST(same_account(a, b));
    b.params.period = 30;
    BOOST_TEST(!same_account(a, b));
    b = a.clone();
    b.secret[0] ^= 1;
    BOOST_TEST(!same_account(a, b));
    b = a.clone();
    b.extra.emplace_back("x", "y");
    BOOST_TEST(!same_account(a, b));
}

// ---- Google Authenticator lint ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(ga_lint) {
    Account good = parse_ok("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example");
    BOOST_TEST(lint_for_google_authenticator(good).empty());

    auto contains = [](const std::vector<std::string>& w, std::string_view s) {
        return std::any_of(w.begin(), w.end(), [&](const std::string& x) { return x.find(s) != std::string::npos; });
    };
    Account odd = good.clone();
    odd.params.period = 60;
    odd.params.digits = 7;
    odd.params.algorithm = HashAlg::sha512;
    auto w = lint_for_google_authenticator(odd);
    BOOST_TEST(w.size() == 3u);
    BOOST_TEST(contains(w, "period 60"));
    BOOST_TEST(contains(w, "digits 7"));
    BOOST_TEST(contains(w, "SHA512"));
    BOOST_TEST(contains(lint_for_google_authenticator(parse_ok("steam://JBSWY3DPEHPK3PXP")), "Steam"));
    BOOST_TEST(contains(lint_for_google_authenticator(parse_ok(totp("a", ""))), "80 bits"));

    auto u = lint_uri_for_google_authenticator(
        "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PA%3D&algorithm=sha256&image=x");
    BOOST_REQUIRE(u.ok());
    BOOST_TEST(contains(*u, "lower case"));
    BOOST_TEST(contains(*u, "padding"));
    BOOST_TEST(contains(*u, "issuer only in the label"));
    BOOST_TEST(contains(*u, "'image'"));
    auto st = lint_uri_for_google_authenticator("otpauth://totp/Steam:g?secret=JBSWY3DPEHPK3PXP");
    BOOST_REQUIRE(st.ok());
    BOOST_TEST(contains(*st, "encoder=steam"));
    check_error(lint_uri_for_google_authenticator("otpauth://totp/a"), Errc::uri_secret, "missing", "lint bad");
}

// ---- otpauth-migration ------------------------------------------------------------------------

namespace {

// The public sample from jimmy0w0.me (reference otp.md §3): two accounts, batch_id -2115321764.
constexpr std::string_view kSampleUri =
    "otpauth-migration://offline?data=Ci8KCke7Wn1dzBf7B4QSG3RvdHBAYXV0aGVudGljYXRpb250ZXN0LmNvbSABKAEwAgoqChTjrWUfiCuBHIAj"
    "%2Br0YbS8oSrOLqBIMdGVzdC1hY2NvdW50IAEoATACEAEYASAAKNyAq4%2F4%2F%2F%2F%2F%2FwE%3D";

// A hand-made protobuf writer for malformed payloads.
struct Pb {
    Bytes b;
    Pb& raw(std::initializer_list<int> bytes) {
        for (int x : bytes) b.push_back(static_cast<std::uint8_t>(x));
        return *this;
    }
    Pb& varint(std::uint64_t v) {
        while (v >= 0x80) {
            b.push_back(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        b.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Pb& key(std::uint32_t field, std::uint32_t wire) { return varint((field << 3) | wire); }
    Pb& num(std::uint32_t field, std::uint64_t v) { return key(field, 0).varint(v); }
    Pb& str(std::uint32_t field, std::string_view s) {
        key(field, 2).varint(s.size());
        b.insert(b.end(), s.begin(), s.end());
        return *this;
    }
    Pb& msg(std::uint32_t field, const Pb& m) {
        return str(field, std::string_view(reinterpret_cast<const char*>(m.b.data()), m.b.size()));
    }
};

Pb good_account(std::uint64_t alg = 1, std::uint64_t digits = 1, std::uint64_t type = 2) {
    return Pb().str(1, "0123456789").str(2, "Example:alice").str(3, "Example").num(4, alg).num(5, digits).num(6, type);
}

void payload_fails(const Pb& p, Errc code, std::string_view needle, std::string_view what,
                   MigrationParseOptions opts = {}) {
    check_error(parse_migration_payload(p.b, opts), code, needle, what);
}

MigrationBatch parse_payload_ok(const Pb& p, MigrationParseOptions opts = {}) {
    auto r = parse_migration_payload(p.b, opts);
    BOOST_REQUIRE_MESSAGE(r.ok(), err(r));
    return std::move(*r);
}

}  // namespace

BOOST_AUTO_TEST_CASE(migration_public_sample) {
    auto r = parse_migration_uri(kSampleUri);
    BOOST_REQUIRE_MESSAGE(r.ok(), err(r));
    const MigrationBatch& b = *r;
    BOOST_TEST(b.version == 1);
    BOOST_TEST(b.batch_size == 1);
    BOOST_TEST(b.batch_index == 0);
    BOOST_TEST(b.batch_id == -2115321764);
    BOOST_REQUIRE(b.accounts.size() == 2u);
    BOOST_TEST(hex(b.accounts[0].secret) == "47bb5a7d5dcc17fb0784");
    BOOST_TEST(b.accounts[0].name == "totp@authenticationtest.com");
    BOOST_TEST(b.accounts[0].issuer == "");
    BOOST_TEST(hex(b.accounts[1].secret) == "e3ad651f882b811c8023fabd186d2f284ab38ba8");
    BOOST_TEST(b.accounts[1].name == "test-account");
    for (const Account& a : b.accounts) {
        BOOST_TEST((a.params.type == OtpType::totp));
        BOOST_TEST((a.params.algorithm == HashAlg::sha1));
        BOOST_TEST(a.params.digits == 6u);
        BOOST_TEST(a.params.period == 30u);
    }
    // Our builder writes the fields exactly as Google Authenticator did.
    auto again = build_migration_uri(b);
    BOOST_REQUIRE(again.ok());
    BOOST_TEST(again->view() == kSampleUri);
    // The accounts become ordinary URIs.
    auto u = format_otpauth_uri(b.accounts[0]);
    BOOST_REQUIRE(u.ok());
    BOOST_TEST(u->view() == "otpauth://totp/totp@authenticationtest.com?secret=I65VU7K5ZQL7WB4E&algorithm=SHA1"
                            "&digits=6&period=30");
}

BOOST_AUTO_TEST_CASE(migration_every_field) {
    Pb hotp = Pb().str(1, "abcdefghij").str(2, "Bank: bob").str(3, "Bank").num(4, 3).num(5, 2).num(6, 1).num(7, 42);
    Pb bare = Pb().str(1, "k").str(2, "Solo:carol");  // UNSPECIFIED everything; issuer only in the name
    Pb p = Pb().msg(1, hotp).msg(1, bare).msg(1, Pb().str(1, "0123456789").str(2, "c").num(4, 2))
               .num(2, 1).num(3, 3).num(4, 2).num(5, static_cast<std::uint64_t>(std::int64_t{-1}));
    // Unknown fields of every skippable wire type, at both levels.
    p.num(9, 5).key(10, 1).raw({1, 2, 3, 4, 5, 6, 7, 8}).str(11, "x").key(12, 5).raw({1, 2, 3, 4});
    auto b = parse_payload_ok(p);
    BOOST_TEST(b.batch_size == 3);
    BOOST_TEST(b.batch_index == 2);
    BOOST_TEST(b.batch_id == -1);
    BOOST_REQUIRE(b.accounts.size() == 3u);
    const Account& h = b.accounts[0];
    BOOST_TEST(h.issuer == "Bank");
    BOOST_TEST(h.name == "bob");
    BOOST_TEST((h.params.type == OtpType::hotp));
    BOOST_TEST((h.params.algorithm == HashAlg::sha512));
    BOOST_TEST(h.params.digits == 8u);
    BOOST_TEST(h.params.counter == 42u);
    const Account& s = b.accounts[1];
    BOOST_TEST(s.issuer == "Solo");
    BOOST_TEST(s.name == "carol");
    BOOST_TEST((s.params.type == OtpType::totp));
    BOOST_TEST((s.params.algorithm == HashAlg::sha1));
    BOOST_TEST(s.params.digits == 6u);
    BOOST_TEST((b.accounts[2].params.algorithm == HashAlg::sha256));

    Pb unknown_inner = good_account().num(20, 1).key(21, 1).raw({0, 0, 0, 0, 0, 0, 0, 0}).str(22, "").key(23, 5).raw({0, 0, 0, 0});
    BOOST_TEST(parse_payload_ok(Pb().msg(1, unknown_inner)).accounts.size() == 1u);
    // Absent header fields: proto3 zeros; batch_size 0 reads as a single batch.
    auto z = parse_payload_ok(Pb().msg(1, good_account()));
    BOOST_TEST(z.version == 0);
    BOOST_TEST(z.batch_size == 1);
    BOOST_TEST(z.batch_index == 0);
    BOOST_TEST(z.batch_id == 0);

    // Round trip through our builder.
    auto built = build_migration_payload(b);
    BOOST_REQUIRE(built.ok());
    auto back = parse_migration_payload(built->view());
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(back->batch_id == -1);
    BOOST_REQUIRE(back->accounts.size() == 3u);
    for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(same_account(b.accounts[i], back->accounts[i]));
}

BOOST_AUTO_TEST_CASE(migration_name_and_issuer) {
    auto with_name = [](std::string_view name, std::string_view issuer) {
        Pb a = Pb().str(1, "k").str(2, name);
        if (!issuer.empty()) a.str(3, issuer);
        return Pb().msg(1, a);
    };
    BOOST_TEST(parse_payload_ok(with_name("alice", "Corp")).accounts[0].issuer == "Corp");
    BOOST_TEST(parse_payload_ok(with_name("Corp:alice", "")).accounts[0].issuer == "Corp");
    payload_fails(with_name("Other:alice", "Corp"), Errc::uri_issuer_mismatch, "account 0: issuer 'Corp' differs", "mismatch");
    BOOST_TEST(parse_payload_ok(with_name("Other:alice", "Corp"), {IssuerPolicy::prefer_param}).accounts[0].issuer == "Corp");
    BOOST_TEST(parse_payload_ok(with_name("Other:alice", "Corp"), {IssuerPolicy::prefer_label}).accounts[0].issuer == "Other");
    auto colons = std::move(parse_payload_ok(with_name("a:b:c", "a:b")).accounts[0]);
    BOOST_TEST((colons.issuer == "a:b" && colons.name == "c"));
    auto no_issuer = std::move(parse_payload_ok(with_name(":a:b", "")).accounts[0]);
    BOOST_TEST((no_issuer.issuer == "" && no_issuer.name == "a:b"));
    payload_fails(with_name("", ""), Errc::migration_field, "account 0: neither", "no name");
    payload_fails(with_name("a\xFF", ""), Errc::migration_field, "account 0 name: invalid UTF-8", "utf8");
    BOOST_TEST(parse_payload_ok(with_name("a", "x:y")).accounts[0].issuer == "x:y");
    payload_fails(with_name(std::string(300, 'n'), ""), Errc::limit_exceeded, "account 0 name", "long name");
}

BOOST_AUTO_TEST_CASE(migration_malformed_payloads) {
    const Pb ok = Pb().msg(1, good_account()).num(2, 1).num(3, 1).num(4, 0).num(5, 7);
    BOOST_TEST(parse_payload_ok(ok).accounts.size() == 1u);
    // Every proper prefix that cuts a field fails as truncated (cuts at a field boundary are valid
    // payloads with fewer fields, or fail for another reason).
    std::size_t truncated = 0;
    for (std::size_t n = 1; n < ok.b.size(); ++n) {
        auto r = parse_migration_payload(ByteView(ok.b).first(n));
        if (!r.ok() && r.code() == Errc::migration_invalid) {
            BOOST_TEST(r.error().detail.find("truncated") != std::string::npos, r.error().detail);
            ++truncated;
        }
    }
    BOOST_TEST(truncated > 30u);

    payload_fails(Pb(), Errc::migration_field, "no accounts", "empty");
    payload_fails(Pb().num(1, 5), Errc::migration_invalid, "otp_parameters has wire type 0, expected 2 at offset 0", "wt");
    payload_fails(Pb().msg(1, good_account()).str(3, "x"), Errc::migration_invalid, "batch_size has wire type 2", "wt2");
    payload_fails(Pb().msg(1, Pb().num(1, 5)), Errc::migration_invalid, "account 0 secret has wire type 0", "secret wt");
    payload_fails(Pb().msg(1, good_account()).key(7, 3).key(7, 4), Errc::migration_invalid, "group (wire type 3)", "group");
    payload_fails(Pb().msg(1, good_account()).key(7, 6), Errc::migration_invalid, "wire type 6", "wt6");
    payload_fails(Pb().msg(1, good_account()).raw({0x00, 0x00}), Errc::migration_invalid, "field number 0", "f0");
    payload_fails(Pb().msg(1, good_account()).num(5, 1).num(5, 2), Errc::migration_invalid, "batch_id twice", "dup");
    payload_fails(Pb().msg(1, good_account().str(1, "again")), Errc::migration_invalid, "account 0 secret twice", "dup2");
    payload_fails(Pb().msg(1, good_account()).num(5, std::uint64_t{1} << 40), Errc::migration_invalid,
                  "batch_id 1099511627776 is outside int32", "int32");
    payload_fails(Pb().msg(1, good_account()).raw({0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),
                  Errc::migration_invalid, "overlong varint", "overlong");
    payload_fails(Pb().msg(1, good_account()).raw({0x0a, 0x05, 0x01}), Errc::migration_invalid,
                  "truncated length-delimited field 1 at offset", "len");
    payload_fails(Pb().msg(1, good_account()).key(9, 1).raw({1, 2, 3}), Errc::migration_invalid, "truncated fixed-size", "f64");
    payload_fails(Pb().msg(1, good_account()).key(9, 5).raw({1}), Errc::migration_invalid, "truncated fixed-size", "f32");

    payload_fails(Pb().msg(1, good_account(4)), Errc::migration_field, "account 0 algorithm: MD5 is not supported", "md5");
    payload_fails(Pb().msg(1, good_account()).msg(1, good_account(9)), Errc::migration_field,
                  "account 1 algorithm: unknown value 9", "alg");
    payload_fails(Pb().msg(1, good_account(1, 3)), Errc::migration_field, "account 0 digits: unknown value 3", "digits");
    payload_fails(Pb().msg(1, good_account(1, 1, 3)), Errc::migration_field, "account 0 type: unknown value 3", "type");
    payload_fails(Pb().msg(1, Pb().str(2, "a")), Errc::migration_field, "account 0: the secret is missing", "no secret");
    payload_fails(Pb().msg(1, Pb().str(1, "").str(2, "a")), Errc::migration_field, "secret is missing or empty", "empty secret");
    payload_fails(Pb().msg(1, Pb().str(1, std::string(1025, 'k')).str(2, "a")), Errc::migration_field, "1025 bytes", "long secret");
    payload_fails(Pb().msg(1, Pb().str(1, "k").str(2, "a").num(6, 1).num(7, static_cast<std::uint64_t>(std::int64_t{-5}))),
                  Errc::migration_field, "account 0 counter: negative", "counter");
    payload_fails(Pb().msg(1, good_account()).num(2, 2), Errc::migration_field, "version 2", "version");
    payload_fails(Pb().msg(1, good_account()).num(3, 2).num(4, 2), Errc::migration_field, "batch_index 2 outside 0..1", "index");
    payload_fails(Pb().msg(1, good_account()).num(3, static_cast<std::uint64_t>(std::int64_t{-3})), Errc::migration_field,
                  "batch_size -3", "size");
    Pb many;
    for (std::size_t i = 0; i <= kMaxMigrationAccounts; ++i) many.msg(1, good_account());
    payload_fails(many, Errc::limit_exceeded, "more than 1000 accounts", "many");
}

BOOST_AUTO_TEST_CASE(migration_uri_rules) {
    const std::string data = "CioKCjAxMjM0NTY3ODkSDUV4YW1wbGU6YWxpY2UaB0V4YW1wbGUgASgBMAI%3D";  // good_account()
    auto ok = [](std::string_view uri) {
        auto r = parse_migration_uri(uri);
        BOOST_REQUIRE_MESSAGE(r.ok(), std::string(uri) + " -> " + err(r));
        return std::move(*r);
    };
    auto fails = [](std::string_view uri, Errc code, std::string_view needle) {
        check_error(parse_migration_uri(uri), code, needle, uri);
    };
    BOOST_TEST(ok("otpauth-migration://offline?data=" + data).accounts.at(0).name == "alice");
    BOOST_TEST(ok("OTPAUTH-MIGRATION://OFFLINE?data=" + data + "&").accounts.size() == 1u);
    // Unpadded and raw '+' / '/' are read too.
    BOOST_TEST(ok("otpauth-migration://offline?data=" + data.substr(0, data.size() - 3)).accounts.size() == 1u);
    auto sample_raw = std::string(kSampleUri);
    for (auto [from, to] : {std::pair<std::string, std::string>{"%2B", "+"}, {"%2F", "/"}}) {
        for (auto p = sample_raw.find(from); p != std::string::npos; p = sample_raw.find(from)) sample_raw.replace(p, 3, to);
    }
    BOOST_TEST(ok(sample_raw).batch_id == -2115321764);

    fails("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", Errc::uri_scheme, "parse_otpauth_uri");
    fails("https://offline?data=" + data, Errc::uri_scheme, "otpauth-migration");
    fails("otpauth-migration://online?data=" + data, Errc::uri_invalid, "host 'online' at position 20");
    fails("otpauth-migration://offline", Errc::uri_parameter, "data parameter is missing");
    fails("otpauth-migration://offline?", Errc::uri_parameter, "data parameter is missing");
    fails("otpauth-migration://offline?data=" + data + "&data=" + data, Errc::uri_parameter, "duplicate parameter 'data'");
    fails("otpauth-migration://offline?data=" + data + "&x=1", Errc::uri_parameter, "unknown parameter 'x'");
    fails("otpauth-migration://offline?data=", Errc::migration_invalid, "empty");
    fails("otpauth-migration://offline?data=AB%ZZ", Errc::migration_invalid, "invalid percent escape at position 35");
    fails("otpauth-migration://offline?data=AB*C", Errc::migration_invalid, "data at position 33: invalid character at position 2");
    fails("otpauth-migration://offline?data=A", Errc::migration_invalid, "truncated");
    fails("otpauth-migration://offline?data=" + std::string(kMaxMigrationUriLength, 'A'), Errc::uri_too_long, "65536");
}

BOOST_AUTO_TEST_CASE(migration_build_refuses_what_it_cannot_carry) {
    Account a = parse_ok(totp("Example:alice", ""));
    auto fails = [&](auto change, std::string_view needle) {
        MigrationBatch b;
        b.accounts.push_back(a.clone());
        b.accounts.push_back(a.clone());
        change(b.accounts[1]);
        check_error(build_migration_payload(b), Errc::migration_field, needle, needle);
    };
    fails([](Account& x) { x.params.type = OtpType::steam; x.params.digits = 5; }, "account 1 ('Example:alice'): Steam");
    fails([](Account& x) { x.params.period = 60; }, "account 1 ('Example:alice'): period 60");
    fails([](Account& x) { x.params.digits = 7; }, "digits 7");
    fails([](Account& x) { x.params.t0 = 5; }, "t0");
    fails([](Account& x) { x.params.type = OtpType::hotp; x.params.counter = ~0ull; }, "counter above INT64_MAX");
    fails([](Account& x) { x.secret.clear(); }, "secret is empty");
    fails([](Account& x) { x.issuer.clear(); x.name = " a:b"; }, "starts with a space");
    fails([](Account& x) { x.name = " b"; }, "starts with a space");

    MigrationBatch b;
    check_error(build_migration_payload(b), Errc::migration_field, "at least one account", "empty batch");
    b.accounts.push_back(a.clone());
    b.batch_index = 1;
    check_error(build_migration_payload(b), Errc::migration_field, "batch_index 1", "index");
    b.batch_index = 0;
    b.version = 3;
    check_error(build_migration_payload(b), Errc::migration_field, "version 3", "version");
    // A hotp period and totp counter are not the payload's business: they are ignored.
    b.version = 1;
    b.accounts[0].params.counter = 99;
    BOOST_TEST(build_migration_payload(b).ok());
}

BOOST_AUTO_TEST_CASE(migration_multi_batch) {
    std::mt19937_64 rng(7);
    std::vector<Account> accounts;
    for (int i = 0; i < 25; ++i) {
        Account a = random_account(rng);
        a.extra.clear();
        if (a.params.type == OtpType::steam) a.params.type = OtpType::totp;
        a.params.period = 30;
        a.params.digits = (i % 2) ? 8 : 6;
        if (a.params.type == OtpType::hotp) a.params.counter >>= 1;
        accounts.push_back(std::move(a));
    }
    auto uris = build_migration_uris(accounts, 10, -2115321764);
    BOOST_REQUIRE_MESSAGE(uris.ok(), err(uris));
    BOOST_REQUIRE(uris->size() == 3u);
    std::vector<MigrationBatch> batches;
    for (std::size_t i = 0; i < 3; ++i) {
        auto b = parse_migration_uri((*uris)[i].view());
        BOOST_REQUIRE_MESSAGE(b.ok(), err(b));
        BOOST_TEST(b->batch_size == 3);
        BOOST_TEST(b->batch_index == static_cast<int>(i));
        BOOST_TEST(b->batch_id == -2115321764);
        BOOST_TEST(b->version == 1);
        BOOST_TEST(b->accounts.size() == (i < 2 ? 10u : 5u));
        batches.push_back(std::move(*b));
    }
    auto copy = [](const MigrationBatch& b) {
        MigrationBatch c{{}, b.version, b.batch_size, b.batch_index, b.batch_id};
        for (const Account& a : b.accounts) c.accounts.push_back(a.clone());
        return c;
    };
    std::vector<MigrationBatch> shuffled;
    for (std::size_t i : {2, 0, 1}) shuffled.push_back(copy(batches[i]));
    auto joined = join_migration_batches(shuffled);
    BOOST_REQUIRE_MESSAGE(joined.ok(), err(joined));
    BOOST_REQUIRE(joined->size() == accounts.size());
    for (std::size_t i = 0; i < accounts.size(); ++i) BOOST_TEST(same_account(accounts[i], (*joined)[i]), "account " << i);

    auto broken = [&](auto change, std::string_view needle) {
        std::vector<MigrationBatch> v;
        for (const auto& b : batches) v.push_back(copy(b));
        change(v);
        check_error(join_migration_batches(v), Errc::migration_field, needle, needle);
    };
    broken([](auto& v) { v.pop_back(); }, "2 batches given, but the export has 3");
    broken([](auto& v) { v[1].batch_id = 5; }, "batch 1 has batch_id 5");
    broken([](auto& v) { v[2].batch_index = 0; }, "batch 2 repeats batch_index 0");
    broken([](auto& v) { v[2].batch_size = 4; }, "batch 2 has batch_size 4");
    check_error(join_migration_batches({}), Errc::invalid_argument, "no batches", "none");

    check_error(build_migration_uris({}, 10, 0), Errc::invalid_argument, "no accounts", "none");
    check_error(build_migration_uris(accounts, 0, 0), Errc::invalid_argument, "per_batch", "zero");
    auto one = build_migration_uris(accounts, 100, 0);
    BOOST_REQUIRE(one.ok());
    BOOST_TEST(one->size() == 1u);
    std::vector<Account> with_steam;
    with_steam.push_back(accounts[0].clone());
    with_steam.push_back(parse_ok("steam://JBSWY3DPEHPK3PXP"));
    check_error(build_migration_uris(with_steam, 1, 0), Errc::migration_field, "account 1 ('Steam:'): Steam", "steam");
}

BOOST_AUTO_TEST_CASE(migration_round_trip_property) {
    std::mt19937_64 rng(99);
    for (int round = 0; round < 200; ++round) {
        MigrationBatch b;
        const std::size_t n = 1 + rng() % 12;
        for (std::size_t i = 0; i < n; ++i) {
            Account a = random_account(rng);
            a.extra.clear();
            if (a.params.type == OtpType::steam) a.params.type = OtpType::totp;
            a.params.period = 30;
            a.params.digits = (rng() & 1) ? 8 : 6;
            if (a.params.type == OtpType::hotp) a.params.counter >>= 1;
            b.accounts.push_back(std::move(a));
        }
        b.batch_size = 1 + static_cast<std::int32_t>(rng() % 5);
        b.batch_index = static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(b.batch_size));
        b.batch_id = static_cast<std::int32_t>(rng());
        auto uri = build_migration_uri(b);
        BOOST_REQUIRE_MESSAGE(uri.ok(), err(uri));
        auto back = parse_migration_uri(uri->view());
        BOOST_REQUIRE_MESSAGE(back.ok(), err(back));
        BOOST_REQUIRE(back->batch_id == b.batch_id);
        BOOST_REQUIRE(back->batch_size == b.batch_size);
        BOOST_REQUIRE(back->batch_index == b.batch_index);
        BOOST_REQUIRE(back->accounts.size() == n);
        for (std::size_t i = 0; i < n; ++i) BOOST_REQUIRE(same_account(b.accounts[i], back->accounts[i]));
    }
}

BOOST_AUTO_TEST_SUITE_END()

// Migration parsers and imports (mfa/server/migrate.hpp): pam-u2f's u2f_keys / authfile= lines in
// every format pam-u2f reads, with errors naming the line, the credential and the field; the
// imported keys verify an assertion of the same credential without a new registration.
#include <boost/test/unit_test.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "mfa/encoding.hpp"
#include "mfa/server/migrate.hpp"
#include "test_support.hpp"
#include "webauthn_soft_credential.hpp"

using namespace mfa;
using namespace mfa::server;

namespace {

// The raw key pamu2fcfg prints (fido_cred_pubkey_ptr): es256 x||y, eddsa the 32 bytes, rs256 n||e
// in 259 bytes. From the COSE key of the test credential, which holds exactly those parts.
Bytes raw_key(const test::SoftCredential& c) {
    auto v = cbor::decode(c.cose_key());
    BOOST_REQUIRE(v);
    auto part = [&](std::int64_t label) {
        auto b = v->get_bytes(label);
        BOOST_REQUIRE(b);
        return Bytes(b->begin(), b->end());
    };
    Bytes out;
    if (c.alg() == -7) {
        out = part(-2);
        const Bytes y = part(-3);
        out.insert(out.end(), y.begin(), y.end());
    } else if (c.alg() == -8) {
        out = part(-2);
    } else {
        out = part(-1);
        Bytes e = part(-2);
        out.insert(out.end(), 3 - e.size(), 0);
        out.insert(out.end(), e.begin(), e.end());
    }
    return out;
}

// The line pamu2fcfg writes for the credential.
std::string u2f_line(std::string_view user, const test::SoftCredential& c, std::string_view type, std::string_view opts) {
    return std::string(user) + ":" + base64_encode(c.id()) + "," + base64_encode(raw_key(c)) + "," + std::string(type) + "," +
           std::string(opts);
}

void check_parse_error(std::string_view text, std::string_view want) {
    auto r = parse_u2f_mappings(text);
    BOOST_REQUIRE_MESSAGE(!r, "accepted: " << text);
    BOOST_TEST(r.code() == Errc::parse);
    BOOST_TEST_MESSAGE(r.error().detail);
    BOOST_TEST(r.error().detail.find(want) != std::string::npos, r.error().detail << " does not name " << want);
}

constexpr std::string_view kRp = "pam://test";

struct Fixture {
    std::unique_ptr<Toolkit> tk;
    RequestContext ctx;
    Fixture() {
        ToolkitConfig cfg;
        webauthn::RpConfig rp;
        rp.rp_id = std::string(kRp);
        rp.origins = {std::string(kRp)};
        rp.user_verification = webauthn::UserVerification::discouraged;
        cfg.webauthn = std::move(rp);
        auto t = Toolkit::create(store::open_memory_store(), std::move(*KeyRing::generate()), std::move(cfg));
        BOOST_REQUIRE(t);
        tk = std::move(*t);
    }
    // One login with the credential, as pam_mfa makes it (its own client data, origin = rp id).
    Errc login(const std::string& user, const test::SoftCredential& c, std::uint32_t count) {
        auto begin = tk->webauthn_login_begin(user, ctx);
        BOOST_REQUIRE_MESSAGE(begin, (begin ? std::string() : begin.error().to_string()));
        test::CeremonySpec s;
        s.type = "webauthn.get";
        s.challenge = test_challenge(begin->options_json);
        s.origin = std::string(kRp);
        s.rp_id = std::string(kRp);
        s.flags = webauthn::flag::UP;
        s.sign_count = count;
        auto r = tk->webauthn_login_finish(user, c.assertion_json(s), ctx);
        BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
        return r->status;
    }
    static Bytes test_challenge(const std::string& options) {
        auto j = nlohmann::json::parse(options);
        return *base64_decode(j["challenge"].get<std::string>(), Base64Mode::url_strict);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(server_migrate)

BOOST_AUTO_TEST_CASE(u2f_native_format_each_cose_type) {
    for (auto [alg, type] : {std::pair{cose::Alg::ES256, "es256"}, {cose::Alg::EdDSA, "eddsa"}, {cose::Alg::RS256, "rs256"}}) {
        test::SoftCredential c(alg);
        auto r = parse_u2f_mappings(u2f_line("alice", c, type, "+presence+pin") + "\n");
        BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
        BOOST_REQUIRE_EQUAL(r->size(), 1u);
        const auto& m = r->front();
        BOOST_TEST(m.user == "alice");
        BOOST_TEST(m.line == 1u);
        BOOST_REQUIRE_EQUAL(m.keys.size(), 1u);
        BOOST_TEST(m.keys[0].credential_id == c.id());
        BOOST_TEST(m.keys[0].public_key == c.cose_key(), "the COSE key of the credential, for " << type);
        BOOST_TEST(m.keys[0].alg == c.alg());
        BOOST_TEST(m.keys[0].presence);
        BOOST_TEST(m.keys[0].pin);
        BOOST_TEST(!m.keys[0].verification);
        BOOST_TEST(!m.keys[0].old_format);
    }
}

BOOST_AUTO_TEST_CASE(u2f_old_format_and_several_keys) {
    test::SoftCredential a(cose::Alg::ES256), b(cose::Alg::ES256);
    Bytes point{0x04};
    const Bytes xy = raw_key(a);
    point.insert(point.end(), xy.begin(), xy.end());
    // pam-u2f before 1.1: websafe base64 key handle without padding, hex of the uncompressed point.
    std::string kh = base64url_encode(a.id());
    const std::string text = "# central authfile\n\nbob:" + kh + "," + hex_encode(point) + ":" + base64_encode(b.id()) + "," +
                             base64_encode(point) + ",ES256,\r\ncarol:*," + base64_encode(xy) + ",es256,+presence+verification\n";
    auto r = parse_u2f_mappings(text);
    BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
    BOOST_REQUIRE_EQUAL(r->size(), 2u);
    const auto* bob = u2f_mapping_for(*r, "bob");
    BOOST_REQUIRE(bob);
    BOOST_TEST(bob->line == 3u);
    BOOST_REQUIRE_EQUAL(bob->keys.size(), 2u);
    BOOST_TEST(bob->keys[0].old_format);
    BOOST_TEST(bob->keys[0].presence, "the old format implies +presence");
    BOOST_TEST(bob->keys[0].public_key == a.cose_key());
    BOOST_TEST(!bob->keys[1].old_format);
    BOOST_TEST(!bob->keys[1].presence, "empty options: no +presence");
    BOOST_TEST(bob->keys[1].public_key == a.cose_key(), "0x04||x||y is read like x||y");
    const auto* carol = u2f_mapping_for(*r, "carol");
    BOOST_REQUIRE(carol);
    BOOST_TEST(carol->keys[0].credential_id.empty(), "'*': a resident credential, no id");
    BOOST_TEST(carol->keys[0].verification);
    BOOST_TEST(u2f_mapping_for(*r, "dave") == nullptr);
}

BOOST_AUTO_TEST_CASE(u2f_last_line_of_a_user_wins_and_other_users_are_not_parsed) {
    test::SoftCredential a(cose::Alg::ES256), b(cose::Alg::EdDSA);
    const std::string text = u2f_line("alice", a, "es256", "+presence") + "\nmallory:garbage\n" + u2f_line("alice", b, "eddsa", "") + "\n";
    check_parse_error(text, "line 2");
    auto only = parse_u2f_mappings(text, "alice");
    BOOST_REQUIRE_MESSAGE(only, (only ? std::string() : only.error().to_string()));
    BOOST_REQUIRE_EQUAL(only->size(), 2u);
    const auto* m = u2f_mapping_for(*only, "alice");
    BOOST_REQUIRE(m);
    BOOST_TEST(m->line == 3u);
    BOOST_TEST(m->keys[0].credential_id == b.id());
}

BOOST_AUTO_TEST_CASE(u2f_errors_name_line_credential_and_field) {
    test::SoftCredential c(cose::Alg::ES256);
    const std::string kh = base64_encode(c.id()), pk = base64_encode(raw_key(c));
    const std::string good = "alice:" + kh + "," + pk + ",es256,+presence";
    check_parse_error("\n" + good + ":" + kh + "," + pk + ",es512,+presence\n", "line 2, credential 2: COSE type");
    check_parse_error("alice:" + kh + "," + pk + ",es256,+presence+touch", "credential 1: options");
    check_parse_error("alice:" + kh + "," + pk + ",es256,+pin+pin", "named twice");
    check_parse_error("alice:" + kh + "!," + pk + ",es256,", "credential 1: key handle");
    check_parse_error("alice:" + kh + "," + pk.substr(4) + ",es256,", "credential 1: public key");
    check_parse_error("alice:" + kh + "," + base64_encode(raw_key(c)).substr(0, 40) + "==,es256,", "public key");
    check_parse_error("alice:" + kh + "," + pk + ",eddsa,", "an eddsa key is 32 bytes");
    Bytes off_curve = raw_key(c);
    off_curve[63] ^= 0x01;
    check_parse_error("alice:" + kh + "," + base64_encode(off_curve) + ",es256,", "credential 1: public key");
    check_parse_error("alice:" + kh + ",04" + hex_encode(raw_key(c)).substr(2), "old format holds the 65-byte");
    check_parse_error("alice:" + kh + "," + pk + ",es256,+presence,extra", "expected keyHandle,publicKey");
    check_parse_error("alice:" + kh, "expected keyHandle,publicKey");
    check_parse_error("alice:", "no credential");
    check_parse_error("alice", "no credential");
    check_parse_error(":" + kh + "," + pk + ",es256,", "no user name");
    check_parse_error("alice:" + kh + ",," + "es256,", "empty public key");
    check_parse_error(good + "::", "credential 2: expected");
    check_parse_error("al\x01ice:" + kh + "," + pk, "printable ASCII");
    std::string many = "alice";
    for (int i = 0; i < 25; ++i) many += ":" + kh + "," + pk + ",es256,";
    check_parse_error(many, "more than 24");
    BOOST_TEST(parse_u2f_mappings(std::string(kMaxU2fMappingFile + 1, '#')).code() == Errc::limit_exceeded);
    BOOST_TEST(parse_u2f_mappings("").value().empty());
}

BOOST_AUTO_TEST_CASE(u2f_import_then_the_same_credential_logs_in) {
    Fixture f;
    test::SoftCredential es(cose::Alg::ES256), ed(cose::Alg::EdDSA), rs(cose::Alg::RS256);
    const std::string text = u2f_line("alice", es, "es256", "+presence") + ":" + base64_encode(ed.id()) + "," +
                             base64_encode(raw_key(ed)) + ",eddsa,+presence+pin:*," + base64_encode(raw_key(es)) +
                             ",es256,:" + base64_encode(rs.id()) + "," + base64_encode(raw_key(rs)) + ",rs256,\n";
    auto maps = parse_u2f_mappings(text, "alice");
    BOOST_REQUIRE_MESSAGE(maps, (maps ? std::string() : maps.error().to_string()));
    auto rep = import_u2f_keys(*f.tk, "alice", maps->front(), f.ctx);
    BOOST_REQUIRE_MESSAGE(rep, (rep ? std::string() : rep.error().to_string()));
    BOOST_TEST(rep->keys_imported == 3u);
    auto has_note = [&](std::string_view s) {
        for (const auto& n : rep->notes)
            if (n.find(s) != std::string::npos) return true;
        return false;
    };
    BOOST_TEST(has_note("pam-u2f key 3 skipped: a resident credential"));
    BOOST_TEST(has_note("`pin`"));
    BOOST_TEST(has_note("without +presence"));
    auto keys = f.tk->webauthn_list("alice");
    BOOST_REQUIRE(keys);
    BOOST_TEST(keys->size() == 3u);
    BOOST_TEST(f.login("alice", es, 5) == Errc::ok);
    BOOST_TEST(f.login("alice", ed, 1) == Errc::ok);
    BOOST_TEST(f.login("alice", rs, 1) == Errc::ok);
    BOOST_TEST(f.login("alice", es, 5) == Errc::webauthn_sign_count, "the counter is kept from the first login on");
    // Again: every key is there already, kept.
    auto again = import_u2f_keys(*f.tk, "alice", maps->front(), f.ctx);
    BOOST_REQUIRE(again);
    BOOST_TEST(again->keys_imported == 0u);
    BOOST_TEST(again->notes.front().find("already registered: kept") != std::string::npos);
    // Another user's line naming alice's credential: refused, not moved.
    auto stolen = parse_u2f_mappings(u2f_line("bob", es, "es256", "+presence"));
    BOOST_REQUIRE(stolen);
    auto b = import_u2f_keys(*f.tk, "bob", stolen->front(), f.ctx);
    BOOST_REQUIRE(b);
    BOOST_TEST(b->keys_imported == 0u);
    BOOST_TEST(f.tk->webauthn_list("bob")->empty());
}

// ---- google-authenticator HOTP files ---------------------------------------------------------

namespace {
std::string hotp_code(const std::string& secret_b32, std::uint64_t counter) {
    OtpParams p;
    p.type = OtpType::hotp;
    auto otp = Otp::create(std::move(*base32_decode(secret_b32)), p);
    BOOST_REQUIRE(otp);
    return std::string(otp->at_step(counter).view());
}
Errc verify(Fixture& f, const std::string& code) {
    auto r = f.tk->totp_verify("alice", code, f.ctx);
    BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
    return r->status;
}
constexpr std::string_view kGaSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
}  // namespace

BOOST_AUTO_TEST_CASE(google_authenticator_hotp_keeps_counter_and_window) {
    Fixture f;
    auto file = parse_google_authenticator(std::string(kGaSecret) + "\n\" HOTP_COUNTER 42\n\" WINDOW_SIZE 3\n12345678\n");
    BOOST_REQUIRE(file);
    auto rep = import_google_authenticator(*f.tk, "alice", *file, f.ctx);
    BOOST_REQUIRE_MESSAGE(rep, (rep ? std::string() : rep.error().to_string()));
    BOOST_TEST(rep->totp_imported);
    BOOST_TEST(rep->recovery_codes == 1u);
    BOOST_TEST(rep->notes.front().find("HOTP counter 42 and WINDOW_SIZE 3 kept") != std::string::npos);
    const std::string s(kGaSecret);
    BOOST_TEST(verify(f, hotp_code(s, 41)) != Errc::ok, "before the file's counter: used already");
    BOOST_TEST(verify(f, hotp_code(s, 45)) != Errc::ok, "beyond WINDOW_SIZE 3 (42, 43, 44)");
    BOOST_TEST(verify(f, hotp_code(s, 43)) == Errc::ok, "within the window");
    BOOST_TEST(verify(f, hotp_code(s, 43)) != Errc::ok, "once");
    BOOST_TEST(verify(f, hotp_code(s, 42)) != Errc::ok, "a counter before the accepted one is gone");
    BOOST_TEST(verify(f, hotp_code(s, 46)) == Errc::ok, "the window moved: 44, 45, 46");
    BOOST_TEST(f.tk->recovery_use("alice", "12345678", f.ctx)->status == Errc::ok);
}

BOOST_AUTO_TEST_CASE(google_authenticator_hotp_default_window_and_counter_zero) {
    Fixture f;
    auto file = parse_google_authenticator(std::string(kGaSecret) + "\n\" HOTP_COUNTER 1\n");
    BOOST_REQUIRE(file);
    BOOST_REQUIRE(import_google_authenticator(*f.tk, "alice", *file, f.ctx));
    const std::string s(kGaSecret);
    BOOST_TEST(verify(f, hotp_code(s, 4)) != Errc::ok, "google-authenticator's default window is 3: 1, 2, 3");
    BOOST_TEST(verify(f, hotp_code(s, 3)) == Errc::ok);
    auto zero = parse_google_authenticator(std::string(kGaSecret) + "\n\" HOTP_COUNTER 0\n");
    BOOST_REQUIRE(zero);
    auto r = import_google_authenticator(*f.tk, "bob", *zero, f.ctx);
    BOOST_TEST(r.code() == Errc::unsupported);
    BOOST_TEST(!f.tk->totp_enrolled("bob").value());
    // An HOTP import never replaces a factor.
    auto again = import_google_authenticator(*f.tk, "alice", *file, f.ctx);
    BOOST_REQUIRE(again);
    BOOST_TEST(!again->totp_imported);
    OtpParams hotp;
    hotp.type = OtpType::hotp;
    BOOST_TEST(f.tk->hotp_import("carol", base32_decode(s)->view(), hotp, 101, "", f.ctx).code() == Errc::invalid_argument);
    BOOST_TEST(f.tk->totp_import("carol", base32_decode(s)->view(), hotp, "", f.ctx).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// WebAuthn relying party: JSON inputs, clientDataJSON checks, options, credential records, and the
// registration / authentication ceremonies with credentials made here from OpenSSL keys.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mfa/encoding.hpp"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/client_data.hpp"
#include "mfa/webauthn/registration.hpp"
#include "mfa/webauthn/options.hpp"
#include "mfa/webauthn/record.hpp"
#include "mfa/webauthn/response.hpp"
#include "test_support.hpp"
#include "webauthn_soft_credential.hpp"

using namespace mfa;
using namespace mfa::webauthn;

namespace {

template <class R>
std::string why(const R& r) {
    return r.ok() ? std::string() : r.error().to_string();
}

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

RpConfig config() {
    RpConfig c;
    c.rp_id = "example.com";
    c.rp_name = "Example";
    c.origins = {"https://example.com", "android:apk-key-hash:gx7sq_pxhxhrIQdLyfG0pxKwiJ7hOk2DJQ4xvKd438Q"};
    return c;
}

const Bytes kChallenge = b("0123456789abcdef0123456789abcdef");

std::string client_data(std::string_view type, const Bytes& challenge, std::string_view origin,
                        std::string_view extra = "") {
    return std::string("{\"type\":\"") + std::string(type) + "\",\"challenge\":\"" + base64url_encode(challenge) +
           "\",\"origin\":\"" + std::string(origin) + "\"" + std::string(extra) + "}";
}

Status check(const std::string& json, Ceremony c = Ceremony::create, const RpConfig& cfg = config()) {
    auto cd = parse_client_data(as_bytes(json));
    if (!cd) return std::move(cd).error();
    return check_client_data(*cd, cfg, c, kChallenge);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(webauthn)

BOOST_AUTO_TEST_CASE(client_data_accepts_valid_and_legacy_shapes) {
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com")).ok());
    BOOST_TEST(check(client_data("webauthn.get", kChallenge, "https://example.com"), Ceremony::get).ok());
    // Escaped slashes, a BOM, legacy members, tokenBinding as a string, padded challenge.
    std::string legacy = "\xEF\xBB\xBF{\"type\":\"webauthn.create\",\"challenge\":\"" + base64url_encode(kChallenge) +
                         "\",\"origin\":\"https:\\/\\/example.com\",\"hashAlgorithm\":\"SHA-256\","
                         "\"clientExtensions\":{},\"tokenBinding\":\"unused\",\"other\":[1,{\"a\":null}]}";
    BOOST_TEST(check(legacy).ok());
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com",
                                 ",\"tokenBinding\":{\"status\":\"supported\"}")).ok());
    // The Android app facet origin is matched exactly like any other.
    BOOST_TEST(check(client_data("webauthn.create", kChallenge,
                                 "android:apk-key-hash:gx7sq_pxhxhrIQdLyfG0pxKwiJ7hOk2DJQ4xvKd438Q")).ok());
}

BOOST_AUTO_TEST_CASE(client_data_each_check_has_its_code) {
    BOOST_TEST(check(client_data("webauthn.get", kChallenge, "https://example.com")).code() == Errc::webauthn_type);
    Bytes other = kChallenge;
    other[5] ^= 1;
    BOOST_TEST(check(client_data("webauthn.create", other, "https://example.com")).code() == Errc::webauthn_challenge);
    BOOST_TEST(check(client_data("webauthn.create", Bytes(kChallenge.begin(), kChallenge.end() - 1),
                                 "https://example.com")).code() == Errc::webauthn_challenge);
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://evil.example.com")).code() == Errc::webauthn_origin);
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com:443")).code() == Errc::webauthn_origin);
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "http://example.com")).code() == Errc::webauthn_origin);
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com", ",\"crossOrigin\":true")).code() ==
               Errc::webauthn_cross_origin);
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com", ",\"crossOrigin\":false")).ok());
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com",
                                 ",\"topOrigin\":\"https://top.example\"")).code() == Errc::webauthn_top_origin);
    RpConfig framed = config();
    framed.allow_cross_origin = true;
    framed.top_origins = {"https://top.example"};
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com",
                                 ",\"crossOrigin\":true,\"topOrigin\":\"https://top.example\""), Ceremony::create, framed).ok());
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com",
                                 ",\"crossOrigin\":true,\"topOrigin\":\"https://other.example\""), Ceremony::create,
                     framed).code() == Errc::webauthn_top_origin);
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com",
                                 ",\"tokenBinding\":{\"status\":\"not-supported\"}")).code() == Errc::webauthn_token_binding);
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com",
                                 ",\"tokenBinding\":{\"status\":\"present\"}")).code() == Errc::webauthn_token_binding);
    RpConfig tb_ignored = config();
    tb_ignored.token_binding = TokenBindingPolicy::ignore;
    BOOST_TEST(check(client_data("webauthn.create", kChallenge, "https://example.com",
                                 ",\"tokenBinding\":{\"status\":\"not-supported\"}"), Ceremony::create, tb_ignored).ok());
}

BOOST_AUTO_TEST_CASE(client_data_malformed) {
    for (const char* bad : {"", "[]", "\"x\"", "{", "{\"type\":\"webauthn.create\"}",
                            "{\"type\":1,\"challenge\":\"AA\",\"origin\":\"o\"}",
                            "{\"type\":\"webauthn.create\",\"type\":\"webauthn.get\",\"challenge\":\"AA\",\"origin\":\"o\"}",
                            "{\"type\":\"t\",\"challenge\":\"A\",\"origin\":\"o\"}",
                            "{\"type\":\"t\",\"challenge\":\"AA\",\"origin\":{}}",
                            "{\"type\":\"t\",\"challenge\":\"AA\",\"origin\":\"o\",\"crossOrigin\":\"true\"}",
                            "{\"type\":\"t\",\"challenge\":\"AA\",\"origin\":\"o\",\"tokenBinding\":5}",
                            "{\"type\":\"t\",\"challenge\":\"AA\",\"origin\":\"o\"} x",
                            "{\"type\":\"t\xff\",\"challenge\":\"AA\",\"origin\":\"o\"}"}) {
        auto r = parse_client_data(as_bytes(bad));
        BOOST_TEST(r.code() == Errc::webauthn_client_data, "input: " << bad);
    }
    std::string deep = std::string(40, '[') + std::string(40, ']');
    std::string nested = "{\"type\":\"t\",\"challenge\":\"AA\",\"origin\":\"o\",\"x\":" + deep + "}";
    BOOST_TEST(parse_client_data(as_bytes(nested)).code() == Errc::webauthn_client_data);
    std::string big(kMaxClientDataJson + 1, ' ');
    BOOST_TEST(parse_client_data(as_bytes(big)).code() == Errc::limit_exceeded);
}

BOOST_AUTO_TEST_CASE(response_json_shapes) {
    const std::string cdj = base64url_encode(as_bytes(client_data("webauthn.get", kChallenge, "https://example.com")));
    nlohmann::json j = {{"id", "AAEC"}, {"rawId", "AAEC"}, {"type", "public-key"},
                        {"response", {{"clientDataJSON", cdj}, {"authenticatorData", "AAAA"}, {"signature", "AQID"},
                                      {"userHandle", "dXNlcg"}}},
                        {"clientExtensionResults", {{"appid", true}, {"prf", {{"enabled", true}}}}}};
    auto r = parse_authentication_response(j.dump());
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST((r->id == Bytes{0, 1, 2}));
    BOOST_TEST((r->user_handle && *r->user_handle == b("user")));
    BOOST_TEST((r->extensions.appid && *r->extensions.appid));
    BOOST_TEST(r->extensions.json.find("prf") != std::string::npos);

    // Legacy: padded and standard-alphabet values, "extensions", null userHandle.
    auto legacy = j;
    legacy["response"]["signature"] = "AQI+/w==";
    legacy["response"]["userHandle"] = nullptr;
    legacy.erase("clientExtensionResults");
    legacy["extensions"] = {{"appid", false}};
    r = parse_authentication_response(legacy.dump());
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST((r->signature == Bytes{1, 2, 0x3e, 0xff}));
    BOOST_TEST(!r->user_handle.has_value());

    auto bad = j;
    bad["type"] = "password";
    BOOST_TEST(parse_authentication_response(bad.dump()).code() == Errc::webauthn_credential_type);
    bad = j;
    bad["rawId"] = "AAED";
    BOOST_TEST(parse_authentication_response(bad.dump()).code() == Errc::webauthn_credential_id);
    bad = j;
    bad["response"].erase("signature");
    auto e = parse_authentication_response(bad.dump());
    BOOST_TEST(e.code() == Errc::webauthn_json);
    BOOST_TEST(e.error().detail.find("response.signature") != std::string::npos);
    bad = j;
    bad["response"]["authenticatorData"] = 5;
    BOOST_TEST(parse_authentication_response(bad.dump()).code() == Errc::webauthn_json);
    bad = j;
    bad["response"]["authenticatorData"] = "A";
    BOOST_TEST(parse_authentication_response(bad.dump()).code() == Errc::webauthn_json);
    bad = j;
    const std::string long_id = base64url_encode(Bytes(1024, 7));
    bad["id"] = long_id;
    bad["rawId"] = long_id;
    BOOST_TEST(parse_authentication_response(bad.dump()).code() == Errc::webauthn_credential_id);
    // A duplicate member is refused rather than resolved.
    std::string dup = j.dump();
    dup.insert(1, "\"type\":\"public-key\",");
    BOOST_TEST(parse_authentication_response(dup).code() == Errc::webauthn_json);
    BOOST_TEST(parse_registration_response(j.dump()).code() == Errc::webauthn_json);  // no attestationObject
}

BOOST_AUTO_TEST_CASE(record_json_round_trip_and_strictness) {
    CredentialRecord r;
    r.id = {1, 2, 3};
    r.public_key = {0xa5, 1, 2};
    r.alg = alg::ES256;
    r.sign_count = 4294967295u;
    r.transports = {"usb", "nfc"};
    r.aaguid[0] = 0xcb;
    r.backup_eligible = true;
    r.backup_state = true;
    r.uv_initialized = true;
    r.user_handle = b("handle");
    r.attestation = {"packed", "basic", true};
    r.created_at = 1767225600;
    const std::string j = to_json(r);
    auto back = record_from_json(j);
    BOOST_TEST_REQUIRE(back.ok(), why(back));
    BOOST_TEST(to_json(*back) == j);
    BOOST_TEST(back->sign_count == 4294967295u);
    BOOST_TEST(aaguid_string(back->aaguid) == "cb000000-0000-0000-0000-000000000000");

    auto mutate = [&](auto f) {
        auto v = nlohmann::json::parse(j);
        f(v);
        return record_from_json(v.dump()).code();
    };
    BOOST_TEST(mutate([](auto& v) { v["extra"] = 1; }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v["signCount"] = 4294967296ull; }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v["signCount"] = -1; }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v["id"] = "AQID="; }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v["alg"] = 12345; }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v["aaguid"] = "CB000000-0000-0000-0000-000000000000"; }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v["backupEligible"] = false; }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v.erase("createdAt"); }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v["version"] = 2; }) == Errc::webauthn_record);
    BOOST_TEST(mutate([](auto& v) { v["attestation"]["x"] = 1; }) == Errc::webauthn_record);
    BOOST_TEST(record_from_json("{\"version\":1,\"version\":1}").code() == Errc::webauthn_record);
}

BOOST_AUTO_TEST_CASE(options_shapes_and_limits) {
    RpConfig cfg = config();
    CreationOptionsInput in;
    in.user_name = "alice";
    in.exclude_credentials = {{Bytes{1, 2, 3}, {"usb", "nfc"}}};
    in.extensions.cred_props = true;
    in.extensions.extra_json = R"({"prf":{"eval":{"first":"AAAA"}}})";
    auto o = creation_options(cfg, in);
    BOOST_TEST_REQUIRE(o.ok(), why(o));
    BOOST_TEST(o->challenge.size() == 32u);
    BOOST_TEST(o->user_id.size() == 64u);
    auto j = nlohmann::json::parse(o->json);
    BOOST_TEST(j["rp"]["id"] == "example.com");
    BOOST_TEST(j["challenge"] == base64url_encode(o->challenge));
    BOOST_TEST(j["user"]["id"] == base64url_encode(o->user_id));
    BOOST_TEST(j["pubKeyCredParams"].size() == 6u);
    BOOST_TEST(j["pubKeyCredParams"][0]["alg"] == -7);
    BOOST_TEST(j["excludeCredentials"][0]["id"] == "AQID");
    BOOST_TEST(j["excludeCredentials"][0]["transports"][1] == "nfc");
    BOOST_TEST(j["extensions"]["credProps"] == true);
    BOOST_TEST(j["extensions"]["prf"]["eval"]["first"] == "AAAA");
    BOOST_TEST(j["authenticatorSelection"]["userVerification"] == "preferred");
    auto o2 = creation_options(cfg, in);
    BOOST_TEST_REQUIRE(o2.ok());
    BOOST_TEST((o2->challenge != o->challenge));

    in.challenge = Bytes(15, 1);
    BOOST_TEST(creation_options(cfg, in).code() == Errc::webauthn_challenge_length);
    in.challenge = Bytes(16, 1);
    BOOST_TEST(creation_options(cfg, in).ok());
    in.challenge.reset();
    in.challenge_length = 8;
    BOOST_TEST(creation_options(cfg, in).code() == Errc::webauthn_challenge_length);
    in.challenge_length = 32;
    in.attestation = "maybe";
    BOOST_TEST(creation_options(cfg, in).code() == Errc::webauthn_options);
    in.attestation = "direct";
    in.extensions.extra_json = R"({"credProps":true})";
    BOOST_TEST(creation_options(cfg, in).code() == Errc::webauthn_options);
    in.extensions.extra_json = "[]";
    BOOST_TEST(creation_options(cfg, in).code() == Errc::webauthn_options);

    RequestOptionsInput rq;
    rq.allow_credentials = {{Bytes{9, 9}, {"internal"}}};
    rq.user_verification = UserVerification::required;
    BOOST_TEST(request_options(cfg, rq).ok());
    rq.extensions.appid = true;
    BOOST_TEST(request_options(cfg, rq).code() == Errc::webauthn_options);  // no AppID configured
    cfg.appid = "https://example.com/app-id.json";
    auto ro = request_options(cfg, rq);
    BOOST_TEST_REQUIRE(ro.ok());
    auto rj = nlohmann::json::parse(ro->json);
    BOOST_TEST(rj["rpId"] == "example.com");
    BOOST_TEST(rj["userVerification"] == "required");
    BOOST_TEST(rj["extensions"]["appid"] == cfg.appid);
    BOOST_TEST(rj["allowCredentials"][0]["id"] == "CQk");
    rq.allow_credentials[0].transports = {"carrier-pigeon"};
    BOOST_TEST(request_options(cfg, rq).code() == Errc::webauthn_options);

    RpConfig broken;
    BOOST_TEST(request_options(broken, {}).code() == Errc::webauthn_config);
    broken = config();
    broken.algorithms = {42};
    BOOST_TEST(broken.validate().code() == Errc::webauthn_config);
}


namespace {

test::CeremonySpec reg_spec() {
    test::CeremonySpec s;
    s.type = "webauthn.create";
    s.challenge = kChallenge;
    return s;
}
test::CeremonySpec auth_spec() {
    test::CeremonySpec s;
    s.type = "webauthn.get";
    s.challenge = kChallenge;
    s.sign_count = 10;
    return s;
}

Result<RegistrationResult> do_register(const test::SoftCredential& c, const test::CeremonySpec& s,
                                       const RpConfig& cfg = config(), RegistrationExpectation ex = {}) {
    ex.challenge = kChallenge;
    ex.user_handle = b("user-1");
    return verify_registration(cfg, c.registration_json(s), ex);
}

CredentialRecord registered(const test::SoftCredential& c, std::uint8_t flags = flag::UP | flag::UV) {
    auto s = reg_spec();
    s.flags = flags;
    s.sign_count = 5;
    auto r = do_register(c, s);
    BOOST_REQUIRE_MESSAGE(r.ok(), why(r));
    return r->record;
}

Result<AuthenticationResult> do_auth(const test::SoftCredential& c, const test::CeremonySpec& s,
                                     const CredentialRecord& rec, const RpConfig& cfg = config(),
                                     AuthenticationExpectation ex = {}) {
    ex.challenge = kChallenge;
    if (!ex.user_handle) ex.user_handle = b("user-1");
    return verify_authentication(cfg, c.assertion_json(s), rec, ex);
}

}  // namespace

BOOST_AUTO_TEST_CASE(registration_valid_for_each_algorithm_and_format) {
    for (auto a : {cose::Alg::ES256, cose::Alg::EdDSA, cose::Alg::RS256}) {
        test::SoftCredential c(a);
        for (const char* fmt : {"none", "packed"}) {
            auto s = reg_spec();
            s.fmt = fmt;
            s.flags = flag::UP | flag::UV | flag::BE;
            auto r = do_register(c, s);
            BOOST_TEST_REQUIRE(r.ok(), fmt << " alg " << c.alg() << ": " << why(r));
            BOOST_TEST((r->record.id == c.id()));
            BOOST_TEST((r->record.public_key == c.cose_key()));
            BOOST_TEST(r->record.alg == c.alg());
            BOOST_TEST(r->record.sign_count == 1u);
            BOOST_TEST(r->record.backup_eligible);
            BOOST_TEST(!r->record.backup_state);
            BOOST_TEST(r->record.uv_initialized);
            BOOST_TEST((r->record.user_handle == b("user-1")));
            BOOST_TEST(r->record.transports.size() == 1u);
            BOOST_TEST(r->record.attestation.fmt == fmt);
            BOOST_TEST(r->record.attestation.type == (std::string(fmt) == "none" ? "none" : "self"));
            BOOST_TEST(r->origin == "https://example.com");
        }
    }
}

BOOST_AUTO_TEST_CASE(registration_each_step_fails_with_its_code) {
    test::SoftCredential c(cose::Alg::ES256);
    auto expect = [&](test::CeremonySpec s, Errc want, RpConfig cfg = config(), RegistrationExpectation ex = {}) {
        auto r = do_register(c, s, cfg, std::move(ex));
        BOOST_TEST(r.code() == want, "got " << r.code() << " " << why(r));
    };
    auto s = reg_spec();
    s.type = "webauthn.get";
    expect(s, Errc::webauthn_type);
    s = reg_spec();
    s.challenge[0] ^= 1;
    expect(s, Errc::webauthn_challenge);
    s = reg_spec();
    s.origin = "https://example.org";
    expect(s, Errc::webauthn_origin);
    s = reg_spec();
    s.client_data_extra = ",\"crossOrigin\":true";
    expect(s, Errc::webauthn_cross_origin);
    s = reg_spec();
    s.client_data_extra = ",\"tokenBinding\":{\"status\":\"not-supported\"}";
    expect(s, Errc::webauthn_token_binding);
    s = reg_spec();
    s.flip_rp_id_hash = true;
    expect(s, Errc::webauthn_rp_id_hash);
    s = reg_spec();
    s.rp_id = "other.example";
    expect(s, Errc::webauthn_rp_id_hash);
    s = reg_spec();
    s.flags = flag::UV;
    expect(s, Errc::webauthn_user_present);
    RpConfig nup = config();
    nup.require_user_presence = false;
    BOOST_TEST(do_register(c, s, nup).ok());
    s = reg_spec();
    s.flags = flag::UP;
    RpConfig uv = config();
    uv.user_verification = UserVerification::required;
    expect(s, Errc::webauthn_user_verified, uv);
    BOOST_TEST(do_register(c, s).ok());  // preferred: UV not needed
    s = reg_spec();
    s.flags = flag::UP | flag::BS;
    expect(s, Errc::webauthn_backup_state);
    s = reg_spec();
    s.flags = flag::UP | flag::BE;
    RpConfig no_sync = config();
    no_sync.backup_eligible = FlagPolicy::forbidden;
    expect(s, Errc::webauthn_backup_state, no_sync);
    RpConfig only_rsa = config();
    only_rsa.algorithms = {alg::RS256};
    expect(reg_spec(), Errc::webauthn_algorithm, only_rsa);
    {
        // A 1024-byte credential id: serialize_authenticator_data refuses to write one, so splice
        // it into valid authenticator data by hand.
        auto j = nlohmann::json::parse(c.registration_json(reg_spec()));
        auto ao = cbor::decode(*base64_decode(j["response"]["attestationObject"].get<std::string>(), Base64Mode::url_strict));
        BOOST_TEST_REQUIRE(ao.ok());
        Bytes ad(ao->get_bytes("authData")->begin(), ao->get_bytes("authData")->end());
        ad[53] = 0x04;
        ad[54] = 0x00;
        ad.insert(ad.begin() + 55, 1024 - 16, 0xAB);
        j["response"]["attestationObject"] = base64url_encode(*mfa::webauthn::encode_attestation_object("none", cbor::Value(cbor::Map{}), ad));
        RegistrationExpectation ex;
        ex.challenge = kChallenge;
        auto r = verify_registration(config(), j.dump(), ex);
        BOOST_TEST(r.code() == Errc::authdata_credential_id, why(r));
    }
    s = reg_spec();
    s.truncate_auth_data = 5;
    BOOST_TEST(do_register(c, s).code() != Errc::ok);
    s = reg_spec();
    s.fmt = "packed";
    s.corrupt_signature = true;
    expect(s, Errc::att_signature_invalid);
    RegistrationExpectation dup;
    dup.credential_exists = [&](ByteView id) { return Bytes(id.begin(), id.end()) == c.id(); };
    expect(reg_spec(), Errc::webauthn_credential_registered, config(), dup);
    RpConfig trusted_only = config();
    trusted_only.attestation.require_trusted = true;
    BOOST_TEST(do_register(c, reg_spec(), trusted_only).code() != Errc::ok);
    // Malformed JSON and attestation object.
    BOOST_TEST(verify_registration(config(), "{", RegistrationExpectation{}).code() == Errc::webauthn_json);
    auto j = nlohmann::json::parse(c.registration_json(reg_spec()));
    j["response"]["attestationObject"] = base64url_encode(b("not cbor"));
    RegistrationExpectation ex;
    ex.challenge = kChallenge;
    BOOST_TEST(verify_registration(config(), j.dump(), ex).code() != Errc::ok);
}

BOOST_AUTO_TEST_CASE(authentication_valid_updates_record) {
    for (auto a : {cose::Alg::ES256, cose::Alg::EdDSA, cose::Alg::RS256}) {
        test::SoftCredential c(a);
        CredentialRecord rec = registered(c, flag::UP | flag::BE);
        BOOST_TEST(!rec.uv_initialized);
        auto s = auth_spec();
        s.flags = flag::UP | flag::UV | flag::BE | flag::BS;
        s.user_handle = b("user-1");
        auto r = do_auth(c, s, rec);
        BOOST_TEST_REQUIRE(r.ok(), why(r));
        BOOST_TEST(r->record.sign_count == 10u);
        BOOST_TEST(r->record.backup_state);
        BOOST_TEST(r->record.uv_initialized);
        BOOST_TEST(r->user_verified);
        BOOST_TEST(!r->counter_regressed);
        // With a cached key the result is the same.
        auto key = CredentialKey::from_record(rec);
        BOOST_TEST_REQUIRE(key.ok(), why(key));
        AuthenticationExpectation ex;
        ex.challenge = kChallenge;
        ex.user_handle = b("user-1");
        auto r2 = verify_authentication(config(), c.assertion_json(s), rec, ex, &*key);
        BOOST_TEST(r2.ok(), why(r2));
    }
}

BOOST_AUTO_TEST_CASE(authentication_each_step_fails_with_its_code) {
    test::SoftCredential c(cose::Alg::ES256);
    const CredentialRecord rec = registered(c);
    auto expect = [&](test::CeremonySpec s, Errc want, const CredentialRecord& r, RpConfig cfg = config(),
                      AuthenticationExpectation ex = {}) {
        auto res = do_auth(c, s, r, cfg, std::move(ex));
        BOOST_TEST(res.code() == want, "got " << res.code() << " " << why(res));
    };
    auto s = auth_spec();
    s.type = "webauthn.create";
    expect(s, Errc::webauthn_type, rec);
    s = auth_spec();
    s.challenge.back() ^= 0x80;
    expect(s, Errc::webauthn_challenge, rec);
    s = auth_spec();
    s.origin = "https://login.example.com";
    expect(s, Errc::webauthn_origin, rec);
    s = auth_spec();
    s.client_data_extra = ",\"topOrigin\":\"https://evil.example\"";
    expect(s, Errc::webauthn_top_origin, rec);
    s = auth_spec();
    s.flip_rp_id_hash = true;
    expect(s, Errc::webauthn_rp_id_hash, rec);
    s = auth_spec();
    s.flags = flag::UV;
    expect(s, Errc::webauthn_user_present, rec);
    s = auth_spec();
    s.flags = flag::UP;
    AuthenticationExpectation uvreq;
    uvreq.user_verification = UserVerification::required;
    expect(s, Errc::webauthn_user_verified, rec, config(), uvreq);
    s = auth_spec();
    s.flags = flag::UP | flag::BS;
    expect(s, Errc::webauthn_backup_state, rec);
    s = auth_spec();
    s.flags = flag::UP | flag::BE;  // BE appeared after registration without it
    expect(s, Errc::webauthn_backup_eligibility, rec);
    s = auth_spec();
    s.corrupt_signature = true;
    expect(s, Errc::webauthn_signature, rec);
    s = auth_spec();
    s.truncate_auth_data = 1;
    expect(s, Errc::authdata_truncated, rec);
    s = auth_spec();
    s.sign_count = 5;  // equal to the stored count
    expect(s, Errc::webauthn_sign_count, rec);
    s.sign_count = 0;  // dropped to zero
    expect(s, Errc::webauthn_sign_count, rec);
    // Under the flag policy the login succeeds, is flagged, and the stored count is kept.
    RpConfig flag_cfg = config();
    flag_cfg.counter = CounterPolicy::flag;
    auto flagged = do_auth(c, s, rec, flag_cfg);
    BOOST_TEST_REQUIRE(flagged.ok(), why(flagged));
    BOOST_TEST(flagged->counter_regressed);
    BOOST_TEST(flagged->record.sign_count == 5u);
    // 0/0 is an authenticator without a counter, not a regression.
    CredentialRecord zero = rec;
    zero.sign_count = 0;
    s.sign_count = 0;
    auto z = do_auth(c, s, zero);
    BOOST_TEST(z.ok(), why(z));
    BOOST_TEST(!z->counter_regressed);
    // Allow list, credential and user handle.
    AuthenticationExpectation allow;
    allow.allow_credentials = {Bytes{1, 2, 3}};
    expect(auth_spec(), Errc::webauthn_allow_list, rec, config(), allow);
    allow.allow_credentials.push_back(c.id());
    BOOST_TEST(do_auth(c, auth_spec(), rec, config(), allow).ok());
    test::SoftCredential other(cose::Alg::ES256);
    expect(auth_spec(), Errc::webauthn_credential_mismatch, registered(other));
    s = auth_spec();
    s.user_handle = b("user-2");
    expect(s, Errc::webauthn_user_handle, rec);
    AuthenticationExpectation wrong_account;
    wrong_account.user_handle = b("user-2");
    expect(auth_spec(), Errc::webauthn_user_handle, rec, config(), wrong_account);
    // Discoverable login: userHandle is required and must own the credential.
    auto disc = [&](const test::CeremonySpec& sp) {
        AuthenticationExpectation ex;
        ex.challenge = kChallenge;
        return verify_authentication(config(), c.assertion_json(sp), rec, ex);
    };
    BOOST_TEST(disc(auth_spec()).code() == Errc::webauthn_user_handle);
    s = auth_spec();
    s.user_handle = b("user-1");
    BOOST_TEST(disc(s).ok());
    // AppID: the output must be backed by configuration.
    s = auth_spec();
    s.rp_id = "https://example.com/app-id.json";
    s.extensions = {{"appid", true}};
    expect(s, Errc::webauthn_appid, rec);
    RpConfig appid_cfg = config();
    appid_cfg.appid = "https://example.com/app-id.json";
    auto ok_appid = do_auth(c, s, rec, appid_cfg);
    BOOST_TEST(ok_appid.ok(), why(ok_appid));
    BOOST_TEST(ok_appid->appid_used);
    s.extensions = {{"appid", false}};
    expect(s, Errc::webauthn_rp_id_hash, rec, appid_cfg);
    // A stored record whose key does not parse.
    CredentialRecord broken = rec;
    broken.public_key = {0xa0};
    expect(auth_spec(), Errc::webauthn_public_key, broken);
    CredentialRecord wrong_alg = rec;
    wrong_alg.alg = alg::RS256;
    expect(auth_spec(), Errc::webauthn_public_key, wrong_alg);
}

BOOST_AUTO_TEST_CASE(assertion_with_attested_data_and_extensions) {
    // Assertions may carry extensions (ED); bytes after what the flags announce are refused.
    test::SoftCredential c(cose::Alg::ES256);
    const CredentialRecord rec = registered(c);
    auto s = auth_spec();
    s.flags = flag::UP | flag::ED;
    // serialize_authenticator_data derives ED from the extensions member, so build by hand.
    auto j = nlohmann::json::parse(c.assertion_json(auth_spec()));
    Bytes ad = *base64_decode(j["response"]["authenticatorData"].get<std::string>(), Base64Mode::url_strict);
    ad.push_back(0x00);
    j["response"]["authenticatorData"] = base64url_encode(ad);
    AuthenticationExpectation ex;
    ex.challenge = kChallenge;
    ex.user_handle = b("user-1");
    BOOST_TEST(verify_authentication(config(), j.dump(), rec, ex).code() == Errc::authdata_flags);
}

// The response parser reads the document in one SAX pass without a DOM; it must stay exactly as
// strict as a DOM parse: duplicates anywhere, depth, syntax, types, null meaning absent.
BOOST_AUTO_TEST_CASE(response_json_sax_strictness) {
    const std::string cdj = base64url_encode(as_bytes(client_data("webauthn.get", kChallenge, "https://example.com")));
    const std::string resp = R"("response":{"clientDataJSON":")" + cdj + R"(","authenticatorData":"AAAA","signature":"AQID"})";
    const std::string head = R"({"id":"AAEC","rawId":"AAEC","type":"public-key",)";
    auto parse = [](const std::string& text) { return parse_authentication_response(text); };
    auto fails_with = [&](const std::string& text, std::string_view detail) {
        auto r = parse(text);
        BOOST_TEST(r.code() == Errc::webauthn_json, text);
        BOOST_TEST(why(r).find(detail) != std::string::npos, why(r));
    };
    auto ok = parse(head + resp + "}");
    BOOST_TEST_REQUIRE(ok.ok(), why(ok));
    BOOST_TEST(ok->extensions.json == "{}");
    BOOST_TEST(!ok->user_handle.has_value());

    // Duplicates: a known member of the root or of response, an unknown member, a member of an
    // unknown object, of clientExtensionResults, and a name spelled with an escape.
    fails_with(head + resp + R"(,"type":"public-key"})", "duplicate member \"type\"");
    fails_with(head + R"("response":{"signature":"AQID","clientDataJSON":")" + cdj +
                   R"(","authenticatorData":"AAAA","signature":"AQID"}})",
               "duplicate member \"signature\"");
    fails_with(head + resp + R"(,"x":1,"x":2})", "duplicate member \"x\"");
    fails_with(head + resp + R"(,"x":[{"a":1,"a":2}]})", "duplicate member \"a\"");
    fails_with(head + resp + R"(,"clientExtensionResults":{"appid":true,"appid":false}})", "duplicate member \"appid\"");
    fails_with(head + resp + R"(,"\u0069d":"AAEC"})", "duplicate member \"id\"");
    // The same name in different objects is no duplicate.
    auto nested = parse(head + resp + R"(,"x":{"id":1,"response":{"signature":null}},"y":[{"a":1},{"a":2}]})");
    BOOST_TEST(nested.ok(), why(nested));

    // Depth: 32 open containers in all are allowed, 33 are not, inside skipped members and
    // inside clientExtensionResults alike.
    auto arrays = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
    BOOST_TEST(parse(head + resp + R"(,"x":)" + arrays(31) + "}").ok());
    fails_with(head + resp + R"(,"x":)" + arrays(32) + "}", "nesting deeper than 32");
    auto deep_ext = parse(head + resp + R"(,"clientExtensionResults":{"x":)" + arrays(30) + "}}");
    BOOST_TEST(deep_ext.ok(), why(deep_ext));
    fails_with(head + resp + R"(,"clientExtensionResults":{"x":)" + arrays(31) + "}}", "nesting deeper than 32");

    // Syntax: trailing bytes, a truncated document, a bad escape.
    fails_with(head + resp + "}x", "syntax error");
    fails_with(head + resp, "syntax error");
    fails_with(head + resp + R"(,"x":"\q"})", "syntax error");

    // Shapes: the root is not an object, response is not an object or is a member of another
    // object, a known member is null (absent) or of the wrong type.
    BOOST_TEST(why(parse("[]")).find("not a JSON object") != std::string::npos);
    BOOST_TEST(why(parse("\"x\"")).find("not a JSON object") != std::string::npos);
    fails_with(head + R"("response":[1]})", "response is missing or not an object");
    fails_with(head + R"("x":{)" + resp + "}}", "response is missing or not an object");
    fails_with(head + R"("response":{"clientDataJSON":null,"authenticatorData":"AAAA","signature":"AQID"}})",
               "response.clientDataJSON is missing");
    fails_with(head + R"("response":{"clientDataJSON":{},"authenticatorData":"AAAA","signature":"AQID"}})",
               "response.clientDataJSON is not a string");
    fails_with(head + resp + R"(,"authenticatorAttachment":["platform"]})", "authenticatorAttachment is not a string");
    fails_with(head + resp + R"(,"clientExtensionResults":5})", "clientExtensionResults is not an object");
    fails_with(head + resp + R"(,"clientExtensionResults":{},"extensions":{}})", "both clientExtensionResults");
    auto null_ext = parse(head + resp + R"(,"clientExtensionResults":null,"extensions":{"appid":true},"authenticatorAttachment":null})");
    BOOST_TEST_REQUIRE(null_ext.ok(), why(null_ext));
    BOOST_TEST((null_ext->extensions.appid && *null_ext->extensions.appid));
    BOOST_TEST(!null_ext->authenticator_attachment.has_value());

    // clientExtensionResults is kept as compact JSON, as a DOM would re-serialise it.
    auto ext = parse(head + resp + R"(, "clientExtensionResults" : { "prf" : {"results":{"first":"AA"}} , "appid" : false, "n": [1, 2.5, null, "s"] }, "authenticatorAttachment":"platform"})");
    BOOST_TEST_REQUIRE(ext.ok(), why(ext));
    BOOST_TEST(ext->extensions.json == R"({"appid":false,"n":[1,2.5,null,"s"],"prf":{"results":{"first":"AA"}}})");
    BOOST_TEST((ext->authenticator_attachment && *ext->authenticator_attachment == "platform"));

    // Registration: transports under response, or the legacy top level, or null.
    const std::string reg_resp = R"("response":{"clientDataJSON":")" + cdj + R"(","attestationObject":"oA")";
    auto reg = parse_registration_response(head + reg_resp + R"(,"transports":["usb","nfc"]}})");
    BOOST_TEST_REQUIRE(reg.ok(), why(reg));
    BOOST_TEST((reg->transports == std::vector<std::string>{"usb", "nfc"}));
    reg = parse_registration_response(head + reg_resp + R"(,"transports":null},"transports":["ble"]})");
    BOOST_TEST_REQUIRE(reg.ok(), why(reg));
    BOOST_TEST((reg->transports == std::vector<std::string>{"ble"}));
    BOOST_TEST(parse_registration_response(head + reg_resp + R"(,"transports":"usb"}})").code() == Errc::webauthn_json);
}

// ES256 signatures are checked through a verify context kept in the CredentialKey; a signature it
// refuses gets the precise error of the general path, and the key can be shared by threads.
BOOST_AUTO_TEST_CASE(es256_cached_key_fast_path) {
    test::SoftCredential c(cose::Alg::ES256);
    const CredentialRecord rec = registered(c);
    auto key = CredentialKey::from_record(rec);
    BOOST_TEST_REQUIRE(key.ok(), why(key));
    AuthenticationExpectation ex;
    ex.challenge = kChallenge;
    ex.user_handle = b("user-1");
    auto s = auth_spec();
    s.user_handle = b("user-1");
    const std::string good = c.assertion_json(s);
    auto with_signature = [&](const Bytes& sig) {
        auto j = nlohmann::json::parse(good);
        j["response"]["signature"] = base64url_encode(sig);
        return j.dump();
    };
    const Bytes sig = *base64_decode(nlohmann::json::parse(good)["response"]["signature"].get<std::string>(),
                                     Base64Mode::lenient);
    for (const CredentialKey* k : {static_cast<const CredentialKey*>(&*key), static_cast<const CredentialKey*>(nullptr)}) {
        auto r = verify_authentication(config(), good, rec, ex, k);
        BOOST_TEST(r.ok(), why(r));
        // A byte after the DER signature: refused, and named as a format error.
        Bytes trailing = sig;
        trailing.push_back(0);
        auto t = verify_authentication(config(), with_signature(trailing), rec, ex, k);
        BOOST_TEST(t.code() == Errc::webauthn_signature);
        BOOST_TEST(why(t).find("DER") != std::string::npos, why(t));
        // BER: the outer length in long form.
        Bytes ber = {0x30, 0x81, sig[1]};
        ber.insert(ber.end(), sig.begin() + 2, sig.end());
        auto be = verify_authentication(config(), with_signature(ber), rec, ex, k);
        BOOST_TEST(be.code() == Errc::webauthn_signature);
        BOOST_TEST(why(be).find("BER") != std::string::npos, why(be));
        // A changed signature value.
        Bytes flipped = sig;
        flipped.back() ^= 1;
        auto f = verify_authentication(config(), with_signature(flipped), rec, ex, k);
        BOOST_TEST(f.code() == Errc::webauthn_signature);
        BOOST_TEST(why(f).find("does not verify") != std::string::npos, why(f));
    }
    // One key, several threads, good and bad signatures interleaved: every result is right.
    const std::string bad = with_signature(Bytes(sig.begin(), sig.end() - 1));
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 40; ++i) {
                const bool want_ok = (i + t) % 3 != 0;
                auto r = verify_authentication(config(), want_ok ? good : bad, rec, ex, &*key);
                if (r.ok() != want_ok) ++wrong;
            }
        });
    for (auto& th : threads) th.join();
    BOOST_TEST(wrong.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

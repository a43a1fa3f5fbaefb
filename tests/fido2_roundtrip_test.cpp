// Round trip: credentials and assertions made by the SDK's FIDO2 client against the soft token, as
// the WebAuthn JSON a browser would send for an origin, verified by the SDK's relying party
// (mfa/webauthn/*). Registration gives a credential record; authentications against it raise the
// sign count; tampering with what the client sent fails with the relying party's specific error.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/random.hpp"
#include "mfa/softtoken.hpp"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/options.hpp"
#include "mfa/webauthn/registration.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::fido2;

namespace {

constexpr std::string_view kOrigin = "https://login.example.com";
constexpr std::string_view kRpId = "example.com";

struct Case {
    Algorithm alg;
    bool resident;
    bool uv;  // a PIN is set and user verification is required by the RP
    softtoken::Attestation attestation;
};

std::string describe(const Case& c) {
    return std::string(c.alg == Algorithm::es256 ? "ES256" : "EdDSA") + (c.resident ? " resident" : " server-side") +
           (c.uv ? " with PIN/UV" : " without UV") +
           (c.attestation == softtoken::Attestation::full ? " basic" : " self");
}

webauthn::RpConfig rp_config() {
    webauthn::RpConfig cfg;
    cfg.rp_id = std::string(kRpId);
    cfg.rp_name = "Example";
    cfg.origins = {std::string(kOrigin)};
    return cfg;
}

Bytes challenge() {
    Bytes c(32);
    BOOST_REQUIRE(random_fill(c));
    return c;
}

struct Token {
    Client client;
    std::shared_ptr<softtoken::SoftToken> token;
    std::unique_ptr<Device> dev;
    explicit Token(softtoken::Attestation att) {
        softtoken::Options o;
        o.attestation = att;
        auto t = softtoken::SoftToken::in_memory(std::move(o));
        BOOST_REQUIRE(t);
        token = *t;
        client.soft_tokens().add("rt", token);
        auto d = client.open("soft:rt");
        BOOST_REQUIRE(d);
        dev = std::move(*d);
    }
};

struct Registered {
    webauthn::CredentialRecord record;
    Bytes user_id;
};

Registered register_one(Token& t, const Case& c, const webauthn::RpConfig& cfg) {
    const Bytes chal = challenge();
    const auto cd = make_client_data("webauthn.create", chal, kOrigin);
    MakeCredentialRequest req;
    req.client_data_hash = cd.hash;
    req.rp = {std::string(kRpId), "Example"};
    req.user = {Bytes{'u', 's', 'e', 'r', '-', '4', '2'}, "alice", "Alice"};
    req.algorithm = c.alg;
    req.resident = c.resident;
    req.user_verification = c.uv;
    if (c.uv) req.pin = SecretString("4321");
    auto cred = t.dev->make_credential(req);
    BOOST_REQUIRE_MESSAGE(cred, (cred ? std::string() : cred.error().to_string()));
    auto json = registration_json(*cred, cd);
    BOOST_REQUIRE(json);

    webauthn::RegistrationExpectation exp;
    exp.challenge = chal;
    exp.user_handle = req.user.id;
    exp.user_verification = c.uv ? webauthn::UserVerification::required : webauthn::UserVerification::discouraged;
    exp.credential_exists = [](ByteView) { return false; };
    auto res = webauthn::verify_registration(cfg, *json, exp);
    BOOST_REQUIRE_MESSAGE(res, (res ? std::string() : res.error().to_string()));
    BOOST_TEST(res->record.id == cred->credential_id);
    BOOST_TEST(res->record.alg == static_cast<int>(c.alg));
    BOOST_TEST(res->record.public_key == cred->public_key_cose);
    BOOST_TEST(res->record.aaguid == t.token->aaguid());
    BOOST_TEST(res->user_verified == c.uv);
    BOOST_TEST(res->origin == kOrigin);
    BOOST_TEST(res->attestation.fmt == "packed");
    BOOST_TEST(webauthn::attestation_type_name(res->attestation.type) ==
               (c.attestation == softtoken::Attestation::full ? "basic" : "self"));
    BOOST_TEST(!res->attestation.trusted);  // no trust anchors configured
    // The record survives its own JSON form, as a server would store it.
    auto stored = webauthn::record_from_json(webauthn::to_json(res->record));
    BOOST_REQUIRE(stored);
    return {*stored, req.user.id};
}

struct Login {
    std::string json;
    Bytes challenge;
    std::uint32_t device_count = 0;
};

Login login_once(Token& t, const Case& c, const Registered& reg) {
    Login l;
    l.challenge = challenge();
    const auto cd = make_client_data("webauthn.get", l.challenge, kOrigin);
    GetAssertionRequest req;
    req.rp_id = std::string(kRpId);
    req.client_data_hash = cd.hash;
    if (!c.resident) req.allow = {reg.record.id};  // discoverable credentials log in without a list
    req.user_verification = c.uv;
    if (c.uv) req.pin = SecretString("4321");
    auto as = t.dev->get_assertions(req);
    BOOST_REQUIRE_MESSAGE(as, (as ? std::string() : as.error().to_string()));
    BOOST_REQUIRE_EQUAL(as->size(), 1u);
    l.device_count = as->front().sign_count;
    auto json = authentication_json(as->front(), cd);
    BOOST_REQUIRE(json);
    l.json = *json;
    return l;
}

webauthn::AuthenticationExpectation expectation(const Case& c, const Registered& reg, const Bytes& chal) {
    webauthn::AuthenticationExpectation e;
    e.challenge = chal;
    if (!c.resident) {
        e.allow_credentials = {reg.record.id};
        e.user_handle = reg.user_id;
    }  // else: usernameless, the response's userHandle must be the record's
    e.user_verification = c.uv ? webauthn::UserVerification::required : webauthn::UserVerification::discouraged;
    return e;
}

// Re-encodes one base64url member of response with one byte flipped.
std::string tamper(const std::string& json, const char* member, std::size_t at_from_end) {
    auto j = nlohmann::json::parse(json);
    auto bytes = base64_decode(j["response"][member].get<std::string>(), Base64Mode::url_strict);
    BOOST_REQUIRE(bytes && bytes->size() > at_from_end);
    (*bytes)[bytes->size() - 1 - at_from_end] ^= 0x01;
    j["response"][member] = base64url_encode(*bytes);
    return j.dump();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fido2)

BOOST_AUTO_TEST_CASE(roundtrip_register_and_authenticate_in_the_relying_party) {
    const auto cfg = rp_config();
    BOOST_REQUIRE(cfg.validate());
    for (auto alg : {Algorithm::es256, Algorithm::eddsa})
        for (bool resident : {false, true})
            for (bool uv : {false, true})
                for (auto att : {softtoken::Attestation::full, softtoken::Attestation::self}) {
                    const Case c{alg, resident, uv, att};
                    BOOST_TEST_CONTEXT(describe(c)) {
                        Token t(att);
                        if (uv) BOOST_REQUIRE(t.dev->set_pin(SecretString("4321")));
                        auto reg = register_one(t, c, cfg);
                        std::uint32_t stored = reg.record.sign_count;
                        for (int i = 0; i < 2; ++i) {
                            auto l = login_once(t, c, reg);
                            auto res = webauthn::verify_authentication(cfg, l.json, reg.record,
                                                                       expectation(c, reg, l.challenge));
                            BOOST_REQUIRE_MESSAGE(res, (res ? std::string() : res.error().to_string()));
                            BOOST_TEST(res->sign_count == l.device_count);
                            BOOST_TEST(res->sign_count > stored);
                            BOOST_TEST(res->user_verified == uv);
                            BOOST_TEST(!res->counter_regressed);
                            stored = res->record.sign_count;
                            reg.record = res->record;
                        }
                    }
                }
}

BOOST_AUTO_TEST_CASE(roundtrip_basic_attestation_trusted_with_the_token_certificate_as_anchor) {
    Token t(softtoken::Attestation::full);
    const Bytes chal = challenge();
    const auto cd = make_client_data("webauthn.create", chal, kOrigin);
    MakeCredentialRequest req;
    req.client_data_hash = cd.hash;
    req.rp = {std::string(kRpId), "Example"};
    req.user = {Bytes{7}, "carol", "Carol"};
    auto cred = t.dev->make_credential(req);
    BOOST_REQUIRE(cred);
    BOOST_REQUIRE(!cred->certificate.empty());
    auto json = registration_json(*cred, cd);
    BOOST_REQUIRE(json);
    webauthn::RegistrationExpectation exp;
    exp.challenge = chal;
    exp.user_handle = req.user.id;
    exp.credential_exists = [](ByteView) { return false; };

    auto cfg = rp_config();
    cfg.attestation.require_trusted = true;
    auto untrusted = webauthn::verify_registration(cfg, *json, exp);
    BOOST_REQUIRE(!untrusted);
    BOOST_TEST(untrusted.error().code == Errc::att_untrusted);
    // The soft token's own certificate as the packed root: the chain ends at an anchor.
    BOOST_REQUIRE(cfg.trust_anchors.add_der("packed", cred->certificate));
    auto trusted = webauthn::verify_registration(cfg, *json, exp);
    BOOST_REQUIRE_MESSAGE(trusted, (trusted ? std::string() : trusted.error().to_string()));
    BOOST_TEST(trusted->attestation.trusted);
    BOOST_TEST(trusted->record.attestation.type == "basic");
}

BOOST_AUTO_TEST_CASE(roundtrip_tampered_responses_fail_with_the_step_that_caught_them) {
    const auto cfg = rp_config();
    const Case c{Algorithm::es256, false, false, softtoken::Attestation::full};
    Token t(c.attestation);
    auto reg = register_one(t, c, cfg);
    auto l = login_once(t, c, reg);
    const auto exp = expectation(c, reg, l.challenge);

    auto code = [&](const std::string& json, const webauthn::AuthenticationExpectation& e) {
        auto r = webauthn::verify_authentication(cfg, json, reg.record, e);
        BOOST_REQUIRE(!r);
        return r.error().code;
    };
    // A flipped bit in the signature, in the signed sign count, in the client data.
    BOOST_TEST(code(tamper(l.json, "signature", 0), exp) == Errc::webauthn_signature);
    BOOST_TEST(code(tamper(l.json, "authenticatorData", 0), exp) == Errc::webauthn_signature);
    // The last byte of clientDataJSON is its closing brace: flipping it breaks the JSON itself.
    BOOST_TEST(code(tamper(l.json, "clientDataJSON", 0), exp) == Errc::webauthn_client_data);
    // Another challenge or another origin than the ones issued/allowed.
    auto other = exp;
    other.challenge = challenge();
    BOOST_TEST(code(l.json, other) == Errc::webauthn_challenge);
    auto cfg2 = cfg;
    cfg2.origins = {"https://evil.example.net"};
    auto r = webauthn::verify_authentication(cfg2, l.json, reg.record, exp);
    BOOST_TEST((!r && r.error().code == Errc::webauthn_origin));
    // An assertion for another RP ID.
    auto cfg3 = cfg;
    cfg3.rp_id = "example.org";
    r = webauthn::verify_authentication(cfg3, l.json, reg.record, exp);
    BOOST_TEST((!r && r.error().code == Errc::webauthn_rp_id_hash));
    // UV required, but the assertion was made without it.
    auto uv = exp;
    uv.user_verification = webauthn::UserVerification::required;
    BOOST_TEST(code(l.json, uv) == Errc::webauthn_user_verified);

    // Accepted once: the record's counter moves on, and the same assertion replayed is a clone.
    auto ok = webauthn::verify_authentication(cfg, l.json, reg.record, exp);
    BOOST_REQUIRE(ok);
    reg.record = ok->record;
    BOOST_TEST(code(l.json, exp) == Errc::webauthn_sign_count);

    // A tampered registration: another clientDataJSON than the one the authenticator signed the
    // hash of (here the same challenge and origin, but crossOrigin true, which the RP allows) passes
    // every client-data step and fails the packed attestation signature.
    const Bytes chal = challenge();
    const auto cd = make_client_data("webauthn.create", chal, kOrigin);
    MakeCredentialRequest req;
    req.client_data_hash = cd.hash;
    req.rp = {std::string(kRpId), "Example"};
    req.user = {Bytes{1, 2, 3}, "bob", "Bob"};
    auto cred = t.dev->make_credential(req);
    BOOST_REQUIRE(cred);
    auto json = registration_json(*cred, cd);
    BOOST_REQUIRE(json);
    webauthn::RegistrationExpectation rexp;
    rexp.challenge = chal;
    rexp.user_handle = req.user.id;
    rexp.credential_exists = [](ByteView) { return false; };
    auto j = nlohmann::json::parse(*json);
    const auto other_cd = make_client_data("webauthn.create", chal, kOrigin, /*cross_origin=*/true);
    j["response"]["clientDataJSON"] = base64url_encode(as_bytes(other_cd.json));
    auto cfg4 = cfg;
    cfg4.allow_cross_origin = true;
    auto rr = webauthn::verify_registration(cfg4, j.dump(), rexp);
    BOOST_REQUIRE(!rr);
    BOOST_TEST(rr.error().code == Errc::att_signature_invalid, rr.error().to_string());
    // And as sent, it verifies.
    BOOST_TEST(static_cast<bool>(webauthn::verify_registration(cfg, *json, rexp)));
}

// The WebAuthn client (webauthn_create / webauthn_get) answers the options the relying party
// generates, as a browser would, and the relying party verifies what it answered.
BOOST_AUTO_TEST_CASE(webauthn_client_answers_the_relying_partys_options) {
    const auto cfg = rp_config();
    Token t(softtoken::Attestation::full);
    BOOST_REQUIRE(t.dev->set_pin(SecretString("4321")));
    const std::optional<SecretString> pin(SecretString("4321"));

    webauthn::CreationOptionsInput in;
    in.user_name = "alice";
    in.resident_key = "required";
    in.user_verification = webauthn::UserVerification::required;
    in.extensions.cred_props = true;
    auto created = webauthn::creation_options(cfg, in);
    BOOST_REQUIRE(created);
    auto reg_json = webauthn_create(*t.dev, created->json, kOrigin, pin);
    BOOST_REQUIRE_MESSAGE(reg_json, (reg_json ? std::string() : reg_json.error().to_string()));
    BOOST_TEST(nlohmann::json::parse(*reg_json)["clientExtensionResults"]["credProps"]["rk"] == true);
    webauthn::RegistrationExpectation rexp;
    rexp.challenge = created->challenge;
    rexp.user_handle = created->user_id;
    rexp.user_verification = webauthn::UserVerification::required;
    rexp.credential_exists = [](ByteView) { return false; };
    auto reg = webauthn::verify_registration(cfg, *reg_json, rexp);
    BOOST_REQUIRE_MESSAGE(reg, (reg ? std::string() : reg.error().to_string()));

    // Wrapped as the JS API takes it, usernameless: the passkey answers with its user handle.
    webauthn::RequestOptionsInput rin;
    rin.user_verification = webauthn::UserVerification::required;
    auto requested = webauthn::request_options(cfg, rin);
    BOOST_REQUIRE(requested);
    auto auth_json = webauthn_get(*t.dev, R"({"publicKey":)" + requested->json + "}", kOrigin, pin);
    BOOST_REQUIRE_MESSAGE(auth_json, (auth_json ? std::string() : auth_json.error().to_string()));
    webauthn::AuthenticationExpectation aexp;
    aexp.challenge = requested->challenge;
    aexp.user_verification = webauthn::UserVerification::required;
    auto auth = webauthn::verify_authentication(cfg, *auth_json, reg->record, aexp);
    BOOST_REQUIRE_MESSAGE(auth, (auth ? std::string() : auth.error().to_string()));

    // The key is excluded once registered: CTAP2 CREDENTIAL_EXCLUDED, as a browser reports it.
    in.exclude_credentials = {{reg->record.id, {}}};
    auto again = webauthn::creation_options(cfg, in);
    BOOST_REQUIRE(again);
    auto excluded = webauthn_create(*t.dev, again->json, kOrigin, pin);
    BOOST_REQUIRE(!excluded);
    BOOST_TEST(static_cast<int>(excluded.error().code) == 0x19);
}

BOOST_AUTO_TEST_CASE(webauthn_client_checks_the_origin_against_the_rp_id) {
    Token t(softtoken::Attestation::self);
    const std::string get = R"({"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rpId":"example.com"})";
    for (const char* origin : {"https://example.org", "https://notexample.com", "http://example.com",
                               "ftp://example.com", "https://", "https://example.com/path", "example.com"}) {
        auto r = webauthn_get(*t.dev, get, origin, std::nullopt);
        BOOST_REQUIRE_MESSAGE(!r, origin);
        BOOST_TEST(r.error().code == Errc::webauthn_origin, origin);
    }
    // The RP ID may be the host or a parent domain of it; the default RP ID is the host itself.
    const std::string no_rp = R"({"challenge":"AAAAAAAAAAAAAAAAAAAAAA"})";
    for (const char* origin : {"https://example.com", "https://a.b.example.com:8443", "https://example.com/"}) {
        auto r = webauthn_get(*t.dev, get, origin, std::nullopt);
        // Past the origin check, the empty soft token has no credential for the RP.
        BOOST_REQUIRE(!r);
        BOOST_TEST(static_cast<int>(r.error().code) == 0x2E, origin);
    }
    auto local = webauthn_get(*t.dev, no_rp, "http://localhost:5000", std::nullopt);
    BOOST_REQUIRE(!local);
    BOOST_TEST(static_cast<int>(local.error().code) == 0x2E);
}

BOOST_AUTO_TEST_CASE(webauthn_client_names_the_bad_member_of_the_options) {
    Token t(softtoken::Attestation::self);
    const std::string user = R"("user":{"id":"dXNlcg","name":"alice"})";
    const std::string params = R"("pubKeyCredParams":[{"type":"public-key","alg":-7}])";
    const std::string chal = R"("challenge":"AAAAAAAAAAAAAAAAAAAAAA")";
    const std::string rp = R"("rp":{"id":"example.com"})";
    struct Bad {
        std::string json;
        const char* member;
        Errc code;
    };
    const Bad cases[] = {
        {"[1]", "not a JSON object", Errc::webauthn_options},
        {"{\"publicKey\":3}", "'publicKey' is not an object", Errc::webauthn_options},
        {"{" + user + "," + params + "," + chal + "}", "'rp'", Errc::webauthn_options},
        {"{" + rp + "," + params + "," + chal + "}", "'user'", Errc::webauthn_options},
        {"{" + rp + R"(,"user":{"id":"!!","name":"a"},)" + params + "," + chal + "}", "'user.id' is not base64url",
         Errc::webauthn_options},
        {"{" + rp + "," + user + "," + chal + "}", "'pubKeyCredParams'", Errc::webauthn_options},
        {"{" + rp + "," + user + R"(,"pubKeyCredParams":[{"type":"public-key","alg":-257}],)" + chal + "}",
         "ES256", Errc::webauthn_algorithm},
        {"{" + rp + "," + user + "," + params + "}", "'challenge' is missing", Errc::webauthn_options},
        {"{" + rp + "," + user + "," + params + "," + chal + R"(,"authenticatorSelection":{"residentKey":"always"}})",
         "residentKey", Errc::webauthn_options},
        {"{" + rp + "," + user + "," + params + "," + chal + R"(,"authenticatorSelection":{"requireResidentKey":"yes"}})",
         "requireResidentKey", Errc::webauthn_options},
        {"{" + rp + "," + user + "," + params + "," + chal + R"(,"excludeCredentials":[{"type":"public-key"}]})",
         "'excludeCredentials[0].id' is missing", Errc::webauthn_options},
        {"{" + rp + "," + user + "," + params + "," + chal + R"(,"extensions":{"credProps":1}})", "credProps",
         Errc::webauthn_options},
    };
    for (const auto& c : cases) {
        auto r = webauthn_create(*t.dev, c.json, kOrigin, std::nullopt);
        BOOST_REQUIRE_MESSAGE(!r, c.json);
        BOOST_TEST(r.error().code == c.code, c.json);
        BOOST_TEST(r.error().to_string().find(c.member) != std::string::npos, r.error().to_string());
    }
    auto uv = webauthn_get(*t.dev, "{" + chal + R"(,"userVerification":"maybe"})", kOrigin, std::nullopt);
    BOOST_REQUIRE(!uv);
    BOOST_TEST(uv.error().to_string().find("userVerification") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// Every registration case of ../shared/conformance/webauthn: parse the attestation object, run
// verify_attestation with the case's trust anchors, fixed_now and policy switches, and check the
// attestation part of the expected outcome (type, trust, or the attestation error for the cases
// that must fail because of their attestation). Client-data checks (challenge, origin, token
// binding) belong to the registration flow and are not asserted here.
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "attestation_support.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/attestation.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::test;
using webauthn::AttestationType;

namespace {

// Cases that must fail because of their attestation statement, and the error they must fail with.
const std::map<std::string, Errc> kAttestationFailures = {
    {"reg-fail-android-safetynet-simplewebauthn-cts-profile-mismatch.json", Errc::att_safetynet_cts_profile},
    {"reg-fail-apple-webauthnrs-nonce-mismatch.json", Errc::att_apple_nonce},
    {"reg-fail-tpm-rs1-webauthnrs-windows-hello-sha1-policy.json", Errc::att_sha1_rejected},
};
// Cases whose attestation object itself is malformed (the parser refuses it before attestation).
const std::map<std::string, Errc> kParseFailures = {
    {"reg-fail-webauthnrs-firefox98-truncated-aaguid.json", Errc::ok},  // any parse error
    // The Solo 2 writes its Ed25519 credential key as {1: "OKP", 3: -8, -1: "Ed25519"} followed by
    // the x coordinate outside the map, so the authenticator data is refused before its (also bad)
    // ES256 attestation signature is looked at.
    {"reg-fail-packed-eddsa-webauthnrs-solokey-v2-bad-sig.json", Errc::ok},
};

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// "2021-09-03T21:07:20Z" or with fractional seconds; fractions are dropped.
std::int64_t parse_time(const std::string& s) {
    std::tm tm{};
    BOOST_REQUIRE(strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
    return static_cast<std::int64_t>(timegm(&tm));
}

AttestationType expected_type(const webauthn::AttestationObject& obj) {
    if (obj.fmt == "none") return AttestationType::none;
    if (obj.fmt == "packed") return obj.att_stmt.contains("x5c") ? AttestationType::basic : AttestationType::self;
    if (obj.fmt == "tpm") return AttestationType::attca;
    if (obj.fmt == "apple") return AttestationType::anonca;
    return AttestationType::basic;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(attestation)

BOOST_AUTO_TEST_CASE(conformance_registrations) {
    const auto shared = shared_dir();
    if (!shared) {
        skip("../shared (MFA_SHARED_DIR) is absent, no conformance data");
        return;
    }
    const auto dir = *shared / "conformance" / "webauthn";
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().rfind("reg-", 0) == 0 && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    BOOST_TEST(files.size() >= 50u);
    std::size_t trusted_count = 0, verified = 0;

    for (const auto& file : files) {
        const std::string name = file.filename().string();
        BOOST_TEST_CONTEXT(name) {
            const auto j = nlohmann::json::parse(slurp(file));
            const auto& resp = j.at("response").at("response");
            auto ao = base64_decode(resp.at("attestationObject").get<std::string>(), Base64Mode::lenient);
            auto cdj = base64_decode(resp.at("clientDataJSON").get<std::string>(), Base64Mode::lenient);
            BOOST_TEST_REQUIRE(ao.ok());
            BOOST_TEST_REQUIRE(cdj.ok());
            auto obj = webauthn::parse_attestation_object(*ao);
            if (kParseFailures.count(name) != 0) {
                BOOST_TEST(!obj.ok());
                continue;
            }
            BOOST_TEST_REQUIRE(obj.ok(), why(obj));
            BOOST_TEST(obj->fmt == j.at("attestation_fmt").get<std::string>());

            webauthn::TrustAnchors anchors;
            const bool has_anchors = j.contains("trust_anchors") && j["trust_anchors"].is_array();
            if (has_anchors)
                for (const auto& a : j["trust_anchors"])
                    BOOST_TEST_REQUIRE(anchors.add_pem_file(a.at("fmt").get<std::string>(), dir / a.at("file").get<std::string>()).ok());

            webauthn::AttestationPolicy policy;
            if (j.contains("fixed_now") && j["fixed_now"].is_string()) policy.verification_time = parse_time(j["fixed_now"].get<std::string>());
            // The source libraries accept RS1 TPM statements unless the case says otherwise.
            policy.allow_rs1_tpm = true;
            if (j.contains("verify_options") && j["verify_options"].is_object()) {
                const auto& o = j["verify_options"];
                if (o.contains("safetynet_enforce_cts_profile_match"))
                    policy.safetynet_require_cts_profile_match = o["safetynet_enforce_cts_profile_match"].get<bool>();
                if (o.value("reject_sha1_attestation_signature", false)) policy.allow_rs1_tpm = false;
            }

            const Bytes cdh = att::digest(EVP_sha256(), *cdj);
            auto r = webauthn::verify_attestation(*obj, cdh, anchors, policy);
            const auto fail = kAttestationFailures.find(name);
            if (fail != kAttestationFailures.end()) {
                BOOST_TEST(r.code() == fail->second, why(r));
                continue;
            }
            BOOST_TEST_REQUIRE(r.ok(), why(r));
            ++verified;
            BOOST_TEST(r->fmt == obj->fmt);
            BOOST_TEST(r->type == expected_type(*obj));
            BOOST_TEST(std::equal(r->aaguid.begin(), r->aaguid.end(), obj->auth_data.attested->aaguid.begin()));
            // A case that names anchors chains to them; without anchors nothing is trusted.
            BOOST_TEST(r->trusted == has_anchors, r->trust_detail);
            if (r->trusted) {
                ++trusted_count;
                BOOST_TEST(!r->trust_anchor.empty());
            }
            if (r->type == AttestationType::none || r->type == AttestationType::self) BOOST_TEST(r->trust_path.empty());
            else BOOST_TEST(!r->trust_path.empty());
        }
    }
    BOOST_TEST_MESSAGE("conformance: " << verified << " attestations verified, " << trusted_count << " trusted");
}

// RS1 TPM statements are refused under the default policy.
BOOST_AUTO_TEST_CASE(conformance_rs1_default_policy) {
    const auto shared = shared_dir();
    if (!shared) {
        skip("../shared (MFA_SHARED_DIR) is absent");
        return;
    }
    const auto file = *shared / "conformance" / "webauthn" / "reg-tpm-rsa-pywebauthn-surface-pro-4.json";
    const auto j = nlohmann::json::parse(slurp(file));
    const auto& resp = j.at("response").at("response");
    auto ao = base64_decode(resp.at("attestationObject").get<std::string>(), Base64Mode::lenient);
    auto cdj = base64_decode(resp.at("clientDataJSON").get<std::string>(), Base64Mode::lenient);
    BOOST_TEST_REQUIRE((ao.ok() && cdj.ok()));
    auto obj = webauthn::parse_attestation_object(*ao);
    BOOST_TEST_REQUIRE(obj.ok(), why(obj));
    webauthn::AttestationPolicy policy;
    policy.verification_time = parse_time(j.at("fixed_now").get<std::string>());
    BOOST_TEST(webauthn::verify_attestation(*obj, att::digest(EVP_sha256(), *cdj), {}, policy).code() == Errc::att_sha1_rejected);
    policy.allow_rs1_tpm = true;
    BOOST_TEST(webauthn::verify_attestation(*obj, att::digest(EVP_sha256(), *cdj), {}, policy).code() == Errc::ok);
    // Outside the certificates' validity: refused even without anchors.
    policy.verification_time = parse_time("2035-01-01T00:00:00Z");
    BOOST_TEST(webauthn::verify_attestation(*obj, att::digest(EVP_sha256(), *cdj), {}, policy).code() == Errc::att_certificate_invalid);
}

BOOST_AUTO_TEST_SUITE_END()

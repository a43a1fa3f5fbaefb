// tpm, android-key, android-safetynet and apple with statements generated here, and their parsers.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include <nlohmann/json.hpp>

#include "../lib/webauthn/key_description.hpp"
#include "../lib/webauthn/tpm.hpp"
#include "attestation_support.hpp"
#include "mfa/reader.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::test;
using webauthn::AttestationType;
namespace tpm = mfa::att::tpm;
namespace android = mfa::att::android;

namespace {

// ---- TPM builders ------------------------------------------------------------------------------

void tpm2b(Writer& w, ByteView b) {
    w.u16be(static_cast<std::uint16_t>(b.size()));
    w.bytes(b);
}

Bytes rsa_pub_area(EVP_PKEY* key, std::uint16_t name_alg = tpm::kAlgSha256) {
    auto rsa = att::rsa_components(key);
    Bytes out;
    Writer w(out);
    w.u16be(tpm::kAlgRsa);
    w.u16be(name_alg);
    w.u32be(0x00060472);
    tpm2b(w, {});
    w.u16be(tpm::kAlgNull);  // symmetric
    w.u16be(tpm::kAlgNull);  // scheme
    w.u16be(2048);
    w.u32be(0);              // default exponent 65537
    tpm2b(w, rsa->n);
    return out;
}

Bytes ecc_pub_area(EVP_PKEY* key) {
    auto ec = att::ec_components(key);
    Bytes out;
    Writer w(out);
    w.u16be(tpm::kAlgEcc);
    w.u16be(tpm::kAlgSha256);
    w.u32be(0x00060472);
    tpm2b(w, {});
    w.u16be(tpm::kAlgNull);
    w.u16be(0x0018);  // TPM_ALG_ECDSA scheme ...
    w.u16be(tpm::kAlgSha256);  // ... with its hashAlg
    w.u16be(tpm::kEccNistP256);
    w.u16be(tpm::kAlgNull);  // kdf
    tpm2b(w, ec->x);
    tpm2b(w, ec->y);
    return out;
}

Bytes tpm_name(ByteView pub_area) {
    const Bytes h = att::digest(EVP_sha256(), pub_area);
    return cat({Bytes{0x00, 0x0b}, h});
}

Bytes cert_info(ByteView extra, ByteView name, std::uint32_t magic = tpm::kGeneratedValue) {
    Bytes out;
    Writer w(out);
    w.u32be(magic);
    w.u16be(tpm::kStAttestCertify);
    tpm2b(w, Bytes(34, 0x22));  // qualifiedSigner
    tpm2b(w, extra);
    w.u64be(123456);  // clock
    w.u32be(1);
    w.u32be(2);
    w.u8(1);
    w.u64be(0x0102030405060708ULL);
    tpm2b(w, name);
    tpm2b(w, Bytes(34, 0x33));  // qualifiedName
    return out;
}

CertSpec aik_spec() {
    CertSpec s;
    s.ca = false;
    s.eku = "2.23.133.8.3";
    s.san_dirname = {{"2.23.133.2.1", "id:49465800"}, {"2.23.133.2.2", "SLB9670"}, {"2.23.133.2.3", "id:0007"}};
    s.extensions = {{"1.3.6.1.4.1.45724.1.1.4", false, aaguid_ext(kAaguid)}};
    return s;
}

struct TpmCase {
    Pki pki;
    Cred cred{gen_rsa(), -257};
    PkeyPtr aik_key = gen_rsa();
    CertSpec aik = aik_spec();
    std::int64_t alg = -257;
    Bytes pub_area = rsa_pub_area(cred.key.get());
    std::optional<Bytes> extra;  // default: hash of authData || clientDataHash
    std::optional<Bytes> name;   // default: name of pub_area
    std::uint32_t magic = tpm::kGeneratedValue;
    std::string ver = "2.0";

    Errc run(const webauthn::AttestationPolicy& policy = policy_at()) {
        const EVP_MD* md = att::cose_alg_digest(alg);
        const Bytes ci = cert_info(extra ? *extra : att::digest(md, cred.to_sign()), name ? *name : tpm_name(pub_area), magic);
        const Bytes sig = sign(aik_key.get(), md, ci);
        const std::vector<Bytes> x5c = {der_of(pki.issue(aik, aik_key.get()).get()), der_of(pki.root.get())};
        att::Statement st = stmt(alg, &sig, &x5c);
        st.ver = ver;
        st.pub_area = ByteView(pub_area);
        st.cert_info = ByteView(ci);
        auto out = att::verify_tpm(st, cred.subject(), policy);
        if (out.ok()) {
            BOOST_TEST(out->type == AttestationType::attca);
            BOOST_TEST(out->path.size() == 2u);
        }
        return out.code();
    }
};

// ---- Android key description builder -----------------------------------------------------------

struct AuthList {
    std::optional<std::vector<std::int64_t>> purpose;
    std::optional<std::int64_t> origin;
    bool all_applications = false;
    Bytes encode() const {
        Bytes body;
        if (purpose) {
            Bytes set;
            for (auto p : *purpose) set = cat({set, der_int(p)});
            body = cat({body, der_explicit(1, der_tlv(0x31, set))});
        }
        body = cat({body, der_explicit(503, der_tlv(0x05, {}))});  // noAuthRequired: skipped
        if (all_applications) body = cat({body, der_explicit(600, der_tlv(0x05, {}))});
        if (origin) body = cat({body, der_explicit(702, der_int(*origin))});
        return der_tlv(0x30, body);
    }
};

Bytes key_description(ByteView challenge, const AuthList& sw, const AuthList& tee) {
    return der_tlv(0x30, cat({der_int(3), der_tlv(0x0a, Bytes{1}), der_int(4), der_tlv(0x0a, Bytes{1}),
                              der_tlv(0x04, challenge), der_tlv(0x04, {}), sw.encode(), tee.encode()}));
}

struct AndroidCase {
    Pki pki;
    Cred cred = ec_cred();
    AuthList sw;
    AuthList tee{std::vector<std::int64_t>{2}, 0, false};
    std::optional<Bytes> challenge;
    bool include_extension = true;
    bool other_leaf_key = false;

    Errc run(const webauthn::AttestationPolicy& policy = policy_at()) {
        CertSpec s;
        s.subject = {{"CN", "Android Keystore Key"}};
        if (include_extension)
            s.extensions = {{android::kKeyDescriptionOid, false, key_description(challenge ? *challenge : cred.cdh, sw, tee)}};
        PkeyPtr other = gen_ec();
        EVP_PKEY* leaf_key = other_leaf_key ? other.get() : cred.key.get();
        const Bytes sig = sign(leaf_key, EVP_sha256(), cred.to_sign());
        const std::vector<Bytes> x5c = {der_of(pki.issue(s, leaf_key).get())};
        auto out = att::verify_android_key(stmt(-7, &sig, &x5c), cred.subject(), policy);
        if (out.ok()) BOOST_TEST(out->type == AttestationType::basic);
        return out.code();
    }
};

// ---- SafetyNet JWS builder ---------------------------------------------------------------------

struct SafetyNetCase {
    Pki pki{"GTS Root Test"};
    Cred cred = ec_cred();
    PkeyPtr leaf_key = gen_rsa();
    std::string host = "attest.android.com";
    std::string alg = "RS256";
    std::optional<std::string> nonce;
    nlohmann::json cts = true;
    std::int64_t timestamp_ms = kNow * 1000 - 2000;
    bool corrupt = false;

    Errc run(const webauthn::AttestationPolicy& policy = policy_at()) {
        CertSpec s;
        s.subject = {{"CN", host}};
        s.san_dns = {host};
        X509Ptr leaf = pki.issue(s, leaf_key.get());
        nlohmann::json header = {{"alg", alg}, {"x5c", {base64_encode(der_of(leaf.get()))}}};
        nlohmann::json payload = {{"nonce", nonce ? *nonce : base64_encode(att::digest(EVP_sha256(), cred.to_sign()))},
                                  {"timestampMs", timestamp_ms},
                                  {"apkPackageName", "com.google.android.gms"},
                                  {"basicIntegrity", true}};
        if (!cts.is_null()) payload["ctsProfileMatch"] = cts;
        const std::string input = base64url_encode(as_bytes(header.dump())) + "." + base64url_encode(as_bytes(payload.dump()));
        Bytes sig = sign(leaf_key.get(), EVP_sha256(), as_bytes(input));
        if (corrupt) sig[5] ^= 1;
        const std::string jws = input + "." + base64url_encode(sig);
        const Bytes response(jws.begin(), jws.end());
        att::Statement st;
        st.ver = "14366018";
        st.response = ByteView(response);
        st.member_count = 2;
        auto out = att::verify_android_safetynet(st, cred.subject(), policy);
        if (out.ok()) BOOST_TEST(out->path.size() == 1u);
        return out.code();
    }
};

// ---- Apple builder -----------------------------------------------------------------------------

Bytes apple_nonce_ext(ByteView nonce) { return der_tlv(0x30, der_explicit(1, der_tlv(0x04, nonce))); }

}  // namespace

BOOST_AUTO_TEST_SUITE(attestation)

BOOST_AUTO_TEST_CASE(tpm_structures_parse) {
    PkeyPtr rsa = gen_rsa();
    const Bytes pa = rsa_pub_area(rsa.get());
    auto p = tpm::parse_public(pa);
    BOOST_TEST_REQUIRE(p.ok(), why(p));
    BOOST_TEST(p->type == tpm::kAlgRsa);
    BOOST_TEST(p->rsa_modulus.size() == 256u);
    PkeyPtr ec = gen_ec();
    const Bytes pe = ecc_pub_area(ec.get());
    auto q = tpm::parse_public(pe);
    BOOST_TEST_REQUIRE(q.ok(), why(q));
    BOOST_TEST(q->ecc_curve == tpm::kEccNistP256);
    BOOST_TEST(q->scheme == 0x0018);
    const Bytes ci = cert_info(Bytes(32, 1), tpm_name(pa));
    auto a = tpm::parse_attest(ci);
    BOOST_TEST_REQUIRE(a.ok(), why(a));
    BOOST_TEST(a->extra_data.size() == 32u);
    BOOST_TEST(a->attested_name.size() == 34u);
    // Every truncation and a trailing byte are refused.
    for (const Bytes* b : {&pa, &pe, &ci}) {
        for (std::size_t n = 0; n < b->size(); ++n) {
            const ByteView cut(b->data(), n);
            const Errc e = b == &ci ? tpm::parse_attest(cut).code() : tpm::parse_public(cut).code();
            BOOST_TEST(e == Errc::att_tpm_structure);
        }
        Bytes longer = *b;
        longer.push_back(0);
        const Errc e = b == &ci ? tpm::parse_attest(longer).code() : tpm::parse_public(longer).code();
        BOOST_TEST(e == Errc::att_tpm_structure);
    }
    Bytes wrong_type = pa;
    wrong_type[1] = 0x25;
    BOOST_TEST(tpm::parse_public(wrong_type).code() == Errc::att_tpm_structure);
}

BOOST_AUTO_TEST_CASE(tpm_format) {
    BOOST_TEST(TpmCase{}.run() == Errc::ok);
    {   // ECC credential key
        TpmCase t;
        t.cred = Cred{gen_ec(), -7};
        t.pub_area = ecc_pub_area(t.cred.key.get());
        BOOST_TEST(t.run() == Errc::ok);
    }
    {   // RS1 only behind the policy switch
        TpmCase t;
        t.alg = -65535;
        BOOST_TEST(t.run() == Errc::att_sha1_rejected);
        auto p = policy_at();
        p.allow_rs1_tpm = true;
        BOOST_TEST(t.run(p) == Errc::ok);
    }
    {
        TpmCase t;
        t.extra = Bytes(32, 0);
        BOOST_TEST(t.run() == Errc::att_tpm_certinfo);
    }
    {
        TpmCase t;
        t.name = Bytes(34, 0);
        BOOST_TEST(t.run() == Errc::att_tpm_certinfo);
    }
    {
        TpmCase t;
        t.magic = 0xdeadbeef;
        BOOST_TEST(t.run() == Errc::att_tpm_certinfo);
    }
    {   // pubArea of another key
        TpmCase t;
        PkeyPtr other = gen_rsa();
        t.pub_area = rsa_pub_area(other.get());
        BOOST_TEST(t.run() == Errc::att_tpm_pubarea_mismatch);
    }
    {
        TpmCase t;
        t.pub_area = ecc_pub_area(gen_ec().get());
        BOOST_TEST(t.run() == Errc::att_tpm_pubarea_mismatch);
    }
    {
        TpmCase t;
        t.ver = "1.2";
        BOOST_TEST(t.run() == Errc::att_statement_invalid);
    }
    {   // AIK certificate requirements, one at a time
        TpmCase t;
        t.aik.subject = {{"CN", "not empty"}};
        BOOST_TEST(t.run() == Errc::att_tpm_aik_certificate);
        t.aik = aik_spec();
        t.aik.eku.clear();
        BOOST_TEST(t.run() == Errc::att_tpm_aik_certificate);
        t.aik = aik_spec();
        t.aik.ca = true;
        BOOST_TEST(t.run() == Errc::att_tpm_aik_certificate);
        t.aik = aik_spec();
        t.aik.san_dirname.erase(t.aik.san_dirname.begin());
        BOOST_TEST(t.run() == Errc::att_tpm_aik_certificate);
        t.aik = aik_spec();
        t.aik.san_dirname[0].second = "Infineon";
        BOOST_TEST(t.run() == Errc::att_tpm_aik_certificate);
        t.aik = aik_spec();
        t.aik.extensions[0].value = aaguid_ext(Bytes(16, 9));
        BOOST_TEST(t.run() == Errc::att_aaguid_mismatch);
    }
}

BOOST_AUTO_TEST_CASE(android_key_description_parse) {
    const Bytes kd = key_description(Bytes(32, 7), AuthList{std::vector<std::int64_t>{2, 3}, 0, false}, AuthList{});
    auto r = android::parse_key_description(kd);
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST(r->attestation_version == 3);
    BOOST_TEST(r->attestation_challenge.size() == 32u);
    BOOST_TEST_REQUIRE(r->software_enforced.purpose.has_value());
    BOOST_TEST(r->software_enforced.purpose->size() == 2u);
    BOOST_TEST(*r->software_enforced.origin == 0);
    BOOST_TEST(!r->tee_enforced.origin.has_value());
    for (std::size_t n = 0; n < kd.size(); ++n)
        BOOST_TEST(android::parse_key_description(ByteView(kd.data(), n)).code() == Errc::att_android_key_description);
    // A member twice.
    const Bytes dup = der_tlv(0x30, cat({der_explicit(702, der_int(0)), der_explicit(702, der_int(0))}));
    const Bytes kd2 = der_tlv(0x30, cat({der_int(3), der_tlv(0x0a, Bytes{1}), der_int(4), der_tlv(0x0a, Bytes{1}),
                                         der_tlv(0x04, Bytes(32, 7)), der_tlv(0x04, {}), dup, AuthList{}.encode()}));
    BOOST_TEST(android::parse_key_description(kd2).code() == Errc::att_android_key_description);
}

BOOST_AUTO_TEST_CASE(android_key_format) {
    BOOST_TEST(AndroidCase{}.run() == Errc::ok);
    {
        AndroidCase a;
        a.challenge = Bytes(32, 0);
        BOOST_TEST(a.run() == Errc::att_android_challenge);
    }
    {
        AndroidCase a;
        a.sw.all_applications = true;
        BOOST_TEST(a.run() == Errc::att_android_authorization);
    }
    {
        AndroidCase a;
        a.tee.origin = 2;  // KM_ORIGIN_IMPORTED
        BOOST_TEST(a.run() == Errc::att_android_authorization);
    }
    {
        AndroidCase a;
        a.tee.purpose = std::vector<std::int64_t>{3};  // VERIFY only
        BOOST_TEST(a.run() == Errc::att_android_authorization);
    }
    {   // A software-backed key: accepted from the union, refused when the policy wants the TEE.
        AndroidCase a;
        a.tee = AuthList{};
        a.sw = AuthList{std::vector<std::int64_t>{2}, 0, false};
        BOOST_TEST(a.run() == Errc::ok);
        auto p = policy_at();
        p.android_key_require_tee = true;
        BOOST_TEST(a.run(p) == Errc::att_android_authorization);
    }
    {
        AndroidCase a;
        a.include_extension = false;
        BOOST_TEST(a.run() == Errc::att_android_key_description);
    }
    {
        AndroidCase a;
        a.other_leaf_key = true;
        BOOST_TEST(a.run() == Errc::att_public_key_mismatch);
    }
}

BOOST_AUTO_TEST_CASE(android_safetynet_format) {
    BOOST_TEST(SafetyNetCase{}.run() == Errc::ok);
    {
        SafetyNetCase s;
        s.nonce = base64_encode(Bytes(32, 0));
        BOOST_TEST(s.run() == Errc::att_safetynet_nonce);
    }
    {
        SafetyNetCase s;
        s.cts = false;
        BOOST_TEST(s.run() == Errc::att_safetynet_cts_profile);
        auto p = policy_at();
        p.safetynet_require_cts_profile_match = false;
        BOOST_TEST(s.run(p) == Errc::ok);
        s.cts = "true";
        BOOST_TEST(s.run(p) == Errc::att_safetynet_jws);
    }
    {
        SafetyNetCase s;
        s.timestamp_ms = (kNow - 61) * 1000;
        BOOST_TEST(s.run() == Errc::att_safetynet_timestamp);
        s.timestamp_ms = (kNow + 31) * 1000;
        BOOST_TEST(s.run() == Errc::att_safetynet_timestamp);
    }
    {
        SafetyNetCase s;
        s.host = "attest.example.com";
        BOOST_TEST(s.run() == Errc::att_safetynet_certificate);
    }
    {
        SafetyNetCase s;
        s.corrupt = true;
        BOOST_TEST(s.run() == Errc::att_signature_invalid);
    }
    {
        SafetyNetCase s;
        s.alg = "none";
        BOOST_TEST(s.run() == Errc::att_safetynet_jws);
    }
    // Malformed responses.
    Cred cred = ec_cred();
    for (const std::string& text : {std::string("a.b"), std::string("a.b.c.d"), std::string("!!.e30.AA"),
                                    std::string("e30.e30.AA"), base64url_encode(as_bytes("[1]")) + ".e30.AA"}) {
        const Bytes response(text.begin(), text.end());
        att::Statement st;
        st.ver = "1";
        st.response = ByteView(response);
        BOOST_TEST(att::verify_android_safetynet(st, cred.subject(), policy_at()).code() == Errc::att_safetynet_jws);
    }
    att::Statement missing;
    missing.ver = "1";
    BOOST_TEST(att::verify_android_safetynet(missing, cred.subject(), policy_at()).code() == Errc::att_statement_invalid);
}

BOOST_AUTO_TEST_CASE(apple_format) {
    Pki pki{"Apple WebAuthn Test Root"};
    Cred cred = ec_cred();
    auto run = [&](const Bytes& nonce, EVP_PKEY* leaf_key, bool with_ext = true) {
        CertSpec s;
        s.subject = {{"CN", "credential"}};
        if (with_ext) s.extensions = {{"1.2.840.113635.100.8.2", false, apple_nonce_ext(nonce)}};
        const std::vector<Bytes> x5c = {der_of(pki.issue(s, leaf_key).get()), der_of(pki.root.get())};
        auto out = att::verify_apple(stmt(std::nullopt, nullptr, &x5c), cred.subject(), policy_at());
        if (out.ok()) BOOST_TEST(out->type == AttestationType::anonca);
        return out.code();
    };
    const Bytes nonce = att::digest(EVP_sha256(), cred.to_sign());
    BOOST_TEST(run(nonce, cred.key.get()) == Errc::ok);
    BOOST_TEST(run(Bytes(32, 0), cred.key.get()) == Errc::att_apple_nonce);
    BOOST_TEST(run(nonce, cred.key.get(), false) == Errc::att_apple_nonce);
    PkeyPtr other = gen_ec();
    BOOST_TEST(run(nonce, other.get()) == Errc::att_public_key_mismatch);
    BOOST_TEST(att::verify_apple(stmt(std::nullopt, nullptr, nullptr), cred.subject(), policy_at()).code() == Errc::att_statement_invalid);
}

BOOST_AUTO_TEST_SUITE_END()

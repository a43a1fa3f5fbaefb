// WebAuthn attestation: every format's procedure with statements generated here (OpenSSL keys and
// certificates), each requirement broken one at a time; the parsers (DER, TPM, Android key
// description, JWS); trust paths; the MDS3 BLOB; and the registration cases of the shared
// conformance corpus (attestation_conformance_test.cpp).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "../lib/webauthn/der.hpp"
#include "../lib/webauthn/formats.hpp"
#include "../lib/webauthn/jws.hpp"
#include "../lib/webauthn/key_description.hpp"
#include "../lib/webauthn/tpm.hpp"
#include "attestation_support.hpp"
#include "mfa/webauthn/attestation.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::test;
using att::Statement;
using att::Subject;
using webauthn::AttestationPolicy;
using webauthn::AttestationType;

BOOST_AUTO_TEST_SUITE(attestation)

// ---- DER ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(der_reader_is_strict) {
    der::Tlv t;
    {
        const Bytes b = {0xbf, 0x85, 0x3e, 0x02, 0x05, 0x00};  // [702] constructed, high tag form
        Reader r(b);
        BOOST_TEST(der::read_tlv(r, t));
        BOOST_TEST(t.tag == 702u);
        BOOST_TEST(t.constructed);
        BOOST_TEST(r.empty());
    }
    for (const Bytes& bad : {Bytes{0x04, 0x81, 0x01, 0x00},      // long form for a short length
                             Bytes{0x04, 0x80, 0x00, 0x00},      // indefinite length
                             Bytes{0x04, 0x82, 0x00, 0x90},      // leading zero length byte
                             Bytes{0x1f, 0x05, 0x00},            // high tag form for a low tag
                             Bytes{0x1f, 0x80, 0x81, 0x00},      // high tag with a leading 0x80
                             Bytes{0x04, 0x05, 0x00},            // truncated
                             Bytes{0x04}}) {
        Reader r(bad);
        BOOST_TEST(!der::read_tlv(r, t));
        BOOST_TEST(r.position() == 0u);
    }
    std::int64_t v = 0;
    BOOST_TEST(der::parse_int64(Bytes{0xff}, v));
    BOOST_TEST(v == -1);
    BOOST_TEST(der::parse_int64(Bytes{0x00, 0x80}, v));
    BOOST_TEST(v == 128);
    BOOST_TEST(!der::parse_int64(Bytes{0x00, 0x01}, v));  // not minimal
    BOOST_TEST(!der::parse_int64(Bytes{}, v));
}

// ---- packed ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(packed_x5c_valid_and_trusted) {
    Pki pki;
    Cred cred = ec_cred();
    PkeyPtr att_key = gen_ec();
    X509Ptr leaf = pki.issue(packed_leaf_spec(), att_key.get());
    const Bytes sig = sign(att_key.get(), EVP_sha256(), cred.to_sign());
    const std::vector<Bytes> x5c = {der_of(leaf.get())};
    auto out = att::verify_packed(stmt(-7, &sig, &x5c), cred.subject(), policy_at());
    BOOST_TEST_REQUIRE(out.ok(), why(out));
    BOOST_TEST(out->type == AttestationType::basic);
    BOOST_TEST(out->path.size() == 1u);

    auto path = att::validate_path(out->path, {der_of(pki.root.get())}, kNow, false);
    BOOST_TEST_REQUIRE(path.ok());
    BOOST_TEST(path->trusted);
    BOOST_TEST(path->anchor.find("Test Attestation Root") != std::string::npos);

    // Another root: no path, untrusted but not an error.
    Pki other("Other Root");
    path = att::validate_path(out->path, {der_of(other.root.get())}, kNow, false);
    BOOST_TEST_REQUIRE(path.ok(), why(path));
    BOOST_TEST(!path->trusted);
    BOOST_TEST(!path->detail.empty());
    // No anchors at all.
    path = att::validate_path(out->path, {}, kNow, false);
    BOOST_TEST_REQUIRE(path.ok());
    BOOST_TEST(!path->trusted);
}

BOOST_AUTO_TEST_CASE(packed_x5c_negatives) {
    Pki pki;
    Cred cred = ec_cred();
    PkeyPtr att_key = gen_ec();
    auto run = [&](const CertSpec& spec, bool corrupt_sig = false, std::int64_t alg = -7) {
        X509Ptr leaf = pki.issue(spec, att_key.get());
        Bytes sig = sign(att_key.get(), EVP_sha256(), cred.to_sign());
        if (corrupt_sig) sig[sig.size() / 2] ^= 0x01;
        const std::vector<Bytes> x5c = {der_of(leaf.get())};
        return att::verify_packed(stmt(alg, &sig, &x5c), cred.subject(), policy_at()).code();
    };
    BOOST_TEST(run(packed_leaf_spec()) == Errc::ok);
    BOOST_TEST(run(packed_leaf_spec(), true) == Errc::att_signature_invalid);
    BOOST_TEST(run(packed_leaf_spec(), false, -35) == Errc::att_algorithm);  // ES384 with a P-256 key
    BOOST_TEST(run(packed_leaf_spec(), false, -65535) == Errc::att_sha1_rejected);

    CertSpec s = packed_leaf_spec();
    s.extensions[0].value = aaguid_ext(Bytes(16, 0xee));
    BOOST_TEST(run(s) == Errc::att_aaguid_mismatch);
    s = packed_leaf_spec();
    s.extensions[0].critical = true;
    BOOST_TEST(run(s) == Errc::att_certificate_invalid);
    s = packed_leaf_spec();
    s.extensions[0].value = der_tlv(0x04, Bytes(15, 1));
    BOOST_TEST(run(s) == Errc::att_certificate_invalid);
    s = packed_leaf_spec();
    s.extensions.clear();  // the AAGUID extension is optional
    BOOST_TEST(run(s) == Errc::ok);
    s = packed_leaf_spec();
    s.subject[2].second = "Something Else";
    BOOST_TEST(run(s) == Errc::att_certificate_invalid);
    s = packed_leaf_spec();
    s.subject[0].second = "USA";
    BOOST_TEST(run(s) == Errc::att_certificate_invalid);
    s = packed_leaf_spec();
    s.subject.pop_back();  // no CN
    BOOST_TEST(run(s) == Errc::att_certificate_invalid);
    s = packed_leaf_spec();
    s.ca = true;
    BOOST_TEST(run(s) == Errc::att_certificate_invalid);
    s = packed_leaf_spec();
    s.version = X509_VERSION_1;
    s.extensions.clear();
    s.ca.reset();
    BOOST_TEST(run(s) == Errc::att_certificate_invalid);

    // Missing members.
    const Bytes sig = sign(att_key.get(), EVP_sha256(), cred.to_sign());
    BOOST_TEST(att::verify_packed(stmt(std::nullopt, &sig, nullptr), cred.subject(), policy_at()).code() == Errc::att_statement_invalid);
    BOOST_TEST(att::verify_packed(stmt(-7, nullptr, nullptr), cred.subject(), policy_at()).code() == Errc::att_statement_invalid);
    Statement ecdaa = stmt(-7, &sig, nullptr);
    ecdaa.ecdaa_key_id = true;
    BOOST_TEST(att::verify_packed(ecdaa, cred.subject(), policy_at()).code() == Errc::att_statement_invalid);
    const std::vector<Bytes> garbage = {Bytes{0x30, 0x03, 0x02, 0x01, 0x01}};
    BOOST_TEST(att::verify_packed(stmt(-7, &sig, &garbage), cred.subject(), policy_at()).code() == Errc::att_certificate_invalid);
}

BOOST_AUTO_TEST_CASE(packed_self_attestation) {
    Cred cred = ec_cred();
    Bytes sig = sign(cred.key.get(), EVP_sha256(), cred.to_sign());
    auto out = att::verify_packed(stmt(-7, &sig, nullptr), cred.subject(), policy_at());
    BOOST_TEST_REQUIRE(out.ok(), why(out));
    BOOST_TEST(out->type == AttestationType::self);
    BOOST_TEST(out->path.empty());
    BOOST_TEST(att::verify_packed(stmt(-257, &sig, nullptr), cred.subject(), policy_at()).code() == Errc::att_algorithm);
    sig.back() ^= 0x40;
    BOOST_TEST(att::verify_packed(stmt(-7, &sig, nullptr), cred.subject(), policy_at()).code() == Errc::att_signature_invalid);

    // EdDSA and RSA-PSS self attestation (salt length = hash length).
    Cred ed{gen_ed25519(), -8};
    const Bytes ed_sig = sign(ed.key.get(), nullptr, ed.to_sign());
    BOOST_TEST(att::verify_packed(stmt(-8, &ed_sig, nullptr), ed.subject(), policy_at()).code() == Errc::ok);
    Cred ps{gen_rsa(), -37};
    const Bytes ps_sig = sign(ps.key.get(), EVP_sha256(), ps.to_sign(), true);
    BOOST_TEST(att::verify_packed(stmt(-37, &ps_sig, nullptr), ps.subject(), policy_at()).code() == Errc::ok);
}

BOOST_AUTO_TEST_CASE(trust_path_time_and_sha1_policy) {
    Pki pki;
    PkeyPtr key = gen_ec();
    CertSpec s = packed_leaf_spec();
    s.not_after = kNow - 10;  // expired at the verification time
    std::vector<X509Ptr> path;
    path.push_back(pki.issue(s, key.get()));
    auto r = att::validate_path(path, {der_of(pki.root.get())}, kNow, false);
    BOOST_TEST(r.code() == Errc::att_certificate_invalid);
    // ... but valid at an earlier verification time.
    r = att::validate_path(path, {der_of(pki.root.get())}, kNow - 100, false);
    BOOST_TEST_REQUIRE(r.ok());
    BOOST_TEST(r->trusted);
    BOOST_TEST(att::check_validity(path[0].get(), kNow, "leaf").code() == Errc::att_certificate_invalid);

    s = packed_leaf_spec();
    s.md = EVP_sha1();
    path.clear();
    path.push_back(pki.issue(s, key.get()));
    r = att::validate_path(path, {der_of(pki.root.get())}, kNow, false);
    BOOST_TEST_REQUIRE(r.ok());
    BOOST_TEST(r->trusted);
    BOOST_TEST(att::validate_path(path, {der_of(pki.root.get())}, kNow, true).code() == Errc::att_sha1_rejected);

    // An intermediate configured as the anchor ends the path (partial chain).
    PkeyPtr ik = gen_ec();
    CertSpec is;
    is.subject = {{"CN", "Intermediate"}};
    is.ca = true;
    X509Ptr inter = pki.issue(is, ik.get());
    std::vector<X509Ptr> chain;
    chain.push_back(make_cert(packed_leaf_spec(), key.get(), inter.get(), ik.get()));
    chain.push_back(X509Ptr(X509_dup(inter.get())));
    r = att::validate_path(chain, {der_of(inter.get())}, kNow, false);
    BOOST_TEST_REQUIRE(r.ok());
    BOOST_TEST(r->trusted);
    BOOST_TEST(r->anchor == "CN=Intermediate");
    // A leaf signed by the wrong key under the right name is invalid, not merely untrusted.
    PkeyPtr wrong = gen_ec();
    std::vector<X509Ptr> forged;
    forged.push_back(make_cert(packed_leaf_spec(), key.get(), pki.root.get(), wrong.get()));
    BOOST_TEST(att::validate_path(forged, {der_of(pki.root.get())}, kNow, false).code() == Errc::att_certificate_invalid);
}

// ---- fido-u2f ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(fido_u2f) {
    Pki pki;
    Cred cred = ec_cred();
    PkeyPtr att_key = gen_ec();
    CertSpec s;
    s.subject = {{"CN", "U2F Device"}};
    X509Ptr leaf = pki.issue(s, att_key.get());
    auto ec = att::ec_components(cred.key.get());
    BOOST_TEST_REQUIRE(ec.has_value());
    const Bytes vdata = cat({Bytes{0x00}, cred.rp_id_hash, cred.cdh, cred.cred_id, Bytes{0x04}, ec->x, ec->y});
    Bytes sig = sign(att_key.get(), EVP_sha256(), vdata);
    std::vector<Bytes> x5c = {der_of(leaf.get())};
    auto out = att::verify_fido_u2f(stmt(std::nullopt, &sig, &x5c), cred.subject(), policy_at());
    BOOST_TEST_REQUIRE(out.ok(), why(out));
    BOOST_TEST(out->type == AttestationType::basic);

    Bytes bad = sig;
    bad[10] ^= 1;
    BOOST_TEST(att::verify_fido_u2f(stmt(std::nullopt, &bad, &x5c), cred.subject(), policy_at()).code() == Errc::att_signature_invalid);
    std::vector<Bytes> two = {x5c[0], der_of(pki.root.get())};
    BOOST_TEST(att::verify_fido_u2f(stmt(std::nullopt, &sig, &two), cred.subject(), policy_at()).code() == Errc::att_statement_invalid);
    BOOST_TEST(att::verify_fido_u2f(stmt(std::nullopt, &sig, nullptr), cred.subject(), policy_at()).code() == Errc::att_statement_invalid);
    PkeyPtr p384 = gen_ec("P-384");
    std::vector<Bytes> x384 = {der_of(pki.issue(s, p384.get()).get())};
    BOOST_TEST(att::verify_fido_u2f(stmt(std::nullopt, &sig, &x384), cred.subject(), policy_at()).code() == Errc::att_certificate_invalid);
    Cred rsa{gen_rsa(), -257};
    BOOST_TEST(att::verify_fido_u2f(stmt(std::nullopt, &sig, &x5c), rsa.subject(), policy_at()).code() == Errc::att_algorithm);
}

// ---- none --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(none_format) {
    Cred cred = ec_cred();
    BOOST_TEST(att::verify_none(Statement{}, cred.subject(), policy_at()).code() == Errc::ok);
    Statement st;
    st.member_count = 1;
    BOOST_TEST(att::verify_none(st, cred.subject(), policy_at()).code() == Errc::att_statement_invalid);
}

BOOST_AUTO_TEST_SUITE_END()

// The FIDO MDS3 BLOB, TrustAnchors, and verify_attestation end to end (CBOR statement, parsed
// authenticator data, anchors from PEM, a directory and MDS).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <openssl/ecdsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "attestation_support.hpp"
#include "mfa/cose.hpp"
#include "mfa/random.hpp"
#include "mfa/webauthn/attestation.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::test;
using webauthn::AttestationType;

namespace {

// Signs a JWT with an EC P-256 key (ES256: raw r || s, RFC 7518 §3.4).
std::string sign_jwt(const nlohmann::json& header, std::string_view payload, EVP_PKEY* key) {
    const std::string input = base64url_encode(as_bytes(header.dump())) + "." + base64url_encode(as_bytes(payload));
    const Bytes der = sign(key, EVP_sha256(), as_bytes(input));
    const unsigned char* p = der.data();
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    Bytes raw(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw.data() + 32, 32);
    ECDSA_SIG_free(es);
    return input + "." + base64url_encode(raw);
}

const char* kAaguidText = "01020304-0506-0708-090a-0b0c0d0e0f10";

struct Mds {
    Pki root{"FIDO MDS Test Root"};
    PkeyPtr signer_key = gen_ec();
    X509Ptr signer;
    Pki vendor{"Vendor Attestation Root"};
    std::vector<std::string> statuses = {"FIDO_CERTIFIED_L1"};
    std::string next_update = "2030-01-01";
    std::vector<nlohmann::json> more_entries;

    Mds() {
        CertSpec s;
        s.subject = {{"CN", "mds.test"}};
        signer = root.issue(s, signer_key.get());
    }
    nlohmann::json payload() const {
        nlohmann::json reports = nlohmann::json::array();
        for (const auto& st : statuses) reports.push_back({{"status", st}, {"effectiveDate", "2022-01-01"}});
        nlohmann::json p = {{"legalHeader", "test"},
                            {"no", 42},
                            {"nextUpdate", next_update},
                            {"entries",
                             {{{"aaguid", kAaguidText},
                               {"metadataStatement",
                                {{"description", "mfakit Test Key"},
                                 {"attestationRootCertificates", {base64_encode(der_of(vendor.root.get()))}}}},
                               {"statusReports", reports},
                               {"timeOfLastStatusChange", "2022-01-01"}},
                              {{"attestationCertificateKeyIdentifiers", {"ABCDEF0123456789abcdef0123456789abcdef01"}},
                               {"metadataStatement", {{"description", "U2F key"}}},
                               {"statusReports", {{{"status", "NOT_FIDO_CERTIFIED"}}}}}}}};
        for (const auto& e : more_entries) p["entries"].push_back(e);
        return p;
    }
    std::string blob() const { return blob_of(payload().dump()); }
    std::string blob_of(std::string_view payload_text) const {
        return sign_jwt({{"alg", "ES256"}, {"typ", "JWT"}, {"x5c", {base64_encode(der_of(signer.get()))}}}, payload_text,
                        signer_key.get());
    }
    std::string root_pem() const { return pem_of(root.root.get()); }
};

// A registration made here: authenticator data with an ES256 credential and the given AAGUID, and
// a statement (packed, or fido-u2f) signed by an attestation key certified by `issuer`. A packed
// certificate carries the AAGUID extension (kAaguid) unless told otherwise.
struct Registration {
    std::string fmt;
    PkeyPtr cred_key = gen_ec();
    PkeyPtr att_key = gen_ec();
    X509Ptr leaf;
    Bytes raw_auth_data;
    webauthn::AuthenticatorData auth_data;
    Bytes cdh = Bytes(32, 0x42);
    cbor::Value statement;

    explicit Registration(const Pki& issuer, std::string format = "packed", const Bytes& aaguid = kAaguid,
                          bool aaguid_extension = true)
        : fmt(std::move(format)) {
        auto cose_key = cose::encode_key(cred_key.get(), cose::Alg::ES256);
        BOOST_TEST_REQUIRE(cose_key.ok(), why(cose_key));
        const Bytes rp_id_hash(32, 0x11), cred_id(16, 0x77);
        raw_auth_data = cat({rp_id_hash, Bytes{0x45}, Bytes{0, 0, 0, 1}, aaguid, Bytes{0x00, 0x10}, cred_id, *cose_key});
        auto ad = webauthn::parse_authenticator_data(raw_auth_data);
        BOOST_TEST_REQUIRE(ad.ok(), why(ad));
        auth_data = std::move(*ad);
        CertSpec spec = packed_leaf_spec();
        if (fmt == "fido-u2f" || !aaguid_extension) spec.extensions.clear();
        leaf = issuer.issue(spec, att_key.get());
        const cbor::Array x5c{cbor::Value(der_of(leaf.get()))};
        if (fmt == "fido-u2f") {
            // verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || 0x04 || x || y
            auto ec = att::ec_components(cred_key.get());
            BOOST_TEST_REQUIRE(ec.has_value());
            const Bytes sig = sign(att_key.get(), EVP_sha256(), cat({Bytes{0x00}, rp_id_hash, cdh, cred_id, Bytes{0x04}, ec->x, ec->y}));
            statement = cbor::Value(cbor::Map{{"sig", sig}, {"x5c", x5c}});
        } else {
            const Bytes sig = sign(att_key.get(), EVP_sha256(), cat({raw_auth_data, cdh}));
            statement = cbor::Value(cbor::Map{{"alg", -7}, {"sig", sig}, {"x5c", x5c}});
        }
    }
    // What MDS lists the attestation key under: lower-case hex SHA-1 of the certificate's
    // subjectPublicKey bits (FIDO Metadata Statement, attestationCertificateKeyIdentifiers).
    std::string key_identifier() const {
        const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(leaf.get());
        unsigned char md[SHA_DIGEST_LENGTH];
        SHA1(bits->data, static_cast<std::size_t>(bits->length), md);
        return hex_encode(ByteView(md, sizeof md));
    }
    Result<webauthn::AttestationResult> verify(const webauthn::TrustAnchors& anchors,
                                               const webauthn::AttestationPolicy& policy = policy_at()) const {
        return webauthn::verify_attestation(fmt, statement, auth_data, raw_auth_data, cdh, anchors, policy);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(attestation)

BOOST_AUTO_TEST_CASE(mds_blob_parse_and_verify) {
    Mds mds;
    auto blob = webauthn::parse_mds_blob(mds.blob(), mds.root_pem(), kNow);
    BOOST_TEST_REQUIRE(blob.ok(), why(blob));
    BOOST_TEST(blob->no == 42);
    BOOST_TEST(blob->next_update == "2030-01-01");
    BOOST_TEST(blob->entries.size() == 2u);
    const auto* e = blob->find_by_aaguid(kAaguid);
    BOOST_TEST_REQUIRE(e != nullptr);
    BOOST_TEST(e->description == "mfakit Test Key");
    BOOST_TEST(e->attestation_root_certificates.size() == 1u);
    BOOST_TEST(!e->compromised());
    BOOST_TEST(e->metadata_statement_json.find("mfakit Test Key") != std::string::npos);
    const auto* u2f = blob->find_by_key_identifier("abcdef0123456789abcdef0123456789abcdef01");
    BOOST_TEST_REQUIRE(u2f != nullptr);  // identifiers are compared in lower case
    BOOST_TEST(blob->find_by_aaguid(Bytes(16, 0)) == nullptr);

    // Trailing newline from a download is fine.
    BOOST_TEST(webauthn::parse_mds_blob(mds.blob() + "\n", mds.root_pem(), kNow).ok());
    // Wrong root.
    Pki other{"Some Other Root"};
    BOOST_TEST(webauthn::parse_mds_blob(mds.blob(), pem_of(other.root.get()), kNow).code() == Errc::mds_untrusted);
    BOOST_TEST(webauthn::parse_mds_blob(mds.blob(), "not a pem", kNow).code() == Errc::invalid_argument);
    // Signer certificate expired at the verification time.
    BOOST_TEST(webauthn::parse_mds_blob(mds.blob(), mds.root_pem(), 2'100'000'000).code() == Errc::mds_untrusted);
    // Tampered payload.
    std::string jwt = mds.blob();
    const auto d1 = jwt.find('.'), d2 = jwt.find('.', d1 + 1);
    nlohmann::json forged = mds.payload();
    forged["no"] = 43;
    jwt = jwt.substr(0, d1 + 1) + base64url_encode(as_bytes(forged.dump())) + jwt.substr(d2);
    BOOST_TEST(webauthn::parse_mds_blob(jwt, mds.root_pem(), kNow).code() == Errc::mds_signature_invalid);
    // Past nextUpdate.
    mds.next_update = "2023-11-13";
    BOOST_TEST(webauthn::parse_mds_blob(mds.blob(), mds.root_pem(), kNow).code() == Errc::mds_blob_expired);
    mds.next_update = "soon";
    BOOST_TEST(webauthn::parse_mds_blob(mds.blob(), mds.root_pem(), kNow).code() == Errc::mds_blob_invalid);
    // Malformed.
    for (const std::string& bad : {std::string(), std::string("a.b.c"), std::string("e30.e30.AA")})
        BOOST_TEST(webauthn::parse_mds_blob(bad, mds.root_pem(), kNow).code() == Errc::mds_blob_invalid);
}

// A signed payload with a member twice is refused, not read with the last one winning (issue 10,
// defect 12): a second "no", or a status report whose second "status" hides a revocation.
BOOST_AUTO_TEST_CASE(mds_blob_duplicate_members_refused) {
    Mds mds;
    mds.next_update = "2030-01-01";
    const std::string text = mds.payload().dump();
    auto dup_no = webauthn::parse_mds_blob(mds.blob_of("{\"no\":41," + text.substr(1)), mds.root_pem(), kNow);
    BOOST_TEST(dup_no.code() == Errc::mds_blob_invalid);
    BOOST_TEST(why(dup_no).find("duplicate member \"no\"") != std::string::npos, why(dup_no));
    std::string hidden = text;
    const std::string certified = R"({"effectiveDate":"2022-01-01","status":"FIDO_CERTIFIED_L1"})";
    const auto at = hidden.find(certified);
    BOOST_TEST_REQUIRE(at != std::string::npos);
    hidden.replace(at, certified.size(), R"({"effectiveDate":"2022-01-01","status":"REVOKED","status":"FIDO_CERTIFIED_L1"})");
    auto revoked = webauthn::parse_mds_blob(mds.blob_of(hidden), mds.root_pem(), kNow);
    BOOST_TEST(revoked.code() == Errc::mds_blob_invalid);
    BOOST_TEST(why(revoked).find("/entries/0/statusReports/0/status") != std::string::npos, why(revoked));
    BOOST_TEST(webauthn::parse_mds_blob(mds.blob_of(text), mds.root_pem(), kNow).ok());
}

BOOST_AUTO_TEST_CASE(mds_entry_errors) {
    Mds mds;
    auto with = [&](const nlohmann::json& entry) {
        nlohmann::json p = mds.payload();
        p["entries"] = nlohmann::json::array({entry});  // not {entry}: clang copies a one-element list
        return webauthn::parse_mds_blob(sign_jwt({{"alg", "ES256"}, {"x5c", {base64_encode(der_of(mds.signer.get()))}}}, p.dump(),
                                                 mds.signer_key.get()),
                                        mds.root_pem(), kNow)
            .code();
    };
    BOOST_TEST(with({{"aaguid", "not-a-uuid"}}) == Errc::mds_blob_invalid);
    BOOST_TEST(with({{"aaguid", kAaguidText}, {"statusReports", {{{"status", 3}}}}}) == Errc::mds_blob_invalid);
    BOOST_TEST(with({{"aaguid", kAaguidText}, {"metadataStatement", {{"attestationRootCertificates", {"%%"}}}}}) == Errc::mds_blob_invalid);
    BOOST_TEST(with({{"description", "names nothing"}}) == Errc::mds_blob_invalid);
    BOOST_TEST(with({{"aaguid", kAaguidText}}) == Errc::ok);
}

BOOST_AUTO_TEST_CASE(verify_attestation_trust_sources) {
    Mds mds;
    Registration reg(mds.vendor);

    // No anchors: verified, untrusted; require_trusted turns that into att_untrusted.
    webauthn::TrustAnchors none;
    auto r = reg.verify(none);
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST(r->type == AttestationType::basic);
    BOOST_TEST(!r->trusted);
    BOOST_TEST(r->trust_path.size() == 1u);
    BOOST_TEST(!r->metadata.has_value());
    auto strict = policy_at();
    strict.require_trusted = true;
    BOOST_TEST(reg.verify(none, strict).code() == Errc::att_untrusted);

    // A PEM root for the format; a root for another format does not count.
    webauthn::TrustAnchors pem;
    BOOST_TEST_REQUIRE(pem.add_pem("tpm", pem_of(mds.vendor.root.get())).ok());
    BOOST_TEST(!reg.verify(pem)->trusted);
    BOOST_TEST_REQUIRE(pem.add_pem("packed", pem_of(mds.vendor.root.get())).ok());
    r = reg.verify(pem, strict);
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST(r->trusted);
    BOOST_TEST(r->trust_anchor == "O=mfakit tests,CN=Vendor Attestation Root");

    // The MDS entry's attestation roots.
    webauthn::TrustAnchors with_mds;
    BOOST_TEST_REQUIRE(with_mds.load_mds_blob(mds.blob(), mds.root_pem(), kNow).ok());
    r = reg.verify(with_mds, strict);
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST(r->trusted);
    BOOST_TEST_REQUIRE(r->metadata.has_value());
    BOOST_TEST(r->metadata->description == "mfakit Test Key");

    // A revoked authenticator fails; with the switch off it is reported untrusted.
    mds.statuses = {"FIDO_CERTIFIED_L1", "REVOKED"};
    webauthn::TrustAnchors revoked;
    BOOST_TEST_REQUIRE(revoked.load_mds_blob(mds.blob(), mds.root_pem(), kNow).ok());
    BOOST_TEST(reg.verify(revoked).code() == Errc::mds_authenticator_revoked);
    auto lenient = policy_at();
    lenient.reject_mds_compromised = false;
    r = reg.verify(revoked, lenient);
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST(!r->trusted);
    BOOST_TEST(r->trust_detail.find("REVOKED") != std::string::npos);
    mds.statuses = {"ATTESTATION_KEY_COMPROMISE"};
    BOOST_TEST_REQUIRE(revoked.load_mds_blob(mds.blob(), mds.root_pem(), kNow).ok());
    BOOST_TEST(reg.verify(revoked).code() == Errc::mds_authenticator_revoked);

    // Expired leaf at the verification time.
    BOOST_TEST(reg.verify(pem, policy_at(2'050'000'000)).code() == Errc::att_certificate_invalid);
}

// The MDS status of an attestation key cannot be dodged by choosing the AAGUID: fido-u2f does not
// sign it, and a packed certificate without the AAGUID extension does not bind it, so each
// registration below names the clean FIDO_CERTIFIED entry (or an AAGUID MDS does not know) while its
// attestation key is listed, by key identifier, as revoked or compromised.
BOOST_AUTO_TEST_CASE(mds_status_of_the_attestation_key) {
    Mds mds;
    struct Case {
        const char* fmt;
        Bytes aaguid;
        bool aaguid_extension;
    };
    const std::vector<Case> cases = {
        {"fido-u2f", kAaguid, false},
        {"fido-u2f", Bytes(16, 0xa5), false},
        {"packed", kAaguid, false},
        {"packed", Bytes(16, 0xa5), false},
        {"packed", kAaguid, true},   // the AAGUID certified, the key revoked: the key's status counts too
    };
    for (const auto& c : cases) {
        Registration reg(mds.vendor, c.fmt, c.aaguid, c.aaguid_extension);
        for (const char* status : {"REVOKED", "ATTESTATION_KEY_COMPROMISE"}) {
            BOOST_TEST_CONTEXT(c.fmt << ", AAGUID " << hex_encode(c.aaguid) << ", extension " << c.aaguid_extension << ", " << status) {
                mds.more_entries = {{{"attestationCertificateKeyIdentifiers", {reg.key_identifier()}},
                                     {"metadataStatement", {{"description", "revoked batch"}}},
                                     {"statusReports", {{{"status", status}}}}}};
                webauthn::TrustAnchors anchors;
                BOOST_TEST_REQUIRE(anchors.load_mds_blob(mds.blob(), mds.root_pem(), kNow).ok());
                auto r = reg.verify(anchors);
                BOOST_TEST(r.code() == Errc::mds_authenticator_revoked, why(r));
                BOOST_TEST(why(r).find(status) != std::string::npos, why(r));
                auto lenient = policy_at();
                lenient.reject_mds_compromised = false;
                r = reg.verify(anchors, lenient);
                BOOST_TEST_REQUIRE(r.ok(), why(r));
                BOOST_TEST(!r->trusted);
                BOOST_TEST(r->trust_detail.find(status) != std::string::npos, r->trust_detail);
            }
        }
    }

    // A fido-u2f key listed in good standing is found by its key identifier whatever the AAGUID says,
    // and its entry's roots make it trusted.
    Registration u2f(mds.vendor, "fido-u2f", Bytes(16, 0xa5));
    mds.more_entries = {{{"attestationCertificateKeyIdentifiers", {u2f.key_identifier()}},
                         {"metadataStatement",
                          {{"description", "U2F batch"}, {"attestationRootCertificates", {base64_encode(der_of(mds.vendor.root.get()))}}}},
                         {"statusReports", {{{"status", "FIDO_CERTIFIED"}}}}}};
    webauthn::TrustAnchors anchors;
    BOOST_TEST_REQUIRE(anchors.load_mds_blob(mds.blob(), mds.root_pem(), kNow).ok());
    auto r = u2f.verify(anchors);
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST(r->trusted);
    BOOST_TEST_REQUIRE(r->metadata.has_value());
    BOOST_TEST(r->metadata->description == "U2F batch");
    // Named by a clean entry's AAGUID only, a fido-u2f key gets nothing from that entry: no roots.
    Registration unlisted(mds.vendor, "fido-u2f", kAaguid);
    r = unlisted.verify(anchors);
    BOOST_TEST_REQUIRE(r.ok(), why(r));
    BOOST_TEST(!r->trusted);
    BOOST_TEST(!r->metadata.has_value());
}

BOOST_AUTO_TEST_CASE(verify_attestation_statement_errors) {
    Pki pki;
    Registration reg(pki);
    webauthn::TrustAnchors anchors;
    auto run = [&](std::string_view fmt, const cbor::Value& st) {
        return webauthn::verify_attestation(fmt, st, reg.auth_data, reg.raw_auth_data, reg.cdh, anchors, policy_at()).code();
    };
    BOOST_TEST(run("packed", reg.statement) == Errc::ok);
    BOOST_TEST(run("fido-u3f", reg.statement) == Errc::att_format_unsupported);
    BOOST_TEST(run("none", reg.statement) == Errc::att_statement_invalid);
    BOOST_TEST(run("none", cbor::Value(cbor::Map{})) == Errc::ok);
    BOOST_TEST(run("packed", cbor::Value(cbor::Array{})) == Errc::att_statement_invalid);
    BOOST_TEST(run("packed", cbor::Value(cbor::Map{{"alg", "ES256"}, {"sig", Bytes(8)}})) == Errc::att_statement_invalid);
    BOOST_TEST(run("packed", cbor::Value(cbor::Map{{"alg", -7}, {"sig", "text"}})) == Errc::att_statement_invalid);
    BOOST_TEST(run("packed", cbor::Value(cbor::Map{{"alg", -7}, {"sig", Bytes(8)}, {"x5c", Bytes(3)}})) == Errc::att_statement_invalid);
    BOOST_TEST(run("packed", cbor::Value(cbor::Map{{"alg", -7}, {"sig", Bytes(8)}, {"x5c", cbor::Array{cbor::Value(1)}}})) ==
               Errc::att_statement_invalid);
    BOOST_TEST(run("packed", cbor::Value(cbor::Map{{"alg", -7}, {"sig", Bytes(8)}, {"x5c", cbor::Array{}}})) ==
               Errc::att_statement_invalid);
    BOOST_TEST(run("packed", cbor::Value(cbor::Map{{"alg", -7}, {"sig", Bytes(8)}})) == Errc::att_signature_invalid);
    // The client data hash must be a SHA-256.
    BOOST_TEST(webauthn::verify_attestation("none", cbor::Value(cbor::Map{}), reg.auth_data, reg.raw_auth_data, Bytes(20),
                                            anchors, policy_at())
                   .code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(trust_anchor_configuration) {
    Pki a{"Root A"}, b{"Root B"}, c{"Root C"};
    webauthn::TrustAnchors t;
    BOOST_TEST(t.add_pem("packed", "text before\n" + pem_of(a.root.get()) + "between\n" + pem_of(b.root.get())).ok());
    BOOST_TEST(t.size() == 2u);
    BOOST_TEST(t.roots_for("packed").size() == 2u);
    BOOST_TEST(t.roots_for("tpm").empty());
    BOOST_TEST(t.add_der("*", der_of(c.root.get())).ok());
    BOOST_TEST(t.roots_for("tpm").size() == 1u);
    BOOST_TEST(t.add_pem("packed", "no certificate here").code() == Errc::invalid_argument);
    BOOST_TEST(t.add_pem("packed", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").code() == Errc::invalid_argument);
    BOOST_TEST(t.add_der("packed", Bytes{1, 2, 3}).code() == Errc::invalid_argument);
    BOOST_TEST(t.size() == 3u);

    Bytes tag(6);
    BOOST_TEST_REQUIRE(random_fill(tag).ok());
    const auto dir = std::filesystem::temp_directory_path() / ("mfa-anchors-" + hex_encode(tag));
    std::filesystem::create_directories(dir / "tpm");
    std::ofstream(dir / "all.pem") << pem_of(a.root.get());
    std::ofstream(dir / "tpm" / "ms.crt") << pem_of(b.root.get());
    std::ofstream(dir / "README.txt") << "ignored";
    webauthn::TrustAnchors d;
    BOOST_TEST_REQUIRE(d.add_directory(dir).ok());
    BOOST_TEST(d.roots_for("tpm").size() == 2u);
    BOOST_TEST(d.roots_for("packed").size() == 1u);
    std::ofstream(dir / "tpm" / "broken.pem") << "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    webauthn::TrustAnchors e;
    BOOST_TEST(e.add_directory(dir).code() == Errc::invalid_argument);
    BOOST_TEST(e.size() == 0u);  // nothing added on failure
    BOOST_TEST(e.add_directory(dir / "missing").code() == Errc::io);
    BOOST_TEST(e.add_pem_file("packed", dir / "missing.pem").code() == Errc::io);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()

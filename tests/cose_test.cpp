#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mfa/cbor.hpp"
#include "mfa/cose.hpp"
#include "mfa/encoding.hpp"
#include "test_support.hpp"

using namespace mfa;
using mfa::cbor::Value;
using mfa::cose::Alg;
using mfa::cose::Pkey;

namespace {

const Bytes kData = [] {
    Bytes d(100);
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<std::uint8_t>(i * 7);
    return d;
}();

Pkey keygen(Alg alg) {
    switch (alg) {
        case Alg::ES256: case Alg::ECDH_ES_HKDF_256: return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
        case Alg::ES384: return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
        case Alg::ES512: return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
        case Alg::EdDSA: return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        default: return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)));
    }
}

// One RSA key for every RSA test: generation is the slow part.
EVP_PKEY* rsa_key() {
    static Pkey k = keygen(Alg::RS256);
    return k.get();
}

const EVP_MD* md_for(Alg a) {
    switch (a) {
        case Alg::ES256: case Alg::RS256: case Alg::PS256: return EVP_sha256();
        case Alg::ES384: case Alg::RS384: case Alg::PS384: return EVP_sha384();
        case Alg::ES512: case Alg::RS512: case Alg::PS512: return EVP_sha512();
        case Alg::RS1: return EVP_sha1();
        default: return nullptr;
    }
}

bool is_pss(Alg a) { return a == Alg::PS256 || a == Alg::PS384 || a == Alg::PS512; }

// Signs with OpenSSL directly (the library only verifies). salt < -10 means "hash length".
Bytes sign(EVP_PKEY* key, Alg alg, ByteView data, int salt = -100) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;
    BOOST_REQUIRE(EVP_DigestSignInit(ctx.get(), &pctx, md_for(alg), nullptr, key) == 1);
    if (is_pss(alg)) {
        BOOST_REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
        BOOST_REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt < -10 ? RSA_PSS_SALTLEN_DIGEST : salt) == 1);
        BOOST_REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md_for(alg)) == 1);
    }
    std::size_t len = 0;
    BOOST_REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) == 1);
    Bytes sig(len);
    BOOST_REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) == 1);
    sig.resize(len);
    return sig;
}

Bytes der_to_raw(ByteView der, std::size_t n) {
    const unsigned char* p = der.data();
    ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    BOOST_REQUIRE(s != nullptr);
    Bytes raw(2 * n);
    BN_bn2binpad(ECDSA_SIG_get0_r(s), raw.data(), static_cast<int>(n));
    BN_bn2binpad(ECDSA_SIG_get0_s(s), raw.data() + n, static_cast<int>(n));
    ECDSA_SIG_free(s);
    return raw;
}

// The decoded COSE key of a fresh key pair, as a map to edit.
mfa::cbor::Map key_map(EVP_PKEY* k, Alg alg) {
    auto v = mfa::cose::key_to_cbor(k, alg);
    BOOST_REQUIRE(v.ok());
    return v->map_entries();
}
mfa::cbor::Map without(mfa::cbor::Map m, std::int64_t label) {
    std::erase_if(m, [&](const mfa::cbor::MapEntry& e) { return *e.key.as_int() == label; });
    return m;
}
mfa::cbor::Map with(mfa::cbor::Map m, std::int64_t label, Value v) {
    m = without(std::move(m), label);
    m.push_back({label, std::move(v)});
    return m;
}
Errc parse_code(const mfa::cbor::Map& m) { return mfa::cose::parse_key(Value(m)).code(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(cose)

BOOST_AUTO_TEST_CASE(every_algorithm_signs_and_verifies) {
    const Alg algs[] = {Alg::ES256, Alg::ES384, Alg::ES512, Alg::EdDSA, Alg::RS256, Alg::RS384,
                        Alg::RS512, Alg::PS256, Alg::PS384, Alg::PS512};
    for (Alg alg : algs) {
        BOOST_TEST_CONTEXT(mfa::cose::alg_name(alg)) {
            const bool rsa = alg != Alg::ES256 && alg != Alg::ES384 && alg != Alg::ES512 && alg != Alg::EdDSA;
            Pkey own = rsa ? Pkey() : keygen(alg);
            EVP_PKEY* priv = rsa ? rsa_key() : own.get();
            auto encoded = mfa::cose::encode_key(priv, alg);
            BOOST_REQUIRE(encoded.ok());
            auto key = mfa::cose::decode_key(*encoded);
            BOOST_REQUIRE_MESSAGE(key.ok(), (key.ok() ? "" : key.error().to_string()));
            BOOST_TEST((key->alg == alg));
            BOOST_TEST(*mfa::cose::encode_key(key->pkey.get(), alg) == *encoded);

            Bytes sig = sign(priv, alg, kData);
            BOOST_TEST(mfa::cose::verify_signature(alg, key->pkey.get(), kData, sig).ok());
            BOOST_TEST(mfa::cose::verify_signature(static_cast<std::int64_t>(alg), key->pkey.get(), kData, sig).ok());
            Bytes flipped = sig;
            flipped.back() ^= 0x01;
            BOOST_TEST(mfa::cose::verify_signature(alg, key->pkey.get(), kData, flipped).code() ==
                       Errc::cose_signature_invalid);
            Bytes other = kData;
            other[3] ^= 0x80;
            BOOST_TEST(mfa::cose::verify_signature(alg, key->pkey.get(), other, sig).code() ==
                       Errc::cose_signature_invalid);
        }
    }
}

BOOST_AUTO_TEST_CASE(ecdsa_raw_and_der_forms) {
    Pkey k = keygen(Alg::ES384);
    const Bytes der = sign(k.get(), Alg::ES384, kData);
    const Bytes raw = der_to_raw(der, 48);
    mfa::cose::VerifyOptions raw_opts;
    raw_opts.ecdsa_format = mfa::cose::EcdsaFormat::raw;
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES384, k.get(), kData, raw, raw_opts).ok());
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES384, k.get(), kData, der, raw_opts).code() ==
               Errc::cose_signature_format);
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES384, k.get(), kData, raw).code() == Errc::cose_signature_format);
    Bytes bad_raw = raw;
    bad_raw[10] ^= 4;
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES384, k.get(), kData, bad_raw, raw_opts).code() ==
               Errc::cose_signature_invalid);
    Bytes trailing = der;
    trailing.push_back(0);
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES384, k.get(), kData, trailing).code() ==
               Errc::cose_signature_format);
    // BER: the SEQUENCE length in long form (0x81 nn) where short form fits.
    if (der[1] < 0x80) {
        Bytes ber{der[0], 0x81};
        ber.insert(ber.end(), der.begin() + 1, der.end());
        BOOST_TEST(mfa::cose::verify_signature(Alg::ES384, k.get(), kData, ber).code() ==
                   Errc::cose_signature_format);
    }
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES384, k.get(), kData, Bytes{}).code() == Errc::cose_signature_format);
    Pkey ed = keygen(Alg::EdDSA);
    BOOST_TEST(mfa::cose::verify_signature(Alg::EdDSA, ed.get(), kData, Bytes(63, 0)).code() ==
               Errc::cose_signature_format);
    BOOST_TEST(mfa::cose::verify_signature(Alg::RS256, rsa_key(), kData, Bytes(255, 1)).code() ==
               Errc::cose_signature_format);
}

BOOST_AUTO_TEST_CASE(key_must_fit_the_algorithm) {
    Pkey p256 = keygen(Alg::ES256), p384 = keygen(Alg::ES384), ed = keygen(Alg::EdDSA);
    const Bytes sig = sign(p384.get(), Alg::ES384, kData);
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES256, p384.get(), kData, sig).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES512, p256.get(), kData, sig).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::verify_signature(Alg::EdDSA, p256.get(), kData, sig).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::verify_signature(Alg::RS256, ed.get(), kData, sig).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES256, rsa_key(), kData, sig).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::verify_signature(Alg::ECDH_ES_HKDF_256, p256.get(), kData, sig).code() ==
               Errc::cose_unsupported_alg);
    BOOST_TEST(mfa::cose::verify_signature(-47, p256.get(), kData, sig).code() == Errc::cose_unsupported_alg);
    BOOST_TEST(mfa::cose::verify_signature(Alg::ES256, nullptr, kData, sig).code() == Errc::invalid_argument);
    BOOST_TEST(mfa::cose::encode_key(ed.get(), Alg::ES256).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::encode_key(p384.get(), Alg::ES256).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::encode_key(p256.get(), Alg::RS256).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::encode_key(rsa_key(), Alg::EdDSA).code() == Errc::cose_alg_mismatch);
}

BOOST_AUTO_TEST_CASE(curve_and_alg_combinations_in_keys) {
    Pkey p256 = keygen(Alg::ES256), ed = keygen(Alg::EdDSA);
    const auto ec = key_map(p256.get(), Alg::ES256);
    const auto okp = key_map(ed.get(), Alg::EdDSA);
    BOOST_TEST(parse_code(ec) == Errc::ok);
    BOOST_TEST(parse_code(with(ec, 3, -35)) == Errc::cose_alg_mismatch);  // ES384 on P-256
    BOOST_TEST(parse_code(with(ec, 3, -8)) == Errc::cose_alg_mismatch);   // EdDSA on EC2
    BOOST_TEST(parse_code(with(ec, 3, -257)) == Errc::cose_alg_mismatch);
    BOOST_TEST(parse_code(with(ec, -1, 2)) == Errc::cose_alg_mismatch);   // ES256 on P-384
    BOOST_TEST(parse_code(with(ec, -1, 3)) == Errc::cose_alg_mismatch);   // ES256 on P-521
    BOOST_TEST(parse_code(with(with(ec, -1, 2), 3, -35)) == Errc::cose_key_invalid);  // 32-byte x, y on P-384
    BOOST_TEST(parse_code(with(ec, -1, 6)) == Errc::cose_key_invalid);    // Ed25519 under kty EC2
    BOOST_TEST(parse_code(with(ec, -1, 8)) == Errc::cose_unsupported_curve);  // secp256k1
    BOOST_TEST(parse_code(with(ec, 3, -25)) == Errc::ok);                // CTAP2 key agreement key
    BOOST_TEST(parse_code(okp) == Errc::ok);
    BOOST_TEST(parse_code(with(okp, 3, -7)) == Errc::cose_alg_mismatch);
    BOOST_TEST(parse_code(with(okp, -1, 7)) == Errc::cose_unsupported_curve);  // Ed448
    BOOST_TEST(parse_code(with(okp, -1, 4)) == Errc::cose_unsupported_curve);  // X25519
    BOOST_TEST(parse_code(with(okp, -1, 1)) == Errc::cose_key_invalid);
    BOOST_TEST(parse_code(with(okp, 1, 3)) == Errc::cose_alg_mismatch);        // RSA kty with EdDSA
    BOOST_TEST(parse_code(with(ec, 3, -999)) == Errc::cose_unsupported_alg);
    BOOST_TEST(parse_code(with(ec, 3, -65535)) == Errc::cose_alg_mismatch);
    BOOST_TEST(parse_code(with(ec, 1, 4)) == Errc::cose_unsupported_key_type);  // Symmetric
    BOOST_TEST(parse_code(with(ec, 1, 0)) == Errc::cose_unsupported_key_type);
    auto k = mfa::cose::parse_key(Value(ec));
    BOOST_TEST((k->crv == mfa::cose::Curve::P256));
    BOOST_TEST((k->kty == mfa::cose::KeyType::EC2));
}

BOOST_AUTO_TEST_CASE(missing_and_mistyped_labels) {
    Pkey p521 = keygen(Alg::ES512), ed = keygen(Alg::EdDSA);
    const auto ec = key_map(p521.get(), Alg::ES512);
    const auto okp = key_map(ed.get(), Alg::EdDSA);
    const auto rsa = key_map(rsa_key(), Alg::RS256);
    for (std::int64_t l : {1, 3, -1, -2, -3}) {
        BOOST_TEST_INFO("EC2 without " << l);
        BOOST_TEST(parse_code(without(ec, l)) == Errc::cose_key_invalid);
        BOOST_TEST_INFO("EC2 with text at " << l);
        BOOST_TEST(parse_code(with(ec, l, "x")) == Errc::cose_key_invalid);
    }
    for (std::int64_t l : {1, 3, -1, -2}) {
        BOOST_TEST(parse_code(without(okp, l)) == Errc::cose_key_invalid);
        BOOST_TEST(parse_code(without(rsa, l)) == Errc::cose_key_invalid);
    }
    auto missing = mfa::cose::parse_key(Value(without(ec, -3)));
    BOOST_TEST(missing.error().detail.find("map key -3") != std::string::npos);
    // Lengths and points.
    BOOST_TEST(parse_code(with(ec, -2, Bytes(65, 1))) == Errc::cose_key_invalid);
    BOOST_TEST(parse_code(with(okp, -2, Bytes(31, 1))) == Errc::cose_key_invalid);
    const Value ecv(ec);
    Bytes off(ecv.find(-3)->as_bytes()->begin(), ecv.find(-3)->as_bytes()->end());
    off.back() ^= 1;
    BOOST_TEST(parse_code(with(ec, -3, off)) == Errc::cose_key_invalid);  // not on the curve
    BOOST_TEST(parse_code(with(ec, -3, true)) == Errc::cose_key_invalid);  // compressed form
    // Labels that do not belong.
    BOOST_TEST(parse_code(with(ec, -4, Bytes(66, 1))) == Errc::cose_key_invalid);  // private key d
    BOOST_TEST(parse_code(with(ec, 4, mfa::cbor::Array{1})) == Errc::cose_key_invalid);  // key_ops
    BOOST_TEST(parse_code(with(okp, -3, Bytes(32, 1))) == Errc::cose_key_invalid);
    BOOST_TEST(parse_code(with(rsa, -3, Bytes(1, 1))) == Errc::cose_key_invalid);  // RSA d
    auto text_label = ec;
    text_label.push_back({"crv", 1});
    BOOST_TEST(parse_code(text_label) == Errc::cose_key_invalid);
    BOOST_TEST(parse_code(with(ec, 2, Bytes{1, 2})) == Errc::ok);  // kid
    BOOST_TEST(parse_code(with(ec, 2, "kid")) == Errc::cose_key_invalid);
    BOOST_TEST(mfa::cose::parse_key(Value(5)).code() == Errc::cose_key_invalid);
    // decode_key insists on canonical bytes.
    BOOST_TEST(mfa::cose::decode_key(*hex_decode("a203260102")).code() == Errc::cbor_key_order);
    BOOST_TEST(mfa::cose::decode_key(*hex_decode("a10102ff")).code() == Errc::cbor_trailing);
}

BOOST_AUTO_TEST_CASE(rsa_key_checks) {
    const auto rsa = key_map(rsa_key(), Alg::PS256);
    BOOST_TEST(parse_code(rsa) == Errc::ok);
    const Value rsav(rsa);
    const Bytes n(rsav.find(-1)->as_bytes()->begin(), rsav.find(-1)->as_bytes()->end());
    BOOST_TEST(n.size() == 256u);
    Bytes lead{0};
    lead.insert(lead.end(), n.begin(), n.end());
    BOOST_TEST(parse_code(with(rsa, -1, lead)) == Errc::cose_key_invalid);
    BOOST_TEST(parse_code(with(rsa, -1, Bytes(n.begin(), n.begin() + 128))) == Errc::cose_key_size);  // 1024 bits
    BOOST_TEST(parse_code(with(rsa, -1, Bytes(1025, 0xff))) == Errc::cose_key_size);
    Bytes even = n;
    even.back() &= 0xfe;
    BOOST_TEST(parse_code(with(rsa, -1, even)) == Errc::cose_key_invalid);
    BOOST_TEST(parse_code(with(rsa, -2, Bytes{1, 0, 0})) == Errc::cose_key_size);  // even exponent
    BOOST_TEST(parse_code(with(rsa, -2, Bytes{1})) == Errc::cose_key_size);
    BOOST_TEST(parse_code(with(rsa, -2, Bytes{0, 1, 0, 1})) == Errc::cose_key_invalid);
    BOOST_TEST(parse_code(with(rsa, -2, Bytes(9, 1))) == Errc::cose_key_size);
    BOOST_TEST(parse_code(with(rsa, -2, Bytes{3})) == Errc::ok);
    Pkey small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(1024)));
    BOOST_TEST(mfa::cose::verify_signature(Alg::RS256, small.get(), kData, sign(small.get(), Alg::RS256, kData)).code() ==
               Errc::cose_key_size);
}

BOOST_AUTO_TEST_CASE(rs1_is_off_unless_allowed) {
    const Bytes sig = sign(rsa_key(), Alg::RS1, kData);
    auto k = mfa::cose::parse_key(Value(key_map(rsa_key(), Alg::RS1)));
    BOOST_REQUIRE(k.ok());  // the key parses; using it is what the policy governs
    BOOST_TEST(mfa::cose::verify_signature(Alg::RS1, k->pkey.get(), kData, sig).code() == Errc::cose_alg_disabled);
    mfa::cose::VerifyOptions allow;
    allow.allow_rs1 = true;
    BOOST_TEST(mfa::cose::verify_signature(Alg::RS1, k->pkey.get(), kData, sig, allow).ok());
    Bytes bad = sig;
    bad[0] ^= 1;
    BOOST_TEST(mfa::cose::verify_signature(Alg::RS1, k->pkey.get(), kData, bad, allow).code() ==
               Errc::cose_signature_invalid);
    // An RS256 signature is not an RS1 one.
    BOOST_TEST(mfa::cose::verify_signature(Alg::RS1, k->pkey.get(), kData, sign(rsa_key(), Alg::RS256, kData), allow)
                   .code() == Errc::cose_signature_invalid);
}

BOOST_AUTO_TEST_CASE(pss_salt_length_is_the_hash_length) {
    BOOST_TEST(mfa::cose::verify_signature(Alg::PS256, rsa_key(), kData, sign(rsa_key(), Alg::PS256, kData, 32)).ok());
    BOOST_TEST(mfa::cose::verify_signature(Alg::PS256, rsa_key(), kData,
                                           sign(rsa_key(), Alg::PS256, kData, RSA_PSS_SALTLEN_MAX))
                   .code() == Errc::cose_signature_invalid);
    BOOST_TEST(mfa::cose::verify_signature(Alg::PS256, rsa_key(), kData, sign(rsa_key(), Alg::PS256, kData, 20)).code() ==
               Errc::cose_signature_invalid);
    BOOST_TEST(mfa::cose::verify_signature(Alg::PS384, rsa_key(), kData, sign(rsa_key(), Alg::PS384, kData, 48)).ok());
    // PKCS#1 v1.5 and PSS are not interchangeable.
    BOOST_TEST(mfa::cose::verify_signature(Alg::PS256, rsa_key(), kData, sign(rsa_key(), Alg::RS256, kData)).code() ==
               Errc::cose_signature_invalid);
}

BOOST_AUTO_TEST_CASE(verification_with_a_certificate) {
    Pkey k = keygen(Alg::ES256);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("mfakit test"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), k.get());
    BOOST_REQUIRE(X509_sign(cert.get(), k.get(), EVP_sha256()) > 0);
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.get(), &der);
    BOOST_REQUIRE(len > 0);
    Bytes cert_der(der, der + len);
    OPENSSL_free(der);

    const Bytes sig = sign(k.get(), Alg::ES256, kData);
    BOOST_TEST(mfa::cose::verify_with_certificate(-7, cert_der, kData, sig).ok());
    BOOST_TEST(mfa::cose::verify_with_certificate(-7, cert_der, Bytes{1}, sig).code() == Errc::cose_signature_invalid);
    BOOST_TEST(mfa::cose::verify_with_certificate(-35, cert_der, kData, sig).code() == Errc::cose_alg_mismatch);
    BOOST_TEST(mfa::cose::verify_with_certificate(-8, cert_der, kData, sig).code() == Errc::cose_alg_mismatch);
    Bytes trailing = cert_der;
    trailing.push_back(0);
    BOOST_TEST(mfa::cose::verify_with_certificate(-7, trailing, kData, sig).code() == Errc::cose_key_invalid);
    BOOST_TEST(mfa::cose::verify_with_certificate(-7, ByteView(cert_der).first(100), kData, sig).code() ==
               Errc::cose_key_invalid);
    auto parsed = mfa::cose::parse_certificate(cert_der);
    BOOST_REQUIRE(parsed.ok());
    BOOST_TEST(mfa::cose::verify_with_certificate(Alg::ES256, parsed->get(), kData, sig).ok());
    BOOST_TEST(mfa::cose::verify_with_certificate(Alg::ES256, nullptr, kData, sig).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(names_and_identifiers) {
    BOOST_TEST(mfa::cose::alg_name(Alg::PS256) == "PS256");
    BOOST_TEST(mfa::cose::alg_name(static_cast<Alg>(-1000)) == "unknown");
    BOOST_TEST(mfa::cose::is_known_alg(-65535));
    BOOST_TEST(mfa::cose::is_known_alg(-25));
    BOOST_TEST(!mfa::cose::is_known_alg(-47));  // ES256K
    BOOST_TEST(!mfa::cose::is_known_alg(-7 + 1));
    // The key agreement key used by the CTAP2 PIN protocol round-trips.
    Pkey k = keygen(Alg::ECDH_ES_HKDF_256);
    auto enc = mfa::cose::encode_key(k.get(), Alg::ECDH_ES_HKDF_256);
    BOOST_REQUIRE(enc.ok());
    auto back = mfa::cose::decode_key(*enc);
    BOOST_REQUIRE(back.ok());
    BOOST_TEST((back->alg == Alg::ECDH_ES_HKDF_256));
    BOOST_TEST(EVP_PKEY_eq(back->pkey.get(), k.get()) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

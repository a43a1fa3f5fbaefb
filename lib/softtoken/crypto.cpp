#include "crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "rng.hpp"

namespace mfa::softtoken {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { F(p); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using Group = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using Point = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;
using Kdf = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF, EVP_KDF_free>>;
using X509p = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME, X509_NAME_free>>;

Error ossl(std::string_view step) { return Error(Errc::crypto, std::string(step) + " failed"); }

int ilen(std::size_t n) { return static_cast<int>(n); }

}  // namespace

Hash sha256(ByteView data) {
    Hash h{};
    unsigned int n = 0;
    // EVP_Digest only fails on allocation failure; a zero hash would then fail every comparison.
    if (EVP_Digest(data.data(), data.size(), h.data(), &n, EVP_sha256(), nullptr) != 1) h.fill(0);
    return h;
}

Result<Hash> hmac_sha256(ByteView key, ByteView data) {
    Hash out{};
    std::size_t n = 0;
    static const std::uint8_t kEmpty = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.empty() ? &kEmpty : key.data(), key.size(),
                  data.data(), data.size(), out.data(), out.size(), &n) == nullptr ||
        n != out.size())
        return ossl("HMAC-SHA256");
    return out;
}

Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t len) {
    Kdf kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    if (!kdf) return ossl("HKDF fetch");
    KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx) return ossl("HKDF context");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()), ikm.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()), info.size()),
        OSSL_PARAM_construct_end(),
    };
    SecretBytes out(len);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) return ossl("HKDF derive");
    return out;
}

Result<Bytes> aes256_cbc(bool encrypt, ByteView key, ByteView iv, ByteView data) {
    if (key.size() != 32 || iv.size() != 16) return Error(Errc::internal, "AES-256-CBC key or IV size");
    if (data.size() % 16 != 0) return Error(Errc::invalid_argument, "AES-CBC data is not whole blocks");
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data(), encrypt ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1)
        return ossl("AES-256-CBC init");
    Bytes out(data.size() + 16);
    int n1 = 0, n2 = 0;
    if (EVP_CipherUpdate(ctx.get(), out.data(), &n1, data.data(), ilen(data.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2) != 1)
        return ossl("AES-256-CBC");
    out.resize(static_cast<std::size_t>(n1 + n2));
    return out;
}

Result<Bytes> aes256_gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plain) {
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, ilen(nonce.size()), nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) != 1)
        return ossl("AES-256-GCM init");
    int n = 0;
    if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), ilen(aad.size())) != 1)
        return ossl("AES-256-GCM aad");
    Bytes out(plain.size() + 16);
    int n1 = 0, n2 = 0;
    if (EVP_EncryptUpdate(ctx.get(), out.data(), &n1, plain.data(), ilen(plain.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + n1, &n2) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + plain.size()) != 1)
        return ossl("AES-256-GCM seal");
    return out;
}

Result<SecretBytes> aes256_gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed) {
    if (sealed.size() < 16) return Error(Errc::parse, "sealed data shorter than the tag");
    const std::size_t n = sealed.size() - 16;
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, ilen(nonce.size()), nullptr) != 1 ||
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) != 1)
        return ossl("AES-256-GCM init");
    int m = 0;
    if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &m, aad.data(), ilen(aad.size())) != 1)
        return ossl("AES-256-GCM aad");
    SecretBytes out(n + 16);
    int n1 = 0, n2 = 0;
    if (EVP_DecryptUpdate(ctx.get(), out.data(), &n1, sealed.data(), ilen(n)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, const_cast<std::uint8_t*>(sealed.data() + n)) != 1)
        return ossl("AES-256-GCM open");
    if (EVP_DecryptFinal_ex(ctx.get(), out.data() + n1, &n2) != 1)
        return Error(Errc::parse, "authentication tag does not match");
    out.resize(static_cast<std::size_t>(n1 + n2));
    return out;
}

Result<cose::Pkey> p256_from_scalar(ByteView scalar) {
    if (scalar.size() != 32) return Error(Errc::invalid_argument, "P-256 scalar must be 32 bytes");
    Group group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    Bn d(BN_bin2bn(scalar.data(), 32, nullptr));
    if (!group || !d) return ossl("P-256 setup");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
        return Error(Errc::invalid_argument, "P-256 scalar out of range");
    Point q(EC_POINT_new(group.get()));
    std::uint8_t pub[65];
    if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
        EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, nullptr) != sizeof pub)
        return ossl("P-256 public point");
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) != 1)
        return ossl("P-256 params");
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* pkey = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEYPAIR, params.get()) != 1)
        return ossl("P-256 key from data");
    return cose::Pkey(pkey);
}

Result<cose::Pkey> ed25519_from_seed(ByteView seed) {
    if (seed.size() != 32) return Error(Errc::invalid_argument, "Ed25519 seed must be 32 bytes");
    EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    if (k == nullptr) return ossl("Ed25519 key");
    return cose::Pkey(k);
}

Result<SecretBytes> p256_new_scalar(Rng& rng) {
    for (int i = 0; i < 64; ++i) {
        auto s = rng.secret(32);
        if (!s) return std::move(s).error();
        if (p256_from_scalar(s->view())) return std::move(*s);
    }
    return Error(Errc::crypto, "no P-256 scalar in range after 64 draws");
}

Result<SecretBytes> ecdh_p256(EVP_PKEY* own, EVP_PKEY* peer) {
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
    std::size_t n = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &n) != 1 || n != 32)
        return Error(Errc::crypto, "ECDH with the platform key failed");
    SecretBytes z(n);
    if (EVP_PKEY_derive(ctx.get(), z.data(), &n) != 1) return ossl("ECDH derive");
    return z;
}

Result<Bytes> sign(EVP_PKEY* key, cose::Alg alg, ByteView data) {
    MdCtx ctx(EVP_MD_CTX_new());
    const EVP_MD* md = alg == cose::Alg::EdDSA ? nullptr : EVP_sha256();
    std::size_t n = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &n, data.data(), data.size()) != 1)
        return ossl("signature init");
    Bytes sig(n);
    if (EVP_DigestSign(ctx.get(), sig.data(), &n, data.data(), data.size()) != 1) return ossl("signature");
    sig.resize(n);
    return sig;
}

Result<Bytes> make_attestation_certificate(EVP_PKEY* key, ByteView aaguid, std::uint64_t serial) {
    X509p cert(X509_new());
    Name name(X509_NAME_new());
    if (!cert || !name) return ossl("X509 allocation");
    auto add = [&](const char* field, const char* value) {
        return X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(value), -1, -1, 0) == 1;
    };
    if (!add("C", "US") || !add("O", "mfakit soft token (not a security device)") ||
        !add("OU", "Authenticator Attestation") || !add("CN", "mfakit soft token attestation"))
        return ossl("X509 name");
    if (X509_set_version(cert.get(), 2) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1 ||
        X509_set_subject_name(cert.get(), name.get()) != 1 || X509_set_issuer_name(cert.get(), name.get()) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600) == nullptr ||
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), 365 * 20, 0, nullptr) == nullptr ||
        X509_set_pubkey(cert.get(), key) != 1)
        return ossl("X509 fields");
    X509_EXTENSION* bc = X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:FALSE");
    if (bc == nullptr || X509_add_ext(cert.get(), bc, -1) != 1) {
        X509_EXTENSION_free(bc);
        return ossl("X509 basicConstraints");
    }
    X509_EXTENSION_free(bc);
    // id-fido-gen-ce-aaguid: an OCTET STRING holding the DER OCTET STRING of the AAGUID.
    ASN1_OBJECT* oid = OBJ_txt2obj("1.3.6.1.4.1.45724.1.1.4", 1);
    std::uint8_t inner[18] = {0x04, 0x10};
    std::copy(aaguid.begin(), aaguid.begin() + 16, inner + 2);
    ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
    bool ok = oid != nullptr && os != nullptr && ASN1_OCTET_STRING_set(os, inner, sizeof inner) == 1;
    X509_EXTENSION* ext = ok ? X509_EXTENSION_create_by_OBJ(nullptr, oid, 0, os) : nullptr;
    ok = ext != nullptr && X509_add_ext(cert.get(), ext, -1) == 1;
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(oid);
    if (!ok) return ossl("X509 AAGUID extension");
    if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return ossl("X509 sign");
    int n = i2d_X509(cert.get(), nullptr);
    if (n <= 0) return ossl("X509 encode");
    Bytes der(static_cast<std::size_t>(n));
    std::uint8_t* p = der.data();
    if (i2d_X509(cert.get(), &p) != n) return ossl("X509 encode");
    return der;
}

}  // namespace mfa::softtoken

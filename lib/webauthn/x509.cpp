#include "x509.hpp"

#include <algorithm>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "der.hpp"
#include "mfa/encoding.hpp"

namespace mfa::att {
namespace {

struct ObjFree { void operator()(ASN1_OBJECT* p) const noexcept { ASN1_OBJECT_free(p); } };
using ObjPtr = std::unique_ptr<ASN1_OBJECT, ObjFree>;

ObjPtr make_obj(const char* oid) { return ObjPtr(OBJ_txt2obj(oid, 1)); }

std::string openssl_reason() {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "no detail";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

}  // namespace

Result<X509Ptr> parse_certificate(ByteView der, std::string_view what) {
    if (der.empty()) return Error(Errc::att_certificate_invalid, std::string(what) + ": empty certificate");
    if (der.size() > kMaxCertificateSize)
        return Error(Errc::att_certificate_invalid, std::string(what) + ": certificate larger than 16 KiB");
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) return Error(Errc::att_certificate_invalid, std::string(what) + ": not a DER certificate (" + openssl_reason() + ")");
    if (p != der.data() + der.size())
        return Error(Errc::att_certificate_invalid, std::string(what) + ": trailing bytes after the certificate");
    return cert;
}

Result<std::vector<X509Ptr>> parse_x5c(const std::vector<ByteView>& x5c) {
    if (x5c.empty()) return Error(Errc::att_statement_invalid, "x5c is empty");
    if (x5c.size() > kMaxChainLength) return Error(Errc::att_statement_invalid, "x5c has more than 8 certificates");
    std::vector<X509Ptr> out;
    for (std::size_t i = 0; i < x5c.size(); ++i) {
        auto c = parse_certificate(x5c[i], "x5c[" + std::to_string(i) + "]");
        if (!c) return std::move(c).error();
        out.push_back(std::move(*c));
    }
    return out;
}

Result<std::vector<Bytes>> pem_certificates(std::string_view pem) {
    if (pem.size() > (1u << 20)) return Error(Errc::limit_exceeded, "PEM text larger than 1 MiB");
    static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
    static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
    std::vector<Bytes> out;
    std::size_t pos = 0;
    while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
        const std::size_t body = pos + kBegin.size();
        const std::size_t end = pem.find(kEnd, body);
        if (end == std::string_view::npos) return Error(Errc::invalid_argument, "PEM certificate block without END line");
        std::string b64;
        for (char c : pem.substr(body, end - body))
            if (c != '\n' && c != '\r' && c != ' ' && c != '\t') b64.push_back(c);
        auto der = base64_decode(b64, Base64Mode::standard);
        if (!der) return Error(Errc::invalid_argument, "PEM certificate block " + std::to_string(out.size()) + " is not Base64");
        auto cert = parse_certificate(*der, "PEM certificate " + std::to_string(out.size()));
        if (!cert) return Error(Errc::invalid_argument, cert.error().detail);
        out.push_back(std::move(*der));
        pos = end + kEnd.size();
    }
    if (out.empty()) return Error(Errc::invalid_argument, "no PEM certificate found");
    return out;
}

Bytes certificate_der(X509* cert) {
    unsigned char* buf = nullptr;
    const int n = i2d_X509(cert, &buf);
    if (n <= 0) return {};
    Bytes out(buf, buf + n);
    OPENSSL_free(buf);
    return out;
}

std::string subject_string(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr) return {};
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string s(data, static_cast<std::size_t>(n > 0 ? n : 0));
    BIO_free(bio);
    return s;
}

Result<std::optional<Extension>> find_extension(X509* cert, const char* oid) {
    ObjPtr obj = make_obj(oid);
    if (!obj) return Error(Errc::internal, std::string("bad OID ") + oid);
    const int idx = X509_get_ext_by_OBJ(cert, obj.get(), -1);
    if (idx < 0) return std::optional<Extension>{};
    if (X509_get_ext_by_OBJ(cert, obj.get(), idx) >= 0)
        return Error(Errc::att_certificate_invalid, std::string("extension ") + oid + " appears twice");
    X509_EXTENSION* ext = X509_get_ext(cert, idx);
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
    Extension e;
    e.critical = X509_EXTENSION_get_critical(ext) != 0;
    e.value.assign(ASN1_STRING_get0_data(data), ASN1_STRING_get0_data(data) + ASN1_STRING_length(data));
    return std::optional<Extension>(std::move(e));
}

Status check_aaguid_extension(X509* cert, ByteView aaguid) {
    auto ext = find_extension(cert, "1.3.6.1.4.1.45724.1.1.4");
    if (!ext) return std::move(ext).error();
    if (!ext->has_value()) return {};
    if ((*ext)->critical)
        return Error(Errc::att_certificate_invalid, "id-fido-gen-ce-aaguid extension is marked critical");
    Reader r((*ext)->value);
    ByteView value;
    if (!der::read_expected(r, der::Class::universal, false, der::kOctetString, value) || !r.empty() ||
        value.size() != 16)
        return Error(Errc::att_certificate_invalid, "id-fido-gen-ce-aaguid extension is not a 16-byte OCTET STRING");
    if (!std::equal(value.begin(), value.end(), aaguid.begin(), aaguid.end()))
        return Error(Errc::att_aaguid_mismatch,
                     "certificate AAGUID " + hex_encode(value) + " != authenticator data AAGUID " + hex_encode(aaguid));
    return {};
}

bool is_ca(X509* cert) { return (X509_get_extension_flags(cert) & EXFLAG_CA) != 0; }

bool has_eku(X509* cert, const char* oid) {
    ObjPtr want = make_obj(oid);
    auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
    if (eku == nullptr || !want) {
        EXTENDED_KEY_USAGE_free(eku);
        return false;
    }
    bool found = false;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i)
        if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want.get()) == 0) found = true;
    EXTENDED_KEY_USAGE_free(eku);
    return found;
}

Status check_validity(X509* cert, std::time_t now, std::string_view what) {
    std::time_t t = now;
    if (X509_cmp_time(X509_get0_notBefore(cert), &t) >= 0)
        return Error(Errc::att_certificate_invalid, std::string(what) + " is not yet valid at the verification time");
    if (X509_cmp_time(X509_get0_notAfter(cert), &t) <= 0)
        return Error(Errc::att_certificate_invalid, std::string(what) + " has expired at the verification time");
    return {};
}

bool signed_with_sha1(X509* cert) {
    int md = NID_undef, pk = NID_undef;
    if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md, &pk) == 0) return false;
    return md == NID_sha1;
}

Result<PathResult> validate_path(const std::vector<X509Ptr>& x5c, const std::vector<Bytes>& anchors,
                                 std::time_t now, bool reject_sha1) {
    PathResult out;
    if (x5c.empty()) return Error(Errc::att_statement_invalid, "no certificate to validate");
    if (anchors.empty()) {
        out.detail = "no trust anchor configured for this attestation";
        return out;
    }
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(
        sk_X509_new_null(), [](STACK_OF(X509)* s) { sk_X509_free(s); });
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    if (!store || !untrusted || !ctx) return Error(Errc::no_memory, "X509 store allocation");
    for (const Bytes& der : anchors) {
        const unsigned char* p = der.data();
        X509Ptr a(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
        if (!a) return Error(Errc::invalid_argument, "a configured trust anchor is not a certificate");
        if (X509_STORE_add_cert(store.get(), a.get()) != 1) ERR_clear_error();  // duplicates are fine
    }
    for (std::size_t i = 1; i < x5c.size(); ++i) sk_X509_push(untrusted.get(), x5c[i].get());
    if (X509_STORE_CTX_init(ctx.get(), store.get(), x5c[0].get(), untrusted.get()) != 1)
        return Error(Errc::internal, "X509_STORE_CTX_init: " + openssl_reason());
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, now);
    // An intermediate configured as an anchor terminates the path (RP-pinned vendor CAs).
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    const int ok = X509_verify_cert(ctx.get());
    ERR_clear_error();
    if (ok != 1) {
        const int err = X509_STORE_CTX_get_error(ctx.get());
        const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
        X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
        std::string where = "certificate at depth " + std::to_string(depth);
        if (bad != nullptr) where += " (" + subject_string(bad) + ")";
        const std::string reason = X509_verify_cert_error_string(err);
        switch (err) {
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
            case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
                out.detail = "no path to a trust anchor: " + reason + " at " + where;
                return out;
            default:
                return Error(Errc::att_certificate_invalid, "trust path: " + reason + " at " + where);
        }
    }
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    const int n = sk_X509_num(chain);
    if (reject_sha1) {
        for (int i = 0; i + 1 < n; ++i) {
            X509* c = sk_X509_value(chain, i);
            if (signed_with_sha1(c))
                return Error(Errc::att_sha1_rejected, "certificate signed with SHA-1: " + subject_string(c));
        }
    }
    out.trusted = true;
    out.anchor = subject_string(sk_X509_value(chain, n - 1));
    return out;
}

const EVP_MD* cose_alg_digest(std::int64_t alg) {
    switch (alg) {
        case -7: case -257: case -37: return EVP_sha256();
        case -35: case -258: case -38: return EVP_sha384();
        case -36: case -259: case -39: return EVP_sha512();
        case -65535: return EVP_sha1();
        default: return nullptr;
    }
}

std::string alg_name(std::int64_t alg) {
    switch (alg) {
        case -7: return "ES256";
        case -35: return "ES384";
        case -36: return "ES512";
        case -8: return "EdDSA";
        case -257: return "RS256";
        case -258: return "RS384";
        case -259: return "RS512";
        case -37: return "PS256";
        case -38: return "PS384";
        case -39: return "PS512";
        case -65535: return "RS1";
        default: return "alg " + std::to_string(alg);
    }
}

Status check_key_fits_alg(EVP_PKEY* key, std::int64_t alg) {
    // X509_get0_pubkey gives NULL for a key OpenSSL cannot decode; callers pass it straight here.
    if (key == nullptr)
        return Error(Errc::att_certificate_invalid, "the certificate's public key cannot be decoded");
    const int id = EVP_PKEY_get_base_id(key);
    auto curve_is = [&](const char* want) {
        char name[64] = {0};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1) return false;
        return std::string_view(name, len) == want;
    };
    switch (alg) {
        case -7:
            if (id == EVP_PKEY_EC && curve_is("prime256v1")) return {};
            return Error(Errc::att_algorithm, "ES256 needs a P-256 key");
        case -35:
            if (id == EVP_PKEY_EC && curve_is("secp384r1")) return {};
            return Error(Errc::att_algorithm, "ES384 needs a P-384 key");
        case -36:
            if (id == EVP_PKEY_EC && curve_is("secp521r1")) return {};
            return Error(Errc::att_algorithm, "ES512 needs a P-521 key");
        case -8:
            if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) return {};
            return Error(Errc::att_algorithm, "EdDSA needs an Ed25519 or Ed448 key");
        case -257: case -258: case -259: case -37: case -38: case -39: case -65535:
            if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) return {};
            return Error(Errc::att_algorithm, alg_name(alg) + " needs an RSA key");
        default:
            return Error(Errc::att_algorithm, "unsupported signature algorithm " + std::to_string(alg));
    }
}

Status verify_signature(EVP_PKEY* key, std::int64_t alg, ByteView data, ByteView sig, std::string_view what) {
    MFA_TRY(check_key_fits_alg(key, alg));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx) return Error(Errc::no_memory, "EVP_MD_CTX_new");
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestVerifyInit(ctx.get(), &pctx, alg == -8 ? nullptr : cose_alg_digest(alg), nullptr, key) != 1)
        return Error(Errc::crypto, "EVP_DigestVerifyInit: " + openssl_reason());
    if (alg == -37 || alg == -38 || alg == -39) {
        // RFC 8230: PSS with MGF1 over the same hash and salt length = hash length.
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, cose_alg_digest(alg)) != 1)
            return Error(Errc::crypto, "RSA-PSS parameters: " + openssl_reason());
    }
    const int ok = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size());
    ERR_clear_error();
    if (ok != 1) return Error(Errc::att_signature_invalid, std::string(what) + " (" + alg_name(alg) + ") does not verify");
    return {};
}

Bytes digest(const EVP_MD* md, ByteView a, ByteView b) {
    Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    unsigned int n = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 || EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), out.data(), &n) != 1)
        throw std::bad_alloc();  // only allocation can make a digest of in-memory data fail
    return out;
}

bool same_public_key(EVP_PKEY* a, EVP_PKEY* b) {
    const bool eq = a != nullptr && b != nullptr && EVP_PKEY_eq(a, b) == 1;
    ERR_clear_error();
    return eq;
}

std::time_t effective_time(const std::optional<std::int64_t>& t) {
    return t ? static_cast<std::time_t>(*t) : std::time(nullptr);
}

}  // namespace mfa::att

// Signature verification under one COSE algorithm, with the key checked against the algorithm.
#include <memory>
#include <string>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "internal.hpp"

namespace mfa::cose {
namespace {

using detail::AlgInfo;
using detail::Scheme;

struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
struct SigFree {
    void operator()(ECDSA_SIG* s) const noexcept { ECDSA_SIG_free(s); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, SigFree>;

std::string name_of(const AlgInfo& a) { return std::string(a.name); }

// The key must be the kind the algorithm is defined for.
Status check_key(const AlgInfo& a, const EVP_PKEY* pkey) {
    switch (a.scheme) {
        case Scheme::ecdsa:
            if (detail::ec_curve_nid(pkey) != a.curve_nid)
                return Error(Errc::cose_alg_mismatch, name_of(a) + " needs an EC key on its curve");
            return {};
        case Scheme::eddsa:
            if (!EVP_PKEY_is_a(pkey, "ED25519")) return Error(Errc::cose_alg_mismatch, "EdDSA needs an Ed25519 key");
            return {};
        case Scheme::rsa_pkcs1:
        case Scheme::rsa_pss: {
            if (!EVP_PKEY_is_a(pkey, "RSA")) return Error(Errc::cose_alg_mismatch, name_of(a) + " needs an RSA key");
            const int bits = EVP_PKEY_get_bits(pkey);
            if (bits < detail::kMinRsaBits || bits > detail::kMaxRsaBits)
                return Error(Errc::cose_key_size, "RSA key of " + std::to_string(bits) + " bits (2048..8192 accepted)");
            return {};
        }
        case Scheme::ecdh: break;
    }
    return Error(Errc::cose_unsupported_alg, name_of(a) + " is a key-agreement algorithm, not a signature");
}

// ECDSA signatures go to OpenSSL as DER. A DER input must be exactly one strict DER encoding
// (no trailing bytes, no BER leniency); a raw input must be r || s of the curve's size.
Result<Bytes> ecdsa_der(const AlgInfo& a, ByteView sig, EcdsaFormat format) {
    if (format == EcdsaFormat::der) {
        const unsigned char* p = sig.data();
        EcdsaSig s(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
        if (!s || p != sig.data() + sig.size()) {
            ERR_clear_error();
            return Error(Errc::cose_signature_format, name_of(a) + ": signature is not one DER ECDSA-Sig-Value");
        }
        unsigned char* der = nullptr;
        const int len = i2d_ECDSA_SIG(s.get(), &der);
        if (len <= 0) return Error(Errc::internal, "OpenSSL could not re-encode a signature");
        Bytes out(der, der + len);
        OPENSSL_free(der);
        if (out.size() != sig.size() || !std::equal(out.begin(), out.end(), sig.begin()))
            return Error(Errc::cose_signature_format, name_of(a) + ": signature is BER, not DER");
        if (static_cast<std::size_t>(BN_num_bytes(ECDSA_SIG_get0_r(s.get()))) > a.coord_bytes ||
            static_cast<std::size_t>(BN_num_bytes(ECDSA_SIG_get0_s(s.get()))) > a.coord_bytes)
            return Error(Errc::cose_signature_format, name_of(a) + ": r or s longer than the curve order");
        return out;
    }
    if (sig.size() != 2 * a.coord_bytes)
        return Error(Errc::cose_signature_format,
                     name_of(a) + ": raw signature must be " + std::to_string(2 * a.coord_bytes) + " bytes");
    EcdsaSig s(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(sig.data(), static_cast<int>(a.coord_bytes), nullptr);
    BIGNUM* ss = BN_bin2bn(sig.data() + a.coord_bytes, static_cast<int>(a.coord_bytes), nullptr);
    if (!s || r == nullptr || ss == nullptr || ECDSA_SIG_set0(s.get(), r, ss) != 1) {
        BN_free(r);
        BN_free(ss);
        return Error(Errc::internal, "OpenSSL could not build a signature");
    }
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(s.get(), &der);
    if (len <= 0) return Error(Errc::internal, "OpenSSL could not encode a signature");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

}  // namespace

Status verify_signature(std::int64_t alg_id, const EVP_PKEY* pkey, ByteView data, ByteView sig,
                        const VerifyOptions& opts) {
    const AlgInfo* a = detail::find_alg(alg_id);
    if (a == nullptr) return Error(Errc::cose_unsupported_alg, "alg " + std::to_string(alg_id));
    if (pkey == nullptr) return Error(Errc::invalid_argument, "no key");
    if (a->alg == Alg::RS1 && !opts.allow_rs1)
        return Error(Errc::cose_alg_disabled, "RS1 (SHA-1) is disabled; VerifyOptions::allow_rs1 enables it");
    MFA_TRY(check_key(*a, pkey));

    Bytes der;
    ByteView s = sig;
    if (a->scheme == Scheme::ecdsa) {
        auto d = ecdsa_der(*a, sig, opts.ecdsa_format);
        if (!d) return std::move(d).error();
        der = std::move(*d);
        s = der;
    } else if (a->scheme == Scheme::eddsa) {
        if (sig.size() != 64) return Error(Errc::cose_signature_format, "EdDSA: signature must be 64 bytes");
    } else if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey))) {
        return Error(Errc::cose_signature_format, name_of(*a) + ": signature length differs from the modulus size");
    }

    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) return Error(Errc::no_memory, "EVP_MD_CTX_new");
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    const EVP_MD* md = a->md != nullptr ? a->md() : nullptr;
    // OpenSSL takes a non-const key only to bump its reference count.
    if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, const_cast<EVP_PKEY*>(pkey)) != 1) {
        ERR_clear_error();
        return Error(Errc::crypto, name_of(*a) + ": OpenSSL could not start verification");
    }
    if (a->scheme == Scheme::rsa_pss) {
        // RFC 8230 §2: MGF1 with the same hash, salt length equal to the hash length.
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1) {
            ERR_clear_error();
            return Error(Errc::crypto, name_of(*a) + ": OpenSSL refused the PSS parameters");
        }
    } else if (a->scheme == Scheme::rsa_pkcs1) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
            ERR_clear_error();
            return Error(Errc::crypto, name_of(*a) + ": OpenSSL refused PKCS#1 v1.5 padding");
        }
    }
    const int rc = EVP_DigestVerify(ctx.get(), s.data(), s.size(), data.data(), data.size());
    ERR_clear_error();
    if (rc != 1) return Error(Errc::cose_signature_invalid, name_of(*a) + " signature does not verify");
    return {};
}

Status verify_signature(Alg alg, const EVP_PKEY* pkey, ByteView data, ByteView sig, const VerifyOptions& opts) {
    return verify_signature(static_cast<std::int64_t>(alg), pkey, data, sig, opts);
}

Result<Certificate> parse_certificate(ByteView der) {
    const unsigned char* p = der.data();
    Certificate cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert || p != der.data() + der.size()) {
        ERR_clear_error();
        return Error(Errc::cose_key_invalid, "certificate is not one DER X.509 certificate");
    }
    return cert;
}

Status verify_with_certificate(Alg alg, const X509* cert, ByteView data, ByteView sig, const VerifyOptions& opts) {
    if (cert == nullptr) return Error(Errc::invalid_argument, "no certificate");
    const EVP_PKEY* pkey = X509_get0_pubkey(cert);
    if (pkey == nullptr) {
        ERR_clear_error();
        return Error(Errc::cose_key_invalid, "certificate public key cannot be read");
    }
    return verify_signature(alg, pkey, data, sig, opts);
}

Status verify_with_certificate(std::int64_t alg, ByteView cert_der, ByteView data, ByteView sig,
                               const VerifyOptions& opts) {
    auto cert = parse_certificate(cert_der);
    if (!cert) return std::move(cert).error();
    return verify_with_certificate(static_cast<Alg>(alg), cert->get(), data, sig, opts);
}

}  // namespace mfa::cose

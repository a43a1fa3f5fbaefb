// COSE_Key <-> EVP_PKEY with strict checks (RFC 9052 §7, RFC 9053 §7, RFC 8230 §4).
#include <memory>
#include <string>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "internal.hpp"

namespace mfa::cose {
namespace {

using detail::AlgInfo;
using detail::Scheme;

// COSE_Key labels (RFC 9052 §7.1, RFC 9053 §7).
constexpr std::int64_t kKty = 1, kKid = 2, kAlg = 3;
constexpr std::int64_t kCrv = -1, kX = -2, kY = -3;  // EC2 / OKP
constexpr std::int64_t kN = -1, kE = -2;             // RSA

struct BnFree {
    void operator()(BIGNUM* b) const noexcept { BN_free(b); }
};
struct BldFree {
    void operator()(OSSL_PARAM_BLD* b) const noexcept { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct CtxFree {
    void operator()(EVP_PKEY_CTX* c) const noexcept { EVP_PKEY_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using Bld = std::unique_ptr<OSSL_PARAM_BLD, BldFree>;
using Params = std::unique_ptr<OSSL_PARAM, ParamFree>;
using Ctx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;

Error invalid(std::string what) { return Error(Errc::cose_key_invalid, "COSE_Key: " + std::move(what)); }

// Re-labels a CBOR access error as an invalid key, keeping its detail.
Error as_key_error(const Error& e) { return invalid(e.detail); }

Result<Pkey> from_params(const char* type, OSSL_PARAM_BLD* bld) {
    Params params(OSSL_PARAM_BLD_to_param(bld));
    Ctx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
        ERR_clear_error();
        return Error(Errc::internal, "OpenSSL could not set up a key import");
    }
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        ERR_clear_error();
        return invalid(std::string("OpenSSL refused the ") + type + " public key");
    }
    return Pkey(raw);
}

Status public_check(EVP_PKEY* pkey, std::string_view what) {
    Ctx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!ctx) return Error(Errc::internal, "OpenSSL could not check a key");
    if (EVP_PKEY_public_check(ctx.get()) != 1) {
        ERR_clear_error();
        return invalid(std::string(what));
    }
    return {};
}

Result<Pkey> ec2_key(const cbor::Value& k, const AlgInfo& alg) {
    auto crv = k.get_int(kCrv);
    if (!crv) return as_key_error(crv.error());
    const char* group = nullptr;
    int nid = NID_undef;
    std::size_t size = 0;
    switch (*crv) {
        case 1: group = "P-256"; nid = NID_X9_62_prime256v1; size = 32; break;
        case 2: group = "P-384"; nid = NID_secp384r1; size = 48; break;
        case 3: group = "P-521"; nid = NID_secp521r1; size = 66; break;
        case 4: case 5: case 6: case 7:
            return invalid("crv " + std::to_string(*crv) + " is an OKP curve, not an EC2 one");
        default: return Error(Errc::cose_unsupported_curve, "COSE_Key: EC2 curve " + std::to_string(*crv));
    }
    if ((alg.scheme != Scheme::ecdsa && alg.scheme != Scheme::ecdh) || alg.curve_nid != nid)
        return Error(Errc::cose_alg_mismatch,
                     std::string("COSE_Key: ") + std::string(alg.name) + " with curve " + group);
    const cbor::Value* yv = k.find(kY);
    if (yv != nullptr && yv->type() == cbor::Type::boolean)
        return invalid("compressed EC point (y is a boolean); WebAuthn keys are uncompressed");
    auto x = k.get_bytes(kX);
    if (!x) return as_key_error(x.error());
    auto y = k.get_bytes(kY);
    if (!y) return as_key_error(y.error());
    if (x->size() != size || y->size() != size)
        return invalid(std::string("x and y must be ") + std::to_string(size) + " bytes each for " + group);
    Bytes point;
    point.reserve(1 + 2 * size);
    point.push_back(0x04);
    point.insert(point.end(), x->begin(), x->end());
    point.insert(point.end(), y->begin(), y->end());
    Bld bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
        return Error(Errc::internal, "OpenSSL parameter builder failed");
    auto pkey = from_params("EC", bld.get());
    if (!pkey) return Error(Errc::cose_key_invalid, std::string("COSE_Key: point is not on ") + group);
    MFA_TRY(public_check(pkey->get(), std::string("point is not a valid public key on ") + group));
    return pkey;
}

Result<Pkey> okp_key(const cbor::Value& k, const AlgInfo& alg) {
    auto crv = k.get_int(kCrv);
    if (!crv) return as_key_error(crv.error());
    if (*crv == 1 || *crv == 2 || *crv == 3) return invalid("crv " + std::to_string(*crv) + " is an EC2 curve, not an OKP one");
    if (*crv != static_cast<std::int64_t>(Curve::Ed25519))
        return Error(Errc::cose_unsupported_curve, "COSE_Key: OKP curve " + std::to_string(*crv));
    if (alg.scheme != Scheme::eddsa)
        return Error(Errc::cose_alg_mismatch, std::string("COSE_Key: ") + std::string(alg.name) + " with Ed25519");
    if (k.contains(kY)) return invalid("OKP keys have no y (-3)");
    auto x = k.get_bytes(kX);
    if (!x) return as_key_error(x.error());
    if (x->size() != 32) return invalid("Ed25519 x must be 32 bytes");
    EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x->data(), x->size());
    if (raw == nullptr) {
        ERR_clear_error();
        return invalid("OpenSSL refused the Ed25519 key");
    }
    return Pkey(raw);
}

Result<Pkey> rsa_key(const cbor::Value& k, const AlgInfo& alg) {
    if (alg.scheme != Scheme::rsa_pkcs1 && alg.scheme != Scheme::rsa_pss)
        return Error(Errc::cose_alg_mismatch, std::string("COSE_Key: ") + std::string(alg.name) + " with an RSA key");
    auto n = k.get_bytes(kN);
    if (!n) return as_key_error(n.error());
    auto e = k.get_bytes(kE);
    if (!e) return as_key_error(e.error());
    // RFC 8230 §4: unsigned big-endian without leading zero bytes.
    if (n->empty() || (*n)[0] == 0) return invalid("RSA n (-1) is empty or has a leading zero byte");
    if (e->empty() || (*e)[0] == 0) return invalid("RSA e (-2) is empty or has a leading zero byte");
    const std::size_t bits = n->size() * 8 - static_cast<std::size_t>(__builtin_clz((*n)[0]) - 24);
    if (bits < detail::kMinRsaBits || bits > detail::kMaxRsaBits)
        return Error(Errc::cose_key_size, "COSE_Key: RSA modulus of " + std::to_string(bits) + " bits (2048..8192 accepted)");
    if (((*n)[n->size() - 1] & 1) == 0) return invalid("RSA modulus is even");
    if (e->size() > 8 || (e->size() == 1 && (*e)[0] < 3) || ((*e)[e->size() - 1] & 1) == 0)
        return Error(Errc::cose_key_size, "COSE_Key: RSA public exponent must be odd, at least 3 and at most 64 bits");
    Bn bn_n(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
    Bn bn_e(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
    Bld bld(OSSL_PARAM_BLD_new());
    if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
        return Error(Errc::internal, "OpenSSL parameter builder failed");
    return from_params("RSA", bld.get());
}

}  // namespace

Result<PublicKey> parse_key(const cbor::Value& k) {
    if (!k.is_map()) return invalid(std::string("expected a map, got ") + std::string(cbor::type_name(k.type())));
    auto kty = k.get_int(kKty);
    if (!kty) return as_key_error(kty.error());
    if (*kty != 1 && *kty != 2 && *kty != 3)
        return Error(Errc::cose_unsupported_key_type, "COSE_Key: kty " + std::to_string(*kty));
    auto alg_id = k.get_int(kAlg);
    if (!alg_id) return as_key_error(alg_id.error());
    const AlgInfo* alg = detail::find_alg(*alg_id);
    if (alg == nullptr) return Error(Errc::cose_unsupported_alg, "COSE_Key: alg " + std::to_string(*alg_id));
    // Only the labels that belong to this key type: anything else (key_ops, a private part d (-4),
    // an unknown label) is refused rather than ignored.
    for (const auto& e : k.map_entries()) {
        auto label = e.key.as_int("label");
        if (!label) return invalid("label of type " + std::string(cbor::type_name(e.key.type())));
        const std::int64_t l = *label;
        const bool ok = l == kKty || l == kKid || l == kAlg || l == -1 || l == -2 || (*kty == 2 && l == kY);
        if (!ok) return invalid("unexpected label " + std::to_string(l) + " for kty " + std::to_string(*kty));
    }
    if (const cbor::Value* kid = k.find(kKid); kid != nullptr && kid->type() != cbor::Type::bytes)
        return invalid("kid (2) must be a byte string");

    PublicKey out;
    out.kty = static_cast<KeyType>(*kty);
    out.alg = alg->alg;
    Result<Pkey> pkey = Error(Errc::internal);
    switch (out.kty) {
        case KeyType::EC2: pkey = ec2_key(k, *alg); break;
        case KeyType::OKP: pkey = okp_key(k, *alg); break;
        case KeyType::RSA: pkey = rsa_key(k, *alg); break;
    }
    if (!pkey) return std::move(pkey).error();
    if (out.kty != KeyType::RSA) out.crv = static_cast<Curve>(*k.get_int(kCrv));
    out.pkey = std::move(*pkey);
    return out;
}

Result<PublicKey> decode_key(ByteView bytes) { return decode_key(bytes, cbor::DecodeOptions{}); }

Result<PublicKey> decode_key(ByteView bytes, const cbor::DecodeOptions& opts) {
    auto v = cbor::decode(bytes, opts);
    if (!v) return std::move(v).error();
    return parse_key(*v);
}

namespace {

Result<Bytes> bn_param(const EVP_PKEY* pkey, const char* name, std::size_t pad) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
        ERR_clear_error();
        return Error(Errc::internal, std::string("OpenSSL could not export ") + name);
    }
    Bn bn(raw);
    const std::size_t n = pad != 0 ? pad : static_cast<std::size_t>(BN_num_bytes(bn.get()));
    Bytes out(n);
    if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(n)) < 0)
        return Error(Errc::internal, std::string("OpenSSL could not export ") + name);
    return out;
}

}  // namespace

Result<cbor::Value> key_to_cbor(const EVP_PKEY* pkey, Alg alg) {
    if (pkey == nullptr) return Error(Errc::invalid_argument, "no key");
    const AlgInfo* info = detail::find_alg(static_cast<std::int64_t>(alg));
    if (info == nullptr) return Error(Errc::cose_unsupported_alg, "alg " + std::to_string(static_cast<std::int64_t>(alg)));
    cbor::Map m;
    m.push_back({kAlg, static_cast<std::int64_t>(alg)});
    switch (info->scheme) {
        case Scheme::ecdsa:
        case Scheme::ecdh: {
            if (detail::ec_curve_nid(pkey) != info->curve_nid)
                return Error(Errc::cose_alg_mismatch, std::string(info->name) + " needs a key on its own curve");
            auto x = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, info->coord_bytes);
            if (!x) return std::move(x).error();
            auto y = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, info->coord_bytes);
            if (!y) return std::move(y).error();
            const int crv = info->curve_nid == NID_X9_62_prime256v1 ? 1 : info->curve_nid == NID_secp384r1 ? 2 : 3;
            m.push_back({kKty, 2});
            m.push_back({kCrv, crv});
            m.push_back({kX, std::move(*x)});
            m.push_back({kY, std::move(*y)});
            break;
        }
        case Scheme::eddsa: {
            if (!EVP_PKEY_is_a(pkey, "ED25519")) return Error(Errc::cose_alg_mismatch, "EdDSA needs an Ed25519 key");
            Bytes x(32);
            std::size_t len = x.size();
            if (EVP_PKEY_get_raw_public_key(pkey, x.data(), &len) != 1 || len != 32) {
                ERR_clear_error();
                return Error(Errc::internal, "OpenSSL could not export the Ed25519 key");
            }
            m.push_back({kKty, 1});
            m.push_back({kCrv, 6});
            m.push_back({kX, std::move(x)});
            break;
        }
        case Scheme::rsa_pkcs1:
        case Scheme::rsa_pss: {
            if (!EVP_PKEY_is_a(pkey, "RSA")) return Error(Errc::cose_alg_mismatch, std::string(info->name) + " needs an RSA key");
            auto n = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
            if (!n) return std::move(n).error();
            auto e = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
            if (!e) return std::move(e).error();
            m.push_back({kKty, 3});
            m.push_back({kN, std::move(*n)});
            m.push_back({kE, std::move(*e)});
            break;
        }
    }
    return cbor::Value(std::move(m));
}

Result<Bytes> encode_key(const EVP_PKEY* pkey, Alg alg) {
    auto v = key_to_cbor(pkey, alg);
    if (!v) return std::move(v).error();
    return cbor::encode(*v);
}

}  // namespace mfa::cose

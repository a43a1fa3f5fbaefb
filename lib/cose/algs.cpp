// Algorithm identifiers, names and the RAII deleters.
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "internal.hpp"

namespace mfa::cose {
namespace detail {
namespace {

const AlgInfo kAlgs[] = {
    {Alg::ES256, "ES256", Scheme::ecdsa, EVP_sha256, NID_X9_62_prime256v1, 32},
    {Alg::ES384, "ES384", Scheme::ecdsa, EVP_sha384, NID_secp384r1, 48},
    {Alg::ES512, "ES512", Scheme::ecdsa, EVP_sha512, NID_secp521r1, 66},
    {Alg::EdDSA, "EdDSA", Scheme::eddsa, nullptr, NID_undef, 32},
    {Alg::RS256, "RS256", Scheme::rsa_pkcs1, EVP_sha256, NID_undef, 0},
    {Alg::RS384, "RS384", Scheme::rsa_pkcs1, EVP_sha384, NID_undef, 0},
    {Alg::RS512, "RS512", Scheme::rsa_pkcs1, EVP_sha512, NID_undef, 0},
    {Alg::PS256, "PS256", Scheme::rsa_pss, EVP_sha256, NID_undef, 0},
    {Alg::PS384, "PS384", Scheme::rsa_pss, EVP_sha384, NID_undef, 0},
    {Alg::PS512, "PS512", Scheme::rsa_pss, EVP_sha512, NID_undef, 0},
    {Alg::RS1, "RS1", Scheme::rsa_pkcs1, EVP_sha1, NID_undef, 0},
    {Alg::ECDH_ES_HKDF_256, "ECDH-ES+HKDF-256", Scheme::ecdh, nullptr, NID_X9_62_prime256v1, 32},
};

}  // namespace

const AlgInfo* find_alg(std::int64_t alg) noexcept {
    for (const auto& a : kAlgs)
        if (static_cast<std::int64_t>(a.alg) == alg) return &a;
    return nullptr;
}

int ec_curve_nid(const EVP_PKEY* pkey) noexcept {
    if (pkey == nullptr || !EVP_PKEY_is_a(pkey, "EC")) return NID_undef;
    char name[64];
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) != 1) return NID_undef;
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef) nid = EC_curve_nist2nid(name);
    return nid;
}

}  // namespace detail

std::string_view alg_name(Alg alg) noexcept {
    const auto* a = detail::find_alg(static_cast<std::int64_t>(alg));
    return a ? a->name : "unknown";
}

bool is_known_alg(std::int64_t alg) noexcept { return detail::find_alg(alg) != nullptr; }

void PkeyFree::operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
void X509Free::operator()(X509* p) const noexcept { X509_free(p); }

}  // namespace mfa::cose

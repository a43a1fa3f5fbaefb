// Public key components read back from OpenSSL keys, for byte-wise comparisons with TPM and U2F
// encodings.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "formats.hpp"

namespace mfa::att {
namespace {

Bytes bn_bytes(const BIGNUM* bn, std::size_t pad) {
    const std::size_t n = static_cast<std::size_t>(BN_num_bytes(bn));
    Bytes out(std::max(n, pad));
    BN_bn2binpad(bn, out.data(), static_cast<int>(out.size()));
    return out;
}

std::optional<Bytes> get_bn(EVP_PKEY* key, const char* name, std::size_t pad) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    Bytes out = bn_bytes(bn, pad);
    BN_free(bn);
    return out;
}

}  // namespace

std::optional<RsaComponents> rsa_components(EVP_PKEY* key) {
    const int id = EVP_PKEY_get_base_id(key);
    if (id != EVP_PKEY_RSA && id != EVP_PKEY_RSA_PSS) return std::nullopt;
    auto n = get_bn(key, OSSL_PKEY_PARAM_RSA_N, 0);
    auto e = get_bn(key, OSSL_PKEY_PARAM_RSA_E, 0);
    if (!n || !e) return std::nullopt;
    return RsaComponents{std::move(*n), std::move(*e)};
}

std::optional<EcComponents> ec_components(EVP_PKEY* key) {
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return std::nullopt;
    char name[64] = {0};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    const std::size_t field = static_cast<std::size_t>((EVP_PKEY_get_bits(key) + 7) / 8);
    auto x = get_bn(key, OSSL_PKEY_PARAM_EC_PUB_X, field);
    auto y = get_bn(key, OSSL_PKEY_PARAM_EC_PUB_Y, field);
    if (!x || !y) return std::nullopt;
    return EcComponents{std::string(name, len), std::move(*x), std::move(*y)};
}

}  // namespace mfa::att

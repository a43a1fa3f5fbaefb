// The algorithm table shared by key parsing, key encoding and verification. Not installed.
#pragma once

#include <cstddef>
#include <cstdint>

#include <openssl/evp.h>

#include "mfa/cose.hpp"

namespace mfa::cose::detail {

enum class Scheme { ecdsa, eddsa, rsa_pkcs1, rsa_pss, ecdh };

struct AlgInfo {
    Alg alg;
    std::string_view name;
    Scheme scheme;
    const EVP_MD* (*md)();       // nullptr for EdDSA and ECDH
    int curve_nid;               // EC algorithms: the one curve the algorithm is used with
    std::size_t coord_bytes;     // EC: size of a coordinate and of r and s
};

// nullptr for identifiers this library does not implement.
const AlgInfo* find_alg(std::int64_t alg) noexcept;

// The NID of an EC key's curve, or NID_undef.
int ec_curve_nid(const EVP_PKEY* pkey) noexcept;

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

}  // namespace mfa::cose::detail

#include "digest.hpp"

#include <openssl/evp.h>

namespace mfa::webauthn::detail {
namespace {

// Fetched once: an implicit fetch on every EVP_sha256() call costs more than hashing 200 bytes.
const EVP_MD* sha256_md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

}  // namespace

Result<Sha256> sha256(ByteView data) {
    Sha256 out{};
    unsigned int len = 0;
    const EVP_MD* md = sha256_md();
    if (md == nullptr || EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1 || len != out.size())
        return Error(Errc::crypto, "SHA-256 failed");
    return out;
}

}  // namespace mfa::webauthn::detail

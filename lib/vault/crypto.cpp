#include "crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <climits>
#include <memory>

#include "util/argon2_lib.hpp"

namespace mfa::vault_detail {
namespace {

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
    void operator()(EVP_KDF_CTX* c) const noexcept { EVP_KDF_CTX_free(c); }
    void operator()(EVP_KDF* k) const noexcept { EVP_KDF_free(k); }
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

bool sizes_ok(ByteView key, ByteView nonce, ByteView aad, std::size_t data) {
    return key.size() == kKeyBytes && nonce.size() == kNonceBytes && aad.size() < INT_MAX &&
           data < INT_MAX;
}

}  // namespace

Result<Bytes> gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
    if (!sizes_ok(key, nonce, aad, plaintext.size())) return Error(Errc::internal, "gcm_seal: bad sizes");
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return Error(Errc::crypto, "EVP_CIPHER_CTX_new");
    Bytes out(plaintext.size() + kTagBytes);
    int len = 0;
    int total = 0;
    if (EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.data(), nonce.data(), nullptr) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1)
        return Error(Errc::crypto, "AES-256-GCM encrypt");
    total = len;
    if (EVP_EncryptFinal_ex(ctx.get(), out.data() + total, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                            out.data() + plaintext.size()) != 1)
        return Error(Errc::crypto, "AES-256-GCM tag");
    return out;
}

Result<SecretBytes> gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed) {
    if (sealed.size() < kTagBytes || !sizes_ok(key, nonce, aad, sealed.size()))
        return Error(Errc::internal, "gcm_open: bad sizes");
    const std::size_t n = sealed.size() - kTagBytes;
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return Error(Errc::crypto, "EVP_CIPHER_CTX_new");
    SecretBytes out(n);
    int len = 0;
    if (EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key.data(), nonce.data(), nullptr) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data(), static_cast<int>(n)) != 1)
        return Error(Errc::crypto, "AES-256-GCM decrypt");
    // The tag is an input; OpenSSL wants a non-const pointer but does not write through it.
    Bytes tag(sealed.begin() + static_cast<std::ptrdiff_t>(n), sealed.end());
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) != 1)
        return Error(Errc::crypto, "AES-256-GCM set tag");
    int fin = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
        out.clear();
        return Error(Errc::vault_tampered, "GCM tag mismatch");
    }
    return out;
}

Result<SecretBytes> pbkdf2_key(std::string_view password, ByteView salt, std::uint32_t iterations, HashAlg hash) {
    if (iterations == 0 || iterations > INT_MAX || password.size() > INT_MAX || salt.size() > INT_MAX)
        return Error(Errc::internal, "pbkdf2_key: bad sizes");
    const EVP_MD* md = hash == HashAlg::sha1 ? EVP_sha1() : hash == HashAlg::sha256 ? EVP_sha256() : EVP_sha512();
    SecretBytes key(kKeyBytes);
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(), static_cast<int>(salt.size()),
                          static_cast<int>(iterations), md, static_cast<int>(key.size()), key.data()) != 1)
        return Error(Errc::crypto, "PBKDF2");
    return key;
}

Result<SecretBytes> sha256_key(std::string_view password) {
    SecretBytes key(kKeyBytes);
    unsigned int n = 0;
    if (EVP_Digest(password.data(), password.size(), key.data(), &n, EVP_sha256(), nullptr) != 1 || n != kKeyBytes)
        return Error(Errc::crypto, "SHA-256");
    return key;
}

Result<SecretBytes> argon2id_key(std::string_view passphrase, ByteView salt, const KdfParams& p) {
    MFA_TRY(check_kdf_params(p, true));
    const auto& argon2 = mfa::detail::libargon2();
    if (!argon2) return argon2.error();
    SecretBytes key(kKeyBytes);
    const int rc = argon2->argon2id_hash_raw(p.passes, p.memory_kib, p.lanes, passphrase.data(), passphrase.size(),
                                     salt.data(), salt.size(), key.data(), key.size());
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return Error(Errc::no_memory, "Argon2id could not allocate " + std::to_string(p.memory_kib) + " KiB");
    if (rc != ARGON2_OK) return Error(Errc::crypto, std::string("Argon2id: ") + argon2->argon2_error_message(rc));
    return key;
}

Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, std::string_view info) {
    std::unique_ptr<EVP_KDF, CtxFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    if (!kdf) return Error(Errc::crypto, "HKDF unavailable");
    std::unique_ptr<EVP_KDF_CTX, CtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx) return Error(Errc::crypto, "EVP_KDF_CTX_new");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()), ikm.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
        OSSL_PARAM_construct_end(),
    };
    SecretBytes out(kKeyBytes);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
        return Error(Errc::crypto, "HKDF-SHA256 derive");
    return out;
}

std::array<std::uint8_t, kCheckBytes> region_check(ByteView data) {
    static constexpr std::string_view kDomain = "mfa-vault-check-v1";
    std::array<std::uint8_t, kCheckBytes> out{};
    std::uint8_t md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    // Failure of SHA-256 leaves the check all-zero, which then fails to match: a clear, safe outcome.
    if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1 &&
        EVP_DigestUpdate(ctx.get(), kDomain.data(), kDomain.size()) == 1 &&
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
        EVP_DigestFinal_ex(ctx.get(), md, &md_len) == 1 && md_len >= kCheckBytes) {
        for (std::size_t i = 0; i < kCheckBytes; ++i) out[i] = md[i];
    }
    return out;
}

}  // namespace mfa::vault_detail

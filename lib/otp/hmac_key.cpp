#include "hmac_key.hpp"

#include <openssl/crypto.h>

#include <array>
#include <memory>

namespace mfa::detail {
namespace {

constexpr std::size_t kMaxBlockBytes = 128;  // SHA-512's block

EVP_MD* fetch_named(const char* name) noexcept { return EVP_MD_fetch(nullptr, name, nullptr); }

// Wipes a stack buffer that held key material when the scope ends.
template <std::size_t N>
struct Wiped {
    std::array<std::uint8_t, N> b{};
    ~Wiped() { OPENSSL_cleanse(b.data(), b.size()); }
};

}  // namespace

const EVP_MD* fetch_md(HashAlg alg) noexcept {
    // Function-local statics: fetched once, thread-safe initialisation, kept for the process.
    switch (alg) {
        case HashAlg::sha1: {
            static EVP_MD* const md = fetch_named("SHA1");
            return md;
        }
        case HashAlg::sha256: {
            static EVP_MD* const md = fetch_named("SHA256");
            return md;
        }
        case HashAlg::sha512: {
            static EVP_MD* const md = fetch_named("SHA512");
            return md;
        }
    }
    return nullptr;
}

Result<HmacKeyPtr> HmacKey::create(ByteView key, HashAlg alg) {
    const EVP_MD* md = fetch_md(alg);
    if (md == nullptr) return Error{Errc::crypto, "EVP_MD_fetch failed for " + std::string(to_string(alg))};
    const int block = EVP_MD_get_block_size(md);
    const int size = EVP_MD_get_size(md);
    if (block <= 0 || static_cast<std::size_t>(block) > kMaxBlockBytes || size <= 0 ||
        static_cast<std::size_t>(size) > kMaxMacBytes)
        return Error{Errc::internal, "unexpected digest block or output size"};
    const auto block_size = static_cast<std::size_t>(block);

    // RFC 2104 §2: a key longer than the block is hashed first; a shorter one is zero-padded.
    Wiped<kMaxBlockBytes> k0;
    if (key.size() > block_size) {
        unsigned int n = 0;
        if (EVP_Digest(key.data(), key.size(), k0.b.data(), &n, md, nullptr) != 1)
            return Error{Errc::crypto, "hashing the long HMAC key failed"};
    } else if (!key.empty()) {
        std::copy(key.begin(), key.end(), k0.b.begin());
    }

    HmacKeyPtr k(new HmacKey);
    k->mac_size_ = static_cast<std::size_t>(size);
    k->inner_ = EVP_MD_CTX_new();
    k->outer_ = EVP_MD_CTX_new();
    if (k->inner_ == nullptr || k->outer_ == nullptr) return Error{Errc::crypto, "EVP_MD_CTX_new failed"};

    Wiped<kMaxBlockBytes> pad;
    for (std::size_t i = 0; i < block_size; ++i) pad.b[i] = static_cast<std::uint8_t>(k0.b[i] ^ 0x36);
    if (EVP_DigestInit_ex2(k->inner_, md, nullptr) != 1 || EVP_DigestUpdate(k->inner_, pad.b.data(), block_size) != 1)
        return Error{Errc::crypto, "HMAC inner key state failed"};
    for (std::size_t i = 0; i < block_size; ++i) pad.b[i] = static_cast<std::uint8_t>(k0.b[i] ^ 0x5c);
    if (EVP_DigestInit_ex2(k->outer_, md, nullptr) != 1 || EVP_DigestUpdate(k->outer_, pad.b.data(), block_size) != 1)
        return Error{Errc::crypto, "HMAC outer key state failed"};
    return k;
}

HmacKey::~HmacKey() {
    // EVP_MD_CTX_free wipes the provider's hash state before releasing it.
    EVP_MD_CTX_free(inner_);
    EVP_MD_CTX_free(outer_);
}

bool HmacKey::mac(HmacScratch& s, std::uint64_t counter, std::uint8_t* out) const noexcept {
    std::uint8_t msg[8];
    for (int i = 7; i >= 0; --i) {
        msg[i] = static_cast<std::uint8_t>(counter & 0xff);
        counter >>= 8;
    }
    EVP_MD_CTX* w = s.get();
    unsigned int n = 0;
    // Two compressions: (ipad state, counter) then (opad state, inner digest). Each copy makes
    // OpenSSL 3.0 allocate and free its provider context; mfakit itself allocates nothing.
    if (EVP_MD_CTX_copy_ex(w, inner_) != 1 || EVP_DigestUpdate(w, msg, sizeof msg) != 1 ||
        EVP_DigestFinal_ex(w, out, &n) != 1)
        return false;
    if (EVP_MD_CTX_copy_ex(w, outer_) != 1 || EVP_DigestUpdate(w, out, n) != 1 ||
        EVP_DigestFinal_ex(w, out, &n) != 1)
        return false;
    return n == mac_size_;
}

void HmacKeyFree::operator()(HmacKey* k) const noexcept { delete k; }

}  // namespace mfa::detail

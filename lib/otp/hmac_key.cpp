// The low-level SHA functions are deprecated in OpenSSL 3.0; hmac_key.hpp says why they are used.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hmac_key.hpp"

#include "code_ct.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cstring>
#include <memory>

namespace mfa::detail {
namespace {

EVP_MD* fetch_named(const char* name) noexcept { return EVP_MD_fetch(nullptr, name, nullptr); }

// Wipes a stack buffer that held key material when the scope ends.
template <std::size_t N>
struct Wiped {
    std::array<std::uint8_t, N> b{};
    ~Wiped() { OPENSSL_cleanse(b.data(), b.size()); }
};

}  // namespace

// Starts a state and absorbs one padded-key block.
static void absorb_block(HashAlg alg, HmacKey::State& st, const std::uint8_t* block, std::size_t n) noexcept {
    switch (alg) {
        case HashAlg::sha1:
            SHA1_Init(&st.sha1);
            SHA1_Update(&st.sha1, block, n);
            break;
        case HashAlg::sha256:
            SHA256_Init(&st.sha256);
            SHA256_Update(&st.sha256, block, n);
            break;
        case HashAlg::sha512:
            SHA512_Init(&st.sha512);
            SHA512_Update(&st.sha512, block, n);
            break;
    }
}

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
    k->alg_ = alg;
    k->mac_size_ = static_cast<std::size_t>(size);

    Wiped<kMaxBlockBytes> pad;
    for (std::size_t i = 0; i < block_size; ++i) pad.b[i] = static_cast<std::uint8_t>(k0.b[i] ^ 0x36);
    absorb_block(alg, k->inner_, pad.b.data(), block_size);
    for (std::size_t i = 0; i < block_size; ++i) pad.b[i] = static_cast<std::uint8_t>(k0.b[i] ^ 0x5c);
    absorb_block(alg, k->outer_, pad.b.data(), block_size);
    return k;
}

HmacKey::~HmacKey() {
    OPENSSL_cleanse(&inner_, sizeof inner_);
    OPENSSL_cleanse(&outer_, sizeof outer_);
}

HmacKey::Scratch::~Scratch() { OPENSSL_cleanse(this, sizeof *this); }

namespace {

void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

void store_be64(std::uint8_t* p, std::uint64_t v) noexcept {
    store_be32(p, static_cast<std::uint32_t>(v >> 32));
    store_be32(p + 4, static_cast<std::uint32_t>(v));
}

// One final block (FIPS 180-4 §5.1): the message, 0x80, zeros, and the bit length of everything
// hashed (the key block before it included) in the last 8 bytes (16 for SHA-512; the high half is
// zero here). The message is at most 64 bytes, so it always fits in one block.
void pad_block(std::uint8_t* block, std::size_t block_size, const std::uint8_t* msg, std::size_t n) noexcept {
    std::memcpy(block, msg, n);
    block[n] = 0x80;
    std::memset(block + n + 1, 0, block_size - n - 1 - 8);
    store_be64(block + block_size - 8, static_cast<std::uint64_t>(block_size + n) * 8u);
}

}  // namespace

void HmacKey::mac(Scratch& s, std::uint64_t counter) const noexcept {
    std::uint8_t msg[8];
    store_be64(msg, counter);
    std::uint8_t* out = s.mac;
    State& w = s.w;
    // Two compressions: ipad state + padded counter, then opad state + padded inner digest.
    switch (alg_) {
        case HashAlg::sha1: {
            pad_block(s.block, SHA_CBLOCK, msg, sizeof msg);
            w.sha1 = inner_.sha1;
            SHA1_Transform(&w.sha1, s.block);
            const std::uint32_t* hv[] = {&w.sha1.h0, &w.sha1.h1, &w.sha1.h2, &w.sha1.h3, &w.sha1.h4};
            for (int i = 0; i < 5; ++i) store_be32(out + 4 * i, *hv[i]);
            pad_block(s.block, SHA_CBLOCK, out, SHA_DIGEST_LENGTH);
            w.sha1 = outer_.sha1;
            SHA1_Transform(&w.sha1, s.block);
            for (int i = 0; i < 5; ++i) store_be32(out + 4 * i, *hv[i]);
            break;
        }
        case HashAlg::sha256:
            pad_block(s.block, SHA256_CBLOCK, msg, sizeof msg);
            w.sha256 = inner_.sha256;
            SHA256_Transform(&w.sha256, s.block);
            for (int i = 0; i < 8; ++i) store_be32(out + 4 * i, w.sha256.h[i]);
            pad_block(s.block, SHA256_CBLOCK, out, SHA256_DIGEST_LENGTH);
            w.sha256 = outer_.sha256;
            SHA256_Transform(&w.sha256, s.block);
            for (int i = 0; i < 8; ++i) store_be32(out + 4 * i, w.sha256.h[i]);
            break;
        case HashAlg::sha512:
            pad_block(s.block, SHA512_CBLOCK, msg, sizeof msg);
            w.sha512 = inner_.sha512;
            SHA512_Transform(&w.sha512, s.block);
            for (int i = 0; i < 8; ++i) store_be64(out + 8 * i, w.sha512.h[i]);
            pad_block(s.block, SHA512_CBLOCK, out, SHA512_DIGEST_LENGTH);
            w.sha512 = outer_.sha512;
            SHA512_Transform(&w.sha512, s.block);
            for (int i = 0; i < 8; ++i) store_be64(out + 8 * i, w.sha512.h[i]);
            break;
    }
}

std::uint32_t HmacKey::value_at(Scratch& s, std::uint64_t counter) const noexcept {
    mac(s, counter);
    return truncate_ct(s.mac, mac_size_);
}

void HmacKeyFree::operator()(HmacKey* k) const noexcept { delete k; }

}  // namespace mfa::detail

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
    // Block and digest sizes from FIPS 180-4 rather than from a fetched EVP_MD: the first fetch
    // initialises OpenSSL's providers, about 2 ms of every `mfa code` process (performance.md,
    // Start-up). A key longer than the block still goes through EVP (rare: RFC 2104 §3).
    const std::size_t block_size = alg == HashAlg::sha512 ? 128 : 64;
    const std::size_t size = alg == HashAlg::sha1 ? 20 : alg == HashAlg::sha256 ? 32 : 64;
    static_assert(kMaxBlockBytes >= 128 && kMaxMacBytes >= 64);

    // RFC 2104 §2: a key longer than the block is hashed first; a shorter one is zero-padded.
    Wiped<kMaxBlockBytes> k0;
    if (key.size() > block_size) {
        const EVP_MD* md = fetch_md(alg);
        if (md == nullptr) return Error{Errc::crypto, "EVP_MD_fetch failed for " + std::string(to_string(alg))};
        unsigned int n = 0;
        if (EVP_Digest(key.data(), key.size(), k0.b.data(), &n, md, nullptr) != 1 || n != size)
            return Error{Errc::crypto, "hashing the long HMAC key failed"};
    } else if (!key.empty()) {
        std::copy(key.begin(), key.end(), k0.b.begin());
    }

    HmacKeyPtr k(new HmacKey);
    k->alg_ = alg;
    k->mac_size_ = size;

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

// The counter block holds only the counter and padding (public); the state and the inner digest are
// what is secret.
HmacKey::Scratch::~Scratch() {
    OPENSSL_cleanse(&w, sizeof w);
    OPENSSL_cleanse(digest_block, kMaxMacBytes);
}

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

void copy_chain(SHA_CTX& to, const SHA_CTX& from) noexcept {
    to.h0 = from.h0, to.h1 = from.h1, to.h2 = from.h2, to.h3 = from.h3, to.h4 = from.h4;
}

std::uint64_t join(std::uint32_t hi, std::uint32_t lo) noexcept { return (std::uint64_t{hi} << 32) | lo; }

// The padding of a final block whose message is n bytes (FIPS 180-4 §5.1): 0x80, zeros, and the bit
// length of everything hashed (the key block before it included) in the last 8 bytes (16 for
// SHA-512; the high half is zero here). The messages are at most 64 bytes, so one block holds them.
void pad_block(std::uint8_t* block, std::size_t block_size, std::size_t n) noexcept {
    std::memset(block, 0, block_size);
    block[n] = 0x80;
    store_be64(block + block_size - 8, static_cast<std::uint64_t>(block_size + n) * 8u);
}

}  // namespace

// The state is not initialised: value_at copies a keyed state into it before every use.
HmacKey::Scratch::Scratch(const HmacKey& k) noexcept {
    const std::size_t block = k.alg_ == HashAlg::sha512 ? SHA512_CBLOCK : SHA_CBLOCK;  // SHA_CBLOCK == SHA256_CBLOCK
    pad_block(counter_block, block, 8);
    pad_block(digest_block, block, k.mac_size_);
}

// Per candidate: write the counter, one compression from the ipad state, write the inner digest,
// one compression from the opad state. SHA*_Transform reads and updates only the chaining values,
// so the rest of the copied state is never looked at. The MAC's bytes 0..18 (all that truncation
// can reach) and its last byte are read straight from the final chaining words, which hold the
// digest big-endian.
std::uint32_t HmacKey::value_at(Scratch& s, std::uint64_t counter) const noexcept {
    State& w = s.w;
    store_be64(s.counter_block, counter);
    switch (alg_) {
        case HashAlg::sha1: {
            copy_chain(w.sha1, inner_.sha1);
            SHA1_Transform(&w.sha1, s.counter_block);
            const std::uint32_t h[5] = {w.sha1.h0, w.sha1.h1, w.sha1.h2, w.sha1.h3, w.sha1.h4};
            for (int i = 0; i < 5; ++i) store_be32(s.digest_block + 4 * i, h[i]);
            copy_chain(w.sha1, outer_.sha1);
            SHA1_Transform(&w.sha1, s.digest_block);
            return truncate_words_ct(join(w.sha1.h0, w.sha1.h1), join(w.sha1.h2, w.sha1.h3), join(w.sha1.h4, 0),
                                     w.sha1.h4 & 0x0fu);
        }
        case HashAlg::sha256:
            w.sha256 = inner_.sha256;
            SHA256_Transform(&w.sha256, s.counter_block);
            for (int i = 0; i < 8; ++i) store_be32(s.digest_block + 4 * i, w.sha256.h[i]);
            w.sha256 = outer_.sha256;
            SHA256_Transform(&w.sha256, s.digest_block);
            return truncate_words_ct(join(w.sha256.h[0], w.sha256.h[1]), join(w.sha256.h[2], w.sha256.h[3]),
                                     join(w.sha256.h[4], w.sha256.h[5]), w.sha256.h[7] & 0x0fu);
        case HashAlg::sha512:
            w.sha512 = inner_.sha512;
            SHA512_Transform(&w.sha512, s.counter_block);
            for (int i = 0; i < 8; ++i) store_be64(s.digest_block + 8 * i, w.sha512.h[i]);
            w.sha512 = outer_.sha512;
            SHA512_Transform(&w.sha512, s.digest_block);
            return truncate_words_ct(w.sha512.h[0], w.sha512.h[1], w.sha512.h[2],
                                     static_cast<std::uint32_t>(w.sha512.h[7]) & 0x0fu);
    }
    return 0;
}

void HmacKeyFree::operator()(HmacKey* k) const noexcept { delete k; }

}  // namespace mfa::detail

// HMAC with the key schedule done once: the hash states after absorbing (key ^ ipad) and
// (key ^ opad) are kept, so each MAC of an 8-byte counter costs two compressions instead of four.
//
// This is RFC 2104 HMAC composed from OpenSSL EVP digests (EVP_MD_CTX_copy_ex of a keyed state);
// no hash primitive is written here. Tests check it against OpenSSL's own HMAC on every algorithm.
// Internal to lib/otp.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/otp.hpp"

namespace mfa::detail {

inline constexpr std::size_t kMaxMacBytes = 64;  // SHA-512

// A work context for HmacKey::mac, one per thread of use (HmacKey itself is read-only after
// creation, so one Otp can be verified from several threads at once).
class HmacScratch {
public:
    HmacScratch() noexcept : ctx_(EVP_MD_CTX_new()) {}
    HmacScratch(const HmacScratch&) = delete;
    HmacScratch& operator=(const HmacScratch&) = delete;
    // EVP_MD_CTX_free wipes the provider's hash state (OPENSSL_clear_free).
    ~HmacScratch() { EVP_MD_CTX_free(ctx_); }
    bool ok() const noexcept { return ctx_ != nullptr; }
    EVP_MD_CTX* get() const noexcept { return ctx_; }

private:
    EVP_MD_CTX* ctx_;
};

class HmacKey;
using HmacKeyPtr = std::unique_ptr<HmacKey, HmacKeyFree>;

class HmacKey {
public:
    static Result<HmacKeyPtr> create(ByteView key, HashAlg alg);
    HmacKey(const HmacKey&) = delete;
    HmacKey& operator=(const HmacKey&) = delete;
    ~HmacKey();

    std::size_t mac_size() const noexcept { return mac_size_; }
    // HMAC(key, counter as 8 big-endian bytes) into out (kMaxMacBytes); false if OpenSSL fails.
    [[nodiscard]] bool mac(HmacScratch& s, std::uint64_t counter, std::uint8_t* out) const noexcept;

private:
    HmacKey() = default;
    EVP_MD_CTX* inner_ = nullptr;  // after absorbing key ^ ipad
    EVP_MD_CTX* outer_ = nullptr;  // after absorbing key ^ opad
    std::size_t mac_size_ = 0;
};

// The code for one counter into out (kMaxDigits chars: digits decimal digits or 5 Steam
// characters); false if OpenSSL fails. Shared by generate and verify so that both run the same
// constant-time path (lib/otp/otp.cpp).
[[nodiscard]] bool code_at(const HmacKey& k, HmacScratch& s, OtpType type, unsigned digits,
                           std::uint64_t counter, char* out) noexcept;

// The EVP_MD for alg, fetched once per process (fetching per call costs a lock and a lookup).
const EVP_MD* fetch_md(HashAlg alg) noexcept;

}  // namespace mfa::detail

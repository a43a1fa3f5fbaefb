// HMAC with the key schedule done once: the hash states after absorbing (key ^ ipad) and
// (key ^ opad) are kept, so each MAC of an 8-byte counter costs two compressions instead of four,
// and the truncated value is read from the final chaining words without writing the MAC out.
//
// This is RFC 2104 HMAC composed from OpenSSL's SHA compression functions (SHA*_Transform); the
// only thing written here is FIPS 180-4 message padding, which is fixed because the messages have
// fixed lengths (an 8-byte counter, then the inner digest). libcrypto's low-level SHA API is used
// rather than EVP because a keyed state must be copied for every candidate of a verification
// window, and OpenSSL 3.0's EVP_MD_CTX_copy_ex allocates, copies and frees a provider context on
// each copy: that made verification 2-3x slower and put the heap on the verify path
// (docs/performance.md). The consequence, stated in docs/SECURITY.md: OTP HMACs do not go through
// a FIPS provider.
// Tests check the result against OpenSSL's own HMAC on every algorithm. Internal to lib/otp.
#pragma once

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/otp.hpp"

namespace mfa::detail {

inline constexpr std::size_t kMaxMacBytes = 64;     // SHA-512
inline constexpr std::size_t kMaxBlockBytes = 128;  // SHA-512's block

class HmacKey;
using HmacKeyPtr = std::unique_ptr<HmacKey, HmacKeyFree>;

class HmacKey {
public:
    static Result<HmacKeyPtr> create(ByteView key, HashAlg alg);
    HmacKey(const HmacKey&) = delete;
    HmacKey& operator=(const HmacKey&) = delete;
    ~HmacKey();

    union State {
        SHA_CTX sha1;
        SHA256_CTX sha256;
        SHA512_CTX sha512;
    };

    // The working memory of one window, on the caller's stack: the two final blocks with their
    // fixed FIPS 180-4 padding written once (only the counter and the inner digest change from one
    // candidate to the next) and the working state. Wiped once when the caller is done with the
    // whole window rather than after every candidate.
    struct Scratch {
        explicit Scratch(const HmacKey& k) noexcept;
        Scratch(const Scratch&) = delete;
        Scratch& operator=(const Scratch&) = delete;
        ~Scratch();
        State w;
        std::uint8_t counter_block[kMaxBlockBytes];  // the 8-byte counter, then padding
        std::uint8_t digest_block[kMaxBlockBytes];   // the inner digest, then padding
    };

    // Dynamic truncation (RFC 4226 §5.3) of HMAC(key, counter as 8 big-endian bytes): the 31-bit
    // value. Allocates nothing: the keyed states are copied by value into the scratch. The key is
    // read-only, so one key can be used from several threads at once (each with its own scratch).
    std::uint32_t value_at(Scratch& s, std::uint64_t counter) const noexcept;

private:
    HmacKey() = default;
    HashAlg alg_ = HashAlg::sha1;
    State inner_{};  // after absorbing key ^ ipad
    State outer_{};  // after absorbing key ^ opad
    std::size_t mac_size_ = 0;
};

// The code for one counter into out (kMaxDigits chars: digits decimal digits or 5 Steam
// characters). Shared by generate and verify so that both run the same constant-time path
// (lib/otp/otp.cpp).
void code_at(const HmacKey& k, OtpType type, unsigned digits, std::uint64_t counter, char* out) noexcept;

// The EVP_MD for alg, fetched once per process (fetching per call costs a lock and a lookup).
const EVP_MD* fetch_md(HashAlg alg) noexcept;

}  // namespace mfa::detail

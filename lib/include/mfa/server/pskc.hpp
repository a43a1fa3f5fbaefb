// PSKC (RFC 6030), the files vendors ship with hardware OTP tokens: a KeyContainer of KeyPackages,
// each a token's serial number, algorithm (HOTP or TOTP), response format, counter or time step and
// its secret, in the clear (PlainValue) or encrypted (EncryptedValue, AES-CBC with the IV in front,
// RFC 6030 §6.1) under a pre-shared key (§6.1, ds:KeyName) or a key derived from a passphrase with
// PBKDF2 (§6.2, xenc11:DerivedKey), with an HMAC (MACMethod; the MAC key itself encrypted under the
// same key) over each encrypted value, checked before anything is decrypted.
//
// libpskc (Debian libpskc-dev; Meson feature `pskc`) reads the container and the key packages; it
// does not decrypt, so the encryption parts (EncryptionKey, MACMethod, EncryptedValue, ValueMAC) are
// read here with libxml2, which libpskc is built on, and decrypted with OpenSSL. In a build without
// libpskc parse_pskc answers unsupported. Input with a DTD is refused (no entity expansion).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/otp.hpp"
#include "mfa/secret.hpp"

namespace mfa::server {

inline constexpr std::size_t kMaxPskcBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxPskcKeys = 10000;
inline constexpr std::uint32_t kMaxPskcPbkdf2Iterations = 10'000'000;

// How an encrypted container is opened: the pre-shared key (16, 24 or 32 bytes), or the passphrase
// PBKDF2 derives it from. Plain containers need neither; an encrypted one without the right one
// fails (pskc_invalid when neither is given, pskc_decrypt / pskc_mac when it is wrong).
struct PskcDecryption {
    std::optional<SecretBytes> key;
    std::optional<SecretString> passphrase;
};

struct PskcKey {
    std::string serial;         // DeviceInfo/SerialNo, else the Key Id attribute
    std::string key_id;
    std::string manufacturer, model, issuer;
    OtpType type = OtpType::hotp;
    HashAlg algorithm = HashAlg::sha1;  // AlgorithmParameters/Suite "HMAC-SHA256" ... (default SHA-1)
    unsigned digits = 6;        // ResponseFormat Length (DECIMAL only)
    std::uint32_t period = 30;  // TimeInterval
    std::int64_t t0 = 0;
    std::uint64_t counter = 0;  // Counter
    SecretBytes secret;
};

// Errors: unsupported (built without libpskc), limit_exceeded, pskc_invalid (the detail names the
// key package and element), pskc_algorithm, pskc_decrypt, pskc_mac.
Result<std::vector<PskcKey>> parse_pskc(std::string_view xml, const PskcDecryption& keys);

}  // namespace mfa::server

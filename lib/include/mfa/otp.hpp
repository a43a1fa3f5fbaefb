// One-time passwords: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes.
//
// An Otp holds a validated secret, its parameters and the precomputed HMAC key state. Verifying is
// constant-time (every candidate of the window is computed and compared, with no early exit) and
// returns a Verification instead of an Error so that the hot path builds no strings: mfakit
// allocates nothing while generating or verifying. (OpenSSL 3.0's EVP allocates and frees its
// digest context on each state copy, two per candidate; tests/otp_alloc_test.cpp counts both.)
// docs/otp.md is the manual.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa {

namespace detail {
class HmacKey;  // precomputed HMAC inner/outer hash states for the secret (lib/otp/hmac_key.hpp)
struct HmacKeyFree {
    void operator()(HmacKey*) const noexcept;
};
}  // namespace detail

enum class HashAlg : std::uint8_t { sha1, sha256, sha512 };
enum class OtpType : std::uint8_t { totp, hotp, steam };

std::string_view to_string(HashAlg) noexcept;   // "SHA1", "SHA256", "SHA512"
std::string_view to_string(OtpType) noexcept;   // "totp", "hotp", "steam"

// Limits, stated once and enforced by Otp::create.
inline constexpr unsigned kMinDigits = 4;
inline constexpr unsigned kMaxDigits = 10;
inline constexpr unsigned kSteamDigits = 5;
inline constexpr std::size_t kMinSecretBytes = 1;     // RFC 4226 asks for >= 16; real sites use 10
inline constexpr std::size_t kMaxSecretBytes = 1024;
inline constexpr std::size_t kDefaultSecretBytes = 20;  // 160 bits (RFC 4226 R6)
inline constexpr std::uint32_t kMaxPeriod = 86400;
inline constexpr unsigned kMaxWindow = 50;             // per side: bounded work per verification
inline constexpr unsigned kMaxLookAhead = 2 * kMaxWindow;  // HOTP verify_hotp look-ahead
inline constexpr unsigned kMaxResyncLookAhead = 1000;  // HOTP resync_hotp (RFC 4226 §7.4: larger, rarer)

struct OtpParams {
    OtpType type = OtpType::totp;
    HashAlg algorithm = HashAlg::sha1;  // Steam requires sha1
    unsigned digits = 6;         // 4..10; ignored for Steam, which is always 5 characters (create sets 5)
    std::uint32_t period = 30;   // seconds, 1..kMaxPeriod (totp, steam)
    std::int64_t t0 = 0;         // Unix time of step 0 (totp, steam)
    std::uint64_t counter = 0;   // the next counter to use (hotp)
};

// Checks params against the limits above, naming the field that is out of range.
Status validate(const OtpParams& p);

// A code as text, without heap allocation: up to 10 characters.
class Code {
public:
    std::string_view view() const noexcept { return {chars_.data(), len_}; }
    std::size_t size() const noexcept { return len_; }
    bool operator==(std::string_view s) const noexcept { return view() == s; }
    void assign(const char* p, std::size_t n) noexcept;  // n <= kMaxDigits

private:
    std::array<char, kMaxDigits + 1> chars_{};
    std::uint8_t len_ = 0;
};

// Outcome of a TOTP (or Steam) verification.
struct TotpVerification {
    // ok, otp_code_format, otp_code_mismatch, otp_code_replayed, invalid_argument (a window side
    // above kMaxWindow, or an HOTP Otp)
    Errc status = Errc::otp_code_mismatch;
    std::int64_t matched_step = 0;          // the time step the code belongs to (when ok or replayed)
    std::int64_t drift = 0;                 // matched_step minus the current step (-past .. +future)
    bool ok() const noexcept { return status == Errc::ok; }
};

// Outcome of an HOTP verification.
struct HotpVerification {
    Errc status = Errc::otp_code_mismatch;  // ok, otp_code_format, otp_code_mismatch, invalid_argument
    std::uint64_t matched_counter = 0;  // the counter the code was made with (the second code's, for resync)
    std::uint64_t next_counter = 0;     // matched_counter + 1: what the server stores (resynchronisation)
    bool ok() const noexcept { return status == Errc::ok; }
};

// The accepted window around the current step. Asymmetric windows are allowed; each side is at most
// kMaxWindow steps.
struct Window {
    unsigned past = 1;
    unsigned future = 1;
};

class Otp {
public:
    // Validates the parameters and the secret length (kMinSecretBytes..kMaxSecretBytes), then
    // precomputes the HMAC key state once so that generating and verifying cost two hash
    // compressions per candidate. Errors: invalid_argument (the detail names the field),
    // otp_secret_too_short, otp_secret_too_long, crypto.
    static Result<Otp> create(SecretBytes secret, const OtpParams& params);
    Otp(Otp&&) noexcept;
    Otp& operator=(Otp&&) noexcept;
    ~Otp();

    const OtpParams& params() const noexcept { return p_; }
    ByteView secret() const noexcept { return s_.view(); }
    // Sets the next HOTP counter (after a verification moved it, say).
    void set_counter(std::uint64_t c) noexcept { p_.counter = c; }

    // TOTP/Steam: the time step for a Unix time: floor((t - t0) / period), also before t0 and past 2038.
    std::int64_t time_step(std::int64_t unix_time) const noexcept;
    // Seconds until the code for unix_time stops being the current one (1..period).
    std::uint32_t seconds_left(std::int64_t unix_time) const noexcept;

    // The code at a Unix time (totp, steam) or the code for the stored counter (hotp). Neither
    // generating nor verifying allocates (tests/otp_alloc_test.cpp counts both C++ and OpenSSL
    // allocations).
    Code generate(std::int64_t unix_time) const noexcept;
    // The code for an explicit time step (totp, steam) or counter (hotp). A negative step (a time
    // before t0) is passed as its two's complement: at_step(static_cast<std::uint64_t>(step)).
    Code at_step(std::uint64_t step_or_counter) const noexcept;

    // TOTP/Steam verification at Unix time `now`. When last_step is given, a code that matches a step at
    // or before it is reported as otp_code_replayed (its own error, not a mismatch). Every candidate in
    // the window is computed and compared with a constant-time equal; no early exit.
    TotpVerification verify(std::string_view code, std::int64_t now, Window window = {},
                             std::optional<std::int64_t> last_step = std::nullopt) const noexcept;

    // HOTP verification against counters params().counter .. params().counter + look_ahead
    // (look_ahead <= kMaxLookAhead). Constant-time over the whole look-ahead.
    HotpVerification verify_hotp(std::string_view code, unsigned look_ahead = 0) const noexcept;

    // HOTP resynchronisation (RFC 4226 §7.4): the user sends two consecutive codes; they are
    // accepted when some counter c in params().counter .. params().counter + look_ahead gives
    // code1 and c + 1 gives code2 (look_ahead <= kMaxResyncLookAhead). On success matched_counter
    // is c + 1 and next_counter c + 2. Constant-time over the whole range like verify_hotp.
    HotpVerification resync_hotp(std::string_view code1, std::string_view code2,
                                 unsigned look_ahead) const noexcept;

private:
    Otp(SecretBytes s, const OtpParams& p, std::unique_ptr<detail::HmacKey, detail::HmacKeyFree> k);
    SecretBytes s_;
    OtpParams p_;
    std::unique_ptr<detail::HmacKey, detail::HmacKeyFree> k_;
};

// The RFC 4226 building blocks, exposed for tests and for callers with their own key handling.
// HMAC(key, counter as 8 big-endian bytes) with the given hash; out must hold 64 bytes; returns the MAC
// length, or 0 if OpenSSL fails. A one-shot EVP_Q_mac, independent of Otp's cached key state.
std::size_t hotp_hmac(ByteView key, HashAlg alg, std::uint64_t counter, std::uint8_t* out) noexcept;
// Dynamic truncation (RFC 4226 §5.3): the 31-bit value. mac_len >= 20. The offset byte is
// secret-derived, so the four bytes are selected with masks rather than an index.
std::uint32_t hotp_truncate(const std::uint8_t* mac, std::size_t mac_len) noexcept;

// Generates a fresh secret from the CSPRNG (default 160 bits).
Result<SecretBytes> generate_secret(std::size_t bytes = kDefaultSecretBytes);

}  // namespace mfa

// One-time passwords: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes.
//
// An Otp holds a validated secret and parameters. Generating cannot fail once it exists; verifying
// is constant-time (every candidate of the window is computed and compared, with no early exit),
// allocation-free, and returns a Verification instead of an Error so that the hot path never
// touches the heap. docs/otp.md is the manual.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa {

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

struct OtpParams {
    OtpType type = OtpType::totp;
    HashAlg algorithm = HashAlg::sha1;
    unsigned digits = 6;         // 4..10; Steam is always 5 characters
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
    Errc status = Errc::otp_code_mismatch;  // ok, otp_code_format, otp_code_mismatch, otp_code_replayed, invalid_argument
    std::int64_t matched_step = 0;          // the time step the code belongs to (when ok or replayed)
    std::int64_t drift = 0;                 // matched_step minus the current step (-past .. +future)
    bool ok() const noexcept { return status == Errc::ok; }
};

// Outcome of an HOTP verification.
struct HotpVerification {
    Errc status = Errc::otp_code_mismatch;
    std::uint64_t matched_counter = 0;  // the counter the code was made with
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
    // Validates the parameters and the secret length (kMinSecretBytes..kMaxSecretBytes).
    static Result<Otp> create(SecretBytes secret, const OtpParams& params);

    const OtpParams& params() const noexcept { return p_; }
    ByteView secret() const noexcept { return s_.view(); }
    // Sets the next HOTP counter (after a verification moved it, say).
    void set_counter(std::uint64_t c) noexcept { p_.counter = c; }

    // TOTP/Steam: the time step for a Unix time: floor((t - t0) / period), also before t0 and past 2038.
    std::int64_t time_step(std::int64_t unix_time) const noexcept;
    // Seconds until the code for unix_time stops being the current one (1..period).
    std::uint32_t seconds_left(std::int64_t unix_time) const noexcept;

    // The code at a Unix time (totp, steam) or the code for the stored counter (hotp).
    Code generate(std::int64_t unix_time) const noexcept;
    // The code for an explicit time step (totp, steam) or counter (hotp).
    Code at_step(std::uint64_t step_or_counter) const noexcept;

    // TOTP/Steam verification at Unix time `now`. When last_step is given, a code that matches a step at
    // or before it is reported as otp_code_replayed (its own error, not a mismatch). Every candidate in
    // the window is computed and compared with a constant-time equal; no early exit.
    TotpVerification verify(std::string_view code, std::int64_t now, Window window = {},
                             std::optional<std::int64_t> last_step = std::nullopt) const noexcept;

    // HOTP verification against counters params().counter .. params().counter + look_ahead
    // (look_ahead <= kMaxWindow * 2). Constant-time over the whole look-ahead.
    HotpVerification verify_hotp(std::string_view code, unsigned look_ahead = 0) const noexcept;

private:
    Otp(SecretBytes s, const OtpParams& p) : s_(std::move(s)), p_(p) {}
    SecretBytes s_;
    OtpParams p_;
};

// The RFC 4226 building blocks, exposed for tests and for callers with their own key handling.
// HMAC(key, counter as 8 big-endian bytes) with the given hash; out must hold 64 bytes; returns the MAC length.
std::size_t hotp_hmac(ByteView key, HashAlg alg, std::uint64_t counter, std::uint8_t* out) noexcept;
// Dynamic truncation (RFC 4226 §5.3): the 31-bit value.
std::uint32_t hotp_truncate(const std::uint8_t* mac, std::size_t mac_len) noexcept;

// Generates a fresh secret from the CSPRNG (default 160 bits).
Result<SecretBytes> generate_secret(std::size_t bytes = kDefaultSecretBytes);

}  // namespace mfa

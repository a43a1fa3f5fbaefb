// Otp: parameters, time steps and code generation (HOTP RFC 4226, TOTP RFC 6238, Steam Guard).
#include "mfa/otp.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <string>

#include "code_ct.hpp"
#include "hmac_key.hpp"
#include "mfa/random.hpp"

namespace mfa {
namespace {
// Time arithmetic in 128 bits so that t - t0 cannot overflow for any pair of 64-bit times.
__extension__ typedef __int128 i128;
}  // namespace

std::string_view to_string(HashAlg a) noexcept {
    switch (a) {
        case HashAlg::sha1: return "SHA1";
        case HashAlg::sha256: return "SHA256";
        case HashAlg::sha512: return "SHA512";
    }
    return "unknown";
}

std::string_view to_string(OtpType t) noexcept {
    switch (t) {
        case OtpType::totp: return "totp";
        case OtpType::hotp: return "hotp";
        case OtpType::steam: return "steam";
    }
    return "unknown";
}

Status validate(const OtpParams& p) {
    switch (p.type) {
        case OtpType::totp:
        case OtpType::hotp:
        case OtpType::steam: break;
        default: return Error{Errc::invalid_argument, "type: unknown OTP type"};
    }
    switch (p.algorithm) {
        case HashAlg::sha1:
        case HashAlg::sha256:
        case HashAlg::sha512: break;
        default: return Error{Errc::invalid_argument, "algorithm: unknown hash algorithm"};
    }
    if (p.type == OtpType::steam) {
        if (p.algorithm != HashAlg::sha1)
            return Error{Errc::invalid_argument, "algorithm: Steam Guard codes use SHA1, not " +
                                                     std::string(to_string(p.algorithm))};
    } else if (p.digits < kMinDigits || p.digits > kMaxDigits) {
        return Error{Errc::invalid_argument, "digits: " + std::to_string(p.digits) + " is outside " +
                                                 std::to_string(kMinDigits) + ".." + std::to_string(kMaxDigits)};
    }
    if (p.type != OtpType::hotp && (p.period < 1 || p.period > kMaxPeriod))
        return Error{Errc::invalid_argument, "period: " + std::to_string(p.period) + " s is outside 1.." +
                                                 std::to_string(kMaxPeriod)};
    return {};
}

void Code::assign(const char* p, std::size_t n) noexcept {
    if (n > kMaxDigits) n = kMaxDigits;
    for (std::size_t i = 0; i < n; ++i) chars_[i] = p[i];
    chars_[n] = '\0';
    len_ = static_cast<std::uint8_t>(n);
}

Result<Otp> Otp::create(SecretBytes secret, const OtpParams& params) {
    MFA_TRY(validate(params));
    if (secret.size() < kMinSecretBytes)
        return Error{Errc::otp_secret_too_short, "secret: " + std::to_string(secret.size()) +
                                                     " bytes, at least " + std::to_string(kMinSecretBytes)};
    if (secret.size() > kMaxSecretBytes)
        return Error{Errc::otp_secret_too_long, "secret: " + std::to_string(secret.size()) +
                                                    " bytes, at most " + std::to_string(kMaxSecretBytes)};
    auto key = detail::HmacKey::create(secret.view(), params.algorithm);
    if (!key) return std::move(key).error();
    OtpParams p = params;
    if (p.type == OtpType::steam) p.digits = kSteamDigits;
    return Otp(std::move(secret), p, std::move(*key));
}

Otp::Otp(SecretBytes s, const OtpParams& p, detail::HmacKeyPtr k) : s_(std::move(s)), p_(p), k_(std::move(k)) {}
Otp::Otp(Otp&&) noexcept = default;
Otp& Otp::operator=(Otp&&) noexcept = default;
Otp::~Otp() = default;

std::int64_t Otp::time_step(std::int64_t unix_time) const noexcept {
    // Floor division, so that times before t0 get negative steps (-1 for the period just before t0)
    // rather than rounding towards zero. When t - t0 fits in 64 bits (every real clock) the division
    // is 64-bit; a 128-bit one is a libgcc call, on every verification.
    const std::int64_t per64 = p_.period == 0 ? 1 : static_cast<std::int64_t>(p_.period);
    std::int64_t d64 = 0;
    if (!__builtin_sub_overflow(unix_time, p_.t0, &d64)) {
        std::int64_t q = d64 / per64;
        if (d64 % per64 != 0 && d64 < 0) --q;
        return q;
    }
    // Otherwise in 128 bits, where t - t0 cannot overflow.
    const i128 d = static_cast<i128>(unix_time) - p_.t0;
    i128 q = d / per64;
    if (d % per64 != 0 && d < 0) --q;
    if (q > INT64_MAX) return INT64_MAX;
    if (q < INT64_MIN) return INT64_MIN;
    return static_cast<std::int64_t>(q);
}

std::uint32_t Otp::seconds_left(std::int64_t unix_time) const noexcept {
    const i128 d = static_cast<i128>(unix_time) - p_.t0;
    const i128 per = p_.period == 0 ? 1 : p_.period;
    i128 r = d % per;
    if (r < 0) r += per;
    return static_cast<std::uint32_t>(per - r);
}

namespace detail {

void code_at(const HmacKey& k, OtpType type, unsigned digits, std::uint64_t counter, char* out) noexcept {
    HmacKey::Scratch s(k);
    std::uint32_t v = k.value_at(s, counter);
    if (type == OtpType::steam)
        render_steam(v, out);
    else
        render_decimal(v, digits, out);
    OPENSSL_cleanse(&v, sizeof v);
}

}  // namespace detail

Code Otp::at_step(std::uint64_t step_or_counter) const noexcept {
    Code c;
    char buf[kMaxDigits];
    detail::code_at(*k_, p_.type, p_.digits, step_or_counter, buf);
    c.assign(buf, p_.digits);
    OPENSSL_cleanse(buf, sizeof buf);
    return c;
}

Code Otp::generate(std::int64_t unix_time) const noexcept {
    if (p_.type == OtpType::hotp) return at_step(p_.counter);
    return at_step(static_cast<std::uint64_t>(time_step(unix_time)));
}

std::size_t hotp_hmac(ByteView key, HashAlg alg, std::uint64_t counter, std::uint8_t* out) noexcept {
    std::uint8_t msg[8];
    for (int i = 7; i >= 0; --i) {
        msg[i] = static_cast<std::uint8_t>(counter & 0xff);
        counter >>= 8;
    }
    const std::string_view name = to_string(alg);
    char digest[8] = {};
    for (std::size_t i = 0; i < name.size() && i + 1 < sizeof digest; ++i) digest[i] = name[i];
    std::size_t n = 0;
    static const std::uint8_t kEmpty = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, key.empty() ? &kEmpty : key.data(), key.size(),
                  msg, sizeof msg, out, detail::kMaxMacBytes, &n) == nullptr)
        return 0;
    return n;
}

std::uint32_t hotp_truncate(const std::uint8_t* mac, std::size_t mac_len) noexcept {
    if (mac == nullptr || mac_len < 20) return 0;
    return detail::truncate_ct(mac, mac_len);
}

Result<SecretBytes> generate_secret(std::size_t bytes) {
    if (bytes < kMinSecretBytes || bytes > kMaxSecretBytes)
        return Error{Errc::invalid_argument, "bytes: " + std::to_string(bytes) + " is outside " +
                                                 std::to_string(kMinSecretBytes) + ".." +
                                                 std::to_string(kMaxSecretBytes)};
    return random_secret(bytes);
}

}  // namespace mfa

// Internal: text rules shared by the otpauth:// URI and the otpauth-migration payload code
// (UTF-8, issuer/name checks, algorithm names, decimal numbers, issuer precedence).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mfa/error.hpp"
#include "mfa/otp.hpp"
#include "mfa/otpauth.hpp"

namespace mfa::otpauth_detail {

// Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
// feed() takes one byte and the position to blame for it; error_pos() is where the broken sequence began.
class Utf8Checker {
public:
    [[nodiscard]] bool feed(std::uint8_t b, std::size_t pos) noexcept;
    [[nodiscard]] bool finish() const noexcept { return need_ == 0; }
    std::size_t error_pos() const noexcept { return start_; }

private:
    int need_ = 0;
    std::uint8_t lo_ = 0x80, hi_ = 0xBF;
    std::size_t start_ = 0;
};

// C0 controls and DEL: never accepted in decoded text (they hide in displays and logs).
constexpr bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7F; }

// Checks an issuer or account name: at most max bytes, valid UTF-8, no control character. A ':' is
// allowed: labels are split with the issuer known (split_prefixed_name), and writers percent-encode it.
// Errors carry `code` and name `field`.
Status check_account_text(std::string_view s, std::string_view field, std::size_t max, Errc code);

[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

// "SHA1"/"SHA256"/"SHA512" in any case.
std::optional<HashAlg> hash_from_name(std::string_view s) noexcept;
std::string_view hash_name(HashAlg a) noexcept;

// A non-negative decimal number of ASCII digits (no sign, no spaces), at most max.
std::optional<std::uint64_t> parse_decimal(std::string_view s, std::uint64_t max) noexcept;

// Splits a label "prefix:name" and drops the spaces after the ':'. The Key URI format forbids ':' in
// either part, but people type them ("AWS:prod"), so the split is at the end of `issuer` (the issuer
// parameter or field, when given and the label starts with it and a ':'), else at the first ':'; the
// name keeps any further ':'. No ':' gives no prefix, and so does an empty one (":alice" is alice
// without an issuer, which is also how a name with a ':' and no issuer is written).
struct PrefixedName {
    std::optional<std::string> prefix;
    std::string name;
};
PrefixedName split_prefixed_name(std::string_view s, std::string_view issuer);

// Whether the label of a carries the ':' separator: it has an issuer, or a ':' in its name (written
// after an empty issuer so that it reads back as the name). label_text is that label, unencoded.
bool label_has_separator(const Account& a) noexcept;
std::string label_text(const Account& a);

// The issuer from a label prefix and an issuer parameter/field under a policy. Either may be absent
// (an empty parameter counts as absent). `where` names the account in a mismatch error.
Result<std::string> resolve_issuer(const std::optional<std::string>& label_prefix,
                                   const std::optional<std::string>& param, IssuerPolicy policy,
                                   std::string_view where);

// The account needs an issuer or a name, and a name after an issuer cannot start with a space
// (the label format drops those spaces).
Status check_account_shape(const Account& a, Errc code, std::string_view where);

}  // namespace mfa::otpauth_detail

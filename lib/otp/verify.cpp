// Verification of submitted codes: TOTP/Steam windows with a replay guard, HOTP look-ahead and
// RFC 4226 §7.4 resynchronisation.
//
// Constant-time with respect to the secret and the submitted code: every candidate of the window
// is computed and compared, the match and the matched step are accumulated with masks, and the
// outcome is selected with masks as well; only lengths, window sizes and the caller's step
// numbers (all public) decide branches. tests/ct_verify.cpp checks this under valgrind.
#include "code_ct.hpp"
#include "hmac_key.hpp"
#include "mfa/otp.hpp"

namespace mfa {
namespace {

using detail::ct_select64;
using detail::widen_mask;

std::uint32_t errc_bits(Errc e) noexcept { return static_cast<std::uint32_t>(static_cast<int>(e)); }
Errc bits_errc(std::uint32_t b) noexcept { return static_cast<Errc>(static_cast<int>(b)); }

// Candidates are compared as numbers (code_ct.hpp): the submitted code is parsed once, and each
// candidate costs one HMAC, a masked truncation and a constant modulus. visit(counter, value) sees
// the counters first, first + 1, ... in ascending order.
template <class Visit>
void for_each_candidate(const detail::HmacKey& key, bool steam, unsigned digits, std::uint64_t first,
                        std::uint64_t count, Visit&& visit) noexcept {
    detail::HmacKey::Scratch scratch(key);
    for (std::uint64_t i = 0; i < count; ++i)
        visit(first + i, detail::reduce_code(key.value_at(scratch, first + i), steam, digits));
}

// The outcome of an HOTP search, selected with masks: format error, mismatch, or the matched counter
// and the one to store next.
HotpVerification hotp_outcome(std::uint32_t fmt_ok, std::uint32_t any, std::uint64_t matched) noexcept {
    HotpVerification r;
    const std::uint32_t status =
        ct_select(fmt_ok, ct_select(any, errc_bits(Errc::ok), errc_bits(Errc::otp_code_mismatch)),
                  errc_bits(Errc::otp_code_format));
    const std::uint64_t keep = widen_mask(any);
    r.status = bits_errc(status);
    r.matched_counter = matched & keep;
    r.next_counter = (matched + 1) & keep;
    return r;
}

}  // namespace

TotpVerification Otp::verify(std::string_view code, std::int64_t now, Window window,
                             std::optional<std::int64_t> last_step) const noexcept {
    TotpVerification r;
    if (p_.type == OtpType::hotp || window.past > kMaxWindow || window.future > kMaxWindow) {
        r.status = Errc::invalid_argument;
        return r;
    }
    // The length is public (it is the configured one); only the characters are secret.
    if (code.size() != p_.digits) {
        r.status = Errc::otp_code_format;
        return r;
    }
    const bool steam = p_.type == OtpType::steam;
    const detail::ParsedCode submitted = detail::parse_code(code, steam);
    const std::uint32_t fmt_ok = submitted.format_ok;
    const std::int64_t current = time_step(now);
    // Steps as two's complement: wrap-around arithmetic matches the 64-bit counter fed to HMAC.
    const std::uint64_t first = static_cast<std::uint64_t>(current) - window.past;
    const std::uint64_t count = std::uint64_t{window.past} + window.future + 1;

    std::uint32_t any = 0;
    std::uint64_t matched = 0;
    // Ascending steps with select-on-match: the latest matching step wins, so a code that also
    // matches a fresh step is not reported as a replay of an older one.
    for_each_candidate(*k_, steam, p_.digits, first, count, [&](std::uint64_t step, std::uint64_t value) {
        const std::uint32_t m = detail::ct_eq64_mask(value, submitted.value) & fmt_ok;
        matched = ct_select64(widen_mask(m), step, matched);
        any |= m;
    });

    std::uint32_t replayed = 0;
    if (last_step.has_value())  // whether a guard is used is the caller's public choice
        replayed = any & detail::ct_le_i64_mask(static_cast<std::int64_t>(matched), *last_step);

    const std::uint32_t on_match = ct_select(replayed, errc_bits(Errc::otp_code_replayed), errc_bits(Errc::ok));
    const std::uint32_t on_format = ct_select(any, on_match, errc_bits(Errc::otp_code_mismatch));
    const std::uint32_t status = ct_select(fmt_ok, on_format, errc_bits(Errc::otp_code_format));
    const std::uint64_t keep = widen_mask(any);
    r.status = bits_errc(status);
    r.matched_step = static_cast<std::int64_t>(matched & keep);
    r.drift = static_cast<std::int64_t>((matched - static_cast<std::uint64_t>(current)) & keep);
    return r;
}

HotpVerification Otp::verify_hotp(std::string_view code, unsigned look_ahead) const noexcept {
    HotpVerification r;
    if (p_.type != OtpType::hotp || look_ahead > kMaxLookAhead) {
        r.status = Errc::invalid_argument;
        return r;
    }
    if (code.size() != p_.digits) {
        r.status = Errc::otp_code_format;
        return r;
    }
    const detail::ParsedCode submitted = detail::parse_code(code, false);
    const std::uint32_t fmt_ok = submitted.format_ok;
    // A candidate c needs a next counter c + 1 to store, so c stops at 2^64 - 2: accepting 2^64 - 1
    // would store 0 and make every earlier code valid again (public arithmetic, as resync_hotp).
    if (p_.counter > UINT64_MAX - 1) return r;  // no candidate fits: a mismatch
    const std::uint64_t room = UINT64_MAX - 1 - p_.counter;
    const std::uint64_t last = look_ahead < room ? look_ahead : room;

    std::uint32_t any = 0;
    std::uint64_t matched = 0;
    // The earliest matching counter wins (a match is taken only while none was found), the one the
    // token most likely used, so the fewest counters are skipped.
    for_each_candidate(*k_, false, p_.digits, p_.counter, last + 1, [&](std::uint64_t c, std::uint64_t value) {
        const std::uint32_t m = detail::ct_eq64_mask(value, submitted.value) & fmt_ok;
        matched = ct_select64(widen_mask(m & ~any), c, matched);
        any |= m;
    });
    return hotp_outcome(fmt_ok, any, matched);
}

HotpVerification Otp::resync_hotp(std::string_view code1, std::string_view code2,
                                  unsigned look_ahead) const noexcept {
    HotpVerification r;
    if (p_.type != OtpType::hotp || look_ahead > kMaxResyncLookAhead) {
        r.status = Errc::invalid_argument;
        return r;
    }
    if (code1.size() != p_.digits || code2.size() != p_.digits) {
        r.status = Errc::otp_code_format;
        return r;
    }
    const detail::ParsedCode sub1 = detail::parse_code(code1, false);
    const detail::ParsedCode sub2 = detail::parse_code(code2, false);
    const std::uint32_t fmt_ok = sub1.format_ok & sub2.format_ok;
    // Pairs (c, c + 1) for c = counter .. counter + look_ahead; c + 1 + 1 must not wrap.
    if (p_.counter > UINT64_MAX - 2) return r;  // no pair fits: a mismatch
    const std::uint64_t room = UINT64_MAX - 2 - p_.counter;
    const std::uint64_t last = look_ahead < room ? look_ahead : room;

    std::uint32_t any = 0;
    std::uint64_t matched = 0;
    // Each code is computed once, counters counter .. counter + last + 1; whether the previous one
    // was code1 is carried to the next. The earliest pair wins: a match is taken only while none was
    // found yet.
    std::uint32_t prev_is_code1 = 0;
    for_each_candidate(*k_, false, p_.digits, p_.counter, last + 2, [&](std::uint64_t c2, std::uint64_t cur) {
        const std::uint32_t m = prev_is_code1 & detail::ct_eq64_mask(cur, sub2.value) & fmt_ok;
        matched = ct_select64(widen_mask(m & ~any), c2, matched);
        any |= m;
        prev_is_code1 = detail::ct_eq64_mask(cur, sub1.value);
    });
    return hotp_outcome(fmt_ok, any, matched);
}

}  // namespace mfa

// Allow lists checked at login: source IP ranges and email domains.
//
// IP list: entries separated by commas, spaces or newlines; each a CIDR ("10.0.0.0/8",
// "2001:db8::/32") or a single address (a /32 or /128). IPv4 is held as IPv4-mapped IPv6, so
// "::ffff:10.1.2.3" (what a dual-stack socket reports) matches 10.0.0.0/8. Host bits below the prefix
// must be zero (a typo is refused, not guessed at). At most kMaxAllowEntries entries.
//
// Email domains: "example.com" matches exactly that domain; "*.example.com" matches its subdomains
// (a.example.com, a.b.example.com) but neither example.com itself (list both) nor evilexample.com.
// Case-insensitive; ASCII (IDNs in their xn-- form). An allow list is never an authentication
// factor (NIST SP 800-63B-4 §2): it only narrows who may try.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/error.hpp"

namespace mfa::server {

inline constexpr std::size_t kMaxAllowEntries = 4096;
inline constexpr std::size_t kMaxAllowListText = 256 * 1024;

struct IpRange {
    std::array<std::uint8_t, 16> addr{};  // IPv4 as ::ffff:a.b.c.d
    unsigned prefix = 128;                 // over the 128-bit form
};

// An IP address as 16 bytes (IPv4 mapped). Errors: allowlist_syntax.
Result<std::array<std::uint8_t, 16>> parse_ip(std::string_view text);
Result<IpRange> parse_cidr(std::string_view text);
std::string format_cidr(const IpRange& r);

class IpAllowList {
public:
    // Errors: allowlist_syntax (the detail names the entry), limit_exceeded.
    static Result<IpAllowList> parse(std::string_view text);
    bool empty() const noexcept { return ranges_.empty(); }
    // Errors: allowlist_syntax for an address that does not parse.
    Result<bool> allows(std::string_view ip) const;
    const std::vector<IpRange>& ranges() const noexcept { return ranges_; }
    std::string format() const;  // comma-separated, canonical

private:
    std::vector<IpRange> ranges_;
};

class EmailDomainAllowList {
public:
    static Result<EmailDomainAllowList> parse(std::string_view text);
    bool empty() const noexcept { return exact_.empty() && wildcard_.empty(); }
    // Errors: allowlist_syntax for an email without a valid domain.
    Result<bool> allows(std::string_view email) const;
    std::string format() const;

private:
    std::vector<std::string> exact_;
    std::vector<std::string> wildcard_;  // stored without "*."
};

}  // namespace mfa::server

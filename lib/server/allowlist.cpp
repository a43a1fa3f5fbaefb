#include "mfa/server/allowlist.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "mfa/store.hpp"

namespace mfa::server {
namespace {

Error syntax(std::string_view entry, std::string_view why) {
    return Error{Errc::allowlist_syntax, "'" + std::string(entry.substr(0, 80)) + "': " + std::string(why)};
}

std::vector<std::string_view> entries(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ',' || text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r')) ++i;
        const std::size_t s = i;
        while (i < text.size() && text[i] != ',' && text[i] != ' ' && text[i] != '\n' && text[i] != '\t' && text[i] != '\r') ++i;
        if (i > s) out.push_back(text.substr(s, i - s));
    }
    return out;
}

bool match(const IpRange& r, const std::array<std::uint8_t, 16>& a) {
    const unsigned full = r.prefix / 8, rem = r.prefix % 8;
    if (!std::equal(a.begin(), a.begin() + full, r.addr.begin())) return false;
    if (rem == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rem));
    return (a[full] & mask) == (r.addr[full] & mask);
}

bool is_mapped_v4(const std::array<std::uint8_t, 16>& a) {
    for (int i = 0; i < 10; ++i)
        if (a[i] != 0) return false;
    return a[10] == 0xFF && a[11] == 0xFF;
}

// A DNS name: labels of 1..63 [a-z0-9-] not starting or ending with '-', at least two labels,
// at most 253 characters. Lower-cases in place.
bool valid_domain(std::string& d) {
    if (d.empty() || d.size() > 253) return false;
    for (auto& c : d) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    std::size_t start = 0, labels = 0;
    for (;;) {
        const auto dot = d.find('.', start);
        const std::string_view l = std::string_view(d).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
        for (char c : l)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        ++labels;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return labels >= 2;
}

}  // namespace

Result<std::array<std::uint8_t, 16>> parse_ip(std::string_view text) {
    std::array<std::uint8_t, 16> a{};
    if (text.empty() || text.size() > 45) return syntax(text, "not an IP address");
    for (char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':'))
            return syntax(text, "not an IP address");
    const std::string s(text);
    if (text.find(':') == std::string_view::npos) {
        in_addr v4{};
        if (inet_pton(AF_INET, s.c_str(), &v4) != 1) return syntax(text, "not an IPv4 address (dotted decimal, no leading zeros)");
        a[10] = a[11] = 0xFF;
        std::memcpy(a.data() + 12, &v4, 4);
        return a;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return syntax(text, "not an IPv6 address");
    std::memcpy(a.data(), &v6, 16);
    return a;
}

Result<IpRange> parse_cidr(std::string_view text) {
    const auto slash = text.find('/');
    auto a = parse_ip(text.substr(0, slash));
    if (!a) return Error{Errc::allowlist_syntax, a.error().detail};
    const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    IpRange r;
    r.addr = *a;
    if (slash == std::string_view::npos) {
        r.prefix = 128;
        return r;
    }
    auto n = store::parse_i64(text.substr(slash + 1));
    const unsigned max = v4 ? 32 : 128;
    if (!n || *n < 0 || *n > static_cast<std::int64_t>(max))
        return syntax(text, v4 ? "prefix length must be 0..32" : "prefix length must be 0..128");
    r.prefix = static_cast<unsigned>(*n) + (v4 ? 96 : 0);
    // Host bits must be zero.
    for (unsigned bit = r.prefix; bit < 128; ++bit)
        if (r.addr[bit / 8] & (0x80 >> (bit % 8))) return syntax(text, "host bits are set below the prefix length");
    return r;
}

std::string format_cidr(const IpRange& r) {
    char buf[INET6_ADDRSTRLEN];
    if (is_mapped_v4(r.addr) && r.prefix >= 96) {
        inet_ntop(AF_INET, r.addr.data() + 12, buf, sizeof buf);
        return std::string(buf) + "/" + std::to_string(r.prefix - 96);
    }
    inet_ntop(AF_INET6, r.addr.data(), buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(r.prefix);
}

Result<IpAllowList> IpAllowList::parse(std::string_view text) {
    if (text.size() > kMaxAllowListText) return Error{Errc::limit_exceeded, "allow list longer than 256 KiB"};
    IpAllowList l;
    for (auto e : entries(text)) {
        if (l.ranges_.size() >= kMaxAllowEntries) return Error{Errc::limit_exceeded, "more than 4096 entries"};
        auto r = parse_cidr(e);
        if (!r) return std::move(r).error();
        l.ranges_.push_back(*r);
    }
    return l;
}

Result<bool> IpAllowList::allows(std::string_view ip) const {
    auto a = parse_ip(ip);
    if (!a) return std::move(a).error();
    for (const auto& r : ranges_)
        if (match(r, *a)) return true;
    return false;
}

std::string IpAllowList::format() const {
    std::string out;
    for (const auto& r : ranges_) {
        if (!out.empty()) out += ",";
        out += format_cidr(r);
    }
    return out;
}

Result<EmailDomainAllowList> EmailDomainAllowList::parse(std::string_view text) {
    if (text.size() > kMaxAllowListText) return Error{Errc::limit_exceeded, "allow list longer than 256 KiB"};
    EmailDomainAllowList l;
    for (auto e : entries(text)) {
        if (l.exact_.size() + l.wildcard_.size() >= kMaxAllowEntries) return Error{Errc::limit_exceeded, "more than 4096 entries"};
        const bool wild = e.rfind("*.", 0) == 0;
        std::string d(wild ? e.substr(2) : e);
        if (!valid_domain(d)) return syntax(e, "not a domain name (labels of a-z, 0-9, '-'; at least two; '*.' only in front)");
        (wild ? l.wildcard_ : l.exact_).push_back(std::move(d));
    }
    return l;
}

Result<bool> EmailDomainAllowList::allows(std::string_view email) const {
    const auto at = email.rfind('@');
    if (at == std::string_view::npos || at == 0) return syntax(email, "not an email address");
    std::string d(email.substr(at + 1));
    if (!valid_domain(d)) return syntax(email, "the domain is not a valid name");
    for (const auto& e : exact_)
        if (d == e) return true;
    for (const auto& w : wildcard_)
        // A dot boundary: "a.example.com" matches, "evilexample.com" does not.
        if (d.size() > w.size() + 1 && d.compare(d.size() - w.size(), w.size(), w) == 0 && d[d.size() - w.size() - 1] == '.')
            return true;
    return false;
}

std::string EmailDomainAllowList::format() const {
    std::string out;
    for (const auto& e : exact_) out += (out.empty() ? "" : ",") + e;
    for (const auto& w : wildcard_) out += (out.empty() ? "*." : ",*.") + w;
    return out;
}

}  // namespace mfa::server

#include "text.hpp"

namespace mfa::otpauth_detail {

bool Utf8Checker::feed(std::uint8_t b, std::size_t pos) noexcept {
    if (need_ > 0) {
        if (b < lo_ || b > hi_) return false;
        lo_ = 0x80;
        hi_ = 0xBF;
        --need_;
        return true;
    }
    start_ = pos;
    if (b < 0x80) return true;
    lo_ = 0x80;
    hi_ = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need_ = 2;
        if (b == 0xE0) lo_ = 0xA0;  // overlong
        if (b == 0xED) hi_ = 0x9F;  // UTF-16 surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
        need_ = 3;
        if (b == 0xF0) lo_ = 0x90;  // overlong
        if (b == 0xF4) hi_ = 0x8F;  // above U+10FFFF
    } else {
        return false;
    }
    return true;
}

Status check_account_text(std::string_view s, std::string_view field, std::size_t max, Errc code) {
    if (s.size() > max)
        return Error(Errc::limit_exceeded, std::string(field) + " is " + std::to_string(s.size()) +
                                               " bytes, more than the limit of " + std::to_string(max));
    Utf8Checker u;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (!u.feed(c, i))
            return Error(code, std::string(field) + ": invalid UTF-8 at byte " + std::to_string(u.error_pos()));
        if (is_control(c))
            return Error(code, std::string(field) + ": control character at byte " + std::to_string(i));
    }
    if (!u.finish())
        return Error(code, std::string(field) + ": truncated UTF-8 at byte " + std::to_string(u.error_pos()));
    return {};
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::optional<HashAlg> hash_from_name(std::string_view s) noexcept {
    if (iequals(s, "SHA1")) return HashAlg::sha1;
    if (iequals(s, "SHA256")) return HashAlg::sha256;
    if (iequals(s, "SHA512")) return HashAlg::sha512;
    return std::nullopt;
}

std::string_view hash_name(HashAlg a) noexcept {
    switch (a) {
        case HashAlg::sha1: return "SHA1";
        case HashAlg::sha256: return "SHA256";
        case HashAlg::sha512: return "SHA512";
    }
    return "?";
}

std::optional<std::uint64_t> parse_decimal(std::string_view s, std::uint64_t max) noexcept {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

PrefixedName split_prefixed_name(std::string_view s, std::string_view issuer) {
    PrefixedName out;
    std::size_t colon = s.find(':');
    if (!issuer.empty() && s.size() > issuer.size() && s.starts_with(issuer) && s[issuer.size()] == ':')
        colon = issuer.size();
    if (colon == std::string_view::npos) {
        out.name = std::string(s);
        return out;
    }
    if (colon > 0) out.prefix = std::string(s.substr(0, colon));
    std::size_t start = colon + 1;
    while (start < s.size() && s[start] == ' ') ++start;  // Google: *"%20" after the separator
    out.name = std::string(s.substr(start));
    return out;
}

Result<std::string> resolve_issuer(const std::optional<std::string>& label_prefix,
                                   const std::optional<std::string>& param, IssuerPolicy policy,
                                   std::string_view where) {
    const bool has_param = param.has_value() && !param->empty();
    if (!label_prefix) return has_param ? *param : std::string();
    if (!has_param || *param == *label_prefix) return *label_prefix;
    switch (policy) {
        case IssuerPolicy::prefer_param: return *param;
        case IssuerPolicy::prefer_label: return *label_prefix;
        case IssuerPolicy::strict: break;
    }
    return Error(Errc::uri_issuer_mismatch, std::string(where) + ": issuer '" + *param +
                                                "' differs from the label prefix '" + *label_prefix + "'");
}

bool label_has_separator(const Account& a) noexcept {
    return !a.issuer.empty() || a.name.find(':') != std::string::npos;
}

std::string label_text(const Account& a) {
    return label_has_separator(a) ? a.issuer + ":" + a.name : a.name;
}

Status check_account_shape(const Account& a, Errc code, std::string_view where) {
    if (a.issuer.empty() && a.name.empty())
        return Error(code, std::string(where) + ": neither an issuer nor an account name");
    if (label_has_separator(a) && !a.name.empty() && a.name.front() == ' ')
        return Error(code, std::string(where) +
                               ": the account name starts with a space, which is dropped after 'issuer:'");
    return {};
}

}  // namespace mfa::otpauth_detail

#include "percent.hpp"

#include "text.hpp"

namespace mfa::otpauth_detail {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Error at(std::string_view field, std::string_view what, std::size_t pos) {
    return Error(Errc::uri_invalid, std::string(field) + ": " + std::string(what) + " at position " +
                                        std::to_string(pos));
}

}  // namespace

Result<std::size_t> percent_decode(std::string_view raw, std::size_t base, std::string_view field,
                                   const DecodeRules& rules, char* out) {
    Utf8Checker utf8;
    std::size_t n = 0;
    for (std::size_t i = 0; i < raw.size();) {
        const std::size_t pos = base + i;
        auto c = static_cast<unsigned char>(raw[i]);
        if (c == '%') {
            if (raw.size() - i < 3) return at(field, "truncated percent escape", pos);
            const int hi = hex_value(raw[i + 1]);
            const int lo = hex_value(raw[i + 2]);
            if (hi < 0 || lo < 0) return at(field, "invalid percent escape", pos);
            c = static_cast<unsigned char>(hi * 16 + lo);
            i += 3;
        } else {
            // A raw control character or '#' was never a valid URI character; '#' would start a
            // fragment and means an unencoded '#' in the producer's text.
            if (is_control(c)) return at(field, "raw control character", pos);
            if (c == '#') return at(field, "raw '#' (write it as %23)", pos);
            if (c == '+' && rules.plus_is_space) c = ' ';
            ++i;
        }
        if (rules.check_text) {
            if (!utf8.feed(c, pos)) return at(field, "invalid UTF-8", utf8.error_pos());
            if (is_control(c)) return at(field, "encoded control character", pos);
        }
        out[n++] = static_cast<char>(c);
    }
    if (rules.check_text && !utf8.finish()) return at(field, "truncated UTF-8 sequence", utf8.error_pos());
    return n;
}

Result<std::string> percent_decode_string(std::string_view raw, std::size_t base, std::string_view field,
                                          const DecodeRules& rules) {
    std::string s(raw.size(), '\0');
    auto n = percent_decode(raw, base, field, rules, s.data());
    if (!n) return std::move(n).error();
    s.resize(*n);
    return s;
}

void percent_encode_append(std::string_view s, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '.' || c == '_' || c == '~' || c == '@';
        if (keep) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
}

}  // namespace mfa::otpauth_detail

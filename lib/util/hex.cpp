#include <string>

#include "mfa/encoding.hpp"

namespace mfa {

std::string hex_encode(ByteView data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    s.reserve(data.size() * 2);
    for (std::uint8_t b : data) {
        s.push_back(kDigits[b >> 4]);
        s.push_back(kDigits[b & 15]);
    }
    return s;
}

Result<Bytes> hex_decode(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (text.size() % 2 != 0) return Error(Errc::hex_invalid, "odd length " + std::to_string(text.size()));
    Bytes out(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = nibble(text[i]);
        const int lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0)
            return Error(Errc::hex_invalid, "invalid character at position " + std::to_string(hi < 0 ? i : i + 1));
        out[i / 2] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return out;
}

}  // namespace mfa

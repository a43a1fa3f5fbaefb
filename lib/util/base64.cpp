#include <array>
#include <cstdint>
#include <string>

#include "mfa/encoding.hpp"

namespace mfa {
namespace {

constexpr std::size_t kBase64MaxInput = 16u << 20;
constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t kBad = 0xFF;

// Values for both alphabets; which of '+/' and '-_' is allowed is checked per mode.
constexpr std::array<std::uint8_t, 256> make_table() {
    std::array<std::uint8_t, 256> t{};
    for (auto& v : t) v = kBad;
    for (int i = 0; i < 64; ++i) {
        t[static_cast<unsigned char>(kStd[i])] = static_cast<std::uint8_t>(i);
        t[static_cast<unsigned char>(kUrl[i])] = static_cast<std::uint8_t>(i);
    }
    return t;
}
constexpr auto kTable = make_table();

std::string encode(ByteView data, const char* alphabet, bool pad) {
    std::string s;
    s.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        s.push_back(alphabet[v >> 18]);
        s.push_back(alphabet[(v >> 12) & 63]);
        s.push_back(alphabet[(v >> 6) & 63]);
        s.push_back(alphabet[v & 63]);
    }
    const std::size_t rest = data.size() - i;
    if (rest != 0) {
        std::uint32_t v = data[i] << 16;
        if (rest == 2) v |= data[i + 1] << 8;
        s.push_back(alphabet[v >> 18]);
        s.push_back(alphabet[(v >> 12) & 63]);
        if (rest == 2) s.push_back(alphabet[(v >> 6) & 63]);
        if (pad) s.append(rest == 1 ? "==" : "=");
    }
    return s;
}

}  // namespace

std::string base64url_encode(ByteView data) { return encode(data, kUrl, false); }
std::string base64_encode(ByteView data) { return encode(data, kStd, true); }

Result<Bytes> base64_decode(std::string_view text, Base64Mode mode) {
    if (text.size() > kBase64MaxInput)
        return Error(Errc::limit_exceeded, "Base64 input exceeds 16 MiB");
    std::size_t n = text.size();
    std::size_t n_pad = 0;
    while (n > 0 && text[n - 1] == '=' && n_pad < 2) {
        --n;
        ++n_pad;
    }
    if (n_pad != 0 && mode == Base64Mode::url_strict)
        return Error(Errc::base64_invalid, "padding at position " + std::to_string(n) + " (base64url takes none)");
    if (mode == Base64Mode::standard && text.size() % 4 != 0)
        return Error(Errc::base64_invalid, "length " + std::to_string(text.size()) + " is not a multiple of 4");
    if (n % 4 == 1) return Error(Errc::base64_invalid, "truncated input at position " + std::to_string(n));
    if (n_pad != 0 && (n + n_pad) % 4 != 0)
        return Error(Errc::base64_invalid, "wrong amount of padding at position " + std::to_string(n));

    Bytes out;
    out.reserve(n * 3 / 4);
    std::uint32_t acc = 0;
    unsigned bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const std::uint8_t v = kTable[c];
        bool ok = v != kBad;
        if (ok && mode == Base64Mode::url_strict) ok = c != '+' && c != '/';
        if (ok && mode == Base64Mode::standard) ok = c != '-' && c != '_';
        if (!ok) return Error(Errc::base64_invalid, "invalid character at position " + std::to_string(i));
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits));
        }
    }
    // Leftover bits must be zero: otherwise two encodings decode to the same bytes.
    if ((acc & ((1u << bits) - 1)) != 0)
        return Error(Errc::base64_invalid, "non-zero trailing bits at position " + std::to_string(n - 1));
    return out;
}

}  // namespace mfa

#include "mfa/reader.hpp"

namespace mfa {

bool Reader::get_u8(std::uint8_t& out) noexcept {
    if (remaining() < 1) return false;
    out = d_[pos_++];
    return true;
}

bool Reader::get_u16be(std::uint16_t& out) noexcept {
    if (remaining() < 2) return false;
    out = static_cast<std::uint16_t>((d_[pos_] << 8) | d_[pos_ + 1]);
    pos_ += 2;
    return true;
}

bool Reader::get_u32be(std::uint32_t& out) noexcept {
    if (remaining() < 4) return false;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | d_[pos_ + i];
    out = v;
    pos_ += 4;
    return true;
}

bool Reader::get_u64be(std::uint64_t& out) noexcept {
    if (remaining() < 8) return false;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | d_[pos_ + i];
    out = v;
    pos_ += 8;
    return true;
}

bool Reader::get_bytes(std::size_t n, ByteView& out) noexcept {
    if (remaining() < n) return false;
    out = d_.subspan(pos_, n);
    pos_ += n;
    return true;
}

bool Reader::skip(std::size_t n) noexcept {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
}

bool Reader::get_varint(std::uint64_t& out) noexcept {
    std::uint64_t v = 0;
    std::size_t p = pos_;
    for (int i = 0; i < 10; ++i) {
        if (p >= d_.size()) return false;
        const std::uint8_t b = d_[p++];
        // The tenth byte may only carry the single remaining bit of a 64-bit value.
        if (i == 9 && (b & 0xFE) != 0) return false;
        v |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
            out = v;
            pos_ = p;
            return true;
        }
    }
    return false;
}

void Writer::u16be(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
}

void Writer::u32be(std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) u8(static_cast<std::uint8_t>(v >> s));
}

void Writer::u64be(std::uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) u8(static_cast<std::uint8_t>(v >> s));
}

void Writer::varint(std::uint64_t v) {
    while (v >= 0x80) {
        u8(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    u8(static_cast<std::uint8_t>(v));
}

}  // namespace mfa

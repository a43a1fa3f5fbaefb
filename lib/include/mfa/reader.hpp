// Bounded reader and writer over bytes, in the manner of BoringSSL's CBS/CBB.
//
// Every byte from outside is read through a Reader. A get_* either succeeds and advances, or fails
// and leaves the reader where it was; a parse ends by checking empty(), so trailing bytes are an
// error rather than silently ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "mfa/bytes.hpp"

namespace mfa {

class Reader {
public:
    Reader() = default;
    explicit Reader(ByteView data) noexcept : d_(data) {}
    explicit Reader(std::string_view s) noexcept : d_(as_bytes(s)) {}

    std::size_t remaining() const noexcept { return d_.size() - pos_; }
    bool empty() const noexcept { return remaining() == 0; }
    std::size_t position() const noexcept { return pos_; }
    ByteView rest() const noexcept { return d_.subspan(pos_); }

    bool get_u8(std::uint8_t& out) noexcept;
    bool get_u16be(std::uint16_t& out) noexcept;
    bool get_u32be(std::uint32_t& out) noexcept;
    bool get_u64be(std::uint64_t& out) noexcept;
    // A view of the next n bytes (valid while the underlying buffer lives).
    bool get_bytes(std::size_t n, ByteView& out) noexcept;
    bool skip(std::size_t n) noexcept;
    // Protobuf-style base-128 varint, at most 10 bytes; rejects overlong encodings past 64 bits.
    bool get_varint(std::uint64_t& out) noexcept;

private:
    ByteView d_{};
    std::size_t pos_ = 0;
};

class Writer {
public:
    explicit Writer(Bytes& out) noexcept : o_(out) {}
    void u8(std::uint8_t v) { o_.push_back(v); }
    void u16be(std::uint16_t v);
    void u32be(std::uint32_t v);
    void u64be(std::uint64_t v);
    void bytes(ByteView b) { o_.insert(o_.end(), b.begin(), b.end()); }
    void varint(std::uint64_t v);
    std::size_t size() const noexcept { return o_.size(); }

private:
    Bytes& o_;
};

}  // namespace mfa

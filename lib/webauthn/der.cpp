#include "der.hpp"

namespace mfa::der {

bool read_tlv(Reader& r, Tlv& out) noexcept {
    Reader t = r;  // work on a copy so a failure leaves r untouched
    std::uint8_t id = 0;
    if (!t.get_u8(id)) return false;
    Tlv v;
    v.cls = static_cast<Class>(id >> 6);
    v.constructed = (id & 0x20) != 0;
    std::uint32_t tag = id & 0x1f;
    if (tag == 0x1f) {
        // High tag number form: base-128, no leading 0x80 byte, must need it (>= 31), at most 4 bytes.
        tag = 0;
        std::uint8_t b = 0;
        int n = 0;
        do {
            if (!t.get_u8(b)) return false;
            if (n == 0 && b == 0x80) return false;
            if (++n > 4) return false;
            tag = (tag << 7) | (b & 0x7f);
        } while ((b & 0x80) != 0);
        if (tag < 0x1f) return false;
    }
    v.tag = tag;
    std::uint8_t l0 = 0;
    if (!t.get_u8(l0)) return false;
    std::size_t len = 0;
    if (l0 < 0x80) {
        len = l0;
    } else {
        const int n = l0 & 0x7f;
        if (n == 0 || n > 4) return false;  // indefinite form, or longer than any input we take
        for (int i = 0; i < n; ++i) {
            std::uint8_t b = 0;
            if (!t.get_u8(b)) return false;
            if (i == 0 && b == 0) return false;  // not minimal
            len = (len << 8) | b;
        }
        if (len < 0x80) return false;  // should have used the short form
    }
    if (!t.get_bytes(len, v.value)) return false;
    out = v;
    r = t;
    return true;
}

bool read_expected(Reader& r, Class cls, bool constructed, std::uint32_t tag, ByteView& value) noexcept {
    Reader t = r;
    Tlv v;
    if (!read_tlv(t, v) || v.cls != cls || v.constructed != constructed || v.tag != tag) return false;
    value = v.value;
    r = t;
    return true;
}

bool parse_int64(ByteView body, std::int64_t& out) noexcept {
    if (body.empty() || body.size() > 8) return false;
    if (body.size() > 1) {
        // Minimal two's complement: the first 9 bits are not all equal.
        if (body[0] == 0x00 && (body[1] & 0x80) == 0) return false;
        if (body[0] == 0xff && (body[1] & 0x80) != 0) return false;
    }
    std::uint64_t v = (body[0] & 0x80) ? ~std::uint64_t{0} : 0;
    for (std::uint8_t b : body) v = (v << 8) | b;
    out = static_cast<std::int64_t>(v);
    return true;
}

}  // namespace mfa::der

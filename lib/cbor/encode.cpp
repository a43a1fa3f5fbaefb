// Canonical CBOR encoder (CTAP2 canonical form): shortest heads, sorted map keys, shortest floats.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "internal.hpp"
#include "mfa/cbor.hpp"

namespace mfa::cbor {
namespace {

void head(Bytes& out, std::uint8_t major, std::uint64_t arg) {
    const auto mt = static_cast<std::uint8_t>(major << 5);
    if (arg < 24) {
        out.push_back(static_cast<std::uint8_t>(mt | arg));
    } else if (arg <= 0xff) {
        out.push_back(mt | 24);
        out.push_back(static_cast<std::uint8_t>(arg));
    } else if (arg <= 0xffff) {
        out.push_back(mt | 25);
        for (int s = 8; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(arg >> s));
    } else if (arg <= 0xffffffffu) {
        out.push_back(mt | 26);
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(arg >> s));
    } else {
        out.push_back(mt | 27);
        for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(arg >> s));
    }
}

void put_float(Bytes& out, double d) {
    if (d != d) {  // NaN: the one canonical NaN, half 0x7e00
        out.insert(out.end(), {0xf9, 0x7e, 0x00});
        return;
    }
    if (auto h = detail::exact_half(d)) {
        out.push_back(0xf9);
        out.push_back(static_cast<std::uint8_t>(*h >> 8));
        out.push_back(static_cast<std::uint8_t>(*h));
        return;
    }
    if (auto f = detail::exact_single(d)) {
        std::uint32_t bits;
        std::memcpy(&bits, &*f, sizeof bits);
        out.push_back(0xfa);
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(bits >> s));
        return;
    }
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    out.push_back(0xfb);
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(bits >> s));
}

Status put(const Value& v, Bytes& out) {
    switch (v.type()) {
        case Type::unsigned_int: head(out, 0, v.raw_argument()); return {};
        case Type::negative_int: head(out, 1, v.raw_argument()); return {};
        case Type::bytes: {
            const ByteView b = *v.as_bytes();
            head(out, 2, b.size());
            out.insert(out.end(), b.begin(), b.end());
            return {};
        }
        case Type::text: {
            const std::string_view t = *v.as_text();
            if (!is_valid_utf8(t)) return Error(Errc::cbor_invalid_utf8, "encode: text string is not UTF-8");
            head(out, 3, t.size());
            out.insert(out.end(), t.begin(), t.end());
            return {};
        }
        case Type::array:
            head(out, 4, v.array_items().size());
            for (const auto& item : v.array_items()) MFA_TRY(put(item, out));
            return {};
        case Type::map: {
            const Map& m = v.map_entries();
            std::vector<Bytes> keys(m.size());
            for (std::size_t i = 0; i < m.size(); ++i) MFA_TRY(put(m[i].key, keys[i]));
            std::vector<std::size_t> order(m.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return detail::compare_keys(keys[a], keys[b]) < 0;
            });
            for (std::size_t i = 1; i < order.size(); ++i)
                if (detail::compare_keys(keys[order[i - 1]], keys[order[i]]) == 0)
                    return Error(Errc::cbor_duplicate_key, "encode: a map holds the same key twice");
            head(out, 5, m.size());
            for (std::size_t i : order) {
                out.insert(out.end(), keys[i].begin(), keys[i].end());
                MFA_TRY(put(m[i].value, out));
            }
            return {};
        }
        case Type::tag: {
            const Value* content = v.tag_content();
            if (content == nullptr) return Error(Errc::invalid_argument, "encode: tag without content");
            head(out, 6, v.tag_number());
            return put(*content, out);
        }
        case Type::boolean: out.push_back(v.raw_argument() ? 0xf5 : 0xf4); return {};
        case Type::null: out.push_back(0xf6); return {};
        case Type::undefined: out.push_back(0xf7); return {};
        case Type::simple: {
            const std::uint64_t s = v.raw_argument();
            if (s >= 20 && s <= 31)
                return Error(Errc::cbor_malformed, "encode: simple values 20..31 are not plain simple values");
            head(out, 7, s);
            return {};
        }
        case Type::floating: put_float(out, *v.as_float()); return {};
    }
    return Error(Errc::internal, "encode: unknown value type");
}

}  // namespace

Status encode_to(const Value& value, Bytes& out) {
    const std::size_t start = out.size();
    Status s = put(value, out);
    if (!s) out.resize(start);
    return s;
}

Result<Bytes> encode(const Value& value) {
    Bytes out;
    MFA_TRY(encode_to(value, out));
    return out;
}

}  // namespace mfa::cbor

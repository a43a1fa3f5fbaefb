// The strict CBOR decoder: a recursive descent over a bounded Reader with every limit checked
// before anything is allocated.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "internal.hpp"
#include "mfa/cbor.hpp"

namespace mfa::cbor {
namespace {

struct Head {
    std::uint8_t major = 0;
    std::uint8_t info = 0;    // additional information (low 5 bits)
    std::uint64_t arg = 0;    // the argument (or the raw bits of a float)
};

class Decoder {
public:
    Decoder(Reader& r, const DecodeOptions& o) : r_(r), o_(o), base_(r.position()) {}

    Result<Value> item(std::size_t depth) {
        const std::size_t start = r_.position();
        if (depth > o_.max_depth)
            return fail(Errc::cbor_depth, start, "nesting deeper than " + std::to_string(o_.max_depth));
        if (++items_ > o_.max_items)
            return fail(Errc::cbor_limit, start, "more than " + std::to_string(o_.max_items) + " items");
        Head h;
        MFA_TRY(read_head(h, start));
        switch (h.major) {
            case 0: return Value(h.arg);
            case 1: return Value::negative(h.arg);
            case 2:
            case 3: return string(h, start);
            case 4: return array(h, start, depth);
            case 5: return map(h, start, depth);
            case 6: {
                if (!o_.allow_tags) return fail(Errc::cbor_unsupported, start, "tags are not accepted here");
                auto content = item(depth + 1);
                if (!content) return std::move(content).error();
                return Value::tagged(h.arg, std::move(*content));
            }
            default: return simple_or_float(h, start);
        }
    }

    Error fail(Errc c, std::size_t pos, std::string_view what) const {
        std::string d = "at offset " + std::to_string(pos - base_) + ": ";
        d += what;
        return Error(c, std::move(d));
    }

private:
    Status read_head(Head& h, std::size_t start) {
        std::uint8_t ib = 0;
        if (!r_.get_u8(ib)) return fail(Errc::cbor_truncated, start, "input ends before an item");
        h.major = static_cast<std::uint8_t>(ib >> 5);
        h.info = ib & 0x1f;
        if (h.info < 24) {
            h.arg = h.info;
            return {};
        }
        if (h.info == 31) {
            if (h.major >= 2 && h.major <= 5)
                return fail(Errc::cbor_indefinite, start, "indefinite-length item");
            if (h.major == 7) return fail(Errc::cbor_malformed, start, "break byte outside an indefinite-length item");
            return fail(Errc::cbor_malformed, start, "additional information 31 on a major type without it");
        }
        if (h.info > 27) return fail(Errc::cbor_malformed, start, "reserved additional information 28..30");
        const std::size_t n = std::size_t{1} << (h.info - 24);  // 1, 2, 4, 8
        ByteView b;
        if (!r_.get_bytes(n, b)) return fail(Errc::cbor_truncated, start, "input ends inside an item head");
        std::uint64_t v = 0;
        for (std::uint8_t x : b) v = (v << 8) | x;
        h.arg = v;
        if (h.major == 7) return {};  // simple values and floats check their own forms
        if (o_.canonical) {
            const bool shortest = (n == 1 && v >= 24) || (n == 2 && v > 0xff) || (n == 4 && v > 0xffff) ||
                                  (n == 8 && v > 0xffffffffu);
            if (!shortest) return fail(Errc::cbor_non_canonical, start, "integer or length not in its shortest form");
        }
        return {};
    }

    Result<Value> string(const Head& h, std::size_t start) {
        if (h.arg > o_.max_string)
            return fail(Errc::cbor_limit, start, "string longer than " + std::to_string(o_.max_string) + " bytes");
        ByteView b;
        if (!r_.get_bytes(static_cast<std::size_t>(h.arg), b))
            return fail(Errc::cbor_truncated, start, "input ends inside a string");
        if (h.major == 2) return Value(b);
        const std::string_view t = as_chars(b);
        if (!is_valid_utf8(t)) return fail(Errc::cbor_invalid_utf8, start, "text string is not valid UTF-8");
        return Value(t);
    }

    // A count of n items needs at least n more bytes; checked before reserving anything.
    Status check_count(std::uint64_t n, std::size_t start) const {
        if (n > o_.max_items) return fail(Errc::cbor_limit, start, "more than " + std::to_string(o_.max_items) + " items");
        if (n > r_.remaining()) return fail(Errc::cbor_truncated, start, "input ends before the announced items");
        return {};
    }

    Result<Value> array(const Head& h, std::size_t start, std::size_t depth) {
        MFA_TRY(check_count(h.arg, start));
        Array a;
        a.reserve(static_cast<std::size_t>(h.arg));
        for (std::uint64_t i = 0; i < h.arg; ++i) {
            auto v = item(depth + 1);
            if (!v) return std::move(v).error();
            a.push_back(std::move(*v));
        }
        return Value(std::move(a));
    }

    Result<Value> map(const Head& h, std::size_t start, std::size_t depth) {
        MFA_TRY(check_count(h.arg * 2 < h.arg ? h.arg : h.arg * 2, start));
        Map m;
        m.reserve(static_cast<std::size_t>(h.arg));
        std::vector<Bytes> canon;  // canonical re-encodings of the keys, for the lenient mode
        ByteView prev;
        for (std::uint64_t i = 0; i < h.arg; ++i) {
            const std::size_t kstart = r_.position();
            const ByteView before = r_.rest();
            auto k = item(depth + 1);
            if (!k) return std::move(k).error();
            const ByteView kbytes = before.first(r_.position() - kstart);
            if (o_.canonical) {
                if (i > 0) {
                    const int c = detail::compare_keys(prev, kbytes);
                    if (c == 0) return fail(Errc::cbor_duplicate_key, kstart, "duplicate map key");
                    if (c > 0) return fail(Errc::cbor_key_order, kstart, "map key out of canonical order");
                }
                prev = kbytes;
            } else {
                auto enc = encode(*k);
                if (!enc) return fail(enc.code(), kstart, enc.error().detail);
                canon.push_back(std::move(*enc));
            }
            auto v = item(depth + 1);
            if (!v) return std::move(v).error();
            m.push_back(MapEntry{std::move(*k), std::move(*v)});
        }
        if (!o_.canonical && m.size() > 1) {
            // Normalise to canonical order so that values compare and re-encode alike.
            std::vector<std::size_t> order(m.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::sort(order.begin(), order.end(),
                      [&](std::size_t a, std::size_t b) { return detail::compare_keys(canon[a], canon[b]) < 0; });
            for (std::size_t i = 1; i < order.size(); ++i)
                if (detail::compare_keys(canon[order[i - 1]], canon[order[i]]) == 0)
                    return fail(Errc::cbor_duplicate_key, start, "map holds a duplicate key");
            Map sorted;
            sorted.reserve(m.size());
            for (std::size_t i : order) sorted.push_back(std::move(m[i]));
            return Value(std::move(sorted));
        }
        return Value(std::move(m));
    }

    Result<Value> simple_or_float(const Head& h, std::size_t start) {
        if (h.info <= 24) {
            std::uint64_t s = h.arg;
            if (h.info == 24 && s < 32)
                return fail(Errc::cbor_malformed, start, "two-byte simple value below 32");
            switch (s) {
                case 20: return Value(false);
                case 21: return Value(true);
                case 22: return Value::null();
                case 23:
                    if (!o_.allow_simple) return fail(Errc::cbor_unsupported, start, "undefined is not accepted here");
                    return Value::undefined();
                default:
                    if (!o_.allow_simple) return fail(Errc::cbor_unsupported, start, "simple values are not accepted here");
                    return Value::simple(static_cast<std::uint8_t>(s));
            }
        }
        if (!o_.allow_floats) return fail(Errc::cbor_unsupported, start, "floats are not accepted here");
        double d = 0;
        bool shortest = true;
        if (h.info == 25) {
            d = detail::half_to_double(static_cast<std::uint16_t>(h.arg));
            if (d != d && h.arg != 0x7e00) shortest = false;  // the only canonical NaN is f9 7e00
        } else if (h.info == 26) {
            const auto bits = static_cast<std::uint32_t>(h.arg);
            float f;
            std::memcpy(&f, &bits, sizeof f);
            d = static_cast<double>(f);
            if (d != d || detail::exact_half(d)) shortest = false;
        } else {
            std::memcpy(&d, &h.arg, sizeof d);
            if (d != d || detail::exact_single(d)) shortest = false;
        }
        if (o_.canonical && !shortest)
            return fail(Errc::cbor_non_canonical, start, "float not in its shortest exact form");
        if (d != d) d = detail::half_to_double(0x7e00);  // one NaN, whatever payload came in
        return Value::floating(d);
    }

    Reader& r_;
    const DecodeOptions& o_;
    std::size_t base_;
    std::size_t items_ = 0;
};

}  // namespace

Result<Value> decode_from(Reader& reader, const DecodeOptions& opts) {
    Reader work = reader;
    Decoder d(work, opts);
    if (work.remaining() > opts.max_input)
        return d.fail(Errc::cbor_limit, work.position(),
                      "input of " + std::to_string(work.remaining()) + " bytes exceeds " +
                          std::to_string(opts.max_input));
    auto v = d.item(1);
    if (!v) return v;
    reader = work;
    return v;
}

Result<Prefix> decode_prefix(ByteView input, const DecodeOptions& opts) {
    Reader r(input);
    auto v = decode_from(r, opts);
    if (!v) return std::move(v).error();
    return Prefix{std::move(*v), r.position()};
}

Result<Value> decode(ByteView input, const DecodeOptions& opts) {
    Reader r(input);
    auto v = decode_from(r, opts);
    if (!v) return v;
    if (!r.empty())
        return Error(Errc::cbor_trailing, "at offset " + std::to_string(r.position()) + ": " +
                                              std::to_string(r.remaining()) + " bytes after the item");
    return v;
}

}  // namespace mfa::cbor

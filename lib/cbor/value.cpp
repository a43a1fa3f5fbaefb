// cbor::Value: construction, typed access and map lookup.
#include <cstring>
#include <string>

#include "mfa/cbor.hpp"

namespace mfa::cbor {
namespace {

const Array kEmptyArray;
const Map kEmptyMap;

Error type_error(std::string_view what, std::string_view expected, Type got) {
    std::string d(what);
    d += ": expected ";
    d += expected;
    d += ", got ";
    d += type_name(got);
    return Error(Errc::cbor_type, std::move(d));
}

bool key_matches(const Value& k, const Key& key) noexcept {
    if (key.is_int()) {
        const std::int64_t want = key.int_value();
        if (want >= 0) return k.type() == Type::unsigned_int && k.raw_argument() == static_cast<std::uint64_t>(want);
        return k.type() == Type::negative_int &&
               k.raw_argument() == static_cast<std::uint64_t>(-(want + 1));
    }
    if (k.type() != Type::text) return false;
    auto t = k.as_text();
    return t.ok() && *t == key.text_value();
}

}  // namespace

std::string_view type_name(Type t) noexcept {
    switch (t) {
        case Type::unsigned_int: return "unsigned integer";
        case Type::negative_int: return "negative integer";
        case Type::bytes: return "byte string";
        case Type::text: return "text string";
        case Type::array: return "array";
        case Type::map: return "map";
        case Type::tag: return "tag";
        case Type::boolean: return "boolean";
        case Type::null: return "null";
        case Type::undefined: return "undefined";
        case Type::simple: return "simple value";
        case Type::floating: return "float";
    }
    return "unknown";
}

std::string Key::describe() const {
    if (is_int()) return "map key " + std::to_string(int_value());
    std::string s = "map key \"";
    s += text_value();
    s += '"';
    return s;
}

Value Value::negative(std::uint64_t n) {
    Value v;
    v.type_ = Type::negative_int;
    v.num_ = n;
    return v;
}

Value Value::undefined() noexcept {
    Value v;
    v.type_ = Type::undefined;
    return v;
}

Value Value::simple(std::uint8_t s) {
    Value v;
    v.type_ = Type::simple;
    v.num_ = s;
    return v;
}

Value Value::floating(double d) noexcept {
    Value v;
    v.type_ = Type::floating;
    v.float_ = d;
    return v;
}

Value Value::tagged(std::uint64_t tag, Value content) {
    Value v;
    v.type_ = Type::tag;
    v.num_ = tag;
    v.items_.push_back(std::move(content));
    return v;
}

Result<std::int64_t> Value::as_int(std::string_view what) const {
    if (type_ == Type::unsigned_int) {
        if (num_ > static_cast<std::uint64_t>(INT64_MAX))
            return Error(Errc::cbor_int_range, std::string(what) + ": integer above 2^63-1");
        return static_cast<std::int64_t>(num_);
    }
    if (type_ == Type::negative_int) {
        if (num_ > static_cast<std::uint64_t>(INT64_MAX))
            return Error(Errc::cbor_int_range, std::string(what) + ": integer below -2^63");
        return -static_cast<std::int64_t>(num_) - 1;
    }
    return type_error(what, "integer", type_);
}

Result<std::uint64_t> Value::as_uint(std::string_view what) const {
    if (type_ == Type::unsigned_int) return num_;
    if (type_ == Type::negative_int)
        return Error(Errc::cbor_int_range, std::string(what) + ": negative integer where unsigned expected");
    return type_error(what, "unsigned integer", type_);
}

Result<ByteView> Value::as_bytes(std::string_view what) const {
    if (type_ != Type::bytes) return type_error(what, "byte string", type_);
    return ByteView(str_.data(), str_.size());
}

Result<std::string_view> Value::as_text(std::string_view what) const {
    if (type_ != Type::text) return type_error(what, "text string", type_);
    return as_chars(str_);
}

Result<bool> Value::as_bool(std::string_view what) const {
    if (type_ != Type::boolean) return type_error(what, "boolean", type_);
    return num_ != 0;
}

Result<double> Value::as_float(std::string_view what) const {
    if (type_ != Type::floating) return type_error(what, "float", type_);
    return float_;
}

Result<const Array*> Value::as_array(std::string_view what) const {
    if (type_ != Type::array) return type_error(what, "array", type_);
    return &items_;
}

Result<const Map*> Value::as_map(std::string_view what) const {
    if (type_ != Type::map) return type_error(what, "map", type_);
    return &entries_;
}

const Value* Value::tag_content() const noexcept {
    if (type_ != Type::tag) return nullptr;
    return items_.empty() ? nullptr : &items_.front();
}

const Array& Value::array_items() const noexcept {
    return type_ == Type::array ? items_ : kEmptyArray;
}

const Map& Value::map_entries() const noexcept {
    return type_ == Type::map ? entries_ : kEmptyMap;
}

std::size_t Value::size() const noexcept {
    switch (type_) {
        case Type::bytes:
        case Type::text: return str_.size();
        case Type::array: return items_.size();
        case Type::map: return entries_.size();
        default: return 0;
    }
}

const Value* Value::find(Key key) const noexcept {
    if (type_ != Type::map) return nullptr;
    for (const auto& e : entries_)
        if (key_matches(e.key, key)) return &e.value;
    return nullptr;
}

Result<const Value*> Value::at(Key key) const {
    if (type_ != Type::map) return type_error("container of " + key.describe(), "map", type_);
    const Value* v = find(key);
    if (v == nullptr) return Error(Errc::cbor_missing_key, key.describe() + " is missing");
    return v;
}

#define MFA_CBOR_GETTER(Name, T, As)                   \
    Result<T> Value::Name(Key key) const {             \
        auto v = at(key);                              \
        if (!v) return std::move(v).error();           \
        return (*v)->As(key.describe());               \
    }
MFA_CBOR_GETTER(get_int, std::int64_t, as_int)
MFA_CBOR_GETTER(get_uint, std::uint64_t, as_uint)
MFA_CBOR_GETTER(get_bytes, ByteView, as_bytes)
MFA_CBOR_GETTER(get_text, std::string_view, as_text)
MFA_CBOR_GETTER(get_bool, bool, as_bool)
MFA_CBOR_GETTER(get_array, const Array*, as_array)
MFA_CBOR_GETTER(get_map, const Map*, as_map)
#undef MFA_CBOR_GETTER

Result<const Value*> Value::get_map_value(Key key) const {
    auto v = at(key);
    if (!v) return std::move(v).error();
    if ((*v)->type() != Type::map) return type_error(key.describe(), "map", (*v)->type());
    return *v;
}

bool operator==(const Value& a, const Value& b) noexcept {
    if (a.type_ != b.type_ || a.num_ != b.num_) return false;
    if (a.type_ == Type::floating) return std::memcmp(&a.float_, &b.float_, sizeof(double)) == 0;
    return a.str_ == b.str_ && a.items_ == b.items_ && a.entries_ == b.entries_;
}

bool is_valid_utf8(std::string_view text) noexcept {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return false;  // continuation byte, overlong lead (c0/c1) or beyond U+10FFFF (f5..ff)
        }
        if (n - i < len) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;  // overlong
        if (cp >= 0xd800 && cp <= 0xdfff) return false;                            // surrogate
        if (cp > 0x10ffff) return false;
        i += len;
    }
    return true;
}

}  // namespace mfa::cbor

// Strict CBOR (RFC 8949) in the CTAP2 canonical form, for WebAuthn and CTAP2 messages.
//
// The decoder is our own bounded parser over mfa::Reader. By default it accepts only what an
// authenticator is allowed to send (CTAP2 canonical CBOR, FIDO CTAP 2.1 §8): definite lengths,
// integers, lengths and floats in their shortest form, map keys in canonical order (lower major
// type first, then the shorter encoding, then bytewise) without duplicates, valid UTF-8 in text strings. Every limit (input
// size, nesting depth, item count, string length) is in DecodeOptions; every rejection has its own
// Errc in the CBOR block and a detail with the byte offset ("at offset 12: ..."). docs/cbor-cose.md
// lists the rules.
//
// The encoder writes the same canonical form, sorting map keys, so decode(encode(v)) == v and
// encode(decode(b)) == b for every accepted b.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/reader.hpp"

namespace mfa::cbor {

enum class Type : std::uint8_t {
    unsigned_int,  // major type 0: 0 .. 2^64-1
    negative_int,  // major type 1: -1 .. -2^64 (stored as the CBOR argument n, value = -1 - n)
    bytes,         // major type 2
    text,          // major type 3, valid UTF-8
    array,         // major type 4
    map,           // major type 5, pairs kept in canonical key order
    tag,           // major type 6: a tag number and one enclosed item
    boolean,       // simple 20/21
    null,          // simple 22
    undefined,     // simple 23
    simple,        // other simple values (0..19, 32..255)
    floating,      // half, single or double precision, kept as a double
};

// "unsigned integer", "text string" ...: for error details.
std::string_view type_name(Type) noexcept;

class Value;
struct MapEntry;
using Array = std::vector<Value>;
using Map = std::vector<MapEntry>;

// A map key to look up: an integer (CTAP2 and COSE labels) or a text string (WebAuthn members).
// Converts implicitly from integers and strings, so value.get_bytes(-2) and value.get_text("fmt")
// both read naturally.
class Key {
public:
    template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
    Key(I v) noexcept : k_(static_cast<std::int64_t>(v)) {}
    Key(std::string_view s) noexcept : k_(s) {}
    Key(const char* s) noexcept : k_(std::string_view(s)) {}
    Key(const std::string& s) noexcept : k_(std::string_view(s)) {}

    [[nodiscard]] bool is_int() const noexcept { return k_.index() == 0; }
    [[nodiscard]] std::int64_t int_value() const noexcept { return std::get<0>(k_); }
    [[nodiscard]] std::string_view text_value() const noexcept { return std::get<1>(k_); }
    // "map key -2" / "map key \"fmt\"", for error details.
    [[nodiscard]] std::string describe() const;

private:
    std::variant<std::int64_t, std::string_view> k_;
};

class Value {
public:
    // null by default.
    Value() noexcept = default;

    // Implicit constructors for building messages: integers, bool, text, bytes, arrays, maps.
    template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
    Value(I v) {
        if constexpr (std::is_signed_v<I>) {
            if (v < 0) {
                type_ = Type::negative_int;
                num_ = static_cast<std::uint64_t>(-(static_cast<std::int64_t>(v) + 1));
                return;
            }
        }
        type_ = Type::unsigned_int;
        num_ = static_cast<std::uint64_t>(v);
    }
    // (Defined below MapEntry: a constructor must be able to destroy a Map, which needs MapEntry.)
    Value(bool b) noexcept;
    Value(std::string_view s);
    Value(const char* s);
    Value(const std::string& s);
    Value(ByteView b);
    Value(Bytes b);
    Value(Array a);
    Value(Map m);  // keys are kept as given; encode() sorts them, decode() yields them sorted

    // Named constructors for the rest.
    static Value negative(std::uint64_t n);  // the integer -1 - n (reaches -2^64)
    static Value null() noexcept;
    static Value undefined() noexcept;
    static Value simple(std::uint8_t v);     // not 20..31 (those are booleans/null/undefined/reserved)
    static Value floating(double d) noexcept;
    static Value tagged(std::uint64_t tag, Value content);

    [[nodiscard]] Type type() const noexcept { return type_; }
    [[nodiscard]] bool is_int() const noexcept { return type_ == Type::unsigned_int || type_ == Type::negative_int; }
    [[nodiscard]] bool is_map() const noexcept { return type_ == Type::map; }
    [[nodiscard]] bool is_array() const noexcept { return type_ == Type::array; }
    [[nodiscard]] bool is_null() const noexcept { return type_ == Type::null; }

    // The CBOR argument of an integer (n for a negative -1 - n), a simple value, a boolean (0/1)
    // or the tag number of a tag.
    [[nodiscard]] std::uint64_t raw_argument() const noexcept { return num_; }

    // Typed getters: cbor_type when the value has another type, cbor_int_range when an integer does
    // not fit. `what` names the value in the error detail ("credentialPublicKey", "map key 3").
    Result<std::int64_t> as_int(std::string_view what = "value") const;
    Result<std::uint64_t> as_uint(std::string_view what = "value") const;
    Result<ByteView> as_bytes(std::string_view what = "value") const;      // view into this Value
    Result<std::string_view> as_text(std::string_view what = "value") const;
    Result<bool> as_bool(std::string_view what = "value") const;
    Result<double> as_float(std::string_view what = "value") const;
    Result<const Array*> as_array(std::string_view what = "value") const;
    Result<const Map*> as_map(std::string_view what = "value") const;
    // Tag number and enclosed item of a tag.
    [[nodiscard]] std::uint64_t tag_number() const noexcept { return num_; }
    [[nodiscard]] const Value* tag_content() const noexcept;

    // Unchecked views (empty when the type differs).
    [[nodiscard]] const Array& array_items() const noexcept;
    [[nodiscard]] const Map& map_entries() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept;  // items of an array, pairs of a map, bytes of a string

    // Map lookup: nullptr when this is not a map or the key is absent. An integer Key matches
    // unsigned and negative integer keys; a text Key matches text keys.
    [[nodiscard]] const Value* find(Key key) const noexcept;
    [[nodiscard]] bool contains(Key key) const noexcept { return find(key) != nullptr; }
    // Required member: cbor_type when this is not a map, cbor_missing_key when absent.
    Result<const Value*> at(Key key) const;
    // Required member of a given type; the error detail names the key.
    Result<std::int64_t> get_int(Key key) const;
    Result<std::uint64_t> get_uint(Key key) const;
    Result<ByteView> get_bytes(Key key) const;
    Result<std::string_view> get_text(Key key) const;
    Result<bool> get_bool(Key key) const;
    Result<const Array*> get_array(Key key) const;
    Result<const Map*> get_map(Key key) const;
    Result<const Value*> get_map_value(Key key) const;  // the member, checked to be a map

    // Structural equality (floats compared by bit pattern, maps by pairs in order).
    friend bool operator==(const Value& a, const Value& b) noexcept;

private:
    // Plain members rather than a std::variant: GCC 12 reports false maybe-uninitialized warnings
    // when variants of vectors are moved, which would break -Werror builds of every user.
    Type type_ = Type::null;
    std::uint64_t num_ = 0;
    double float_ = 0.0;
    Bytes str_;      // byte string, or the UTF-8 of a text string
    Array items_;    // array items, or the one enclosed item of a tag
    Map entries_;    // map pairs
};

struct MapEntry {
    Value key;
    Value value;
    friend bool operator==(const MapEntry& a, const MapEntry& b) noexcept {
        return a.key == b.key && a.value == b.value;
    }
};

inline Value Value::null() noexcept { return Value(); }
inline Value::Value(bool b) noexcept : type_(Type::boolean), num_(b ? 1 : 0) {}
inline Value::Value(std::string_view s) : type_(Type::text), str_(s.begin(), s.end()) {}
inline Value::Value(const char* s) : Value(std::string_view(s)) {}
inline Value::Value(const std::string& s) : Value(std::string_view(s)) {}
inline Value::Value(ByteView b) : type_(Type::bytes), str_(b.begin(), b.end()) {}
inline Value::Value(Bytes b) : type_(Type::bytes), str_(std::move(b)) {}
inline Value::Value(Array a) : type_(Type::array), items_(std::move(a)) {}
inline Value::Value(Map m) : type_(Type::map), entries_(std::move(m)) {}

// Decoder limits and switches. The defaults are what a relying party wants for attestation
// objects, COSE keys and CTAP2 messages.
struct DecodeOptions {
    std::size_t max_input = 1 << 20;          // bytes of input (whole buffer handed to decode)
    std::size_t max_depth = 16;               // nesting of arrays/maps/tags; a scalar at top is depth 1
    std::size_t max_items = 16384;            // data items in total (keys and values each count)
    std::size_t max_string = 1 << 16;         // bytes in one byte or text string
    bool canonical = true;                    // enforce CTAP2 canonical form (shortest forms, key order)
    bool allow_tags = true;                   // false: any tag is cbor_unsupported
    bool allow_floats = true;                 // false: any float is cbor_unsupported
    bool allow_simple = true;                 // false: undefined and unassigned simple values refused
};

// Decodes exactly one item that must span the whole input (cbor_trailing otherwise).
Result<Value> decode(ByteView input, const DecodeOptions& opts = {});

// Decodes one item from the front of the input and reports how many bytes it took: for formats
// that embed CBOR followed by other data (the COSE key inside attested credential data).
struct Prefix {
    Value value;
    std::size_t consumed = 0;
};
Result<Prefix> decode_prefix(ByteView input, const DecodeOptions& opts = {});

// Same, reading from (and on success advancing) a Reader. Offsets in error details are relative to
// the reader's current position. On failure the reader is left where it was.
Result<Value> decode_from(Reader& reader, const DecodeOptions& opts = {});

// Canonical encoding: shortest integer and length heads, map keys sorted by their encoded bytes
// (length first, then bytewise), floats in the shortest of half/single/double that keeps the value
// exactly. Fails with cbor_duplicate_key when a map holds two equal keys, and with cbor_invalid_utf8
// for a text string that is not UTF-8, so what it writes always decodes again.
Result<Bytes> encode(const Value& value);
Status encode_to(const Value& value, Bytes& out);

// True when text is valid UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace mfa::cbor

// The one strict JSON reader of the library: every JSON text from outside (WebAuthn responses and
// clientDataJSON, SafetyNet and MDS payloads, import files, org policies, stored records, C ABI
// arguments) is read through it. nlohmann-json's lexer and SAX parser underneath (RFC 8259 syntax,
// strict: nothing may follow the value), with the checks its DOM parser does not make:
//
//   - input size: at most Options::max_bytes (default kDefaultMaxBytes, 1 MiB) -> Errc::limit_exceeded
//   - nesting: at most Options::max_depth (default kDefaultMaxDepth, 32) containers open at once
//   - member names: a name may occur once per object, compared after unescaping ("\u0069d" is "id")
//   - UTF-8: strings must be well-formed UTF-8 (no overlong forms, no encoded surrogates, nothing
//     above U+10FFFF); \u escapes must not leave a surrogate unpaired; control characters must be
//     escaped; a byte order mark is refused
//   - numbers: one that does not fit a double (1e999) is refused, not turned into infinity
//
// Every failure but the size limit has the caller's error code (Options::code) and a detail
// "<what>: <reason> at byte <offset> [(line L, column C)] [in <JSON pointer>]": the byte offset is
// 0-based, line and column (1-based) are given when the input has more than one line, and the JSON
// pointer (RFC 6901) names the member or element being read, e.g. "/response/clientDataJSON". No
// part of the offending token is copied into the message (it may be a secret).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mfa/error.hpp"

namespace mfa::json {

using Value = nlohmann::json;

inline constexpr std::size_t kDefaultMaxBytes = std::size_t{1} << 20;
inline constexpr std::size_t kDefaultMaxDepth = 32;

struct Options {
    Errc code = Errc::parse;        // the caller's code for syntax, depth, duplicate and UTF-8 errors
    std::string_view what = "JSON"; // names the input in errors ("JWS payload", "import file")
    std::size_t max_bytes = kDefaultMaxBytes;
    std::size_t max_depth = kDefaultMaxDepth;
};

// Receives the events of one strict read. The reader has already made its checks when an event
// arrives (a key is not a duplicate, a container is within the depth limit); a sink returns false
// to stop, after reject() with the reason, which the reader completes with the position and path.
class Sink {
public:
    virtual ~Sink() = default;
    virtual bool null() = 0;
    virtual bool boolean(bool v) = 0;
    virtual bool number_integer(std::int64_t v) = 0;
    virtual bool number_unsigned(std::uint64_t v) = 0;
    virtual bool number_float(double v) = 0;   // always finite
    virtual bool string(std::string& v) = 0;    // unescaped; may be moved from
    virtual bool start_object() = 0;
    virtual bool key(std::string& name) = 0;    // unescaped, first occurrence in its object
    virtual bool end_object() = 0;
    virtual bool start_array() = 0;
    virtual bool end_array() = 0;

    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

protected:
    bool reject(std::string reason) {
        reason_ = std::move(reason);
        return false;
    }

private:
    std::string reason_;
};

// Builds a Value from the events. Usable on a whole document or on one member's value inside
// another sink (forward that value's events; done() turns true once it is complete).
class DomBuilder final : public Sink {
public:
    explicit DomBuilder(Value& root) : root_(root) {}

    bool null() override { return put(Value(nullptr)); }
    bool boolean(bool v) override { return put(Value(v)); }
    bool number_integer(std::int64_t v) override { return put(Value(v)); }
    bool number_unsigned(std::uint64_t v) override { return put(Value(v)); }
    bool number_float(double v) override { return put(Value(v)); }
    bool string(std::string& v) override { return put(Value(std::move(v))); }
    bool start_object() override { return open(Value::object()); }
    bool key(std::string& name) override;
    bool end_object() override { return close(); }
    bool start_array() override { return open(Value::array()); }
    bool end_array() override { return close(); }

    [[nodiscard]] bool done() const noexcept { return started_ && stack_.empty(); }

private:
    Value* place(Value&& v);
    bool put(Value&& v) {
        place(std::move(v));
        return true;
    }
    bool open(Value&& v);
    bool close() {
        stack_.pop_back();
        return true;
    }

    Value& root_;
    bool started_ = false;
    std::vector<Value*> stack_;
    std::string key_;
};

// Reads `text` strictly, sending its events to `sink`.
Status read(std::string_view text, Sink& sink, const Options& opt = {});

// Reads `text` strictly into a Value.
Result<Value> parse(std::string_view text, const Options& opt = {});

// As parse, and the value must be an object ("<what>: not a JSON object" otherwise, opt.code).
Result<Value> parse_object(std::string_view text, const Options& opt = {});

}  // namespace mfa::json

// Strict JSON for WebAuthn inputs (internal): nlohmann-json underneath, with the checks its DOM
// parser does not make. Duplicate member names are rejected (a second "origin" must not win
// silently), nesting depth and input size are capped, invalid UTF-8 is rejected by the lexer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mfa/error.hpp"

namespace mfa::webauthn::detail {

using Json = nlohmann::json;

inline constexpr std::size_t kMaxJsonDepth = 32;

// The member types nlohmann's SAX interface requires of every handler.
struct SaxTypes {
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;
};

// Builds a DOM from nlohmann SAX events, refusing duplicate member names and nesting deeper than
// max_depth open containers. parse_strict_json drives one over a whole document; the response
// parser (response_sax.cpp) drives one over a single member's value (clientExtensionResults) with
// the depth budget left at that point. done() is true once one complete value has been received.
class DomBuilder : public SaxTypes {
public:

    explicit DomBuilder(Json& root, std::size_t max_depth = kMaxJsonDepth) : root_(root), max_depth_(max_depth) {}

    bool null() { return put(Json(nullptr)); }
    bool boolean(bool v) { return put(Json(v)); }
    bool number_integer(number_integer_t v) { return put(Json(v)); }
    bool number_unsigned(number_unsigned_t v) { return put(Json(v)); }
    bool number_float(number_float_t v, const string_t&) { return put(Json(v)); }
    bool string(string_t& v) { return put(Json(std::move(v))); }
    bool binary(binary_t&) { return fail_at("binary values are not JSON"); }
    bool start_object(std::size_t) { return open(Json::object()); }
    bool start_array(std::size_t) { return open(Json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(string_t& k);
    bool parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception&);

    [[nodiscard]] bool done() const noexcept { return started_ && stack_.empty(); }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
    bool fail_at(std::string msg) {
        error_ = std::move(msg);
        return false;
    }
    Json* place(Json&& v);
    bool put(Json&& v) {
        place(std::move(v));
        return true;
    }
    bool open(Json&& v);
    bool close() {
        stack_.pop_back();
        return true;
    }

    Json& root_;
    std::size_t max_depth_;
    bool started_ = false;
    std::vector<Json*> stack_;
    std::string key_;
    std::string error_;
};

// The syntax-error text every strict parser uses ("syntax error at byte N near '...'").
std::string syntax_error_text(std::size_t pos, const std::string& token);

// Parses text into a DOM. Failures are `code` with a detail naming `what` and the byte position.
Result<Json> parse_strict_json(std::string_view text, std::size_t max_bytes, Errc code, std::string_view what);

// Typed member access with errors that name the member ("response.clientDataJSON").
// nullptr when the member is absent (or JSON null when null_is_absent).
const Json* member(const Json& obj, std::string_view name, bool null_is_absent = true);
Result<std::string_view> string_member(const Json& obj, std::string_view name, std::string_view path, Errc code);

}  // namespace mfa::webauthn::detail

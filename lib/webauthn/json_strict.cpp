#include "json_strict.hpp"

#include <string>
#include <vector>

namespace mfa::webauthn::detail {
namespace {

// Builds the DOM from SAX events so that duplicate names and depth can be checked as they appear.
class StrictBuilder {
public:
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    explicit StrictBuilder(Json& root) : root_(root) {}

    bool null() { return put(Json(nullptr)); }
    bool boolean(bool v) { return put(Json(v)); }
    bool number_integer(number_integer_t v) { return put(Json(v)); }
    bool number_unsigned(number_unsigned_t v) { return put(Json(v)); }
    bool number_float(number_float_t v, const string_t&) { return put(Json(v)); }
    bool string(string_t& v) { return put(Json(std::move(v))); }
    bool binary(binary_t&) { return fail_at("binary values are not JSON"); }
    bool start_object(std::size_t) { return open(Json::object()); }
    bool start_array(std::size_t) { return open(Json::array()); }
    bool end_object() { stack_.pop_back(); return true; }
    bool end_array() { stack_.pop_back(); return true; }
    bool key(string_t& k) {
        Json& obj = *stack_.back();
        if (obj.contains(k)) return fail_at("duplicate member \"" + k + "\"");
        key_ = std::move(k);
        return true;
    }
    bool parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception&) {
        error_ = "syntax error at byte " + std::to_string(pos) + " near '" + token.substr(0, 32) + "'";
        return false;
    }

    const std::string& error() const { return error_; }

private:
    bool fail_at(std::string msg) {
        error_ = std::move(msg);
        return false;
    }
    Json* place(Json&& v) {
        if (stack_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        Json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        Json& slot = parent[key_];
        slot = std::move(v);
        return &slot;
    }
    bool put(Json&& v) {
        place(std::move(v));
        return true;
    }
    bool open(Json&& v) {
        if (stack_.size() >= kMaxJsonDepth)
            return fail_at("nesting deeper than " + std::to_string(kMaxJsonDepth));
        stack_.push_back(place(std::move(v)));
        return true;
    }

    Json& root_;
    std::vector<Json*> stack_;
    std::string key_;
    std::string error_;
};

}  // namespace

Result<Json> parse_strict_json(std::string_view text, std::size_t max_bytes, Errc code, std::string_view what) {
    if (text.size() > max_bytes)
        return Error(Errc::limit_exceeded, std::string(what) + " is " + std::to_string(text.size()) +
                                               " bytes, limit " + std::to_string(max_bytes));
    Json root;
    StrictBuilder b(root);
    const bool ok = Json::sax_parse(text.begin(), text.end(), &b, nlohmann::json::input_format_t::json,
                                    /*strict=*/true, /*ignore_comments=*/false);
    if (!ok) return Error(code, std::string(what) + ": " + b.error());
    return root;
}

const Json* member(const Json& obj, std::string_view name, bool null_is_absent) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(name);
    if (it == obj.end()) return nullptr;
    if (null_is_absent && it->is_null()) return nullptr;
    return &*it;
}

Result<std::string_view> string_member(const Json& obj, std::string_view name, std::string_view path, Errc code) {
    const Json* m = member(obj, name);
    if (m == nullptr) return Error(code, std::string(path) + " is missing");
    if (!m->is_string()) return Error(code, std::string(path) + " is not a string");
    return std::string_view(m->get_ref<const std::string&>());
}

}  // namespace mfa::webauthn::detail

#include "json_strict.hpp"

#include <string>
#include <vector>

namespace mfa::webauthn::detail {
std::string syntax_error_text(std::size_t pos, const std::string& token) {
    return "syntax error at byte " + std::to_string(pos) + " near '" + token.substr(0, 32) + "'";
}

bool DomBuilder::key(string_t& k) {
    Json& obj = *stack_.back();
    if (obj.contains(k)) return fail_at("duplicate member \"" + k + "\"");
    key_ = std::move(k);
    return true;
}

bool DomBuilder::parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception&) {
    error_ = syntax_error_text(pos, token);
    return false;
}

Json* DomBuilder::place(Json&& v) {
    started_ = true;
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

bool DomBuilder::open(Json&& v) {
    if (stack_.size() >= max_depth_) return fail_at("nesting deeper than " + std::to_string(kMaxJsonDepth));
    stack_.push_back(place(std::move(v)));
    return true;
}

Result<Json> parse_strict_json(std::string_view text, std::size_t max_bytes, Errc code, std::string_view what) {
    if (text.size() > max_bytes)
        return Error(Errc::limit_exceeded, std::string(what) + " is " + std::to_string(text.size()) +
                                               " bytes, limit " + std::to_string(max_bytes));
    Json root;
    DomBuilder b(root);
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

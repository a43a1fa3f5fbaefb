#include "json_strict.hpp"

#include <string>

namespace mfa::webauthn::detail {
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

// Typed member access for the WebAuthn JSON inputs (internal). The inputs themselves are read by
// the library's strict reader (mfa/json.hpp): duplicates, depth, size and UTF-8 are checked there.
#pragma once

#include <string>
#include <string_view>

#include "mfa/error.hpp"
#include "mfa/json.hpp"

namespace mfa::webauthn::detail {

using Json = json::Value;

// Typed member access with errors that name the member ("response.clientDataJSON").
// nullptr when the member is absent (or JSON null when null_is_absent).
const Json* member(const Json& obj, std::string_view name, bool null_is_absent = true);
Result<std::string_view> string_member(const Json& obj, std::string_view name, std::string_view path, Errc code);

}  // namespace mfa::webauthn::detail

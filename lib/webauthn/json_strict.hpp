// Strict JSON for WebAuthn inputs (internal): nlohmann-json underneath, with the checks its DOM
// parser does not make. Duplicate member names are rejected (a second "origin" must not win
// silently), nesting depth and input size are capped, invalid UTF-8 is rejected by the lexer.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mfa/error.hpp"

namespace mfa::webauthn::detail {

using Json = nlohmann::json;

inline constexpr std::size_t kMaxJsonDepth = 32;

// Parses text into a DOM. Failures are `code` with a detail naming `what` and the byte position.
Result<Json> parse_strict_json(std::string_view text, std::size_t max_bytes, Errc code, std::string_view what);

// Typed member access with errors that name the member ("response.clientDataJSON").
// nullptr when the member is absent (or JSON null when null_is_absent).
const Json* member(const Json& obj, std::string_view name, bool null_is_absent = true);
Result<std::string_view> string_member(const Json& obj, std::string_view name, std::string_view path, Errc code);

}  // namespace mfa::webauthn::detail

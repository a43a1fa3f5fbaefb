// One strict pass over a credential response (internal): picks out the members the response
// parsers read without building a DOM of the whole document, which on the login path cost more
// than everything but the signature. A json::Sink, so the strictness is the library reader's
// (mfa/json.hpp): duplicate member names anywhere, nesting, size, UTF-8 and syntax.
// clientExtensionResults / extensions and transports are kept as small DOMs (they are
// re-serialised or iterated); unknown members are syntax-checked and skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json_strict.hpp"
#include "mfa/error.hpp"

namespace mfa::webauthn::detail {

// A member expected to hold a string, as found.
struct ScannedString {
    enum class Kind : std::uint8_t { absent, null, string, other };
    Kind kind = Kind::absent;
    std::string text;  // when kind == string

    // What member() reports: absent and null both mean "not there".
    [[nodiscard]] bool present() const noexcept { return kind == Kind::string || kind == Kind::other; }
};

struct ScannedResponse {
    bool root_is_object = false;
    ScannedString type, id, raw_id, authenticator_attachment;
    std::optional<Json> client_extension_results, legacy_extensions, legacy_transports;
    bool response_is_object = false;  // false also when absent or null
    // Members of "response".
    ScannedString client_data_json, authenticator_data, signature, user_handle, attestation_object;
    std::optional<Json> transports;
};

// Errc::limit_exceeded above max_bytes; otherwise the reader's failures are `code` with a detail
// starting with `what`.
Result<ScannedResponse> scan_response(std::string_view text, std::size_t max_bytes, Errc code, std::string_view what);

// The member as member() would return it: nullptr when absent or JSON null.
[[nodiscard]] inline const Json* present(const std::optional<Json>& v) noexcept {
    return v && !v->is_null() ? &*v : nullptr;
}

}  // namespace mfa::webauthn::detail

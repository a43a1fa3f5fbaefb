// CollectedClientData (clientDataJSON, WebAuthn L3 §5.8.1): parsing and the checks of §7.1 steps
// 5-11 and §7.2 steps 9-14 (type, challenge, origin, crossOrigin, topOrigin, token binding).
#pragma once

#include <string>
#include <string_view>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/webauthn/config.hpp"

namespace mfa::webauthn {

enum class Ceremony { create, get };  // "webauthn.create" / "webauthn.get"

struct ClientData {
    std::string type;
    Bytes challenge;          // decoded from base64url (padding and the standard alphabet tolerated)
    std::string origin;       // JSON-decoded ("https:\/\/a" is "https://a")
    bool cross_origin = false;
    bool has_top_origin = false;
    std::string top_origin;
    enum class TokenBinding { absent, legacy_string, object } token_binding = TokenBinding::absent;
    std::string token_binding_status;  // object form: "present" / "supported" / whatever was sent
    std::string token_binding_id;      // object form, base64url text as sent
};

// Parses clientDataJSON: UTF-8 (a leading BOM is skipped), at most kMaxClientDataJson bytes, a
// JSON object with string "type", "challenge", "origin"; optional boolean "crossOrigin", string
// "topOrigin", "tokenBinding" (object {status, id} or a legacy string). Unknown members (legacy
// "hashAlgorithm", "clientExtensions", vendor extras) are ignored. Read by the strict reader
// (mfa/json.hpp, nesting at most 16): any member name twice in an object, invalid UTF-8 or JSON,
// or a known member of the wrong type, is Errc::webauthn_client_data.
Result<ClientData> parse_client_data(ByteView client_data_json);

// The ceremony checks, in specification order; the first failure is returned with its own code:
// webauthn_type, webauthn_challenge (constant-time compare), webauthn_origin (exact match against
// cfg.origins), webauthn_cross_origin, webauthn_top_origin, webauthn_token_binding.
Status check_client_data(const ClientData& cd, const RpConfig& cfg, Ceremony ceremony, ByteView expected_challenge);

}  // namespace mfa::webauthn

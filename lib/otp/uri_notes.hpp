// Internal: how a parsed otpauth URI was spelled, for the Google Authenticator lint.
#pragma once

#include <string_view>

#include "mfa/otpauth.hpp"

namespace mfa::otpauth_detail {

enum class SteamSpelling { none, otpauth_steam_type, encoder_param, issuer_heuristic, steam_scheme };

struct UriNotes {
    bool type_not_lowercase = false;
    bool algorithm_present = false;
    bool algorithm_not_uppercase = false;
    bool secret_padded = false;
    bool issuer_in_label = false;
    bool issuer_in_param = false;
    bool period_present = false;
    SteamSpelling steam = SteamSpelling::none;
};

Result<Account> parse_otpauth_uri_noted(std::string_view uri, const UriParseOptions& opts, UriNotes* notes);

}  // namespace mfa::otpauth_detail

// The toolkit's stored JSON records (TOTP factor, API token, security key, WebAuthn challenge) and
// organization policies: parsing
// never crashes; a parsed record re-serialises to JSON that parses to the same record.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/server/policy.hpp"
#include "server/records.hpp"

using namespace mfa::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
        case 0: {
            auto r = detail::parse_totp_record(text);
            if (r) {
                auto again = detail::parse_totp_record(detail::totp_record_json(*r));
                if (!again || detail::totp_record_json(*again) != detail::totp_record_json(*r)) std::abort();
            }
            break;
        }
        case 1: {
            auto r = detail::parse_token_record(text);
            if (r) {
                auto again = detail::parse_token_record(detail::token_record_json(*r));
                if (!again || detail::token_record_json(*again) != detail::token_record_json(*r)) std::abort();
            }
            break;
        }
        case 3: {
            auto r = detail::parse_security_key(text);
            if (r) {
                auto again = detail::parse_security_key(detail::security_key_json(*r));
                if (!again || detail::security_key_json(*again) != detail::security_key_json(*r)) std::abort();
            }
            break;
        }
        case 4: {
            auto r = detail::parse_challenge(text);
            if (r) {
                auto again = detail::parse_challenge(detail::challenge_json(*r));
                if (!again || again->registration != r->registration || again->expires != r->expires) std::abort();
            }
            break;
        }
        default: {
            auto p = policy_from_json(text);
            if (p) {
                auto again = policy_from_json(policy_to_json(*p));
                if (!again || policy_to_json(*again) != policy_to_json(*p)) std::abort();
            }
        }
    }
    return 0;
}

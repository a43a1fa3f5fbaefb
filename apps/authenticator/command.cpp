#include "command.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <ostream>

namespace mfa::app {
namespace {

// Function-local so that registrations in other files' static initialisers find it constructed.
std::vector<CommandInfo>& registry() {
    static std::vector<CommandInfo> r;
    return r;
}

}  // namespace

Registration::Registration(CommandInfo info) { registry().push_back(std::move(info)); }

std::vector<const CommandInfo*> commands() {
    std::vector<const CommandInfo*> out;
    for (const auto& c : registry()) out.push_back(&c);
    std::sort(out.begin(), out.end(), [](const CommandInfo* a, const CommandInfo* b) {
        return a->order != b->order ? a->order < b->order : a->name < b->name;
    });
    return out;
}

int exit_code_for(Errc code) noexcept {
    switch (code) {
        case Errc::ok: return kExitOk;
        // The input was wrong: the user can fix the command line.
        case Errc::invalid_argument:
        case Errc::limit_exceeded:
        case Errc::unsupported:
        case Errc::parse:
        case Errc::base32_invalid:
        case Errc::base64_invalid:
        case Errc::hex_invalid:
        case Errc::otp_code_format:
        case Errc::otp_secret_too_short:
        case Errc::otp_secret_too_long:
        case Errc::uri_invalid:
        case Errc::uri_scheme:
        case Errc::uri_type:
        case Errc::uri_label:
        case Errc::uri_secret:
        case Errc::uri_parameter:
        case Errc::uri_issuer_mismatch:
        case Errc::uri_too_long:
        case Errc::migration_invalid:
        case Errc::migration_field:
        case Errc::webauthn_record:
        case Errc::webauthn_config:
        // Server administration input: a policy, a PHC string, a token or an allow list as typed.
        case Errc::policy_invalid:
        case Errc::password_hash_format:
        case Errc::token_format:
        case Errc::audit_event_invalid:
        case Errc::allowlist_syntax: return kExitUsage;
        default: return kExitFailure;
    }
}

int report(Context& ctx, const Error& e, std::string_view what) {
    ctx.err << "mfa: ";
    if (!what.empty()) ctx.err << what << ": ";
    ctx.err << e.to_string() << '\n';
    return exit_code_for(e.code);
}

int usage_error(Context& ctx, std::string_view message) {
    ctx.err << "mfa: " << message << "\n";
    return kExitUsage;
}

CLI::Validator whole_number(std::int64_t min, std::uint64_t max) {
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    return CLI::Validator(
        [min, max, range](std::string& text) -> std::string {
            const std::string bad = "'" + text + "' is not a whole number in " + range;
            std::string_view digits = text;
            const bool negative = digits.starts_with('-');
            if (negative) digits.remove_prefix(1);
            if (digits.empty() || digits.size() > 20) return bad;
            std::uint64_t magnitude = 0;
            for (char c : digits) {
                const auto d = static_cast<std::uint64_t>(c - '0');
                if (c < '0' || c > '9' || magnitude > (UINT64_MAX - d) / 10) return bad;
                magnitude = magnitude * 10 + d;
            }
            // -min written without overflowing for INT64_MIN.
            const std::uint64_t most_negative = min < 0 ? static_cast<std::uint64_t>(-(min + 1)) + 1 : 0;
            const bool ok = negative && magnitude != 0
                                ? min < 0 && magnitude <= most_negative
                                : magnitude <= max && (min <= 0 || magnitude >= static_cast<std::uint64_t>(min));
            return ok ? std::string() : bad;
        },
        "INT in " + range);
}

}  // namespace mfa::app

// What Google Authenticator would get wrong about an account or a URI (reference otp.md §3, §6):
// the open-source GA hard-codes 6 digits, 30 s and SHA1; newer builds take 8 digits and SHA256/512
// but ignore period and mis-read a lowercase algorithm name.
#include "mfa/otpauth.hpp"
#include "text.hpp"
#include "uri_notes.hpp"

namespace mfa {

using namespace otpauth_detail;

std::vector<std::string> lint_for_google_authenticator(const Account& a) {
    std::vector<std::string> w;
    const OtpParams& p = a.params;
    if (p.type == OtpType::steam) {
        w.emplace_back("Steam Guard codes: Google Authenticator shows 6-digit numbers instead of the 5 Steam characters");
        return w;
    }
    if (p.type == OtpType::totp && p.period != 30)
        w.emplace_back("period " + std::to_string(p.period) + ": Google Authenticator ignores period and uses 30 s");
    if (p.type == OtpType::totp && p.t0 != 0)
        w.emplace_back("t0 " + std::to_string(p.t0) + ": no authenticator app can be told a T0 other than 0");
    if (p.digits == 8)
        w.emplace_back("digits 8: older Google Authenticator builds (and Android's open-source one) show 6 digits");
    else if (p.digits != 6)
        w.emplace_back("digits " + std::to_string(p.digits) + ": Google Authenticator shows 6 digits (8 at most)");
    if (p.algorithm != HashAlg::sha1)
        w.emplace_back("algorithm " + std::string(hash_name(p.algorithm)) +
                       ": older Google Authenticator builds ignore it and use SHA1");
    if (a.secret.size() < 16)
        w.emplace_back("secret of " + std::to_string(a.secret.size() * 8) +
                       " bits: below the 128 bits RFC 4226 asks for (160 recommended)");
    if (a.issuer.empty())
        w.emplace_back("no issuer: Google recommends an issuer, in the label prefix and the issuer parameter");
    if (!a.extra.empty())
        w.emplace_back("parameter '" + a.extra.front().first + "'" +
                       (a.extra.size() > 1 ? " and " + std::to_string(a.extra.size() - 1) + " more" : std::string()) +
                       ": ignored by Google Authenticator");
    return w;
}

Result<std::vector<std::string>> lint_uri_for_google_authenticator(std::string_view uri, const UriParseOptions& opts) {
    UriNotes n;
    auto acc = parse_otpauth_uri_noted(uri, opts, &n);
    if (!acc) return std::move(acc).error();
    std::vector<std::string> w = lint_for_google_authenticator(*acc);
    switch (n.steam) {
        case SteamSpelling::none: break;
        case SteamSpelling::otpauth_steam_type:
            w.emplace_back("otpauth://steam/: Google Authenticator rejects this type; write otpauth://totp/...&encoder=steam");
            break;
        case SteamSpelling::steam_scheme:
            w.emplace_back("steam://: not an otpauth URI; Google Authenticator cannot scan it");
            break;
        case SteamSpelling::issuer_heuristic:
            w.emplace_back("issuer Steam without digits: read as Steam Guard (as OTPClient and FreeOTP do); "
                           "say encoder=steam to be explicit");
            break;
        case SteamSpelling::encoder_param: break;
    }
    if (n.type_not_lowercase) w.emplace_back("type not in lower case: write totp or hotp");
    if (n.algorithm_not_uppercase)
        w.emplace_back("algorithm written in lower case: some Google Authenticator builds then fall back to SHA1");
    if (n.secret_padded) w.emplace_back("Base32 padding in the secret: Google says to omit it; some apps reject '='");
    if (n.issuer_in_label && !n.issuer_in_param)
        w.emplace_back("issuer only in the label: Google recommends the issuer parameter as well");
    if (n.issuer_in_param && !n.issuer_in_label)
        w.emplace_back("issuer only in the parameter: older Google Authenticator builds show only the label");
    if (acc->params.type == OtpType::hotp && n.period_present)
        w.emplace_back("period on an hotp URI: it means nothing there and is ignored");
    return w;
}

}  // namespace mfa

// otpauth:// Key URI parsing. The rules are listed in otpauth.hpp and docs/otpauth.md.
#include <algorithm>
#include <limits>
#include <optional>

#include "mfa/encoding.hpp"
#include "mfa/otpauth.hpp"
#include "percent.hpp"
#include "text.hpp"
#include "uri_notes.hpp"

namespace mfa {
namespace otpauth_detail {
namespace {

std::string at_pos(std::size_t pos) { return " at position " + std::to_string(pos); }

// The parameters this library interprets; anything else goes to Account::extra.
struct KnownParams {
    std::optional<std::size_t> secret_pos, issuer_pos, algorithm_pos, digits_pos, period_pos, counter_pos,
        encoder_pos;
    SecretBytes secret_text;  // percent-decoded, still Base32
    std::optional<std::string> issuer;
    std::optional<HashAlg> algorithm;
    std::optional<unsigned> digits;
    std::optional<std::uint32_t> period;
    std::optional<std::uint64_t> counter;
    bool encoder_steam = false;
};

// Marks a known parameter as seen, rejecting a second occurrence.
Status first_time(std::optional<std::size_t>& seen, std::string_view key, std::size_t pos) {
    if (seen)
        return Error(Errc::uri_parameter, "duplicate parameter '" + std::string(key) + "'" + at_pos(pos) +
                                              " (first at position " + std::to_string(*seen) + ")");
    seen = pos;
    return {};
}

Status read_parameter(std::string_view key_raw, std::string_view value_raw, std::size_t key_pos,
                      std::size_t value_pos, KnownParams& k, Account& acc, UriNotes& notes) {
    const DecodeRules form{.plus_is_space = true, .check_text = true};
    auto key_r = percent_decode_string(key_raw, key_pos, "parameter name", form);
    if (!key_r) return std::move(key_r).error();
    const std::string key = std::move(*key_r);
    if (key.empty()) return Error(Errc::uri_parameter, "empty parameter name" + at_pos(key_pos));

    if (iequals(key, "secret")) {
        MFA_TRY(first_time(k.secret_pos, "secret", key_pos));
        // Decoded straight into wiped memory: this is the key in Base32.
        SecretBytes buf(value_raw.size());
        auto n = percent_decode(value_raw, value_pos, "secret", {.plus_is_space = true, .check_text = false},
                                reinterpret_cast<char*>(buf.data()));
        if (!n) return Error(Errc::uri_secret, std::move(n).error().detail);
        buf.resize(*n);
        k.secret_text = std::move(buf);
        return {};
    }
    auto value_r = percent_decode_string(value_raw, value_pos, "parameter '" + key + "'", form);
    if (!value_r) return std::move(value_r).error();
    const std::string value = std::move(*value_r);
    const std::string where = "parameter '" + key + "'" + at_pos(key_pos);

    if (iequals(key, "issuer")) {
        MFA_TRY(first_time(k.issuer_pos, "issuer", key_pos));
        MFA_TRY(check_account_text(value, "issuer parameter" + at_pos(key_pos), kMaxIssuerLength,
                                   Errc::uri_parameter));
        k.issuer = value;
    } else if (iequals(key, "algorithm")) {
        MFA_TRY(first_time(k.algorithm_pos, "algorithm", key_pos));
        k.algorithm = hash_from_name(value);
        if (!k.algorithm)
            return Error(Errc::uri_parameter, where + ": '" + value + "' is not SHA1, SHA256 or SHA512");
        notes.algorithm_present = true;
        notes.algorithm_not_uppercase = value != hash_name(*k.algorithm);
    } else if (iequals(key, "digits")) {
        MFA_TRY(first_time(k.digits_pos, "digits", key_pos));
        const auto d = parse_decimal(value, kMaxDigits);
        if (!d || *d < kMinDigits)
            return Error(Errc::uri_parameter, where + ": '" + value + "' is not a number of digits in " +
                                                  std::to_string(kMinDigits) + ".." + std::to_string(kMaxDigits));
        k.digits = static_cast<unsigned>(*d);
    } else if (iequals(key, "period")) {
        MFA_TRY(first_time(k.period_pos, "period", key_pos));
        const auto p = parse_decimal(value, kMaxPeriod);
        if (!p || *p == 0)
            return Error(Errc::uri_parameter, where + ": '" + value + "' is not a period in 1.." +
                                                  std::to_string(kMaxPeriod) + " seconds");
        k.period = static_cast<std::uint32_t>(*p);
        notes.period_present = true;
    } else if (iequals(key, "counter")) {
        MFA_TRY(first_time(k.counter_pos, "counter", key_pos));
        const auto c = parse_decimal(value, std::numeric_limits<std::uint64_t>::max());
        if (!c) return Error(Errc::uri_parameter, where + ": '" + value + "' is not a counter in 0..2^64-1");
        k.counter = *c;
    } else if (iequals(key, "encoder")) {
        MFA_TRY(first_time(k.encoder_pos, "encoder", key_pos));
        if (!iequals(value, "steam"))
            return Error(Errc::uri_parameter, where + ": encoder '" + value + "' is not supported (only steam)");
        k.encoder_steam = true;
    } else {
        acc.extra.emplace_back(key, value);
    }
    return {};
}

Status set_secret(const SecretBytes& text, std::size_t pos, Account& acc, UriNotes& notes) {
    const std::string_view view(reinterpret_cast<const char*>(text.data()), text.size());
    notes.secret_padded = view.find('=') != std::string_view::npos;
    auto secret = base32_decode(view);
    if (!secret) return Error(Errc::uri_secret, "secret" + at_pos(pos) + ": " + secret.error().detail);
    if (secret->empty()) return Error(Errc::uri_secret, "secret" + at_pos(pos) + " is empty");
    if (secret->size() > kMaxSecretBytes)
        return Error(Errc::otp_secret_too_long, "secret" + at_pos(pos) + " is " + std::to_string(secret->size()) +
                                                    " bytes; the limit is " + std::to_string(kMaxSecretBytes));
    acc.secret = std::move(*secret);
    return {};
}

// steam://SECRET (keyguard and others): nothing but a Base32 secret.
Result<Account> parse_steam_scheme(std::string_view uri, std::size_t start, UriNotes& notes) {
    const std::string_view rest = uri.substr(start);
    const auto bad = rest.find_first_of("/?&");
    if (bad != std::string_view::npos)
        return Error(Errc::uri_invalid, "steam:// takes only a Base32 secret; '" + std::string(1, rest[bad]) +
                                            "'" + at_pos(start + bad));
    SecretBytes buf(rest.size());
    auto n = percent_decode(rest, start, "secret", {.plus_is_space = false, .check_text = false},
                            reinterpret_cast<char*>(buf.data()));
    if (!n) return Error(Errc::uri_secret, std::move(n).error().detail);
    buf.resize(*n);
    Account acc;
    MFA_TRY(set_secret(buf, start, acc, notes));
    acc.issuer = "Steam";
    acc.params.type = OtpType::steam;
    acc.params.digits = kSteamDigits;
    notes.steam = SteamSpelling::steam_scheme;
    if (auto st = validate(acc.params); !st)
        return Error(Errc::uri_parameter, "parameters out of range: " + st.error().to_string());
    return acc;
}

}  // namespace

Result<Account> parse_otpauth_uri_noted(std::string_view uri, const UriParseOptions& opts, UriNotes* notes_out) {
    UriNotes local;
    UriNotes& notes = notes_out ? *notes_out : local;
    if (uri.size() > kMaxUriLength)
        return Error(Errc::uri_too_long, "URI is " + std::to_string(uri.size()) + " bytes; the limit is " +
                                             std::to_string(kMaxUriLength));
    const auto sep = uri.find("://");
    if (sep == std::string_view::npos) return Error(Errc::uri_scheme, "no '://' after a scheme");
    const std::string_view scheme = uri.substr(0, sep);
    if (iequals(scheme, "steam")) return parse_steam_scheme(uri, sep + 3, notes);
    if (iequals(scheme, "otpauth-migration"))
        return Error(Errc::uri_scheme, "otpauth-migration:// is an export batch: use parse_migration_uri");
    if (!iequals(scheme, "otpauth"))
        return Error(Errc::uri_scheme, "scheme '" + std::string(scheme.substr(0, 32)) + "' is not otpauth");

    const std::size_t type_pos = sep + 3;
    const auto slash = uri.find('/', type_pos);
    const auto query = uri.find('?', type_pos);
    if (slash == std::string_view::npos || (query != std::string_view::npos && query < slash))
        return Error(Errc::uri_invalid, "expected '/' and a label after the type" + at_pos(type_pos));
    const std::string_view type = uri.substr(type_pos, slash - type_pos);
    Account acc;
    if (iequals(type, "totp")) {
        acc.params.type = OtpType::totp;
    } else if (iequals(type, "hotp")) {
        acc.params.type = OtpType::hotp;
    } else if (iequals(type, "steam")) {
        acc.params.type = OtpType::steam;
        notes.steam = SteamSpelling::otpauth_steam_type;
    } else {
        return Error(Errc::uri_type, "type '" + std::string(type.substr(0, 32)) + "'" + at_pos(type_pos) +
                                         " is not totp, hotp or steam");
    }
    notes.type_not_lowercase = type != "totp" && type != "hotp" && type != "steam";

    // Label: percent-decoded as a path segment ('+' is a plus); split at its ':' once the issuer
    // parameter is known.
    const std::size_t label_pos = slash + 1;
    const std::size_t label_end = query == std::string_view::npos ? uri.size() : query;
    auto label = percent_decode_string(uri.substr(label_pos, label_end - label_pos), label_pos, "label",
                                       {.plus_is_space = false, .check_text = true});
    if (!label) return std::move(label).error();

    // Parameters: '&'-separated key=value pairs; empty pairs (a trailing '&') are skipped.
    KnownParams k;
    if (query != std::string_view::npos) {
        std::size_t pos = query + 1;
        while (pos <= uri.size()) {
            auto amp = uri.find('&', pos);
            if (amp == std::string_view::npos) amp = uri.size();
            const std::string_view pair = uri.substr(pos, amp - pos);
            if (!pair.empty()) {
                const auto eq = pair.find('=');
                const std::string_view key = pair.substr(0, eq);
                const std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
                MFA_TRY(read_parameter(key, value, pos, eq == std::string_view::npos ? amp : pos + eq + 1, k, acc,
                                       notes));
                // Known parameters are bounded by the duplicate rule, unknown ones by this limit.
                if (acc.extra.size() > kMaxUriExtraParameters)
                    return Error(Errc::limit_exceeded, "more than " + std::to_string(kMaxUriExtraParameters) +
                                                           " unknown parameters" + at_pos(pos));
            }
            pos = amp + 1;
        }
    }

    if (!k.secret_pos) return Error(Errc::uri_secret, "the secret parameter is missing");
    MFA_TRY(set_secret(k.secret_text, *k.secret_pos, acc, notes));

    auto split = split_prefixed_name(*label, k.issuer.value_or(std::string()));
    if (split.prefix)
        MFA_TRY(check_account_text(*split.prefix, "label issuer" + at_pos(label_pos), kMaxIssuerLength,
                                   Errc::uri_label));
    MFA_TRY(check_account_text(split.name, "label account name" + at_pos(label_pos), kMaxAccountNameLength,
                               Errc::uri_label));
    notes.issuer_in_label = split.prefix.has_value();
    notes.issuer_in_param = k.issuer.has_value() && !k.issuer->empty();
    auto issuer = resolve_issuer(split.prefix, k.issuer, opts.issuer_policy, "URI");
    if (!issuer) return std::move(issuer).error();
    acc.issuer = std::move(*issuer);
    acc.name = std::move(split.name);
    // Spaces after an issuer are separator spaces, also when the issuer came from the parameter.
    if (!acc.issuer.empty()) acc.name.erase(0, std::min(acc.name.size(), acc.name.find_first_not_of(' ')));
    MFA_TRY(check_account_shape(acc, Errc::uri_label, "label" + at_pos(label_pos)));

    if (k.encoder_steam) {
        if (acc.params.type == OtpType::hotp)
            return Error(Errc::uri_parameter, "encoder=steam" + at_pos(*k.encoder_pos) + " on an hotp URI");
        if (acc.params.type != OtpType::steam) notes.steam = SteamSpelling::encoder_param;
        acc.params.type = OtpType::steam;
    }
    // OTPClient and FreeOTP read a totp URI of issuer Steam without digits as Steam Guard: a 6-digit
    // reading of a Steam secret would be wrong on every login, so we follow them. A digits parameter
    // (which canonical URIs always carry) or a non-SHA1 algorithm says the producer meant plain TOTP.
    if (acc.params.type == OtpType::totp && iequals(acc.issuer, "steam") && !k.digits &&
        (!k.algorithm || *k.algorithm == HashAlg::sha1)) {
        acc.params.type = OtpType::steam;
        notes.steam = SteamSpelling::issuer_heuristic;
    }

    OtpParams& p = acc.params;
    if (k.algorithm) p.algorithm = *k.algorithm;
    switch (p.type) {
        case OtpType::steam:
            if (k.digits && *k.digits != kSteamDigits)
                return Error(Errc::uri_parameter, "digits=" + std::to_string(*k.digits) + at_pos(*k.digits_pos) +
                                                      " conflicts with Steam (5 characters)");
            if (p.algorithm != HashAlg::sha1)
                return Error(Errc::uri_parameter, "algorithm" + at_pos(*k.algorithm_pos) + ": Steam codes use SHA1");
            p.digits = kSteamDigits;
            if (k.period) p.period = *k.period;
            break;
        case OtpType::totp:
            if (k.digits) p.digits = *k.digits;
            if (k.period) p.period = *k.period;
            break;  // a counter parameter means nothing for totp and is dropped
        case OtpType::hotp:
            if (!k.counter) return Error(Errc::uri_parameter, "the counter parameter is required for hotp");
            if (k.digits) p.digits = *k.digits;
            p.counter = *k.counter;
            break;  // a period parameter means nothing for hotp and is dropped
    }
    if (auto st = validate(p); !st)
        return Error(Errc::uri_parameter, "parameters out of range: " + st.error().to_string());
    return acc;
}

}  // namespace otpauth_detail

Result<Account> parse_otpauth_uri(std::string_view uri, const UriParseOptions& opts) {
    return otpauth_detail::parse_otpauth_uri_noted(uri, opts, nullptr);
}

}  // namespace mfa

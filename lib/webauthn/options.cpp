#include "mfa/webauthn/options.hpp"

#include <algorithm>
#include <string>

#include "json_strict.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"

namespace mfa::webauthn {
namespace {

using detail::Json;

Error opt_error(std::string m) { return Error(Errc::webauthn_options, std::move(m)); }

const char* uv_name(UserVerification uv) {
    switch (uv) {
        case UserVerification::required: return "required";
        case UserVerification::preferred: return "preferred";
        case UserVerification::discouraged: return "discouraged";
    }
    return "preferred";
}

bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
    return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
}

Result<Bytes> make_challenge(const std::optional<Bytes>& given, std::size_t length) {
    const std::size_t n = given ? given->size() : length;
    if (n < kMinChallengeLength || n > kMaxChallengeLength)
        return Error(Errc::webauthn_challenge_length, "challenge of " + std::to_string(n) +
                                                          " bytes; it must be 16..1024 bytes (32 recommended)");
    if (given) return *given;
    Bytes c(n);
    MFA_TRY(random_fill(c));
    return c;
}

Result<Json> descriptors(const std::vector<CredentialDescriptor>& list, const char* what) {
    Json arr = Json::array();
    for (const auto& d : list) {
        if (d.id.empty() || d.id.size() > kMaxCredentialIdLength)
            return opt_error(std::string(what) + ": credential id must be 1..1023 bytes");
        Json e = {{"type", "public-key"}, {"id", base64url_encode(d.id)}};
        if (!d.transports.empty()) {
            for (const auto& t : d.transports)
                if (!one_of(t, {"usb", "nfc", "ble", "internal", "hybrid", "smart-card"}))
                    return opt_error(std::string(what) + ": unknown transport \"" + t.substr(0, 32) + "\"");
            e["transports"] = d.transports;
        }
        arr.push_back(std::move(e));
    }
    return arr;
}

Status check_hints(const std::vector<std::string>& hints) {
    for (const auto& h : hints)
        if (!one_of(h, {"security-key", "client-device", "hybrid"}))
            return opt_error("unknown hint \"" + h.substr(0, 32) + "\"");
    return {};
}

// Typed extensions first, then the caller's JSON object; a member in both is an error rather than
// a silent override.
Result<Json> extensions(const RpConfig& cfg, const ExtensionInputs& x, bool registration) {
    Json e = Json::object();
    if (registration) {
        if (x.appid) return opt_error("the appid extension belongs to authentication options");
        if (x.cred_props) e["credProps"] = true;
        if (x.hmac_create_secret) e["hmacCreateSecret"] = true;
        if (x.appid_exclude) {
            if (cfg.appid.empty()) return opt_error("appidExclude requested but RpConfig::appid is empty");
            e["appidExclude"] = cfg.appid;
        }
    } else {
        if (x.cred_props || x.hmac_create_secret || x.appid_exclude)
            return opt_error("credProps / hmacCreateSecret / appidExclude belong to registration options");
        if (x.appid) {
            if (cfg.appid.empty()) return opt_error("appid requested but RpConfig::appid is empty");
            e["appid"] = cfg.appid;
        }
    }
    if (!x.extra_json.empty()) {
        auto extra = json::parse_object(
            x.extra_json, {.code = Errc::webauthn_options, .what = "extensions JSON", .max_bytes = 64 * 1024});
        if (!extra) return std::move(extra).error();
        for (auto it = extra->begin(); it != extra->end(); ++it) {
            if (e.contains(it.key())) return opt_error("extension \"" + it.key() + "\" given twice");
            e[it.key()] = it.value();
        }
    }
    return e;
}

}  // namespace

Result<GeneratedOptions> creation_options(const RpConfig& cfg, const CreationOptionsInput& in) {
    MFA_TRY(cfg.validate());
    if (in.user_name.empty() || in.user_name.size() > 256) return opt_error("user_name must be 1..256 bytes");
    if (in.user_display_name.size() > 256) return opt_error("user_display_name is longer than 256 bytes");
    if (!one_of(in.attestation, {"none", "indirect", "direct", "enterprise"}))
        return opt_error("attestation \"" + in.attestation.substr(0, 32) + "\" is not none/indirect/direct/enterprise");
    if (!one_of(in.resident_key, {"discouraged", "preferred", "required"}))
        return opt_error("resident_key must be discouraged, preferred or required");
    if (in.authenticator_attachment && !one_of(*in.authenticator_attachment, {"platform", "cross-platform"}))
        return opt_error("authenticator_attachment must be platform or cross-platform");
    MFA_TRY(check_hints(in.hints));

    GeneratedOptions out;
    auto ch = make_challenge(in.challenge, in.challenge_length);
    if (!ch) return std::move(ch).error();
    out.challenge = std::move(*ch);
    if (in.user_id.empty()) {
        out.user_id.resize(kMaxUserHandleLength);
        MFA_TRY(random_fill(out.user_id));
    } else {
        if (in.user_id.size() > kMaxUserHandleLength) return opt_error("user_id is longer than 64 bytes");
        out.user_id = in.user_id;
    }

    Json params = Json::array();
    for (int a : cfg.algorithms) params.push_back({{"type", "public-key"}, {"alg", a}});
    auto exclude = descriptors(in.exclude_credentials, "exclude_credentials");
    if (!exclude) return std::move(exclude).error();
    auto ext = extensions(cfg, in.extensions, true);
    if (!ext) return std::move(ext).error();

    Json sel = {{"residentKey", in.resident_key},
                {"requireResidentKey", in.resident_key == "required"},
                {"userVerification", uv_name(in.user_verification.value_or(cfg.user_verification))}};
    if (in.authenticator_attachment) sel["authenticatorAttachment"] = *in.authenticator_attachment;

    Json j = Json::object();
    j["rp"] = {{"id", cfg.rp_id}, {"name", cfg.rp_name.empty() ? cfg.rp_id : cfg.rp_name}};
    j["user"] = {{"id", base64url_encode(out.user_id)},
                 {"name", in.user_name},
                 {"displayName", in.user_display_name.empty() ? in.user_name : in.user_display_name}};
    j["challenge"] = base64url_encode(out.challenge);
    j["pubKeyCredParams"] = std::move(params);
    j["timeout"] = cfg.timeout_ms;
    j["excludeCredentials"] = std::move(*exclude);
    j["authenticatorSelection"] = std::move(sel);
    j["attestation"] = in.attestation;
    if (!in.hints.empty()) j["hints"] = in.hints;
    if (!ext->empty()) j["extensions"] = std::move(*ext);
    out.json = j.dump();
    return out;
}

Result<GeneratedOptions> request_options(const RpConfig& cfg, const RequestOptionsInput& in) {
    MFA_TRY(cfg.validate());
    MFA_TRY(check_hints(in.hints));
    GeneratedOptions out;
    auto ch = make_challenge(in.challenge, in.challenge_length);
    if (!ch) return std::move(ch).error();
    out.challenge = std::move(*ch);
    auto allow = descriptors(in.allow_credentials, "allow_credentials");
    if (!allow) return std::move(allow).error();
    auto ext = extensions(cfg, in.extensions, false);
    if (!ext) return std::move(ext).error();

    Json j = Json::object();
    j["challenge"] = base64url_encode(out.challenge);
    j["timeout"] = cfg.timeout_ms;
    j["rpId"] = cfg.rp_id;
    j["allowCredentials"] = std::move(*allow);
    j["userVerification"] = uv_name(in.user_verification.value_or(cfg.user_verification));
    if (!in.hints.empty()) j["hints"] = in.hints;
    if (!ext->empty()) j["extensions"] = std::move(*ext);
    out.json = j.dump();
    return out;
}

}  // namespace mfa::webauthn

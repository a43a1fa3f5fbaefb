// The client half of a WebAuthn ceremony, as a browser runs navigator.credentials.create() / .get()
// for an origin: it reads the relying party's options JSON (PublicKeyCredentialCreationOptionsJSON /
// RequestOptionsJSON, WebAuthn L3 §5.1.3.1, §5.1.4.1), checks the RP ID against the origin, asks
// the device, and answers with the response JSON (toJSON()). It is what lets a native program, a
// test or an example hold a ceremony with a server without a browser.
#include <nlohmann/json.hpp>

#include "internal.hpp"
#include "mfa/encoding.hpp"
#include "mfa/json.hpp"

namespace mfa::fido2 {
namespace {

using nlohmann::json;

Error bad_options(const std::string& what) { return Error(Errc::webauthn_options, "options: " + what); }

// The options object itself, from the bare object, {"publicKey": {...}} (what the JS API takes) or
// {"options": {...}} (what the server toolkit's *_begin return).
Result<json> options_object(std::string_view text) {
    mfa::json::Options opt;
    opt.code = Errc::webauthn_options;
    opt.what = "options";
    auto parsed = mfa::json::parse(text, opt);
    if (!parsed) return std::move(parsed).error();
    json j = std::move(*parsed);
    if (!j.is_object()) return bad_options("not a JSON object");
    for (const char* wrapper : {"publicKey", "options"}) {
        if (j.contains(wrapper)) {
            if (!j[wrapper].is_object()) return bad_options(std::string("'") + wrapper + "' is not an object");
            return j[wrapper];
        }
    }
    return j;
}

Result<std::string> string_member(const json& o, const char* name, const std::string& where, bool required) {
    auto it = o.find(name);
    if (it == o.end() || it->is_null()) {
        if (required) return bad_options("'" + where + name + "' is missing");
        return std::string();
    }
    if (!it->is_string()) return bad_options("'" + where + name + "' is not a string");
    return it->get<std::string>();
}

Result<bool> bool_member(const json& o, const char* name, const std::string& where) {
    auto it = o.find(name);
    if (it == o.end() || it->is_null()) return false;
    if (!it->is_boolean()) return bad_options("'" + where + name + "' is not a boolean");
    return it->get<bool>();
}

Result<Bytes> b64url_member(const json& o, const char* name, const std::string& where, bool required) {
    auto s = string_member(o, name, where, required);
    if (!s) return std::move(s).error();
    if (s->empty()) {
        if (required) return bad_options("'" + where + name + "' is empty");
        return Bytes{};
    }
    auto b = base64_decode(*s, Base64Mode::url_strict);
    if (!b) return bad_options("'" + where + name + "' is not base64url");
    return std::move(*b);
}

// The ids of a list of PublicKeyCredentialDescriptorJSON (excludeCredentials, allowCredentials).
Result<std::vector<Bytes>> credential_ids(const json& o, const char* name) {
    std::vector<Bytes> out;
    auto it = o.find(name);
    if (it == o.end() || it->is_null()) return out;
    if (!it->is_array()) return bad_options(std::string("'") + name + "' is not an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& d = (*it)[i];
        const std::string where = std::string(name) + "[" + std::to_string(i) + "].";
        if (!d.is_object()) return bad_options("'" + std::string(name) + "[" + std::to_string(i) + "]' is not an object");
        auto type = string_member(d, "type", where, false);
        if (!type) return std::move(type).error();
        if (*type != "public-key") continue;  // §5.8.3: unknown types are ignored
        auto id = b64url_member(d, "id", where, true);
        if (!id) return std::move(id).error();
        out.push_back(std::move(*id));
    }
    return out;
}

// The origin's host, and whether the RP ID may be used from it (HTML's "is a registrable domain
// suffix of or is equal to", without the public suffix list: a host equal to the RP ID or ending in
// "." + RP ID). https only, except http://localhost (a secure context).
Result<std::string> origin_host(std::string_view origin) {
    std::string_view rest;
    bool local_only = false;
    if (origin.rfind("https://", 0) == 0) {
        rest = origin.substr(8);
    } else if (origin.rfind("http://", 0) == 0) {
        rest = origin.substr(7);
        local_only = true;
    } else {
        return Error(Errc::webauthn_origin, "origin '" + std::string(origin) + "' is not https://");
    }
    const auto end = rest.find_first_of(":/");
    std::string host(rest.substr(0, end));
    if (host.empty()) return Error(Errc::webauthn_origin, "origin '" + std::string(origin) + "' has no host");
    if (end != std::string_view::npos && rest[end] == '/' && end + 1 != rest.size())
        return Error(Errc::webauthn_origin, "origin '" + std::string(origin) + "' has a path");
    if (local_only && host != "localhost")
        return Error(Errc::webauthn_origin, "origin '" + std::string(origin) + "': http:// only for localhost");
    return host;
}

Result<std::string> rp_id_for(const std::string& requested, std::string_view origin) {
    auto host = origin_host(origin);
    if (!host) return std::move(host).error();
    if (requested.empty()) return *host;  // the default RP ID is the origin's effective domain
    const bool suffix = host->size() > requested.size() &&
                        host->compare(host->size() - requested.size(), requested.size(), requested) == 0 &&
                        (*host)[host->size() - requested.size() - 1] == '.';
    if (*host != requested && !suffix)
        return Error(Errc::webauthn_origin, "RP ID '" + requested + "' is not " + *host + " or a parent domain of it");
    return requested;
}

// userVerification: "required" asks the device to verify the user; "preferred" does when a PIN was
// given (the client can verify); "discouraged" never.
Result<bool> wants_uv(const json& o, const std::optional<SecretString>& pin) {
    auto uv = string_member(o, "userVerification", "", false);
    if (!uv) return std::move(uv).error();
    if (*uv == "required") return true;
    if (uv->empty() || *uv == "preferred") return pin.has_value();
    if (*uv == "discouraged") return false;
    return bad_options("'userVerification' is '" + *uv + "'");
}

}  // namespace

Result<std::string> webauthn_create(Device& device, std::string_view options_json, std::string_view origin,
                                    const std::optional<SecretString>& pin) {
    auto o = options_object(options_json);
    if (!o) return std::move(o).error();

    MakeCredentialRequest req;
    auto rp = o->find("rp");
    if (rp == o->end() || !rp->is_object()) return bad_options("'rp' is missing or not an object");
    auto requested_rp = string_member(*rp, "id", "rp.", false);
    if (!requested_rp) return std::move(requested_rp).error();
    auto rp_id = rp_id_for(*requested_rp, origin);
    if (!rp_id) return std::move(rp_id).error();
    auto rp_name = string_member(*rp, "name", "rp.", false);
    if (!rp_name) return std::move(rp_name).error();
    req.rp = {*rp_id, rp_name->empty() ? *rp_id : *rp_name};

    auto user = o->find("user");
    if (user == o->end() || !user->is_object()) return bad_options("'user' is missing or not an object");
    auto uid = b64url_member(*user, "id", "user.", true);
    if (!uid) return std::move(uid).error();
    if (uid->size() > 64) return bad_options("'user.id' is longer than 64 bytes");
    auto uname = string_member(*user, "name", "user.", false);
    auto display = string_member(*user, "displayName", "user.", false);
    if (!uname) return std::move(uname).error();
    if (!display) return std::move(display).error();
    req.user = {std::move(*uid), *uname, display->empty() ? *uname : *display};

    // The first algorithm of pubKeyCredParams this client supports, in the RP's order of preference.
    auto params = o->find("pubKeyCredParams");
    if (params == o->end() || !params->is_array()) return bad_options("'pubKeyCredParams' is missing or not an array");
    std::optional<Algorithm> alg;
    if (params->empty()) alg = Algorithm::es256;  // §5.4.3: an empty list means the client's defaults
    for (const auto& p : *params) {
        if (!p.is_object() || !p.contains("alg") || !p["alg"].is_number_integer())
            return bad_options("a 'pubKeyCredParams' entry has no integer 'alg'");
        auto type = string_member(p, "type", "pubKeyCredParams[].", true);
        if (!type) return std::move(type).error();
        if (*type != "public-key") continue;
        const auto a = p["alg"].get<std::int64_t>();
        if (a == static_cast<int>(Algorithm::es256) || a == static_cast<int>(Algorithm::eddsa)) {
            alg = static_cast<Algorithm>(a);
            break;
        }
    }
    if (!alg) return Error(Errc::webauthn_algorithm, "none of pubKeyCredParams is ES256 (-7) or EdDSA (-8)");
    req.algorithm = *alg;

    auto exclude = credential_ids(*o, "excludeCredentials");
    if (!exclude) return std::move(exclude).error();
    req.exclude = std::move(*exclude);

    json selection = json::object();
    if (auto s = o->find("authenticatorSelection"); s != o->end() && !s->is_null()) {
        if (!s->is_object()) return bad_options("'authenticatorSelection' is not an object");
        selection = *s;
    }
    auto resident_key = string_member(selection, "residentKey", "authenticatorSelection.", false);
    if (!resident_key) return std::move(resident_key).error();
    auto require_rk = bool_member(selection, "requireResidentKey", "authenticatorSelection.");
    if (!require_rk) return std::move(require_rk).error();
    if (*resident_key == "required" || (resident_key->empty() && *require_rk)) {
        req.resident = true;
    } else if (*resident_key == "preferred") {
        // As browsers do: a discoverable credential when the authenticator can make one.
        auto info = device.info();
        if (!info) return std::move(info).error();
        req.resident = info->option("rk").value_or(false);
    } else if (!resident_key->empty() && *resident_key != "discouraged") {
        return bad_options("'authenticatorSelection.residentKey' is '" + *resident_key + "'");
    }
    auto uv = wants_uv(selection, pin);
    if (!uv) return std::move(uv).error();
    req.user_verification = *uv;
    if (pin) req.pin = pin->clone();

    bool cred_props = false;
    if (auto ext = o->find("extensions"); ext != o->end() && !ext->is_null()) {
        if (!ext->is_object()) return bad_options("'extensions' is not an object");
        auto props = bool_member(*ext, "credProps", "extensions.");
        auto hmac = bool_member(*ext, "hmacCreateSecret", "extensions.");
        auto policy = string_member(*ext, "credentialProtectionPolicy", "extensions.", false);
        if (!props) return std::move(props).error();
        if (!hmac) return std::move(hmac).error();
        if (!policy) return std::move(policy).error();
        cred_props = *props;
        req.hmac_secret = *hmac;
        if (*policy == "userVerificationOptional") req.cred_protect = 1;
        else if (*policy == "userVerificationOptionalWithCredentialIDList") req.cred_protect = 2;
        else if (*policy == "userVerificationRequired") req.cred_protect = 3;
        else if (!policy->empty()) return bad_options("'extensions.credentialProtectionPolicy' is '" + *policy + "'");
    }

    auto challenge = b64url_member(*o, "challenge", "", true);
    if (!challenge) return std::move(challenge).error();
    const ClientData cd = make_client_data("webauthn.create", *challenge, origin);
    req.client_data_hash = cd.hash;
    auto cred = device.make_credential(req);
    if (!cred) return std::move(cred).error();
    return registration_json(*cred, cd, cred_props ? std::optional<bool>(req.resident) : std::nullopt);
}

Result<std::string> webauthn_get(Device& device, std::string_view options_json, std::string_view origin,
                                 const std::optional<SecretString>& pin) {
    auto o = options_object(options_json);
    if (!o) return std::move(o).error();
    GetAssertionRequest req;
    auto requested_rp = string_member(*o, "rpId", "", false);
    if (!requested_rp) return std::move(requested_rp).error();
    auto rp_id = rp_id_for(*requested_rp, origin);
    if (!rp_id) return std::move(rp_id).error();
    req.rp_id = *rp_id;
    auto allow = credential_ids(*o, "allowCredentials");
    if (!allow) return std::move(allow).error();
    req.allow = std::move(*allow);
    auto uv = wants_uv(*o, pin);
    if (!uv) return std::move(uv).error();
    req.user_verification = *uv;
    if (pin) req.pin = pin->clone();
    auto challenge = b64url_member(*o, "challenge", "", true);
    if (!challenge) return std::move(challenge).error();
    const ClientData cd = make_client_data("webauthn.get", *challenge, origin);
    req.client_data_hash = cd.hash;
    auto assertions = device.get_assertions(req);
    if (!assertions) return std::move(assertions).error();
    if (assertions->empty()) return Error(Errc::fido2_bad_response, "the authenticator returned no assertion");
    // Several discoverable credentials: a browser asks the user to pick one; this client takes the
    // first the authenticator returns (the most recently created, on the soft token and most keys).
    return authentication_json(assertions->front(), cd);
}

}  // namespace mfa::fido2

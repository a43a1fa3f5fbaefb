#include "mfa/webauthn/response.hpp"

#include <string>

#include "json_strict.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/config.hpp"

namespace mfa::webauthn {
namespace {

using detail::Json;
using detail::member;

Error json_error(std::string msg) { return Error(Errc::webauthn_json, std::move(msg)); }

Result<Bytes> binary_member(const Json& obj, std::string_view name, std::string_view path) {
    auto s = detail::string_member(obj, name, path, Errc::webauthn_json);
    if (!s) return std::move(s).error();
    auto b = base64_decode(*s, Base64Mode::lenient);
    if (!b) return json_error(std::string(path) + ": " + b.error().to_string());
    return b;
}

Result<std::optional<std::string>> optional_string(const Json& obj, std::string_view name, std::string_view path) {
    const Json* m = member(obj, name);
    if (m == nullptr) return std::optional<std::string>{};
    if (!m->is_string()) return json_error(std::string(path) + " is not a string");
    return std::optional<std::string>(m->get<std::string>());
}

Status read_transports(const Json& arr, std::string_view path, std::vector<std::string>& out) {
    if (!arr.is_array()) return json_error(std::string(path) + " is not an array");
    if (arr.size() > 16) return json_error(std::string(path) + " has more than 16 entries");
    for (const auto& t : arr) {
        if (!t.is_string() || t.get_ref<const std::string&>().size() > 64)
            return json_error(std::string(path) + " holds a non-string or an over-long entry");
        out.push_back(t.get<std::string>());
    }
    return {};
}

// id, rawId and type, shared by both ceremonies.
Result<Bytes> read_common(const Json& root, std::optional<std::string>& attachment, ClientExtensionResults& ext) {
    if (!root.is_object()) return json_error("the credential is not a JSON object");
    auto type = detail::string_member(root, "type", "type", Errc::webauthn_json);
    if (!type) return std::move(type).error();
    if (*type != "public-key")
        return Error(Errc::webauthn_credential_type, "type is \"" + std::string(type->substr(0, 64)) + "\", expected \"public-key\"");
    auto id = binary_member(root, "id", "id");
    if (!id) return id;
    auto raw = binary_member(root, "rawId", "rawId");
    if (!raw) return raw;
    if (*id != *raw) return Error(Errc::webauthn_credential_id, "id and rawId decode to different bytes");
    if (id->empty()) return Error(Errc::webauthn_credential_id, "credential id is empty");
    if (id->size() > kMaxCredentialIdLength)
        return Error(Errc::webauthn_credential_id, "credential id is " + std::to_string(id->size()) +
                                                       " bytes, limit " + std::to_string(kMaxCredentialIdLength));
    auto att = optional_string(root, "authenticatorAttachment", "authenticatorAttachment");
    if (!att) return std::move(att).error();
    attachment = std::move(*att);

    const Json* cer = member(root, "clientExtensionResults");
    const Json* legacy = member(root, "extensions");
    if (cer != nullptr && legacy != nullptr)
        return json_error("both clientExtensionResults and its legacy name extensions are present");
    const char* cer_name = cer != nullptr ? "clientExtensionResults" : "extensions";
    if (cer == nullptr) cer = legacy;
    if (cer != nullptr) {
        if (!cer->is_object()) return json_error(std::string(cer_name) + " is not an object");
        if (const Json* a = member(*cer, "appid")) {
            if (!a->is_boolean()) return json_error(std::string(cer_name) + ".appid is not a boolean");
            ext.appid = a->get<bool>();
        }
        if (const Json* cp = member(*cer, "credProps")) {
            if (!cp->is_object()) return json_error(std::string(cer_name) + ".credProps is not an object");
            if (const Json* rk = member(*cp, "rk")) {
                if (!rk->is_boolean()) return json_error(std::string(cer_name) + ".credProps.rk is not a boolean");
                ext.cred_props_rk = rk->get<bool>();
            }
        }
        ext.json = cer->dump();
    }
    return id;
}

}  // namespace

Result<RegistrationResponse> parse_registration_response(std::string_view text) {
    auto root = detail::parse_strict_json(text, kMaxResponseJson, Errc::webauthn_json, "registration response");
    if (!root) return std::move(root).error();
    RegistrationResponse r;
    auto id = read_common(*root, r.authenticator_attachment, r.extensions);
    if (!id) return std::move(id).error();
    r.id = std::move(*id);
    const Json* resp = member(*root, "response");
    if (resp == nullptr || !resp->is_object()) return json_error("response is missing or not an object");
    auto cdj = binary_member(*resp, "clientDataJSON", "response.clientDataJSON");
    if (!cdj) return std::move(cdj).error();
    r.client_data_json = std::move(*cdj);
    auto ao = binary_member(*resp, "attestationObject", "response.attestationObject");
    if (!ao) return std::move(ao).error();
    r.attestation_object = std::move(*ao);
    if (const Json* t = member(*resp, "transports")) MFA_TRY(read_transports(*t, "response.transports", r.transports));
    else if (const Json* lt = member(*root, "transports")) MFA_TRY(read_transports(*lt, "transports", r.transports));
    return r;
}

Result<AuthenticationResponse> parse_authentication_response(std::string_view text) {
    auto root = detail::parse_strict_json(text, kMaxResponseJson, Errc::webauthn_json, "authentication response");
    if (!root) return std::move(root).error();
    AuthenticationResponse r;
    auto id = read_common(*root, r.authenticator_attachment, r.extensions);
    if (!id) return std::move(id).error();
    r.id = std::move(*id);
    const Json* resp = member(*root, "response");
    if (resp == nullptr || !resp->is_object()) return json_error("response is missing or not an object");
    auto cdj = binary_member(*resp, "clientDataJSON", "response.clientDataJSON");
    if (!cdj) return std::move(cdj).error();
    r.client_data_json = std::move(*cdj);
    auto ad = binary_member(*resp, "authenticatorData", "response.authenticatorData");
    if (!ad) return std::move(ad).error();
    r.authenticator_data = std::move(*ad);
    auto sig = binary_member(*resp, "signature", "response.signature");
    if (!sig) return std::move(sig).error();
    r.signature = std::move(*sig);
    if (const Json* uh = member(*resp, "userHandle")) {
        if (!uh->is_string()) return json_error("response.userHandle is not a string");
        if (!uh->get_ref<const std::string&>().empty()) {
            auto b = base64_decode(uh->get_ref<const std::string&>(), Base64Mode::lenient);
            if (!b) return json_error("response.userHandle: " + b.error().to_string());
            if (b->size() > kMaxUserHandleLength)
                return Error(Errc::webauthn_user_handle, "response.userHandle is longer than 64 bytes");
            r.user_handle = std::move(*b);
        }
    }
    return r;
}

}  // namespace mfa::webauthn

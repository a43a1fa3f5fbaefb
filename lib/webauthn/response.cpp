#include "mfa/webauthn/response.hpp"

#include <string>

#include "json_strict.hpp"
#include "response_sax.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/config.hpp"

namespace mfa::webauthn {
namespace {

using detail::Json;
using detail::member;
using detail::ScannedResponse;
using detail::ScannedString;

Error json_error(std::string msg) { return Error(Errc::webauthn_json, std::move(msg)); }

// Fails as string_member would: absent or null is "missing", anything but a string "not a string".
Status require_string(const ScannedString& m, std::string_view path) {
    if (!m.present()) return json_error(std::string(path) + " is missing");
    if (m.kind != ScannedString::Kind::string) return json_error(std::string(path) + " is not a string");
    return {};
}

Status binary_member(const ScannedString& m, std::string_view path, Bytes& out) {
    MFA_TRY(require_string(m, path));
    auto b = base64_decode(m.text, Base64Mode::lenient);
    if (!b) return json_error(std::string(path) + ": " + b.error().to_string());
    out = std::move(*b);
    return {};
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
Result<Bytes> read_common(ScannedResponse& root, std::optional<std::string>& attachment, ClientExtensionResults& ext) {
    if (!root.root_is_object) return json_error("the credential is not a JSON object");
    MFA_TRY(require_string(root.type, "type"));
    if (root.type.text != "public-key")
        return Error(Errc::webauthn_credential_type,
                     "type is \"" + root.type.text.substr(0, 64) + "\", expected \"public-key\"");
    Bytes id;
    Bytes raw;
    MFA_TRY(binary_member(root.id, "id", id));
    MFA_TRY(binary_member(root.raw_id, "rawId", raw));
    if (id != raw) return Error(Errc::webauthn_credential_id, "id and rawId decode to different bytes");
    if (id.empty()) return Error(Errc::webauthn_credential_id, "credential id is empty");
    if (id.size() > kMaxCredentialIdLength)
        return Error(Errc::webauthn_credential_id, "credential id is " + std::to_string(id.size()) +
                                                       " bytes, limit " + std::to_string(kMaxCredentialIdLength));
    const ScannedString& att = root.authenticator_attachment;
    if (att.present()) {
        if (att.kind != ScannedString::Kind::string) return json_error("authenticatorAttachment is not a string");
        attachment = std::move(att.text);
    }

    const Json* cer = detail::present(root.client_extension_results);
    const Json* legacy = detail::present(root.legacy_extensions);
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
        // An empty object needs no serialiser run: the default text is already "{}".
        if (!cer->empty()) ext.json = cer->dump();
    }
    return id;
}

}  // namespace

Result<RegistrationResponse> parse_registration_response(std::string_view text) {
    auto root = detail::scan_response(text, kMaxResponseJson, Errc::webauthn_json, "registration response");
    if (!root) return std::move(root).error();
    RegistrationResponse r;
    auto id = read_common(*root, r.authenticator_attachment, r.extensions);
    if (!id) return std::move(id).error();
    r.id = std::move(*id);
    if (!root->response_is_object) return json_error("response is missing or not an object");
    MFA_TRY(binary_member(root->client_data_json, "response.clientDataJSON", r.client_data_json));
    MFA_TRY(binary_member(root->attestation_object, "response.attestationObject", r.attestation_object));
    if (const Json* t = detail::present(root->transports)) MFA_TRY(read_transports(*t, "response.transports", r.transports));
    else if (const Json* lt = detail::present(root->legacy_transports))
        MFA_TRY(read_transports(*lt, "transports", r.transports));
    return r;
}

Result<AuthenticationResponse> parse_authentication_response(std::string_view text) {
    auto root = detail::scan_response(text, kMaxResponseJson, Errc::webauthn_json, "authentication response");
    if (!root) return std::move(root).error();
    AuthenticationResponse r;
    auto id = read_common(*root, r.authenticator_attachment, r.extensions);
    if (!id) return std::move(id).error();
    r.id = std::move(*id);
    if (!root->response_is_object) return json_error("response is missing or not an object");
    MFA_TRY(binary_member(root->client_data_json, "response.clientDataJSON", r.client_data_json));
    MFA_TRY(binary_member(root->authenticator_data, "response.authenticatorData", r.authenticator_data));
    MFA_TRY(binary_member(root->signature, "response.signature", r.signature));
    const ScannedString& uh = root->user_handle;
    if (uh.present()) {
        if (uh.kind != ScannedString::Kind::string) return json_error("response.userHandle is not a string");
        if (!uh.text.empty()) {
            auto b = base64_decode(uh.text, Base64Mode::lenient);
            if (!b) return json_error("response.userHandle: " + b.error().to_string());
            if (b->size() > kMaxUserHandleLength)
                return Error(Errc::webauthn_user_handle, "response.userHandle is longer than 64 bytes");
            r.user_handle = std::move(*b);
        }
    }
    return r;
}

}  // namespace mfa::webauthn

// WebAuthn JSON a browser would hand to a relying party: clientDataJSON built here, credentials and
// assertions in the PublicKeyCredential.toJSON() shape (WebAuthn Level 3 §5.1).
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "internal.hpp"
#include "mfa/encoding.hpp"

namespace mfa::fido2 {

ClientData make_client_data(std::string_view type, ByteView challenge, std::string_view origin, bool cross_origin) {
    // The member order browsers use (type, challenge, origin, crossOrigin).
    nlohmann::ordered_json j;
    j["type"] = type;
    j["challenge"] = base64url_encode(challenge);
    j["origin"] = origin;
    j["crossOrigin"] = cross_origin;
    ClientData cd;
    cd.json = j.dump();
    cd.hash.resize(32);
    unsigned int n = 0;
    EVP_Digest(cd.json.data(), cd.json.size(), cd.hash.data(), &n, EVP_sha256(), nullptr);
    return cd;
}

Result<std::string> registration_json(const Credential& cred, const ClientData& cd, std::optional<bool> cred_props) {
    auto ao = cred.attestation_object();
    if (!ao) return std::move(ao).error();
    const std::string id = base64url_encode(cred.credential_id);
    nlohmann::ordered_json j;
    j["id"] = id;
    j["rawId"] = id;
    j["type"] = "public-key";
    j["authenticatorAttachment"] = "cross-platform";
    j["response"] = {
        {"clientDataJSON", base64url_encode(as_bytes(cd.json))},
        {"attestationObject", base64url_encode(*ao)},
        {"authenticatorData", base64url_encode(cred.auth_data)},
        {"transports", nlohmann::json::array({"usb"})},
        {"publicKeyAlgorithm", static_cast<int>(cred.algorithm)},
    };
    j["clientExtensionResults"] = nlohmann::json::object();
    if (cred.hmac_secret) j["clientExtensionResults"]["hmacCreateSecret"] = true;
    if (cred.cred_protect != 0) j["clientExtensionResults"]["credProtect"] = cred.cred_protect;
    if (cred_props) j["clientExtensionResults"]["credProps"] = {{"rk", *cred_props}};
    return j.dump();
}

Result<std::string> authentication_json(const Assertion& a, const ClientData& cd) {
    const std::string id = base64url_encode(a.credential_id);
    nlohmann::ordered_json j;
    j["id"] = id;
    j["rawId"] = id;
    j["type"] = "public-key";
    j["authenticatorAttachment"] = "cross-platform";
    nlohmann::ordered_json resp = {
        {"clientDataJSON", base64url_encode(as_bytes(cd.json))},
        {"authenticatorData", base64url_encode(a.auth_data)},
        {"signature", base64url_encode(a.signature)},
    };
    if (!a.user_id.empty()) resp["userHandle"] = base64url_encode(a.user_id);
    j["response"] = std::move(resp);
    j["clientExtensionResults"] = nlohmann::json::object();
    return j.dump();
}

}  // namespace mfa::fido2

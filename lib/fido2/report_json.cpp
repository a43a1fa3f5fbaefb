// GetInfo and the credential-management listing as JSON, one shape for the C ABI and the app.
#include <nlohmann/json.hpp>

#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/webauthn/record.hpp"

namespace mfa::fido2 {

std::string info_json(const Info& info) {
    nlohmann::ordered_json j;
    j["versions"] = info.versions;
    j["extensions"] = info.extensions;
    j["aaguid"] = webauthn::aaguid_string(info.aaguid);
    auto opts = nlohmann::ordered_json::object();
    for (const auto& [name, value] : info.options) opts[name] = value;
    j["options"] = opts;
    j["algorithms"] = info.algorithms;
    j["pinProtocols"] = info.pin_protocols;
    j["transports"] = info.transports;
    j["maxMsgSize"] = info.max_msg_size;
    j["maxCredentialCountInList"] = info.max_cred_count_in_list;
    j["maxCredentialIdLength"] = info.max_cred_id_length;
    j["firmwareVersion"] = info.firmware_version;
    j["minPinLength"] = info.min_pin_length;
    if (info.remaining_resident_credentials) j["remainingDiscoverableCredentials"] = *info.remaining_resident_credentials;
    if (info.pin_retries) j["pinRetries"] = *info.pin_retries;
    if (info.uv_retries) j["uvRetries"] = *info.uv_retries;
    return j.dump();
}

Result<std::string> credentials_json(Device& device, const SecretString& pin) {
    auto meta = device.credential_metadata(pin);
    if (!meta) return std::move(meta).error();
    nlohmann::ordered_json j;
    j["existing"] = meta->existing;
    j["remaining"] = meta->remaining;
    auto rps_json = nlohmann::ordered_json::array();
    if (meta->existing > 0) {  // enumerating RPs of an empty token is CTAP2 NO_CREDENTIALS
        auto rps = device.list_rps(pin);
        if (!rps) return std::move(rps).error();
        for (const auto& rp : *rps) {
            auto creds = device.list_credentials(rp.id, pin);
            if (!creds) return std::move(creds).error();
            nlohmann::ordered_json r;
            r["id"] = rp.id;
            r["name"] = rp.name;
            auto list = nlohmann::ordered_json::array();
            for (const auto& c : *creds) {
                nlohmann::ordered_json e;
                e["id"] = base64url_encode(c.credential_id);
                e["userId"] = base64url_encode(c.user_id);
                e["userName"] = c.user_name;
                e["userDisplayName"] = c.user_display_name;
                e["algorithm"] = static_cast<int>(c.algorithm);
                e["credProtect"] = c.cred_protect;
                list.push_back(std::move(e));
            }
            r["credentials"] = std::move(list);
            rps_json.push_back(std::move(r));
        }
    }
    j["rps"] = std::move(rps_json);
    return j.dump();
}

}  // namespace mfa::fido2

#include "mfa/webauthn/config.hpp"

#include <string>

namespace mfa::webauthn {

bool algorithm_supported(int a) noexcept {
    switch (a) {
        case alg::ES256: case alg::EdDSA: case alg::ES384: case alg::ES512:
        case alg::PS256: case alg::PS384: case alg::PS512:
        case alg::RS256: case alg::RS384: case alg::RS512: case alg::RS1:
            return true;
        default:
            return false;
    }
}

const char* algorithm_name(int a) noexcept {
    switch (a) {
        case alg::ES256: return "ES256";
        case alg::EdDSA: return "EdDSA";
        case alg::ES384: return "ES384";
        case alg::ES512: return "ES512";
        case alg::PS256: return "PS256";
        case alg::PS384: return "PS384";
        case alg::PS512: return "PS512";
        case alg::RS256: return "RS256";
        case alg::RS384: return "RS384";
        case alg::RS512: return "RS512";
        case alg::RS1: return "RS1";
        default: return "unknown";
    }
}

Status RpConfig::validate() const {
    if (rp_id.empty()) return Error(Errc::webauthn_config, "rp_id is empty");
    if (rp_id.size() > 253) return Error(Errc::webauthn_config, "rp_id is longer than a DNS name (253)");
    if (origins.empty()) return Error(Errc::webauthn_config, "no allowed origins");
    for (const auto& o : origins)
        if (o.empty()) return Error(Errc::webauthn_config, "an allowed origin is empty");
    if (algorithms.empty()) return Error(Errc::webauthn_config, "no allowed algorithms");
    for (int a : algorithms)
        if (!algorithm_supported(a))
            return Error(Errc::webauthn_config, "algorithm " + std::to_string(a) + " is not supported");
    if (!top_origins.empty() && !allow_cross_origin)
        return Error(Errc::webauthn_config, "top_origins set but allow_cross_origin is false");
    return {};
}

}  // namespace mfa::webauthn

#include "mfa/webauthn/attestation_policy.hpp"

namespace mfa::webauthn {

std::string_view attestation_type_name(AttestationType t) noexcept {
    switch (t) {
        case AttestationType::none: return "none";
        case AttestationType::self: return "self";
        case AttestationType::basic: return "basic";
        case AttestationType::attca: return "attca";
        case AttestationType::anonca: return "anonca";
    }
    return "unknown";
}

}  // namespace mfa::webauthn

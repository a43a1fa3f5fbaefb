// The Android Key Attestation extension (OID 1.3.6.1.4.1.11129.2.1.17, "KeyDescription"), the
// fields WebAuthn's android-key format checks. Internal.
//
//   KeyDescription ::= SEQUENCE {
//     attestationVersion INTEGER, attestationSecurityLevel ENUMERATED,
//     keymasterVersion INTEGER, keymasterSecurityLevel ENUMERATED,
//     attestationChallenge OCTET STRING, uniqueId OCTET STRING,
//     softwareEnforced AuthorizationList, teeEnforced AuthorizationList, ... }
//   AuthorizationList ::= SEQUENCE { purpose [1] EXPLICIT SET OF INTEGER OPTIONAL, ...,
//     allApplications [600] EXPLICIT NULL OPTIONAL, ..., origin [702] EXPLICIT INTEGER OPTIONAL, ... }
//
// Other AuthorizationList members are skipped (but must be well-formed DER); a member appearing twice
// is an error. Later KeyDescription versions append fields after teeEnforced; they are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::att::android {

inline constexpr const char* kKeyDescriptionOid = "1.3.6.1.4.1.11129.2.1.17";
inline constexpr std::int64_t kPurposeSign = 2;       // KM_PURPOSE_SIGN
inline constexpr std::int64_t kOriginGenerated = 0;   // KM_ORIGIN_GENERATED
inline constexpr std::size_t kMaxPurposes = 16;

struct AuthorizationList {
    std::optional<std::vector<std::int64_t>> purpose;
    std::optional<std::int64_t> origin;
    bool all_applications = false;
};

struct KeyDescription {
    std::int64_t attestation_version = 0;
    std::int64_t attestation_security_level = 0;
    std::int64_t keymaster_version = 0;
    std::int64_t keymaster_security_level = 0;
    ByteView attestation_challenge;
    ByteView unique_id;
    AuthorizationList software_enforced;
    AuthorizationList tee_enforced;
};

// Parses the extnValue contents; views point into `der`. Errors: att_android_key_description.
Result<KeyDescription> parse_key_description(ByteView der);

}  // namespace mfa::att::android

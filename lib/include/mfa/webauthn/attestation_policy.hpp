// The attestation types and the policy switches of verify_attestation (attestation.hpp), in a header
// of their own that needs no CBOR: configuration code and the format procedures include only this.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mfa::webauthn {

enum class AttestationType {
    none,    // fmt "none": no attestation
    self,    // packed without x5c: signed by the credential key itself
    basic,   // signed by a batch attestation key (packed x5c, fido-u2f, android-key, android-safetynet)
    attca,   // signed by a key certified by an attestation CA (tpm)
    anonca,  // an anonymization CA issued a per-credential certificate (apple)
};
// "none", "self", "basic", "attca", "anonca".
std::string_view attestation_type_name(AttestationType) noexcept;

// Policy switches, with the defaults a relying party gets when it sets nothing.
struct AttestationPolicy {
    // Unix seconds at which certificates (and the SafetyNet timestamp) are checked; now when empty.
    std::optional<std::int64_t> verification_time;
    // Fail with att_untrusted (or mds_authenticator_revoked) unless the attestation chains to an
    // anchor. Off: the result reports trusted = false and the caller decides.
    bool require_trusted = false;
    // Accept tpm statements signed with RS1 (RSASSA-PKCS1-v1_5 SHA-1, alg -65535), which Windows
    // Hello produces. SHA-1 is refused (att_sha1_rejected) unless this is set.
    bool allow_rs1_tpm = false;
    // Refuse certificates signed with SHA-1 on the validated path (att_sha1_rejected).
    bool reject_sha1_certificates = false;
    // android-key: look for origin and purpose in teeEnforced only (keys from a TEE/StrongBox);
    // off: the union of softwareEnforced and teeEnforced, as WebAuthn §8.4 allows.
    bool android_key_require_tee = false;
    // android-safetynet: ctsProfileMatch must be true.
    bool safetynet_require_cts_profile_match = true;
    // android-safetynet: timestampMs no older than this, and no further in the future than the skew.
    std::int64_t safetynet_max_age_seconds = 60;
    std::int64_t safetynet_max_future_seconds = 30;
    // When an MDS BLOB is loaded: fail with mds_authenticator_revoked if this authenticator's entry
    // reports a compromise or revocation (otherwise it is only reported untrusted).
    bool reject_mds_compromised = true;
};

}  // namespace mfa::webauthn

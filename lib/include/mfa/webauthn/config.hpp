// Relying-party configuration: who we are (RP ID, name), which origins may talk to us, and every
// verification policy with its default. One RpConfig serves any number of ceremonies and is
// read-only during verification (share it across threads freely).
//
// docs/webauthn.md lists every switch and why its default is what it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/webauthn/attestation.hpp"
#include "mfa/webauthn/authdata.hpp"

namespace mfa::webauthn {

// COSE algorithm identifiers (IANA "COSE Algorithms").
namespace alg {
inline constexpr int ES256 = -7;
inline constexpr int EdDSA = -8;
inline constexpr int ES384 = -35;
inline constexpr int ES512 = -36;
inline constexpr int PS256 = -37;
inline constexpr int PS384 = -38;
inline constexpr int PS512 = -39;
inline constexpr int RS256 = -257;
inline constexpr int RS384 = -258;
inline constexpr int RS512 = -259;
inline constexpr int RS1 = -65535;
}  // namespace alg

enum class UserVerification { required, preferred, discouraged };
// What a signature counter that did not increase does (WebAuthn L3 §7.2 step 22 leaves it to the RP).
enum class CounterPolicy {
    error,  // fail with Errc::webauthn_sign_count (the default)
    flag,   // succeed, set AuthenticationResult::counter_regressed, keep the stored (higher) count
};
// Policy for one of the backup flags (BE, BS) at registration and authentication.
enum class FlagPolicy { allowed, required, forbidden };
// clientDataJSON.tokenBinding (WebAuthn L2; reserved and unused in L3).
enum class TokenBindingPolicy {
    // Default. An object must have status "present" or "supported" (L2's TokenBindingStatus);
    // anything else, e.g. "not-supported", is Errc::webauthn_token_binding. "present" with an id
    // is compared with RpConfig::token_binding_id when one is set. The pre-standard string form
    // ("tokenBinding":"unused") carries no binding and is ignored.
    check,
    // L3 reading: the member is reserved; it is parsed for well-formedness only.
    ignore,
};

struct RpConfig {
    std::string rp_id;    // e.g. "example.com"; authData.rpIdHash must be SHA-256 of it
    std::string rp_name;  // shown by the browser; defaults to rp_id in options when empty
    // Exact-match allow-list of clientDataJSON.origin values ("https://example.com",
    // "https://login.example.com:8443", "android:apk-key-hash:<base64url>"). No pattern matching.
    std::vector<std::string> origins;
    // crossOrigin == true (the page was framed by another origin) is refused unless this is set.
    bool allow_cross_origin = false;
    // Allowed topOrigin values for framed ceremonies; a topOrigin not in this list is refused.
    std::vector<std::string> top_origins;
    // Default UV policy for options and verification; an expectation may override it per ceremony.
    UserVerification user_verification = UserVerification::preferred;
    bool require_user_presence = true;  // UP must be set (false only for conditional create)
    // Credential public key algorithms accepted at registration, in order of preference (options).
    std::vector<int> algorithms = {alg::ES256, alg::EdDSA, alg::ES384, alg::ES512, alg::PS256, alg::RS256};
    FlagPolicy backup_eligible = FlagPolicy::allowed;
    FlagPolicy backup_state = FlagPolicy::allowed;
    CounterPolicy counter = CounterPolicy::error;
    TokenBindingPolicy token_binding = TokenBindingPolicy::check;
    // Expected token binding id (base64url-decoded) when the TLS layer uses token binding.
    std::optional<Bytes> token_binding_id;
    // U2F migration: the FIDO AppID ("https://example.com/app-id.json"). When set, an assertion
    // whose client extension output says appid:true is checked against SHA-256(appid).
    std::string appid;
    // Attestation trust: roots per format and an optional MDS3 BLOB, and the attestation policy
    // (require a trusted chain, RS1 TPM, SafetyNet CTS ...), handed to verify_attestation
    // unchanged. docs/webauthn-attestation.md describes both.
    TrustAnchors trust_anchors;
    AttestationPolicy attestation;
    // Verification time override (Unix seconds) for certificate validity; nullopt = the clock.
    // Used when attestation.verification_time is not set.
    std::optional<std::int64_t> now;
    // Ceremony timeout put in options (milliseconds; WebAuthn recommends 300000..600000).
    std::uint32_t timeout_ms = 300000;

    // Rejects a configuration that could never verify anything (empty RP ID, no origins,
    // an unknown algorithm, an empty algorithm list).
    [[nodiscard]] Status validate() const;
};

// Input limits (bytes) applied before any parsing.
inline constexpr std::size_t kMaxResponseJson = 256 * 1024;
inline constexpr std::size_t kMaxClientDataJson = 16 * 1024;
inline constexpr std::size_t kMinChallengeLength = 16;       // WebAuthn L3 §13.4.3
inline constexpr std::size_t kMaxChallengeLength = 1024;
inline constexpr std::size_t kMaxUserHandleLength = 64;      // WebAuthn §5.4.3 user.id

// True when id is one of the COSE algorithms the library can verify.
[[nodiscard]] bool algorithm_supported(int cose_alg) noexcept;
// "ES256", "EdDSA", ... or "unknown".
[[nodiscard]] const char* algorithm_name(int cose_alg) noexcept;

}  // namespace mfa::webauthn

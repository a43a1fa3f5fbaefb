// WebAuthn attestation statement verification and trust for the relying party (W3C WebAuthn
// Level 3 §8): formats none, packed (self and x5c), fido-u2f, tpm, android-key, android-safetynet
// and apple.
//
// verify_attestation runs the format's verification procedure over the attestation statement, the
// authenticator data and the client data hash, then assesses trust: the statement's certificate
// path is validated at the verification time against the trust anchors the caller configured for
// that format (PEM roots, a directory of PEMs) and, when a FIDO MDS3 BLOB is loaded, the roots and
// status its entry for this authenticator gives. The result says the attestation type, the AAGUID,
// the trust path and whether it chained to an anchor; whether an untrusted attestation is
// acceptable is the caller's policy (AttestationPolicy::require_trusted).
//
// docs/webauthn-attestation.md lists every check per format, the policies and their defaults, and
// the errors (Errc::att_* and Errc::mds_*, block -330..-399).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/cbor.hpp"
#include "mfa/error.hpp"
#include "mfa/webauthn/authdata.hpp"
#include "mfa/webauthn/mds.hpp"

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

// Trust anchors: data the caller configures. Each root is tied to one attestation format, or to
// every format (fmt "" or "*"). Copyable; the loaded MDS BLOB is shared between copies.
class TrustAnchors {
public:
    // Limits: at most 4096 roots; a PEM text or file at most 1 MiB.
    static constexpr std::size_t kMaxRoots = 4096;

    // One or more "-----BEGIN CERTIFICATE-----" blocks; text outside the blocks is ignored, a block
    // that is not a certificate is an error (invalid_argument, nothing added).
    Status add_pem(std::string_view fmt, std::string_view pem);
    Status add_der(std::string_view fmt, ByteView der);
    Status add_pem_file(std::string_view fmt, const std::filesystem::path& file);
    // Every *.pem / *.crt file directly in `dir` applies to every format; every such file in a
    // subdirectory named after a format (`dir/tpm/*.pem`) applies to that format. Other entries are
    // ignored. io when the directory cannot be read.
    Status add_directory(const std::filesystem::path& dir);

    // Verifies and loads a FIDO MDS3 BLOB (see parse_mds_blob); replaces any BLOB loaded before.
    Status load_mds_blob(std::string_view jwt, std::string_view mds_root_pem,
                         std::optional<std::int64_t> verification_time = {});
    Status load_mds_blob_file(const std::filesystem::path& file, std::string_view mds_root_pem,
                              std::optional<std::int64_t> verification_time = {});

    // The loaded BLOB, or nullptr.
    [[nodiscard]] const MdsBlob* mds() const noexcept { return mds_.get(); }
    // DER roots configured for `fmt` (including the every-format ones).
    [[nodiscard]] std::vector<Bytes> roots_for(std::string_view fmt) const;
    [[nodiscard]] std::size_t size() const noexcept { return roots_.size(); }

private:
    struct Root {
        std::string fmt;  // "" = every format
        Bytes der;
    };
    std::vector<Root> roots_;
    std::shared_ptr<const MdsBlob> mds_;
};

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

struct AttestationResult {
    std::string fmt;
    AttestationType type = AttestationType::none;
    std::array<std::uint8_t, 16> aaguid{};
    std::vector<Bytes> trust_path;   // DER certificates from the statement, leaf first (x5c)
    bool trusted = false;            // the path validated to an anchor (and MDS did not veto)
    std::string trust_anchor;        // subject of that anchor (RFC 2253)
    std::string trust_detail;        // why not trusted, when trusted is false
    std::optional<MdsEntry> metadata;  // the MDS entry for this authenticator, when one exists
};

// Verifies an attestation statement. `auth_data` must carry attested credential data; `raw_auth_data`
// is the exact bytes it was parsed from (signatures cover them); client_data_hash is SHA-256 of
// clientDataJSON. The credential public key is parsed with cose::parse_key (its errors pass through).
// An unknown format is att_format_unsupported.
Result<AttestationResult> verify_attestation(std::string_view fmt, const cbor::Value& att_stmt,
                                             const AuthenticatorData& auth_data, ByteView raw_auth_data,
                                             ByteView client_data_hash, const TrustAnchors& anchors,
                                             const AttestationPolicy& policy = {});

// The same for a parsed attestation object.
Result<AttestationResult> verify_attestation(const AttestationObject& object, ByteView client_data_hash,
                                             const TrustAnchors& anchors,
                                             const AttestationPolicy& policy = {});

}  // namespace mfa::webauthn

// FIDO Metadata Service v3 (MDS3) BLOB: a JWT whose x5c chain must lead to a root the caller
// configures (for the production service, the root named at https://fidoalliance.org/metadata/).
// The relying party uses it to learn an authenticator's attestation roots and status.
//
// The BLOB is parsed offline from bytes the caller fetched: this library does no networking and no
// CRL fetching. docs/webauthn-attestation.md describes the setup.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::webauthn {

// Limits: the BLOB at most 32 MiB, at most 100000 entries, JSON nesting at most 32.
inline constexpr std::size_t kMaxMdsBlobSize = 32u << 20;
inline constexpr std::size_t kMaxMdsEntries = 100000;

struct MdsStatusReport {
    std::string status;          // "FIDO_CERTIFIED_L1", "REVOKED", "ATTESTATION_KEY_COMPROMISE" ...
    std::string effective_date;  // ISO 8601 date as given, may be empty
};

struct MdsEntry {
    std::optional<std::array<std::uint8_t, 16>> aaguid;             // FIDO2 authenticators
    std::vector<std::string> attestation_certificate_key_identifiers;  // U2F: lower-case hex SHA-1
    std::string description;                                         // metadataStatement.description
    std::vector<Bytes> attestation_root_certificates;                // DER, from the metadata statement
    std::vector<MdsStatusReport> status_reports;
    std::string time_of_last_status_change;
    std::string metadata_statement_json;  // the whole statement, for callers that need more fields

    // True when any status report says REVOKED, ATTESTATION_KEY_COMPROMISE,
    // USER_VERIFICATION_BYPASS, USER_KEY_REMOTE_COMPROMISE or USER_KEY_PHYSICAL_COMPROMISE.
    [[nodiscard]] bool compromised() const noexcept;
    // The first such status ("" when none).
    [[nodiscard]] std::string compromise_status() const;
};

struct MdsBlob {
    std::int64_t no = 0;           // serial number of the BLOB
    std::string next_update;       // "YYYY-MM-DD"
    std::string legal_header;
    std::vector<MdsEntry> entries;

    [[nodiscard]] const MdsEntry* find_by_aaguid(ByteView aaguid) const noexcept;
    // key_id: lower-case hex of SHA-1 over the attestation certificate's subjectPublicKey bits.
    [[nodiscard]] const MdsEntry* find_by_key_identifier(std::string_view key_id) const noexcept;
};

// Verifies and parses a BLOB. `roots_pem` holds the MDS root certificate(s) in PEM. Checks: JWS
// alg (RS256/384/512, PS256/384/512, ES256/384/512), x5c chain to a root at `verification_time`
// (unix seconds; now when empty), the signature, then nextUpdate not before that date.
// Errors: mds_blob_invalid (malformed; the detail names the member), mds_untrusted (no path to the
// root, or a certificate invalid at that time), mds_signature_invalid, mds_blob_expired,
// invalid_argument (roots_pem holds no certificate).
Result<MdsBlob> parse_mds_blob(std::string_view jwt, std::string_view roots_pem,
                               std::optional<std::int64_t> verification_time = {});

}  // namespace mfa::webauthn

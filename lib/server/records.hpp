// The JSON records the toolkit keeps in the store, with strict parsers (fuzzed by
// fuzz_server_records): a record that does not parse is store_corrupt, never guessed at.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mfa/otp.hpp"
#include "mfa/server/toolkit.hpp"
#include "mfa/webauthn/record.hpp"

namespace mfa::server::detail {

// "SHA1", "SHA256", "SHA512" (mfa::to_string(HashAlg)) back to the algorithm, as records store it.
std::optional<HashAlg> hash_alg_from_name(std::string_view name) noexcept;

struct TotpRecord {
    std::string secret;      // encrypted field (keyring.hpp)
    HashAlg algorithm = HashAlg::sha1;
    unsigned digits = 6;
    std::uint32_t period = 30;
    std::int64_t created = 0;
    std::string label;
    // A hardware OTP token assigned to the user (hwtoken.hpp): its serial number, and the token's
    // own type, T0 and first counter. Records of app-enrolled factors have none of these members
    // (serial empty: type totp, t0 0, counter 0).
    std::string hwtoken;
    OtpType type = OtpType::totp;   // totp or hotp
    std::int64_t t0 = 0;
    std::uint64_t counter = 0;      // hotp: the counter the token was at when assigned
    // An imported HOTP secret (google-authenticator's HOTP_COUNTER files; no hwtoken): type
    // "hotp", counter (the next one the user's app shows) and look_ahead (codes accepted after it:
    // the file's WINDOW_SIZE - 1). Absent (hardware tokens): kHotpLookAhead.
    std::optional<unsigned> look_ahead;
};
std::string totp_record_json(const TotpRecord& r);
Result<TotpRecord> parse_totp_record(std::string_view json);

struct TokenRecord {
    TokenInfo info;
    std::string hash;        // hex SHA-256 of the token
};
std::string token_record_json(const TokenRecord& r);
Result<TokenRecord> parse_token_record(std::string_view json);

// A security key: {"v":1,"name":…,"last_used":…,"record":{credential record JSON, record.hpp}},
// and "discoverable":true|false when the client reported credProps.rk at registration (records
// written before that member existed have none: unknown).
struct SecurityKeyRecord {
    std::string name;
    std::int64_t last_used = 0;
    std::optional<bool> discoverable;
    webauthn::CredentialRecord record;
};
std::string security_key_json(const SecurityKeyRecord& r);
Result<SecurityKeyRecord> parse_security_key(std::string_view json);

// A pending WebAuthn ceremony: {"v":1,"kind":"create"|"get","expires":…}.
struct ChallengeRecord {
    bool registration = false;
    std::int64_t expires = 0;
};
std::string challenge_json(const ChallengeRecord& r);
Result<ChallengeRecord> parse_challenge(std::string_view json);

}  // namespace mfa::server::detail

// Passwords: Argon2id PHC strings (libargon2), verification of existing scrypt and PBKDF2 PHC hashes
// for migration, a rehash-needed check, and the password policy of NIST SP 800-63B-4 §3.1.1.2.
//
// PHC strings accepted by verify_password (every parameter bounded so a stored hash cannot make the
// server do unbounded work):
//   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>     (also $argon2i$ and $argon2d$)
//   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>
//   $pbkdf2-sha256$i=<iterations>[,l=<length>]$<salt>$<hash>         (also -sha512, -sha1)
// <salt> and <hash> are the PHC B64 (standard alphabet, no padding).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::server {

// OWASP Password Storage Cheat Sheet, second Argon2id row: m=19 MiB, t=2, p=1; 128-bit salt.
struct Argon2Params {
    std::uint32_t memory_kib = 19456;
    std::uint32_t passes = 2;
    std::uint32_t lanes = 1;
    std::uint32_t salt_bytes = 16;
    std::uint32_t hash_bytes = 32;
};

inline constexpr std::size_t kMaxPasswordBytes = 4096;   // verified whole (no truncation) up to this
inline constexpr std::size_t kMaxPhcLength = 512;
inline constexpr std::uint32_t kMaxArgon2MemoryKib = 1u << 20;    // 1 GiB
inline constexpr std::uint32_t kMaxArgon2Passes = 64;
inline constexpr std::uint32_t kMaxScryptLogN = 22;
inline constexpr std::uint32_t kMaxPbkdf2Iterations = 10'000'000;

enum class PhcAlgorithm : std::uint8_t { argon2id, argon2i, argon2d, scrypt, pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512 };

// A parsed PHC string (fuzzed: fuzz_phc).
struct PhcHash {
    PhcAlgorithm alg = PhcAlgorithm::argon2id;
    std::uint32_t version = 0x13;  // argon2
    std::uint32_t m = 0, t = 0, p = 0;  // argon2: KiB, passes, lanes; scrypt: r in t, p in p, log2 N in m
    std::uint32_t iterations = 0;       // pbkdf2
    std::string salt;                   // raw bytes
    std::string hash;                   // raw bytes
};
// Errors: password_hash_format (the detail names the part), limit_exceeded.
Result<PhcHash> parse_phc(std::string_view phc);

Result<std::string> hash_password(std::string_view password, const Argon2Params& params = {});
// Constant-time comparison of the derived hash. Errors: password_mismatch, password_hash_format.
Status verify_password(std::string_view password, std::string_view phc);
// True when the hash is not Argon2id with at least `params` (a migrated scrypt/PBKDF2 hash, or an
// older cost): hash the password again after a successful verification.
bool needs_rehash(std::string_view phc, const Argon2Params& params = {});

struct PasswordPolicy {
    std::size_t min_length = 8;        // NIST: at least 8 (15 recommended when it is the only factor)
    std::size_t max_length = 64;       // at least 64 is always accepted (raising it is allowed)
    bool check_dictionary = true;      // cracklib dictionary through libpwquality, when installed
    std::string dictionary_path;       // "" = cracklib's default
    bool check_user_similarity = true; // the password must not contain the user name (or vice versa)
    std::vector<std::string> blocklist;  // exact (case-insensitive) forbidden passwords, e.g. breached
    bool require_character_classes = false;  // "3 of upper, lower, digit, other"; off (NIST 800-63B-4)
    unsigned min_character_classes = 3;
    std::int64_t max_age_seconds = 0;  // 0 = no periodic change (NIST: SHALL NOT require one)
};
Status validate(const PasswordPolicy& p);

// Characters are Unicode code points (invalid UTF-8 is refused). Errors: password_policy, with the
// reason in the detail ("shorter than 8 characters", "found in the dictionary: …").
Status check_password(const PasswordPolicy& policy, std::string_view password, std::string_view user_name = {});
// Whether libpwquality found a cracklib dictionary (when not, the dictionary check is skipped and
// check_password relies on the blocklist; docs/server.md).
bool dictionary_available(const PasswordPolicy& policy);

// When a stored password must be changed: max age reached or flagged as compromised.
struct PasswordRecordState {
    std::int64_t changed_at = 0;
    bool compromised = false;
};
Status check_password_age(const PasswordPolicy& policy, const PasswordRecordState& state, std::int64_t now);

}  // namespace mfa::server

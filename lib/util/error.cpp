#include "mfa/error.hpp"

namespace mfa {
namespace {

struct Entry {
    Errc code;
    std::string_view name;
    std::string_view message;
};

// Keep in step with docs/errors.md and the C header.
constexpr Entry kEntries[] = {
    {Errc::ok, "ok", "success"},
    {Errc::invalid_argument, "invalid_argument", "invalid argument"},
    {Errc::buffer_too_small, "buffer_too_small", "output buffer too small"},
    {Errc::no_memory, "no_memory", "out of memory"},
    {Errc::internal, "internal", "internal error"},
    {Errc::crypto, "crypto", "cryptographic library failure"},
    {Errc::limit_exceeded, "limit_exceeded", "input exceeds a stated limit"},
    {Errc::unsupported, "unsupported", "unsupported feature or algorithm"},
    {Errc::not_found, "not_found", "not found"},
    {Errc::io, "io", "input/output error"},
    {Errc::parse, "parse", "malformed input"},
    {Errc::base32_invalid, "base32_invalid", "invalid Base32"},
    {Errc::base64_invalid, "base64_invalid", "invalid Base64"},
    {Errc::hex_invalid, "hex_invalid", "invalid hexadecimal"},
    {Errc::otp_code_format, "otp_code_format", "code has the wrong length or characters"},
    {Errc::otp_code_mismatch, "otp_code_mismatch", "code does not match"},
    {Errc::otp_code_replayed, "otp_code_replayed", "code was already used (replay)"},
    {Errc::otp_secret_too_short, "otp_secret_too_short", "secret is too short"},
    {Errc::otp_secret_too_long, "otp_secret_too_long", "secret is too long"},
    {Errc::uri_invalid, "uri_invalid", "malformed otpauth URI"},
    {Errc::uri_scheme, "uri_scheme", "unexpected URI scheme"},
    {Errc::uri_type, "uri_type", "unknown OTP type in URI"},
    {Errc::uri_label, "uri_label", "invalid URI label"},
    {Errc::uri_secret, "uri_secret", "missing or invalid secret in URI"},
    {Errc::uri_parameter, "uri_parameter", "invalid URI parameter"},
    {Errc::uri_issuer_mismatch, "uri_issuer_mismatch", "issuer parameter and label prefix differ"},
    {Errc::uri_too_long, "uri_too_long", "URI is too long"},
    {Errc::migration_invalid, "migration_invalid", "malformed otpauth-migration payload"},
    {Errc::migration_field, "migration_field", "unsupported value in otpauth-migration payload"},
    {Errc::store_unavailable, "store_unavailable", "store is unavailable"},
    {Errc::store_corrupt, "store_corrupt", "store holds a malformed record"},
    {Errc::store_conflict, "store_conflict", "concurrent update did not settle"},
    {Errc::throttled, "throttled", "too many failed attempts: retry later"},
    {Errc::account_locked, "account_locked", "account is locked after failed attempts"},
    {Errc::factor_not_enrolled, "factor_not_enrolled", "factor is not enrolled"},
    {Errc::factor_already_enrolled, "factor_already_enrolled", "factor is already enrolled"},
    {Errc::factor_not_allowed, "factor_not_allowed", "factor type is not allowed by policy"},
    {Errc::recovery_code_invalid, "recovery_code_invalid", "recovery code is not valid"},
    {Errc::password_mismatch, "password_mismatch", "password does not match"},
    {Errc::password_policy, "password_policy", "password does not meet the policy"},
    {Errc::password_hash_format, "password_hash_format", "malformed password hash"},
    {Errc::password_expired, "password_expired", "password must be changed"},
    {Errc::token_format, "token_format", "malformed API token"},
    {Errc::token_invalid, "token_invalid", "API token is not valid"},
    {Errc::token_expired, "token_expired", "API token has expired"},
    {Errc::allowlist_syntax, "allowlist_syntax", "malformed allow-list entry"},
    {Errc::ip_not_allowed, "ip_not_allowed", "source address is not allowed"},
    {Errc::email_domain_not_allowed, "email_domain_not_allowed", "email domain is not allowed"},
    {Errc::keyring_invalid, "keyring_invalid", "malformed key ring"},
    {Errc::key_unknown, "key_unknown", "encryption key is not in the key ring"},
    {Errc::decrypt_failed, "decrypt_failed", "encrypted field does not authenticate"},
    {Errc::encrypted_field_format, "encrypted_field_format", "malformed encrypted field"},
    {Errc::audit_chain_broken, "audit_chain_broken", "audit log chain is broken"},
    {Errc::audit_record_invalid, "audit_record_invalid", "malformed audit record"},
    {Errc::policy_invalid, "policy_invalid", "invalid security policy"},
    {Errc::challenge_invalid, "challenge_invalid", "WebAuthn challenge is unknown, used or expired"},
};

const Entry* find(Errc c) noexcept {
    for (const auto& e : kEntries)
        if (e.code == c) return &e;
    return nullptr;
}

}  // namespace

std::string_view errc_name(Errc c) noexcept {
    const Entry* e = find(c);
    return e ? e->name : "unknown";
}

std::string_view errc_message(Errc c) noexcept {
    const Entry* e = find(c);
    return e ? e->message : "unknown error";
}

std::string Error::to_string() const {
    std::string s(errc_message(code));
    if (!detail.empty()) {
        s += ": ";
        s += detail;
    }
    return s;
}

}  // namespace mfa

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
    {Errc::vault_not_a_vault, "vault_not_a_vault", "not an mfa vault (bad magic)"},
    {Errc::vault_version, "vault_version", "unsupported vault format version"},
    {Errc::vault_corrupt, "vault_corrupt", "vault file is corrupt"},
    {Errc::vault_truncated, "vault_truncated", "vault file is truncated"},
    {Errc::vault_wrong_passphrase, "vault_wrong_passphrase", "wrong passphrase"},
    {Errc::vault_tampered, "vault_tampered", "vault authentication failed (modified or corrupt)"},
    {Errc::vault_locked, "vault_locked", "vault is locked by another writer"},
    {Errc::vault_read_only, "vault_read_only", "vault was opened read-only"},
    {Errc::vault_no_slot, "vault_no_slot", "no such key slot"},
    {Errc::vault_last_slot, "vault_last_slot", "cannot remove the last key slot"},
    {Errc::vault_kdf_params, "vault_kdf_params", "key derivation parameters out of range"},
    {Errc::vault_exists, "vault_exists", "a vault already exists at this path"},
    {Errc::vault_missing, "vault_missing", "no vault at this path"},
    {Errc::vault_payload, "vault_payload", "decrypted vault contents are malformed"},
    {Errc::vault_duplicate, "vault_duplicate", "account already in the vault"},
    {Errc::vault_key_rejected, "vault_key_rejected", "security key did not unlock the vault"},
    {Errc::vault_key_provider, "vault_key_provider", "security key unavailable or failed"},
    {Errc::vault_backup, "vault_backup", "backup not found or invalid"},
    {Errc::vault_entry, "vault_entry", "invalid account entry"},
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

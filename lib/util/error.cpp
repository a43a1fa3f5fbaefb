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
    {Errc::cbor_truncated, "cbor_truncated", "CBOR input is truncated"},
    {Errc::cbor_malformed, "cbor_malformed", "malformed CBOR"},
    {Errc::cbor_non_canonical, "cbor_non_canonical", "CBOR is not in canonical form"},
    {Errc::cbor_key_order, "cbor_key_order", "CBOR map keys are not in canonical order"},
    {Errc::cbor_duplicate_key, "cbor_duplicate_key", "duplicate CBOR map key"},
    {Errc::cbor_indefinite, "cbor_indefinite", "indefinite-length CBOR is not accepted"},
    {Errc::cbor_depth, "cbor_depth", "CBOR nesting too deep"},
    {Errc::cbor_limit, "cbor_limit", "CBOR input exceeds a decoder limit"},
    {Errc::cbor_trailing, "cbor_trailing", "trailing bytes after the CBOR item"},
    {Errc::cbor_invalid_utf8, "cbor_invalid_utf8", "CBOR text string is not valid UTF-8"},
    {Errc::cbor_unsupported, "cbor_unsupported", "CBOR item type refused by the decoder options"},
    {Errc::cbor_type, "cbor_type", "CBOR value has an unexpected type"},
    {Errc::cbor_missing_key, "cbor_missing_key", "required CBOR map key is missing"},
    {Errc::cbor_int_range, "cbor_int_range", "CBOR integer out of range"},
    {Errc::cose_key_invalid, "cose_key_invalid", "invalid COSE key"},
    {Errc::cose_unsupported_alg, "cose_unsupported_alg", "unsupported COSE algorithm"},
    {Errc::cose_unsupported_key_type, "cose_unsupported_key_type", "unsupported COSE key type"},
    {Errc::cose_unsupported_curve, "cose_unsupported_curve", "unsupported COSE curve"},
    {Errc::cose_alg_mismatch, "cose_alg_mismatch", "COSE algorithm does not match the key"},
    {Errc::cose_signature_invalid, "cose_signature_invalid", "signature verification failed"},
    {Errc::cose_signature_format, "cose_signature_format", "malformed signature"},
    {Errc::cose_alg_disabled, "cose_alg_disabled", "COSE algorithm disabled by policy"},
    {Errc::cose_key_size, "cose_key_size", "COSE key size outside the accepted range"},
    {Errc::authdata_truncated, "authdata_truncated", "authenticator data is truncated"},
    {Errc::authdata_flags, "authdata_flags", "authenticator data flags disagree with its content"},
    {Errc::authdata_trailing, "authdata_trailing", "trailing bytes after authenticator data"},
    {Errc::authdata_credential_id, "authdata_credential_id", "credential ID too long"},
    {Errc::authdata_extensions, "authdata_extensions", "invalid authenticator extensions"},
    {Errc::attestation_object_invalid, "attestation_object_invalid", "invalid attestation object"},
    {Errc::fido2_io, "fido2_io", "communication with the authenticator failed"},
    {Errc::fido2_no_device, "fido2_no_device", "no such FIDO2 device"},
    {Errc::fido2_not_fido2, "fido2_not_fido2", "the device does not support CTAP2"},
    {Errc::fido2_unsupported, "fido2_unsupported", "the authenticator does not support the requested feature"},
    {Errc::fido2_pin_required, "fido2_pin_required", "a PIN is required"},
    {Errc::fido2_bad_response, "fido2_bad_response", "malformed answer from the authenticator"},
    {Errc::fido2_verify_failed, "fido2_verify_failed", "the authenticator's signature does not verify"},
    {Errc::fido2_library, "fido2_library", "libfido2 failure"},
    {Errc::softtoken_state_invalid, "softtoken_state_invalid", "malformed soft token state file"},
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

// CTAP 2.1 §8.2 status codes: an authenticator's answer passed through as a positive code.
struct CtapEntry {
    int status;
    std::string_view name;
    std::string_view message;
};
constexpr CtapEntry kCtap[] = {
    {0x01, "INVALID_COMMAND", "CTAP: invalid command"},
    {0x02, "INVALID_PARAMETER", "CTAP: invalid parameter"},
    {0x03, "INVALID_LENGTH", "CTAP: invalid length"},
    {0x04, "INVALID_SEQ", "CTAP: invalid message sequencing"},
    {0x05, "TIMEOUT", "CTAP: message timed out"},
    {0x06, "CHANNEL_BUSY", "CTAP: channel busy"},
    {0x0A, "LOCK_REQUIRED", "CTAP: command requires channel lock"},
    {0x0B, "INVALID_CHANNEL", "CTAP: invalid channel"},
    {0x11, "CBOR_UNEXPECTED_TYPE", "CTAP: unexpected CBOR type"},
    {0x12, "INVALID_CBOR", "CTAP: invalid CBOR"},
    {0x14, "MISSING_PARAMETER", "CTAP: missing parameter"},
    {0x15, "LIMIT_EXCEEDED", "CTAP: limit exceeded"},
    {0x17, "FP_DATABASE_FULL", "CTAP: fingerprint database full"},
    {0x18, "LARGE_BLOB_STORAGE_FULL", "CTAP: large blob storage full"},
    {0x19, "CREDENTIAL_EXCLUDED", "CTAP: a credential in the exclude list exists on the authenticator"},
    {0x21, "PROCESSING", "CTAP: processing"},
    {0x22, "INVALID_CREDENTIAL", "CTAP: invalid credential"},
    {0x23, "USER_ACTION_PENDING", "CTAP: user action pending"},
    {0x24, "OPERATION_PENDING", "CTAP: operation pending"},
    {0x25, "NO_OPERATIONS", "CTAP: no operations"},
    {0x26, "UNSUPPORTED_ALGORITHM", "CTAP: unsupported algorithm"},
    {0x27, "OPERATION_DENIED", "CTAP: operation denied by the user"},
    {0x28, "KEY_STORE_FULL", "CTAP: credential storage full"},
    {0x2B, "UNSUPPORTED_OPTION", "CTAP: unsupported option"},
    {0x2C, "INVALID_OPTION", "CTAP: invalid option"},
    {0x2D, "KEEPALIVE_CANCEL", "CTAP: cancelled"},
    {0x2E, "NO_CREDENTIALS", "CTAP: no valid credentials"},
    {0x2F, "USER_ACTION_TIMEOUT", "CTAP: timed out waiting for the user"},
    {0x30, "NOT_ALLOWED", "CTAP: not allowed"},
    {0x31, "PIN_INVALID", "CTAP: wrong PIN"},
    {0x32, "PIN_BLOCKED", "CTAP: PIN blocked (reset the authenticator)"},
    {0x33, "PIN_AUTH_INVALID", "CTAP: PIN/UV auth parameter invalid"},
    {0x34, "PIN_AUTH_BLOCKED", "CTAP: PIN auth blocked until the authenticator is power-cycled"},
    {0x35, "PIN_NOT_SET", "CTAP: no PIN set"},
    {0x36, "PUAT_REQUIRED", "CTAP: PIN/UV auth token required"},
    {0x37, "PIN_POLICY_VIOLATION", "CTAP: PIN does not meet the policy"},
    {0x39, "REQUEST_TOO_LARGE", "CTAP: request too large"},
    {0x3A, "ACTION_TIMEOUT", "CTAP: action timed out"},
    {0x3B, "UP_REQUIRED", "CTAP: user presence required"},
    {0x3C, "UV_BLOCKED", "CTAP: built-in user verification blocked"},
    {0x3D, "INTEGRITY_FAILURE", "CTAP: integrity failure"},
    {0x3E, "INVALID_SUBCOMMAND", "CTAP: invalid subcommand"},
    {0x3F, "UV_INVALID", "CTAP: user verification failed"},
    {0x40, "UNAUTHORIZED_PERMISSION", "CTAP: permission not granted by the token"},
    {0x7F, "OTHER", "CTAP: other error"},
};

const CtapEntry* find_ctap(int status) noexcept {
    for (const auto& e : kCtap)
        if (e.status == status) return &e;
    return nullptr;
}

const Entry* find(Errc c) noexcept {
    for (const auto& e : kEntries)
        if (e.code == c) return &e;
    return nullptr;
}

}  // namespace

std::string_view ctap_status_name(int status) noexcept {
    const CtapEntry* e = find_ctap(status);
    return e ? e->name : "unknown";
}

std::string_view errc_name(Errc c) noexcept {
    if (static_cast<int>(c) > 0) return ctap_status_name(static_cast<int>(c));
    const Entry* e = find(c);
    return e ? e->name : "unknown";
}

std::string_view errc_message(Errc c) noexcept {
    if (static_cast<int>(c) > 0) {
        const CtapEntry* ce = find_ctap(static_cast<int>(c));
        return ce ? ce->message : "unknown error";
    }
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

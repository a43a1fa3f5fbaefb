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
    {Errc::att_format_unsupported, "att_format_unsupported", "unsupported attestation statement format"},
    {Errc::att_statement_invalid, "att_statement_invalid", "malformed attestation statement"},
    {Errc::att_signature_invalid, "att_signature_invalid", "attestation signature does not verify"},
    {Errc::att_certificate_invalid, "att_certificate_invalid", "attestation certificate is malformed, invalid or expired"},
    {Errc::att_untrusted, "att_untrusted", "attestation does not chain to a trust anchor"},
    {Errc::att_aaguid_mismatch, "att_aaguid_mismatch", "attestation certificate AAGUID differs from the authenticator data"},
    {Errc::att_algorithm, "att_algorithm", "attestation algorithm unsupported or inconsistent with the credential key"},
    {Errc::att_public_key_mismatch, "att_public_key_mismatch", "attested public key differs from the credential public key"},
    {Errc::att_sha1_rejected, "att_sha1_rejected", "SHA-1 in the attestation is refused by policy"},
    {Errc::att_tpm_structure, "att_tpm_structure", "malformed TPM pubArea or certInfo"},
    {Errc::att_tpm_pubarea_mismatch, "att_tpm_pubarea_mismatch", "TPM pubArea does not match the credential public key"},
    {Errc::att_tpm_certinfo, "att_tpm_certinfo", "TPM certInfo does not attest this key and data"},
    {Errc::att_tpm_aik_certificate, "att_tpm_aik_certificate", "TPM AIK certificate does not meet the requirements"},
    {Errc::att_android_key_description, "att_android_key_description", "Android key description extension missing or malformed"},
    {Errc::att_android_challenge, "att_android_challenge", "Android attestation challenge differs from the client data hash"},
    {Errc::att_android_authorization, "att_android_authorization", "Android key authorization list violates the policy"},
    {Errc::att_safetynet_jws, "att_safetynet_jws", "malformed SafetyNet JWS response"},
    {Errc::att_safetynet_nonce, "att_safetynet_nonce", "SafetyNet nonce does not match"},
    {Errc::att_safetynet_cts_profile, "att_safetynet_cts_profile", "SafetyNet ctsProfileMatch is false"},
    {Errc::att_safetynet_timestamp, "att_safetynet_timestamp", "SafetyNet timestamp outside the accepted window"},
    {Errc::att_safetynet_certificate, "att_safetynet_certificate", "SafetyNet signing certificate is not for attest.android.com"},
    {Errc::att_apple_nonce, "att_apple_nonce", "Apple attestation nonce does not match"},
    {Errc::mds_blob_invalid, "mds_blob_invalid", "malformed FIDO MDS3 BLOB"},
    {Errc::mds_signature_invalid, "mds_signature_invalid", "FIDO MDS3 BLOB signature does not verify"},
    {Errc::mds_untrusted, "mds_untrusted", "FIDO MDS3 BLOB does not chain to the configured root"},
    {Errc::mds_blob_expired, "mds_blob_expired", "FIDO MDS3 BLOB is past its nextUpdate date"},
    {Errc::mds_authenticator_revoked, "mds_authenticator_revoked", "FIDO MDS3 reports the authenticator revoked or compromised"},
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
    {Errc::webauthn_json, "webauthn_json", "malformed WebAuthn response JSON (a missing, mistyped or duplicate member)"},
    {Errc::webauthn_client_data, "webauthn_client_data", "malformed clientDataJSON"},
    {Errc::webauthn_type, "webauthn_type", "clientDataJSON type is not the one this ceremony expects"},
    {Errc::webauthn_challenge, "webauthn_challenge", "challenge does not match the one issued"},
    {Errc::webauthn_origin, "webauthn_origin", "origin is not an allowed origin"},
    {Errc::webauthn_cross_origin, "webauthn_cross_origin", "cross-origin ceremony not allowed"},
    {Errc::webauthn_top_origin, "webauthn_top_origin", "topOrigin is not an allowed top-level origin"},
    {Errc::webauthn_token_binding, "webauthn_token_binding", "invalid or mismatched token binding"},
    {Errc::webauthn_rp_id_hash, "webauthn_rp_id_hash", "rpIdHash does not match the RP ID"},
    {Errc::webauthn_user_present, "webauthn_user_present", "user presence (UP) flag not set"},
    {Errc::webauthn_user_verified, "webauthn_user_verified", "user verification required but UV flag not set"},
    {Errc::webauthn_backup_state, "webauthn_backup_state", "invalid backup flags (BS without BE) or refused by the backup policy"},
    {Errc::webauthn_backup_eligibility, "webauthn_backup_eligibility", "backup eligibility (BE) differs from the stored credential"},
    {Errc::webauthn_algorithm, "webauthn_algorithm", "credential algorithm not allowed"},
    {Errc::webauthn_credential_id, "webauthn_credential_id", "credential id invalid (empty, longer than 1023 bytes, or id and rawId differ)"},
    {Errc::webauthn_credential_registered, "webauthn_credential_registered", "credential id is already registered"},
    {Errc::webauthn_attested_credential, "webauthn_attested_credential", "registration authenticator data carries no attested credential data"},
    {Errc::webauthn_allow_list, "webauthn_allow_list", "credential is not in allowCredentials"},
    {Errc::webauthn_user_handle, "webauthn_user_handle", "userHandle missing or not the account owner"},
    {Errc::webauthn_credential_mismatch, "webauthn_credential_mismatch", "assertion is for a different credential than the stored record"},
    {Errc::webauthn_signature, "webauthn_signature", "assertion signature does not verify"},
    {Errc::webauthn_sign_count, "webauthn_sign_count", "signature counter did not increase (possible cloned authenticator)"},
    {Errc::webauthn_appid, "webauthn_appid", "AppID extension output without a configured AppID"},
    {Errc::webauthn_record, "webauthn_record", "stored credential record is malformed"},
    {Errc::webauthn_public_key, "webauthn_public_key", "credential public key is malformed or unsupported"},
    {Errc::webauthn_config, "webauthn_config", "invalid relying-party configuration"},
    {Errc::webauthn_challenge_length, "webauthn_challenge_length", "challenge shorter than 16 bytes"},
    {Errc::webauthn_options, "webauthn_options", "invalid ceremony options"},
    {Errc::webauthn_credential_type, "webauthn_credential_type", "credential type is not public-key"},
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
    {Errc::keyring_exists, "keyring_exists", "key ring file already exists"},
    {Errc::audit_chain_broken, "audit_chain_broken", "audit log chain is broken"},
    {Errc::audit_record_invalid, "audit_record_invalid", "malformed audit record"},
    {Errc::audit_head_mismatch, "audit_head_mismatch", "audit log does not extend the expected head"},
    {Errc::policy_invalid, "policy_invalid", "invalid security policy"},
    {Errc::challenge_invalid, "challenge_invalid", "WebAuthn challenge is unknown, used or expired"},
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

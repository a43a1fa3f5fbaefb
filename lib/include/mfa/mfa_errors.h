/* mfakit: every status code, in one table. The C ABI's MFA_ERR_* constants (mfa_common.h), the C++
 * core's mfa::Errc, the names and sentences of mfa_strerror() / mfa_error_name() and errc_message(),
 * and the rows of docs/errors.md (checked by tests/errors_doc.py) all come from MFA_ERROR_TABLE.
 *
 * X(NAME, name, code, message): the C suffix (MFA_ERR_NAME), the lower-case name (Errc::name), the
 * number, and the sentence mfa_strerror() returns. Codes are never renumbered or reused; a new code
 * takes the next free number of its component's block (docs/errors.md lists the blocks). Positive
 * statuses of FIDO2 calls are CTAP2 status bytes and are not in this table.
 *
 * Plain C preprocessor only, so that C and C++ can both include it. */
#ifndef MFA_ERRORS_H
#define MFA_ERRORS_H

#define MFA_ERROR_TABLE(X) \
    /* general */ \
    X(INVALID_ARGUMENT, invalid_argument, -1, "invalid argument") \
    X(BUFFER_TOO_SMALL, buffer_too_small, -2, "output buffer too small") \
    X(NO_MEMORY, no_memory, -3, "out of memory") \
    X(INTERNAL, internal, -4, "internal error") \
    X(CRYPTO, crypto, -5, "cryptographic library failure") \
    X(LIMIT_EXCEEDED, limit_exceeded, -6, "input exceeds a stated limit") \
    X(UNSUPPORTED, unsupported, -7, "unsupported feature or algorithm") \
    X(NOT_FOUND, not_found, -8, "not found") \
    X(IO, io, -9, "input/output error") \
    X(PARSE, parse, -10, "malformed input") \
    /* encodings */ \
    X(BASE32_INVALID, base32_invalid, -20, "invalid Base32") \
    X(BASE64_INVALID, base64_invalid, -21, "invalid Base64") \
    X(HEX_INVALID, hex_invalid, -22, "invalid hexadecimal") \
    /* OTP */ \
    X(OTP_CODE_FORMAT, otp_code_format, -100, "code has the wrong length or characters") \
    X(OTP_CODE_MISMATCH, otp_code_mismatch, -101, "code does not match") \
    X(OTP_CODE_REPLAYED, otp_code_replayed, -102, "code was already used (replay)") \
    X(OTP_SECRET_TOO_SHORT, otp_secret_too_short, -103, "secret is too short") \
    X(OTP_SECRET_TOO_LONG, otp_secret_too_long, -104, "secret is too long") \
    X(URI_INVALID, uri_invalid, -110, "malformed otpauth URI") \
    X(URI_SCHEME, uri_scheme, -111, "unexpected URI scheme") \
    X(URI_TYPE, uri_type, -112, "unknown OTP type in URI") \
    X(URI_LABEL, uri_label, -113, "invalid URI label") \
    X(URI_SECRET, uri_secret, -114, "missing or invalid secret in URI") \
    X(URI_PARAMETER, uri_parameter, -115, "invalid URI parameter") \
    X(URI_ISSUER_MISMATCH, uri_issuer_mismatch, -116, "issuer parameter and label prefix differ") \
    X(URI_TOO_LONG, uri_too_long, -117, "URI is too long") \
    X(MIGRATION_INVALID, migration_invalid, -120, "malformed otpauth-migration payload") \
    X(MIGRATION_FIELD, migration_field, -121, "unsupported value in otpauth-migration payload") \
    /* WebAuthn attestation */ \
    X(ATT_FORMAT_UNSUPPORTED, att_format_unsupported, -330, "unsupported attestation statement format") \
    X(ATT_STATEMENT_INVALID, att_statement_invalid, -331, "malformed attestation statement") \
    X(ATT_SIGNATURE_INVALID, att_signature_invalid, -332, "attestation signature does not verify") \
    X(ATT_CERTIFICATE_INVALID, att_certificate_invalid, -333, "attestation certificate is malformed, invalid or expired") \
    X(ATT_UNTRUSTED, att_untrusted, -334, "attestation does not chain to a trust anchor") \
    X(ATT_AAGUID_MISMATCH, att_aaguid_mismatch, -335, "attestation certificate AAGUID differs from the authenticator data") \
    X(ATT_ALGORITHM, att_algorithm, -336, "attestation algorithm unsupported or inconsistent with the credential key") \
    X(ATT_PUBLIC_KEY_MISMATCH, att_public_key_mismatch, -337, "attested public key differs from the credential public key") \
    X(ATT_SHA1_REJECTED, att_sha1_rejected, -338, "SHA-1 in the attestation is refused by policy") \
    X(ATT_TPM_STRUCTURE, att_tpm_structure, -340, "malformed TPM pubArea or certInfo") \
    X(ATT_TPM_PUBAREA_MISMATCH, att_tpm_pubarea_mismatch, -341, "TPM pubArea does not match the credential public key") \
    X(ATT_TPM_CERTINFO, att_tpm_certinfo, -342, "TPM certInfo does not attest this key and data") \
    X(ATT_TPM_AIK_CERTIFICATE, att_tpm_aik_certificate, -343, "TPM AIK certificate does not meet the requirements") \
    X(ATT_ANDROID_KEY_DESCRIPTION, att_android_key_description, -345, "Android key description extension missing or malformed") \
    X(ATT_ANDROID_CHALLENGE, att_android_challenge, -346, "Android attestation challenge differs from the client data hash") \
    X(ATT_ANDROID_AUTHORIZATION, att_android_authorization, -347, "Android key authorization list violates the policy") \
    X(ATT_SAFETYNET_JWS, att_safetynet_jws, -350, "malformed SafetyNet JWS response") \
    X(ATT_SAFETYNET_NONCE, att_safetynet_nonce, -351, "SafetyNet nonce does not match") \
    X(ATT_SAFETYNET_CTS_PROFILE, att_safetynet_cts_profile, -352, "SafetyNet ctsProfileMatch is false") \
    X(ATT_SAFETYNET_TIMESTAMP, att_safetynet_timestamp, -353, "SafetyNet timestamp outside the accepted window") \
    X(ATT_SAFETYNET_CERTIFICATE, att_safetynet_certificate, -354, "SafetyNet signing certificate is not for attest.android.com") \
    X(ATT_APPLE_NONCE, att_apple_nonce, -356, "Apple attestation nonce does not match") \
    X(MDS_BLOB_INVALID, mds_blob_invalid, -360, "malformed FIDO MDS3 BLOB") \
    X(MDS_SIGNATURE_INVALID, mds_signature_invalid, -361, "FIDO MDS3 BLOB signature does not verify") \
    X(MDS_UNTRUSTED, mds_untrusted, -362, "FIDO MDS3 BLOB does not chain to the configured root") \
    X(MDS_BLOB_EXPIRED, mds_blob_expired, -363, "FIDO MDS3 BLOB is past its nextUpdate date") \
    X(MDS_AUTHENTICATOR_REVOKED, mds_authenticator_revoked, -364, "FIDO MDS3 reports the authenticator revoked or compromised") \
    /* CBOR, COSE, authenticator data */ \
    X(CBOR_TRUNCATED, cbor_truncated, -200, "CBOR input is truncated") \
    X(CBOR_MALFORMED, cbor_malformed, -201, "malformed CBOR") \
    X(CBOR_NON_CANONICAL, cbor_non_canonical, -202, "CBOR is not in canonical form") \
    X(CBOR_KEY_ORDER, cbor_key_order, -203, "CBOR map keys are not in canonical order") \
    X(CBOR_DUPLICATE_KEY, cbor_duplicate_key, -204, "duplicate CBOR map key") \
    X(CBOR_INDEFINITE, cbor_indefinite, -205, "indefinite-length CBOR is not accepted") \
    X(CBOR_DEPTH, cbor_depth, -206, "CBOR nesting too deep") \
    X(CBOR_LIMIT, cbor_limit, -207, "CBOR input exceeds a decoder limit") \
    X(CBOR_TRAILING, cbor_trailing, -208, "trailing bytes after the CBOR item") \
    X(CBOR_INVALID_UTF8, cbor_invalid_utf8, -209, "CBOR text string is not valid UTF-8") \
    X(CBOR_UNSUPPORTED, cbor_unsupported, -210, "CBOR item type refused by the decoder options") \
    X(CBOR_TYPE, cbor_type, -211, "CBOR value has an unexpected type") \
    X(CBOR_MISSING_KEY, cbor_missing_key, -212, "required CBOR map key is missing") \
    X(CBOR_INT_RANGE, cbor_int_range, -213, "CBOR integer out of range") \
    X(COSE_KEY_INVALID, cose_key_invalid, -220, "invalid COSE key") \
    X(COSE_UNSUPPORTED_ALG, cose_unsupported_alg, -221, "unsupported COSE algorithm") \
    X(COSE_UNSUPPORTED_KEY_TYPE, cose_unsupported_key_type, -222, "unsupported COSE key type") \
    X(COSE_UNSUPPORTED_CURVE, cose_unsupported_curve, -223, "unsupported COSE curve") \
    X(COSE_ALG_MISMATCH, cose_alg_mismatch, -224, "COSE algorithm does not match the key") \
    X(COSE_SIGNATURE_INVALID, cose_signature_invalid, -225, "signature verification failed") \
    X(COSE_SIGNATURE_FORMAT, cose_signature_format, -226, "malformed signature") \
    X(COSE_ALG_DISABLED, cose_alg_disabled, -227, "COSE algorithm disabled by policy") \
    X(COSE_KEY_SIZE, cose_key_size, -228, "COSE key size outside the accepted range") \
    X(AUTHDATA_TRUNCATED, authdata_truncated, -235, "authenticator data is truncated") \
    X(AUTHDATA_FLAGS, authdata_flags, -236, "authenticator data flags disagree with its content") \
    X(AUTHDATA_TRAILING, authdata_trailing, -237, "trailing bytes after authenticator data") \
    X(AUTHDATA_CREDENTIAL_ID, authdata_credential_id, -238, "credential ID too long") \
    X(AUTHDATA_EXTENSIONS, authdata_extensions, -239, "invalid authenticator extensions") \
    X(ATTESTATION_OBJECT_INVALID, attestation_object_invalid, -240, "invalid attestation object") \
    /* WebAuthn relying party (-250 .. -329) */ \
    X(WEBAUTHN_JSON, webauthn_json, -250, "malformed WebAuthn response JSON (a missing, mistyped or duplicate member)") \
    X(WEBAUTHN_CLIENT_DATA, webauthn_client_data, -251, "malformed clientDataJSON") \
    X(WEBAUTHN_TYPE, webauthn_type, -252, "clientDataJSON type is not the one this ceremony expects") \
    X(WEBAUTHN_CHALLENGE, webauthn_challenge, -253, "challenge does not match the one issued") \
    X(WEBAUTHN_ORIGIN, webauthn_origin, -254, "origin is not an allowed origin") \
    X(WEBAUTHN_CROSS_ORIGIN, webauthn_cross_origin, -255, "cross-origin ceremony not allowed") \
    X(WEBAUTHN_TOP_ORIGIN, webauthn_top_origin, -256, "topOrigin is not an allowed top-level origin") \
    X(WEBAUTHN_TOKEN_BINDING, webauthn_token_binding, -257, "invalid or mismatched token binding") \
    X(WEBAUTHN_RP_ID_HASH, webauthn_rp_id_hash, -258, "rpIdHash does not match the RP ID") \
    X(WEBAUTHN_USER_PRESENT, webauthn_user_present, -259, "user presence (UP) flag not set") \
    X(WEBAUTHN_USER_VERIFIED, webauthn_user_verified, -260, "user verification required but UV flag not set") \
    X(WEBAUTHN_BACKUP_STATE, webauthn_backup_state, -261, "invalid backup flags (BS without BE) or refused by the backup policy") \
    X(WEBAUTHN_BACKUP_ELIGIBILITY, webauthn_backup_eligibility, -262, "backup eligibility (BE) differs from the stored credential") \
    X(WEBAUTHN_ALGORITHM, webauthn_algorithm, -263, "credential algorithm not allowed") \
    X(WEBAUTHN_CREDENTIAL_ID, webauthn_credential_id, -264, "credential id invalid (empty, longer than 1023 bytes, or id and rawId differ)") \
    X(WEBAUTHN_CREDENTIAL_REGISTERED, webauthn_credential_registered, -265, "credential id is already registered") \
    X(WEBAUTHN_ATTESTED_CREDENTIAL, webauthn_attested_credential, -266, "registration authenticator data carries no attested credential data") \
    X(WEBAUTHN_ALLOW_LIST, webauthn_allow_list, -267, "credential is not in allowCredentials") \
    X(WEBAUTHN_USER_HANDLE, webauthn_user_handle, -268, "userHandle missing or not the account owner") \
    X(WEBAUTHN_CREDENTIAL_MISMATCH, webauthn_credential_mismatch, -269, "assertion is for a different credential than the stored record") \
    X(WEBAUTHN_SIGNATURE, webauthn_signature, -270, "assertion signature does not verify") \
    X(WEBAUTHN_SIGN_COUNT, webauthn_sign_count, -271, "signature counter did not increase (possible cloned authenticator)") \
    X(WEBAUTHN_APPID, webauthn_appid, -272, "AppID extension output without a configured AppID") \
    X(WEBAUTHN_RECORD, webauthn_record, -273, "stored credential record is malformed") \
    X(WEBAUTHN_PUBLIC_KEY, webauthn_public_key, -274, "credential public key is malformed or unsupported") \
    X(WEBAUTHN_CONFIG, webauthn_config, -275, "invalid relying-party configuration") \
    X(WEBAUTHN_CHALLENGE_LENGTH, webauthn_challenge_length, -276, "challenge shorter than 16 bytes") \
    X(WEBAUTHN_OPTIONS, webauthn_options, -277, "invalid ceremony options") \
    X(WEBAUTHN_CREDENTIAL_TYPE, webauthn_credential_type, -278, "credential type is not public-key") \
    /* server toolkit and stores */ \
    X(STORE_UNAVAILABLE, store_unavailable, -600, "store is unavailable") \
    X(STORE_CORRUPT, store_corrupt, -601, "store holds a malformed record") \
    X(STORE_CONFLICT, store_conflict, -602, "concurrent update did not settle") \
    X(THROTTLED, throttled, -610, "too many failed attempts: retry later") \
    X(ACCOUNT_LOCKED, account_locked, -611, "account is locked after failed attempts") \
    X(FACTOR_NOT_ENROLLED, factor_not_enrolled, -620, "factor is not enrolled") \
    X(FACTOR_ALREADY_ENROLLED, factor_already_enrolled, -621, "factor is already enrolled") \
    X(FACTOR_NOT_ALLOWED, factor_not_allowed, -622, "factor type is not allowed by policy") \
    X(RECOVERY_CODE_INVALID, recovery_code_invalid, -630, "recovery code is not valid") \
    X(PASSWORD_MISMATCH, password_mismatch, -640, "password does not match") \
    X(PASSWORD_POLICY, password_policy, -641, "password does not meet the policy") \
    X(PASSWORD_HASH_FORMAT, password_hash_format, -642, "malformed password hash") \
    X(PASSWORD_EXPIRED, password_expired, -643, "password must be changed") \
    X(TOKEN_FORMAT, token_format, -650, "malformed API token") \
    X(TOKEN_INVALID, token_invalid, -651, "API token is not valid") \
    X(TOKEN_EXPIRED, token_expired, -652, "API token has expired") \
    X(ALLOWLIST_SYNTAX, allowlist_syntax, -660, "malformed allow-list entry") \
    X(IP_NOT_ALLOWED, ip_not_allowed, -661, "source address is not allowed") \
    X(EMAIL_DOMAIN_NOT_ALLOWED, email_domain_not_allowed, -662, "email domain is not allowed") \
    X(KEYRING_INVALID, keyring_invalid, -670, "malformed key ring") \
    X(KEY_UNKNOWN, key_unknown, -671, "encryption key is not in the key ring") \
    X(DECRYPT_FAILED, decrypt_failed, -672, "encrypted field does not authenticate") \
    X(ENCRYPTED_FIELD_FORMAT, encrypted_field_format, -673, "malformed encrypted field") \
    X(KEYRING_EXISTS, keyring_exists, -674, "key ring file already exists") \
    X(AUDIT_CHAIN_BROKEN, audit_chain_broken, -680, "audit log chain is broken") \
    X(AUDIT_RECORD_INVALID, audit_record_invalid, -681, "malformed audit record") \
    X(AUDIT_HEAD_MISMATCH, audit_head_mismatch, -682, "audit log does not extend the expected head") \
    X(POLICY_INVALID, policy_invalid, -690, "invalid security policy") \
    X(CHALLENGE_INVALID, challenge_invalid, -700, "WebAuthn challenge is unknown, used or expired") \
    /* -701..-710: audit trail and accounts; -711..-720: operations (backups, key maintenance, \
     * hardware OTP tokens) */ \
    X(ACCOUNT_DELETED, account_deleted, -701, "account is deleted (restorable until it is purged)") \
    X(TOKEN_LIFETIME, token_lifetime, -702, "API token lifetime exceeds the organization's maximum") \
    X(AUDIT_EVENT_INVALID, audit_event_invalid, -703, "invalid application audit event type") \
    X(PERMISSION_DENIED, permission_denied, -704, "the actor's role in the organization does not allow this") \
    X(LAST_OWNER, last_owner, -705, "the organization's last owner cannot be demoted or removed") \
    X(BACKUP_TARGET_EXISTS, backup_target_exists, -711, "restore target exists (restore with overwrite to replace it)") \
    X(BACKUP_INVALID, backup_invalid, -712, "backup fails verification (integrity or schema)") \
    X(KEYRING_BUSY, keyring_busy, -713, "another key maintenance run holds the key ring lock") \
    X(PSKC_INVALID, pskc_invalid, -714, "malformed PSKC key container") \
    X(PSKC_DECRYPT, pskc_decrypt, -715, "PSKC key container does not decrypt (wrong key or passphrase)") \
    X(PSKC_MAC, pskc_mac, -716, "PSKC MAC does not verify (wrong key or altered data)") \
    X(PSKC_ALGORITHM, pskc_algorithm, -717, "PSKC key uses an unsupported algorithm or parameter") \
    X(HWTOKEN_EXISTS, hwtoken_exists, -718, "a hardware token with this serial number is already stored") \
    X(HWTOKEN_STATE, hwtoken_state, -719, "hardware token is not in a state that allows this") \
    X(HWTOKEN_ORG, hwtoken_org, -720, "hardware token belongs to another organization") \
    /* FIDO2 client and soft token (positive codes are CTAP2 statuses from the authenticator) */ \
    X(FIDO2_IO, fido2_io, -400, "communication with the authenticator failed") \
    X(FIDO2_NO_DEVICE, fido2_no_device, -401, "no such FIDO2 device") \
    X(FIDO2_NOT_FIDO2, fido2_not_fido2, -402, "the device does not support CTAP2") \
    X(FIDO2_UNSUPPORTED, fido2_unsupported, -403, "the authenticator does not support the requested feature") \
    X(FIDO2_PIN_REQUIRED, fido2_pin_required, -404, "a PIN is required") \
    X(FIDO2_BAD_RESPONSE, fido2_bad_response, -405, "malformed answer from the authenticator") \
    X(FIDO2_VERIFY_FAILED, fido2_verify_failed, -406, "the authenticator's signature does not verify") \
    X(FIDO2_LIBRARY, fido2_library, -407, "libfido2 failure") \
    X(SOFTTOKEN_STATE_INVALID, softtoken_state_invalid, -410, "malformed soft token state file") \
    /* vault */ \
    X(VAULT_NOT_A_VAULT, vault_not_a_vault, -500, "not an mfa vault (bad magic)") \
    X(VAULT_VERSION, vault_version, -501, "unsupported vault format version") \
    X(VAULT_CORRUPT, vault_corrupt, -502, "vault file is corrupt") \
    X(VAULT_TRUNCATED, vault_truncated, -503, "vault file is truncated") \
    X(VAULT_WRONG_PASSPHRASE, vault_wrong_passphrase, -504, "wrong passphrase") \
    X(VAULT_TAMPERED, vault_tampered, -505, "vault authentication failed (modified or corrupt)") \
    X(VAULT_LOCKED, vault_locked, -506, "vault is locked by another writer") \
    X(VAULT_READ_ONLY, vault_read_only, -507, "vault was opened read-only") \
    X(VAULT_NO_SLOT, vault_no_slot, -508, "no such key slot") \
    X(VAULT_LAST_SLOT, vault_last_slot, -509, "cannot remove the last key slot") \
    X(VAULT_KDF_PARAMS, vault_kdf_params, -510, "key derivation parameters out of range") \
    X(VAULT_EXISTS, vault_exists, -511, "a vault already exists at this path") \
    X(VAULT_MISSING, vault_missing, -512, "no vault at this path") \
    X(VAULT_PAYLOAD, vault_payload, -513, "decrypted vault contents are malformed") \
    X(VAULT_DUPLICATE, vault_duplicate, -514, "account already in the vault") \
    X(VAULT_KEY_REJECTED, vault_key_rejected, -515, "security key did not unlock the vault") \
    X(VAULT_KEY_PROVIDER, vault_key_provider, -516, "security key unavailable or failed") \
    X(VAULT_BACKUP, vault_backup, -517, "backup not found or invalid") \
    X(VAULT_ENTRY, vault_entry, -518, "invalid account entry") \
    /* end of the table */

#endif /* MFA_ERRORS_H */

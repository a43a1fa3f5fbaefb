// Error codes and the Result type used across the core.
//
// Expected failures (bad input, a rejected code, a failed verification step) are values, never
// exceptions; exceptions are reserved for std::bad_alloc. Every code here has the same number as its
// MFA_ERR_* twin in the C ABI (bindings/c/include/mfa/mfa_common.h, checked by static_asserts in
// bindings/c/errors_check.cpp) and is explained in docs/errors.md. Codes are never renumbered; new
// codes take the next free number in their component's block.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace mfa {

enum class Errc : int {
    ok = 0,

    // General: -1 .. -99
    invalid_argument = -1,   // a parameter is out of range or a required one is missing
    buffer_too_small = -2,   // the caller's buffer is too small; the required size is reported
    no_memory = -3,
    internal = -4,           // a bug or an unexpected failure in a dependency (OpenSSL ...)
    crypto = -5,             // the crypto library failed (CSPRNG, HMAC)
    limit_exceeded = -6,     // input longer / deeper / larger than the stated limit
    unsupported = -7,        // well-formed but not supported (an algorithm, a version)
    not_found = -8,
    io = -9,                 // a file or socket operation failed
    parse = -10,             // malformed input (the detail message names the field and position)

    // Encodings: -20 .. -29
    base32_invalid = -20,    // a character outside the Base32 alphabet, or bad padding
    base64_invalid = -21,
    hex_invalid = -22,

    // OTP: -100 .. -199
    otp_code_format = -100,  // submitted code has the wrong length or a character outside its alphabet
    otp_code_mismatch = -101,// no candidate in the window matched
    otp_code_replayed = -102,// the code matched a step at or before the last accepted one
    otp_secret_too_short = -103,
    otp_secret_too_long = -104,
    uri_invalid = -110,      // not a well-formed otpauth:// URI
    uri_scheme = -111,       // not otpauth:// (or otpauth-migration:// where that was expected)
    uri_type = -112,         // type other than totp / hotp / steam
    uri_label = -113,        // bad label (empty account, a colon inside issuer or account ...)
    uri_secret = -114,       // missing or bad secret parameter
    uri_parameter = -115,    // a parameter with a bad value (algorithm, digits, period, counter)
    uri_issuer_mismatch = -116, // issuer parameter and label prefix disagree (under the strict policy)
    uri_too_long = -117,
    migration_invalid = -120,   // the otpauth-migration payload is not valid protobuf / base64
    migration_field = -121,     // a payload field has a value we cannot represent

    // WebAuthn attestation: -330 .. -399 (docs/webauthn-attestation.md)
    att_format_unsupported = -330,
    att_statement_invalid = -331,
    att_signature_invalid = -332,
    att_certificate_invalid = -333,
    att_untrusted = -334,
    att_aaguid_mismatch = -335,
    att_algorithm = -336,
    att_public_key_mismatch = -337,
    att_sha1_rejected = -338,
    att_tpm_structure = -340,
    att_tpm_pubarea_mismatch = -341,
    att_tpm_certinfo = -342,
    att_tpm_aik_certificate = -343,
    att_android_key_description = -345,
    att_android_challenge = -346,
    att_android_authorization = -347,
    att_safetynet_jws = -350,
    att_safetynet_nonce = -351,
    att_safetynet_cts_profile = -352,
    att_safetynet_timestamp = -353,
    att_safetynet_certificate = -354,
    att_apple_nonce = -356,
    mds_blob_invalid = -360,
    mds_signature_invalid = -361,
    mds_untrusted = -362,
    mds_blob_expired = -363,
    mds_authenticator_revoked = -364,

    // CBOR, COSE and authenticator data: -200 .. -249 (docs/cbor-cose.md)
    cbor_truncated = -200,        // the CBOR input ends inside an item
    cbor_malformed = -201,        // not well-formed CBOR (reserved additional information, a stray break byte, a bad simple value)
    cbor_non_canonical = -202,    // an integer, length or float not in its shortest form (CTAP2 canonical form)
    cbor_key_order = -203,        // map keys not in CTAP2 canonical order (major type, then shorter encoding, then bytewise)
    cbor_duplicate_key = -204,    // a map holds the same key twice
    cbor_indefinite = -205,       // an indefinite-length string, array or map
    cbor_depth = -206,            // nesting deeper than the decoder's max_depth
    cbor_limit = -207,            // input size, string length or item count above the decoder's limits
    cbor_trailing = -208,         // bytes left after the one item that was expected
    cbor_invalid_utf8 = -209,     // a text string that is not valid UTF-8
    cbor_unsupported = -210,      // a tag, float or simple value that the decode options refuse
    cbor_type = -211,             // a value of another type than the one asked for (the detail names the key)
    cbor_missing_key = -212,      // a required map key is absent (the detail names it)
    cbor_int_range = -213,        // an integer outside the range of the type asked for
    cose_key_invalid = -220,      // a COSE_Key with a missing, mistyped, extra or wrongly sized parameter, or a point not on its curve
    cose_unsupported_alg = -221,  // a COSE algorithm this library does not implement
    cose_unsupported_key_type = -222, // a COSE key type (kty) other than OKP, EC2 or RSA
    cose_unsupported_curve = -223, // a curve other than P-256, P-384, P-521 or Ed25519
    cose_alg_mismatch = -224,     // the algorithm does not fit the key (ES256 with a P-384 key, EdDSA with an RSA key ...)
    cose_signature_invalid = -225, // the signature does not verify
    cose_signature_format = -226, // a signature that is not a DER ECDSA signature / not r||s of the right length / not the key's size
    cose_alg_disabled = -227,     // an algorithm the policy disables (RS1 unless allow_rs1)
    cose_key_size = -228,         // an RSA modulus outside 2048..8192 bits, or a bad public exponent
    authdata_truncated = -235,    // authenticator data ends inside a field (the detail names it)
    authdata_flags = -236,        // the AT or ED flag disagrees with what follows the sign count
    authdata_trailing = -237,     // bytes after the last part the flags announce
    authdata_credential_id = -238, // a credential ID longer than 1023 bytes
    authdata_extensions = -239,   // the extensions part is not a CBOR map with text keys
    attestation_object_invalid = -240, // the attestation object is not a map of exactly fmt (text), attStmt (map), authData (bytes)
    // WebAuthn relying party: -250 .. -329 (attestation: -330 .. -399)
    webauthn_json = -250,
    webauthn_client_data = -251,
    webauthn_type = -252,
    webauthn_challenge = -253,
    webauthn_origin = -254,
    webauthn_cross_origin = -255,
    webauthn_top_origin = -256,
    webauthn_token_binding = -257,
    webauthn_rp_id_hash = -258,
    webauthn_user_present = -259,
    webauthn_user_verified = -260,
    webauthn_backup_state = -261,
    webauthn_backup_eligibility = -262,
    webauthn_algorithm = -263,
    webauthn_credential_id = -264,
    webauthn_credential_registered = -265,
    webauthn_attested_credential = -266,
    webauthn_allow_list = -267,
    webauthn_user_handle = -268,
    webauthn_credential_mismatch = -269,
    webauthn_signature = -270,
    webauthn_sign_count = -271,
    webauthn_appid = -272,
    webauthn_record = -273,
    webauthn_public_key = -274,
    webauthn_config = -275,
    webauthn_challenge_length = -276,
    webauthn_options = -277,
    webauthn_credential_type = -278,
    // Server toolkit and stores: -600 .. -799
    store_unavailable = -600,
    store_corrupt = -601,
    store_conflict = -602,
    throttled = -610,
    account_locked = -611,
    factor_not_enrolled = -620,
    factor_already_enrolled = -621,
    factor_not_allowed = -622,
    recovery_code_invalid = -630,
    password_mismatch = -640,
    password_policy = -641,
    password_hash_format = -642,
    password_expired = -643,
    token_format = -650,
    token_invalid = -651,
    token_expired = -652,
    allowlist_syntax = -660,
    ip_not_allowed = -661,
    email_domain_not_allowed = -662,
    keyring_invalid = -670,
    key_unknown = -671,
    decrypt_failed = -672,
    encrypted_field_format = -673,
    keyring_exists = -674,   // a new key ring would replace an existing file (and every secret it decrypts)
    audit_chain_broken = -680,
    audit_record_invalid = -681,
    audit_head_mismatch = -682,
    policy_invalid = -690,
    challenge_invalid = -700,

    // FIDO2 client and soft token: -400 .. -499 (docs/fido2.md). Positive values are CTAP2 status
    // bytes from an authenticator, passed through unchanged (see ctap_status_name()).
    fido2_io = -400,              // talking to the authenticator failed (write, read, no or garbled reply, timeout)
    fido2_no_device = -401,       // no device at that path, or no provider for its scheme
    fido2_not_fido2 = -402,       // the device does not speak CTAP2
    fido2_unsupported = -403,     // the authenticator lacks the option, extension or algorithm asked for
    fido2_pin_required = -404,    // the operation needs a PIN and none was given
    fido2_bad_response = -405,    // the authenticator's answer is malformed or inconsistent
    fido2_verify_failed = -406,   // an attestation or assertion signature made by the device does not verify
    fido2_library = -407,         // libfido2 failed in a way not covered above (the detail names its error)
    softtoken_state_invalid = -410, // the soft token state file is malformed (the detail names the field)
    // Vault: -500 .. -599
    vault_not_a_vault = -500,
    vault_version = -501,
    vault_corrupt = -502,
    vault_truncated = -503,
    vault_wrong_passphrase = -504,
    vault_tampered = -505,
    vault_locked = -506,
    vault_read_only = -507,
    vault_no_slot = -508,
    vault_last_slot = -509,
    vault_kdf_params = -510,
    vault_exists = -511,
    vault_missing = -512,
    vault_payload = -513,
    vault_duplicate = -514,
    vault_key_rejected = -515,
    vault_key_provider = -516,
    vault_backup = -517,
    vault_entry = -518,
};

// "PIN_INVALID" ... for a CTAP2 status byte (1..255); "unknown" otherwise.
std::string_view ctap_status_name(int status) noexcept;

// A stable, lower-case name for each code ("otp_code_replayed"); "unknown" for anything else.
std::string_view errc_name(Errc) noexcept;
// One sentence describing the code, for mfa_strerror and CLI output.
std::string_view errc_message(Errc) noexcept;

// A failure with a detail that names what was wrong (field, line, position).
struct Error {
    Errc code = Errc::internal;
    std::string detail;

    Error() = default;
    Error(Errc c, std::string d = {}) : code(c), detail(std::move(d)) {}
    // "<message>: <detail>" or just the message.
    [[nodiscard]] std::string to_string() const;
};

// Result<T>: a value or an Error. Result<void> is a status.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}
    Result(Errc c, std::string detail = {}) : v_(std::in_place_index<1>, Error{c, std::move(detail)}) {}

    [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }
    Errc code() const noexcept { return ok() ? Errc::ok : std::get<1>(v_).code; }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error e) : err_(std::move(e)), failed_(true) {}
    Result(Errc c, std::string detail = {}) : err_(c, std::move(detail)), failed_(c != Errc::ok) {}

    [[nodiscard]] bool ok() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return ok(); }
    const Error& error() const& { return err_; }
    Error&& error() && { return std::move(err_); }
    Errc code() const noexcept { return failed_ ? err_.code : Errc::ok; }

private:
    Error err_{Errc::ok};
    bool failed_ = false;
};

using Status = Result<void>;

}  // namespace mfa

// Propagate a failed Result/Status from the enclosing function.
#define MFA_TRY(expr)                                       \
    do {                                                    \
        auto&& mfa_try_r_ = (expr);                         \
        if (!mfa_try_r_.ok()) return std::move(mfa_try_r_).error(); \
    } while (0)

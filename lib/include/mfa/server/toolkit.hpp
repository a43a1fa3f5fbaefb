// The server toolkit: second factors, recovery codes, password checks, API tokens, lock-out and
// policies for a web service, over a Store (memory, SQLite, Redis) and a KeyRing. docs/server.md is
// the integration guide and threat model.
//
// Every verification goes: throttle check → constant-time check → atomic replay guard / single use
// → audit event, with the throttle, the guard and the counter reset applied by one Store::attempt
// (one EVALSHA on Redis). Unknown users cost the same work as known ones (a dummy secret is checked
// and the throttle counted) and fail the same way.
//
// Throttling is per account, in the store (shared by every process, durable across sessions), with
// two counters: "password" and "second factor" (TOTP, recovery codes, security keys). A success resets
// only its own counter, so a correct password never resets the second-factor count.
//
// Store keys (all under "mfa:"; the user name is escaped so that ':' cannot forge another key, and
// '{' '}' are escaped so that "{<user>}" is the Redis Cluster hash tag: every key of one user is in
// one slot, and each attempt() touches one slot):
//   mfa:totp:{<user>}          the TOTP factor (JSON; the secret encrypted under the key ring)
//   mfa:totp-pending:{<user>}  an enrollment awaiting its first code (expires)
//   mfa:totp-last:{<user>}     the last accepted time step (the replay guard)
//   mfa:thr:pwd:{<user>}, mfa:thr:2fa:{<user>}   throttle state
//   mfa:rc:{<user>}:set, mfa:rc:{<user>}:<set>:<hash>   recovery codes (SHA-256 only)
//   mfa:tok:<id>, mfa:tokidx:{<user>}:<id>             API tokens (SHA-256 only)
//   mfa:wa:{<user>}:<sha256(id)>  a security key (JSON: name, last use, the WebAuthn credential record)
//   mfa:wa-id:<sha256(id)>     the account owning a credential id (uniqueness across accounts)
//   mfa:wa-uh:{<user>}         the user's WebAuthn user handle (random, 32 bytes, base64url)
//   mfa:wa-uhx:<handle>        the reverse: the user name owning a user handle (base64url), for
//                              usernameless login; written before the handle itself
//   mfa:wa-chal:{<user>}:<challenge>   a pending WebAuthn ceremony (single use, expires)
//   mfa:wa-dchal:<challenge>   a pending usernameless login, bound to no user (single use, expires)
//   mfa:thr:2fa-uh:<handle>    throttle state of a user handle that names no account (usernameless
//                              login fails for it exactly as for an account)
//   mfa:policy:<org>           organization policy (JSON)
//   mfa:member:…, mfa:orgmember:…, mfa:deleted:…, mfa:deleted-idx:…, mfa:pwd:…   account.hpp
//   mfa:audit:{:audit}:…       the audit chain (audit.hpp), one slot of its own
// The keys without a user tag are each read or written alone (never in one script with another).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/otp.hpp"
#include "mfa/qr.hpp"
#include "mfa/server/account.hpp"
#include "mfa/server/audit.hpp"
#include "mfa/server/keyring.hpp"
#include "mfa/server/password.hpp"
#include "mfa/server/policy.hpp"
#include "mfa/store.hpp"
#include "mfa/webauthn/config.hpp"
#include "mfa/webauthn/record.hpp"

namespace mfa::server {

struct ToolkitConfig {
    std::string issuer = "mfakit";          // shown in authenticator apps
    store::ThrottleRule throttle;           // for every factor and for passwords
    Window window{1, 1};                    // TOTP: one step each side (RFC 6238 §5.2)
    unsigned digits = 6;
    HashAlg algorithm = HashAlg::sha1;      // what Google Authenticator and most apps support
    std::uint32_t period = 30;
    std::int64_t enrollment_ttl = 600;      // seconds a pending enrollment waits for its first code
    unsigned recovery_codes = 10;           // 1..kMaxRecoveryCodes
    std::string token_prefix = "mfa";
    std::size_t cache_capacity = 10000;     // decrypted TOTP factors kept per process
    std::function<std::int64_t()> clock;    // Unix time; the system clock when empty (tests set it)
    // The security-key factor: the relying party (RP ID, origins, UV and counter policy). When
    // unset the webauthn_* calls fail with invalid_argument.
    std::optional<webauthn::RpConfig> webauthn;
    std::int64_t webauthn_challenge_ttl = 300;  // seconds a ceremony's challenge is valid (30..3600)
    // Usernameless (discoverable-credential) login stands in for the password: it is a first
    // factor, so by default the authenticator must verify the user (PIN or biometric), which makes
    // the passkey two factors by itself (amr "pin" "mfa"). The RP's user_verification applies to
    // the other ceremonies.
    webauthn::UserVerification webauthn_discoverable_user_verification = webauthn::UserVerification::required;
};
// WebAuthn L3 §5.4.6 ResidentKeyRequirement: whether registration asks for a discoverable
// credential (a passkey that can log in without a user name).
enum class ResidentKey : std::uint8_t { discouraged, preferred, required };
inline constexpr std::size_t kMaxSecurityKeys = 32;   // per user
inline constexpr std::size_t kMaxSecurityKeyName = 128;
inline constexpr unsigned kMaxRecoveryCodes = 100;
inline constexpr std::size_t kMaxUserName = 256;

// Who acts and from where: recorded in audit events.
struct RequestContext {
    std::string actor;       // "" = the subject itself
    std::string source_ip;
    std::string org = {};    // the organization the request is made in ("" = none): tags audit events
};

// The outcome of any verification. status: ok, otp_code_format, otp_code_mismatch (also for unknown
// users and factors that are not enrolled), otp_code_replayed, recovery_code_invalid,
// password_mismatch, throttled, account_locked.
struct VerifyResult {
    Errc status = Errc::otp_code_mismatch;
    std::vector<std::string> amr;   // RFC 8176 values for an OpenID Connect provider (on success)
    std::int64_t retry_after = 0;   // throttled / a timed lock: seconds
    std::uint32_t failures = 0;     // consecutive failures of this counter after the attempt
    bool newly_locked = false;      // this attempt locked the account
    bool needs_rehash = false;      // password: store a new hash (hash_password) now
    // A WebAuthn login on success: the account it verified. For webauthn_login_finish_discoverable
    // this is the user the passkey resolved to -- the one to log in. Empty on failure.
    std::string user;
    bool ok() const noexcept { return status == Errc::ok; }
};

struct TotpEnrollment {
    SecretString secret_base32;     // for manual entry
    SecretString uri;               // otpauth://totp/...
    SecretString qr_svg;
    SecretString qr_png_data_uri;
    std::int64_t expires_at = 0;
};

struct TokenInfo {
    std::string id;
    std::string user;
    std::string name;
    std::vector<std::string> scopes;
    std::int64_t created = 0;
    std::int64_t expires = 0;       // 0 = never
    std::int64_t last_used = 0;     // 0 = never
    std::string last_ip;            // source address of the last successful verification
};
struct CreatedToken {
    SecretString token;             // shown once
    TokenInfo info;
};

// A WebAuthn ceremony started by the server: the options JSON for
// PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON. The challenge is
// kept in the store (single use, until expires_at); the browser's response carries it back.
struct WebAuthnCeremony {
    std::string options_json;
    std::int64_t expires_at = 0;
};

// A registered security key or passkey as listed to the user and operators.
struct SecurityKeyInfo {
    std::string id;                    // credential id, base64url (what webauthn_remove takes)
    std::string name;
    std::string aaguid;
    int alg = 0;                       // COSE algorithm
    std::uint32_t sign_count = 0;
    std::vector<std::string> transports;
    bool backup_eligible = false;      // a synced passkey (amr "swk") rather than a device-bound key ("hwk")
    bool backup_state = false;
    bool uv_initialized = false;
    // Created as a discoverable credential (credProps.rk as the client reported it at registration);
    // nullopt when the client did not say.
    std::optional<bool> discoverable;
    std::string attestation_fmt;
    std::string attestation_type;
    bool attestation_trusted = false;
    std::int64_t created = 0;
    std::int64_t last_used = 0;        // 0 = never
};

// --- Hardware OTP tokens (docs/server.md "Hardware OTP tokens") ----------------------------------
// A token imported from its vendor's PSKC file (pskc.hpp), kept by serial number until it is
// assigned to a user; the user's OTP factor (mfa:totp:{user}) then verifies with the token's own
// type, algorithm, digits, period or counter.
struct PskcDecryption;  // pskc.hpp
enum class HwTokenState : std::uint8_t { unassigned, assigned, retired };
std::string_view to_string(HwTokenState) noexcept;
struct HwTokenInfo {
    std::string serial;
    OtpType type = OtpType::hotp;   // hotp or totp
    HashAlg algorithm = HashAlg::sha1;
    unsigned digits = 6;
    std::uint32_t period = 30;      // totp
    std::int64_t t0 = 0;            // totp
    std::uint64_t counter = 0;      // hotp: the next counter the token will show (as last known)
    HwTokenState state = HwTokenState::unassigned;
    std::string user;               // when assigned
    std::string manufacturer, model, issuer;
    std::int64_t imported = 0;
    std::int64_t changed = 0;       // last assignment, unassignment or retirement
    std::string org;                // the organization it was imported into ("" = imported before
                                    // tokens had one: an operator's until hwtoken_adopt)
};
inline constexpr unsigned kHotpLookAhead = 10;        // codes a token may have been pressed ahead
inline constexpr unsigned kHotpResyncLookAhead = 1000;  // resync with two codes (RFC 4226 §7.4)
inline constexpr std::size_t kMaxHwTokenSerial = 128;

// Which factors a user has, as a security page shows them (and login_decision counts them).
struct FactorState {
    bool totp = false;              // an active OTP factor (an authenticator app or a hardware token)
    std::int64_t totp_since = 0;    // when it was activated (or the token assigned)
    std::string hwtoken;            // the hardware token's serial when the OTP factor is one
    OtpType otp_type = OtpType::totp;
    std::size_t security_keys = 0;  // WebAuthn credentials, passkeys included
    std::size_t passkeys = 0;       // of which discoverable (usernameless login)
    std::size_t recovery_codes_left = 0;
    bool totp_pending = false;      // an enrollment awaits its first code
    std::vector<FactorType> enrolled;  // what counts as enrolled for a policy (totp, webauthn)
};

struct LockStatus {
    store::ThrottleState password;
    store::ThrottleState second_factor;
    bool locked = false;
    std::int64_t retry_after = 0;   // of the longer of the two waits
};

class Toolkit {
public:
    // Errors: invalid_argument (a config value out of range), keyring_invalid (an empty ring).
    static Result<std::unique_ptr<Toolkit>> create(std::shared_ptr<store::Store> store, KeyRing keys,
                                                   ToolkitConfig config = {});
    ~Toolkit();

    const ToolkitConfig& config() const noexcept { return cfg_; }
    store::Store& store() noexcept { return *store_; }
    AuditLog& audit() noexcept { return audit_; }
    std::int64_t now() const;

    // --- TOTP -------------------------------------------------------------------------------------
    // A fresh 160-bit secret, its URI and QR codes; active only after totp_confirm. Errors:
    // factor_already_enrolled, invalid_argument (a bad user name).
    Result<TotpEnrollment> totp_begin(std::string_view user, std::string_view account_name, const RequestContext& ctx);
    // Proves the first code: activates the factor, and that code's step counts as used (it cannot
    // log in again). Errors: factor_not_enrolled (no pending enrollment, or it expired).
    Result<VerifyResult> totp_confirm(std::string_view user, std::string_view code, const RequestContext& ctx);
    Result<VerifyResult> totp_verify(std::string_view user, std::string_view code, const RequestContext& ctx);
    Result<bool> totp_enrolled(std::string_view user);
    // Activates a TOTP factor with a secret the user already has in their app (migration from
    // another verifier, e.g. google-authenticator-libpam, or an enrollment proven elsewhere):
    // secret, algorithm, digits and period as they are; the replay guard starts empty. Errors:
    // factor_already_enrolled (an active factor: never replaced), invalid_argument (params out of
    // range, an empty or too long secret, a bad user name).
    Status totp_import(std::string_view user, ByteView secret, const OtpParams& params, std::string_view label,
                       const RequestContext& ctx);
    // The same for an HOTP (counter) secret the user's app already holds (google-authenticator's
    // HOTP_COUNTER files): it becomes the user's code factor, verified by totp_verify from
    // params.counter (the next code the app shows) up to look_ahead codes further; each accepted
    // code moves the counter past it. Errors: as totp_import, and invalid_argument (not HOTP
    // params, look_ahead above kMaxLookAhead, a counter above 2^63).
    Status hotp_import(std::string_view user, ByteView secret, const OtpParams& params, unsigned look_ahead,
                       std::string_view label, const RequestContext& ctx);
    Status totp_remove(std::string_view user, const RequestContext& ctx);

    // --- Security keys and passkeys (WebAuthn) -----------------------------------------------------
    // Registration options for one more key (excluding the user's existing ones), asking for the
    // credProps extension. resident_key sets authenticatorSelection.residentKey (and
    // requireResidentKey for `required`); a passkey-first site asks for `required`. Errors:
    // invalid_argument (no RP configured, a bad user name), factor_already_enrolled (kMaxSecurityKeys).
    Result<WebAuthnCeremony> webauthn_register_begin(std::string_view user, std::string_view display_name,
                                                     const RequestContext& ctx);  // ResidentKey::preferred
    Result<WebAuthnCeremony> webauthn_register_begin(std::string_view user, std::string_view display_name,
                                                     ResidentKey resident_key, const RequestContext& ctx);
    // Verifies the browser's registration response against the pending challenge it names (consumed
    // here, whatever the outcome) and stores the key. Errors: webauthn_challenge (no such pending
    // registration for this user: used, expired, or another user's), the relying party's
    // webauthn_* / att_* codes, webauthn_credential_registered (the id is known on any account),
    // invalid_argument (name over kMaxSecurityKeyName bytes).
    Result<SecurityKeyInfo> webauthn_register_finish(std::string_view user, std::string_view response_json,
                                                     std::string_view name, const RequestContext& ctx);
    // Stores a key registered outside a ceremony of this toolkit (a PAM enrollment file, a pam-u2f
    // mapping): the credential record as it is, trusted as the caller's registration. Errors:
    // invalid_argument (no id or public key, a long name), webauthn_credential_registered,
    // factor_already_enrolled (kMaxSecurityKeys).
    Result<SecurityKeyInfo> webauthn_import(std::string_view user, webauthn::CredentialRecord credential,
                                            std::string_view name, const RequestContext& ctx);
    // Request options listing the user's keys. Errors: factor_not_enrolled (no key).
    Result<WebAuthnCeremony> webauthn_login_begin(std::string_view user, const RequestContext& ctx);
    // Throttled like TOTP (the second-factor counter). status: ok, throttled, account_locked, or the
    // failed step: webauthn_challenge (unknown, used, expired, another user's), webauthn_credential_id
    // (not one of the user's keys), webauthn_sign_count (a counter that did not increase: a
    // cloned key or a replay), webauthn_json / webauthn_signature / ... from the relying party.
    // On success the stored sign count is updated by compare-and-set; amr is
    // amr_for_security_key(backup_eligible, user_verified).
    Result<VerifyResult> webauthn_login_finish(std::string_view user, std::string_view response_json,
                                               const RequestContext& ctx);
    // Usernameless login (passkeys): request options bound to no user, with an empty
    // allowCredentials (the authenticator offers its discoverable credentials for the RP) and
    // userVerification = ToolkitConfig::webauthn_discoverable_user_verification. Errors:
    // invalid_argument (no RP configured).
    Result<WebAuthnCeremony> webauthn_login_begin_discoverable(const RequestContext& ctx);
    // Finishes it: the challenge is taken first (single use), then response.userHandle names the
    // account (WebAuthn L3 §7.2 step 6) and the credential must be that account's, with that user
    // handle; then the same verification, throttling (the account's second-factor counter),
    // sign-count compare-and-set and amr as webauthn_login_finish. On success `user` names the
    // account. status: ok, throttled, account_locked, or the failed step: webauthn_json,
    // webauthn_challenge (unknown, used, expired, or issued for a user-bound login),
    // webauthn_user_handle (the response has no userHandle), webauthn_credential_id (the user
    // handle names no account, or the credential is not that account's: the same status, count
    // and audit event either way), webauthn_sign_count, webauthn_signature ... Failures before a
    // user handle is read (malformed JSON, challenge, no userHandle) name no account: they are
    // neither counted nor audited.
    Result<VerifyResult> webauthn_login_finish_discoverable(std::string_view response_json, const RequestContext& ctx);
    Result<std::vector<SecurityKeyInfo>> webauthn_list(std::string_view user);
    // id: base64url credential id. Errors: factor_not_enrolled (no such key for this user).
    Status webauthn_remove(std::string_view user, std::string_view id, const RequestContext& ctx);

    // --- Recovery codes ---------------------------------------------------------------------------
    // N new codes (shown once; 80 bits each, "xxxx-xxxx-xxxx-xxxx"), replacing any earlier set.
    Result<std::vector<SecretString>> recovery_generate(std::string_view user, const RequestContext& ctx);
    Result<VerifyResult> recovery_use(std::string_view user, std::string_view code, const RequestContext& ctx);
    // Adds codes the user already holds to their current set (a new set when there is none):
    // google-authenticator-libpam's 8-digit scratch codes. Each is stored as SHA-256 and used once
    // like a generated code. Errors: invalid_argument (a code that is not 8 decimal digits, more
    // than kMaxRecoveryCodes).
    Status recovery_import(std::string_view user, const std::vector<SecretString>& codes, const RequestContext& ctx);
    Result<std::size_t> recovery_remaining(std::string_view user);

    // --- Passwords --------------------------------------------------------------------------------
    // Throttled verification against the caller's stored PHC hash (the toolkit does not store
    // passwords). Pass an empty `phc` for an unknown user: a dummy hash is verified so the time is
    // the same.
    Result<VerifyResult> password_verify(std::string_view user, std::string_view password, std::string_view phc,
                                         const RequestContext& ctx);

    // --- API tokens -------------------------------------------------------------------------------
    // expires: Unix time or 0. Scopes: 1..64 bytes of [A-Za-z0-9:._-], at most 64.
    Result<CreatedToken> token_create(std::string_view user, std::string_view name, std::vector<std::string> scopes,
                                      std::int64_t expires, const RequestContext& ctx);
    // Errors: token_format, token_invalid, token_expired.
    Result<TokenInfo> token_verify(std::string_view token, const RequestContext& ctx);
    Result<std::vector<TokenInfo>> token_list(std::string_view user);
    Status token_revoke(std::string_view user, std::string_view id, const RequestContext& ctx);

    // --- Lock-out ---------------------------------------------------------------------------------
    Result<LockStatus> lock_status(std::string_view user);
    Status unlock(std::string_view user, const RequestContext& ctx);

    // The user's factors (no secret). Errors: invalid_argument (a bad user name), store errors.
    Result<FactorState> factor_state(std::string_view user);

    // --- Policy -----------------------------------------------------------------------------------
    Status set_policy(std::string_view org, const OrgPolicy& policy, const RequestContext& ctx);
    // The stored policy, or a default (optional) one.
    Result<OrgPolicy> policy(std::string_view org);
    // decide() with the user's enrolled factors and lock state read from the store.
    Result<PolicyDecision> login_decision(std::string_view org, std::string_view user, UserSecurityState state);

    // --- Key rotation -----------------------------------------------------------------------------
    // Re-encrypts every TOTP secret not under the current key, walking the store page by page
    // (`page_size` keys per store scan); returns how many were moved.
    Result<std::size_t> rewrap(std::size_t page_size = store::kKeyPageSize);

    // --- Administration: audit trail, organizations, accounts, API keys, password renewal -----------
    // (admin_*.cpp; docs/server.md "Organizations and accounts")
    // An application event in the same hash chain: type per validate_app_event_type ("app.…"), actor
    // (who did it, required), subject ("" = none), org ("" = the subject's and actor's
    // organizations only). Returns the sequence number. Errors: audit_event_invalid, invalid_argument.
    Result<std::uint64_t> audit_append(std::string_view actor, std::string_view subject, std::string_view type,
                                       std::string_view detail, std::string_view source_ip, std::string_view org);
    Result<AuditPage> audit_query(const AuditQuery& q) { return audit_.query(q); }

    // Puts the user in org with a role (moving them out of another one); audited
    // "membership.changed" in both organizations. An organization keeps an owner: demoting its
    // last owner, or moving them to another organization, is refused with last_owner (audited
    // "permission.denied" in the organization). Errors: invalid_argument, last_owner.
    Status set_membership(std::string_view user, std::string_view org, Role role, const RequestContext& ctx);
    Result<std::optional<Membership>> membership(std::string_view user);
    // Errors: not_found (the user is in no organization), last_owner (the user is its last owner;
    // audited as set_membership's).
    Status remove_membership(std::string_view user, const RequestContext& ctx);
    // The organization's members, sorted by user name.
    Result<std::vector<Membership>> org_members(std::string_view org);
    // May `actor` do `p` in `org` (the role table of account.hpp)? With `target` non-empty the
    // action is on that member: the target must be a member of org, and an admin may not act on an
    // owner. A refusal is audited "permission.denied" in org. Errors: permission_denied (the detail
    // says why: not a member of org, the role, the target), account_deleted (the actor's account),
    // invalid_argument (a bad name).
    Status authorize(std::string_view actor, std::string_view org, Permission p, std::string_view target,
                     const RequestContext& ctx);

    // Deletes the account: from now on every verification, enrollment and API token of the user
    // fails with account_deleted (a password is checked first, so only its owner learns it), pending
    // enrollments are dropped, and the data stays until now + retention (0 = 30 days), when purge()
    // removes it. Errors: account_deleted (already), invalid_argument (retention above 10 years).
    Status delete_account(std::string_view user, std::int64_t retention, const RequestContext& ctx);
    // Errors: not_found (the account is not deleted, or already purged).
    Status restore_account(std::string_view user, const RequestContext& ctx);
    Result<AccountStatus> account_status(std::string_view user);
    // Removes from the store every account whose retention ended by `now` (0 = the clock): its
    // factors, tokens, throttle, membership and password state; the audit trail keeps its events.
    Result<std::vector<PurgedAccount>> purge(std::int64_t now = 0, const RequestContext& ctx = {});

    // Every API token of the organization's members (TokenInfo::user names the owner).
    Result<std::vector<TokenInfo>> org_tokens(std::string_view org);
    // Revokes a token by id alone (an operator); with org non-empty, only a token whose owner is a
    // member of org (an org admin). Errors: token_invalid (no such token, or not the org's).
    Status revoke_token(std::string_view id, std::string_view org, const RequestContext& ctx);

    // The organization's password policy: PasswordPolicy defaults with its character-class rule and
    // maximum age.
    Result<PasswordPolicy> password_policy(std::string_view org);
    // check_password against password_policy(org). Errors: password_policy (the detail says why).
    Status password_check(std::string_view org, std::string_view password, std::string_view user);
    // Records that the user's password was just set (clears a forced change); audited "password.changed".
    Status password_changed(std::string_view user, const RequestContext& ctx);
    // Forces a change at the next login: `reset` (an administrator set a temporary password) or
    // `compromised`; audited "password.reset" / "password.compromised". Errors: invalid_argument (none / max_age).
    Status password_require_change(std::string_view user, PasswordChange why, const RequestContext& ctx);
    Result<PasswordState> password_state(std::string_view user);
    // --- Hardware OTP tokens (ops: docs/server.md "Hardware OTP tokens") ---------------------------
    // Every organization has its own inventory. In the calls below, `org` names the organization
    // whose tokens the call sees: a token of another organization (or of none) is not_found to it;
    // "" is an operator's view of every token.
    // Imports every key of a PSKC file as an unassigned token of org (required): all or nothing
    // (hwtoken_exists when a serial is already stored, in any organization, or given twice; the
    // pskc_* errors of parse_pskc). Audited in org.
    Result<std::vector<HwTokenInfo>> hwtoken_import(std::string_view org, std::string_view pskc_xml,
                                                    const PskcDecryption& keys, const RequestContext& ctx);
    // The organization's tokens (up to store::kMaxListKeys), by serial.
    Result<std::vector<HwTokenInfo>> hwtoken_list(std::string_view org);
    Result<HwTokenInfo> hwtoken_get(std::string_view org, std::string_view serial);
    // Makes the token the user's OTP factor. Errors: not_found, hwtoken_org (the user is not a
    // member of the token's organization), hwtoken_state (not unassigned, or the user has a TOTP
    // factor already: remove it first).
    Status hwtoken_assign(std::string_view org, std::string_view serial, std::string_view user, const RequestContext& ctx);
    // Removes the factor from its user (the HOTP counter it reached is kept for a later user).
    // Errors: not_found, hwtoken_state (not assigned).
    Status hwtoken_unassign(std::string_view org, std::string_view serial, const RequestContext& ctx);
    // Out of service for good: unassigned first if needed, its seed destroyed, the record kept.
    Status hwtoken_retire(std::string_view org, std::string_view serial, const RequestContext& ctx);
    // Gives a token without an organization (imported before tokens had one) to org, once; an
    // operator's call. Errors: not_found, hwtoken_org (it has an organization already, or it is
    // assigned to a user who is not a member of org). Audited in org.
    Status hwtoken_adopt(std::string_view serial, std::string_view org, const RequestContext& ctx);
    // HOTP resynchronisation: two consecutive codes within kHotpResyncLookAhead of the stored
    // counter move it past them (throttled like a login). status as totp_verify; Errors:
    // factor_not_enrolled (no hardware token assigned), hwtoken_state (a TOTP token).
    Result<VerifyResult> hwtoken_resync(std::string_view user, std::string_view code1, std::string_view code2,
                                        const RequestContext& ctx);
    // The key ring the toolkit encrypts with (key maintenance and backups read which keys it has).
    const KeyRing& keyring() const noexcept { return keys_; }

private:
    struct Impl;
    struct WebAuthnAssertion;
    Result<VerifyResult> webauthn_verify_assertion(const WebAuthnAssertion& a, const RequestContext& ctx);
    // totp_import / hotp_import (look_ahead set: HOTP).
    Status otp_import(std::string_view user, ByteView secret, const OtpParams& params, std::optional<unsigned> look_ahead,
                      std::string_view label, const RequestContext& ctx);
    Toolkit(std::shared_ptr<store::Store> s, KeyRing k, ToolkitConfig c);
    Status record(std::string type, std::string_view user, std::string detail, const RequestContext& ctx);
    // record() with the organizations of the request, the subject and the actor, and `also` (an
    // organization the subject just left).
    Status record_in(std::string type, std::string_view user, std::string detail, const RequestContext& ctx,
                     std::string_view also);
    // account_deleted when the user (its key part) is deleted; the detail says until when.
    Status check_active(const std::string& ukey);
    Result<std::optional<std::string>> org_of(std::string_view user);
    // last_owner (audited) when `m` is the only owner of its organization and is about to stop
    // being one (`change` says how, for the detail).
    Status keep_an_owner(const Membership& m, std::string_view change, const RequestContext& ctx);
    // The owner's organization's token_max_lifetime (0 = no maximum, or in no organization).
    Result<std::int64_t> token_lifetime_limit(std::string_view user);
    VerifyResult finish(const store::Attempt& a, std::string_view user, std::string_view what, const RequestContext& ctx);

    std::shared_ptr<store::Store> store_;
    KeyRing keys_;
    ToolkitConfig cfg_;
    AuditLog audit_;
    std::unique_ptr<Impl> impl_;
};

// Store-key building (exposed for tests and operators' tools): ':' '%' and bytes outside printable
// ASCII are percent-escaped. Errors: invalid_argument for an empty or too long user name.
Result<std::string> user_key_part(std::string_view user);

// RFC 8176 method references for a factor, and for a login that combined two.
std::vector<std::string> amr_for(FactorType f, bool user_verified = false);
// A WebAuthn login: "swk" for a backup-eligible (synced) passkey, "hwk" for a device-bound key;
// "user" (presence test); with user verification also "pin" and "mfa" (the key and the PIN or
// biometric are two factors).
std::vector<std::string> amr_for_security_key(bool backup_eligible, bool user_verified);
std::vector<std::string> amr_combine(const std::vector<std::string>& first, const std::vector<std::string>& second);

}  // namespace mfa::server

// FIDO2 client: security keys and soft tokens through libfido2.
//
// Devices come from providers behind one interface (DeviceProvider): hidapi for USB keys (HID usage
// page 0xF1D0), a character-device provider for the soft token's pseudo-terminal bridge, and the
// in-process soft token provider. Every provider yields a Transport of 64-byte CTAPHID reports, and
// every Transport is bound into libfido2 with fido_dev_set_io_functions, so one libfido2 code path
// (CTAPHID framing, CBOR, PIN protocols, hmac-secret) serves them all.
//
// Paths: "soft:NAME" (a soft token registered in process, or else the state file NAME),
// "tty:/dev/pts/N" (a bridge), "hid:/dev/hidrawN" or a bare hidapi path (a USB key).
//
// Errors: positive Errc values are CTAP2 status bytes from the authenticator passed through
// (0x31 PIN_INVALID, 0x2E NO_CREDENTIALS ...; ctap_status_name() names them); negative ones are the
// fido2_* codes of error.hpp. docs/fido2.md has the walk-through.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::softtoken {
class SoftToken;
}

namespace mfa::fido2 {

inline constexpr std::size_t kReportLen = 64;
using Report = std::array<std::uint8_t, kReportLen>;

// One CTAPHID device: 64-byte reports in and out. write and read may be called from different
// threads at once (a CANCEL is written while a read waits).
class Transport {
public:
    virtual ~Transport() = default;
    virtual Status write(ByteView report) = 0;  // exactly 64 bytes, no report ID
    // Waits up to timeout_ms (negative: forever). Errc::fido2_io with "timeout" when nothing came.
    virtual Result<Report> read(int timeout_ms) = 0;
};

struct DeviceEntry {
    std::string path;          // what Client::open takes, scheme included
    std::string manufacturer;
    std::string product;
    std::uint16_t vendor_id = 0;
    std::uint16_t product_id = 0;
};

class DeviceProvider {
public:
    virtual ~DeviceProvider() = default;
    virtual std::string_view scheme() const = 0;  // "hid", "tty", "soft"
    virtual Result<std::vector<DeviceEntry>> enumerate() = 0;
    // path without the "scheme:" prefix.
    virtual Result<std::unique_ptr<Transport>> open(std::string_view path) = 0;
};

// USB security keys via hidapi (hidraw): devices whose top-level usage page is 0xF1D0.
std::shared_ptr<DeviceProvider> make_hid_provider();
// A character device that carries 65-byte writes (report ID 0 + report) and 64-byte reads: the
// soft token's pseudo-terminal bridge. enumerate() lists nothing (a pty is not discoverable).
std::shared_ptr<DeviceProvider> make_tty_provider();

// Soft tokens in this process. add() registers a token under a name; opening a name that is not
// registered loads (or creates) the state file of that name and keeps the token for later opens.
class SoftTokenProvider final : public DeviceProvider {
public:
    std::string_view scheme() const override { return "soft"; }
    void add(std::string name, std::shared_ptr<softtoken::SoftToken> token);
    std::shared_ptr<softtoken::SoftToken> find(std::string_view name) const;
    Result<std::vector<DeviceEntry>> enumerate() override;
    Result<std::unique_ptr<Transport>> open(std::string_view name) override;

private:
    mutable std::mutex mu_;
    std::map<std::string, std::shared_ptr<softtoken::SoftToken>, std::less<>> tokens_;
};

// GetInfo, as far as libfido2 1.12 reports it.
struct Info {
    std::vector<std::string> versions;
    std::vector<std::string> extensions;
    std::array<std::uint8_t, 16> aaguid{};
    std::vector<std::pair<std::string, bool>> options;
    std::vector<std::int64_t> algorithms;  // COSE identifiers
    std::vector<int> pin_protocols;
    std::vector<std::string> transports;
    std::uint64_t max_msg_size = 0;
    std::uint64_t max_cred_count_in_list = 0;
    std::uint64_t max_cred_id_length = 0;
    std::uint64_t firmware_version = 0;
    std::uint64_t min_pin_length = 0;
    std::optional<std::int64_t> remaining_resident_credentials;
    std::optional<int> pin_retries;  // when the device supports a PIN
    std::optional<int> uv_retries;   // when it has built-in UV
    [[nodiscard]] std::optional<bool> option(std::string_view name) const;
};

enum class Algorithm : int { es256 = -7, eddsa = -8 };

struct RelyingParty {
    std::string id;
    std::string name;
};
struct User {
    Bytes id;  // 1..64 bytes
    std::string name;
    std::string display_name;
};

struct MakeCredentialRequest {
    Bytes client_data_hash;  // SHA-256 of clientDataJSON (see make_client_data)
    RelyingParty rp;
    User user;
    Algorithm algorithm = Algorithm::es256;
    bool resident = false;
    bool user_verification = false;  // require UV (a PIN is given, or the built-in method is used)
    std::vector<Bytes> exclude;      // credential IDs the device must not already hold
    int cred_protect = 0;            // 0: not requested; 1..3 (CTAP 2.1 §12.1)
    bool hmac_secret = false;
    std::optional<SecretString> pin;
};

struct Credential {
    std::string fmt;          // "packed", "none", "fido-u2f" ...
    Bytes auth_data;          // raw authenticator data
    Bytes attestation_statement;  // CBOR attStmt as the device sent it
    Bytes credential_id;
    Bytes public_key_cose;    // the COSE_Key from the authenticator data
    Algorithm algorithm = Algorithm::es256;
    Bytes signature;
    Bytes certificate;        // x5c[0] when present
    std::uint32_t sign_count = 0;
    int cred_protect = 0;
    bool hmac_secret = false;
    // The WebAuthn attestation object (CBOR {fmt, attStmt, authData}) as a browser would send it.
    Result<Bytes> attestation_object() const;
    // libfido2's own verification of the attestation signature (with or without x5c).
    Status verify(ByteView client_data_hash, std::string_view rp_id) const;
};

struct GetAssertionRequest {
    std::string rp_id;
    Bytes client_data_hash;
    std::vector<Bytes> allow;  // empty: discoverable credentials
    bool user_presence = true;
    bool user_verification = false;
    std::optional<SecretString> pin;
    // hmac-secret: one or two 32-byte salts.
    std::optional<Bytes> hmac_salt1;
    std::optional<Bytes> hmac_salt2;
};

struct Assertion {
    Bytes credential_id;
    Bytes auth_data;   // raw
    Bytes signature;
    Bytes user_id;     // discoverable credentials
    std::string user_name;
    std::string user_display_name;
    std::uint32_t sign_count = 0;
    std::uint8_t flags = 0;
    SecretBytes hmac_secret;  // 32 or 64 bytes when salts were given
    // Verifies the signature with a COSE public key (from Credential::public_key_cose).
    Status verify(ByteView client_data_hash, std::string_view rp_id, ByteView public_key_cose) const;
};

struct CredentialMetadata {
    std::uint64_t existing = 0;
    std::uint64_t remaining = 0;
};
struct RpEntry {
    std::string id;
    std::string name;
    Bytes id_hash;
};
struct ResidentCredentialEntry {
    Bytes credential_id;
    Bytes user_id;
    std::string user_name;
    std::string user_display_name;
    Algorithm algorithm = Algorithm::es256;
    int cred_protect = 0;
};

class Device {
public:
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    [[nodiscard]] const std::string& path() const noexcept;
    [[nodiscard]] bool is_fido2() const noexcept;

    Result<Info> info();
    Result<Credential> make_credential(const MakeCredentialRequest& req);
    // Every assertion the device returns (several for discoverable credentials).
    Result<std::vector<Assertion>> get_assertions(const GetAssertionRequest& req);

    Status set_pin(const SecretString& pin);
    Status change_pin(const SecretString& old_pin, const SecretString& new_pin);
    Result<int> pin_retries();
    // Deletes every credential and the PIN. Real keys accept it only within seconds of being
    // plugged in and after a touch.
    Status reset();

    Result<CredentialMetadata> credential_metadata(const SecretString& pin);
    Result<std::vector<RpEntry>> list_rps(const SecretString& pin);
    Result<std::vector<ResidentCredentialEntry>> list_credentials(std::string_view rp_id, const SecretString& pin);
    Status delete_credential(ByteView credential_id, const SecretString& pin);

    // Called (from the thread running the operation) when the device asks for a touch: the first
    // KEEPALIVE with status "user presence needed" of each operation.
    void on_user_presence(std::function<void()> callback);
    // Milliseconds libfido2 waits for each reply (negative: forever); a timeout is Errc::fido2_io.
    Status set_timeout(int ms);
    // Cancels the running operation from another thread; it ends with CTAP status 0x2D.
    void cancel() noexcept;

    struct Impl;
    explicit Device(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

class Client {
public:
    // With the hid, tty and soft providers (the soft one is soft_tokens()).
    Client();
    SoftTokenProvider& soft_tokens() noexcept { return *soft_; }

    Result<std::vector<DeviceEntry>> list();
    // Opens and handshakes (CTAPHID INIT, GetInfo). Errc::fido2_no_device for an unknown scheme.
    Result<std::unique_ptr<Device>> open(std::string_view path);

private:
    std::vector<std::shared_ptr<DeviceProvider>> providers_;
    std::shared_ptr<SoftTokenProvider> soft_;
};

// ---- WebAuthn JSON, as a browser would produce it for an origin ------------------------------

struct ClientData {
    std::string json;   // clientDataJSON
    Bytes hash;         // SHA-256 of json: the client_data_hash of the requests above
};
// type is "webauthn.create" or "webauthn.get"; the challenge is base64url-encoded into the JSON.
ClientData make_client_data(std::string_view type, ByteView challenge, std::string_view origin,
                            bool cross_origin = false);

// PublicKeyCredential.toJSON() of a registration: {id, rawId, type, authenticatorAttachment,
// response: {clientDataJSON, attestationObject, authenticatorData, transports, publicKeyAlgorithm,
// publicKey?}, clientExtensionResults}. cred_props: the credProps extension's answer ({"rk": …}),
// when the relying party asked for it.
Result<std::string> registration_json(const Credential& cred, const ClientData& client_data,
                                      std::optional<bool> cred_props = std::nullopt);
// PublicKeyCredential.toJSON() of an authentication: response {clientDataJSON, authenticatorData,
// signature, userHandle}.
Result<std::string> authentication_json(const Assertion& assertion, const ClientData& client_data);

// ---- A WebAuthn client: navigator.credentials.create() / .get() for an origin ------------------

// Reads a relying party's options JSON (the bare PublicKeyCredentialCreationOptionsJSON /
// RequestOptionsJSON, {"publicKey": ...} as the JS API takes it, or {"options": ...} as the server
// toolkit's *_begin return it), checks that the RP ID is the origin's host or a parent domain of it
// (Errc::webauthn_origin; https only, http://localhost too), asks the device and returns the
// response JSON a browser would send (registration_json / authentication_json). create: the first
// of pubKeyCredParams that is ES256 or EdDSA (Errc::webauthn_algorithm when none is);
// residentKey "preferred" makes a discoverable credential when the device can; userVerification
// "required" verifies the user, "preferred" does when a PIN is given; the extensions credProps,
// hmacCreateSecret and credentialProtectionPolicy. get: with several discoverable credentials, the
// first the device returns. Malformed options are Errc::webauthn_options naming the member.
Result<std::string> webauthn_create(Device& device, std::string_view options_json, std::string_view origin,
                                    const std::optional<SecretString>& pin);
Result<std::string> webauthn_get(Device& device, std::string_view options_json, std::string_view origin,
                                 const std::optional<SecretString>& pin);

// ---- Reports as JSON (the C ABI and `mfa token --json` print these) -----------------------------

// {"versions","extensions","aaguid" (UUID text),"options" {name: bool},"algorithms","pinProtocols",
//  "transports","maxMsgSize","maxCredentialCountInList","maxCredentialIdLength","firmwareVersion",
//  "minPinLength", and when reported "remainingDiscoverableCredentials","pinRetries","uvRetries"}.
[[nodiscard]] std::string info_json(const Info& info);
// The discoverable credentials through credential management: {"existing","remaining","rps":[{"id",
// "name","credentials":[{"id","userId" (base64url),"userName","userDisplayName","algorithm",
// "credProtect"}]}]}.
Result<std::string> credentials_json(Device& device, const SecretString& pin);

}  // namespace mfa::fido2

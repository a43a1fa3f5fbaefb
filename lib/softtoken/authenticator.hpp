// The CTAP2 layer of the soft token: one request (command byte + CBOR) in, status byte + CBOR out.
// The command handlers live in their own files (make_credential.cpp, get_assertion.cpp,
// client_pin.cpp, cred_mgmt.cpp); this class holds the state they share. Not thread-safe: the
// owner (softtoken.cpp) serialises requests.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "credential.hpp"
#include "crypto.hpp"
#include "mfa/cbor.hpp"
#include "mfa/softtoken.hpp"
#include "pin_protocol.hpp"
#include "rng.hpp"
#include "state.hpp"

namespace mfa::softtoken {

namespace ctap {
inline constexpr std::uint8_t kMakeCredential = 0x01, kGetAssertion = 0x02, kGetInfo = 0x04, kClientPin = 0x06,
                              kReset = 0x07, kGetNextAssertion = 0x08, kCredMgmt = 0x0A, kSelection = 0x0B,
                              kCredMgmtPreview = 0x41;
inline constexpr std::uint8_t kOk = 0x00, kInvalidCommand = 0x01, kInvalidParameter = 0x02, kInvalidLength = 0x03,
    kCborUnexpectedType = 0x11, kInvalidCbor = 0x12, kMissingParameter = 0x14, kCredentialExcluded = 0x19,
    kUnsupportedAlgorithm = 0x26, kOperationDenied = 0x27, kKeyStoreFull = 0x28, kUnsupportedOption = 0x2B,
    kInvalidOption = 0x2C, kKeepaliveCancel = 0x2D, kNoCredentials = 0x2E, kUserActionTimeout = 0x2F,
    kNotAllowed = 0x30, kPinInvalid = 0x31, kPinBlocked = 0x32, kPinAuthInvalid = 0x33, kPinAuthBlocked = 0x34,
    kPinNotSet = 0x35, kPuatRequired = 0x36, kPinPolicyViolation = 0x37, kRequestTooLarge = 0x39,
    kUvBlocked = 0x3C, kInvalidSubcommand = 0x3E, kUvInvalid = 0x3F, kUnauthorizedPermission = 0x40, kOther = 0x7F;
// pinUvAuthToken permissions.
inline constexpr std::uint8_t kPermMc = 0x01, kPermGa = 0x02, kPermCm = 0x04, kPermBe = 0x08, kPermLbw = 0x10,
                              kPermAcfg = 0x20;
}  // namespace ctap

// What a command may ask of the device around it.
class Environment {
public:
    virtual ~Environment() = default;
    // Simulated touch: 0 when the user approved, else the CTAP status to return (0x27 denied,
    // 0x2F timed out, 0x2D cancelled by the host).
    virtual std::uint8_t user_presence(std::string_view rp_id) = 0;
};

class Authenticator {
public:
    Authenticator(State state, std::filesystem::path file, Options opts, Rng rng);
    // A new state: random AAGUID, wrap key, attestation key and certificate.
    static Result<State> fresh_state(Rng& rng, std::uint8_t max_pin_retries);

    Bytes handle(ByteView request, Environment& env);

    const State& state() const noexcept { return st_; }
    Options& options() noexcept { return opt_; }
    const std::filesystem::path& file() const noexcept { return file_; }

private:
    using Clock = std::chrono::steady_clock;
    struct Reply {
        std::uint8_t status = 0;
        std::optional<cbor::Value> body;
    };
    struct Token {
        SecretBytes value;  // 32 bytes
        std::uint8_t permissions = 0;
        std::optional<std::string> rp_id;
        bool valid = false;
    };
    struct AssertionContext {
        std::vector<ResidentCredential> remaining;
        std::string rp_id;
        Bytes client_data_hash;
        std::uint8_t flags = 0;
        bool uv = false;
        std::optional<Bytes> hmac_salts;  // decrypted salt1 [|| salt2]
        SecretBytes hmac_shared;
        int hmac_protocol = 1;
        Clock::time_point deadline;
    };
    struct CredMgmtContext {
        std::vector<std::string> rps;
        std::vector<ResidentCredential> creds;
        std::size_t next = 0;
        bool listing_creds = false;
    };

    Reply get_info();
    Reply make_credential(const cbor::Value& req, Environment& env);
    Reply get_assertion(const cbor::Value& req, Environment& env);
    Reply get_next_assertion();
    Reply client_pin(const cbor::Value& req, Environment& env);
    Reply reset(Environment& env);
    Reply selection(Environment& env);
    Reply cred_mgmt(const cbor::Value& req);

    // Shared by the handlers.
    std::uint8_t persist();
    // The key agreement key of a protocol (borrowed), made on first use or when regenerate is set.
    Result<EVP_PKEY*> key_agreement_key(int protocol, bool regenerate = false);
    std::uint8_t shared_secret(const PinProtocol& proto, const cbor::Value& platform_key, SecretBytes& out);
    std::uint8_t protocol_from(const cbor::Value* v, std::optional<PinProtocol>& out) const;
    // Checks pinUvAuthParam over message with the current token and its permission / RP binding;
    // binds the token to rp_id when it has no RP yet (for mc/ga).
    std::uint8_t check_token(const cbor::Value& param, const PinProtocol& proto, ByteView message,
                             std::uint8_t permission, std::optional<std::string_view> rp_id);
    std::uint8_t builtin_uv();
    // User verification for makeCredential and getAssertion (CTAP 2.1 §6.1.2 steps 1 and 11, §6.2.2):
    // a pinUvAuthParam checked against the current token, else the built-in method when the "uv"
    // option asks for it, else none. uv tells whether the user was verified.
    std::uint8_t verify_user(const cbor::Value* param, const cbor::Value* protocol, bool uv_option,
                             ByteView client_data_hash, std::uint8_t permission, std::string_view rp_id,
                             Environment& env, bool& uv);
    std::uint8_t new_token(std::uint8_t permissions, std::optional<std::string> rp_id);
    std::uint8_t verify_pin_hash(const PinProtocol& proto, ByteView shared, ByteView pin_hash_enc);
    Reply sign_assertion(const ResidentCredential* rc, ByteView cred_id, const CredentialSecret& cred,
                         AssertionContext& ctx, std::optional<std::size_t> count);
    std::vector<ResidentCredential> residents_for(ByteView rp_id_hash) const;

    State st_;
    std::filesystem::path file_;
    Options opt_;
    Rng rng_;
    Clock::time_point powered_up_;
    std::map<int, cose::Pkey> ka_keys_;
    Token token_;
    std::uint8_t consecutive_pin_failures_ = 0;
    std::optional<AssertionContext> next_assertion_;
    std::optional<CredMgmtContext> credman_;
};

// The "id" of a PublicKeyCredentialDescriptor map; empty when its type is not "public-key".
std::uint8_t read_descriptor_id(const cbor::Value& d, ByteView& id);

// Maps a CBOR decoding or lookup error to the CTAP status the specification names.
std::uint8_t cbor_status(const Error& e) noexcept;

}  // namespace mfa::softtoken

// A software CTAP2.1 authenticator ("soft token") for development and testing.
//
// A soft token is NOT a security device: its keys live in an ordinary file (0600, unencrypted) and
// in process memory, user presence is simulated. Use it to exercise FIDO2 clients and WebAuthn
// servers without hardware, never to protect an account.
//
// It speaks CTAPHID over 64-byte reports (write_report/read_report), so libfido2 drives it through
// fido_dev_set_io_functions exactly as it drives a USB key (mfa/fido2.hpp does this), and a bridge
// serves it on a pseudo-terminal for unmodified tools (mfa/softtoken_bridge.hpp). Commands: GetInfo,
// MakeCredential, GetAssertion, GetNextAssertion, ClientPIN (PIN/UV auth protocols 1 and 2),
// Reset, CredentialManagement (0x0A and the 0x41 preview code), Selection; extensions hmac-secret
// and credProtect; packed attestation (self or with its own certificate); ES256 and EdDSA.
// docs/fido2.md describes the behaviour and the state file.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::softtoken {

// What the simulated user does when the token asks for presence (a touch).
enum class Presence {
    approve,   // touches at once
    deny,      // refuses: CTAP2_ERR_OPERATION_DENIED (0x27)
    timeout,   // never touches: after presence_timeout, CTAP2_ERR_USER_ACTION_TIMEOUT (0x2F); the
               // host may CANCEL meanwhile (CTAP2_ERR_KEEPALIVE_CANCEL, 0x2D)
    callback,  // asks Options::on_presence (from the token's worker thread)
};

enum class Attestation {
    self,  // packed self attestation: signed with the credential key, no certificate
    full,  // packed with x5c: signed by the token's own attestation key and certificate
};

struct Options {
    Presence presence = Presence::approve;
    // Presence::callback: return true to approve. Called with the RP ID ("" for Reset/Selection).
    std::function<bool(std::string_view rp_id)> on_presence;
    std::chrono::milliseconds presence_timeout{30000};
    // Built-in user verification (a simulated fingerprint reader): absent unless set. When present,
    // GetInfo reports uv:true and every UV attempt returns this result.
    std::optional<bool> builtin_uv;
    Attestation attestation = Attestation::full;
    // Seeds every random choice (keys, credential IDs, tokens) for reproducible tests; the state
    // file is then as predictable as the seed. ECDSA signatures stay randomised (OpenSSL).
    std::optional<std::uint64_t> seed;
    // PIN attempts before the PIN blocks (CTAP says 8); also the value a new PIN resets to.
    std::uint8_t max_pin_retries = 8;
    // Reset is only accepted within this long after the token was opened (CTAP 2.1 §6.6 says 10 s);
    // zero disables the window.
    std::chrono::milliseconds reset_window{10000};
    // Run CBOR requests on the caller's thread inside write_report (no keepalives, no CANCEL while
    // waiting). For fuzzing and single-threaded drivers.
    bool synchronous = false;
};

inline constexpr std::size_t kReportLen = 64;
using Report = std::array<std::uint8_t, kReportLen>;

// Limits the token states in GetInfo and enforces.
inline constexpr std::size_t kMaxMsgSize = 2048;
inline constexpr std::size_t kMaxResidentCredentials = 64;
inline constexpr std::size_t kMaxCredentialsInList = 16;
inline constexpr std::size_t kCredentialIdLength = 97;

class SoftToken {
public:
    // Loads the state file, or creates it (with fresh keys) when it does not exist. Every change
    // is written back atomically (temporary file, fsync, rename, fsync of the directory), mode 0600.
    // Errors: Errc::io, Errc::softtoken_state_invalid (with the field named).
    static Result<std::shared_ptr<SoftToken>> open(const std::filesystem::path& state_file, Options opts = {});
    // A token whose state lives only in memory.
    static Result<std::shared_ptr<SoftToken>> in_memory(Options opts = {});

    ~SoftToken();
    SoftToken(const SoftToken&) = delete;
    SoftToken& operator=(const SoftToken&) = delete;

    // CTAPHID: one report from the host (64 bytes; a leading report ID is the caller's business).
    // Thread-safe; may be called while another thread waits in read_report.
    void write_report(std::span<const std::uint8_t> report);
    // The next report for the host, or nullopt when none arrived within timeout (negative: wait
    // forever).
    std::optional<Report> read_report(std::chrono::milliseconds timeout);

    // CTAP2 without the framing: a command byte and its CBOR parameters in, status byte and CBOR
    // out. Synchronous (presence as configured, no keepalives).
    Bytes process_cbor(ByteView request);

    // Test knobs, changeable at any time.
    void set_presence(Presence p);

    // Inspection for tests and tools.
    [[nodiscard]] std::size_t resident_credential_count() const;
    [[nodiscard]] bool pin_set() const;
    [[nodiscard]] std::uint8_t pin_retries() const;
    [[nodiscard]] std::array<std::uint8_t, 16> aaguid() const;
    [[nodiscard]] std::size_t winks() const;
    // The state file ("" for an in-memory token).
    [[nodiscard]] const std::filesystem::path& path() const noexcept;

    struct Impl;

private:
    explicit SoftToken(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mfa::softtoken

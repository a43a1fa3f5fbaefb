// CTAPHID (CTAP 2.1 §11.2): the USB HID framing of a soft authenticator, without the USB.
//
// The engine takes 64-byte reports from the host and queues 64-byte replies. It reassembles
// messages from an init packet and up to 128 continuation packets, allocates channels (INIT on the
// broadcast channel), answers PING, WINK, LOCK and INIT itself and hands complete CBOR requests to
// its owner, which runs them (possibly on another thread) and returns the answer with complete().
// Framing errors get the CTAPHID_ERROR codes the specification names. It holds no lock: the owner
// serialises calls.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/softtoken.hpp"

namespace mfa::softtoken {

namespace hid {
// Commands (bit 7 set in the init packet).
inline constexpr std::uint8_t kPing = 0x81, kMsg = 0x83, kLock = 0x84, kInit = 0x86, kWink = 0x88,
                              kCbor = 0x90, kCancel = 0x91, kKeepalive = 0xBB, kError = 0xBF;
// CTAPHID_ERROR codes.
inline constexpr std::uint8_t kErrInvalidCmd = 0x01, kErrInvalidPar = 0x02, kErrInvalidLen = 0x03,
                              kErrInvalidSeq = 0x04, kErrMsgTimeout = 0x05, kErrChannelBusy = 0x06,
                              kErrLockRequired = 0x0A, kErrInvalidChannel = 0x0B, kErrOther = 0x7F;
// KEEPALIVE status.
inline constexpr std::uint8_t kStatusProcessing = 1, kStatusUpNeeded = 2;
// Capability flags in the INIT reply.
inline constexpr std::uint8_t kCapWink = 0x01, kCapCbor = 0x04, kCapNmsg = 0x08;
inline constexpr std::uint32_t kBroadcastCid = 0xFFFFFFFF;
// 57 bytes in the init packet + 128 continuation packets of 59.
inline constexpr std::size_t kMaxPayload = 57 + 128 * 59;
}  // namespace hid

class CtapHid {
public:
    using Clock = std::chrono::steady_clock;

    struct Config {
        std::uint8_t major = 1, minor = 0, build = 0;
        // A message whose continuation packets stop arriving is dropped with ERR_MSG_TIMEOUT after
        // this long (the specification suggests a few hundred milliseconds).
        std::chrono::milliseconds transaction_timeout{500};
        // Channels remembered at once; the least recently allocated is forgotten first.
        std::size_t max_channels = 16;
    };

    // A complete CBOR request for the owner to run.
    struct Request {
        std::uint32_t cid = 0;
        Bytes payload;
    };

    CtapHid() : CtapHid(Config{}) {}
    explicit CtapHid(Config cfg) : cfg_(cfg) {}

    // One report from the host. Reports shorter than 64 bytes are padded with zeros (hidraw allows
    // short writes); longer ones are cut to 64. Returns a request when a CBOR message is complete.
    std::optional<Request> feed(std::span<const std::uint8_t> report, Clock::time_point now);

    // Drops a half-assembled message whose sender went quiet (ERR_MSG_TIMEOUT) and ends an expired
    // lock. Call before feed() and while waiting.
    void tick(Clock::time_point now);

    // The answer to the running request: `status_and_body` is the CTAP2 status byte and the CBOR.
    void complete(ByteView status_and_body);
    // A KEEPALIVE on the busy channel (status 1 processing, 2 user presence needed).
    void keepalive(std::uint8_t status);

    // True while a CBOR request is running (between feed() returning it and complete()).
    bool busy() const noexcept { return running_.has_value(); }
    // True once the host sent CANCEL on the busy channel; reset when the next request starts.
    bool cancel_requested() const noexcept { return cancelled_; }
    // True after WINK (for tests and for a bridge that wants to show it).
    std::size_t winks() const noexcept { return winks_; }

    // Next reply report, if any.
    std::optional<Report> pop();
    bool has_output() const noexcept { return !out_.empty(); }

    static std::uint32_t read_cid(std::span<const std::uint8_t> r) noexcept;

private:
    struct Assembly {
        std::uint32_t cid = 0;
        std::uint8_t cmd = 0;
        std::size_t total = 0;
        std::uint8_t next_seq = 0;
        Bytes data;
        Clock::time_point deadline{};
    };

    void send(std::uint32_t cid, std::uint8_t cmd, ByteView payload);
    void send_error(std::uint32_t cid, std::uint8_t code);
    std::optional<Request> dispatch(std::uint32_t cid, std::uint8_t cmd, Bytes payload, Clock::time_point now);
    void handle_init(std::uint32_t cid, ByteView payload);
    bool known(std::uint32_t cid) const noexcept;
    std::uint32_t allocate();

    Config cfg_;
    std::deque<std::uint32_t> channels_;
    std::uint32_t next_cid_ = 1;
    std::optional<Assembly> rx_;
    std::optional<std::uint32_t> running_;
    bool cancelled_ = false;
    bool abandoned_ = false;  // the busy channel was resynchronised: drop the answer
    std::optional<std::uint32_t> lock_cid_;
    Clock::time_point lock_until_{};
    std::size_t winks_ = 0;
    std::deque<Report> out_;
};

}  // namespace mfa::softtoken

#include "ctaphid.hpp"

#include <algorithm>

namespace mfa::softtoken {
namespace {

constexpr std::size_t kInitData = kReportLen - 7;  // 57
constexpr std::size_t kContData = kReportLen - 5;  // 59

void put_cid(std::uint8_t* p, std::uint32_t cid) noexcept {
    p[0] = static_cast<std::uint8_t>(cid >> 24);
    p[1] = static_cast<std::uint8_t>(cid >> 16);
    p[2] = static_cast<std::uint8_t>(cid >> 8);
    p[3] = static_cast<std::uint8_t>(cid);
}

}  // namespace

std::uint32_t CtapHid::read_cid(std::span<const std::uint8_t> r) noexcept {
    return (std::uint32_t{r[0]} << 24) | (std::uint32_t{r[1]} << 16) | (std::uint32_t{r[2]} << 8) | r[3];
}

void CtapHid::send(std::uint32_t cid, std::uint8_t cmd, ByteView payload) {
    Report r{};
    put_cid(r.data(), cid);
    r[4] = cmd;
    r[5] = static_cast<std::uint8_t>(payload.size() >> 8);
    r[6] = static_cast<std::uint8_t>(payload.size());
    std::size_t n = std::min(payload.size(), kInitData);
    std::copy_n(payload.begin(), n, r.begin() + 7);
    out_.push_back(r);
    std::uint8_t seq = 0;
    for (std::size_t off = n; off < payload.size(); off += kContData) {
        Report c{};
        put_cid(c.data(), cid);
        c[4] = seq++;
        std::size_t m = std::min(payload.size() - off, kContData);
        std::copy_n(payload.begin() + static_cast<std::ptrdiff_t>(off), m, c.begin() + 5);
        out_.push_back(c);
    }
}

void CtapHid::send_error(std::uint32_t cid, std::uint8_t code) {
    const std::uint8_t b = code;
    send(cid, hid::kError, {&b, 1});
}

bool CtapHid::known(std::uint32_t cid) const noexcept {
    return std::find(channels_.begin(), channels_.end(), cid) != channels_.end();
}

std::uint32_t CtapHid::allocate() {
    // Skip the reserved channel 0, the broadcast channel and any still in use after a wrap.
    std::uint32_t cid;
    do {
        cid = next_cid_++;
    } while (cid == 0 || cid == hid::kBroadcastCid || known(cid));
    if (channels_.size() >= cfg_.max_channels) {
        // Never forget the channel holding a lock or running a request.
        auto victim = std::find_if(channels_.begin(), channels_.end(), [&](std::uint32_t c) {
            return c != running_ && c != lock_cid_;
        });
        if (victim != channels_.end()) channels_.erase(victim);
    }
    channels_.push_back(cid);
    return cid;
}

void CtapHid::handle_init(std::uint32_t cid, ByteView nonce) {
    std::uint32_t assigned = cid;
    if (cid == hid::kBroadcastCid) {
        assigned = allocate();
    } else if (running_ == cid) {
        // Resynchronising the busy channel abandons its request; the late answer is dropped.
        cancelled_ = true;
        abandoned_ = true;
    }
    Bytes reply(nonce.begin(), nonce.end());
    reply.resize(17);
    put_cid(reply.data() + 8, assigned);
    reply[12] = 2;  // CTAPHID protocol version
    reply[13] = cfg_.major;
    reply[14] = cfg_.minor;
    reply[15] = cfg_.build;
    reply[16] = hid::kCapWink | hid::kCapCbor | hid::kCapNmsg;
    send(cid, hid::kInit, reply);
}

void CtapHid::tick(Clock::time_point now) {
    if (rx_ && now >= rx_->deadline) {
        send_error(rx_->cid, hid::kErrMsgTimeout);
        rx_.reset();
    }
    if (lock_cid_ && now >= lock_until_) lock_cid_.reset();
}

std::optional<CtapHid::Request> CtapHid::feed(std::span<const std::uint8_t> report, Clock::time_point now) {
    tick(now);
    Report r{};
    std::copy_n(report.begin(), std::min(report.size(), kReportLen), r.begin());
    const std::uint32_t cid = read_cid(r);
    const std::uint8_t b4 = r[4];

    if ((b4 & 0x80) == 0) {
        // Continuation packet.
        if (!rx_) return std::nullopt;  // a stray continuation is ignored (§11.2.4)
        if (rx_->cid != cid) {
            if (cid != 0 && cid != hid::kBroadcastCid && known(cid)) send_error(cid, hid::kErrChannelBusy);
            return std::nullopt;
        }
        if (b4 != rx_->next_seq) {
            send_error(cid, hid::kErrInvalidSeq);
            rx_.reset();
            return std::nullopt;
        }
        const std::size_t m = std::min(rx_->total - rx_->data.size(), kContData);
        rx_->data.insert(rx_->data.end(), r.begin() + 5, r.begin() + 5 + static_cast<std::ptrdiff_t>(m));
        ++rx_->next_seq;
        rx_->deadline = now + cfg_.transaction_timeout;
        if (rx_->data.size() < rx_->total) return std::nullopt;
        Assembly done = std::move(*rx_);
        rx_.reset();
        return dispatch(done.cid, done.cmd, std::move(done.data), now);
    }

    const std::uint8_t cmd = b4;
    const std::size_t bcnt = (std::size_t{r[5]} << 8) | r[6];

    if (cid == 0 || (cid == hid::kBroadcastCid && cmd != hid::kInit) ||
        (cid != hid::kBroadcastCid && !known(cid))) {
        send_error(cid, hid::kErrInvalidChannel);
        return std::nullopt;
    }
    if (cmd == hid::kCancel) {
        // CANCEL is never answered; it ends the running request or the message being assembled.
        if (running_ == cid) cancelled_ = true;
        if (rx_ && rx_->cid == cid) rx_.reset();
        return std::nullopt;
    }
    if (cmd == hid::kInit) {
        if (bcnt != 8) {
            send_error(cid, hid::kErrInvalidLen);
            return std::nullopt;
        }
        if (rx_ && rx_->cid == cid) rx_.reset();  // INIT resynchronises the channel
        handle_init(cid, ByteView(r).subspan(7, 8));
        return std::nullopt;
    }
    if (rx_) {
        if (rx_->cid == cid) {
            send_error(cid, hid::kErrInvalidSeq);  // a new message before the last one ended
            rx_.reset();
        } else {
            send_error(cid, hid::kErrChannelBusy);
        }
        return std::nullopt;
    }
    if (running_ || (lock_cid_ && *lock_cid_ != cid)) {
        send_error(cid, hid::kErrChannelBusy);
        return std::nullopt;
    }
    if (bcnt > hid::kMaxPayload) {
        send_error(cid, hid::kErrInvalidLen);
        return std::nullopt;
    }
    Bytes first(r.begin() + 7, r.begin() + 7 + static_cast<std::ptrdiff_t>(std::min(bcnt, kInitData)));
    if (bcnt <= kInitData) return dispatch(cid, cmd, std::move(first), now);
    rx_ = Assembly{cid, cmd, bcnt, 0, std::move(first), now + cfg_.transaction_timeout};
    return std::nullopt;
}

std::optional<CtapHid::Request> CtapHid::dispatch(std::uint32_t cid, std::uint8_t cmd, Bytes payload,
                                                  Clock::time_point now) {
    switch (cmd) {
    case hid::kPing:
        send(cid, hid::kPing, payload);
        return std::nullopt;
    case hid::kWink:
        if (!payload.empty()) {
            send_error(cid, hid::kErrInvalidLen);
            return std::nullopt;
        }
        ++winks_;
        send(cid, hid::kWink, {});
        return std::nullopt;
    case hid::kLock: {
        if (payload.size() != 1) {
            send_error(cid, hid::kErrInvalidLen);
            return std::nullopt;
        }
        if (payload[0] > 10) {
            send_error(cid, hid::kErrInvalidPar);
            return std::nullopt;
        }
        if (payload[0] == 0) {
            lock_cid_.reset();
        } else {
            lock_cid_ = cid;
            lock_until_ = now + std::chrono::seconds(payload[0]);
        }
        send(cid, hid::kLock, {});
        return std::nullopt;
    }
    case hid::kCbor:
        if (payload.empty()) {
            send_error(cid, hid::kErrInvalidLen);
            return std::nullopt;
        }
        running_ = cid;
        cancelled_ = false;
        abandoned_ = false;
        return Request{cid, std::move(payload)};
    default:
        // MSG (U2F) is not offered (the NMSG capability says so); vendor commands are not defined.
        send_error(cid, hid::kErrInvalidCmd);
        return std::nullopt;
    }
}

void CtapHid::complete(ByteView status_and_body) {
    if (!running_) return;
    const std::uint32_t cid = *running_;
    running_.reset();
    if (abandoned_) return;
    send(cid, hid::kCbor, status_and_body);
}

void CtapHid::keepalive(std::uint8_t status) {
    if (!running_ || abandoned_) return;
    send(*running_, hid::kKeepalive, {&status, 1});
}

std::optional<Report> CtapHid::pop() {
    if (out_.empty()) return std::nullopt;
    Report r = out_.front();
    out_.pop_front();
    return r;
}

}  // namespace mfa::softtoken

// A character device carrying CTAPHID reports: the soft token's pseudo-terminal bridge. Writes are
// 65 bytes (report ID 0 + report), as libfido2's hidraw backend writes them; reads collect 64.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "internal.hpp"

namespace mfa::fido2 {
namespace {

class TtyTransport final : public Transport {
public:
    explicit TtyTransport(int fd) : fd_(fd) {}
    ~TtyTransport() override { ::close(fd_); }
    Status write(ByteView report) override {
        std::uint8_t buf[kReportLen + 1] = {0};
        std::memcpy(buf + 1, report.data(), kReportLen);
        std::size_t off = 0;
        while (off < sizeof buf) {
            const ssize_t n = ::write(fd_, buf + off, sizeof buf - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return Error(Errc::fido2_io, std::string("write: ") + std::strerror(errno));
            off += static_cast<std::size_t>(n);
        }
        return {};
    }
    Result<Report> read(int timeout_ms) override {
        Report r{};
        std::size_t got = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (got < r.size()) {
            int wait = -1;
            if (timeout_ms >= 0) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
                wait = static_cast<int>(std::max<long long>(0, left.count()));  // 0: one poll, no wait
            }
            pollfd p{fd_, POLLIN, 0};
            const int pr = ::poll(&p, 1, wait);
            if (pr < 0 && errno == EINTR) continue;
            if (pr < 0) return Error(Errc::fido2_io, std::string("poll: ") + std::strerror(errno));
            if (pr == 0) return Error(Errc::fido2_io, "timeout");
            const ssize_t n = ::read(fd_, r.data() + got, r.size() - got);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) return Error(Errc::fido2_io, std::string("read: ") + (n == 0 ? "end of file" : std::strerror(errno)));
            got += static_cast<std::size_t>(n);
        }
        return r;
    }

private:
    int fd_;
};

class TtyProvider final : public DeviceProvider {
public:
    std::string_view scheme() const override { return "tty"; }
    Result<std::vector<DeviceEntry>> enumerate() override { return std::vector<DeviceEntry>{}; }
    Result<std::unique_ptr<Transport>> open(std::string_view path) override {
        const std::string p(path);
        // O_NOCTTY: opening a pty must not make it our controlling terminal.
        const int fd = ::open(p.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) return Error(Errc::fido2_no_device, p + ": " + std::strerror(errno));
        termios t{};
        if (::tcgetattr(fd, &t) == 0) {
            ::cfmakeraw(&t);
            (void)::tcsetattr(fd, TCSANOW, &t);
        }
        return std::unique_ptr<Transport>(new TtyTransport(fd));
    }
};

}  // namespace

std::shared_ptr<DeviceProvider> make_tty_provider() { return std::make_shared<TtyProvider>(); }

}  // namespace mfa::fido2

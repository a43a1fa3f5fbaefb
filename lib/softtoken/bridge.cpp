// The pty bridge: master side in this process, the slave path handed to clients.
#include "mfa/softtoken_bridge.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "mfa/softtoken.hpp"

namespace mfa::softtoken {

struct PtyBridge::Impl {
    std::shared_ptr<SoftToken> token;
    int master = -1;
    int slave = -1;  // kept open so the master sees no hang-up between clients
    int wake[2] = {-1, -1};
    std::string path;
    std::atomic<bool> stopping{false};
    std::thread reader, writer;

    void read_loop() {
        Bytes pending;
        std::uint8_t buf[4096];
        while (!stopping) {
            pollfd p[2] = {{master, POLLIN, 0}, {wake[0], POLLIN, 0}};
            const int r = ::poll(p, 2, -1);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0 || (p[1].revents & POLLIN) != 0) return;
            if ((p[0].revents & POLLIN) == 0) continue;
            const ssize_t n = ::read(master, buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EIO)) continue;
            if (n <= 0) return;
            pending.insert(pending.end(), buf, buf + n);
            // Every host write is a report ID byte (0) and a 64-byte report.
            while (pending.size() >= kReportLen + 1) {
                token->write_report(ByteView(pending).subspan(1, kReportLen));
                pending.erase(pending.begin(), pending.begin() + kReportLen + 1);
            }
        }
    }

    void write_loop() {
        while (!stopping) {
            auto r = token->read_report(std::chrono::milliseconds(100));
            if (!r) continue;
            std::size_t off = 0;
            while (off < r->size() && !stopping) {
                const ssize_t n = ::write(master, r->data() + off, r->size() - off);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;
                off += static_cast<std::size_t>(n);
            }
        }
    }

    ~Impl() {
        stopping = true;
        if (wake[1] >= 0) {
            const char c = 1;
            (void)::write(wake[1], &c, 1);
        }
        if (reader.joinable()) reader.join();
        if (writer.joinable()) writer.join();
        for (int fd : {master, slave, wake[0], wake[1]})
            if (fd >= 0) ::close(fd);
    }
};

PtyBridge::PtyBridge(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PtyBridge::~PtyBridge() { stop(); }

const std::string& PtyBridge::device_path() const noexcept {
    static const std::string stopped;
    return impl_ ? impl_->path : stopped;
}

void PtyBridge::stop() noexcept { impl_.reset(); }

Result<std::unique_ptr<PtyBridge>> PtyBridge::start(std::shared_ptr<SoftToken> token) {
    if (!token) return Error(Errc::invalid_argument, "no token");
    auto d = std::make_unique<Impl>();
    d->token = std::move(token);
    auto sys = [](const char* what) { return Error(Errc::io, std::string(what) + ": " + std::strerror(errno)); };
    d->master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (d->master < 0) return sys("posix_openpt");
    if (::grantpt(d->master) != 0 || ::unlockpt(d->master) != 0) return sys("grantpt/unlockpt");
    char name[128];
    if (::ptsname_r(d->master, name, sizeof name) != 0) return sys("ptsname_r");
    d->path = name;
    d->slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (d->slave < 0) return sys("opening the pty slave");
    // Raw mode on both ends: no echo, no line discipline, no XON/XOFF (0x11/0x13 occur in frames).
    for (int fd : {d->slave, d->master}) {
        termios t{};
        if (::tcgetattr(fd, &t) != 0) return sys("tcgetattr");
        ::cfmakeraw(&t);
        if (::tcsetattr(fd, TCSANOW, &t) != 0) return sys("tcsetattr");
    }
    if (::pipe2(d->wake, O_CLOEXEC) != 0) return sys("pipe2");
    Impl* raw = d.get();
    d->reader = std::thread([raw] { raw->read_loop(); });
    d->writer = std::thread([raw] { raw->write_loop(); });
    return std::unique_ptr<PtyBridge>(new PtyBridge(std::move(d)));
}

}  // namespace mfa::softtoken

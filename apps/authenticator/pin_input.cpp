// PIN input without echo and without copies left in ordinary strings.
#include "pin_input.hpp"

#include <cerrno>
#include <cstring>
#include <optional>
#include <fcntl.h>
#include <unistd.h>
#include "tty_echo.hpp"

namespace mfa::app {
namespace {

constexpr std::size_t kMaxPinBytes = 255;

// Reads one line from fd byte by byte into a SecretString (no buffering that would keep a copy).
Result<SecretString> read_line(int fd, std::string_view what) {
    SecretString pin;
    for (;;) {
        char c = 0;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error(Errc::io, std::string("cannot read ") + std::string(what) + ": " + std::strerror(errno));
        if (n == 0 || c == '\n') break;
        if (c == '\r') continue;
        if (pin.size() >= kMaxPinBytes) return Error(Errc::invalid_argument, std::string(what) + ": PIN longer than 255 bytes");
        pin.append(std::string_view(&c, 1));
        c = 0;
    }
    if (pin.size() == 0) return Error(Errc::invalid_argument, std::string(what) + ": empty PIN");
    return pin;
}

}  // namespace

Result<SecretString> read_pin_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error(Errc::io, "cannot open --pin-file " + path + ": " + std::strerror(errno));
    auto pin = read_line(fd, path);
    ::close(fd);
    return pin;
}

Result<SecretString> prompt_pin(std::string_view prompt) {
    const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return Error(Errc::io, "no terminal to ask for the PIN: give --pin-file");
    std::optional<Result<SecretString>> pin;
    {
        const EchoOff quiet(fd, false);
        if (!quiet.active()) {
            ::close(fd);
            return Error(Errc::io, "cannot read the terminal settings");
        }
        (void)!::write(fd, prompt.data(), prompt.size());
        pin.emplace(read_line(fd, "the terminal"));
    }
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return std::move(*pin);
}

Result<SecretString> get_pin(const std::string& pin_file, std::string_view prompt) {
    if (!pin_file.empty()) return read_pin_file(pin_file);
    return prompt_pin(prompt);
}

}  // namespace mfa::app

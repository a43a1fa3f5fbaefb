#include "tty_echo.hpp"

#include <csignal>
#include <unistd.h>

namespace mfa::app {
namespace {

constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
volatile std::sig_atomic_t g_fd = -1;
termios g_saved{};

extern "C" void restore_and_reraise(int sig) {
    // tcsetattr, write, signal and raise are async-signal-safe.
    if (g_fd >= 0) {
        (void)::tcsetattr(g_fd, TCSAFLUSH, &g_saved);
        (void)!::write(g_fd, "\n", 1);
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

}  // namespace

EchoOff::EchoOff(int fd, bool newline_echo) {
    termios old{};
    if (::tcgetattr(fd, &old) != 0) return;
    g_saved = old;
    g_fd = fd;
    struct ::sigaction sa{};
    sa.sa_handler = restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &previous_[i]);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    if (newline_echo) quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
    active_ = true;
}

EchoOff::~EchoOff() {
    if (!active_) return;
    ::tcsetattr(g_fd, TCSAFLUSH, &g_saved);
    g_fd = -1;
    for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &previous_[i], nullptr);
}

}  // namespace mfa::app

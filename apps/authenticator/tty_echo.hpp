// Echo off on a terminal while a secret is typed, for every prompt of mfa (passphrases, PINs).
#pragma once

#include <signal.h>
#include <termios.h>

namespace mfa::app {

// Turns echo off on fd (newline_echo: keep echoing the Enter key). The terminal's mode comes back
// when this dies and also when Ctrl-C, SIGTERM or SIGHUP arrives meanwhile: the handler restores it
// and re-raises the signal with its default action, so mfa ends as interrupted (a shell shows 130
// for Ctrl-C) with the terminal echoing again. One prompt at a time (the saved mode is global, as
// a signal handler must read it).
class EchoOff {
public:
    EchoOff(int fd, bool newline_echo);
    ~EchoOff();
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
    [[nodiscard]] bool active() const noexcept { return active_; }

private:
    bool active_ = false;
    struct ::sigaction previous_[3];
};

}  // namespace mfa::app

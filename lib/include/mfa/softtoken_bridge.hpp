// Serves a soft token on a pseudo-terminal so unmodified FIDO2 programs can open it as a device.
//
// libfido2's Linux backend accepts any character device: when the hidraw report-descriptor ioctl
// fails it falls back to 64-byte reports and plain read/write. So `fido2-token -I /dev/pts/N`,
// fido2-cred, fido2-assert, any libfido2 program and python-fido2 (with a HidDescriptor for the
// path) talk to the bridge as if it were /dev/hidrawN. The bridge puts the pty in raw mode, splits
// the host's byte stream into 65-byte writes (report ID 0 + report) and writes each 64-byte reply
// with one write(). The pty is not discoverable (fido2-token -L will not list it): pass its path.
// Caveat: libfido2 opens without O_NOCTTY; a client that is a session leader without a controlling
// terminal would acquire the pty, so run such clients under setsid or from a shell.
#pragma once

#include <memory>
#include <string>

#include "mfa/error.hpp"

namespace mfa::softtoken {

class SoftToken;

class PtyBridge {
public:
    // Opens a pty pair and starts serving the token on it (two threads).
    static Result<std::unique_ptr<PtyBridge>> start(std::shared_ptr<SoftToken> token);
    ~PtyBridge();  // stop()
    PtyBridge(const PtyBridge&) = delete;
    PtyBridge& operator=(const PtyBridge&) = delete;

    // "/dev/pts/N": the path clients open.
    [[nodiscard]] const std::string& device_path() const noexcept;
    // Stops serving and closes the pty; idempotent.
    void stop() noexcept;

    struct Impl;

private:
    explicit PtyBridge(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mfa::softtoken

// Shared by the fido2 files. Not installed. The libfido2 parts exist only with the fido2 feature;
// without it unsupported.cpp stands in for binding.cpp, device.cpp, hid_provider.cpp and libraries.cpp.
#pragma once

#include "mfa_features.h"
#if MFA_HAVE_FIDO2
#include "libraries.hpp"
#endif

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "mfa/fido2.hpp"

namespace mfa::fido2 {

#if MFA_HAVE_FIDO2
// libfido2's int results as our errors: positive values are CTAP statuses (passed through),
// negative FIDO_ERR_* map to the fido2_* codes. `step` names the call for the detail.
Error fido_error(int r, std::string_view step);

// What the io callbacks share with the Device that owns them.
struct Hooks {
    std::mutex mu;
    std::function<void()> on_user_presence;
    std::atomic<bool> presence_announced{false};
    Transport* transport = nullptr;  // borrowed from the io handle while the device is open
    // Drops reports left over from an abandoned operation (a timeout, a cancel), so the next
    // request does not take a stale answer for its own.
    void drain();
};

struct Device::Impl {
    std::string path;
    fido_dev_t* dev = nullptr;
    std::shared_ptr<Hooks> hooks = std::make_shared<Hooks>();
    ~Impl();
    // Resets per-operation state before each libfido2 call that may wait for a touch.
    void begin_operation() {
        hooks->presence_announced = false;
        hooks->drain();
    }
};

#endif

// Opens a Transport under libfido2: installs the io callbacks and runs fido_dev_open.
Result<std::unique_ptr<Device>> bind_device(std::string path, std::unique_ptr<Transport> transport);

}  // namespace mfa::fido2

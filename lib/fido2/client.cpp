// Client: routes a device path to its provider by scheme and binds the transport into libfido2.
#include "internal.hpp"

namespace mfa::fido2 {

Client::Client() : soft_(std::make_shared<SoftTokenProvider>()) {
    providers_.push_back(make_hid_provider());
    providers_.push_back(make_tty_provider());
    providers_.push_back(soft_);
}

Result<std::vector<DeviceEntry>> Client::list() {
    std::vector<DeviceEntry> out;
    for (const auto& p : providers_) {
        auto found = p->enumerate();
        if (!found) return std::move(found).error();
        out.insert(out.end(), found->begin(), found->end());
    }
    return out;
}

Result<std::unique_ptr<Device>> Client::open(std::string_view path) {
    std::string_view scheme = "hid", rest = path;
    if (const auto colon = path.find(':'); colon != std::string_view::npos && path.substr(0, 1) != "/") {
        scheme = path.substr(0, colon);
        rest = path.substr(colon + 1);
    }
    for (const auto& p : providers_) {
        if (p->scheme() != scheme) continue;
        auto t = p->open(rest);
        if (!t) return std::move(t).error();
        return bind_device(std::string(path), std::move(*t));
    }
    return Error(Errc::fido2_no_device, "no provider for scheme \"" + std::string(scheme) + "\"");
}

}  // namespace mfa::fido2

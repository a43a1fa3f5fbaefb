// USB security keys through hidapi (hidraw backend): FIDO devices announce HID usage page 0xF1D0.
// hidapi is loaded by the first list or open (libraries.hpp): a process that only uses soft tokens
// or the tty bridge never loads it.
#include <cstring>

#include "internal.hpp"

namespace mfa::fido2 {
namespace {

constexpr unsigned short kFidoUsagePage = 0xF1D0;

std::string narrow(const wchar_t* w) {
    std::string s;
    if (w == nullptr) return s;
    for (; *w != 0; ++w) s.push_back(*w < 0x80 ? static_cast<char>(*w) : '?');
    return s;
}

class HidTransport final : public Transport {
public:
    HidTransport(const HidApi& api, hid_device* d) : api_(api), dev_(d) {}
    ~HidTransport() override { api_.hid_close(dev_); }
    Status write(ByteView report) override {
        unsigned char buf[kReportLen + 1] = {0};
        std::memcpy(buf + 1, report.data(), kReportLen);
        if (api_.hid_write(dev_, buf, sizeof buf) != static_cast<int>(sizeof buf))
            return Error(Errc::fido2_io, "hid_write failed");
        return {};
    }
    Result<Report> read(int timeout_ms) override {
        Report r{};
        const int n = api_.hid_read_timeout(dev_, r.data(), r.size(), timeout_ms < 0 ? -1 : timeout_ms);
        if (n < 0) return Error(Errc::fido2_io, "hid_read failed");
        if (n == 0) return Error(Errc::fido2_io, "timeout");
        return r;  // a short report is zero-padded, as CTAPHID allows
    }

private:
    const HidApi& api_;  // the process's table (libraries.hpp), loaded before this was opened
    hid_device* dev_;
};

class HidProvider final : public DeviceProvider {
public:
    std::string_view scheme() const override { return "hid"; }
    Result<std::vector<DeviceEntry>> enumerate() override {
        const auto& lib = load_hidapi();
        if (!lib) return lib.error();
        std::vector<DeviceEntry> out;
        hid_device_info* list = lib->hid_enumerate(0, 0);
        for (hid_device_info* d = list; d != nullptr; d = d->next) {
            if (d->usage_page != kFidoUsagePage || d->path == nullptr) continue;
            out.push_back({std::string("hid:") + d->path, narrow(d->manufacturer_string), narrow(d->product_string),
                           d->vendor_id, d->product_id});
        }
        lib->hid_free_enumeration(list);
        return out;
    }
    Result<std::unique_ptr<Transport>> open(std::string_view path) override {
        const auto& lib = load_hidapi();
        if (!lib) return lib.error();
        const std::string p(path);
        hid_device* d = lib->hid_open_path(p.c_str());
        if (d == nullptr) return Error(Errc::fido2_no_device, "cannot open HID device " + p);
        return std::unique_ptr<Transport>(new HidTransport(*lib, d));
    }
};

}  // namespace

std::shared_ptr<DeviceProvider> make_hid_provider() { return std::make_shared<HidProvider>(); }

}  // namespace mfa::fido2

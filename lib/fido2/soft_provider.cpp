// In-process soft tokens as devices.
#include "internal.hpp"
#include "mfa/softtoken.hpp"

namespace mfa::fido2 {
namespace {

class SoftTransport final : public Transport {
public:
    explicit SoftTransport(std::shared_ptr<softtoken::SoftToken> t) : token_(std::move(t)) {}
    Status write(ByteView report) override {
        if (report.size() != kReportLen) return Error(Errc::invalid_argument, "report must be 64 bytes");
        token_->write_report(report);
        return {};
    }
    Result<Report> read(int timeout_ms) override {
        auto r = token_->read_report(std::chrono::milliseconds(timeout_ms < 0 ? -1 : timeout_ms));
        if (!r) return Error(Errc::fido2_io, "timeout waiting for the soft token");
        return *r;
    }

private:
    std::shared_ptr<softtoken::SoftToken> token_;
};

}  // namespace

void SoftTokenProvider::add(std::string name, std::shared_ptr<softtoken::SoftToken> token) {
    std::lock_guard lk(mu_);
    tokens_[std::move(name)] = std::move(token);
}

std::shared_ptr<softtoken::SoftToken> SoftTokenProvider::find(std::string_view name) const {
    std::lock_guard lk(mu_);
    auto it = tokens_.find(name);
    return it == tokens_.end() ? nullptr : it->second;
}

Result<std::vector<DeviceEntry>> SoftTokenProvider::enumerate() {
    std::lock_guard lk(mu_);
    std::vector<DeviceEntry> out;
    for (const auto& [name, tok] : tokens_) out.push_back({"soft:" + name, "mfakit", "soft token (testing only)", 0, 0});
    return out;
}

Result<std::unique_ptr<Transport>> SoftTokenProvider::open(std::string_view name) {
    if (name.empty()) return Error(Errc::fido2_no_device, "soft token name is empty");
    std::shared_ptr<softtoken::SoftToken> tok = find(name);
    if (!tok) {
        auto opened = softtoken::SoftToken::open(std::filesystem::path(std::string(name)));
        if (!opened) return std::move(opened).error();
        tok = *opened;
        add(std::string(name), tok);
    }
    return std::unique_ptr<Transport>(new SoftTransport(std::move(tok)));
}

}  // namespace mfa::fido2

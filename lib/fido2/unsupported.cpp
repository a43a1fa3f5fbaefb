// The FIDO2 client in a build with -Dfido2=disabled: no libfido2, no hidapi. Providers and soft
// tokens stay (the soft token itself does not need libfido2), but binding a device into the client,
// and so every Device operation, answers unsupported with the reason.
#include "internal.hpp"

namespace mfa::fido2 {
namespace {

Error unsupported() {
    return Error(Errc::unsupported, "built without FIDO2 support (meson -Dfido2=enabled: libfido2, hidapi)");
}

// USB keys need hidapi: listing or opening one says why (an empty list would read as "no key
// plugged in").
class NoHidProvider final : public DeviceProvider {
public:
    std::string_view scheme() const override { return "hid"; }
    Result<std::vector<DeviceEntry>> enumerate() override { return unsupported(); }
    Result<std::unique_ptr<Transport>> open(std::string_view) override { return unsupported(); }
};

}  // namespace

// A Device is never made in this build; these keep the API whole for the callers that name it.
struct Device::Impl {
    std::string path;
};

std::shared_ptr<DeviceProvider> make_hid_provider() { return std::make_shared<NoHidProvider>(); }

Result<std::unique_ptr<Device>> bind_device(std::string, std::unique_ptr<Transport>) { return unsupported(); }

Device::Device(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Device::~Device() = default;
const std::string& Device::path() const noexcept { return impl_->path; }
bool Device::is_fido2() const noexcept { return false; }
void Device::on_user_presence(std::function<void()>) {}
Status Device::set_timeout(int) { return unsupported(); }
void Device::cancel() noexcept {}
Result<Info> Device::info() { return unsupported(); }
Result<Credential> Device::make_credential(const MakeCredentialRequest&) { return unsupported(); }
Result<std::vector<Assertion>> Device::get_assertions(const GetAssertionRequest&) { return unsupported(); }
Status Device::set_pin(const SecretString&) { return unsupported(); }
Status Device::change_pin(const SecretString&, const SecretString&) { return unsupported(); }
Result<int> Device::pin_retries() { return unsupported(); }
Status Device::reset() { return unsupported(); }
Result<CredentialMetadata> Device::credential_metadata(const SecretString&) { return unsupported(); }
Result<std::vector<RpEntry>> Device::list_rps(const SecretString&) { return unsupported(); }
Result<std::vector<ResidentCredentialEntry>> Device::list_credentials(std::string_view, const SecretString&) {
    return unsupported();
}
Status Device::delete_credential(ByteView, const SecretString&) { return unsupported(); }
// Attestation checks are libfido2's (fido_cred_verify); Assertion::verify needs only COSE.
Status Credential::verify(ByteView, std::string_view) const { return unsupported(); }

}  // namespace mfa::fido2

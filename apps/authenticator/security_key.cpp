#include "security_key.hpp"

#include <cstdlib>
#include <ostream>

#include "mfa/fido2.hpp"
#include "mfa/vault_fido2.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

// Owns the client and the device the provider talks to.
class OwnedKey final : public HmacSecretProvider {
public:
    OwnedKey(std::unique_ptr<fido2::Client> client, std::unique_ptr<fido2::Device> dev, Context& ctx)
        : client_(std::move(client)), dev_(std::move(dev)) {
        Fido2KeyCallbacks cb;
        cb.ask_pin = [&ctx]() -> std::optional<SecretString> {
            SecretString pin;
            if (read_passphrase(ctx, "", "Security key PIN: ", false, pin) != kExitOk) return std::nullopt;
            return pin;
        };
        cb.touch = [&ctx] { ctx.err << "Touch your security key...\n"; };
        inner_ = make_fido2_hmac_provider(*dev_, std::move(cb));
    }
    Result<Bytes> make_credential(std::string_view rp_id, ByteView user_id) override {
        return inner_->make_credential(rp_id, user_id);
    }
    Result<SecretBytes> hmac_secret(std::string_view rp_id, ByteView cred, ByteView salt) override {
        return inner_->hmac_secret(rp_id, cred, salt);
    }

private:
    std::unique_ptr<fido2::Client> client_;
    std::unique_ptr<fido2::Device> dev_;
    std::unique_ptr<HmacSecretProvider> inner_;
};

}  // namespace

Result<std::unique_ptr<HmacSecretProvider>> open_security_key(Context& ctx) {
    auto client = std::make_unique<fido2::Client>();
    // $MFA_SECURITY_KEY names a device ("hid:/dev/hidraw3", "tty:/dev/pts/5", or "soft:STATE-FILE"
    // for the soft token); otherwise the first USB security key.
    std::string path;
    if (const char* p = std::getenv("MFA_SECURITY_KEY"); p != nullptr && *p != '\0') {
        path = p;
    } else {
        auto list = client->list();
        if (!list) return Error(Errc::vault_key_provider, list.error().to_string());
        if (list->empty()) return Error(Errc::vault_key_provider, "no FIDO2 security key found (plug one in)");
        path = list->front().path;
    }
    auto dev = client->open(path);
    if (!dev) return Error(Errc::vault_key_provider, path + ": " + dev.error().to_string());
    return std::unique_ptr<HmacSecretProvider>(std::make_unique<OwnedKey>(std::move(client), std::move(*dev), ctx));
}

}  // namespace mfa::app

// Security-key slots over the FIDO2 client: make a credential with hmac-secret, evaluate it.
#include "mfa/random.hpp"
#include "mfa/vault_fido2.hpp"

namespace mfa {
namespace {

constexpr int kCtapNoCredentials = 0x2E;
constexpr int kCtapPinRequired = 0x36;

bool needs_pin(Errc c) {
    return c == Errc::fido2_pin_required || static_cast<int>(c) == kCtapPinRequired;
}

class Fido2Hmac final : public HmacSecretProvider {
public:
    Fido2Hmac(fido2::Device& d, Fido2KeyCallbacks cb) : dev_(d), cb_(std::move(cb)) {
        if (cb_.touch) dev_.on_user_presence(cb_.touch);
    }

    Result<Bytes> make_credential(std::string_view rp_id, ByteView user_id) override {
        fido2::MakeCredentialRequest req;
        req.client_data_hash = Bytes(32);
        MFA_TRY(random_fill(req.client_data_hash));
        req.rp = {std::string(rp_id), "mfa vault"};
        req.user.id.assign(user_id.begin(), user_id.end());
        req.user.name = "mfa";
        req.user.display_name = "mfa vault";
        req.hmac_secret = true;
        auto cred = dev_.make_credential(req);
        if (!cred && needs_pin(cred.code())) {
            auto pin = cb_.ask_pin ? cb_.ask_pin() : std::nullopt;
            if (!pin) return std::move(cred).error();
            req.pin = std::move(*pin);
            cred = dev_.make_credential(req);
        }
        if (!cred) return std::move(cred).error();
        if (!cred->hmac_secret) return Error(Errc::vault_key_provider, "the security key does not support hmac-secret");
        return cred->credential_id;
    }

    Result<SecretBytes> hmac_secret(std::string_view rp_id, ByteView credential_id, ByteView salt) override {
        fido2::GetAssertionRequest req;
        req.rp_id = std::string(rp_id);
        req.client_data_hash = Bytes(32);
        MFA_TRY(random_fill(req.client_data_hash));
        req.allow.emplace_back(credential_id.begin(), credential_id.end());
        req.hmac_salt1 = Bytes(salt.begin(), salt.end());
        auto a = dev_.get_assertions(req);
        if (!a && needs_pin(a.code())) {
            auto pin = cb_.ask_pin ? cb_.ask_pin() : std::nullopt;
            if (!pin) return std::move(a).error();
            req.pin = std::move(*pin);
            a = dev_.get_assertions(req);
        }
        if (!a) {
            if (static_cast<int>(a.code()) == kCtapNoCredentials)
                return Error(Errc::not_found, "the credential is not on this security key");
            return std::move(a).error();
        }
        if (a->size() != 1 || (*a)[0].hmac_secret.size() != 32)
            return Error(Errc::vault_key_provider, "no hmac-secret output in the assertion");
        return std::move((*a)[0].hmac_secret);
    }

private:
    fido2::Device& dev_;
    Fido2KeyCallbacks cb_;
};

}  // namespace

std::unique_ptr<HmacSecretProvider> make_fido2_hmac_provider(fido2::Device& device, Fido2KeyCallbacks callbacks) {
    return std::make_unique<Fido2Hmac>(device, std::move(callbacks));
}

}  // namespace mfa

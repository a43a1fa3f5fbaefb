#include "security_key.hpp"

#include <fido.h>
#include <fido/es256.h>

#include <ostream>
#include <string>

#include "mfa/random.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

Error fido_error(std::string_view step, int rc) {
    return Error(Errc::vault_key_provider, std::string(step) + ": " + fido_strerr(rc));
}

class Fido2Key final : public HmacSecretProvider {
public:
    Fido2Key(fido_dev_t* dev, Context& ctx) : dev_(dev), ctx_(ctx) {}
    ~Fido2Key() override {
        fido_dev_close(dev_);
        fido_dev_free(&dev_);
    }

    Result<Bytes> make_credential(std::string_view rp_id, ByteView user_id) override {
        fido_cred_t* cred = fido_cred_new();
        if (cred == nullptr) return Error(Errc::no_memory, "fido_cred_new");
        std::uint8_t cdh[32];
        MFA_TRY(random_fill(cdh));
        const std::string rp(rp_id);
        int rc = fido_cred_set_type(cred, COSE_ES256);
        if (rc == FIDO_OK) rc = fido_cred_set_clientdata_hash(cred, cdh, sizeof cdh);
        if (rc == FIDO_OK) rc = fido_cred_set_rp(cred, rp.c_str(), "mfa vault");
        if (rc == FIDO_OK) rc = fido_cred_set_user(cred, user_id.data(), user_id.size(), "mfa", "mfa vault", nullptr);
        if (rc == FIDO_OK) rc = fido_cred_set_extensions(cred, FIDO_EXT_HMAC_SECRET);
        if (rc != FIDO_OK) {
            fido_cred_free(&cred);
            return fido_error("credential parameters", rc);
        }
        ctx_.err << "Touch your security key to enrol it...\n";
        rc = fido_dev_make_cred(dev_, cred, nullptr);
        if (rc == FIDO_ERR_PIN_REQUIRED) {
            SecretString pin;
            if (read_passphrase(ctx_, "", "Security key PIN: ", false, pin) != kExitOk) {
                fido_cred_free(&cred);
                return Error(Errc::vault_key_provider, "no PIN given");
            }
            rc = fido_dev_make_cred(dev_, cred, std::string(pin.view()).c_str());
        }
        if (rc != FIDO_OK) {
            fido_cred_free(&cred);
            return fido_error("make credential", rc);
        }
        Bytes id(fido_cred_id_ptr(cred), fido_cred_id_ptr(cred) + fido_cred_id_len(cred));
        fido_cred_free(&cred);
        return id;
    }

    Result<SecretBytes> hmac_secret(std::string_view rp_id, ByteView credential_id, ByteView salt) override {
        fido_assert_t* a = fido_assert_new();
        if (a == nullptr) return Error(Errc::no_memory, "fido_assert_new");
        std::uint8_t cdh[32];
        MFA_TRY(random_fill(cdh));
        const std::string rp(rp_id);
        int rc = fido_assert_set_clientdata_hash(a, cdh, sizeof cdh);
        if (rc == FIDO_OK) rc = fido_assert_set_rp(a, rp.c_str());
        if (rc == FIDO_OK) rc = fido_assert_allow_cred(a, credential_id.data(), credential_id.size());
        if (rc == FIDO_OK) rc = fido_assert_set_extensions(a, FIDO_EXT_HMAC_SECRET);
        if (rc == FIDO_OK) rc = fido_assert_set_hmac_salt(a, salt.data(), salt.size());
        if (rc != FIDO_OK) {
            fido_assert_free(&a);
            return fido_error("assertion parameters", rc);
        }
        ctx_.err << "Touch your security key...\n";
        rc = fido_dev_get_assert(dev_, a, nullptr);
        if (rc == FIDO_ERR_NO_CREDENTIALS) {
            fido_assert_free(&a);
            return Error(Errc::not_found, "the credential is not on this security key");
        }
        if (rc != FIDO_OK || fido_assert_count(a) != 1 || fido_assert_hmac_secret_len(a, 0) != 32) {
            fido_assert_free(&a);
            return fido_error("hmac-secret", rc == FIDO_OK ? FIDO_ERR_INVALID_ARGUMENT : rc);
        }
        SecretBytes out(ByteView(fido_assert_hmac_secret_ptr(a, 0), 32));
        fido_assert_free(&a);
        return out;
    }

private:
    fido_dev_t* dev_;
    Context& ctx_;
};

}  // namespace

Result<std::unique_ptr<HmacSecretProvider>> open_security_key(Context& ctx) {
    fido_init(0);
    constexpr std::size_t kMax = 16;
    fido_dev_info_t* list = fido_dev_info_new(kMax);
    if (list == nullptr) return Error(Errc::no_memory, "fido_dev_info_new");
    std::size_t n = 0;
    int rc = fido_dev_info_manifest(list, kMax, &n);
    if (rc != FIDO_OK || n == 0) {
        fido_dev_info_free(&list, kMax);
        return Error(Errc::vault_key_provider, "no FIDO2 security key found (plug one in)");
    }
    const std::string path = fido_dev_info_path(fido_dev_info_ptr(list, 0));
    fido_dev_info_free(&list, kMax);
    fido_dev_t* dev = fido_dev_new();
    if (dev == nullptr) return Error(Errc::no_memory, "fido_dev_new");
    rc = fido_dev_open(dev, path.c_str());
    if (rc != FIDO_OK) {
        fido_dev_free(&dev);
        return fido_error("open " + path, rc);
    }
    return std::unique_ptr<HmacSecretProvider>(std::make_unique<Fido2Key>(dev, ctx));
}

}  // namespace mfa::app

// Test doubles for the vault: a fake hmac-secret authenticator, a fake clock, and a scratch
// directory. The fake computes HMAC-SHA256(device secret, credential id || salt), as a real
// authenticator derives a per-credential secret and HMACs the salt with it.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mfa/random.hpp"
#include "mfa/vault.hpp"

namespace mfa::test {

class FakeKey : public HmacSecretProvider {
public:
    FakeKey() : secret_(32) { (void)random_fill(secret_.span()); }
    Result<Bytes> make_credential(std::string_view rp_id, ByteView) override {
        if (unplugged) return Error(Errc::io, "no device");
        Bytes id(48);
        MFA_TRY(random_fill(id));
        creds_.push_back(id);
        last_rp_ = std::string(rp_id);
        return id;
    }
    Result<SecretBytes> hmac_secret(std::string_view, ByteView cred, ByteView salt) override {
        ++calls;
        if (unplugged) return Error(Errc::io, "no device");
        if (std::find_if(creds_.begin(), creds_.end(), [&](const Bytes& c) {
                return std::equal(c.begin(), c.end(), cred.begin(), cred.end());
            }) == creds_.end())
            return Error(Errc::not_found, "credential not on this key");
        Bytes msg(cred.begin(), cred.end());
        msg.insert(msg.end(), salt.begin(), salt.end());
        SecretBytes out(32);
        unsigned len = 0;
        HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), msg.data(), msg.size(), out.data(), &len);
        return out;
    }
    // Another key that knows the same credentials but has a different device secret.
    void forget_secret() { (void)random_fill(secret_.span()); }
    bool unplugged = false;
    int calls = 0;
    std::string last_rp_;

private:
    SecretBytes secret_;
    std::vector<Bytes> creds_;
};

struct FakeClock {
    std::int64_t t = 1'800'000'000;   // 2027-01-15
    std::function<std::int64_t()> fn() {
        return [this] { return t; };
    }
};

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "mfa-vault-test-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

}  // namespace mfa::test

#include "pin_protocol.hpp"

#include "crypto.hpp"
#include "mfa/ct.hpp"
#include "rng.hpp"

namespace mfa::softtoken {

ByteView PinProtocol::aes_key(ByteView shared) const noexcept {
    return v_ == 2 && shared.size() == 64 ? shared.subspan(32) : shared.first(std::min<std::size_t>(32, shared.size()));
}

ByteView PinProtocol::hmac_key(ByteView key) const noexcept {
    // Protocol two uses the HMAC half of a 64-byte shared secret; a 32-byte token is used whole.
    return v_ == 2 ? key.first(std::min<std::size_t>(32, key.size())) : key;
}

Result<SecretBytes> PinProtocol::kdf(ByteView z) const {
    if (v_ == 1) {
        const Hash h = sha256(z);
        return SecretBytes(ByteView(h));
    }
    static constexpr std::uint8_t kSalt[32] = {};
    static constexpr char kHmacInfo[] = "CTAP2 HMAC key";
    static constexpr char kAesInfo[] = "CTAP2 AES key";
    auto h = hkdf_sha256(z, kSalt, as_bytes(std::string_view(kHmacInfo, sizeof kHmacInfo - 1)), 32);
    if (!h) return std::move(h).error();
    auto a = hkdf_sha256(z, kSalt, as_bytes(std::string_view(kAesInfo, sizeof kAesInfo - 1)), 32);
    if (!a) return std::move(a).error();
    SecretBytes out = std::move(*h);
    out.append(a->view());
    return out;
}

Result<Bytes> PinProtocol::encrypt(ByteView shared, ByteView plain, Rng& rng) const {
    std::uint8_t iv[16] = {};
    if (v_ == 2) MFA_TRY(rng.fill(iv));
    auto c = aes256_cbc(true, aes_key(shared), iv, plain);
    if (!c || v_ == 1) return c;
    Bytes out(iv, iv + 16);
    out.insert(out.end(), c->begin(), c->end());
    return out;
}

Result<SecretBytes> PinProtocol::decrypt(ByteView shared, ByteView cipher) const {
    static constexpr std::uint8_t kZeroIv[16] = {};
    ByteView iv = kZeroIv;
    if (v_ == 2) {
        if (cipher.size() < 16) return Error(Errc::invalid_argument, "ciphertext shorter than its IV");
        iv = cipher.first(16);
        cipher = cipher.subspan(16);
    }
    if (cipher.empty() || cipher.size() % 16 != 0)
        return Error(Errc::invalid_argument, "ciphertext is not whole AES blocks");
    auto p = aes256_cbc(false, aes_key(shared), iv, cipher);
    if (!p) return std::move(p).error();
    SecretBytes out(*p);
    secure_wipe(p->data(), p->size());
    return out;
}

Result<Bytes> PinProtocol::authenticate(ByteView key, ByteView message) const {
    auto mac = hmac_sha256(hmac_key(key), message);
    if (!mac) return std::move(mac).error();
    return Bytes(mac->begin(), mac->begin() + (v_ == 1 ? 16 : 32));
}

bool PinProtocol::verify(ByteView key, ByteView message, ByteView signature) const {
    auto mac = authenticate(key, message);
    if (!mac || signature.size() != mac->size()) return false;
    return ct_equal(*mac, signature);
}

}  // namespace mfa::softtoken

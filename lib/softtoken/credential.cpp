#include "credential.hpp"

#include "rng.hpp"

namespace mfa::softtoken {
namespace {
constexpr std::uint8_t kFormat = 1;
constexpr std::size_t kNonce = 12, kPlain = 68, kTag = 16;
static_assert(1 + kNonce + kPlain + kTag == 97);
}  // namespace

Result<cose::Pkey> CredentialSecret::key() const {
    if (alg == cose::Alg::EdDSA) return ed25519_from_seed(private_key.view());
    return p256_from_scalar(private_key.view());
}

Result<Hash> CredentialSecret::cred_random(bool uv) const {
    static constexpr std::uint8_t kUv[] = {'u', 'v'};
    static constexpr std::uint8_t kNoUv[] = {'n', 'o', '-', 'u', 'v'};
    return hmac_sha256(hmac_seed.view(), uv ? ByteView(kUv) : ByteView(kNoUv));
}

Result<CredentialSecret> new_credential(cose::Alg alg, std::uint8_t cred_protect, bool resident, bool hmac_secret,
                                        Rng& rng) {
    CredentialSecret c;
    c.alg = alg;
    c.cred_protect = cred_protect;
    c.resident = resident;
    c.hmac_secret = hmac_secret;
    if (alg == cose::Alg::EdDSA) {
        auto k = rng.secret(32);
        if (!k) return std::move(k).error();
        c.private_key = std::move(*k);
    } else {
        auto k = p256_new_scalar(rng);
        if (!k) return std::move(k).error();
        c.private_key = std::move(*k);
    }
    auto seed = rng.secret(32);
    if (!seed) return std::move(seed).error();
    c.hmac_seed = std::move(*seed);
    return c;
}

Result<Bytes> wrap_credential(ByteView wrap_key, ByteView rp_id_hash, const CredentialSecret& c, Rng& rng) {
    SecretBytes plain(kPlain);
    plain[0] = c.alg == cose::Alg::EdDSA ? 2 : 1;
    plain[1] = c.cred_protect;
    plain[2] = c.resident ? 1 : 0;
    plain[3] = c.hmac_secret ? 1 : 0;
    std::copy(c.private_key.view().begin(), c.private_key.view().end(), plain.data() + 4);
    std::copy(c.hmac_seed.view().begin(), c.hmac_seed.view().end(), plain.data() + 36);
    Bytes id(1 + kNonce);
    id[0] = kFormat;
    MFA_TRY(rng.fill(std::span<std::uint8_t>(id).subspan(1)));
    auto sealed = aes256_gcm_seal(wrap_key, ByteView(id).subspan(1), rp_id_hash, plain.view());
    if (!sealed) return std::move(sealed).error();
    id.insert(id.end(), sealed->begin(), sealed->end());
    return id;
}

Result<CredentialSecret> unwrap_credential(ByteView wrap_key, ByteView rp_id_hash, ByteView id) {
    if (id.size() != 1 + kNonce + kPlain + kTag || id[0] != kFormat)
        return Error(Errc::not_found, "not a credential ID of this token");
    auto plain = aes256_gcm_open(wrap_key, id.subspan(1, kNonce), rp_id_hash, id.subspan(1 + kNonce));
    if (!plain) return Error(Errc::not_found, "credential ID does not open for this RP");
    const SecretBytes& p = *plain;
    if ((p[0] != 1 && p[0] != 2) || p[1] > 3 || p[2] > 1 || p[3] > 1)
        return Error(Errc::not_found, "credential ID with an unknown layout");
    CredentialSecret c;
    c.alg = p[0] == 2 ? cose::Alg::EdDSA : cose::Alg::ES256;
    c.cred_protect = p[1];
    c.resident = p[2] == 1;
    c.hmac_secret = p[3] == 1;
    c.private_key = SecretBytes(p.view().subspan(4, 32));
    c.hmac_seed = SecretBytes(p.view().subspan(36, 32));
    return c;
}

}  // namespace mfa::softtoken

#include "rng.hpp"

#include <algorithm>

#include "crypto.hpp"
#include "mfa/random.hpp"

namespace mfa::softtoken {

Rng::Rng(std::uint64_t seed) {
    Bytes m(std::begin("mfakit softtoken drbg"), std::end("mfakit softtoken drbg") - 1);
    for (int i = 7; i >= 0; --i) m.push_back(static_cast<std::uint8_t>(seed >> (8 * i)));
    key_ = sha256(m);
}

Status Rng::fill(std::span<std::uint8_t> out) {
    if (!key_) return random_fill(out);
    std::size_t off = 0;
    while (off < out.size()) {
        std::uint8_t ctr[8];
        for (int i = 0; i < 8; ++i) ctr[i] = static_cast<std::uint8_t>(counter_ >> (56 - 8 * i));
        ++counter_;
        auto block = hmac_sha256(*key_, ctr);
        if (!block) return block.error();
        const std::size_t n = std::min(out.size() - off, block->size());
        std::copy_n(block->begin(), n, out.begin() + static_cast<std::ptrdiff_t>(off));
        off += n;
    }
    return {};
}

Result<SecretBytes> Rng::secret(std::size_t n) {
    SecretBytes s(n);
    MFA_TRY(fill(s.span()));
    return s;
}

}  // namespace mfa::softtoken

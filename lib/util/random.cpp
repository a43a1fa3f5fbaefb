#include "mfa/random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace mfa {

Status random_fill(std::span<std::uint8_t> out) noexcept {
    std::size_t off = 0;
    while (off < out.size()) {
        const std::size_t chunk = std::min<std::size_t>(out.size() - off, INT_MAX);
        if (RAND_bytes(out.data() + off, static_cast<int>(chunk)) != 1)
            return Status(Errc::crypto, "RAND_bytes failed");
        off += chunk;
    }
    return {};
}

Result<SecretBytes> random_secret(std::size_t n) {
    SecretBytes s(n);
    MFA_TRY(random_fill(s.span()));
    return s;
}

Result<std::uint32_t> random_uniform(std::uint32_t bound) {
    if (bound == 0) return Error(Errc::invalid_argument, "bound must be positive");
    // Reject the top sliver of the 32-bit range that would bias the modulo.
    const std::uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
    for (;;) {
        std::uint32_t v = 0;
        MFA_TRY(random_fill({reinterpret_cast<std::uint8_t*>(&v), sizeof v}));
        if (v < limit) return v % bound;
    }
}

}  // namespace mfa

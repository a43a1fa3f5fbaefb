// PHC strings (argon2, scrypt, pbkdf2): parsing never crashes and keeps every cost bounded; cheap
// accepted hashes are verified (which must answer ok or mismatch, never crash).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/server/password.hpp"

using namespace mfa::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    auto h = parse_phc(s);
    if (!h) return 0;
    if (h->salt.size() < 8 || h->hash.size() < 16 || h->hash.size() > 128) std::abort();
    const bool cheap = (h->alg <= PhcAlgorithm::argon2d && h->m <= 256 && h->t <= 2) ||
                       (h->alg == PhcAlgorithm::scrypt && h->m <= 8 && h->t <= 8 && h->p <= 2) ||
                       (h->alg >= PhcAlgorithm::pbkdf2_sha1 && h->iterations <= 1000);
    if (cheap) {
        const auto st = verify_password("fuzz", s);
        if (!st.ok() && st.code() != mfa::Errc::password_mismatch) std::abort();
    }
    (void)needs_rehash(s);
    return 0;
}

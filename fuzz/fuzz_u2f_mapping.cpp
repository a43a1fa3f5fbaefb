// pam-u2f's u2f_keys / authfile= mappings (mfa/server/migrate.hpp) on untrusted bytes: must never
// crash; whatever it accepts has a user name, 1..24 credentials each with a COSE key that decodes
// under its algorithm, a credential id within WebAuthn's limit (or none, for '*'), and the same
// result for one user when only that user's lines are parsed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/cose.hpp"
#include "mfa/server/migrate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = mfa::server::parse_u2f_mappings(text);
    if (!r) return 0;
    for (const auto& m : *r) {
        if (m.user.empty() || m.user.size() > mfa::server::kMaxUserName || m.line == 0) std::abort();
        if (m.keys.empty() || m.keys.size() > mfa::server::kMaxU2fKeysPerUser) std::abort();
        for (const auto& k : m.keys) {
            if (k.credential_id.size() > 1023) std::abort();
            auto key = mfa::cose::decode_key(k.public_key);
            if (!key || static_cast<int>(key->alg) != k.alg) std::abort();
            if (k.old_format && (!k.presence || k.credential_id.empty() || k.alg != -7)) std::abort();
        }
        auto one = mfa::server::parse_u2f_mappings(text, m.user);
        if (!one) std::abort();
        const auto* a = mfa::server::u2f_mapping_for(*r, m.user);
        const auto* b = mfa::server::u2f_mapping_for(*one, m.user);
        if (!a || !b || a->line != b->line || a->keys.size() != b->keys.size()) std::abort();
    }
    return 0;
}

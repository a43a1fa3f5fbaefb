// The vault file parser on untrusted bytes: must never crash or over-read. A file that parses and
// asks for cheap Argon2id parameters is also decrypted with the passphrase the seed corpus uses
// ("fuzz"), which drives the slot unwrap, GCM and the payload parser.
#include <cstdint>
#include <cstdlib>

#include "mfa/vault.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const mfa::ByteView file(data, size);
    auto info = mfa::parse_vault_header(file);
    if (!info) return 0;
    if (info->slots.empty()) std::abort();   // the parser guarantees at least one slot
    for (const auto& s : info->slots)
        if (s.type == mfa::SlotType::passphrase && (s.kdf.memory_kib > 1024 || s.kdf.passes > 2)) return 0;
    auto entries = mfa::decrypt_vault_image(file, mfa::SecretString("fuzz"));
    if (entries) {
        for (const auto& e : *entries)
            if (!mfa::validate_entry(e)) std::abort();   // the payload parser validates every entry
    }
    return 0;
}

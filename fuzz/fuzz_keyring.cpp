// Key ring files and encrypted fields: parsing never crashes; a parsed ring re-formats to text that
// parses again to the same ring; a fuzzed field never decrypts under a fixed ring unless it is one.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mfa/server/keyring.hpp"

using namespace mfa::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto ring = KeyRing::parse(text);
    if (ring) {
        const std::string formatted(ring->format().view());
        auto again = KeyRing::parse(formatted);
        if (!again || std::string(again->format().view()) != formatted) std::abort();
        if (ring->current_id() == 0) std::abort();
    }
    static const KeyRing fixed = *KeyRing::parse("mfa-keyring 1\nkey 1 active AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    (void)KeyRing::field_key_id(text);
    auto d = fixed.decrypt(text, "fuzz");
    if (d) {
        // Only a genuine encryption under key 1 with this context can authenticate: re-encrypting
        // and decrypting must agree.
        auto e = fixed.encrypt(d->view(), "fuzz");
        if (!e || !fixed.decrypt(*e, "fuzz")) std::abort();
    }
    return 0;
}

// Store URLs: parsing never crashes and accepted URLs have sensible parts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto u = mfa::store::parse_store_url(text);
    if (!u) return 0;
    using K = mfa::store::StoreUrl::Kind;
    if (u->kind == K::sqlite && u->path.empty()) std::abort();
    if (u->kind == K::redis && (u->host.empty() || u->port == 0 || u->db > 15)) std::abort();
    return 0;
}

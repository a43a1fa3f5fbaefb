// API token parsing: never crashes; an accepted token has the stated shape and a matching checksum.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/server/api_token.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view t(reinterpret_cast<const char*>(data), size);
    auto p = mfa::server::parse_api_token(t);
    if (!p) return 0;
    if (p->id.size() != mfa::server::kTokenIdChars || t.substr(p->prefix.size() + 1, 8) != p->id) std::abort();
    if (mfa::server::api_token_hash(t).size() != 64) std::abort();
    return 0;
}

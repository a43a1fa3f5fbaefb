// The strict JSON reader (mfa/json.hpp) on any bytes. What it accepts nlohmann's own parser must
// accept too (the reader only adds refusals), and must survive a dump and a second strict read
// unchanged: a DOM the reader built cannot hold a duplicate or an invalid string.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const mfa::json::Options opt{.what = "fuzz", .max_bytes = 64 * 1024, .max_depth = 16};
    auto v = mfa::json::parse(text, opt);
    if (!v) {
        // Every refusal names its position.
        if (v.code() != mfa::Errc::limit_exceeded && v.error().detail.find(" at byte ") == std::string::npos) std::abort();
        return 0;
    }
    if (!nlohmann::json::accept(text)) std::abort();
    const std::string again = v->dump();
    auto w = mfa::json::parse(again, opt);
    if (!w || *w != *v) std::abort();
    return 0;
}

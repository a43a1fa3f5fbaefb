// The administration records the toolkit keeps in the store (membership, account deletion,
// password renewal state; lib/server/admin_keys.hpp): parsing never crashes; a parsed record
// re-serialises to JSON that parses to the same record.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/admin_keys.hpp"

using namespace mfa::server;

namespace {

template <class Parse, class Format>
void round_trip(std::string_view text, Parse parse, Format format) {
    auto r = parse(text);
    if (!r) return;
    const auto once = format(*r);
    auto again = parse(once);
    if (!again || format(*again) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0: round_trip(text, detail::parse_membership, detail::membership_json); break;
        case 1: round_trip(text, detail::parse_deletion, detail::deletion_json); break;
        default: round_trip(text, detail::parse_password_state, detail::password_state_json); break;
    }
    return 0;
}

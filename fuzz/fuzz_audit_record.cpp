// Audit records: parsing never crashes; only canonical text is accepted, so what parses re-renders
// byte for byte.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/server/audit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = mfa::server::parse_audit_record(text);
    if (!r) return 0;
    if (mfa::server::audit_record_text(r->event, r->prev) != text) std::abort();
    return 0;
}

// IP and email-domain allow lists: parsing never crashes; what parses re-formats to a canonical list
// that parses to the same canonical text; lookups on accepted lists never crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mfa/server/allowlist.hpp"

using namespace mfa::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1) {
        auto l = EmailDomainAllowList::parse(text);
        if (!l) {
            (void)EmailDomainAllowList{}.allows(text);
            return 0;
        }
        auto again = EmailDomainAllowList::parse(l->format());
        if (!again || again->format() != l->format()) std::abort();
        for (const char* e : {"a@example.com", "b@x.example.com", "c@evil-example.com"}) (void)l->allows(e);
    } else {
        auto l = IpAllowList::parse(text);
        if (!l) {
            (void)IpAllowList{}.allows(text);
            return 0;
        }
        auto again = IpAllowList::parse(l->format());
        if (!again || again->format() != l->format()) std::abort();
        for (const char* ip : {"10.1.2.3", "::ffff:10.1.2.3", "2001:db8::1", "::"}) (void)l->allows(ip);
    }
    return 0;
}

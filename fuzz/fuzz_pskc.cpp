// The hardware-token import path: PSKC files (RFC 6030) through parse_pskc (libxml2 + libpskc +
// the decryption), and the stored token records. The first byte picks the target: 0 a PSKC file
// without keys, 1 with the RFC 6030 pre-shared key and passphrase, 2 a token record (which must
// re-serialise to JSON that parses to the same record). Never crashes; a parsed key is always a
// valid OTP configuration.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/encoding.hpp"
#include "mfa/server/pskc.hpp"
#include "server/hwtoken_record.hpp"

using namespace mfa;
using namespace mfa::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
        case 1: {
            PskcDecryption dec;
            if (data[0] % 3 == 1) {
                dec.key = SecretBytes(*hex_decode("12345678901234567890123456789012"));
                dec.passphrase = SecretString("qwerty");
            }
            auto keys = parse_pskc(text, dec);
            if (keys) {
                for (const auto& k : *keys) {
                    OtpParams p;
                    p.type = k.type;
                    p.algorithm = k.algorithm;
                    p.digits = k.digits;
                    p.period = k.period;
                    if (!validate(p) || k.serial.empty() || k.secret.empty()) std::abort();
                }
            }
            break;
        }
        default: {
            auto r = server::detail::parse_hwtoken_record(text);
            if (r) {
                auto again = server::detail::parse_hwtoken_record(server::detail::hwtoken_record_json(*r));
                if (!again || server::detail::hwtoken_record_json(*again) != server::detail::hwtoken_record_json(*r)) std::abort();
            }
        }
    }
    return 0;
}

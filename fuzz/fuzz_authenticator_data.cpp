// Authenticator data parsing of untrusted bytes: never crash; what parses must serialize back to
// exactly the input.
#include <cstdint>
#include <cstdlib>

#include "mfa/webauthn/authdata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const mfa::ByteView in(data, size);
    auto ad = mfa::webauthn::parse_authenticator_data(in);
    if (!ad) return 0;
    auto out = mfa::webauthn::serialize_authenticator_data(*ad);
    if (!out || *out != mfa::Bytes(in.begin(), in.end())) std::abort();
    return 0;
}

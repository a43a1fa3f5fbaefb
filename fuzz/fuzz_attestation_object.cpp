// Attestation object parsing of untrusted bytes: never crash; what parses must encode back to
// exactly the input.
#include <cstdint>
#include <cstdlib>

#include "mfa/webauthn/authdata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const mfa::ByteView in(data, size);
    auto obj = mfa::webauthn::parse_attestation_object(in);
    if (!obj) return 0;
    auto out = mfa::webauthn::encode_attestation_object(obj->fmt, obj->att_stmt, obj->auth_data_raw);
    if (!out || *out != mfa::Bytes(in.begin(), in.end())) std::abort();
    auto ad = mfa::webauthn::serialize_authenticator_data(obj->auth_data);
    if (!ad || *ad != obj->auth_data_raw) std::abort();
    return 0;
}

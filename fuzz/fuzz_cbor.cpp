// CBOR decoding of untrusted bytes: must never crash or allocate past its limits. What decodes in
// the strict mode must re-encode to exactly the input (the canonical form is unique); what decodes
// in the lenient mode must re-encode to canonical bytes that the strict mode takes back unchanged.
#include <cstdint>
#include <cstdlib>

#include "mfa/cbor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const mfa::ByteView in(data, size);
    auto strict = mfa::cbor::decode(in);
    if (strict) {
        auto out = mfa::cbor::encode(*strict);
        if (!out || *out != mfa::Bytes(in.begin(), in.end())) std::abort();
    }
    auto prefix = mfa::cbor::decode_prefix(in);
    if (prefix && (prefix->consumed == 0 || prefix->consumed > size)) std::abort();
    if (strict && (!prefix || prefix->consumed != size)) std::abort();

    mfa::cbor::DecodeOptions lax;
    lax.canonical = false;
    auto loose = mfa::cbor::decode(in, lax);
    if (!loose) return 0;
    auto canon = mfa::cbor::encode(*loose);
    if (!canon) std::abort();
    auto again = mfa::cbor::decode(*canon);
    if (!again || !(*again == *loose)) std::abort();
    return 0;
}

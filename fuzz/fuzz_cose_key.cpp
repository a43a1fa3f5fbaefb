// COSE_Key parsing of untrusted bytes: never crash; a key that parses must encode back to a
// COSE_Key that parses to the same public key.
#include <cstdint>
#include <cstdlib>

#include <openssl/evp.h>

#include "mfa/cose.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto key = mfa::cose::decode_key(mfa::ByteView(data, size));
    if (!key) return 0;
    auto enc = mfa::cose::encode_key(key->pkey.get(), key->alg);
    if (!enc) std::abort();
    auto again = mfa::cose::decode_key(*enc);
    if (!again || again->alg != key->alg || EVP_PKEY_eq(again->pkey.get(), key->pkey.get()) != 1) std::abort();
    // A signature check on garbage must fail cleanly, never crash.
    if (mfa::cose::verify_signature(key->alg, key->pkey.get(), mfa::ByteView(data, size), mfa::ByteView(data, size)).ok())
        std::abort();
    return 0;
}

// Base32 decoding of untrusted text: must never crash; whatever decodes must re-encode to a string
// that decodes to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto decoded = mfa::base32_decode(text);
    if (!decoded) return 0;
    const auto encoded = mfa::base32_encode(decoded->view());
    auto again = mfa::base32_decode(encoded.view());
    if (!again || !mfa::ct_equal(again->view(), decoded->view())) std::abort();
    return 0;
}

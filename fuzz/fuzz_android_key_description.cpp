// The Android key attestation extension (KeyDescription DER) from untrusted bytes: must never crash;
// parsed views must lie inside the input and purpose lists respect their limit.
#include <cstdint>
#include <cstdlib>

#include "../lib/webauthn/key_description.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto kd = mfa::att::android::parse_key_description(mfa::ByteView(data, size));
    if (!kd.ok()) return 0;
    const auto& c = kd->attestation_challenge;
    if (!c.empty() && (c.data() < data || c.data() + c.size() > data + size)) std::abort();
    for (const auto* l : {&kd->software_enforced, &kd->tee_enforced})
        if (l->purpose && l->purpose->size() > mfa::att::android::kMaxPurposes) std::abort();
    return 0;
}

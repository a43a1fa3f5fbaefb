// TPM 2.0 TPMT_PUBLIC (pubArea) and TPMS_ATTEST (certInfo) parsing of untrusted bytes: must never
// crash or read out of bounds; whatever parses must have consumed exactly its input and its views
// must lie inside it.
#include <cstdint>
#include <cstdlib>

#include "../lib/webauthn/tpm.hpp"

namespace {

bool inside(mfa::ByteView v, const std::uint8_t* data, std::size_t size) {
    return v.empty() || (v.data() >= data && v.data() + v.size() <= data + size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const mfa::ByteView in(data, size);
    if (auto p = mfa::att::tpm::parse_public(in); p.ok()) {
        const auto& v = *p;
        if (!inside(v.auth_policy, data, size) || !inside(v.rsa_modulus, data, size) || !inside(v.ecc_x, data, size) ||
            !inside(v.ecc_y, data, size))
            std::abort();
        if (v.type == mfa::att::tpm::kAlgRsa && v.rsa_modulus.empty()) std::abort();
    }
    if (auto a = mfa::att::tpm::parse_attest(in); a.ok()) {
        if (!inside(a->extra_data, data, size) || !inside(a->attested_name, data, size)) std::abort();
        if (a->type != mfa::att::tpm::kStAttestCertify) std::abort();
    }
    return 0;
}

// SafetyNet attestation responses (compact JWS with an x5c header) from untrusted bytes: split and
// decode the JWS, parse its certificates, and run the whole android-safetynet procedure against a
// fixed credential. Must never crash; nothing made up by the fuzzer may verify.
#include <cstdint>
#include <cstdlib>

#include "../lib/webauthn/formats.hpp"
#include "../lib/webauthn/jws.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const mfa::ByteView in(data, size);
    auto jws = mfa::att::parse_jws(mfa::as_chars(in), 64 * 1024, mfa::Errc::att_safetynet_jws);
    if (jws.ok()) {
        std::vector<mfa::ByteView> views(jws->x5c.begin(), jws->x5c.end());
        if (!views.empty()) (void)mfa::att::parse_x5c(views);
    }
    static EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    static const mfa::Bytes auth_data(37, 0x01), cdh(32, 0x02), aaguid(16, 0);
    mfa::att::Subject s;
    s.raw_auth_data = auth_data;
    s.client_data_hash = cdh;
    s.rp_id_hash = mfa::ByteView(auth_data.data(), 32);
    s.aaguid = aaguid;
    s.credential_key = key;
    s.credential_alg = -7;
    mfa::att::Statement st;
    st.ver = "1";
    st.response = in;
    mfa::webauthn::AttestationPolicy policy;
    policy.verification_time = 1'700'000'000;
    policy.safetynet_require_cts_profile_match = false;
    // Passing would need a certificate for attest.android.com whose key signed this input over our
    // nonce; the fuzzer cannot forge that.
    if (mfa::att::verify_android_safetynet(st, s, policy).ok()) std::abort();
    return 0;
}

// clientDataJSON from an untrusted client: parsing must never crash, and whatever parses must go
// through the ceremony checks (with its own challenge, so they run to the end) without crashing.
#include <cstdint>
#include <cstdlib>

#include "mfa/webauthn/client_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto cd = mfa::webauthn::parse_client_data(mfa::ByteView(data, size));
    if (!cd) return 0;
    mfa::webauthn::RpConfig cfg;
    cfg.rp_id = "example.com";
    cfg.origins = {"https://example.com", cd->origin};
    cfg.allow_cross_origin = (size & 1) != 0;
    cfg.top_origins = {cd->top_origin};
    for (auto c : {mfa::webauthn::Ceremony::create, mfa::webauthn::Ceremony::get}) {
        auto st = mfa::webauthn::check_client_data(*cd, cfg, c, cd->challenge);
        // The challenge check compares against the parsed value: it must never fail here.
        if (st.code() == mfa::Errc::webauthn_challenge) std::abort();
    }
    return 0;
}

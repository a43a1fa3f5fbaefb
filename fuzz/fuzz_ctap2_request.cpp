// CTAP2 requests (command byte + CBOR) straight into the soft token's authenticator. Every answer
// must be a status byte, followed by CBOR that decodes only when the status is 0.
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "mfa/cbor.hpp"
#include "mfa/softtoken.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::shared_ptr<mfa::softtoken::SoftToken> token = [] {
        mfa::softtoken::Options o;
        o.synchronous = true;
        o.seed = 2;
        o.reset_window = std::chrono::milliseconds(0);
        auto t = mfa::softtoken::SoftToken::in_memory(o);
        if (!t) std::abort();
        return *t;
    }();
    const mfa::Bytes out = token->process_cbor({data, size});
    if (out.empty()) std::abort();
    if (out[0] != 0 && out.size() != 1) std::abort();
    if (out[0] == 0 && out.size() > 1 && !mfa::cbor::decode(mfa::ByteView(out).subspan(1))) std::abort();
    return 0;
}

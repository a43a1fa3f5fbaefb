// CTAPHID frames into the soft token: the input is cut into 64-byte reports and fed in order; every
// reply is drained. Nothing may crash, hang or leak, whatever the channel, length or sequence.
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "mfa/softtoken.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::shared_ptr<mfa::softtoken::SoftToken> token = [] {
        mfa::softtoken::Options o;
        o.synchronous = true;
        o.seed = 1;
        auto t = mfa::softtoken::SoftToken::in_memory(o);
        if (!t) std::abort();
        return *t;
    }();
    for (std::size_t off = 0; off < size; off += 64) {
        const std::size_t n = size - off < 64 ? size - off : 64;
        token->write_report({data + off, n});
        while (token->read_report(std::chrono::milliseconds(0))) {
        }
    }
    return 0;
}

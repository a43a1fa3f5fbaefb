// QR decoding of untrusted image bytes (libpng or libjpeg, then zxing-cpp, behind
// mfa::qr::decode_image): PNG and JPEG seeds. It must never crash or allocate past its stated
// bounds; every failure is one of the documented codes, and what decodes encodes again and decodes
// back to the same bytes.
#include <cstdint>
#include <cstdlib>

#include "mfa/qr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto texts = mfa::qr::decode_image(mfa::ByteView(data, size));
    if (!texts) {
        switch (texts.code()) {
            case mfa::Errc::invalid_argument:
            case mfa::Errc::limit_exceeded:
            case mfa::Errc::parse:
            case mfa::Errc::not_found:
                return 0;
            default:
                std::abort();
        }
    }
    if (texts->empty()) std::abort();
    // zxing reads codes we did not write (any mode, any version): re-encode the short ones in byte
    // mode and require the exact bytes back.
    const auto& first = (*texts)[0];
    if (first.empty() || first.size() > 64) return 0;
    auto png = mfa::qr::to_png(first.view(), {.scale = 2});
    if (!png) std::abort();
    auto back = mfa::qr::decode_png(png->view());
    if (!back || back->size() != 1 || (*back)[0].view() != first.view()) std::abort();
    return 0;
}

// QR decoding in a build with -Dqr_decode=disabled: the same functions, each refusing with the
// reason, so that callers (the C ABI, mfa add --qr, mfa import IMAGE) report it and go on.
#include "mfa/qr.hpp"

namespace mfa::qr {
namespace {

Error unsupported() { return Error(Errc::unsupported, "built without QR decoding support (meson -Dqr_decode=enabled)"); }

}  // namespace

Result<std::vector<SecretString>> decode_png(ByteView) { return unsupported(); }
Result<std::vector<SecretString>> decode_image(ByteView) { return unsupported(); }
Result<std::vector<SecretString>> decode_png_file(const std::filesystem::path&) { return unsupported(); }
Result<std::vector<SecretString>> decode_image_file(const std::filesystem::path&) { return unsupported(); }

}  // namespace mfa::qr

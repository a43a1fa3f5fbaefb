// QR codes for enrollment: an otpauth URI as SVG, PNG or a PNG data URI (libqrencode + libpng).
//
// The image carries the secret, so the outputs are secret types and are wiped when they die; the
// module matrix libqrencode returns is wiped before it is freed.
#pragma once

#include <string_view>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::qr {

enum class EcLevel { low, medium, quartile, high };

struct QrOptions {
    EcLevel ec = EcLevel::medium;
    unsigned border = 4;   // quiet zone in modules (the standard asks for 4)
    unsigned scale = 6;    // PNG pixels per module (1..64)
};

inline constexpr std::size_t kMaxQrText = 2048;  // bytes; otpauth URIs are far shorter

// Errors: invalid_argument (empty text, scale out of range), limit_exceeded, internal (libqrencode,
// libpng).
Result<SecretString> to_svg(std::string_view text, const QrOptions& opts = {});
Result<SecretBytes> to_png(std::string_view text, const QrOptions& opts = {});
// "data:image/png;base64,…"
Result<SecretString> to_png_data_uri(std::string_view text, const QrOptions& opts = {});

}  // namespace mfa::qr

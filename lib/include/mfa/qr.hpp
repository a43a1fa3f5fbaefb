// QR codes (docs/qr.md): encoding a text (an otpauth URI, a Google Authenticator migration URI)
// into a module matrix (libqrencode), rendering it as SVG, PNG, a PNG data URI or terminal text,
// and reading every QR code back out of a PNG or JPEG image (libpng / libjpeg + zxing-cpp; the
// Meson feature qr_decode, docs/dependencies.md: without it decoding is Errc::unsupported).
//
// The picture of an otpauth URI is the secret: the matrix and every rendering are SecretBytes /
// SecretString (wiped when they die), and so are decoded texts. libqrencode's matrix and every
// buffer libpng allocates while writing are wiped before they are freed; when decoding, the grey
// image handed to zxing is wiped, but the decoders' own internal copies are not (docs/qr.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::qr {

// Error correction: low 7 %, medium 15 %, quartile 25 %, high 30 % of the code words recoverable.
enum class EcLevel { low, medium, quartile, high };

// The longest text: 2953 bytes, the byte-mode capacity of version 40 at level L (the largest QR
// code there is). Longer texts are limit_exceeded before anything is encoded.
inline constexpr std::size_t kMaxText = 2953;
// Rendering bounds: a quiet zone of at most 64 modules, 1..64 PNG/SVG pixels a module.
inline constexpr unsigned kMaxBorder = 64;
inline constexpr unsigned kMaxScale = 64;
// Decoding bounds, checked before anything is allocated: the image file size and its pixel count
// (width * height; 32 Mi pixels is more than an 8K screenshot). kMaxPngBytes is the older name.
inline constexpr std::size_t kMaxImageBytes = 16u << 20;
inline constexpr std::size_t kMaxPngBytes = kMaxImageBytes;
inline constexpr std::uint64_t kMaxImagePixels = std::uint64_t{1} << 25;

// The modules of one QR code, held in SecretBytes.
class Matrix {
public:
    // Byte mode over the exact bytes of text (NULs included). When the text does not fit at level
    // ec, the next lower level is tried down to low (high -> quartile -> medium -> low): ec() says
    // which level was used. Errors: invalid_argument (empty text), limit_exceeded (longer than
    // kMaxText, or too long for any level), no_memory, internal (libqrencode failed otherwise).
    [[nodiscard]] static Result<Matrix> encode(std::string_view text, EcLevel ec = EcLevel::medium);

    // Modules a side (21 for version 1 .. 177 for version 40), without a quiet zone.
    [[nodiscard]] int size() const noexcept { return size_; }
    [[nodiscard]] int version() const noexcept { return (size_ - 17) / 4; }
    [[nodiscard]] EcLevel ec() const noexcept { return ec_; }
    // Whether module (x, y) is dark; 0 <= x, y < size(). Outside the matrix: light (quiet zone).
    [[nodiscard]] bool dark(int x, int y) const noexcept {
        if (x < 0 || y < 0 || x >= size_ || y >= size_) return false;
        return modules_[static_cast<std::size_t>(y) * static_cast<std::size_t>(size_) + static_cast<std::size_t>(x)] != 0;
    }

private:
    Matrix() = default;  // only encode() makes one: a Matrix always holds a code
    int size_ = 0;
    EcLevel ec_ = EcLevel::medium;
    SecretBytes modules_;  // size_ * size_, row-major, 1 = dark
};

struct QrOptions {
    EcLevel ec = EcLevel::medium;  // the level asked for (Matrix::encode may fall back lower)
    unsigned border = 4;           // quiet zone in modules, 0..kMaxBorder (the standard asks for 4)
    unsigned scale = 6;            // pixels a module for PNG, and the SVG's width/height, 1..kMaxScale
};

// Renderings of a matrix (opts.ec is not used) or of a text (encoded with opts.ec first; the text
// errors of Matrix::encode). Option errors: invalid_argument naming the option.
//
// A standalone SVG: viewBox in modules (quiet zone included), width/height = modules * scale,
// white background, one black <path> in which each run of dark modules on a row is one rectangle.
[[nodiscard]] Result<SecretString> to_svg(const Matrix& m, const QrOptions& opts = {});
[[nodiscard]] Result<SecretString> to_svg(std::string_view text, const QrOptions& opts = {});
// A 1-bit greyscale PNG, (size + 2 * border) * scale pixels a side. Errors also: internal (libpng).
[[nodiscard]] Result<SecretBytes> to_png(const Matrix& m, const QrOptions& opts = {});
[[nodiscard]] Result<SecretBytes> to_png(std::string_view text, const QrOptions& opts = {});
// "data:image/png;base64,..." of to_png.
[[nodiscard]] Result<SecretString> to_png_data_uri(const Matrix& m, const QrOptions& opts = {});
[[nodiscard]] Result<SecretString> to_png_data_uri(std::string_view text, const QrOptions& opts = {});
// Terminal text: two module rows a line with half blocks (U+2580, U+2584, U+2588), each line
// wrapped in explicit black-on-white colours (ESC[30;47m ... ESC[0m) so that dark themes do not
// invert the code; opts.scale is not used.
[[nodiscard]] Result<SecretString> to_terminal(const Matrix& m, const QrOptions& opts = {});
[[nodiscard]] Result<SecretString> to_terminal(std::string_view text, const QrOptions& opts = {});

// Every QR code found in a PNG image (any colour type and bit depth; transparency is composed onto
// white), in the order zxing reports them (top to bottom), as the exact bytes they encode.
// Errors: invalid_argument (empty input), limit_exceeded (more than kMaxImageBytes, or more than
// kMaxImagePixels pixels: refused from the header, before the pixels are allocated), parse (not a
// PNG, or a corrupt one: libpng's reason), not_found (no QR code in the image), unsupported (built
// without qr_decode).
[[nodiscard]] Result<std::vector<SecretString>> decode_png(ByteView png);
// The same for a PNG or a JPEG (baseline or progressive, grey or YCbCr; recognised by its first
// bytes). parse also: neither signature, a corrupt JPEG (libjpeg's reason), a JPEG of more than
// 100 progressive scans.
[[nodiscard]] Result<std::vector<SecretString>> decode_image(ByteView image);
// The same for a file (read with the kMaxImageBytes bound); io when it cannot be read. Error
// details start with the path.
[[nodiscard]] Result<std::vector<SecretString>> decode_png_file(const std::filesystem::path& path);
[[nodiscard]] Result<std::vector<SecretString>> decode_image_file(const std::filesystem::path& path);

// Whether data starts like a PNG (its 8-byte signature) or a JPEG (SOI and a marker): what
// decode_image would try to read. Known in every build, so that a caller can say "an image, but
// this build cannot decode it".
[[nodiscard]] constexpr bool is_image(ByteView data) noexcept {
    constexpr std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (data.size() >= 8) {
        bool png = true;
        for (std::size_t i = 0; i < 8; ++i) png = png && data[i] == kPng[i];
        if (png) return true;
    }
    return data.size() >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
}

}  // namespace mfa::qr

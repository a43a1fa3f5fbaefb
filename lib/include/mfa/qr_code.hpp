// QR codes for otpauth URIs (the app and the vault tools): making them (libqrencode) as terminal
// text, SVG or PNG (libpng), and reading them back from PNG images (libzbar). The texts are
// secrets: they are held in SecretString and the pixel buffers are wiped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa {

inline constexpr std::size_t kQrMaxText = 2953;              // bytes: version 40, level L, byte mode
inline constexpr std::uint64_t kQrMaxImagePixels = 64u << 20; // PNGs larger than this are refused

class QrCode {
public:
    // Encodes text in byte mode with error correction level M (L when M does not fit).
    static Result<QrCode> encode(std::string_view text);
    int size() const noexcept { return size_; }
    bool dark(int x, int y) const noexcept { return modules_[static_cast<std::size_t>(y * size_ + x)] != 0; }

    // Two rows per line with half blocks, a 2-module quiet zone, dark on light whatever the theme.
    std::string terminal() const;
    // A standalone SVG of size * module pixels plus a 4-module quiet zone.
    std::string svg(int module = 8) const;
    // An 8-bit grey PNG, written atomically (temporary, fsync, rename) with mode 0600.
    Status write_png(const std::filesystem::path& path, int module = 8) const;

private:
    int size_ = 0;
    SecretBytes modules_;
};

// Every QR code zbar finds in a PNG image, in the order it reports them.
Result<std::vector<SecretString>> qr_decode_png(const std::filesystem::path& path);

}  // namespace mfa

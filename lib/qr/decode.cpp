// Reading QR codes out of PNG images: libpng (simplified API) to 8-bit grey, libzbar to scan.
#include <fcntl.h>
#include <png.h>
#include <unistd.h>
#include <zbar.h>

using namespace zbar;  // zbar.h puts its C API in namespace zbar when compiled as C++

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "mfa/qr.hpp"

namespace mfa::qr {
namespace {

struct ScannerFree {
    void operator()(zbar_image_scanner_t* s) const noexcept { zbar_image_scanner_destroy(s); }
};
struct ImageFree {
    void operator()(zbar_image_t* i) const noexcept { zbar_image_destroy(i); }
};

// Runs zbar over an 8-bit grey image (width * height bytes, row-major).
Result<std::vector<SecretString>> scan(const SecretBytes& grey, unsigned width, unsigned height) {
    std::unique_ptr<zbar_image_scanner_t, ScannerFree> scanner(zbar_image_scanner_create());
    std::unique_ptr<zbar_image_t, ImageFree> image(zbar_image_create());
    if (!scanner || !image) return Error(Errc::no_memory, "zbar");
    zbar_image_scanner_set_config(scanner.get(), ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner.get(), ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    // The exact bytes of the code: without this zbar guesses a character set and converts.
    zbar_image_scanner_set_config(scanner.get(), ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
    zbar_image_set_format(image.get(), zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(image.get(), width, height);
    // Borrowed: no cleanup handler, the grey buffer stays ours (and is wiped by SecretBytes).
    zbar_image_set_data(image.get(), grey.data(), grey.size(), nullptr);
    const int found = zbar_scan_image(scanner.get(), image.get());
    if (found < 0) return Error(Errc::internal, "zbar could not scan the image");
    std::vector<SecretString> out;
    for (const zbar_symbol_t* s = zbar_image_first_symbol(image.get()); s != nullptr; s = zbar_symbol_next(s))
        out.emplace_back(std::string_view(zbar_symbol_get_data(s), zbar_symbol_get_data_length(s)));
    if (out.empty()) return Error(Errc::not_found, "no QR code found in the image");
    return out;
}

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

Status check_pixels(std::uint32_t width, std::uint32_t height) {
    if (std::uint64_t{width} * height > kMaxImagePixels)
        return Error(Errc::limit_exceeded, "PNG image of " + std::to_string(width) + "x" + std::to_string(height) +
                                               " pixels (at most " + std::to_string(kMaxImagePixels) + " pixels)");
    return {};
}

}  // namespace

Result<std::vector<SecretString>> decode_png(ByteView png) {
    if (png.empty()) return Error(Errc::invalid_argument, "PNG input is empty");
    if (png.size() > kMaxPngBytes)
        return Error(Errc::limit_exceeded, "PNG of " + std::to_string(png.size()) + " bytes (at most " +
                                               std::to_string(kMaxPngBytes) + ")");
    if (png.size() < 8 || png_sig_cmp(png.data(), 0, 8) != 0)
        return Error(Errc::parse, "not a PNG image (no PNG signature)");
    // IHDR must come first (PNG 11.2.2): its dimensions are refused here, before libpng reads any
    // further chunk. libpng checks the rest of the header (CRC, ranges) below.
    if (png.size() >= 24 && std::memcmp(png.data() + 12, "IHDR", 4) == 0)
        MFA_TRY(check_pixels(be32(png.data() + 16), be32(png.data() + 20)));
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    // Reads the header only; begin_read releases its state itself when it fails.
    if (!png_image_begin_read_from_memory(&img, png.data(), png.size()))
        return Error(Errc::parse, std::string("corrupt PNG header: ") + img.message);
    if (auto st = check_pixels(img.width, img.height); !st) {
        png_image_free(&img);
        return std::move(st).error();
    }
    img.format = PNG_FORMAT_GRAY;
    SecretBytes grey(PNG_IMAGE_SIZE(img));
    // Transparent pixels are composed onto white (a black-on-transparent code stays readable).
    const png_color white{255, 255, 255};
    if (!png_image_finish_read(&img, &white, grey.data(), 0, nullptr))
        return Error(Errc::parse, std::string("corrupt PNG image: ") + img.message);
    return scan(grey, img.width, img.height);
}

Result<std::vector<SecretString>> decode_png_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error(Errc::io, path.string() + ": " + std::strerror(errno));
    SecretBytes data;
    std::uint8_t buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int e = errno;
            ::close(fd);
            secure_wipe(buf, sizeof buf);
            return Error(Errc::io, path.string() + ": " + std::strerror(e));
        }
        if (n == 0) break;
        data.append({buf, static_cast<std::size_t>(n)});
        if (data.size() > kMaxPngBytes) {
            ::close(fd);
            secure_wipe(buf, sizeof buf);
            return Error(Errc::limit_exceeded, path.string() + ": larger than " + std::to_string(kMaxPngBytes) + " bytes");
        }
    }
    ::close(fd);
    secure_wipe(buf, sizeof buf);
    auto texts = decode_png(data.view());
    if (!texts) {
        Error e = std::move(texts).error();
        e.detail = path.string() + ": " + e.detail;
        return e;
    }
    return texts;
}

}  // namespace mfa::qr

#include "mfa/qr_code.hpp"

#include <fcntl.h>
#include <png.h>
#include <qrencode.h>
#include <unistd.h>
#include <zbar.h>

using namespace zbar;   // zbar.h puts its C API in namespace zbar when compiled as C++

#include <cstring>

#include "mfa/encoding.hpp"
#include "mfa/random.hpp"

namespace mfa {
namespace {
constexpr int kQuiet = 4;
}

Result<QrCode> QrCode::encode(std::string_view text) {
    if (text.empty()) return Error(Errc::invalid_argument, "empty QR text");
    if (text.size() > kQrMaxText)
        return Error(Errc::limit_exceeded, "QR text of " + std::to_string(text.size()) + " bytes (at most " +
                                               std::to_string(kQrMaxText) + ")");
    QRcode* q = nullptr;
    for (QRecLevel level : {QR_ECLEVEL_M, QR_ECLEVEL_L}) {
        q = QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0, level);
        if (q != nullptr) break;
    }
    if (q == nullptr) return Error(Errc::limit_exceeded, "text does not fit in a QR code");
    QrCode out;
    out.size_ = q->width;
    out.modules_ = SecretBytes(static_cast<std::size_t>(q->width) * static_cast<std::size_t>(q->width));
    for (std::size_t i = 0; i < out.modules_.size(); ++i) out.modules_[i] = q->data[i] & 1;
    secure_wipe(q->data, out.modules_.size());
    QRcode_free(q);
    return out;
}

std::string QrCode::terminal() const {
    constexpr int quiet = 2;
    const int n = size_ + 2 * quiet;
    auto at = [&](int x, int y) {
        x -= quiet;
        y -= quiet;
        return x >= 0 && y >= 0 && x < size_ && y < size_ && dark(x, y);
    };
    // Explicit colours (black on white) so that dark terminal themes do not invert the code.
    std::string s;
    for (int y = 0; y < n; y += 2) {
        s += "\033[30;47m";
        for (int x = 0; x < n; ++x) {
            const bool top = at(x, y), bottom = y + 1 < n && at(x, y + 1);
            s += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
        }
        s += "\033[0m\n";
    }
    return s;
}

std::string QrCode::svg(int module) const {
    const int n = (size_ + 2 * kQuiet) * module;
    std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(n) + "\" height=\"" + std::to_string(n) + "\" viewBox=\"0 0 " +
                    std::to_string(size_ + 2 * kQuiet) + " " + std::to_string(size_ + 2 * kQuiet) +
                    "\" shape-rendering=\"crispEdges\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"";
    for (int y = 0; y < size_; ++y)
        for (int x = 0; x < size_; ++x)
            if (dark(x, y)) s += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
    s += "\"/>\n</svg>\n";
    return s;
}

Status QrCode::write_png(const std::filesystem::path& path, int module) const {
    if (module < 1 || module > 64) return Error(Errc::invalid_argument, "module size 1..64");
    const int n = (size_ + 2 * kQuiet) * module;
    SecretBytes pixels(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const int mx = x / module - kQuiet, my = y / module - kQuiet;
            const bool d = mx >= 0 && my >= 0 && mx < size_ && my < size_ && dark(mx, my);
            pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(n) + static_cast<std::size_t>(x)] = d ? 0 : 255;
        }
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = static_cast<png_uint_32>(n);
    img.height = static_cast<png_uint_32>(n);
    img.format = PNG_FORMAT_GRAY;
    png_alloc_size_t len = 0;
    if (!png_image_write_to_memory(&img, nullptr, &len, 0, pixels.data(), 0, nullptr))
        return Error(Errc::internal, std::string("PNG size: ") + img.message);
    SecretBytes png(len);
    if (!png_image_write_to_memory(&img, png.data(), &len, 0, pixels.data(), 0, nullptr))
        return Error(Errc::internal, std::string("PNG encode: ") + img.message);
    png.resize(len);
    // Atomic, private write.
    std::uint8_t rnd[8];
    MFA_TRY(random_fill(rnd));
    const std::string tmp = path.string() + ".tmp-" + hex_encode(rnd);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Error(Errc::io, "create " + tmp + ": " + std::strerror(errno));
    std::size_t off = 0;
    while (off < png.size()) {
        const ssize_t w = ::write(fd, png.data() + off, png.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            ::close(fd);
            ::unlink(tmp.c_str());
            return Error(Errc::io, "write " + tmp);
        }
        off += static_cast<std::size_t>(w);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return Error(Errc::io, "write " + path.string() + ": " + std::strerror(errno));
    }
    return {};
}

Result<std::vector<SecretString>> qr_decode_png(const std::filesystem::path& path) {
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path.c_str()))
        return Error(Errc::parse, path.string() + ": not a readable PNG (" + img.message + ")");
    if (static_cast<std::uint64_t>(img.width) * img.height > kQrMaxImagePixels) {
        png_image_free(&img);
        return Error(Errc::limit_exceeded, path.string() + ": image larger than " + std::to_string(kQrMaxImagePixels) + " pixels");
    }
    img.format = PNG_FORMAT_GRAY;
    SecretBytes gray(PNG_IMAGE_SIZE(img));
    if (!png_image_finish_read(&img, nullptr, gray.data(), 0, nullptr))
        return Error(Errc::parse, path.string() + ": PNG decode failed (" + img.message + ")");

    zbar_image_scanner_t* scanner = zbar_image_scanner_create();
    zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_t* zimg = zbar_image_create();
    zbar_image_set_format(zimg, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(zimg, img.width, img.height);
    zbar_image_set_data(zimg, gray.data(), gray.size(), nullptr);
    const int found = zbar_scan_image(scanner, zimg);
    std::vector<SecretString> out;
    if (found > 0) {
        for (const zbar_symbol_t* s = zbar_image_first_symbol(zimg); s != nullptr; s = zbar_symbol_next(s))
            out.emplace_back(std::string_view(zbar_symbol_get_data(s), zbar_symbol_get_data_length(s)));
    }
    zbar_image_destroy(zimg);
    zbar_image_scanner_destroy(scanner);
    if (found < 0) return Error(Errc::internal, "zbar scan failed");
    if (out.empty()) return Error(Errc::not_found, path.string() + ": no QR code found");
    return out;
}

}  // namespace mfa

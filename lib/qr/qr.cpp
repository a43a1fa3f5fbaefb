#include "mfa/qr.hpp"

#include <png.h>
#include <qrencode.h>

#include <memory>
#include <string>

#include "mfa/encoding.hpp"

namespace mfa::qr {
namespace {

// The module matrix, wiped before libqrencode frees it.
struct QrFree {
    void operator()(QRcode* q) const noexcept {
        secure_wipe(q->data, static_cast<std::size_t>(q->width) * static_cast<std::size_t>(q->width));
        QRcode_free(q);
    }
};
using Qr = std::unique_ptr<QRcode, QrFree>;

Result<Qr> encode(std::string_view text, const QrOptions& opts) {
    if (text.empty()) return Error{Errc::invalid_argument, "QR text is empty"};
    if (text.size() > kMaxQrText) return Error{Errc::limit_exceeded, "QR text longer than 2048 bytes"};
    if (opts.border > 64) return Error{Errc::invalid_argument, "QR border above 64 modules"};
    QRecLevel level = QR_ECLEVEL_M;
    switch (opts.ec) {
        case EcLevel::low: level = QR_ECLEVEL_L; break;
        case EcLevel::medium: level = QR_ECLEVEL_M; break;
        case EcLevel::quartile: level = QR_ECLEVEL_Q; break;
        case EcLevel::high: level = QR_ECLEVEL_H; break;
    }
    // Byte mode over the exact bytes (QRcode_encodeData does not stop at a NUL).
    Qr q(QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0, level));
    if (!q) return Error{Errc::internal, "libqrencode could not encode the text"};
    return q;
}

bool dark(const QRcode& q, int x, int y) { return (q.data[y * q.width + x] & 1) != 0; }

}  // namespace

Result<SecretString> to_svg(std::string_view text, const QrOptions& opts) {
    auto q = encode(text, opts);
    if (!q) return std::move(q).error();
    const int w = (*q)->width;
    const int size = w + 2 * static_cast<int>(opts.border);
    SecretString s;
    s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
    s.append(std::to_string(size) + " " + std::to_string(size));
    s.append("\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"");
    // One path: a run of dark modules on a row is one rectangle.
    for (int y = 0; y < w; ++y) {
        for (int x = 0; x < w;) {
            if (!dark(**q, x, y)) {
                ++x;
                continue;
            }
            int run = 1;
            while (x + run < w && dark(**q, x + run, y)) ++run;
            s.append("M" + std::to_string(x + static_cast<int>(opts.border)) + " " +
                     std::to_string(y + static_cast<int>(opts.border)) + "h" + std::to_string(run) + "v1h-" +
                     std::to_string(run) + "z");
            x += run;
        }
    }
    s.append("\"/></svg>\n");
    return s;
}

Result<SecretBytes> to_png(std::string_view text, const QrOptions& opts) {
    if (opts.scale == 0 || opts.scale > 64) return Error{Errc::invalid_argument, "PNG scale must be 1..64"};
    auto q = encode(text, opts);
    if (!q) return std::move(q).error();
    const unsigned w = static_cast<unsigned>((*q)->width);
    const unsigned px = (w + 2 * opts.border) * opts.scale;

    struct Sink {
        SecretBytes out;
        static void write(png_structp p, png_bytep data, png_size_t n) {
            static_cast<Sink*>(png_get_io_ptr(p))->out.append({data, n});
        }
        static void flush(png_structp) {}
    } sink;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        return Error{Errc::no_memory, "libpng"};
    }
    SecretBytes row((px + 7) / 8);
    // libpng reports errors by longjmp back here: every object with a destructor exists already.
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return Error{Errc::internal, "libpng failed to write the image"};
    }
    png_set_write_fn(png, &sink, &Sink::write, &Sink::flush);
    png_set_IHDR(png, info, px, px, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < px; ++y) {
        const int my = static_cast<int>(y / opts.scale) - static_cast<int>(opts.border);
        for (unsigned x = 0; x < px; ++x) {
            const int mx = static_cast<int>(x / opts.scale) - static_cast<int>(opts.border);
            const bool is_dark = mx >= 0 && my >= 0 && mx < static_cast<int>(w) && my < static_cast<int>(w) &&
                                 dark(**q, mx, my);
            // 1-bit gray: 1 is white.
            const auto bit = static_cast<std::uint8_t>(0x80u >> (x % 8));
            if (is_dark) row[x / 8] = static_cast<std::uint8_t>(row[x / 8] & ~bit);
            else row[x / 8] = static_cast<std::uint8_t>(row[x / 8] | bit);
        }
        png_write_row(png, row.data());
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return std::move(sink.out);
}

Result<SecretString> to_png_data_uri(std::string_view text, const QrOptions& opts) {
    auto png = to_png(text, opts);
    if (!png) return std::move(png).error();
    std::string b64 = base64_encode(png->view());
    SecretString s;
    s.append("data:image/png;base64,");
    s.append(b64);
    secure_wipe(b64.data(), b64.size());
    return s;
}

}  // namespace mfa::qr

// The PNG rendering of a QR matrix (libpng, 1-bit greyscale) and its data URI.
#include <csetjmp>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "libpng.hpp"
#include "mfa/encoding.hpp"
#include "mfa/qr.hpp"
#include "options.hpp"

namespace mfa::qr {
namespace {

// libpng hands the compressed image to this sink chunk by chunk. No exception may cross libpng's C
// frames: a failed allocation is remembered and reported after libpng returns.
struct Sink {
    SecretBytes out;
    bool out_of_memory = false;
    // Only called by libpng, so libpng is loaded.
    static void write(png_structp p, png_bytep data, png_size_t n) noexcept {
        auto* self = static_cast<Sink*>(detail::libpng()->png_get_io_ptr(p));
        if (self->out_of_memory) return;
        try {
            self->out.append({data, n});
        } catch (const std::bad_alloc&) {
            self->out_of_memory = true;
        }
    }
    static void flush(png_structp) noexcept {}
};

// libpng's own buffers (rows, the zlib window) hold the picture too: this allocator records each
// block's size in front of it and wipes the block when libpng frees it.
constexpr std::size_t kHeader = alignof(std::max_align_t);
png_voidp wiping_malloc(png_structp, png_alloc_size_t n) noexcept {
    auto* p = static_cast<unsigned char*>(std::malloc(n + kHeader));
    if (p == nullptr) return nullptr;
    std::memcpy(p, &n, sizeof n);
    return p + kHeader;
}
void wiping_free(png_structp, png_voidp ptr) noexcept {
    if (ptr == nullptr) return;
    auto* p = static_cast<unsigned char*>(ptr) - kHeader;
    png_alloc_size_t n = 0;
    std::memcpy(&n, p, sizeof n);
    secure_wipe(ptr, n);
    std::free(p);
}

// One pixel row (1 bit a pixel, 1 = white). Kept apart from the setjmp frame: nothing here has a
// destructor that a longjmp could skip.
void fill_row(const Matrix& m, const QrOptions& opts, unsigned y, unsigned px, SecretBytes& row) {
    const int my = static_cast<int>(y / opts.scale) - static_cast<int>(opts.border);
    for (unsigned x = 0; x < px; ++x) {
        const int mx = static_cast<int>(x / opts.scale) - static_cast<int>(opts.border);
        const auto bit = static_cast<std::uint8_t>(0x80u >> (x % 8));
        if (m.dark(mx, my)) row[x / 8] = static_cast<std::uint8_t>(row[x / 8] & ~bit);
        else row[x / 8] = static_cast<std::uint8_t>(row[x / 8] | bit);
    }
}

// Runs libpng. Its errors longjmp back into this frame, which holds only trivially destructible
// locals; sink and row live in the caller.
bool write_png(const detail::LibPng& lib, const Matrix& m, const QrOptions& opts, unsigned px, Sink& sink,
               SecretBytes& row) {
    png_structp png = lib.png_create_write_struct_2(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr, nullptr,
                                                    &wiping_malloc, &wiping_free);
    png_infop info = png != nullptr ? lib.png_create_info_struct(png) : nullptr;
    if (png == nullptr || info == nullptr) {
        lib.png_destroy_write_struct(&png, &info);
        return false;
    }
    if (setjmp(detail::png_jmpbuf_of(lib, png))) {
        lib.png_destroy_write_struct(&png, &info);
        return false;
    }
    lib.png_set_write_fn(png, &sink, &Sink::write, &Sink::flush);
    lib.png_set_IHDR(png, info, px, px, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                     PNG_FILTER_TYPE_DEFAULT);
    lib.png_write_info(png, info);
    for (unsigned y = 0; y < px; ++y) {
        fill_row(m, opts, y, px, row);
        lib.png_write_row(png, row.data());
    }
    lib.png_write_end(png, nullptr);
    lib.png_destroy_write_struct(&png, &info);
    return true;
}

}  // namespace

Result<SecretBytes> to_png(const Matrix& m, const QrOptions& opts) {
    MFA_TRY(detail::check_options(opts));
    const auto& lib = detail::libpng();
    if (!lib) return lib.error();
    // At most (177 + 128) * 64 = 19520 pixels a side: well inside libpng's limits.
    const unsigned px = (static_cast<unsigned>(m.size()) + 2 * opts.border) * opts.scale;
    Sink sink;
    SecretBytes row((px + 7) / 8);
    const bool ok = write_png(*lib, m, opts, px, sink, row);
    if (sink.out_of_memory) return Error(Errc::no_memory, "PNG output buffer");
    if (!ok) return Error(Errc::internal, "libpng failed to write the QR image");
    return std::move(sink.out);
}

Result<SecretBytes> to_png(std::string_view text, const QrOptions& opts) {
    return detail::encode_then(text, opts, [&](const Matrix& m) { return to_png(m, opts); });
}

Result<SecretString> to_png_data_uri(const Matrix& m, const QrOptions& opts) {
    auto png = to_png(m, opts);
    if (!png) return std::move(png).error();
    std::string b64 = base64_encode(png->view());
    SecretString s;
    s.append("data:image/png;base64,");
    s.append(b64);
    secure_wipe(b64.data(), b64.size());
    return s;
}

Result<SecretString> to_png_data_uri(std::string_view text, const QrOptions& opts) {
    return detail::encode_then(text, opts, [&](const Matrix& m) { return to_png_data_uri(m, opts); });
}

}  // namespace mfa::qr

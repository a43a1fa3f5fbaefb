// Reading QR codes out of PNG and JPEG images: libpng (simplified API) or libjpeg(-turbo) to 8-bit
// grey, zxing-cpp to find and decode the codes. All three are loaded when first used, not linked
// (mfa/shared_library.hpp says why).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>  // before jpeglib.h, which uses FILE without including it
#include <jpeglib.h>

#include <cerrno>
#include <csetjmp>
#include <cstring>
#include <string>

#include "libpng.hpp"
#include "mfa/qr.hpp"
#include "mfa/shared_library.hpp"
#include "zxing.hpp"

namespace mfa::qr {
namespace {

using detail::libpng;

// libjpeg: the functions jpeg_to_grey calls (jpeg_create_decompress is a macro over
// jpeg_CreateDecompress).
#define MFA_LIBJPEG_FUNCTIONS(X)                                                                          \
    X(jpeg_std_error) X(jpeg_CreateDecompress) X(jpeg_destroy_decompress) X(jpeg_mem_src) X(jpeg_read_header) \
    X(jpeg_start_decompress) X(jpeg_read_scanlines) X(jpeg_finish_decompress)

struct LibJpeg {
    MFA_LIBRARY_POINTERS(MFA_LIBJPEG_FUNCTIONS)
};

// The soname of the ABI jpeglib.h describes: libjpeg 6b's, as libjpeg-turbo builds it by default
// (Debian's libjpeg62-turbo). Its structs are laid out per JPEG_LIB_VERSION, so a jpeg 7/8/9 build
// of the headers would need libjpeg.so.7/8/9.
static_assert(JPEG_LIB_VERSION == 62, "kLibJpeg names libjpeg.so.62");
constexpr const char* kLibJpeg = "libjpeg.so.62";

// Loaded once per process; every later call sees the same outcome.
const Result<LibJpeg>& libjpeg() {
    static const Result<LibJpeg> loaded =
        SharedLibrary::load<LibJpeg>("JPEG", kLibJpeg, [](const SharedLibrary& lib, LibJpeg& t) -> Status {
            MFA_LIBRARY_BIND(MFA_LIBJPEG_FUNCTIONS, lib, t);
            return {};
        });
    return loaded;
}

// zxing over an 8-bit grey image (width * height bytes, row-major). zxing keeps a binarised copy
// of its own (docs/qr.md, what is not wiped).
Result<std::vector<SecretString>> scan(const SecretBytes& grey, unsigned width, unsigned height) {
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    // A screenshot is not a camera frame: no rotation or downscale guesses, but the slower
    // detector, which finds small codes and several codes side by side.
    hints.setTryHarder(true);
    hints.setTryRotate(false);
    hints.setMaxNumberOfSymbols(255);
    const ZXing::ImageView view(grey.data(), static_cast<int>(width), static_cast<int>(height), ZXing::ImageFormat::Lum);
    // No second pass with setIsPure: zxing 1.4's pure-image detector (DetectPureQR) asserts, and so
    // aborts the process, on crafted images (fuzz_qr_image found one). The price: its normal
    // detector misses large versions drawn at 2 pixels a module.
    auto found = detail::read_barcodes(view, hints);
    if (!found) return std::move(found).error();
    std::vector<SecretString> out;
    for (const auto& r : *found) {
        if (!r.isValid()) continue;
        // bytes(): the code's exact bytes, without the character-set guess that text() makes.
        const ZXing::ByteArray& b = detail::result_bytes(r);
        out.emplace_back(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    }
    if (out.empty()) return Error(Errc::not_found, "no QR code found in the image");
    return out;
}

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

Status check_pixels(const char* kind, std::uint64_t width, std::uint64_t height) {
    if (width * height > kMaxImagePixels)
        return Error(Errc::limit_exceeded, std::string(kind) + " image of " + std::to_string(width) + "x" +
                                               std::to_string(height) + " pixels (at most " +
                                               std::to_string(kMaxImagePixels) + " pixels)");
    return {};
}

Status check_size(const char* kind, ByteView data) {
    if (data.empty()) return Error(Errc::invalid_argument, std::string(kind) + " input is empty");
    if (data.size() > kMaxImageBytes)
        return Error(Errc::limit_exceeded, std::string(kind) + " of " + std::to_string(data.size()) + " bytes (at most " +
                                               std::to_string(kMaxImageBytes) + ")");
    return {};
}

// is_image() knows both signatures; a JPEG starts with 0xFF, a PNG with 0x89.
bool is_png(ByteView data) { return is_image(data) && data[0] == 0x89; }
// SOI and the first marker's 0xFF (JPEG, ITU T.81 B.1.1.3): JFIF, Exif and bare JPEG alike.
bool is_jpeg(ByteView data) { return data.size() >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF; }

// libjpeg reports a fatal error through error_exit, which must not return: it jumps back to the
// setjmp in jpeg_to_grey with the message saved.
struct JpegErrors {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jpeg_fail(j_common_ptr cinfo) {
    auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, e->message);
    std::longjmp(e->jump, 1);
}

void jpeg_quiet(j_common_ptr, int) {}  // warnings (corrupt data it recovers from) are not printed

// A progressive JPEG can hold thousands of scans, each a pass over the whole image: a few kilobytes
// that take minutes. A screenshot has at most a dozen.
constexpr int kMaxJpegScans = 100;
void jpeg_progress(j_common_ptr cinfo) {
    auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (d->input_scan_number > kMaxJpegScans) {
        auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
        std::snprintf(e->message, sizeof e->message, "more than %d scans", kMaxJpegScans);
        std::longjmp(e->jump, 2);
    }
}

// libjpeg's working memory (progressive coefficient buffers) beyond the grey output.
constexpr long kMaxJpegMemory = 256L << 20;

// Decodes into grey. Between setjmp and a longjmp back to it no object with a destructor may be
// created in this frame: everything that owns memory belongs to the caller, or to libjpeg
// (released by jpeg_destroy_decompress).
bool jpeg_to_grey(const LibJpeg& lib, ByteView data, SecretBytes& grey, unsigned& width, unsigned& height,
                  JpegErrors& err, Status& refused) {
    jpeg_decompress_struct cinfo;
    jpeg_progress_mgr progress;
    cinfo.err = lib.jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    err.mgr.emit_message = jpeg_quiet;
    err.message[0] = '\0';
    if (setjmp(err.jump) != 0) {
        lib.jpeg_destroy_decompress(&cinfo);
        return false;
    }
    lib.jpeg_CreateDecompress(&cinfo, JPEG_LIB_VERSION, sizeof(jpeg_decompress_struct));  // jpeg_create_decompress
    cinfo.mem->max_memory_to_use = kMaxJpegMemory;
    progress.progress_monitor = jpeg_progress;
    cinfo.progress = &progress;
    lib.jpeg_mem_src(&cinfo, data.data(), static_cast<unsigned long>(data.size()));
    lib.jpeg_read_header(&cinfo, TRUE);
    refused = check_pixels("JPEG", cinfo.image_width, cinfo.image_height);
    if (!refused) {
        lib.jpeg_destroy_decompress(&cinfo);
        return false;
    }
    cinfo.out_color_space = JCS_GRAYSCALE;
    lib.jpeg_start_decompress(&cinfo);
    width = cinfo.output_width;
    height = cinfo.output_height;
    grey.resize(std::size_t{width} * height);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = grey.data() + std::size_t{cinfo.output_scanline} * width;
        lib.jpeg_read_scanlines(&cinfo, &row, 1);
    }
    lib.jpeg_finish_decompress(&cinfo);
    lib.jpeg_destroy_decompress(&cinfo);
    return true;
}

Result<std::vector<SecretString>> decode_jpeg(ByteView jpeg) {
    const auto& lib = libjpeg();
    if (!lib) return lib.error();
    SecretBytes grey;
    unsigned width = 0, height = 0;
    JpegErrors err;
    Status refused;
    if (!jpeg_to_grey(*lib, jpeg, grey, width, height, err, refused)) {
        if (!refused) return std::move(refused).error();
        return Error(Errc::parse, std::string("corrupt JPEG image: ") + err.message);
    }
    return scan(grey, width, height);
}

// Reads a file with the kMaxImageBytes bound; error details start with the path.
Result<SecretBytes> read_image_file(const std::filesystem::path& path) {
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
        if (data.size() > kMaxImageBytes) {
            ::close(fd);
            secure_wipe(buf, sizeof buf);
            return Error(Errc::limit_exceeded, path.string() + ": larger than " + std::to_string(kMaxImageBytes) + " bytes");
        }
    }
    ::close(fd);
    secure_wipe(buf, sizeof buf);
    return data;
}

template <class Decode>
Result<std::vector<SecretString>> decode_file(const std::filesystem::path& path, Decode decode) {
    auto data = read_image_file(path);
    if (!data) return std::move(data).error();
    auto texts = decode(data->view());
    if (!texts) {
        Error e = std::move(texts).error();
        e.detail = path.string() + ": " + e.detail;
        return e;
    }
    return texts;
}

}  // namespace

Result<std::vector<SecretString>> decode_png(ByteView png) {
    MFA_TRY(check_size("PNG", png));
    if (!is_png(png)) return Error(Errc::parse, "not a PNG image (no PNG signature)");
    // IHDR must come first (PNG 11.2.2): its dimensions are refused here, before libpng reads any
    // further chunk. libpng checks the rest of the header (CRC, ranges) below.
    if (png.size() >= 24 && std::memcmp(png.data() + 12, "IHDR", 4) == 0)
        MFA_TRY(check_pixels("PNG", be32(png.data() + 16), be32(png.data() + 20)));
    const auto& lib = libpng();
    if (!lib) return lib.error();
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    // Reads the header only; begin_read releases its state itself when it fails.
    if (!lib->png_image_begin_read_from_memory(&img, png.data(), png.size()))
        return Error(Errc::parse, std::string("corrupt PNG header: ") + img.message);
    if (auto st = check_pixels("PNG", img.width, img.height); !st) {
        lib->png_image_free(&img);
        return std::move(st).error();
    }
    img.format = PNG_FORMAT_GRAY;
    SecretBytes grey(PNG_IMAGE_SIZE(img));
    // Transparent pixels are composed onto white (a black-on-transparent code stays readable).
    const png_color white{255, 255, 255};
    if (!lib->png_image_finish_read(&img, &white, grey.data(), 0, nullptr))
        return Error(Errc::parse, std::string("corrupt PNG image: ") + img.message);
    return scan(grey, img.width, img.height);
}

Result<std::vector<SecretString>> decode_image(ByteView image) {
    MFA_TRY(check_size("image", image));
    if (is_png(image)) return decode_png(image);
    if (is_jpeg(image)) return decode_jpeg(image);
    return Error(Errc::parse, "not a PNG or JPEG image (no PNG signature, no JPEG start-of-image marker)");
}

Result<std::vector<SecretString>> decode_png_file(const std::filesystem::path& path) {
    return decode_file(path, [](ByteView d) { return decode_png(d); });
}

Result<std::vector<SecretString>> decode_image_file(const std::filesystem::path& path) {
    return decode_file(path, [](ByteView d) { return decode_image(d); });
}

}  // namespace mfa::qr

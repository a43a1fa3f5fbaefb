// mfa::qr: encoding (byte mode, level fall-back, limits), renderings (SVG, PNG, data URI, terminal)
// and decoding PNG and JPEG images through zxing-cpp, including every error.
#include <png.h>
#include <unistd.h>

#include <cstdio>  // before jpeglib.h
#include <jpeglib.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "../lib/qr/zxing.hpp"
#include "mfa/otpauth.hpp"
#include "mfa/qr.hpp"
#include "test_support.hpp"

using namespace mfa;
namespace mq = mfa::qr;  // the suite is named qr too

namespace {

template <class R>
std::string why(const R& r) {
    return r ? std::string("ok") : r.error().to_string();
}

const std::string kUri = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

// Encodes, renders to PNG and decodes again: the one text found must be the same bytes.
void round_trip(std::string_view text, const mq::QrOptions& opts = {}) {
    auto png = mq::to_png(text, opts);
    BOOST_REQUIRE_MESSAGE(png, why(png));
    auto texts = mq::decode_png(png->view());
    BOOST_REQUIRE_MESSAGE(texts, why(texts));
    BOOST_REQUIRE_EQUAL(texts->size(), 1u);
    BOOST_TEST(((*texts)[0].view() == text), "decoded text differs (" << text.size() << " bytes)");
}

// A grey image (width * height bytes) as a PNG of the given libpng simplified format.
std::vector<std::uint8_t> write_png(const std::vector<std::uint8_t>& pixels, unsigned w, unsigned h,
                                    png_uint_32 format = PNG_FORMAT_GRAY) {
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = w;
    img.height = h;
    img.format = format;
    png_alloc_size_t len = 0;
    BOOST_REQUIRE(png_image_write_to_memory(&img, nullptr, &len, 0, pixels.data(), 0, nullptr));
    std::vector<std::uint8_t> out(len);
    BOOST_REQUIRE(png_image_write_to_memory(&img, out.data(), &len, 0, pixels.data(), 0, nullptr));
    out.resize(len);
    return out;
}

// Reads a PNG as 8-bit grey.
std::vector<std::uint8_t> read_grey(ByteView png, unsigned& w, unsigned& h) {
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    BOOST_REQUIRE(png_image_begin_read_from_memory(&img, png.data(), png.size()));
    img.format = PNG_FORMAT_GRAY;
    std::vector<std::uint8_t> out(PNG_IMAGE_SIZE(img));
    BOOST_REQUIRE(png_image_finish_read(&img, nullptr, out.data(), 0, nullptr));
    w = img.width;
    h = img.height;
    return out;
}

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

// CRC-32 of PNG chunks (ISO 3309), to forge headers.
std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
    std::uint32_t c = 0xffffffffu;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

// A PNG signature and IHDR claiming w x h pixels (8-bit grey), with no image data after it.
std::vector<std::uint8_t> forged_header(std::uint32_t w, std::uint32_t h) {
    std::vector<std::uint8_t> v = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    for (std::uint32_t x : {w, h})
        for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<std::uint8_t>(x >> s));
    for (int b : {8, 0, 0, 0, 0}) v.push_back(static_cast<std::uint8_t>(b));  // depth 8, grey, deflate, filter 0, no interlace
    const std::uint32_t crc = crc32(v.data() + 12, 17);
    for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<std::uint8_t>(crc >> s));
    return v;
}

struct JpegOptions {
    int quality = 90;
    int components = 1;          // 1: grey, 3: RGB (the grey value in each channel)
    bool progressive = false;
    bool many_scans = false;     // a progressive scan script of 128 scans (one AC coefficient each, refined)
};

// A grey image (width * height bytes) as a JPEG (libjpeg's own writer: an independent encoder).
std::vector<std::uint8_t> write_jpeg(const std::vector<std::uint8_t>& grey, unsigned w, unsigned h,
                                     const JpegOptions& o = {}) {
    jpeg_compress_struct c;
    jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char* buf = nullptr;
    unsigned long len = 0;
    jpeg_mem_dest(&c, &buf, &len);
    c.image_width = w;
    c.image_height = h;
    c.input_components = o.components;
    c.in_color_space = o.components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, o.quality, TRUE);
    std::vector<jpeg_scan_info> scans;
    if (o.many_scans) {
        BOOST_REQUIRE(o.components == 1);
        scans.push_back({1, {0}, 0, 0, 0, 1});                                     // DC, first pass
        for (int k = 1; k < 64; ++k) scans.push_back({1, {0}, k, k, 0, 1});       // each AC coefficient
        scans.push_back({1, {0}, 0, 0, 1, 0});                                     // DC refinement
        for (int k = 1; k < 64; ++k) scans.push_back({1, {0}, k, k, 1, 0});       // AC refinements
        c.scan_info = scans.data();
        c.num_scans = static_cast<int>(scans.size());
    } else if (o.progressive) {
        jpeg_simple_progression(&c);
    }
    jpeg_start_compress(&c, TRUE);
    std::vector<std::uint8_t> row(static_cast<std::size_t>(w) * static_cast<unsigned>(o.components));
    while (c.next_scanline < h) {
        for (unsigned x = 0; x < w; ++x)
            for (int k = 0; k < o.components; ++k)
                row[x * static_cast<unsigned>(o.components) + static_cast<unsigned>(k)] = grey[c.next_scanline * w + x];
        JSAMPROW r = row.data();
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    std::vector<std::uint8_t> out(buf, buf + len);
    std::free(buf);
    return out;
}

// The grey pixels of the PNG rendering of text.
std::vector<std::uint8_t> grey_of(std::string_view text, unsigned& w, unsigned& h, const mq::QrOptions& opts = {}) {
    auto png = mq::to_png(text, opts);
    BOOST_REQUIRE_MESSAGE(png, why(png));
    return read_grey(png->view(), w, h);
}

std::size_t count(std::string_view s, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t p = s.find(needle); p != std::string_view::npos; p = s.find(needle, p + needle.size())) ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(qr)

BOOST_AUTO_TEST_CASE(round_trips_through_zxing) {
    round_trip(kUri);
    round_trip("A");
    round_trip("héllo wörld – ünïcode ✓");
    // Binary bytes, NULs included: byte mode over the exact bytes, read back without a character set.
    std::string binary;
    for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
    round_trip(binary);
    round_trip(kUri, {.ec = mq::EcLevel::high, .border = 4, .scale = 3});
    round_trip(kUri, {.ec = mq::EcLevel::low, .border = 1, .scale = 2});
}

BOOST_AUTO_TEST_CASE(long_migration_uri) {
    // A Google Authenticator export of ten accounts: the largest QR codes the app writes.
    std::vector<Account> accounts;
    for (int i = 0; i < 10; ++i) {
        Account a;
        a.issuer = "Issuer number " + std::to_string(i);
        a.name = "someone.with.a.long.name." + std::to_string(i) + "@example.com";
        a.secret = SecretBytes(32);
        for (std::size_t k = 0; k < 32; ++k) a.secret[k] = static_cast<std::uint8_t>(k * 7 + static_cast<std::size_t>(i));
        accounts.push_back(std::move(a));
    }
    auto uris = build_migration_uris(accounts, 10, 1234);
    BOOST_REQUIRE_MESSAGE(uris, why(uris));
    BOOST_REQUIRE_EQUAL(uris->size(), 1u);
    BOOST_TEST((*uris)[0].size() > 1000u);
    round_trip((*uris)[0].view());
}

BOOST_AUTO_TEST_CASE(matrix) {
    auto m = mq::Matrix::encode("A", mq::EcLevel::low);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->size() == 21);  // version 1
    BOOST_TEST(m->version() == 1);
    BOOST_TEST((m->ec() == mq::EcLevel::low));
    // The finder pattern's corner is dark; outside the matrix is quiet zone.
    BOOST_TEST(m->dark(0, 0));
    BOOST_TEST(!m->dark(7, 7));
    BOOST_TEST(!m->dark(-1, 0));
    BOOST_TEST(!m->dark(0, 21));
    auto u = mq::Matrix::encode(kUri);
    BOOST_REQUIRE(u);
    BOOST_TEST((u->ec() == mq::EcLevel::medium));
    BOOST_TEST(u->size() == 17 + 4 * u->version());
}

BOOST_AUTO_TEST_CASE(falls_back_to_lower_levels) {
    // Version 40 holds 1273 bytes at H, 1663 at Q, 2331 at M, 2953 at L.
    auto q = mq::Matrix::encode(std::string(1300, 'x'), mq::EcLevel::high);
    BOOST_REQUIRE_MESSAGE(q, why(q));
    BOOST_TEST((q->ec() == mq::EcLevel::quartile));
    auto l = mq::Matrix::encode(std::string(2400, 'x'), mq::EcLevel::high);
    BOOST_REQUIRE_MESSAGE(l, why(l));
    BOOST_TEST((l->ec() == mq::EcLevel::low));
    BOOST_TEST(l->version() > 30);
    auto h = mq::Matrix::encode(std::string(1273, 'x'), mq::EcLevel::high);
    BOOST_REQUIRE(h);
    BOOST_TEST((h->ec() == mq::EcLevel::high));
    // Never up: a short text keeps the level asked for.
    auto low = mq::Matrix::encode("x", mq::EcLevel::low);
    BOOST_TEST((low->ec() == mq::EcLevel::low));
}

BOOST_AUTO_TEST_CASE(text_limits) {
    auto at = mq::Matrix::encode(std::string(mq::kMaxText, 'a'));
    BOOST_REQUIRE_MESSAGE(at, why(at));
    BOOST_TEST(at->version() == 40);
    BOOST_TEST((at->ec() == mq::EcLevel::low));
    auto over = mq::Matrix::encode(std::string(mq::kMaxText + 1, 'a'));
    BOOST_TEST(over.code() == Errc::limit_exceeded);
    BOOST_TEST(over.error().detail.find("2954 bytes") != std::string::npos);
    BOOST_TEST(mq::to_svg(std::string(mq::kMaxText + 1, 'a')).code() == Errc::limit_exceeded);
    BOOST_TEST(mq::to_png(std::string(mq::kMaxText + 1, 'a')).code() == Errc::limit_exceeded);
    BOOST_TEST(mq::to_terminal(std::string(mq::kMaxText + 1, 'a')).code() == Errc::limit_exceeded);
    BOOST_TEST(mq::to_png_data_uri(std::string(mq::kMaxText + 1, 'a')).code() == Errc::limit_exceeded);
    // The largest code still scans at 3 pixels a module (543 pixels a side); at 2 it needs zxing's
    // pure-image detector, which decode.cpp does not run (it aborts on crafted images).
    round_trip(std::string(mq::kMaxText, 'a'), {.ec = mq::EcLevel::low, .border = 4, .scale = 3});
}

BOOST_AUTO_TEST_CASE(encoding_errors) {
    BOOST_TEST(mq::Matrix::encode("").code() == Errc::invalid_argument);
    BOOST_TEST(mq::to_svg("").code() == Errc::invalid_argument);
    BOOST_TEST(mq::to_png("").code() == Errc::invalid_argument);
    BOOST_TEST(mq::Matrix::encode("x", static_cast<mq::EcLevel>(7)).code() == Errc::invalid_argument);
    for (unsigned scale : {0u, mq::kMaxScale + 1}) {
        auto r = mq::to_png(kUri, {.scale = scale});
        BOOST_TEST(r.code() == Errc::invalid_argument);
        BOOST_TEST(r.error().detail.find("scale") != std::string::npos);
        BOOST_TEST(mq::to_svg(kUri, {.scale = scale}).code() == Errc::invalid_argument);
    }
    auto b = mq::to_svg(kUri, {.border = mq::kMaxBorder + 1});
    BOOST_TEST(b.code() == Errc::invalid_argument);
    BOOST_TEST(b.error().detail.find("border") != std::string::npos);
    BOOST_TEST(mq::to_terminal(kUri, {.border = mq::kMaxBorder + 1}).code() == Errc::invalid_argument);
    // The terminal does not use the scale.
    BOOST_TEST(mq::to_terminal(kUri, {.scale = 0}).ok());
    // The bounds themselves are accepted.
    BOOST_TEST(mq::to_png("x", {.border = mq::kMaxBorder, .scale = mq::kMaxScale}).ok());
    BOOST_TEST(mq::to_png("x", {.border = 0, .scale = 1}).ok());
}

BOOST_AUTO_TEST_CASE(svg_output) {
    auto m = mq::Matrix::encode(kUri);
    BOOST_REQUIRE(m);
    auto svg = mq::to_svg(*m, {.border = 4, .scale = 5});
    BOOST_REQUIRE(svg);
    const std::string s(svg->view());
    const int side = m->size() + 8;
    BOOST_TEST(s.rfind("<?xml", 0) == 0u);
    BOOST_TEST(s.find("viewBox=\"0 0 " + std::to_string(side) + " " + std::to_string(side) + "\"") != std::string::npos);
    BOOST_TEST(s.find("width=\"" + std::to_string(side * 5) + "\"") != std::string::npos);
    BOOST_TEST(s.find("fill=\"#fff\"") != std::string::npos);
    BOOST_TEST(s.size() >= 6u);
    BOOST_TEST(s.substr(s.size() - 7) == "</svg>\n");
    // Every rectangle lies inside the quiet zone's frame, covers exactly the dark modules of its
    // row, and runs are merged: fewer rectangles than dark modules.
    int dark = 0;
    for (int y = 0; y < m->size(); ++y)
        for (int x = 0; x < m->size(); ++x) dark += m->dark(x, y) ? 1 : 0;
    std::vector<int> covered(static_cast<std::size_t>(m->size() * m->size()), 0);
    const std::regex rect("M(\\d+) (\\d+)h(\\d+)v1h-(\\d+)z");
    int rects = 0;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), rect); it != std::sregex_iterator(); ++it, ++rects) {
        const int x = std::stoi((*it)[1]) - 4, y = std::stoi((*it)[2]) - 4, run = std::stoi((*it)[3]);
        BOOST_REQUIRE(run == std::stoi((*it)[4]));
        BOOST_REQUIRE(x >= 0);
        BOOST_REQUIRE(y >= 0);
        BOOST_REQUIRE(x + run <= m->size());
        BOOST_REQUIRE(y < m->size());
        for (int k = 0; k < run; ++k) {
            BOOST_REQUIRE(m->dark(x + k, y));
            covered[static_cast<std::size_t>(y * m->size() + x + k)] += 1;
        }
        BOOST_TEST(!m->dark(x + run, y));  // a run ends at a light module (or the edge)
    }
    int total = 0;
    for (int c : covered) {
        BOOST_REQUIRE(c <= 1);
        total += c;
    }
    BOOST_TEST(total == dark);
    BOOST_TEST(rects < dark);
    BOOST_TEST(count(s, "<path") == 1u);
}

BOOST_AUTO_TEST_CASE(terminal_output) {
    auto m = mq::Matrix::encode(kUri);
    BOOST_REQUIRE(m);
    for (unsigned border : {2u, 4u}) {
        auto t = mq::to_terminal(*m, {.border = border});
        BOOST_REQUIRE(t);
        const std::string s(t->view());
        const int side = m->size() + 2 * static_cast<int>(border);
        std::vector<std::string> lines;
        for (std::size_t p = 0, n; (n = s.find('\n', p)) != std::string::npos; p = n + 1) lines.push_back(s.substr(p, n - p));
        BOOST_TEST(lines.size() == static_cast<std::size_t>((side + 1) / 2));
        const std::string on = "\033[30;47m", off = "\033[0m";
        std::size_t cells_total = 0;
        for (const auto& l : lines) {
            BOOST_REQUIRE(l.rfind(on, 0) == 0u);
            BOOST_REQUIRE(l.size() >= on.size() + off.size());
            BOOST_REQUIRE(l.substr(l.size() - off.size()) == off);
            const std::string body = l.substr(on.size(), l.size() - on.size() - off.size());
            // A cell is a space or a 3-byte half/full block: side cells a line.
            const std::size_t blocks = count(body, "\u2588") + count(body, "\u2580") + count(body, "\u2584");
            const std::size_t spaces = count(body, " ");
            BOOST_TEST(blocks + spaces == static_cast<std::size_t>(side));
            BOOST_TEST(body.size() == spaces + 3 * blocks);
            cells_total += blocks;
        }
        BOOST_TEST(cells_total > 0u);
        // The quiet zone: the first border/2 lines are blank, and every line starts and ends with
        // border blank cells.
        const std::string blank(static_cast<std::size_t>(side), ' ');
        for (unsigned i = 0; i < border / 2; ++i) BOOST_TEST(lines[i] == on + blank + off);
        for (const auto& l : lines) {
            BOOST_TEST(l.substr(on.size(), border) == std::string(border, ' '));
            BOOST_TEST(l.substr(l.size() - off.size() - border, border) == std::string(border, ' '));
        }
        // The finder patterns' top rows (7 dark modules each, two of them) are at row `border`:
        // the upper halves of line border/2 (borders here are even).
        const std::string& finder = lines[border / 2];
        BOOST_TEST(count(finder, "\u2588") + count(finder, "\u2580") >= 14u);
    }
}

BOOST_AUTO_TEST_CASE(png_output) {
    auto m = mq::Matrix::encode(kUri);
    BOOST_REQUIRE(m);
    auto png = mq::to_png(*m, {.border = 4, .scale = 3});
    BOOST_REQUIRE(png);
    const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    BOOST_REQUIRE(png->size() > 33u);
    BOOST_TEST(std::equal(png->data(), png->data() + 8, signature));
    // IHDR: width, height, bit depth 1, colour type 0 (grey).
    const std::uint32_t side = static_cast<std::uint32_t>(m->size() + 8) * 3;
    BOOST_TEST(be32(png->data() + 16) == side);
    BOOST_TEST(be32(png->data() + 20) == side);
    BOOST_TEST(png->data()[24] == 1);
    BOOST_TEST(png->data()[25] == 0);
    // The pixels: quiet zone white, module (0,0) black across its 3x3 pixels.
    unsigned w = 0, h = 0;
    const auto px = read_grey(png->view(), w, h);
    BOOST_TEST(w == side);
    BOOST_TEST(px[0] == 255);
    BOOST_TEST(px[(4 * 3 - 1) * w + 4 * 3 - 1] == 255);
    BOOST_TEST(px[(4 * 3) * w + 4 * 3] == 0);
    BOOST_TEST(px[(4 * 3 + 2) * w + 4 * 3 + 2] == 0);
}

BOOST_AUTO_TEST_CASE(data_uri) {
    auto data = mq::to_png_data_uri(kUri);
    BOOST_REQUIRE(data);
    // The base64 of the PNG signature.
    BOOST_TEST(data->view().rfind("data:image/png;base64,iVBORw0KGgo", 0) == 0u);
    auto png = mq::to_png(kUri);
    BOOST_REQUIRE(png);
    BOOST_TEST(data->size() == 22 + (png->size() + 2) / 3 * 4);
    BOOST_TEST(mq::to_png_data_uri("").code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(decodes_colour_alpha_and_several_codes) {
    auto a = mq::to_png("first code", {.scale = 4});
    auto b = mq::to_png("second code", {.scale = 4});
    BOOST_REQUIRE(a);
    BOOST_REQUIRE(b);
    unsigned wa = 0, ha = 0, wb = 0, hb = 0;
    const auto pa = read_grey(a->view(), wa, ha);
    const auto pb = read_grey(b->view(), wb, hb);
    // Side by side in one image.
    const unsigned w = wa + wb, h = std::max(ha, hb);
    std::vector<std::uint8_t> both(static_cast<std::size_t>(w) * h, 255);
    for (unsigned y = 0; y < ha; ++y) std::memcpy(&both[y * w], &pa[y * wa], wa);
    for (unsigned y = 0; y < hb; ++y) std::memcpy(&both[y * w + wa], &pb[y * wb], wb);
    auto texts = mq::decode_png(write_png(both, w, h));
    BOOST_REQUIRE_MESSAGE(texts, why(texts));
    BOOST_REQUIRE_EQUAL(texts->size(), 2u);
    std::vector<std::string> got{std::string((*texts)[0].view()), std::string((*texts)[1].view())};
    std::sort(got.begin(), got.end());
    BOOST_TEST(got[0] == "first code");
    BOOST_TEST(got[1] == "second code");
    // RGBA, black modules on a transparent background: composed onto white, it still scans.
    std::vector<std::uint8_t> rgba;
    for (std::uint8_t g : pa) {
        const std::uint8_t alpha = g == 0 ? 255 : 0;
        rgba.insert(rgba.end(), {0, 0, 0, alpha});
    }
    auto t = mq::decode_png(write_png(rgba, wa, ha, PNG_FORMAT_RGBA));
    BOOST_REQUIRE_MESSAGE(t, why(t));
    BOOST_TEST((*t)[0].view() == "first code");
}

BOOST_AUTO_TEST_CASE(decoding_errors) {
    BOOST_TEST(mq::decode_png({}).code() == Errc::invalid_argument);
    auto not_png = mq::decode_png(as_bytes("not a png at all"));
    BOOST_TEST(not_png.code() == Errc::parse);
    BOOST_TEST(not_png.error().detail.find("not a PNG") != std::string::npos);
    // Truncated: the header survives, the image data does not.
    auto png = mq::to_png(kUri);
    BOOST_REQUIRE(png);
    for (std::size_t n : {std::size_t{7}, std::size_t{8}, std::size_t{20}, std::size_t{40}, png->size() - 20}) {
        auto r = mq::decode_png(ByteView(png->data(), n));
        BOOST_TEST(r.code() == Errc::parse, "truncated to " << n << ": " << why(r));
    }
    // A flipped bit in the IHDR: its CRC no longer matches.
    SecretBytes corrupt = png->clone();
    corrupt[17] ^= 0x01;
    BOOST_TEST(mq::decode_png(corrupt.view()).code() == Errc::parse);
    // No QR code: a white image.
    std::vector<std::uint8_t> white(100 * 100, 255);
    auto none = mq::decode_png(write_png(white, 100, 100));
    BOOST_TEST(none.code() == Errc::not_found);
    BOOST_TEST(none.error().detail.find("no QR code") != std::string::npos);
    // Pixel limit, from the header alone: at the limit the header passes (then the missing data
    // is a parse error), one row over it is limit_exceeded.
    const auto at = forged_header(8192, 4096);
    BOOST_TEST(mq::decode_png(at).code() == Errc::parse);
    auto huge = mq::decode_png(forged_header(8192, 4097));
    BOOST_TEST(huge.code() == Errc::limit_exceeded);
    BOOST_TEST(huge.error().detail.find("8192x4097") != std::string::npos);
    BOOST_TEST(mq::decode_png(forged_header(1000000, 1000000)).code() == Errc::limit_exceeded);
    // Byte limit, before anything is parsed.
    std::vector<std::uint8_t> big(mq::kMaxPngBytes + 1, 0);
    std::memcpy(big.data(), png->data(), png->size());
    BOOST_TEST(mq::decode_png(big).code() == Errc::limit_exceeded);
    big.resize(mq::kMaxPngBytes);  // at the limit: decoded (libpng stops at IEND)
    BOOST_TEST(mq::decode_png(big).ok());
}

BOOST_AUTO_TEST_CASE(decode_from_file) {
    const std::string path = "/tmp/mfa-qr-test-" + std::to_string(::getpid()) + ".png";
    auto png = mq::to_png(kUri);
    BOOST_REQUIRE(png);
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(png->data()), static_cast<std::streamsize>(png->size()));
    }
    auto texts = mq::decode_png_file(path);
    BOOST_REQUIRE_MESSAGE(texts, why(texts));
    BOOST_TEST((*texts)[0].view() == kUri);
    {
        std::ofstream f(path, std::ios::binary);
        f << "not a png";
    }
    auto bad = mq::decode_png_file(path);
    BOOST_TEST(bad.code() == Errc::parse);
    BOOST_TEST(bad.error().detail.rfind(path + ": ", 0) == 0u);
    std::remove(path.c_str());
    auto missing = mq::decode_png_file(path);
    BOOST_TEST(missing.code() == Errc::io);
    BOOST_TEST(missing.error().detail.find(path) != std::string::npos);
}

// zxing-cpp runs on its own (shared) libstdc++: what it throws stops in read_barcodes, as an Error.
// A downscale factor below 2 is one thing zxing-cpp 1.4 throws std::invalid_argument for.
BOOST_AUTO_TEST_CASE(zxing_exceptions_become_errors) {
    const std::vector<std::uint8_t> white(64 * 64, 255);
    const ZXing::ImageView view(white.data(), 64, 64, ZXing::ImageFormat::Lum);
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    BOOST_TEST(mq::detail::read_barcodes(view, hints).ok());
    hints.setTryDownscale(true);
    hints.setDownscaleFactor(1);
    auto r = mq::detail::read_barcodes(view, hints);
    BOOST_TEST(r.code() == Errc::internal);
    BOOST_TEST((r ? std::string() : r.error().detail).find("zxing-cpp failed: ") == 0u, why(r));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(qr_jpeg)

BOOST_AUTO_TEST_CASE(screenshots_in_jpeg) {
    unsigned w = 0, h = 0;
    const auto grey = grey_of(kUri, w, h);
    // Baseline grey, baseline colour at a screenshot tool's lower quality, progressive.
    for (const JpegOptions& o : {JpegOptions{}, JpegOptions{.quality = 60, .components = 3},
                                 JpegOptions{.progressive = true}, JpegOptions{.components = 3, .progressive = true}}) {
        const auto jpeg = write_jpeg(grey, w, h, o);
        auto texts = mq::decode_image(jpeg);
        BOOST_REQUIRE_MESSAGE(texts, "quality " << o.quality << " components " << o.components << ": " << why(texts));
        BOOST_REQUIRE_EQUAL(texts->size(), 1u);
        BOOST_TEST((*texts)[0].view() == kUri);
    }
    // decode_image reads PNG too; decode_png stays PNG only.
    auto png = mq::to_png(kUri);
    BOOST_REQUIRE(png);
    auto from_png = mq::decode_image(png->view());
    BOOST_REQUIRE_MESSAGE(from_png, why(from_png));
    BOOST_TEST((*from_png)[0].view() == kUri);
    auto as_png = mq::decode_png(write_jpeg(grey, w, h));
    BOOST_TEST(as_png.code() == Errc::parse);
    BOOST_TEST(as_png.error().detail.find("not a PNG") != std::string::npos);
    BOOST_TEST(mq::is_image(png->view()));
    BOOST_TEST(mq::is_image(write_jpeg(grey, w, h)));
    BOOST_TEST(!mq::is_image(as_bytes("otpauth://totp/x")));
    BOOST_TEST(!mq::is_image(ByteView(png->data(), 7)));
}

BOOST_AUTO_TEST_CASE(jpeg_errors) {
    BOOST_TEST(mq::decode_image({}).code() == Errc::invalid_argument);
    auto neither = mq::decode_image(as_bytes("GIF89a not supported"));
    BOOST_TEST(neither.code() == Errc::parse);
    BOOST_TEST(neither.error().detail.find("not a PNG or JPEG") != std::string::npos);
    unsigned w = 0, h = 0;
    const auto grey = grey_of(kUri, w, h);
    const auto jpeg = write_jpeg(grey, w, h);
    // Cut inside the headers: libjpeg's own reason.
    for (std::size_t n : {std::size_t{3}, std::size_t{20}, std::size_t{200}}) {
        auto r = mq::decode_image(ByteView(jpeg.data(), n));
        BOOST_TEST(r.code() == Errc::parse, "cut to " << n << ": " << why(r));
        if (!r) BOOST_TEST(r.error().detail.find("corrupt JPEG") != std::string::npos);
    }
    // A white JPEG has no code.
    std::vector<std::uint8_t> white(100 * 100, 255);
    BOOST_TEST(mq::decode_image(write_jpeg(white, 100, 100)).code() == Errc::not_found);
    // The frame header's dimensions (SOF0: FF C0, length, precision, height, width) are refused
    // before the pixels are allocated.
    auto forged = jpeg;
    std::size_t sof = 2;
    while (sof + 9 < forged.size() && !(forged[sof] == 0xFF && forged[sof + 1] == 0xC0)) ++sof;
    BOOST_REQUIRE(sof + 9 < forged.size());
    forged[sof + 5] = forged[sof + 7] = 0x40;  // 16384 x 16384
    forged[sof + 6] = forged[sof + 8] = 0x00;
    auto huge = mq::decode_image(forged);
    BOOST_TEST(huge.code() == Errc::limit_exceeded);
    BOOST_TEST(huge.error().detail.find("16384x16384") != std::string::npos);
    // 128 progressive scans: refused at the 101st, whatever the picture.
    auto slow = mq::decode_image(write_jpeg(grey, w, h, {.many_scans = true}));
    BOOST_TEST(slow.code() == Errc::parse);
    BOOST_TEST(slow.error().detail.find("more than 100 scans") != std::string::npos);
    // The byte limit applies to JPEG as to PNG.
    std::vector<std::uint8_t> big(mq::kMaxImageBytes + 1, 0);
    std::memcpy(big.data(), jpeg.data(), jpeg.size());
    BOOST_TEST(mq::decode_image(big).code() == Errc::limit_exceeded);
}

BOOST_AUTO_TEST_CASE(jpeg_from_file) {
    const std::string path = "/tmp/mfa-qr-test-" + std::to_string(::getpid()) + ".jpg";
    unsigned w = 0, h = 0;
    const auto grey = grey_of(kUri, w, h);
    const auto jpeg = write_jpeg(grey, w, h);
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
    }
    auto texts = mq::decode_image_file(path);
    BOOST_REQUIRE_MESSAGE(texts, why(texts));
    BOOST_TEST((*texts)[0].view() == kUri);
    auto as_png = mq::decode_png_file(path);
    BOOST_TEST(as_png.code() == Errc::parse);
    BOOST_TEST(as_png.error().detail.rfind(path + ": ", 0) == 0u);
    std::remove(path.c_str());
    BOOST_TEST(mq::decode_image_file(path).code() == Errc::io);
}

BOOST_AUTO_TEST_SUITE_END()

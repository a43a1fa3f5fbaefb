// The QR part of the C ABI (mfa_qr.h): the renderings of mfa::qr into library-allocated buffers,
// and decoded texts behind a handle.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "abi.hpp"
#include "mfa/mfa_qr.h"
#include "mfa/qr.hpp"

struct mfa_qr_texts {
    std::vector<mfa::SecretString> texts;
};

namespace mfa::abi {
namespace {

static_assert(MFA_QR_MAX_TEXT == qr::kMaxText);
static_assert(MFA_QR_MAX_BORDER == qr::kMaxBorder);
static_assert(MFA_QR_MAX_SCALE == qr::kMaxScale);
static_assert(MFA_QR_MAX_PNG_BYTES == qr::kMaxPngBytes);
static_assert(MFA_QR_MAX_IMAGE_PIXELS == qr::kMaxImagePixels);
static_assert(MFA_QR_EC_LOW == static_cast<int>(qr::EcLevel::low));
static_assert(MFA_QR_EC_MEDIUM == static_cast<int>(qr::EcLevel::medium));
static_assert(MFA_QR_EC_QUARTILE == static_cast<int>(qr::EcLevel::quartile));
static_assert(MFA_QR_EC_HIGH == static_cast<int>(qr::EcLevel::high));

// The first published layout of mfa_qr_options_t.
constexpr std::size_t kOptionsV1 = offsetof(mfa_qr_options_t, scale) + sizeof(std::uint32_t);

mfa_qr_options_t default_options() {
    mfa_qr_options_t o{};
    o.struct_size = sizeof o;
    const qr::QrOptions d;
    o.ec = static_cast<int>(d.ec);
    o.border = d.border;
    o.scale = d.scale;
    return o;
}

// The checked arguments of an encoder: the text and the options.
Result<qr::QrOptions> options_from(const mfa_qr_options_t* in) {
    mfa_qr_options_t c = default_options();
    if (in != nullptr) MFA_TRY(read_sized(in, c, kOptionsV1, "opts"));
    if (c.ec < MFA_QR_EC_LOW || c.ec > MFA_QR_EC_HIGH)
        return Error(Errc::invalid_argument, "opts.ec " + std::to_string(c.ec) + " is not an MFA_QR_EC_* value");
    qr::QrOptions o;
    o.ec = static_cast<qr::EcLevel>(c.ec);
    o.border = c.border;
    o.scale = c.scale;
    return o;
}

template <class T, class Render>
int encode(T** out, std::size_t* len, const char* text, std::size_t text_len, const mfa_qr_options_t* opts,
           Render render) {
    return guarded([&] {
        if (out == nullptr) return fail(Errc::invalid_argument, "out is NULL");
        if (len == nullptr) return fail(Errc::invalid_argument, "len is NULL");
        if (text == nullptr) return fail(Errc::invalid_argument, "text is NULL");
        auto o = options_from(opts);
        if (!o) return fail(o.error());
        auto r = render(std::string_view(text, text_len), *o);
        if (!r) return fail(r.error());
        return abi::put_alloc(out, len, r->data(), r->size());
    });
}

}  // namespace
}  // namespace mfa::abi

using namespace mfa;
using namespace mfa::abi;

extern "C" {

int mfa_qr_options_init(mfa_qr_options_t* opts) {
    return guarded([&] {
        if (opts == nullptr) return fail(Errc::invalid_argument, "opts is NULL");
        *opts = default_options();
        return MFA_OK;
    });
}

int mfa_qr_svg(char** out, size_t* len, const char* text, size_t text_len, const mfa_qr_options_t* opts) {
    return encode(out, len, text, text_len, opts,
                  [](std::string_view t, const qr::QrOptions& o) { return qr::to_svg(t, o); });
}

int mfa_qr_png(uint8_t** out, size_t* len, const char* text, size_t text_len, const mfa_qr_options_t* opts) {
    return encode(out, len, text, text_len, opts,
                  [](std::string_view t, const qr::QrOptions& o) { return qr::to_png(t, o); });
}

int mfa_qr_png_data_uri(char** out, size_t* len, const char* text, size_t text_len, const mfa_qr_options_t* opts) {
    return encode(out, len, text, text_len, opts,
                  [](std::string_view t, const qr::QrOptions& o) { return qr::to_png_data_uri(t, o); });
}

int mfa_qr_terminal(char** out, size_t* len, const char* text, size_t text_len, const mfa_qr_options_t* opts) {
    return encode(out, len, text, text_len, opts,
                  [](std::string_view t, const qr::QrOptions& o) { return qr::to_terminal(t, o); });
}

int mfa_qr_decode_png(mfa_qr_texts_t** texts, const uint8_t* png, size_t png_len) {
    return guarded([&] {
        if (texts == nullptr) return fail(Errc::invalid_argument, "texts is NULL");
        if (png == nullptr) return fail(Errc::invalid_argument, "png is NULL");
        auto r = qr::decode_png(ByteView(png, png_len));
        if (!r) return fail(r.error());
        *texts = new mfa_qr_texts{std::move(*r)};
        return MFA_OK;
    });
}

int mfa_qr_texts_get_count(const mfa_qr_texts_t* texts, size_t* count) {
    return guarded([&] {
        if (texts == nullptr) return fail(Errc::invalid_argument, "texts is NULL");
        if (count == nullptr) return fail(Errc::invalid_argument, "count is NULL");
        *count = texts->texts.size();
        return MFA_OK;
    });
}

int mfa_qr_texts_get_text(const mfa_qr_texts_t* texts, char** out, size_t* len, size_t index) {
    return guarded([&] {
        if (texts == nullptr) return fail(Errc::invalid_argument, "texts is NULL");
        if (index >= texts->texts.size())
            return fail(Errc::not_found, "index " + std::to_string(index) + " of " +
                                             std::to_string(texts->texts.size()) + " texts");
        const auto t = texts->texts[index].view();
        return abi::put_alloc(out, len, t.data(), t.size());
    });
}

void mfa_qr_texts_free(mfa_qr_texts_t** texts) {
    if (texts == nullptr) return;
    delete *texts;  // SecretString wipes each text
    *texts = nullptr;
}

}  // extern "C"

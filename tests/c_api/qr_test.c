/* QR codes through the C ABI: encode -> decode round trips (text and binary), every output form,
 * options by struct_size, and the errors (NULL arguments, empty and too long texts, bad options,
 * not a PNG, no code, out-of-range index). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static const char kUri[] = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";

/* Renders text as a PNG and decodes it: one code, the same bytes. */
static void round_trip(const char *text, size_t text_len, const mfa_qr_options_t *opts) {
    uint8_t *png = NULL;
    size_t png_len = 0, count = 0, len = 0;
    mfa_qr_texts_t *texts = NULL;
    char *out = NULL;
    CHECK_OK(mfa_qr_png(&png, &png_len, text, text_len, opts));
    if (png == NULL) return;
    CHECK(png_len > 8 && png[0] == 0x89 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    CHECK_OK(mfa_qr_decode_png(&texts, png, png_len));
    mfa_memzero(png, png_len);
    mfa_free(png);
    if (texts == NULL) return;
    CHECK_OK(mfa_qr_texts_get_count(texts, &count));
    CHECK(count == 1);
    CHECK_OK(mfa_qr_texts_get_text(texts, &out, &len, 0));
    CHECK(out != NULL && len == text_len && memcmp(out, text, text_len) == 0 && out[len] == '\0');
    mfa_free(out);
    mfa_qr_texts_free(&texts);
    CHECK(texts == NULL);
}

static void test_round_trips(void) {
    char binary[256];
    size_t i;
    mfa_qr_options_t o;
    round_trip(kUri, strlen(kUri), NULL);
    for (i = 0; i < sizeof binary; ++i) binary[i] = (char)i; /* NULs included */
    round_trip(binary, sizeof binary, NULL);
    CHECK_OK(mfa_qr_options_init(&o));
    CHECK(o.struct_size == sizeof o && o.ec == MFA_QR_EC_MEDIUM && o.border == 4 && o.scale == 6);
    o.ec = MFA_QR_EC_HIGH;
    o.border = 2;
    o.scale = 3;
    round_trip(kUri, strlen(kUri), &o);
}

static void test_outputs(void) {
    char *s = NULL;
    size_t len = 0;
    CHECK_OK(mfa_qr_svg(&s, &len, kUri, strlen(kUri), NULL));
    if (s != NULL) {
        CHECK(len == strlen(s));
        CHECK(strncmp(s, "<?xml", 5) == 0);
        CHECK(strstr(s, "<svg") != NULL && strstr(s, "<path") != NULL);
        mfa_memzero(s, len);
        mfa_free(s);
    }
    s = NULL;
    CHECK_OK(mfa_qr_png_data_uri(&s, &len, kUri, strlen(kUri), NULL));
    if (s != NULL) {
        CHECK(len == strlen(s));
        CHECK(strncmp(s, "data:image/png;base64,iVBORw0KGgo", 33) == 0);
        mfa_memzero(s, len);
        mfa_free(s);
    }
    s = NULL;
    CHECK_OK(mfa_qr_terminal(&s, &len, kUri, strlen(kUri), NULL));
    if (s != NULL) {
        CHECK(strncmp(s, "\033[30;47m", 8) == 0);
        CHECK(strstr(s, "\xe2\x96\x88") != NULL); /* U+2588 full block */
        mfa_memzero(s, len);
        mfa_free(s);
    }
}

static void test_encode_errors(void) {
    char *s = NULL;
    uint8_t *png = NULL;
    size_t len = 0;
    char *big;
    mfa_qr_options_t o;
    CHECK_RC(mfa_qr_svg(NULL, &len, kUri, strlen(kUri), NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("out");
    CHECK_RC(mfa_qr_svg(&s, NULL, kUri, strlen(kUri), NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("len");
    CHECK_RC(mfa_qr_png(&png, &len, NULL, 5, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("text");
    CHECK_RC(mfa_qr_png(&png, &len, "", 0, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("empty");
    CHECK(png == NULL);
    big = malloc(MFA_QR_MAX_TEXT + 1);
    CHECK(big != NULL);
    if (big != NULL) {
        memset(big, 'a', MFA_QR_MAX_TEXT + 1);
        CHECK_RC(mfa_qr_png(&png, &len, big, MFA_QR_MAX_TEXT + 1, NULL), MFA_ERR_LIMIT_EXCEEDED);
        CHECK_DETAIL("2954 bytes");
        CHECK(png == NULL);
        /* At the limit: version 40, level L (the fall-back from M). */
        CHECK_OK(mfa_qr_svg(&s, &len, big, MFA_QR_MAX_TEXT, NULL));
        if (s != NULL) {
            CHECK(strstr(s, "viewBox=\"0 0 185 185\"") != NULL); /* 177 modules + 2 * 4 */
            mfa_free(s);
            s = NULL;
        }
        free(big);
    }
    CHECK_OK(mfa_qr_options_init(&o));
    o.scale = 0;
    CHECK_RC(mfa_qr_png(&png, &len, kUri, strlen(kUri), &o), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("scale");
    o.scale = MFA_QR_MAX_SCALE + 1;
    CHECK_RC(mfa_qr_png(&png, &len, kUri, strlen(kUri), &o), MFA_ERR_INVALID_ARGUMENT);
    o.scale = 6;
    o.border = MFA_QR_MAX_BORDER + 1;
    CHECK_RC(mfa_qr_svg(&s, &len, kUri, strlen(kUri), &o), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("border");
    o.border = 4;
    o.ec = 9;
    CHECK_RC(mfa_qr_svg(&s, &len, kUri, strlen(kUri), &o), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("opts.ec");
    o.ec = MFA_QR_EC_LOW;
    o.struct_size = sizeof(size_t);
    CHECK_RC(mfa_qr_svg(&s, &len, kUri, strlen(kUri), &o), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");
    CHECK(s == NULL);
    CHECK_RC(mfa_qr_options_init(NULL), MFA_ERR_INVALID_ARGUMENT);
}

static void test_decode_errors(void) {
    static const uint8_t not_png[] = "GIF89a, not a PNG";
    mfa_qr_texts_t *texts = NULL;
    uint8_t *png = NULL;
    size_t png_len = 0, count = 0, len = 0;
    CHECK_RC(mfa_qr_decode_png(NULL, not_png, sizeof not_png), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("texts");
    CHECK_RC(mfa_qr_decode_png(&texts, NULL, 10), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("png");
    CHECK_RC(mfa_qr_decode_png(&texts, not_png, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_qr_decode_png(&texts, not_png, sizeof not_png), MFA_ERR_PARSE);
    CHECK_DETAIL("not a PNG");
    CHECK(texts == NULL);
    CHECK_OK(mfa_qr_png(&png, &png_len, kUri, strlen(kUri), NULL));
    if (png != NULL) {
        CHECK_RC(mfa_qr_decode_png(&texts, png, png_len / 2), MFA_ERR_PARSE); /* truncated */
        CHECK_OK(mfa_qr_decode_png(&texts, png, png_len));
        mfa_free(png);
    }
    if (texts != NULL) {
        char *out = NULL;
        CHECK_RC(mfa_qr_texts_get_text(texts, &out, &len, 1), MFA_ERR_NOT_FOUND);
        CHECK(out == NULL);
        CHECK_RC(mfa_qr_texts_get_text(texts, &out, NULL, 0), MFA_ERR_INVALID_ARGUMENT);
        CHECK_RC(mfa_qr_texts_get_text(texts, NULL, &len, 0), MFA_ERR_INVALID_ARGUMENT);
        CHECK_RC(mfa_qr_texts_get_count(texts, NULL), MFA_ERR_INVALID_ARGUMENT);
        CHECK_RC(mfa_qr_texts_get_count(NULL, &count), MFA_ERR_INVALID_ARGUMENT);
        CHECK_RC(mfa_qr_texts_get_text(NULL, &out, &len, 0), MFA_ERR_INVALID_ARGUMENT);
    }
    mfa_qr_texts_free(&texts);
    mfa_qr_texts_free(&texts); /* a second free is harmless */
    mfa_qr_texts_free(NULL);
}

int main(void) {
    test_round_trips();
    test_outputs();
    test_encode_errors();
    test_decode_errors();
    return check_finish("c_api_qr");
}

/* mfakit C ABI: QR codes (docs/qr.md). Encoding a text (an otpauth:// or otpauth-migration:// URI)
 * as SVG, PNG, a PNG data URI or terminal text, and reading the QR codes of a PNG image back.
 *
 *  - A QR picture of an otpauth URI is as secret as the URI. Every output here is allocated by the
 *    library and released with mfa_free(), which wipes it; so are the decoded texts.
 *  - Texts are exact bytes (text, text_len): byte mode, NULs allowed; 1..MFA_QR_MAX_TEXT bytes.
 *  - opts NULL means the defaults (mfa_qr_options_init). Every input is borrowed.
 *
 * Thread safety: there are no handles here; every function may be called from any thread.
 */
#ifndef MFA_QR_H
#define MFA_QR_H

#include "mfa/mfa_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The decoded texts of one PNG image (opaque). */
typedef struct mfa_qr_texts mfa_qr_texts_t;

/* Error-correction levels (7 %, 15 %, 25 %, 30 % recoverable). A text that does not fit at the
 * level asked for is encoded at the next lower level that fits. */
#define MFA_QR_EC_LOW 0
#define MFA_QR_EC_MEDIUM 1
#define MFA_QR_EC_QUARTILE 2
#define MFA_QR_EC_HIGH 3

#define MFA_QR_MAX_TEXT 2953u               /* bytes: version 40, level L, byte mode */
#define MFA_QR_MAX_BORDER 64u               /* quiet zone, modules */
#define MFA_QR_MAX_SCALE 64u                /* pixels a module */
#define MFA_QR_MAX_PNG_BYTES 16777216u      /* mfa_qr_decode_png / _image input (16 MiB) */
#define MFA_QR_MAX_IMAGE_PIXELS 33554432u   /* width * height of a decoded image (32 Mi) */

/* Rendering options. Versioned by size like mfa_otp_params_t: set struct_size (the init function
 * does); fields are only ever appended. */
typedef struct mfa_qr_options {
    size_t struct_size; /* sizeof(mfa_qr_options_t) */
    int ec;             /* MFA_QR_EC_*, default MFA_QR_EC_MEDIUM */
    uint32_t border;    /* quiet zone in modules, 0..MFA_QR_MAX_BORDER, default 4 */
    uint32_t scale;     /* pixels a module (PNG; the SVG's width/height), 1..MFA_QR_MAX_SCALE, default 6 */
} mfa_qr_options_t;

/* Fills *opts with the defaults and struct_size. */
MFA_EXPORT int mfa_qr_options_init(mfa_qr_options_t *opts);

/* The encoders: *out receives a library-allocated buffer (mfa_free wipes and releases it), *len
 * its length; text outputs are also NUL-terminated (not counted in *len). On failure
 * *out is not touched. Errors: MFA_ERR_INVALID_ARGUMENT (out, len or text NULL, text_len 0, an
 * option out of range), MFA_ERR_LIMIT_EXCEEDED (text_len > MFA_QR_MAX_TEXT), MFA_ERR_INTERNAL.
 *
 * A standalone SVG document (white background, one black path). */
MFA_EXPORT int mfa_qr_svg(char **out, size_t *len, const char *text, size_t text_len, const mfa_qr_options_t *opts);
/* A 1-bit greyscale PNG image. */
MFA_EXPORT int mfa_qr_png(uint8_t **out, size_t *len, const char *text, size_t text_len, const mfa_qr_options_t *opts);
/* "data:image/png;base64,..." of the same PNG, for an <img src>. */
MFA_EXPORT int mfa_qr_png_data_uri(char **out, size_t *len, const char *text, size_t text_len,
                                   const mfa_qr_options_t *opts);
/* UTF-8 half blocks with ANSI colours (black on white), two module rows a line; opts->scale unused. */
MFA_EXPORT int mfa_qr_terminal(char **out, size_t *len, const char *text, size_t text_len,
                               const mfa_qr_options_t *opts);

/* Every QR code in a PNG image (png: borrowed, png_len bytes), into a new *texts the caller owns
 * (mfa_qr_texts_free). Errors: MFA_ERR_INVALID_ARGUMENT (texts or png NULL, png_len 0),
 * MFA_ERR_LIMIT_EXCEEDED (png_len > MFA_QR_MAX_PNG_BYTES, or more than MFA_QR_MAX_IMAGE_PIXELS
 * pixels: refused from the header), MFA_ERR_PARSE (not a PNG, corrupt PNG), MFA_ERR_NOT_FOUND (no
 * QR code in the image). */
MFA_EXPORT int mfa_qr_decode_png(mfa_qr_texts_t **texts, const uint8_t *png, size_t png_len);
/* The same for a PNG or a JPEG image (recognised by its first bytes; baseline or progressive).
 * MFA_ERR_PARSE also: neither a PNG nor a JPEG, a corrupt JPEG, more than 100 progressive scans.
 * Both decoders: MFA_ERR_UNSUPPORTED in a library built without QR decoding (-Dqr_decode). */
MFA_EXPORT int mfa_qr_decode_image(mfa_qr_texts_t **texts, const uint8_t *image, size_t image_len);
/* The number of codes found (at least 1). */
MFA_EXPORT int mfa_qr_texts_get_count(const mfa_qr_texts_t *texts, size_t *count);
/* Code `index` (0..count-1; MFA_ERR_NOT_FOUND beyond) into *text: its exact bytes plus a NUL not
 * counted in *len (the text itself may hold NULs: use *len; a code made elsewhere may hold more than
 * MFA_QR_MAX_TEXT bytes, up to 7089 digits in numeric mode). mfa_free wipes and releases it. */
MFA_EXPORT int mfa_qr_texts_get_text(const mfa_qr_texts_t *texts, char **text, size_t *len, size_t index);
/* Releases the texts and wipes them. NULL and *texts == NULL are fine; sets *texts to NULL. */
MFA_EXPORT void mfa_qr_texts_free(mfa_qr_texts_t **texts);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MFA_QR_H */

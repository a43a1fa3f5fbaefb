// Internal: libpng, loaded when the first PNG is written or read instead of linked
// (mfa/shared_library.hpp says why): the functions render_png.cpp and decode.cpp call, taken from
// it once per process.
#pragma once

#include <png.h>

#include <csetjmp>

#include "mfa/error.hpp"
#include "mfa/shared_library.hpp"

namespace mfa::qr::detail {

#define MFA_LIBPNG_FUNCTIONS(X)                                                                                   \
    X(png_create_write_struct_2) X(png_create_info_struct) X(png_destroy_write_struct) X(png_get_io_ptr)          \
    X(png_set_IHDR) X(png_set_longjmp_fn) X(png_set_write_fn) X(png_write_end) X(png_write_info) X(png_write_row) \
    X(png_image_begin_read_from_memory) X(png_image_finish_read) X(png_image_free)

struct LibPng {
    MFA_LIBRARY_POINTERS(MFA_LIBPNG_FUNCTIONS)
};

// Loaded once per process; every later call sees the same outcome (Errc::unsupported naming
// libpng16.so.16 and what is missing when it cannot be used).
const Result<LibPng>& libpng();

// png_jmpbuf(png) through the table: the macro calls png_set_longjmp_fn itself. libpng's errors
// longjmp to the buffer it returns, which the caller setjmp()s in its own frame.
inline std::jmp_buf& png_jmpbuf_of(const LibPng& lib, png_structp png) {
    return *lib.png_set_longjmp_fn(png, std::longjmp, sizeof(std::jmp_buf));
}

}  // namespace mfa::qr::detail

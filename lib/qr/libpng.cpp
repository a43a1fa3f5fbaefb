#include "libpng.hpp"

#include "mfa/shared_library.hpp"

namespace mfa::qr::detail {
namespace {

// The soname of the ABI png.h describes: libpng 1.6 (Debian's libpng16-16).
static_assert(PNG_LIBPNG_VER_SONUM == 16 && PNG_LIBPNG_VER_DLLNUM == 16, "kLibPng names libpng16.so.16");
constexpr const char* kLibPng = "libpng16.so.16";

}  // namespace

const Result<LibPng>& libpng() {
    static const Result<LibPng> loaded =
        SharedLibrary::load<LibPng>("PNG", kLibPng, [](const SharedLibrary& lib, LibPng& t) -> Status {
            MFA_LIBRARY_BIND(MFA_LIBPNG_FUNCTIONS, lib, t);
            return {};
        });
    return loaded;
}

}  // namespace mfa::qr::detail

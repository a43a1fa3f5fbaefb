#include "libpng.hpp"

#include "mfa/shared_library.hpp"

namespace mfa::qr::detail {
namespace {

// The soname of the ABI png.h describes: libpng 1.6 (Debian's libpng16-16).
static_assert(PNG_LIBPNG_VER_SONUM == 16 && PNG_LIBPNG_VER_DLLNUM == 16, "kLibPng names libpng16.so.16");
constexpr const char* kLibPng = "libpng16.so.16";

Result<LibPng> load_libpng() {
    auto lib = SharedLibrary::open(kLibPng);
    if (!lib) return Error{Errc::unsupported, "PNG: " + lib.error().detail};
    LibPng png;
#define MFA_LIBPNG_RESOLVE(name) \
    if (auto st = lib->bind(png.name, #name); !st) return Error{Errc::unsupported, "PNG: " + st.error().detail};
    MFA_LIBPNG_FUNCTIONS(MFA_LIBPNG_RESOLVE)
#undef MFA_LIBPNG_RESOLVE
    return png;
}

}  // namespace

const Result<LibPng>& libpng() {
    static const Result<LibPng> loaded = load_libpng();
    return loaded;
}

}  // namespace mfa::qr::detail

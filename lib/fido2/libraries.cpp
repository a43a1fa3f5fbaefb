// libfido2 and hidapi, each taken from its shared library once per process (libraries.hpp).
#include "libraries.hpp"

#include "mfa/shared_library.hpp"

namespace mfa::fido2 {
namespace {

// The sonames of their ABIs: libfido2 1.x (Debian's libfido2-1) and hidapi's hidraw backend
// (libhidapi-hidraw0).
constexpr const char* kLibFido2 = "libfido2.so.1";
constexpr const char* kHidApi = "libhidapi-hidraw.so.0";

Result<LibFido2> open_libfido2() {
    auto t = SharedLibrary::load<LibFido2>("fido2", kLibFido2, [](const SharedLibrary& lib, LibFido2& f) -> Status {
        MFA_LIBRARY_BIND(MFA_LIBFIDO2_FUNCTIONS, lib, f);
        return {};
    });
    if (t) t->fido_init(0);
    return t;
}

Result<HidApi> open_hidapi() {
    auto t = SharedLibrary::load<HidApi>("fido2", kHidApi, [](const SharedLibrary& lib, HidApi& h) -> Status {
        MFA_LIBRARY_BIND(MFA_HIDAPI_FUNCTIONS, lib, h);
        return {};
    });
    if (t && t->hid_init() != 0) return Error(Errc::fido2_io, "hid_init failed");
    return t;
}

}  // namespace

const Result<LibFido2>& load_libfido2() {
    static const Result<LibFido2> loaded = open_libfido2();
    return loaded;
}

const LibFido2& fido() { return *load_libfido2(); }

const Result<HidApi>& load_hidapi() {
    static const Result<HidApi> loaded = open_hidapi();
    return loaded;
}

}  // namespace mfa::fido2

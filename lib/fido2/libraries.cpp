// libfido2 and hidapi, each taken from its shared library once per process (libraries.hpp).
#include "libraries.hpp"

#include "mfa/shared_library.hpp"

namespace mfa::fido2 {
namespace {

// The sonames of their ABIs: libfido2 1.x (Debian's libfido2-1) and hidapi's hidraw backend
// (libhidapi-hidraw0).
constexpr const char* kLibFido2 = "libfido2.so.1";
constexpr const char* kHidApi = "libhidapi-hidraw.so.0";

// A library or function missing at run time: unsupported, with the loader's words.
Error unavailable(const Error& e) { return Error(Errc::unsupported, "fido2: " + e.detail); }

#define MFA_FIDO2_BIND(name) \
    if (auto st = lib->bind(t.name, #name); !st) return unavailable(st.error());

Result<LibFido2> open_libfido2() {
    auto lib = SharedLibrary::open(kLibFido2);
    if (!lib) return unavailable(lib.error());
    LibFido2 t;
    MFA_LIBFIDO2_FUNCTIONS(MFA_FIDO2_BIND)
    t.fido_init(0);
    return t;
}

Result<HidApi> open_hidapi() {
    auto lib = SharedLibrary::open(kHidApi);
    if (!lib) return unavailable(lib.error());
    HidApi t;
    MFA_HIDAPI_FUNCTIONS(MFA_FIDO2_BIND)
    if (t.hid_init() != 0) return Error(Errc::fido2_io, "hid_init failed");
    return t;
}

#undef MFA_FIDO2_BIND

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

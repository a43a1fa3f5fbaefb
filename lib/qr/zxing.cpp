#include "zxing.hpp"

#include <ZXing/ZXVersion.h>

#include <exception>
#include <new>
#include <string>

#include "mfa/shared_library.hpp"

namespace mfa::qr::detail {
namespace {

// Of all decode.cpp uses of zxing-cpp, only these two functions are compiled into libZXing: the
// rest (DecodeHints, ImageView, Result's accessors, and destroying the Results vector with its
// ByteArray, std::string and std::vector members) is inline in the headers of zxing-cpp 1.4, the
// version built against, so it is our code and assumes 1.4's layouts. That is safe with the soname
// pinned below: libZXing.so.2 is the ABI of those headers (Debian's libzxing2), and nothing of
// zxing's is linked (no typeinfo, vtable or out-of-line constructor or destructor: `nm -u` of the
// objects shows no ZXing symbol). The two are taken by their mangled names (Itanium C++ ABI, as
// `nm -D libZXing.so.2` lists them).
#if ZXING_VERSION_MAJOR != 1 || ZXING_VERSION_MINOR != 4
#error "kLibZxing and the mangled names below are zxing-cpp 1.4's: check them against this version's libZXing"
#endif
constexpr const char* kLibZxing = "libZXing.so.2";
constexpr const char* kReadBarcodes = "_ZN5ZXing12ReadBarcodesERKNS_9ImageViewERKNS_11DecodeHintsE";
constexpr const char* kResultBytes = "_ZNK5ZXing6Result5bytesEv";

struct LibZxing {
    // ZXing::ReadBarcodes(ZXing::ImageView const&, ZXing::DecodeHints const&)
    decltype(&ZXing::ReadBarcodes) ReadBarcodes = nullptr;
    // ZXing::Result::bytes() const: a non-virtual member function, called as a function whose first
    // argument is `this`.
    const ZXing::ByteArray& (*Result_bytes)(const ZXing::Result*) = nullptr;
};

// Loaded once per process; every later call sees the same outcome.
const Result<LibZxing>& libzxing() {
    static const Result<LibZxing> loaded =
        SharedLibrary::load<LibZxing>("QR decoding", kLibZxing, [](const SharedLibrary& lib, LibZxing& t) -> Status {
            MFA_TRY(lib.bind(t.ReadBarcodes, kReadBarcodes));
            MFA_TRY(lib.bind(t.Result_bytes, kResultBytes));
            return {};
        });
    return loaded;
}

}  // namespace

// libZXing runs on the shared libstdc++ it links, which need not be the one this code runs on (the
// `mfa` binary links its own statically): its exceptions are caught here, in the frame that called
// it. That works while both runtimes unwind with the one shared libgcc_s: with a static libgcc
// (-static-libgcc) the unwinder of libZXing's throw calls this frame's personality routine, whose
// static _Unwind_SetGR aborts the process (measured: a bad_alloc in ReadBarcodes).
Result<ZXing::Results> read_barcodes(const ZXing::ImageView& view, const ZXing::DecodeHints& hints) {
    const auto& zx = libzxing();
    if (!zx) return zx.error();
    try {
        return zx->ReadBarcodes(view, hints);
    } catch (const std::bad_alloc&) {
        return Error(Errc::no_memory, "zxing-cpp");
    } catch (const std::exception& e) {
        return Error(Errc::internal, std::string("zxing-cpp failed: ") + e.what());
    } catch (...) {
        return Error(Errc::internal, "zxing-cpp failed");
    }
}

const ZXing::ByteArray& result_bytes(const ZXing::Result& r) noexcept { return libzxing()->Result_bytes(&r); }

}  // namespace mfa::qr::detail

// Matrix::encode: libqrencode in byte mode, falling back to lower error-correction levels.
#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <string>

#include "mfa/qr.hpp"
#include "mfa/shared_library.hpp"

namespace mfa::qr {
namespace {

// libqrencode is loaded when the first code is encoded, not linked (mfa/shared_library.hpp says
// why): the two functions called here, taken from it once per process.
#define MFA_LIBQRENCODE_FUNCTIONS(X) X(QRcode_encodeData) X(QRcode_free)

struct LibQrencode {
    MFA_LIBRARY_POINTERS(MFA_LIBQRENCODE_FUNCTIONS)
};

// The soname of libqrencode's ABI (4 since libqrencode 4.0; Debian's libqrencode4).
constexpr const char* kLibQrencode = "libqrencode.so.4";

// Loaded once per process; every later call sees the same outcome.
const Result<LibQrencode>& libqrencode() {
    static const Result<LibQrencode> loaded =
        SharedLibrary::load<LibQrencode>("QR encoding", kLibQrencode, [](const SharedLibrary& lib, LibQrencode& t) -> Status {
            MFA_LIBRARY_BIND(MFA_LIBQRENCODE_FUNCTIONS, lib, t);
            return {};
        });
    return loaded;
}

// libqrencode's matrix holds the secret too: wiped before it is freed. Only libqrencode made it,
// so libqrencode is loaded.
struct QrFree {
    void operator()(QRcode* q) const noexcept {
        secure_wipe(q->data, static_cast<std::size_t>(q->width) * static_cast<std::size_t>(q->width));
        libqrencode()->QRcode_free(q);
    }
};

QRecLevel to_qrencode(EcLevel ec) {
    switch (ec) {
        case EcLevel::low: return QR_ECLEVEL_L;
        case EcLevel::medium: return QR_ECLEVEL_M;
        case EcLevel::quartile: return QR_ECLEVEL_Q;
        case EcLevel::high: return QR_ECLEVEL_H;
    }
    return QR_ECLEVEL_M;
}

const char* name(EcLevel ec) {
    switch (ec) {
        case EcLevel::low: return "L";
        case EcLevel::medium: return "M";
        case EcLevel::quartile: return "Q";
        case EcLevel::high: return "H";
    }
    return "?";
}

}  // namespace

Result<Matrix> Matrix::encode(std::string_view text, EcLevel ec) {
    if (text.empty()) return Error(Errc::invalid_argument, "QR text is empty");
    if (text.size() > kMaxText)
        return Error(Errc::limit_exceeded, "QR text of " + std::to_string(text.size()) + " bytes (at most " +
                                               std::to_string(kMaxText) + ")");
    if (ec < EcLevel::low || ec > EcLevel::high) return Error(Errc::invalid_argument, "QR error-correction level unknown");
    const auto& qr = libqrencode();
    if (!qr) return qr.error();
    // From the level asked for down to L: a text that fits no lower level fits none.
    for (int level = static_cast<int>(ec); level >= 0; --level) {
        const auto try_ec = static_cast<EcLevel>(level);
        errno = 0;
        // QRcode_encodeData: 8-bit mode over exactly these bytes (it does not stop at a NUL).
        std::unique_ptr<QRcode, QrFree> q(qr->QRcode_encodeData(static_cast<int>(text.size()),
                                                                reinterpret_cast<const unsigned char*>(text.data()), 0,
                                                                to_qrencode(try_ec)));
        if (!q) {
            if (errno == ERANGE) continue;  // too long for this level
            if (errno == ENOMEM) return Error(Errc::no_memory, "libqrencode");
            return Error(Errc::internal, std::string("libqrencode failed at level ") + name(try_ec));
        }
        Matrix m;
        m.size_ = q->width;
        m.ec_ = try_ec;
        const std::size_t n = static_cast<std::size_t>(q->width) * static_cast<std::size_t>(q->width);
        m.modules_ = SecretBytes(n);
        // Bit 0 of each libqrencode byte is the module colour; the other bits describe its role.
        for (std::size_t i = 0; i < n; ++i) m.modules_[i] = q->data[i] & 1u;
        return m;
    }
    return Error(Errc::limit_exceeded, "QR text of " + std::to_string(text.size()) +
                                           " bytes does not fit a version-40 code even at level L");
}

}  // namespace mfa::qr

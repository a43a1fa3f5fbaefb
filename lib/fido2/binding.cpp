// The one seam between our transports and libfido2: fido_dev_set_io_functions.
//
// libfido2 hands the io callbacks only the path given to fido_dev_open, so the transport to use is
// passed through a thread-local slot filled just before fido_dev_open on the same thread. With
// custom io libfido2 writes 65 bytes (report ID 0 + the 64-byte report) and reads 64.
#include <cstring>

#include "internal.hpp"

namespace mfa::fido2 {
namespace {

struct IoHandle {
    std::unique_ptr<Transport> transport;
    std::shared_ptr<Hooks> hooks;
};

struct Pending {
    std::unique_ptr<Transport> transport;
    std::shared_ptr<Hooks> hooks;
};
thread_local Pending* t_pending = nullptr;

void* io_open(const char*) {
    if (t_pending == nullptr || !t_pending->transport) return nullptr;
    auto* h = new (std::nothrow) IoHandle{std::move(t_pending->transport), t_pending->hooks};
    if (h != nullptr) h->hooks->transport = h->transport.get();
    return h;
}

void io_close(void* h) {
    auto* io = static_cast<IoHandle*>(h);
    io->hooks->transport = nullptr;
    delete io;
}

int io_read(void* h, unsigned char* buf, size_t len, int ms) {
    auto* io = static_cast<IoHandle*>(h);
    auto r = io->transport->read(ms);
    if (!r) return -1;
    const Report& rep = *r;
    // KEEPALIVE (0xBB) with status 2: the device waits for a touch. libfido2 skips keepalives, so
    // this is the only place the client can learn it.
    if (rep[4] == 0xBB && rep[5] == 0 && rep[6] == 1 && rep[7] == 2 && !io->hooks->presence_announced.exchange(true)) {
        std::function<void()> cb;
        {
            std::lock_guard lk(io->hooks->mu);
            cb = io->hooks->on_user_presence;
        }
        if (cb) cb();
    }
    const std::size_t n = std::min(len, rep.size());
    std::memcpy(buf, rep.data(), n);
    return static_cast<int>(n);
}

int io_write(void* h, const unsigned char* buf, size_t len) {
    auto* io = static_cast<IoHandle*>(h);
    // 65 bytes: report ID 0 then the report. Anything else is not what libfido2 1.12 sends.
    if (len != kReportLen + 1 || buf[0] != 0) return -1;
    if (!io->transport->write(ByteView(buf + 1, kReportLen))) return -1;
    return static_cast<int>(len);
}

}  // namespace

void Hooks::drain() {
    if (transport == nullptr) return;
    for (int i = 0; i < 1024; ++i)
        if (!transport->read(0)) return;
}

Error fido_error(int r, std::string_view step) {
    std::string detail = std::string(step) + ": " + fido().fido_strerr(r);
    if (r > 0) return Error(static_cast<Errc>(r), std::move(detail));
    switch (r) {
    case FIDO_ERR_TX:
    case FIDO_ERR_RX: return Error(Errc::fido2_io, std::move(detail));
    case FIDO_ERR_RX_NOT_CBOR:
    case FIDO_ERR_RX_INVALID_CBOR:
    case FIDO_ERR_INVALID_PARAM: return Error(Errc::fido2_bad_response, std::move(detail));
    case FIDO_ERR_INVALID_SIG: return Error(Errc::fido2_verify_failed, std::move(detail));
    case FIDO_ERR_INVALID_ARGUMENT: return Error(Errc::invalid_argument, std::move(detail));
    case FIDO_ERR_NOTFOUND: return Error(Errc::not_found, std::move(detail));
    default: return Error(Errc::fido2_library, std::move(detail));
    }
}

Device::Impl::~Impl() {
    if (dev != nullptr) {
        fido().fido_dev_close(dev);
        fido().fido_dev_free(&dev);
    }
}

Result<std::unique_ptr<Device>> bind_device(std::string path, std::unique_ptr<Transport> transport) {
    // libfido2 is loaded (and initialised) by the first device a process opens.
    if (const auto& lib = load_libfido2(); !lib) return lib.error();
    const LibFido2& f = fido();
    auto impl = std::make_unique<Device::Impl>();
    impl->path = std::move(path);
    impl->dev = f.fido_dev_new();
    if (impl->dev == nullptr) return Error(Errc::no_memory, "fido_dev_new");
    // Our own functions: libfido2 calls them through these pointers.
    const fido_dev_io_t io = {io_open, io_close, io_read, io_write};
    if (int r = f.fido_dev_set_io_functions(impl->dev, &io); r != FIDO_OK)
        return fido_error(r, "fido_dev_set_io_functions");
    Pending pending{std::move(transport), impl->hooks};
    t_pending = &pending;
    const int r = f.fido_dev_open(impl->dev, impl->path.c_str());
    t_pending = nullptr;
    if (r != FIDO_OK) {
        f.fido_dev_free(&impl->dev);
        Error e = fido_error(r, "opening " + impl->path);
        if (e.code == Errc::fido2_library) e.code = Errc::fido2_io;
        return e;
    }
    return std::make_unique<Device>(std::move(impl));
}

}  // namespace mfa::fido2

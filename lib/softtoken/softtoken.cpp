// SoftToken: the CTAPHID engine and the CTAP2 authenticator behind one thread-safe object.
//
// write_report feeds the framing engine; a complete CBOR request runs on a worker thread so the
// host can still send CANCEL (and receive KEEPALIVE) while the simulated user is slow to touch.
// Two locks: mu_ guards the framing engine and the output queue, auth_mu_ the authenticator. The
// worker holds auth_mu_ for the whole request and takes mu_ only briefly (keepalive, complete).
#include "mfa/softtoken.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "authenticator.hpp"
#include "ctaphid.hpp"

namespace mfa::softtoken {

struct SoftToken::Impl final : Environment {
    Impl(Authenticator a, bool sync) : auth(std::move(a)), synchronous(sync) {}
    ~Impl() override {
        {
            std::lock_guard lk(mu);
            stopping = true;
        }
        cv.notify_all();
        if (worker.joinable()) worker.join();
    }

    std::uint8_t user_presence(std::string_view rp_id) override {
        // Knobs are read under auth_mu_, which the caller of handle() holds.
        switch (auth.options().presence) {
        case Presence::approve: return 0;
        case Presence::deny: return ctap::kOperationDenied;
        case Presence::callback: {
            {
                // Tell the host a touch is awaited, as a real key would while its LED blinks.
                std::lock_guard lk(mu);
                hid.keepalive(hid::kStatusUpNeeded);
                cv.notify_all();
            }
            const auto& cb = auth.options().on_presence;
            const bool ok = cb && cb(rp_id);
            std::lock_guard lk(mu);
            if (hid.cancel_requested()) return ctap::kKeepaliveCancel;
            return ok ? 0 : ctap::kOperationDenied;
        }
        case Presence::timeout: break;
        }
        if (synchronous || in_process_cbor) return ctap::kUserActionTimeout;
        const auto deadline = std::chrono::steady_clock::now() + auth.options().presence_timeout;
        std::unique_lock lk(mu);
        for (;;) {
            if (hid.cancel_requested() || stopping) return ctap::kKeepaliveCancel;
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return ctap::kUserActionTimeout;
            // CTAPHID asks for a keepalive at least every 100 ms while the user is awaited.
            hid.keepalive(hid::kStatusUpNeeded);
            cv.notify_all();
            cv.wait_until(lk, std::min(deadline, now + std::chrono::milliseconds(100)));
        }
    }

    void run(CtapHid::Request req) {
        Bytes answer;
        {
            std::lock_guard alk(auth_mu);
            answer = auth.handle(req.payload, *this);
        }
        std::lock_guard lk(mu);
        if (hid.cancel_requested() && answer.size() == 1 && answer[0] != 0) answer[0] = ctap::kKeepaliveCancel;
        hid.complete(answer);
        cv.notify_all();
    }

    std::mutex mu;
    std::condition_variable cv;
    CtapHid hid;
    bool stopping = false;
    std::thread worker;

    std::mutex auth_mu;
    Authenticator auth;
    bool synchronous;
    bool in_process_cbor = false;
};

SoftToken::SoftToken(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SoftToken::~SoftToken() = default;

namespace {
Rng make_rng(const Options& o) { return o.seed ? Rng(*o.seed) : Rng(); }
}  // namespace

Result<std::shared_ptr<SoftToken>> SoftToken::open(const std::filesystem::path& file, Options opts) {
    if (file.empty()) return Error(Errc::invalid_argument, "state file path is empty");
    Rng rng = make_rng(opts);
    std::error_code ec;
    State st;
    if (std::filesystem::exists(file, ec)) {
        auto loaded = load_state(file);
        if (!loaded) return std::move(loaded).error();
        st = std::move(*loaded);
    } else {
        auto fresh = Authenticator::fresh_state(rng, opts.max_pin_retries);
        if (!fresh) return std::move(fresh).error();
        st = std::move(*fresh);
        MFA_TRY(save_state(file, st));
    }
    const bool sync = opts.synchronous;
    auto impl = std::make_unique<Impl>(Authenticator(std::move(st), file, std::move(opts), std::move(rng)), sync);
    return std::shared_ptr<SoftToken>(new SoftToken(std::move(impl)));
}

Result<std::shared_ptr<SoftToken>> SoftToken::in_memory(Options opts) {
    Rng rng = make_rng(opts);
    auto fresh = Authenticator::fresh_state(rng, opts.max_pin_retries);
    if (!fresh) return std::move(fresh).error();
    const bool sync = opts.synchronous;
    auto impl = std::make_unique<Impl>(Authenticator(std::move(*fresh), {}, std::move(opts), std::move(rng)), sync);
    return std::shared_ptr<SoftToken>(new SoftToken(std::move(impl)));
}

void SoftToken::write_report(std::span<const std::uint8_t> report) {
    Impl& d = *impl_;
    std::unique_lock lk(d.mu);
    auto req = d.hid.feed(report, std::chrono::steady_clock::now());
    if (req) {
        if (d.synchronous) {
            lk.unlock();
            d.run(std::move(*req));
            return;
        }
        // The previous worker has called complete() (the engine was not busy), so joining it here
        // cannot wait on mu.
        if (d.worker.joinable()) d.worker.join();
        d.worker = std::thread([&d, r = std::move(*req)]() mutable { d.run(std::move(r)); });
    }
    d.cv.notify_all();
}

std::optional<Report> SoftToken::read_report(std::chrono::milliseconds timeout) {
    Impl& d = *impl_;
    std::unique_lock lk(d.mu);
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        d.hid.tick(now);
        if (auto r = d.hid.pop()) return r;
        if (timeout.count() >= 0 && now - start >= timeout) return std::nullopt;
        auto until = now + std::chrono::milliseconds(100);
        if (timeout.count() >= 0) until = std::min(until, start + timeout);
        d.cv.wait_until(lk, until);
    }
}

Bytes SoftToken::process_cbor(ByteView request) {
    std::lock_guard alk(impl_->auth_mu);
    impl_->in_process_cbor = true;
    Bytes out = impl_->auth.handle(request, *impl_);
    impl_->in_process_cbor = false;
    return out;
}

void SoftToken::set_presence(Presence p) {
    std::lock_guard alk(impl_->auth_mu);
    impl_->auth.options().presence = p;
}

std::size_t SoftToken::resident_credential_count() const {
    std::lock_guard alk(impl_->auth_mu);
    return impl_->auth.state().credentials.size();
}

bool SoftToken::pin_set() const {
    std::lock_guard alk(impl_->auth_mu);
    return !impl_->auth.state().pin_hash.empty();
}

std::uint8_t SoftToken::pin_retries() const {
    std::lock_guard alk(impl_->auth_mu);
    return impl_->auth.state().pin_retries;
}

std::array<std::uint8_t, 16> SoftToken::aaguid() const {
    std::lock_guard alk(impl_->auth_mu);
    return impl_->auth.state().aaguid;
}

std::size_t SoftToken::winks() const {
    std::lock_guard lk(impl_->mu);
    return impl_->hid.winks();
}

const std::filesystem::path& SoftToken::path() const noexcept { return impl_->auth.file(); }

}  // namespace mfa::softtoken

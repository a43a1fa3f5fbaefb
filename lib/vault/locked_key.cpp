#include "locked_key.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "mfa/random.hpp"
#include "mfa/secret.hpp"

namespace mfa::vault_detail {
namespace {
std::size_t page_size() noexcept {
    const long p = ::sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<std::size_t>(p) : 4096;
}
}  // namespace

Result<LockedKey> LockedKey::map() {
    void* p = ::mmap(nullptr, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return Error(Errc::no_memory, "mmap for the master key");
    LockedKey k;
    k.page_ = static_cast<std::uint8_t*>(p);
    // Both are best effort: an unprivileged process may be over its RLIMIT_MEMLOCK, and
    // MADV_DONTDUMP is Linux-only. The key is wiped on release either way.
    k.locked_ = ::mlock(p, page_size()) == 0;
#ifdef MADV_DONTDUMP
    (void)::madvise(p, page_size(), MADV_DONTDUMP);
#endif
    return k;
}

Result<LockedKey> LockedKey::from(ByteView bytes) {
    if (bytes.size() != kSize) return Error(Errc::internal, "master key must be 32 bytes");
    auto k = map();
    if (!k) return k;
    std::memcpy(k->page_, bytes.data(), kSize);
    return k;
}

Result<LockedKey> LockedKey::random() {
    auto k = map();
    if (!k) return k;
    MFA_TRY(random_fill({k->page_, kSize}));
    return k;
}

LockedKey& LockedKey::operator=(LockedKey&& o) noexcept {
    if (this != &o) {
        release();
        page_ = o.page_;
        locked_ = o.locked_;
        o.page_ = nullptr;
    }
    return *this;
}

LockedKey::~LockedKey() { release(); }

void LockedKey::release() noexcept {
    if (page_ == nullptr) return;
    secure_wipe(page_, page_size());
    if (locked_) ::munlock(page_, page_size());
    ::munmap(page_, page_size());
    page_ = nullptr;
}

}  // namespace mfa::vault_detail

// The master key's home: a page of its own, mlock()ed (kept out of swap where the limit allows) and
// marked MADV_DONTDUMP (left out of core dumps), wiped and unmapped on destruction. Internal.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa::vault_detail {

class LockedKey {
public:
    static constexpr std::size_t kSize = 32;
    // A key with a copy of bytes (kSize of them).
    static Result<LockedKey> from(ByteView bytes);
    // A fresh random key.
    static Result<LockedKey> random();

    LockedKey() noexcept = default;
    LockedKey(LockedKey&& o) noexcept : page_(o.page_), locked_(o.locked_) { o.page_ = nullptr; }
    LockedKey& operator=(LockedKey&& o) noexcept;
    LockedKey(const LockedKey&) = delete;
    LockedKey& operator=(const LockedKey&) = delete;
    ~LockedKey();

    ByteView view() const noexcept { return {page_, page_ ? kSize : 0}; }
    bool empty() const noexcept { return page_ == nullptr; }
    // True when mlock succeeded (RLIMIT_MEMLOCK permitting).
    bool locked() const noexcept { return locked_; }

private:
    static Result<LockedKey> map();
    void release() noexcept;
    std::uint8_t* page_ = nullptr;
    bool locked_ = false;
};

}  // namespace mfa::vault_detail

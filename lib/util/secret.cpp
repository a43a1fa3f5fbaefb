#include "mfa/secret.hpp"

#include <openssl/crypto.h>

#include <cstring>
#include <new>

namespace mfa {

void secure_wipe(void* p, std::size_t n) noexcept {
    if (p != nullptr && n != 0) OPENSSL_cleanse(p, n);
}

SecretBytes::SecretBytes(std::size_t n) {
    reserve_exact(n);
    n_ = n;
}

SecretBytes::SecretBytes(std::span<const std::uint8_t> src) {
    reserve_exact(src.size());
    if (!src.empty()) std::memcpy(p_, src.data(), src.size());
    n_ = src.size();
}

SecretBytes::SecretBytes(SecretBytes&& o) noexcept : p_(o.p_), n_(o.n_), cap_(o.cap_) {
    o.p_ = nullptr;
    o.n_ = o.cap_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
        clear();
        delete[] p_;
        p_ = o.p_;
        n_ = o.n_;
        cap_ = o.cap_;
        o.p_ = nullptr;
        o.n_ = o.cap_ = 0;
    }
    return *this;
}

SecretBytes::~SecretBytes() {
    secure_wipe(p_, cap_);
    delete[] p_;
}

void SecretBytes::reserve_exact(std::size_t cap) {
    // Value-initialised so bytes past n_ are defined (and zero) for the wipe and for valgrind.
    auto* np = new std::uint8_t[cap == 0 ? 1 : cap]();
    if (n_ != 0) std::memcpy(np, p_, n_);
    secure_wipe(p_, cap_);
    delete[] p_;
    p_ = np;
    cap_ = cap;
}

void SecretBytes::append(std::span<const std::uint8_t> more) {
    if (more.empty()) return;
    if (n_ + more.size() > cap_) {
        std::size_t want = cap_ * 2;
        if (want < n_ + more.size()) want = n_ + more.size();
        if (want < 16) want = 16;
        reserve_exact(want);
    }
    std::memcpy(p_ + n_, more.data(), more.size());
    n_ += more.size();
}

void SecretBytes::resize(std::size_t n) {
    if (n <= n_) {
        secure_wipe(p_ + n, n_ - n);
        n_ = n;
        return;
    }
    if (n > cap_) reserve_exact(n);
    std::memset(p_ + n_, 0, n - n_);
    n_ = n;
}

void SecretBytes::clear() noexcept {
    secure_wipe(p_, n_);
    n_ = 0;
}

}  // namespace mfa

// SecretBytes / SecretString: owners of key material that wipe it when they die.
//
// Move-only (a copy must be asked for with clone(), so secrets are not duplicated by accident),
// zeroed with OPENSSL_cleanse on destruction, on move-from and on resize. The pages are excluded from
// core dumps where the platform allows (MADV_DONTDUMP) only for the vault's long-lived master key;
// these small buffers are wiped instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace mfa {

// Wipes n bytes at p in a way the compiler cannot elide.
void secure_wipe(void* p, std::size_t n) noexcept;

class SecretBytes {
public:
    SecretBytes() noexcept = default;
    explicit SecretBytes(std::size_t n);  // n zero bytes
    SecretBytes(std::span<const std::uint8_t> src);
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    SecretBytes(SecretBytes&& o) noexcept;
    SecretBytes& operator=(SecretBytes&& o) noexcept;
    ~SecretBytes();

    [[nodiscard]] SecretBytes clone() const { return SecretBytes(view()); }

    std::uint8_t* data() noexcept { return p_; }
    const std::uint8_t* data() const noexcept { return p_; }
    std::size_t size() const noexcept { return n_; }
    bool empty() const noexcept { return n_ == 0; }
    std::span<const std::uint8_t> view() const noexcept { return {p_, n_}; }
    std::span<std::uint8_t> span() noexcept { return {p_, n_}; }
    std::uint8_t& operator[](std::size_t i) noexcept { return p_[i]; }
    std::uint8_t operator[](std::size_t i) const noexcept { return p_[i]; }

    // Appends bytes; the old buffer is wiped before it is released.
    void append(std::span<const std::uint8_t> more);
    void push_back(std::uint8_t b) { append({&b, 1}); }
    // Shrinks (wiping the tail) or grows (with zeros).
    void resize(std::size_t n);
    void clear() noexcept;

private:
    void reserve_exact(std::size_t cap);
    std::uint8_t* p_ = nullptr;
    std::size_t n_ = 0;
    std::size_t cap_ = 0;
};

// Text that contains a secret (an otpauth URI, a Base32 secret, a passphrase).
class SecretString {
public:
    SecretString() = default;
    explicit SecretString(std::string_view s) : b_(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(s.data()), s.size())) {}
    SecretString(SecretString&&) noexcept = default;
    SecretString& operator=(SecretString&&) noexcept = default;

    [[nodiscard]] SecretString clone() const { return SecretString(view()); }
    std::string_view view() const noexcept {
        return {reinterpret_cast<const char*>(b_.data()), b_.size()};
    }
    const char* data() const noexcept { return reinterpret_cast<const char*>(b_.data()); }
    std::size_t size() const noexcept { return b_.size(); }
    bool empty() const noexcept { return b_.empty(); }
    void append(std::string_view s) {
        b_.append({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
    }
    void push_back(char c) { b_.push_back(static_cast<std::uint8_t>(c)); }
    void clear() noexcept { b_.clear(); }

private:
    SecretBytes b_;
};

}  // namespace mfa

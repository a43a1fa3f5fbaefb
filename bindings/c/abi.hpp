// Internal helpers for the C ABI: the exception barrier, the thread-local error detail, and the
// caller-buffer protocol. Not installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"
#include "mfa/mfa_common.h"

namespace mfa::abi {

void set_error(Errc code, std::string_view detail);
void set_error(const Error& e);
void clear_error();

inline int fail(Errc code, std::string_view detail) {
    set_error(code, detail);
    return static_cast<int>(code);
}
inline int fail(const Error& e) {
    set_error(e);
    return static_cast<int>(e.code);
}

// Runs f, translating escaping exceptions into status codes: nothing crosses the C boundary.
template <class F>
int guarded(F&& f) noexcept {
    try {
        clear_error();
        return f();
    } catch (const std::bad_alloc&) {
        return fail(Errc::no_memory, "allocation failed");
    } catch (const std::exception& e) {
        return fail(Errc::internal, e.what());
    } catch (...) {
        return fail(Errc::internal, "unknown exception");
    }
}

// Copies bytes to (out, cap, *len); MFA_ERR_BUFFER_TOO_SMALL with *len = needed when it does not fit.
int put_bytes(std::uint8_t* out, std::size_t cap, std::size_t* len, const void* data, std::size_t n);
// Same for text, NUL-terminated; *len excludes the NUL; needed capacity is n + 1.
int put_string(char* out, std::size_t cap, std::size_t* len, std::string_view s);
// n bytes for the caller, released (and wiped) by mfa_free; nullptr when out of memory. Every
// buffer the library hands out comes from here.
void* alloc_for_caller(std::size_t n);
// *out = a NUL-terminated copy of s from alloc_for_caller (the caller releases it with mfa_free,
// which wipes it).
int put_alloc(char** out, std::string_view s);
// *out = a copy of n bytes (and a NUL after them, not counted) from alloc_for_caller, *len = n: for
// bytes, and for texts that may hold NULs. On failure *out and *len are not touched.
int put_alloc(std::uint8_t** out, std::size_t* len, const void* data, std::size_t n);
int put_alloc(char** out, std::size_t* len, const void* data, std::size_t n);

// A NUL-terminated input string of at most max bytes (strnlen: never reads past max + 1 bytes).
// NULL is "" when null_ok, otherwise invalid_argument naming `what`.
[[nodiscard]] Result<std::string_view> in_string(const char* s, std::size_t max, std::string_view what,
                                                 bool null_ok = false);

// A secret input as (pointer, length) (passwords, PINs, tokens, recovery codes, key rings: a
// length, so no strlen runs over a secret and it may be wiped by its owner at once). NULL with
// length 0 is "none" (nullopt); NULL with a length is invalid_argument and more than max bytes
// limit_exceeded, naming `what`. The bytes are copied into memory that is wiped when released.
[[nodiscard]] Result<std::optional<SecretString>> in_secret(const char* p, std::size_t n, std::size_t max,
                                                            std::string_view what);

// Caller structs versioned by size (first member `size_t struct_size`, fields only appended).
// read_sized copies the fields that lie within in->struct_size over `out` (which holds the
// defaults); a struct_size below min_size (the first published layout) is invalid_argument, and
// non-zero bytes past sizeof(T) (fields of a newer header this library does not know) unsupported.
template <class T>
[[nodiscard]] Status read_sized(const T* in, T& out, std::size_t min_size, std::string_view what) {
    static_assert(std::is_standard_layout_v<T> && std::is_trivially_copyable_v<T>);
    const std::size_t n = in->struct_size;
    if (n < min_size)
        return Error(Errc::invalid_argument, std::string(what) + ".struct_size is " + std::to_string(n) +
                                                 ", below the smallest layout (" + std::to_string(min_size) + ")");
    const auto* bytes = reinterpret_cast<const unsigned char*>(in);
    for (std::size_t i = sizeof(T); i < n; ++i)
        if (bytes[i] != 0)
            return Error(Errc::unsupported, std::string(what) + " sets a field this library version (" +
                                                MFA_VERSION_STRING + ") does not know (byte " +
                                                std::to_string(i) + ")");
    std::memcpy(&out, in, n < sizeof(T) ? n : sizeof(T));
    out.struct_size = sizeof(T);
    return {};
}
// Writes the fields of `value` that lie within out->struct_size (the caller's layout).
template <class T>
[[nodiscard]] Status write_sized(T* out, const T& value, std::size_t min_size, std::string_view what) {
    static_assert(std::is_standard_layout_v<T> && std::is_trivially_copyable_v<T>);
    const std::size_t n = out->struct_size;
    if (n < min_size)
        return Error(Errc::invalid_argument, std::string(what) + ".struct_size is " + std::to_string(n) +
                                                 ", below the smallest layout (" + std::to_string(min_size) + ")");
    std::memcpy(reinterpret_cast<unsigned char*>(out) + sizeof(std::size_t),
                reinterpret_cast<const unsigned char*>(&value) + sizeof(std::size_t),
                (n < sizeof(T) ? n : sizeof(T)) - sizeof(std::size_t));
    return {};
}

}  // namespace mfa::abi

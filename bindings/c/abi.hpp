// Internal helpers for the C ABI: the exception barrier, the thread-local error detail, and the
// caller-buffer protocol. Not installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "mfa/error.hpp"
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

}  // namespace mfa::abi

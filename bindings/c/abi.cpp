#include "abi.hpp"

#include "mfa/secret.hpp"

namespace mfa::abi {
namespace {
thread_local std::string g_last_error;
}

void set_error(Errc code, std::string_view detail) {
    g_last_error.assign(errc_message(code));
    if (!detail.empty()) {
        g_last_error += ": ";
        g_last_error += detail;
    }
}

void set_error(const Error& e) { set_error(e.code, e.detail); }
void clear_error() { g_last_error.clear(); }

int put_bytes(std::uint8_t* out, std::size_t cap, std::size_t* len, const void* data, std::size_t n) {
    if (len == nullptr) return fail(Errc::invalid_argument, "len is NULL");
    *len = n;
    if (n > cap) return fail(Errc::buffer_too_small, "need " + std::to_string(n) + " bytes");
    if (n != 0) {
        if (out == nullptr) return fail(Errc::invalid_argument, "out is NULL");
        std::memcpy(out, data, n);
    }
    return MFA_OK;
}

int put_string(char* out, std::size_t cap, std::size_t* len, std::string_view s) {
    if (len == nullptr) return fail(Errc::invalid_argument, "len is NULL");
    *len = s.size();
    if (s.size() + 1 > cap) return fail(Errc::buffer_too_small, "need " + std::to_string(s.size() + 1) + " bytes");
    if (out == nullptr) return fail(Errc::invalid_argument, "out is NULL");
    // An empty view may have a null data(): memcpy must not see it, even for 0 bytes.
    if (!s.empty()) std::memcpy(out, s.data(), s.size());
    out[s.size()] = '\0';
    return MFA_OK;
}

int put_alloc(char** out, std::string_view s) {
    if (out == nullptr) return fail(Errc::invalid_argument, "out is NULL");
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p == nullptr) return fail(Errc::no_memory, "output buffer");
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    *out = p;
    return MFA_OK;
}

Result<std::string_view> in_string(const char* s, std::size_t max, std::string_view what, bool null_ok) {
    if (s == nullptr) {
        if (null_ok) return std::string_view{};
        return Error(Errc::invalid_argument, std::string(what) + " is NULL");
    }
    const std::size_t n = strnlen(s, max + 1);
    if (n > max)
        return Error(Errc::limit_exceeded, std::string(what) + " is longer than " + std::to_string(max) + " bytes");
    return std::string_view(s, n);
}

}  // namespace mfa::abi

using namespace mfa;

extern "C" {

const char* mfa_version(void) { return MFA_VERSION_STRING; }
int mfa_abi_version(void) { return MFA_SOVERSION; }

const char* mfa_strerror(int status) {
    // errc_message returns views of string literals, so data() is NUL-terminated.
    return errc_message(static_cast<Errc>(status)).data();
}

const char* mfa_last_error_message(void) { return abi::g_last_error.c_str(); }

void mfa_free(void* p) { std::free(p); }
void mfa_memzero(void* p, size_t n) { secure_wipe(p, n); }

}  // extern "C"

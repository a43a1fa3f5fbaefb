#include "abi.hpp"

#include <array>

#include "mfa/features.hpp"
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

namespace {
// Every block handed to the caller starts after a header that records its size, so that mfa_free
// can wipe it without being told (as sodium_free does). The header is a multiple of
// max_align_t's alignment, so the caller's pointer keeps malloc's alignment.
struct alignas(alignof(std::max_align_t)) BlockHeader {
    std::uint64_t magic;
    std::size_t size;
};
constexpr std::uint64_t kBlockMagic = 0x6d66616b69742121ull;  // "mfakit!!"
}  // namespace

void* alloc_for_caller(std::size_t n) {
    if (n > SIZE_MAX - sizeof(BlockHeader)) return nullptr;
    auto* h = static_cast<BlockHeader*>(std::malloc(sizeof(BlockHeader) + n));
    if (h == nullptr) return nullptr;
    h->magic = kBlockMagic;
    h->size = n;
    return h + 1;
}

int put_alloc(char** out, std::string_view s) {
    if (out == nullptr) return fail(Errc::invalid_argument, "out is NULL");
    char* p = static_cast<char*>(alloc_for_caller(s.size() + 1));
    if (p == nullptr) return fail(Errc::no_memory, "output buffer");
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    *out = p;
    return MFA_OK;
}

namespace {
template <class T>
int put_alloc_n(T** out, std::size_t* len, const void* data, std::size_t n) {
    if (out == nullptr) return fail(Errc::invalid_argument, "out is NULL");
    if (len == nullptr) return fail(Errc::invalid_argument, "len is NULL");
    auto* p = static_cast<unsigned char*>(alloc_for_caller(n + 1));
    if (p == nullptr) return fail(Errc::no_memory, "output buffer");
    // An empty source may have a null data(): memcpy must not see it, even for 0 bytes.
    if (n != 0) std::memcpy(p, data, n);
    p[n] = 0;
    *out = reinterpret_cast<T*>(p);
    *len = n;
    return MFA_OK;
}
}  // namespace

int put_alloc(std::uint8_t** out, std::size_t* len, const void* data, std::size_t n) {
    return put_alloc_n(out, len, data, n);
}
int put_alloc(char** out, std::size_t* len, const void* data, std::size_t n) { return put_alloc_n(out, len, data, n); }

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

Result<std::optional<SecretString>> in_secret(const char* p, std::size_t n, std::size_t max, std::string_view what) {
    if (p == nullptr) {
        if (n == 0) return std::optional<SecretString>{};
        return Error(Errc::invalid_argument, std::string(what) + " is NULL with a length of " + std::to_string(n));
    }
    if (n > max)
        return Error(Errc::limit_exceeded, std::string(what) + " is longer than " + std::to_string(max) + " bytes");
    return std::optional<SecretString>(SecretString(std::string_view(p, n)));
}

}  // namespace mfa::abi

using namespace mfa;

extern "C" {

const char* mfa_version(void) { return MFA_VERSION_STRING; }
int mfa_abi_version(void) { return MFA_SOVERSION; }
const char* mfa_features(void) { return kBuiltFeatures.data(); }

const char* mfa_strerror(int status) {
    // errc_message returns views of string literals, so data() is NUL-terminated.
    return errc_message(static_cast<Errc>(status)).data();
}

const char* mfa_error_name(int status) {
    if (status > 0) {
        // "CTAP2_ERR_" + the CTAP 2.1 table's name, made once (thread-safe static init).
        static const auto kCtapNames = [] {
            std::array<std::string, 256> names;
            for (int i = 1; i < 256; ++i) {
                const std::string_view n = ctap_status_name(i);
                if (n != "unknown") names[i] = "CTAP2_ERR_" + std::string(n);
            }
            return names;
        }();
        if (status < 256 && !kCtapNames[status].empty()) return kCtapNames[status].c_str();
        return "unknown";
    }
    switch (status) {
        case MFA_OK: return "MFA_OK";
#define MFA_ERROR_NAME_(NAME, name, code, message) \
    case code: return "MFA_ERR_" #NAME;
        MFA_ERROR_TABLE(MFA_ERROR_NAME_)
#undef MFA_ERROR_NAME_
        default: return "unknown";
    }
}

const char* mfa_last_error_message(void) { return abi::g_last_error.c_str(); }

void mfa_free(void* p) {
    if (p == nullptr) return;
    auto* h = static_cast<abi::BlockHeader*>(p) - 1;
    // Not a block of ours (or freed twice): freeing it would corrupt the heap, and carrying on
    // after heap corruption is worse than stopping here.
    if (h->magic != abi::kBlockMagic) std::abort();
    secure_wipe(p, h->size);
    secure_wipe(h, sizeof *h);
    std::free(h);
}
void mfa_memzero(void* p, size_t n) { secure_wipe(p, n); }

}  // extern "C"

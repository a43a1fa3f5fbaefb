#include "mfa/error.hpp"

namespace mfa {
namespace {

struct Entry {
    Errc code;
    std::string_view name;
    std::string_view message;
};

constexpr Entry kEntries[] = {
    {Errc::ok, "ok", "success"},
#define MFA_ERROR_ENTRY_(NAME, name, code, message) {Errc::name, #name, message},
    MFA_ERROR_TABLE(MFA_ERROR_ENTRY_)
#undef MFA_ERROR_ENTRY_
};

// CTAP 2.1 §8.2 status codes: an authenticator's answer passed through as a positive code.
struct CtapEntry {
    int status;
    std::string_view name;
    std::string_view message;
};
constexpr CtapEntry kCtap[] = {
    {0x01, "INVALID_COMMAND", "CTAP: invalid command"},
    {0x02, "INVALID_PARAMETER", "CTAP: invalid parameter"},
    {0x03, "INVALID_LENGTH", "CTAP: invalid length"},
    {0x04, "INVALID_SEQ", "CTAP: invalid message sequencing"},
    {0x05, "TIMEOUT", "CTAP: message timed out"},
    {0x06, "CHANNEL_BUSY", "CTAP: channel busy"},
    {0x0A, "LOCK_REQUIRED", "CTAP: command requires channel lock"},
    {0x0B, "INVALID_CHANNEL", "CTAP: invalid channel"},
    {0x11, "CBOR_UNEXPECTED_TYPE", "CTAP: unexpected CBOR type"},
    {0x12, "INVALID_CBOR", "CTAP: invalid CBOR"},
    {0x14, "MISSING_PARAMETER", "CTAP: missing parameter"},
    {0x15, "LIMIT_EXCEEDED", "CTAP: limit exceeded"},
    {0x17, "FP_DATABASE_FULL", "CTAP: fingerprint database full"},
    {0x18, "LARGE_BLOB_STORAGE_FULL", "CTAP: large blob storage full"},
    {0x19, "CREDENTIAL_EXCLUDED", "CTAP: a credential in the exclude list exists on the authenticator"},
    {0x21, "PROCESSING", "CTAP: processing"},
    {0x22, "INVALID_CREDENTIAL", "CTAP: invalid credential"},
    {0x23, "USER_ACTION_PENDING", "CTAP: user action pending"},
    {0x24, "OPERATION_PENDING", "CTAP: operation pending"},
    {0x25, "NO_OPERATIONS", "CTAP: no operations"},
    {0x26, "UNSUPPORTED_ALGORITHM", "CTAP: unsupported algorithm"},
    {0x27, "OPERATION_DENIED", "CTAP: operation denied by the user"},
    {0x28, "KEY_STORE_FULL", "CTAP: credential storage full"},
    {0x2B, "UNSUPPORTED_OPTION", "CTAP: unsupported option"},
    {0x2C, "INVALID_OPTION", "CTAP: invalid option"},
    {0x2D, "KEEPALIVE_CANCEL", "CTAP: cancelled"},
    {0x2E, "NO_CREDENTIALS", "CTAP: no valid credentials"},
    {0x2F, "USER_ACTION_TIMEOUT", "CTAP: timed out waiting for the user"},
    {0x30, "NOT_ALLOWED", "CTAP: not allowed"},
    {0x31, "PIN_INVALID", "CTAP: wrong PIN"},
    {0x32, "PIN_BLOCKED", "CTAP: PIN blocked (reset the authenticator)"},
    {0x33, "PIN_AUTH_INVALID", "CTAP: PIN/UV auth parameter invalid"},
    {0x34, "PIN_AUTH_BLOCKED", "CTAP: PIN auth blocked until the authenticator is power-cycled"},
    {0x35, "PIN_NOT_SET", "CTAP: no PIN set"},
    {0x36, "PUAT_REQUIRED", "CTAP: PIN/UV auth token required"},
    {0x37, "PIN_POLICY_VIOLATION", "CTAP: PIN does not meet the policy"},
    {0x39, "REQUEST_TOO_LARGE", "CTAP: request too large"},
    {0x3A, "ACTION_TIMEOUT", "CTAP: action timed out"},
    {0x3B, "UP_REQUIRED", "CTAP: user presence required"},
    {0x3C, "UV_BLOCKED", "CTAP: built-in user verification blocked"},
    {0x3D, "INTEGRITY_FAILURE", "CTAP: integrity failure"},
    {0x3E, "INVALID_SUBCOMMAND", "CTAP: invalid subcommand"},
    {0x3F, "UV_INVALID", "CTAP: user verification failed"},
    {0x40, "UNAUTHORIZED_PERMISSION", "CTAP: permission not granted by the token"},
    {0x7F, "OTHER", "CTAP: other error"},
};

const CtapEntry* find_ctap(int status) noexcept {
    for (const auto& e : kCtap)
        if (e.status == status) return &e;
    return nullptr;
}

const Entry* find(Errc c) noexcept {
    for (const auto& e : kEntries)
        if (e.code == c) return &e;
    return nullptr;
}

}  // namespace

std::string_view ctap_status_name(int status) noexcept {
    const CtapEntry* e = find_ctap(status);
    return e ? e->name : "unknown";
}

std::string_view errc_name(Errc c) noexcept {
    if (static_cast<int>(c) > 0) return ctap_status_name(static_cast<int>(c));
    const Entry* e = find(c);
    return e ? e->name : "unknown";
}

std::string_view errc_message(Errc c) noexcept {
    if (static_cast<int>(c) > 0) {
        const CtapEntry* ce = find_ctap(static_cast<int>(c));
        return ce ? ce->message : "unknown error";
    }
    const Entry* e = find(c);
    return e ? e->message : "unknown error";
}

std::string Error::to_string() const {
    std::string s(errc_message(code));
    if (!detail.empty()) {
        s += ": ";
        s += detail;
    }
    return s;
}

}  // namespace mfa

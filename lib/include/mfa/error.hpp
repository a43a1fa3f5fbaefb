// Error codes and the Result type used across the core.
//
// Expected failures (bad input, a rejected code, a failed verification step) are values, never
// exceptions; exceptions are reserved for std::bad_alloc. The codes come from the one table in
// mfa/mfa_errors.h, which also makes the C ABI's MFA_ERR_* constants, so the two cannot drift; each
// is explained in docs/errors.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "mfa/mfa_errors.h"

namespace mfa {

enum class Errc : int {
    ok = 0,
#define MFA_ERRC_ENTRY_(NAME, name, code, message) name = (code),
    MFA_ERROR_TABLE(MFA_ERRC_ENTRY_)
#undef MFA_ERRC_ENTRY_
};

// "PIN_INVALID" ... for a CTAP2 status byte (1..255); "unknown" otherwise.
std::string_view ctap_status_name(int status) noexcept;

// A stable, lower-case name for each code ("otp_code_replayed"); "unknown" for anything else.
std::string_view errc_name(Errc) noexcept;
// One sentence describing the code, for mfa_strerror and CLI output.
std::string_view errc_message(Errc) noexcept;

// A failure with a detail that names what was wrong (field, line, position).
struct Error {
    Errc code = Errc::internal;
    std::string detail;

    Error() = default;
    Error(Errc c, std::string d = {}) : code(c), detail(std::move(d)) {}
    // "<message>: <detail>" or just the message.
    [[nodiscard]] std::string to_string() const;
};

// Result<T>: a value or an Error. Result<void> is a status.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}
    Result(Errc c, std::string detail = {}) : v_(std::in_place_index<1>, Error{c, std::move(detail)}) {}

    [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }
    Errc code() const noexcept { return ok() ? Errc::ok : std::get<1>(v_).code; }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error e) : err_(std::move(e)), failed_(true) {}
    Result(Errc c, std::string detail = {}) : err_(c, std::move(detail)), failed_(c != Errc::ok) {}

    [[nodiscard]] bool ok() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return ok(); }
    const Error& error() const& { return err_; }
    Error&& error() && { return std::move(err_); }
    Errc code() const noexcept { return failed_ ? err_.code : Errc::ok; }

private:
    Error err_{Errc::ok};
    bool failed_ = false;
};

using Status = Result<void>;

}  // namespace mfa

// Propagate a failed Result/Status from the enclosing function.
#define MFA_TRY(expr)                                       \
    do {                                                    \
        auto&& mfa_try_r_ = (expr);                         \
        if (!mfa_try_r_.ok()) return std::move(mfa_try_r_).error(); \
    } while (0)

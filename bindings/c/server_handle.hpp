// The server toolkit's C handles and the argument plumbing its C files share (server.cpp,
// server_admin.cpp, server_ops.cpp). Not installed.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "abi.hpp"
#include "mfa/mfa_server.h"
#include "mfa/server/toolkit.hpp"

struct mfa_server_store {
    std::shared_ptr<mfa::store::Store> store;
};
struct mfa_server {
    std::unique_ptr<mfa::server::Toolkit> tk;
};

namespace mfa::abi {

inline constexpr std::size_t kMaxIn = 64 * 1024;

// A required input string.
#define MFA_IN(var, arg, what)                                      \
    auto var##_r = in_string(arg, kMaxIn, what, false);             \
    if (!var##_r) return fail(var##_r.error());                     \
    const std::string_view var = *var##_r
#define MFA_IN_OPT(var, arg, what)                                  \
    auto var##_r = in_string(arg, kMaxIn, what, true);              \
    if (!var##_r) return fail(var##_r.error());                     \
    const std::string_view var = *var##_r

// A required secret input as (pointer, length): a password, an API token, a recovery code, a key
// ring's text. The copy lives in wiped memory for the rest of the call.
#define MFA_SECRET_IN(var, ptr, len, what)                                                     \
    auto var##_r = in_secret(ptr, len, kMaxIn, what);                                          \
    if (!var##_r) return fail(var##_r.error());                                                \
    if (!*var##_r) return fail(Errc::invalid_argument, std::string(what) + " is NULL");        \
    const std::string_view var = (*var##_r)->view()

inline server::RequestContext ctx(std::string_view actor, std::string_view ip) {
    return server::RequestContext{std::string(actor), std::string(ip), {}};
}

inline int need(const void* p, const char* what) {
    return p ? MFA_OK : fail(Errc::invalid_argument, std::string(what) + " is NULL");
}

// A result struct the caller made too short is refused before the verification runs: after it,
// the code or challenge would be spent on a call that reports failure.
inline int check_out(const mfa_server_verify_result_t* out) {
    if (out != nullptr && out->struct_size < sizeof(mfa_server_verify_result_t))
        return fail(Errc::invalid_argument, "out.struct_size is " + std::to_string(out->struct_size) +
                                                ", below the smallest layout (" +
                                                std::to_string(sizeof(mfa_server_verify_result_t)) + ")");
    return MFA_OK;
}

inline int verify_out(mfa_server_verify_result_t* out, const Result<server::VerifyResult>& r) {
    if (!r) return fail(r.error());
    if (out != nullptr) {  // its size was checked before the verification (check_out)
        mfa_server_verify_result_t full{};
        full.status = static_cast<int>(r->status);
        full.retry_after = r->retry_after;
        full.failures = r->failures;
        full.newly_locked = r->newly_locked ? 1 : 0;
        full.needs_rehash = r->needs_rehash ? 1 : 0;
        std::string amr;
        for (const auto& m : r->amr) amr += (amr.empty() ? "" : " ") + m;
        std::snprintf(full.amr, sizeof full.amr, "%s", amr.c_str());
        if (auto st = abi::write_sized(out, full, sizeof full, "out"); !st) return fail(st.error());
    }
    if (!r->ok()) return fail(r->status, r->retry_after > 0 ? "retry after " + std::to_string(r->retry_after) + " s" : "");
    return MFA_OK;
}

}  // namespace mfa::abi

// The server toolkit's C handles and the argument plumbing its C files share (server.cpp,
// server_admin.cpp). Not installed.
#pragma once

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

inline server::RequestContext ctx(std::string_view actor, std::string_view ip) {
    return server::RequestContext{std::string(actor), std::string(ip), {}};
}

inline int need(const void* p, const char* what) {
    return p ? MFA_OK : fail(Errc::invalid_argument, std::string(what) + " is NULL");
}

}  // namespace mfa::abi

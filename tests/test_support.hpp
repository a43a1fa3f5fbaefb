// Helpers shared by the Boost.Test suites.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "mfa/error.hpp"

namespace mfa {
// Lets Boost.Test print codes in failed assertions.
inline std::ostream& operator<<(std::ostream& os, Errc c) { return os << errc_name(c); }
}  // namespace mfa

namespace mfa::test {

// Records that part of the running test case could not run, and why: the test program then exits 77
// (meson: SKIP) unless something failed, so a missing input never reads as a pass (tests/main.cpp).
void skip(const std::string& reason);

// ../shared beside the checkout (MFA_SHARED_DIR, set by tests/meson.build), or nullopt when it is
// absent: tests that read the conformance data then call skip() saying so.
inline std::optional<std::filesystem::path> shared_dir() {
    const char* env = std::getenv("MFA_SHARED_DIR");
    if (env == nullptr || *env == '\0') return std::nullopt;
    std::filesystem::path p(env);
    if (!std::filesystem::is_directory(p)) return std::nullopt;
    return p;
}

}  // namespace mfa::test

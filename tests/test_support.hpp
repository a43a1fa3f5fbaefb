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

// ../shared beside the checkout (MFA_SHARED_DIR, set by tests/meson.build), or nullopt when it is
// absent: tests that read the conformance data then skip with a message saying so.
inline std::optional<std::filesystem::path> shared_dir() {
    const char* env = std::getenv("MFA_SHARED_DIR");
    if (env == nullptr || *env == '\0') return std::nullopt;
    std::filesystem::path p(env);
    if (!std::filesystem::is_directory(p)) return std::nullopt;
    return p;
}

// Set when a test could not run part of itself because an input is missing (redis-server ...):
// the program then exits 77 (skipped) instead of 0, so a missing backend never reads as a pass.
// Holds the first reason; empty while nothing was missing.
inline std::string& input_missing() {
    static std::string reason;
    return reason;
}

}  // namespace mfa::test

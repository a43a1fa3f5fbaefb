// Helpers shared by the Boost.Test suites.
#pragma once

#include <link.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <set>
#include <ostream>
#include <string>
#include <string_view>

#include "mfa/error.hpp"

namespace mfa {
// Lets Boost.Test print codes in failed assertions.
inline std::ostream& operator<<(std::ostream& os, Errc c) { return os << errc_name(c); }
}  // namespace mfa

namespace mfa::test {

// Which of `sonames` the loader has mapped into this process (by file name): the libraries the
// SDK loads on first use (mfa/shared_library.hpp) must not be there before it.
inline std::set<std::string> mapped_among(std::initializer_list<std::string_view> sonames) {
    struct Query {
        std::initializer_list<std::string_view> sonames;
        std::set<std::string> found;
    } q{sonames, {}};
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* out) {
            auto& query = *static_cast<Query*>(out);
            const std::string_view path = info->dlpi_name != nullptr ? info->dlpi_name : "";
            const auto name = path.substr(path.rfind('/') + 1);
            for (std::string_view lib : query.sonames)
                if (name == lib) query.found.emplace(name);
            return 0;
        },
        &q);
    return q.found;
}

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

// `mfa code [QUERY]` on the vault: each matching account's current code, the next one and the
// seconds left; --json for scripts; --watch redraws the lines in place every second with a
// countdown bar until Ctrl-C (or --duration seconds; off a terminal it prints a frame a second).
#pragma once

#include <optional>
#include <string>

#include "command.hpp"
#include "vault_session.hpp"

namespace mfa::app {

struct VaultCodes {
    const VaultFlags& flags;
    std::string query;
    bool json = false;
    bool watch = false;
    unsigned duration = 0;
    std::optional<std::int64_t> time;
    bool copy = false;  // the one match's code onto the clipboard, cleared when it expires

    int run(Context& ctx);
};

// "123 456" for even lengths of 6 or more; others whole.
std::string group_code(std::string_view code);
// "[#####.....]": the part of the period left.
std::string countdown_bar(std::uint32_t left, std::uint32_t period, std::size_t width = 10);

}  // namespace mfa::app

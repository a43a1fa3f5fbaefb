// `mfa code NAME --copy`: the code onto the desktop clipboard, gone again when it expires.
#pragma once

#include <cstdint>
#include <string_view>

#include "mfa/error.hpp"

namespace mfa::app {

// Puts text on the clipboard with the first tool there is (wl-copy under Wayland, then xclip, then
// xsel under X11; text through a pipe, never argv) and leaves a detached process that clears the
// clipboard after clear_after seconds if it still holds text (a newer copy is left alone).
// Errors: unsupported naming what to install or which display is missing; io when the tool fails.
Status copy_to_clipboard(std::string_view text, std::uint32_t clear_after);

}  // namespace mfa::app

// PINs for `mfa token`: from a file (its first line) or typed at the terminal without echo. Never
// from the command line, where other users could read them in the process list.
#pragma once

#include <string>
#include <string_view>

#include "mfa/error.hpp"
#include "mfa/secret.hpp"

namespace mfa::app {

// The first line of `path` (without the line end); at most 255 bytes.
Result<SecretString> read_pin_file(const std::string& path);
// Prompts on /dev/tty with echo off; Errc::io when there is no terminal.
Result<SecretString> prompt_pin(std::string_view prompt);
// --pin-file when given, else the terminal prompt.
Result<SecretString> get_pin(const std::string& pin_file, std::string_view prompt);

}  // namespace mfa::app

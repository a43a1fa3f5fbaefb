// The command registry of `mfa`. Each command lives in its own cmd_<name>.cpp and registers itself
// with a file-scope Registration, so adding a command is adding a file (and listing it in
// meson.build): main.cpp knows no command by name.
//
//   namespace { class Hello final : public mfa::app::Command { ... }; }
//   static const mfa::app::Registration kHello{
//       {"hello", "Say hello", "Examples:\n  mfa hello --name bob\n", 50,
//        [] { return std::make_unique<Hello>(); }}};
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/error.hpp"

namespace CLI {
class App;
class Option;
class Validator;
}

namespace mfa::app {

// Exit codes of `mfa` (also in `mfa --help` and docs/app.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a runtime failure: I/O, crypto, a code that did not verify
inline constexpr int kExitUsage = 2;    // bad usage or bad input: unknown flag, malformed URI or secret

// What a command runs with: its streams (tests and `--watch` use them; never std::cout directly).
struct Context {
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    bool out_is_terminal = false;
};

class Command {
public:
    virtual ~Command() = default;
    // Declares the command's options on its CLI11 subcommand (they bind to the command's members).
    virtual void configure(CLI::App& cmd) = 0;
    // Runs once the command line parsed; returns the exit code.
    virtual int run(Context& ctx) = 0;
};

struct CommandInfo {
    std::string name;
    std::string description;
    std::string examples;  // shown under the command's --help
    int order = 100;       // position in `mfa --help` (lower first; ties by name)
    std::function<std::unique_ptr<Command>()> make;
    // main() builds only the command being run; one that walks the whole command tree (completion
    // scripts, the man page) says so here and gets every command built.
    bool reads_every_command = false;
};

// Every registered command, in help order.
std::vector<const CommandInfo*> commands();

struct Registration {
    explicit Registration(CommandInfo info);
};

// The exit code for a core error: kExitUsage for bad input, kExitFailure otherwise.
int exit_code_for(Errc code) noexcept;
// Prints "mfa: <what>: <message>: <detail>" to ctx.err and returns the exit code for it.
int report(Context& ctx, const Error& e, std::string_view what = {});
// Prints "mfa: <message>" and returns kExitUsage.
int usage_error(Context& ctx, std::string_view message);

// The check every numeric flag carries: a plain decimal whole number in min..max. CLI11 alone reads
// "-5" into an unsigned as 2^64-5 and clamps what overflows; this runs on the text first, so the
// error ("--counter: '-5' is not a whole number in 0..18446744073709551615") names the flag and
// ends in exit 2 before anything is done.
CLI::Validator whole_number(std::int64_t min, std::uint64_t max);

// The text of a file named on the command line, or of standard input for "-" or "". A file that
// cannot be read is bad usage (exit 2), like a bad flag; more than max_bytes is limit_exceeded.
Result<std::string> read_text_input(Context& ctx, const std::string& path, std::size_t max_bytes);

}  // namespace mfa::app

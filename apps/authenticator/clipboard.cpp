#include "clipboard.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "mfa/secret.hpp"

namespace mfa::app {
namespace {

struct Tool {
    const char* display_env;  // the display the tool needs
    std::vector<const char*> copy, paste, clear;  // xclip clears by copying nothing
};

const Tool kTools[] = {
    {"WAYLAND_DISPLAY", {"wl-copy"}, {"wl-paste", "--no-newline"}, {"wl-copy", "--clear"}},
    {"DISPLAY", {"xclip", "-selection", "clipboard", "-in"}, {"xclip", "-selection", "clipboard", "-out"},
     {"xclip", "-selection", "clipboard", "-in"}},
    {"DISPLAY", {"xsel", "--clipboard", "--input"}, {"xsel", "--clipboard", "--output"}, {"xsel", "--clipboard", "--delete"}},
};

bool on_path(const char* name) {
    const char* path = std::getenv("PATH");
    std::string_view rest = path != nullptr ? path : "";
    while (true) {
        const auto colon = rest.find(':');
        const std::string dir(rest.substr(0, colon));
        if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
        if (colon == std::string_view::npos) return false;
        rest.remove_prefix(colon + 1);
    }
}

bool set(const char* env) {
    const char* v = std::getenv(env);
    return v != nullptr && *v != '\0';
}

// Runs argv with `input` on its stdin and, when out is given, its stdout collected (at most 4 KiB).
// True when it exits 0.
bool run(const std::vector<const char*>& args, std::string_view input, SecretString* out = nullptr) {
    int in[2], from[2] = {-1, -1};
    if (::pipe2(in, O_CLOEXEC) != 0) return false;
    if (out != nullptr && ::pipe2(from, O_CLOEXEC) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        return false;
    }
    std::vector<char*> argv;
    for (const char* a : args) argv.push_back(const_cast<char*>(a));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], STDIN_FILENO);
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(out != nullptr ? from[1] : null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(in[0]);
    if (out != nullptr) ::close(from[1]);
    bool ok = pid > 0;
    if (ok) ok = ::write(in[1], input.data(), input.size()) == static_cast<ssize_t>(input.size());
    ::close(in[1]);
    if (out != nullptr) {
        char buf[4096];
        ssize_t n;
        while ((n = ::read(from[0], buf, sizeof buf)) > 0 && out->size() < sizeof buf)
            out->append(std::string_view(buf, static_cast<std::size_t>(n)));
        secure_wipe(buf, sizeof buf);
        ::close(from[0]);
    }
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, 0) != pid) return false;
    return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A grandchild in its own session (it outlives mfa and the terminal) waits, then clears the
// clipboard if it still holds text.
void clear_later(const Tool& tool, std::string_view text, std::uint32_t seconds) {
    const pid_t child = ::fork();
    if (child != 0) {
        if (child > 0) ::waitpid(child, nullptr, 0);
        return;
    }
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    // Off mfa's stdio: a caller reading mfa's output (`$(mfa code x --copy)`) must not wait for us.
    const int null = ::open("/dev/null", O_RDWR);
    for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) ::dup2(null, fd);
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    SecretString now;
    if (run(tool.paste, {}, &now) && now.view() == text) run(tool.clear, {});
    ::_exit(0);
}

}  // namespace

Status copy_to_clipboard(std::string_view text, std::uint32_t clear_after) {
    bool display = false;
    for (const Tool& t : kTools) {
        if (!set(t.display_env)) continue;
        display = true;
        if (!on_path(t.copy[0])) continue;
        if (!run(t.copy, text)) return Error(Errc::io, std::string(t.copy[0]) + " failed to set the clipboard");
        clear_later(t, text, clear_after);
        return {};
    }
    if (!display) return Error(Errc::unsupported, "no desktop session (neither WAYLAND_DISPLAY nor DISPLAY is set)");
    return Error(Errc::unsupported, "no clipboard tool found: install wl-clipboard (Wayland), xclip or xsel (X11)");
}

}  // namespace mfa::app

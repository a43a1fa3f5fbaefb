// `mfa softtoken serve FILE`: serves the soft token whose state is FILE on a pseudo-terminal and
// prints the device path, so any FIDO2 program can use it (fido2-token -I /dev/pts/N, a browser
// test harness, `mfa token --device tty:/dev/pts/N`), until SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <ostream>
#include <pthread.h>

#include "command.hpp"
#include "mfa/softtoken.hpp"
#include "mfa/softtoken_bridge.hpp"

namespace mfa::app {
namespace {

using namespace mfa::softtoken;

class SofttokenCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        serve_ = cmd.add_subcommand("serve", "serve the soft token in FILE on a pty; print its path; stop on SIGINT/SIGTERM");
        serve_->add_option("FILE", file_, "state file (created, mode 0600, when missing)")->required();
        serve_->add_option("--attestation", attestation_, "full (packed with the token's certificate, default) or self")
            ->check(CLI::IsMember({"full", "self"}));
        serve_->add_option("--presence", presence_, "approve (default) or deny every touch request")
            ->check(CLI::IsMember({"approve", "deny"}));
        serve_->add_flag("--json", json_, "print {\"path\": ...} instead of the bare path");
    }

    int run(Context& ctx) override {
        Options o;
        o.attestation = attestation_ == "self" ? Attestation::self : Attestation::full;
        o.presence = presence_ == "deny" ? Presence::deny : Presence::approve;
        // Block the stop signals before the bridge starts its threads, so they inherit the mask and
        // the signals wait for sigwait below.
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop, nullptr);

        auto token = SoftToken::open(file_, std::move(o));
        if (!token) return report(ctx, token.error(), file_);
        auto bridge = PtyBridge::start(*token);
        if (!bridge) return report(ctx, bridge.error(), "bridge");
        if (json_)
            ctx.out << nlohmann::json{{"path", (*bridge)->device_path()}, {"state", file_}}.dump() << std::endl;
        else
            ctx.out << (*bridge)->device_path() << std::endl;
        ctx.err << "mfa: serving soft token " << file_ << " on " << (*bridge)->device_path()
                << " (development and testing only; SIGINT/SIGTERM stops it)" << std::endl;
        int sig = 0;
        sigwait(&stop, &sig);
        (*bridge)->stop();
        return kExitOk;
    }

private:
    CLI::App* serve_ = nullptr;
    std::string file_, attestation_ = "full", presence_ = "approve";
    bool json_ = false;
};

}  // namespace

static const Registration kSofttoken{
    {"softtoken",
     "A software FIDO2 authenticator for development and testing -- NOT a security device: its keys "
     "are in an unencrypted file",
     "A soft token is for development and testing, not a security device: its keys live unencrypted in\n"
     "FILE and user presence is simulated. Never use it to protect an account.\n"
     "Examples:\n"
     "  mfa softtoken serve dev.token            # prints /dev/pts/N; Ctrl-C stops it\n"
     "  fido2-token -I /dev/pts/N\n"
     "  mfa token --device tty:/dev/pts/N info\n"
     "  mfa token --device soft:dev.token info   # the same token, in process, without serving it\n",
     61, [] { return std::make_unique<SofttokenCommand>(); }}};

}  // namespace mfa::app

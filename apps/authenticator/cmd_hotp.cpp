// `mfa hotp next NAME`: the next HOTP code. The counter is saved before the code is printed.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

class HotpCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        next_ = cmd.add_subcommand("next", "advance the counter, save, then print the code");
        next_->add_option("name", query_, "the account: its label, part of it, or its id")->required();
        next_->add_flag("--json", json_, "print JSON: code and the counter it used");
        vault_.add_to(*next_);
    }

    int run(Context& ctx) override {
        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, OpenMode::write, v); rc != kExitOk) return rc;
        const VaultEntry* e = nullptr;
        if (int rc = pick_one(ctx, *v, query_, e); rc != kExitOk) return rc;
        if (e->account.params.type != OtpType::hotp) return usage_error(ctx, e->label() + " is not an HOTP account");
        const std::uint64_t counter = e->account.params.counter;
        const std::string id = e->id;
        auto code = v->hotp_next(id);
        if (!code) return report_vault(ctx, code.error(), "the counter was not saved and no code is shown");
        if (json_) ctx.out << nlohmann::json{{"id", id}, {"code", std::string(code->view())}, {"counter", counter}}.dump() << '\n';
        else ctx.out << code->view() << '\n';
        return kExitOk;
    }

private:
    CLI::App* next_ = nullptr;
    VaultFlags vault_;
    std::string query_;
    bool json_ = false;
};

}  // namespace

static const Registration kHotp{{
    "hotp",
    "HOTP accounts: `mfa hotp next NAME` (the counter is saved before the code is shown)",
    "Examples:\n"
    "  mfa hotp next bank\n"
    "  mfa hotp next bank --json\n",
    11,
    [] { return std::make_unique<HotpCommand>(); },
}};

}  // namespace mfa::app

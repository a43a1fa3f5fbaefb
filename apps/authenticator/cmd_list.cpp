// `mfa list`: the vault's accounts (never their secrets), filtered by text or tag.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <ostream>

#include "command.hpp"
#include "entry_view.hpp"
#include "vault_session.hpp"

namespace mfa::app {
namespace {

class ListCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.add_option("query", query_, "only accounts whose issuer, name, tag or id contains this text");
        cmd.add_option("--tag", tag_, "only accounts with this tag");
        cmd.add_flag("--json", json_, "print JSON (an array of accounts, without secrets)");
        vault_.add_to(cmd);
    }

    int run(Context& ctx) override {
        std::optional<Vault> v;
        if (int rc = vault_.open(ctx, OpenMode::read, v); rc != kExitOk) return rc;
        std::vector<const VaultEntry*> hits = v->search(query_);
        if (!tag_.empty()) {
            const auto tagged = v->with_tag(tag_);
            std::erase_if(hits, [&](const VaultEntry* e) { return std::find(tagged.begin(), tagged.end(), e) == tagged.end(); });
        }
        if (json_) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto* e : hits) arr.push_back(entry_json(*e));
            ctx.out << arr.dump() << '\n';
            return kExitOk;
        }
        for (const auto* e : hits) ctx.out << entry_summary(*e) << '\n';
        if (hits.empty()) ctx.err << (v->entries().empty() ? "The vault is empty.\n" : "No account matches.\n");
        return kExitOk;
    }

private:
    VaultFlags vault_;
    std::string query_;
    std::string tag_;
    bool json_ = false;
};

}  // namespace

static const Registration kList{{
    "list",
    "List the vault's accounts (filter by text or --tag)",
    "Examples:\n"
    "  mfa list\n"
    "  mfa list git\n"
    "  mfa list --tag work --json\n",
    3,
    [] { return std::make_unique<ListCommand>(); },
}};

}  // namespace mfa::app

// The administration subcommands of `mfa server` (server_admin.cpp), kept apart from cmd_server.cpp
// so the command's operator basics and its organization/account administration each stay one file:
//   mfa server audit list [--org O] [--user U] [--actor A] [--event T] [--since T] [--until T]
//                         [--limit N] [--cursor C] [--json]
//   mfa server audit export [the same filters]          JSON lines, oldest first
//   mfa server audit append --event app.X [--subject U] [--detail D] [--org O]
//   mfa server audit reindex
//   mfa server members set USER ORG [--role owner|admin|member] | remove USER | show USER | list ORG
//   mfa server members can USER PERMISSION --org ORG [--target MEMBER] | permissions
//   mfa server factors USER                             the user's factors, no secret
//   mfa server account delete USER [--retention-days N] | restore USER | status USER
//   mfa server purge [--now UNIX]                       for cron: prints what it purged
//   mfa server api-keys list --org ORG | revoke ID [--org ORG]
//   mfa server password-state USER [--require-change reset|compromised | --changed]
#pragma once

#include <cstdint>
#include <string>

#include "command.hpp"
#include "mfa/server/toolkit.hpp"

namespace mfa::app {

class ServerAdmin {
public:
    // Adds the subcommands to `server` and the list/export/append/reindex leaves to its `audit`.
    void configure(CLI::App& server, CLI::App& audit);
    // Whether the parsed subcommand (a child of `server`) is one of these.
    bool handles(const CLI::App& sub) const;
    int run(Context& ctx, server::Toolkit& tk, const CLI::App& sub, const server::RequestContext& rc);

private:
    int run_audit(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc);
    int run_members(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc);
    int run_account(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc);
    int run_purge(Context& ctx, server::Toolkit& tk, const server::RequestContext& rc);
    int run_api_keys(Context& ctx, server::Toolkit& tk, const std::string& what, const server::RequestContext& rc);
    int run_password_state(Context& ctx, server::Toolkit& tk, const server::RequestContext& rc);
    int run_factors(Context& ctx, server::Toolkit& tk);

    server::AuditQuery query_;
    std::string user_, org_, role_ = "member", id_, event_, subject_, detail_, require_change_, permission_;
    std::int64_t retention_days_ = 30, now_ = 0;
    bool json_ = false, changed_ = false;
};

}  // namespace mfa::app

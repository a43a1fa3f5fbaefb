// The operations part of `mfa server` (server_ops.cpp): backups of the SQLite store, key
// maintenance for cron, hardware OTP tokens. cmd_server.cpp hands them its command and the options
// every `mfa server` command shares.
//   mfa server backup create|list|verify FILE|restore FILE --to PATH [--overwrite]|prune  [--dir D] [--retention-days N]
//   mfa server keyring maintain --max-age-days N --batch M [--backup-dir D] [--retention-days N] [--rewrap-delay S]
//   mfa server otp-tokens import FILE.pskc [--key HEX | --passphrase-file F] | list | assign SERIAL USER
//                         | unassign SERIAL | retire SERIAL | resync USER CODE1 CODE2
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "command.hpp"

namespace CLI {
class App;
}

namespace mfa::app {

struct ServerCommon {
    const std::string& store_url;
    const std::string& keyring;
    const std::string& actor;
    const std::string& issuer;
};

class ServerOps {
public:
    // Adds `backup` and `otp-tokens` under `server`, and `maintain` under its `keyring`.
    void configure(CLI::App& server, CLI::App& keyring);
    // Runs the command line's subcommand when it is one of these; nullopt otherwise.
    std::optional<int> run(Context& ctx, const CLI::App& server, const ServerCommon& common);

private:
    int run_backup(Context& ctx, const std::string& what, const ServerCommon& common);
    int run_maintain(Context& ctx, const ServerCommon& common);
    int run_tokens(Context& ctx, const std::string& what, const ServerCommon& common);

    std::string dir_ = "backups", backup_dir_, file_, to_, serial_, user_, code1_, code2_, key_hex_, passphrase_file_, org_;
    std::int64_t retention_days_ = 30, max_age_days_ = 90, max_age_seconds_ = 0, rewrap_delay_ = 3600;
    std::size_t batch_ = 1000;
    bool overwrite_ = false, json_ = false;
};

}  // namespace mfa::app

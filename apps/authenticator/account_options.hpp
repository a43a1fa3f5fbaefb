// The flags that describe one account on the command line, shared by the commands that take one
// (`mfa code`, `mfa uri`): either --uri, or --secret with the parameters. A value of "-" is read
// from standard input, which keeps secrets out of the process list and the shell history.
#pragma once

#include <cstdint>
#include <string>

#include "command.hpp"
#include "mfa/otpauth.hpp"

namespace mfa::app {

class AccountOptions {
public:
    // Adds --uri (when with_uri), --secret, --type, --algorithm, --digits, --period, --counter,
    // --issuer, --name and --issuer-policy to cmd.
    void add_to(CLI::App& cmd, bool with_uri = true);

    bool has_uri() const;
    bool has_secret() const;
    const std::string& uri_flag() const { return uri_; }
    UriParseOptions parse_options() const;

    // The account the flags describe. On failure prints an error naming the flag to ctx.err and
    // returns its exit code (0 on success).
    int resolve(Context& ctx, Account& out) const;
    // The account of the parameter flags (not --uri/--secret) with the given secret.
    int resolve_with(Context& ctx, SecretBytes secret, Account& out) const;

private:
    std::string uri_;
    std::string secret_;
    std::string type_ = "totp";
    std::string algorithm_ = "SHA1";
    unsigned digits_ = 6;
    std::uint32_t period_ = 30;
    std::uint64_t counter_ = 0;
    std::string issuer_;
    std::string name_;
    std::string issuer_policy_ = "strict";
    CLI::Option* uri_opt_ = nullptr;
    CLI::Option* secret_opt_ = nullptr;
    CLI::Option* digits_opt_ = nullptr;
};

// Reads one line from ctx.in for a "-" flag value, without its line end and surrounding blanks.
SecretString read_secret_line(Context& ctx);

}  // namespace mfa::app

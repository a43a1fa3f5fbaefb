// Reading the JSON of other apps' exports: typed field access whose errors name the JSON path, and
// wiping the parsed tree's strings (secrets among them) before it is freed. Internal to lib/transfer.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "mfa/error.hpp"
#include "mfa/otp.hpp"
#include "mfa/secret.hpp"
#include "mfa/vault_import.hpp"

namespace mfa::vault_detail {

using Json = nlohmann::json;

// Parses text (at most kImportMaxBytes); the error names the line and column.
Result<Json> parse_json(std::string_view text, std::string_view what);
// Overwrites every string in the tree, then leaves it empty.
void wipe_json(Json& j) noexcept;

// A JSON value with its path, for errors like "db.entries[3].info.digits: not a number".
class Field {
public:
    Field(const Json& j, std::string path) : j_(&j), path_(std::move(path)) {}
    const Json& json() const { return *j_; }
    const std::string& path() const { return path_; }
    bool has(std::string_view key) const { return j_->is_object() && j_->contains(key); }
    Result<Field> at(std::string_view key) const;          // required member
    std::optional<Field> opt(std::string_view key) const;  // member when present and not null
    Result<std::string> str() const;
    Result<std::uint64_t> uint(std::uint64_t max) const;
    Error bad(std::string_view why) const { return Error(Errc::parse, path_ + ": " + std::string(why)); }

private:
    const Json* j_;
    std::string path_;
};

// Field helpers shared by the importers.
Result<HashAlg> parse_algorithm(const Field& f);        // "SHA1", "sha256", ...
Result<SecretBytes> parse_base32_secret(const Field& f);
// Final checks on an account (Otp::create's rules), naming the entry.
Status check_account(const Account& a, const std::string& path);

// Wipes the tree when the scope ends, on every return path.
struct Wipe {
    Json& j;
    ~Wipe() { wipe_json(j); }
};

// Binds var to the value of a Result expression, or returns its error.
#define MFA_ASSIGN(var, expr)                        \
    auto var##_r = (expr);                           \
    if (!var##_r) return std::move(var##_r).error(); \
    auto var = std::move(*var##_r)

// "TOTP", "hotp", "Steam": Errc::unsupported (naming the type) for any other.
Result<OtpType> parse_type(const Field& f);
// Optional string member, "" when absent.
Result<std::string> opt_str(const Field& f, std::string_view key);
// Optional unsigned member with a default.
Result<std::uint64_t> opt_uint(const Field& f, std::string_view key, std::uint64_t def, std::uint64_t max);
// Decrypted text is parsed without nlohmann's message, which quotes the text around the error and
// could carry a secret into a log.
Result<Json> parse_decrypted(const SecretBytes& plain, const std::string& where);

}  // namespace mfa::vault_detail

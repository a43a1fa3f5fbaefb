#include "account_options.hpp"

#include <CLI/CLI.hpp>
#include <istream>
#include <map>

#include "mfa/encoding.hpp"
#include "mfa/otp.hpp"

namespace mfa::app {
namespace {

const std::map<std::string, OtpType> kTypes{{"totp", OtpType::totp}, {"hotp", OtpType::hotp}, {"steam", OtpType::steam}};
const std::map<std::string, HashAlg> kAlgorithms{{"SHA1", HashAlg::sha1}, {"SHA256", HashAlg::sha256}, {"SHA512", HashAlg::sha512}};
const std::map<std::string, IssuerPolicy> kPolicies{
    {"strict", IssuerPolicy::strict}, {"param", IssuerPolicy::prefer_param}, {"label", IssuerPolicy::prefer_label}};

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

}  // namespace

SecretString read_secret_line(Context& ctx) {
    SecretString line;
    char c;
    while (ctx.in.get(c) && c != '\n') line.push_back(c);
    std::string_view v = line.view();
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    return SecretString(v);
}

void AccountOptions::add_to(CLI::App& cmd, bool with_uri) {
    if (with_uri) uri_opt_ = cmd.add_option("--uri", uri_, "an otpauth:// URI ('-' reads it from stdin)");
    secret_opt_ = cmd.add_option("--secret", secret_, "the secret in Base32 ('-' reads it from stdin)");
    auto* type = cmd.add_option("--type", type_, "totp, hotp or steam")
                     ->check(CLI::IsMember({"totp", "hotp", "steam"}, CLI::ignore_case))
                     ->capture_default_str();
    auto* alg = cmd.add_option("--algorithm", algorithm_, "SHA1, SHA256 or SHA512")
                    ->check(CLI::IsMember({"SHA1", "SHA256", "SHA512"}, CLI::ignore_case))
                    ->capture_default_str();
    digits_opt_ = cmd.add_option("--digits", digits_, "code length, 4..10 (Steam: always 5)")
                      ->check(whole_number(kMinDigits, kMaxDigits))
                      ->capture_default_str();
    auto* period = cmd.add_option("--period", period_, "seconds per code (totp, steam), 1..86400")
                       ->check(whole_number(1, kMaxPeriod))
                       ->capture_default_str();
    auto* counter = cmd.add_option("--counter", counter_, "the counter of the next code (hotp), 0..2^64-1")
                        ->check(whole_number(0, UINT64_MAX))
                        ->capture_default_str();
    auto* issuer = cmd.add_option("--issuer", issuer_, "the service (\"Example\")");
    auto* name = cmd.add_option("--name", name_, "the account at the service (\"alice@example.com\")");
    auto* policy = cmd.add_option("--issuer-policy", issuer_policy_,
                                  "when a URI's issuer parameter and label prefix differ: strict (reject), param, label")
                       ->check(CLI::IsMember({"strict", "param", "label"}, CLI::ignore_case))
                       ->capture_default_str();
    if (uri_opt_ != nullptr) {
        for (CLI::Option* o : {secret_opt_, type, alg, digits_opt_, period, counter, issuer, name}) uri_opt_->excludes(o);
    } else {
        policy->description("(only with a URI)");
    }
}

bool AccountOptions::has_uri() const { return uri_opt_ != nullptr && uri_opt_->count() > 0; }
bool AccountOptions::has_secret() const { return secret_opt_ != nullptr && secret_opt_->count() > 0; }

UriParseOptions AccountOptions::parse_options() const {
    UriParseOptions o;
    std::string p = issuer_policy_;
    for (char& c : p)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    o.issuer_policy = kPolicies.at(p);
    return o;
}

int AccountOptions::resolve(Context& ctx, Account& out) const {
    if (has_uri()) {
        SecretString text = uri_ == "-" ? read_secret_line(ctx) : SecretString(uri_);
        auto a = parse_otpauth_uri(text.view(), parse_options());
        if (!a) return report(ctx, a.error(), "--uri");
        out = std::move(*a);
        return kExitOk;
    }
    if (!has_secret()) return usage_error(ctx, "no account: give --uri URI, or --secret BASE32 (see --help)");

    SecretString text = secret_ == "-" ? read_secret_line(ctx) : SecretString(secret_);
    auto secret = base32_decode(text.view());
    if (!secret) return report(ctx, secret.error(), "--secret");
    if (secret->empty()) return usage_error(ctx, "--secret: the secret is empty");
    return resolve_with(ctx, std::move(*secret), out);
}

int AccountOptions::resolve_with(Context& ctx, SecretBytes secret, Account& out) const {
    Account a;
    std::string type = type_;
    for (char& c : type)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    a.params.type = kTypes.at(type);
    a.params.algorithm = kAlgorithms.at(upper(algorithm_));
    if (a.params.type == OtpType::steam) {
        if (digits_opt_->count() > 0 && digits_ != kSteamDigits)
            return usage_error(ctx, "--digits: Steam codes are always " + std::to_string(kSteamDigits) + " characters");
        a.params.digits = kSteamDigits;
    } else {
        a.params.digits = digits_;
    }
    a.params.period = period_;
    a.params.counter = counter_;
    a.issuer = issuer_;
    a.name = name_;
    // Validate now, so that the error names the flag rather than surfacing later.
    if (auto st = validate(a.params); !st) {
        const std::string& d = st.error().detail;
        const std::string field = d.substr(0, d.find(':'));
        return report(ctx, st.error(), "--" + field);
    }
    a.secret = std::move(secret);
    out = std::move(a);
    return kExitOk;
}

}  // namespace mfa::app

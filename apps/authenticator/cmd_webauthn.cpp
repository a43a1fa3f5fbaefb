// `mfa webauthn verify-registration | verify-authentication`: runs the relying party's checks on a
// credential JSON (a file or stdin) with the same policy switches as the library, and prints the
// result (human or --json). The record is printed in --json output and written with --record-out
// (mfa/atomic_file.hpp: temporary file, fsync, rename). Exit codes: 0 verified, 1 verification failed, 2 bad usage/input.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "command.hpp"
#include "mfa/atomic_file.hpp"
#include "mfa/encoding.hpp"
#include "mfa/json.hpp"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/registration.hpp"
#include "mfa/webauthn/result_json.hpp"

namespace mfa::app {
namespace {

using namespace mfa::webauthn;

// The attestation formats verify_attestation knows, for --trust-anchor FMT:FILE ('*' = every one).
constexpr std::string_view kFormats[] = {"packed", "tpm", "android-key", "android-safetynet", "fido-u2f", "apple", "none"};

const std::map<std::string, FlagPolicy> kFlagPolicies{
    {"allowed", FlagPolicy::allowed}, {"required", FlagPolicy::required}, {"forbidden", FlagPolicy::forbidden}};

class WebauthnCommand final : public Command {
public:
    void configure(CLI::App& cmd) override {
        cmd.require_subcommand(1);
        reg_ = cmd.add_subcommand("verify-registration", "verify a RegistrationResponseJSON; print the record");
        auth_ = cmd.add_subcommand("verify-authentication", "verify an AuthenticationResponseJSON against a record");
        for (CLI::App* sub : {reg_, auth_}) {
            sub->add_option("FILE", input_, "the credential JSON ('-' or nothing: stdin)");
            sub->add_option("--rp-id", cfg_.rp_id, "relying party ID (e.g. example.com)")->required();
            // Repeatable options take one value each: otherwise CLI11 lets them swallow the FILE
            // that follows ("--origin O reg.json"), and the command then waits on stdin.
            sub->add_option("--origin", cfg_.origins, "an allowed origin, exact match (repeatable)")
                ->allow_extra_args(false)
                ->required();
            sub->add_option("--challenge", challenge_, "the challenge issued, base64url (16..1024 bytes)")->required();
            sub->add_option("--top-origin", top_origins_, "allow framed ceremonies from this top origin (repeatable)")
                ->allow_extra_args(false);
            sub->add_flag("--require-uv", require_uv_, "require the UV flag");
            sub->add_flag("--no-require-up", no_up_, "do not require the UP flag (conditional create)");
            sub->add_option("--alg", algs_, "allowed COSE algorithm (repeatable; default -7 -8 -35 -36 -37 -257)")
                ->allow_extra_args(false)
                ->check(whole_number(INT32_MIN, INT32_MAX));
            sub->add_option("--backup-eligible", backup_eligible_, "the BE flag: allowed (default), required or forbidden")
                ->check(CLI::IsMember({"allowed", "required", "forbidden"}));
            sub->add_option("--backup-state", backup_state_, "the BS flag: allowed (default), required or forbidden")
                ->check(CLI::IsMember({"allowed", "required", "forbidden"}));
            sub->add_option("--token-binding", token_binding_,
                            "clientDataJSON.tokenBinding: check (default; WebAuthn L2) or ignore (L3: reserved)")
                ->check(CLI::IsMember({"check", "ignore"}));
            sub->add_option("--token-binding-id", token_binding_id_, "the TLS token binding id to expect (base64url)");
            sub->add_option("--user-handle", user_handle_,
                            "registration: user.id to store; authentication: the account's handle (base64url)");
            sub->add_option("--now", now_, "verification time (Unix seconds) for certificates")
                ->check(whole_number(0, INT64_MAX));
            sub->add_option("--record-out", record_out_, "write the (updated) record JSON to this file");
            sub->add_flag("--json", json_, "print JSON");
        }
        reg_->add_option("--trust-anchor", anchors_,
                         "FMT:PEMFILE trust anchor; FMT packed, tpm, android-key, android-safetynet, fido-u2f, apple, "
                         "none or '*' (every format); repeatable")
            ->allow_extra_args(false);
        reg_->add_flag("--require-trusted", require_trusted_, "fail unless attestation chains to a trust anchor");
        reg_->add_flag("--allow-rs1-tpm", allow_rs1_, "accept SHA-1 TPM attestation (Windows Hello)");
        reg_->add_flag("--reject-sha1-certificates", reject_sha1_, "refuse SHA-1 signed certificates on the attestation path");
        reg_->add_flag("--android-key-require-tee", android_tee_, "android-key: origin and purpose from teeEnforced only");
        reg_->add_flag("--safetynet-allow-no-cts", safetynet_no_cts_, "android-safetynet: accept ctsProfileMatch false");
        reg_->add_option("--safetynet-max-age", safetynet_max_age_, "android-safetynet: timestampMs at most this old (seconds; default 60)")
            ->check(whole_number(0, INT64_MAX / 1000));
        auto* mds_root = reg_->add_option("--mds-root", mds_root_file_, "the PEM root that signed the --mds BLOB");
        reg_->add_option("--mds", mds_file_, "a FIDO MDS3 BLOB (JWT) to judge attestation by; needs --mds-root")
            ->needs(mds_root);
        reg_->add_flag("--allow-mds-compromised", allow_mds_compromised_,
                       "with --mds: report an authenticator MDS lists as compromised as untrusted instead of failing");
        auth_->add_option("--record", record_path_, "the stored credential record JSON")->required();
        auth_->add_option("--counter-policy", counter_policy_, "error (default) or flag")
            ->check(CLI::IsMember({"error", "flag"}));
        auth_->add_option("--appid", cfg_.appid, "U2F AppID for credentials registered with U2F");
        auth_->add_flag("--discoverable", discoverable_, "usernameless login: the response's userHandle must own the record");
    }

    int run(Context& ctx) override {
        if (require_uv_) cfg_.user_verification = UserVerification::required;
        cfg_.require_user_presence = !no_up_;
        if (!algs_.empty()) cfg_.algorithms = algs_;
        if (!top_origins_.empty()) {
            cfg_.allow_cross_origin = true;
            cfg_.top_origins = top_origins_;
        }
        if (now_) cfg_.now = *now_;
        cfg_.counter = counter_policy_ == "flag" ? CounterPolicy::flag : CounterPolicy::error;
        cfg_.attestation.require_trusted = require_trusted_;
        cfg_.attestation.allow_rs1_tpm = allow_rs1_;
        cfg_.attestation.reject_sha1_certificates = reject_sha1_;
        cfg_.attestation.android_key_require_tee = android_tee_;
        cfg_.attestation.safetynet_require_cts_profile_match = !safetynet_no_cts_;
        if (safetynet_max_age_) cfg_.attestation.safetynet_max_age_seconds = *safetynet_max_age_;
        cfg_.attestation.reject_mds_compromised = !allow_mds_compromised_;
        cfg_.backup_eligible = kFlagPolicies.at(backup_eligible_);
        cfg_.backup_state = kFlagPolicies.at(backup_state_);
        cfg_.token_binding = token_binding_ == "ignore" ? TokenBindingPolicy::ignore : TokenBindingPolicy::check;
        if (!token_binding_id_.empty()) {
            auto id = base64_decode(token_binding_id_, Base64Mode::lenient);
            if (!id) return usage_error(ctx, "--token-binding-id: " + id.error().to_string());
            cfg_.token_binding_id = std::move(*id);
        }
        for (const auto& a : anchors_) {
            const auto colon = a.find(':');
            if (colon == std::string::npos) return usage_error(ctx, "--trust-anchor takes FMT:PEMFILE");
            std::string fmt = a.substr(0, colon);
            if (fmt != "*" && std::find(std::begin(kFormats), std::end(kFormats), fmt) == std::end(kFormats))
                return usage_error(ctx, "--trust-anchor: '" + fmt +
                                            "' is not an attestation format (packed, tpm, android-key, android-safetynet, "
                                            "fido-u2f, apple, none, or '*' for every one)");
            if (fmt == "*") fmt.clear();
            // The anchors are what the command was told to trust: one that does not load is bad usage.
            if (auto st = cfg_.trust_anchors.add_pem_file(fmt, a.substr(colon + 1)); !st) {
                report(ctx, st.error(), "--trust-anchor " + a);
                return kExitUsage;
            }
        }
        if (!mds_file_.empty()) {
            auto root = read_text_input(ctx, mds_root_file_, kMaxResponseJson);
            if (!root) return report(ctx, root.error(), "--mds-root");
            if (auto st = cfg_.trust_anchors.load_mds_blob_file(mds_file_, *root, cfg_.now); !st) {
                report(ctx, st.error(), "--mds " + mds_file_);
                return kExitUsage;
            }
        }
        if (auto st = cfg_.validate(); !st) return report(ctx, st.error(), "configuration");
        auto challenge = base64_decode(challenge_, Base64Mode::lenient);
        if (!challenge) return report(ctx, challenge.error(), "--challenge");
        // A challenge of the wrong size is a typo on the command line, not a mismatch with the response.
        if (challenge->size() < kMinChallengeLength || challenge->size() > kMaxChallengeLength)
            return usage_error(ctx, "--challenge: decodes to " + std::to_string(challenge->size()) + " bytes; a challenge is " +
                                        std::to_string(kMinChallengeLength) + ".." + std::to_string(kMaxChallengeLength));
        Bytes handle;
        if (!user_handle_.empty()) {
            auto h = base64_decode(user_handle_, Base64Mode::lenient);
            if (!h) return report(ctx, h.error(), "--user-handle");
            handle = std::move(*h);
        }
        auto input = read_text_input(ctx, input_, kMaxResponseJson);
        if (!input) return report(ctx, input.error(), input_.empty() ? "stdin" : input_);
        return reg_->parsed() ? registration(ctx, *input, std::move(*challenge), std::move(handle))
                              : authentication(ctx, *input, std::move(*challenge), std::move(handle));
    }

private:
    int failed(Context& ctx, const Error& e) {
        if (json_) {
            nlohmann::json j = {{"ok", false},
                                {"error", std::string(errc_name(e.code))},
                                {"code", static_cast<int>(e.code)},
                                {"message", e.to_string()}};
            ctx.out << j.dump(2) << '\n';
            return exit_code_for(e.code);
        }
        return report(ctx, e, "verification failed");
    }

    int finish(Context& ctx, const CredentialRecord& rec, const std::string& result) {
        auto j = nlohmann::json::parse(result);
        if (!record_out_.empty()) {
            if (auto st = write_file_atomic(record_out_, as_bytes(to_json(rec) + "\n")); !st) return report(ctx, st.error(), "--record-out");
        }
        if (json_) {
            j["ok"] = true;
            j["record"] = nlohmann::json::parse(to_json(rec));
            ctx.out << j.dump(2) << '\n';
        } else {
            for (auto it = j.begin(); it != j.end(); ++it)
                ctx.out << it.key() << ": " << (it->is_string() ? it->get<std::string>() : it->dump()) << '\n';
            if (record_out_.empty()) ctx.out << "record: " << to_json(rec) << '\n';
        }
        return kExitOk;
    }

    int registration(Context& ctx, const std::string& input, Bytes challenge, Bytes handle) {
        // `mfa token --json register` prints {"challenge", "userId", "origin", "credential"}: the
        // response with the options it was made for. The user handle is taken from there, so that
        // the record owns the resident key's discoverable logins without --user-handle.
        // Anything else (malformed JSON included) goes to verify_registration as it is, which names the problem.
        std::string text = input;
        if (auto j = json::parse(input, {.what = "registration", .max_bytes = kMaxResponseJson});
            j && j->is_object() && j->contains("credential") && (*j)["credential"].is_object()) {
            text = (*j)["credential"].dump();
            if (j->contains("userId") && (*j)["userId"].is_string()) {
                auto id = base64_decode((*j)["userId"].get<std::string>(), Base64Mode::lenient);
                if (!id) return usage_error(ctx, "userId of the registration: " + id.error().to_string());
                if (!handle.empty() && handle != *id)
                    return usage_error(ctx, "--user-handle differs from the userId the registration was made with");
                handle = std::move(*id);
            }
        }
        RegistrationExpectation ex;
        ex.challenge = std::move(challenge);
        ex.user_handle = std::move(handle);
        auto r = verify_registration(cfg_, text, ex);
        if (!r) return failed(ctx, r.error());
        return finish(ctx, r->record, result_json(*r));
    }

    int authentication(Context& ctx, const std::string& text, Bytes challenge, Bytes handle) {
        std::ifstream f(record_path_, std::ios::binary);
        if (!f) return usage_error(ctx, "--record: cannot read " + record_path_);
        const std::string rec_text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        auto rec = record_from_json(rec_text);
        if (!rec) return report(ctx, rec.error(), "--record");
        AuthenticationExpectation ex;
        ex.challenge = std::move(challenge);
        if (!discoverable_) ex.user_handle = handle.empty() ? rec->user_handle : handle;
        auto r = verify_authentication(cfg_, text, *rec, ex);
        if (!r) {
            const int rc = failed(ctx, r.error());
            if (r.code() == Errc::webauthn_user_handle && rec->user_handle.empty() && !json_)
                ctx.err << "mfa: the record has no user handle: register with --user-handle (or pass the whole "
                           "`mfa token --json register` output, which carries it)\n";
            return rc;
        }
        return finish(ctx, r->record, result_json(*r));
    }

    RpConfig cfg_;
    CLI::App* reg_ = nullptr;
    CLI::App* auth_ = nullptr;
    std::string input_, challenge_, user_handle_, record_out_, record_path_, counter_policy_ = "error";
    std::string backup_eligible_ = "allowed", backup_state_ = "allowed", token_binding_ = "check", token_binding_id_;
    std::string mds_file_, mds_root_file_;
    std::optional<std::int64_t> safetynet_max_age_;
    bool reject_sha1_ = false, android_tee_ = false, safetynet_no_cts_ = false, allow_mds_compromised_ = false;
    std::vector<std::string> top_origins_, anchors_;
    std::vector<int> algs_;
    std::optional<std::int64_t> now_;
    bool require_uv_ = false, no_up_ = false, json_ = false, require_trusted_ = false, allow_rs1_ = false;
    bool discoverable_ = false;
};

}  // namespace

static const Registration kWebauthn{
    {"webauthn", "Verify WebAuthn registration and authentication responses (relying party)",
     "Examples:\n"
     "  mfa webauthn verify-registration reg.json --rp-id example.com --origin https://example.com \\\n"
     "      --challenge <b64url> --user-handle <b64url> --record-out cred.json\n"
     "  mfa webauthn verify-authentication assertion.json --rp-id example.com --origin https://example.com \\\n"
     "      --challenge <b64url> --record cred.json --record-out cred.json --json\n",
     60, [] { return std::make_unique<WebauthnCommand>(); }}};

}  // namespace mfa::app

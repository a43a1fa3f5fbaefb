// Toolkit internals shared by its source files: the factor cache, the dummies that make unknown
// users cost the same, and the store keys.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "mfa/server/toolkit.hpp"
#include "mfa/webauthn/record.hpp"

namespace mfa::server {

// A TOTP factor as last read from the store: the exact record bytes (the guard the attempt checks,
// so a removed or replaced factor is never verified from a stale copy) and the ready Otp.
struct CachedFactor {
    std::optional<Bytes> record;
    std::optional<Otp> otp;
    unsigned look_ahead = kHotpLookAhead;  // HOTP: codes accepted after the next counter
};

struct Toolkit::Impl {
    std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<const CachedFactor>> cache;
    std::optional<Otp> dummy_otp;        // verified for users without a factor
    std::once_flag dummy_phc_once;
    std::string dummy_phc;               // verified for unknown users' passwords
    // Verified (and failing) for an assertion whose user handle or credential id names no key:
    // the same signature work as a real key.
    std::optional<webauthn::CredentialRecord> dummy_credential;

    std::shared_ptr<const CachedFactor> cached(const std::string& user) {
        std::lock_guard lock(mu);
        auto it = cache.find(user);
        return it == cache.end() ? nullptr : it->second;
    }
    void remember(const std::string& user, std::shared_ptr<const CachedFactor> f, std::size_t capacity) {
        std::lock_guard lock(mu);
        if (cache.size() >= capacity && !cache.empty()) cache.erase(cache.begin());  // bounded; any victim
        cache[user] = std::move(f);
    }
    void forget(const std::string& user) {
        std::lock_guard lock(mu);
        cache.erase(user);
    }
};

// Every key of one user sits in one Redis Cluster hash slot: the escaped user name is the hash tag
// ("{<user>}"; user_key_part escapes '{' and '}'), so each attempt() script touches one slot. The
// keys by credential id, token id, user handle, challenge or organization are single-key records,
// each in its own slot; the audit chain has one tag of its own (audit.cpp).
namespace keys {
inline std::string tag(const std::string& u) { return "{" + u + "}"; }
inline const std::string kTotpPrefix = "mfa:totp:";
inline std::string totp(const std::string& u) { return kTotpPrefix + tag(u); }
// The user key part of a totp() key (rewrap walks them); nullopt for anything else.
inline std::optional<std::string> totp_user(const std::string& key) {
    if (key.size() < kTotpPrefix.size() + 3 || key.compare(0, kTotpPrefix.size() + 1, kTotpPrefix + "{") != 0 || key.back() != '}')
        return std::nullopt;
    return key.substr(kTotpPrefix.size() + 1, key.size() - kTotpPrefix.size() - 2);
}
inline std::string totp_pending(const std::string& u) { return "mfa:totp-pending:" + tag(u); }
inline std::string totp_last(const std::string& u) { return "mfa:totp-last:" + tag(u); }
inline std::string thr_pwd(const std::string& u) { return "mfa:thr:pwd:" + tag(u); }
inline std::string thr_2fa(const std::string& u) { return "mfa:thr:2fa:" + tag(u); }
inline std::string rc_set(const std::string& u) { return "mfa:rc:" + tag(u) + ":set"; }
inline std::string rc_prefix(const std::string& u, const std::string& set) { return "mfa:rc:" + tag(u) + ":" + set + ":"; }
inline std::string token(const std::string& id) { return "mfa:tok:" + id; }
inline std::string token_index(const std::string& u) { return "mfa:tokidx:" + tag(u) + ":"; }
inline std::string wa_prefix(const std::string& u) { return "mfa:wa:" + tag(u) + ":"; }
inline std::string wa_cred(const std::string& u, const std::string& id_hash) { return wa_prefix(u) + id_hash; }
inline std::string wa_index(const std::string& id_hash) { return "mfa:wa-id:" + id_hash; }
inline std::string wa_user_handle(const std::string& u) { return "mfa:wa-uh:" + tag(u); }
inline std::string wa_handle_owner(const std::string& handle_b64) { return "mfa:wa-uhx:" + handle_b64; }
inline std::string wa_challenge(const std::string& u, const std::string& chal) { return "mfa:wa-chal:" + tag(u) + ":" + chal; }
inline std::string wa_discoverable_challenge(const std::string& chal) { return "mfa:wa-dchal:" + chal; }
inline std::string thr_2fa_handle(const std::string& handle_b64) { return "mfa:thr:2fa-uh:" + handle_b64; }
inline std::string policy(const std::string& org) { return "mfa:policy:" + org; }
}  // namespace keys

namespace detail {
// The OTP check of a factor (totp_factor.cpp): TOTP within the window, or HOTP for an assigned
// hardware token or an imported HOTP secret from the counter after the last accepted one, up to
// look_ahead codes further (hwtoken.cpp resyncs it).
Result<std::uint64_t> hotp_next_counter(store::Store& s, const std::string& ukey, std::uint64_t token_counter);
Result<TotpVerification> check_code(store::Store& s, const std::string& ukey, const Otp& otp, std::string_view code,
                                    std::int64_t now, Window window, unsigned look_ahead);
}  // namespace detail

}  // namespace mfa::server

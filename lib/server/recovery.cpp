// Recovery codes: N codes of 25 Crockford base32 characters (125 bits, shown as five groups of
// five), kept only as SHA-256 (NIST SP 800-63B-4 §3.1.2.2: look-up secrets of at least 112 bits may
// be stored under an approved hash), each consumed by one atomic attempt (delete-if-present).
#include "admin_keys.hpp"
#include <openssl/evp.h>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server {
namespace {

constexpr std::size_t kCodeChars = 25;
constexpr std::size_t kScratchDigits = 8;  // google-authenticator-libpam's scratch codes (imported)

bool is_scratch_code(std::string_view in) {
    if (in.size() != kScratchDigits) return false;
    for (char c : in)
        if (c < '0' || c > '9') return false;
    return true;
}

// Lower case, without '-' and spaces (their positions are the code's layout, not its value),
// look-alikes read as Crockford does. nullopt for anything else or the wrong length.
// An imported scratch code is its 8 digits as they are: no generated code has 8 characters, so the
// two kinds never collide.
std::optional<SecretString> normalise(std::string_view in) {
    if (in.size() > 64) return std::nullopt;
    if (is_scratch_code(in)) return SecretString(in);
    SecretString out;
    std::uint32_t bad = 0;
    for (char c : in) {
        if (c == '-' || c == ' ') continue;
        const std::uint32_t v = crockford_value(static_cast<unsigned char>(c));
        bad |= 0u - (v >> 5);
        out.push_back(crockford_char(v & 31u));
    }
    if (ct_value_barrier(bad) != 0 || out.size() != kCodeChars) return std::nullopt;
    return out;
}

std::string code_hash(std::string_view normalised) {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(normalised.data(), normalised.size(), md, &len, EVP_sha256(), nullptr);
    return hex_encode({md, 32});
}

}  // namespace

Result<std::vector<SecretString>> Toolkit::recovery_generate(std::string_view user, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    MFA_TRY(check_active(*u));
    Bytes set_raw(8);
    MFA_TRY(random_fill(set_raw));
    const std::string set = hex_encode(set_raw);
    std::vector<SecretString> codes;
    for (unsigned i = 0; i < cfg_.recovery_codes; ++i) {
        SecretString plain, shown;
        for (std::size_t k = 0; k < kCodeChars; ++k) {
            auto r = random_uniform(32);
            if (!r) return std::move(r).error();
            const char c = crockford_char(*r);
            plain.push_back(c);
            if (k > 0 && k % 5 == 0) shown.push_back('-');
            shown.push_back(c);
        }
        MFA_TRY(store_->put(keys::rc_prefix(*u, set) + code_hash(plain.view()), ByteView{}));
        codes.push_back(std::move(shown));
    }
    // Switch to the new set, then delete the old one: from the switch on, old codes cannot match
    // (their keys carry the old set id) even if a deletion is interrupted.
    auto old = store_->get(keys::rc_set(*u));
    if (!old) return std::move(old).error();
    MFA_TRY(store_->put(keys::rc_set(*u), as_bytes(set)));
    if (old->has_value()) {
        auto stale = store_->keys(keys::rc_prefix(*u, std::string(as_chars(**old))));
        if (!stale) return std::move(stale).error();
        for (const auto& k : *stale) {
            auto e = store_->erase(k);
            if (!e) return std::move(e).error();
        }
    }
    MFA_TRY(record("recovery.generated", user, std::to_string(codes.size()) + " codes; any earlier set is void", ctx));
    return codes;
}

Status Toolkit::recovery_import(std::string_view user, const std::vector<SecretString>& codes, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    MFA_TRY(check_active(*u));
    if (codes.size() > kMaxRecoveryCodes)
        return {Errc::invalid_argument, "more than " + std::to_string(kMaxRecoveryCodes) + " recovery codes"};
    for (std::size_t i = 0; i < codes.size(); ++i)
        if (!is_scratch_code(codes[i].view()))
            return {Errc::invalid_argument, "recovery code " + std::to_string(i + 1) + " is not 8 decimal digits"};
    auto current = store_->get(keys::rc_set(*u));
    if (!current) return std::move(current).error();
    std::string set;
    if (current->has_value()) {
        set = std::string(as_chars(**current));
    } else {
        Bytes set_raw(8);
        MFA_TRY(random_fill(set_raw));
        set = hex_encode(set_raw);
    }
    // The codes first, then the set id: a set id never names a set whose codes are half written.
    for (const auto& c : codes) MFA_TRY(store_->put(keys::rc_prefix(*u, set) + code_hash(c.view()), ByteView{}));
    if (!current->has_value()) {
        auto created = store_->put_if_absent(keys::rc_set(*u), as_bytes(set));
        if (!created) return std::move(created).error();
        if (!*created) return {Errc::store_conflict, "recovery codes were generated concurrently; import again"};
    }
    return record("recovery.imported", user, std::to_string(codes.size()) + " codes", ctx);
}

Result<VerifyResult> Toolkit::recovery_use(std::string_view user, std::string_view code, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (auto active = check_active(*u); !active) return refused_inactive(active);
    auto set = store_->get(keys::rc_set(*u));
    if (!set) return std::move(set).error();
    auto norm = normalise(code);
    // Unknown users and malformed codes go through the same attempt, with a key that cannot exist.
    const std::string set_id = set->has_value() ? std::string(as_chars(**set)) : "none";
    const std::string hash = code_hash(norm ? norm->view() : std::string_view("-"));
    store::AttemptRequest q;
    q.throttle_key = keys::thr_2fa(*u);
    q.rule = cfg_.throttle;
    q.now = now();
    q.success = norm.has_value();
    q.consume_key = keys::rc_prefix(*u, set_id) + hash;
    auto a = store_->attempt(q);
    if (!a) return std::move(a).error();
    VerifyResult r = finish(*a, user, "recovery", ctx);
    if (r.status == Errc::otp_code_mismatch) r.status = Errc::recovery_code_invalid;
    if (r.ok()) {
        r.amr = amr_for(FactorType::recovery_code);
        auto left = recovery_remaining(user);
        MFA_TRY(record("recovery.used", user, left ? std::to_string(*left) + " codes left" : "", ctx));
    }
    return r;
}

Result<std::size_t> Toolkit::recovery_remaining(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    auto set = store_->get(keys::rc_set(*u));
    if (!set) return std::move(set).error();
    if (!set->has_value()) return std::size_t{0};
    auto k = store_->keys(keys::rc_prefix(*u, std::string(as_chars(**set))));
    if (!k) return std::move(k).error();
    return k->size();
}

}  // namespace mfa::server

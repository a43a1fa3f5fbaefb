// API tokens: created once (the caller sees the token a single time), stored as SHA-256 under the
// token id, verified by a constant-time comparison of the hash, listed and revoked per user.
#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/server/api_token.hpp"
#include "records.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server {
namespace {

constexpr std::size_t kMaxScopes = 64;
constexpr std::size_t kMaxTokenName = 256;

Status check_scope(std::string_view s) {
    if (s.empty() || s.size() > 64) return {Errc::invalid_argument, "a scope is 1..64 characters"};
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '.' ||
              c == '_' || c == '-'))
            return {Errc::invalid_argument, "scope '" + std::string(s) + "' has a character outside [A-Za-z0-9:._-]"};
    return {};
}

}  // namespace

Result<CreatedToken> Toolkit::token_create(std::string_view user, std::string_view name, std::vector<std::string> scopes,
                                           std::int64_t expires, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (name.empty() || name.size() > kMaxTokenName) return Error{Errc::invalid_argument, "token name must be 1..256 bytes"};
    if (scopes.size() > kMaxScopes) return Error{Errc::invalid_argument, "at most 64 scopes"};
    for (const auto& s : scopes) MFA_TRY(check_scope(s));
    const auto t = now();
    if (expires != 0 && expires <= t) return Error{Errc::invalid_argument, "expiry is in the past"};
    MFA_TRY(check_active(*u));
    // The owner's organization's maximum lifetime: refused rather than capped, so the caller never
    // holds a token that lives shorter than it asked for without knowing.
    auto max_life = token_lifetime_limit(user);
    if (!max_life) return std::move(max_life).error();
    if (*max_life > 0 && (expires == 0 || expires - t > *max_life))
        return Error{Errc::token_lifetime, "the organization allows tokens of at most " + std::to_string(*max_life / 86400) +
                                               " days (" + std::to_string(*max_life) + " s): set an expiry before " +
                                               utc_time(t + *max_life)};
    for (int round = 0; round < 8; ++round) {
        auto token = generate_api_token(cfg_.token_prefix);
        if (!token) return std::move(token).error();
        auto parsed = parse_api_token(token->view(), cfg_.token_prefix);
        if (!parsed) return std::move(parsed).error();
        detail::TokenRecord rec;
        rec.info.id = parsed->id;
        rec.info.user = std::string(user);
        rec.info.name = std::string(name);
        rec.info.scopes = scopes;
        rec.info.created = t;
        rec.info.expires = expires;
        rec.hash = api_token_hash(token->view());
        // Ids are random (47 bits): a collision is retried rather than overwritten.
        auto created = store_->put_if_absent(keys::token(rec.info.id), as_bytes(detail::token_record_json(rec)));
        if (!created) return std::move(created).error();
        if (!*created) continue;
        MFA_TRY(store_->put(keys::token_index(*u) + rec.info.id, ByteView{}));
        rec.info.id = parsed->id;
        MFA_TRY(record("token.created", user, "id " + rec.info.id + " '" + rec.info.name + "'", ctx));
        return CreatedToken{std::move(*token), std::move(rec.info)};
    }
    return Error{Errc::store_conflict, "could not find a free token id"};
}

Result<TokenInfo> Toolkit::token_verify(std::string_view token, const RequestContext& ctx) {
    auto parsed = parse_api_token(token, cfg_.token_prefix);
    if (!parsed) return std::move(parsed).error();
    auto raw = store_->get(keys::token(parsed->id));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return Error{Errc::token_invalid, "unknown or revoked token"};
    auto rec = detail::parse_token_record(as_chars(**raw));
    if (!rec) return std::move(rec).error();
    if (!ct_equal(api_token_hash(token), rec->hash)) return Error{Errc::token_invalid, "unknown or revoked token"};
    const auto t = now();
    if (rec->info.expires != 0 && t >= rec->info.expires) return Error{Errc::token_expired, "expired at " + utc_time(rec->info.expires)};
    auto owner = user_key_part(rec->info.user);
    if (!owner) return Error{Errc::store_corrupt, "token record names an invalid user"};
    MFA_TRY(check_active(*owner));
    // A maximum lifetime set after the token was made applies to it as well.
    auto max_life = token_lifetime_limit(rec->info.user);
    if (!max_life) return std::move(max_life).error();
    if (*max_life > 0 && t >= rec->info.created + *max_life)
        return Error{Errc::token_expired, "older than the organization's maximum token lifetime (expired at " +
                                              utc_time(rec->info.created + *max_life) + ")"};
    // Last use, to the minute (and each new source address): a compare-and-set so a concurrent
    // revoke is not undone.
    const std::string ip = ctx.source_ip.substr(0, 64);
    if (t - rec->info.last_used >= 60 || ip != rec->info.last_ip) {
        auto updated = *rec;
        updated.info.last_used = t;
        updated.info.last_ip = ip;
        auto cas = store_->compare_and_set(keys::token(parsed->id), ByteView(**raw),
                                           as_bytes(detail::token_record_json(updated)));
        if (!cas) return std::move(cas).error();
        if (*cas) {
            rec->info.last_used = t;
            rec->info.last_ip = ip;
        }
    }
    rec->info.id = parsed->id;
    return rec->info;
}

Result<std::vector<TokenInfo>> Toolkit::token_list(std::string_view user) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    const std::string prefix = keys::token_index(*u);
    auto ids = store_->keys(prefix);
    if (!ids) return std::move(ids).error();
    std::vector<TokenInfo> out;
    for (const auto& k : *ids) {
        const std::string id = k.substr(prefix.size());
        auto raw = store_->get(keys::token(id));
        if (!raw) return std::move(raw).error();
        if (!raw->has_value()) continue;
        auto rec = detail::parse_token_record(as_chars(**raw));
        if (!rec) return std::move(rec).error();
        if (rec->info.user != user) continue;
        rec->info.id = id;
        out.push_back(std::move(rec->info));
    }
    return out;
}

Status Toolkit::token_revoke(std::string_view user, std::string_view id, const RequestContext& ctx) {
    auto u = user_key_part(user);
    if (!u) return std::move(u).error();
    if (id.size() != kTokenIdChars) return {Errc::invalid_argument, "a token id is 8 characters"};
    const std::string sid(id);
    auto raw = store_->get(keys::token(sid));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return {Errc::token_invalid, "no token " + sid};
    auto rec = detail::parse_token_record(as_chars(**raw));
    if (!rec) return std::move(rec).error();
    if (rec->info.user != user) return {Errc::token_invalid, "no token " + sid + " for this user"};
    auto e = store_->erase(keys::token(sid));
    if (!e) return std::move(e).error();
    auto ie = store_->erase(keys::token_index(*u) + sid);
    if (!ie) return std::move(ie).error();
    return record("token.revoked", user, "id " + sid, ctx);
}

}  // namespace mfa::server

// API keys as an organization sees them: every token of its members, revocation by id, and the
// organization's maximum token lifetime (enforced at creation and at every verification, so a
// tightened policy also applies to the tokens made before it).
#include <algorithm>

#include "admin_keys.hpp"
#include "mfa/server/api_token.hpp"
#include "records.hpp"

namespace mfa::server {

Result<std::int64_t> Toolkit::token_lifetime_limit(std::string_view user) {
    auto org = org_of(user);
    if (!org) return std::move(org).error();
    if (!org->has_value()) return std::int64_t{0};
    auto p = policy(**org);
    if (!p) return std::move(p).error();
    return p->token_max_lifetime;
}

Result<std::vector<TokenInfo>> Toolkit::org_tokens(std::string_view org) {
    auto members = org_members(org);
    if (!members) return std::move(members).error();
    std::vector<TokenInfo> out;
    for (const auto& m : *members) {
        auto l = token_list(m.user);
        if (!l) return std::move(l).error();
        for (auto& t : *l) out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(), [](const TokenInfo& a, const TokenInfo& b) {
        return a.created != b.created ? a.created > b.created : a.id < b.id;  // newest first
    });
    return out;
}

Status Toolkit::revoke_token(std::string_view id, std::string_view org, const RequestContext& ctx) {
    if (id.size() != kTokenIdChars) return {Errc::invalid_argument, "a token id is 8 characters"};
    auto raw = store_->get(keys::token(std::string(id)));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return {Errc::token_invalid, "no token " + std::string(id)};
    auto rec = detail::parse_token_record(as_chars(**raw));
    if (!rec) return std::move(rec).error();
    if (!org.empty()) {
        auto owner_org = org_of(rec->info.user);
        if (!owner_org) return std::move(owner_org).error();
        // The same answer as an unknown id: an org admin learns nothing about other organizations.
        if (!owner_org->has_value() || **owner_org != org) return {Errc::token_invalid, "no token " + std::string(id)};
    }
    return token_revoke(rec->info.user, id, ctx);
}

}  // namespace mfa::server

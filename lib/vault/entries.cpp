// Accounts in the vault: validation, lookup and the in-memory edits of mfa::Vault.
#include <algorithm>
#include <cctype>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "vault_impl.hpp"

namespace mfa {
using namespace vault_detail;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool contains_ci(std::string_view hay, const std::string& needle_lower) {
    return lower(hay).find(needle_lower) != std::string::npos;
}

Status text_field(std::string_view field, std::string_view value, std::size_t max) {
    if (value.size() > max)
        return Error(Errc::vault_entry, std::string(field) + " longer than " + std::to_string(max) + " bytes");
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7f)
            return Error(Errc::vault_entry, std::string(field) + " contains a control character");
    return {};
}

Result<std::string> new_id() {
    std::uint8_t b[16];
    MFA_TRY(random_fill(b));
    return hex_encode(b);
}

}  // namespace

VaultEntry VaultEntry::clone() const {
    VaultEntry e;
    e.id = id;
    e.account.issuer = account.issuer;
    e.account.name = account.name;
    e.account.secret = account.secret.clone();
    e.account.params = account.params;
    e.account.extra = account.extra;
    e.tags = tags;
    e.note = note;
    e.created = created;
    e.updated = updated;
    return e;
}

std::string VaultEntry::label() const {
    if (account.issuer.empty()) return account.name;
    if (account.name.empty()) return account.issuer;
    return account.issuer + ":" + account.name;
}

Status validate_entry(const VaultEntry& e) {
    if (e.id.size() != 32 || !std::all_of(e.id.begin(), e.id.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        }))
        return Error(Errc::vault_entry, "id must be 32 lower-case hex digits");
    MFA_TRY(text_field("issuer", e.account.issuer, kVaultMaxText));
    MFA_TRY(text_field("name", e.account.name, kVaultMaxText));
    if (e.account.issuer.empty() && e.account.name.empty())
        return Error(Errc::vault_entry, "issuer and name are both empty");
    if (e.note.size() > kVaultMaxNote)
        return Error(Errc::vault_entry, "note longer than " + std::to_string(kVaultMaxNote) + " bytes");
    if (e.tags.size() > kVaultMaxTags) return Error(Errc::vault_entry, "more than " + std::to_string(kVaultMaxTags) + " tags");
    for (const auto& t : e.tags) {
        if (t.empty()) return Error(Errc::vault_entry, "empty tag");
        MFA_TRY(text_field("tag", t, kVaultMaxText));
    }
    if (e.account.extra.size() > kVaultMaxExtra)
        return Error(Errc::vault_entry, "more than " + std::to_string(kVaultMaxExtra) + " extra parameters");
    for (const auto& [k, v] : e.account.extra) {
        MFA_TRY(text_field("extra parameter name", k, kVaultMaxText));
        MFA_TRY(text_field("extra parameter value", v, kVaultMaxText));
    }
    const auto& s = e.account.secret;
    if (s.size() < kMinSecretBytes || s.size() > kMaxSecretBytes)
        return Error(Errc::vault_entry, "secret of " + std::to_string(s.size()) + " bytes (" +
                                            std::to_string(kMinSecretBytes) + ".." + std::to_string(kMaxSecretBytes) + ")");
    const auto& p = e.account.params;
    if (p.digits < kMinDigits || p.digits > kMaxDigits)
        return Error(Errc::vault_entry, "digits " + std::to_string(p.digits) + " (" + std::to_string(kMinDigits) + ".." +
                                            std::to_string(kMaxDigits) + ")");
    if (p.type != OtpType::hotp && (p.period < 1 || p.period > kMaxPeriod))
        return Error(Errc::vault_entry, "period " + std::to_string(p.period) + " (1.." + std::to_string(kMaxPeriod) + ")");
    return {};
}

const std::vector<VaultEntry>& Vault::entries() const noexcept { return impl_->entries; }

const VaultEntry* Vault::find_id(std::string_view id) const noexcept {
    for (const auto& e : impl_->entries)
        if (e.id == id) return &e;
    return nullptr;
}

std::vector<const VaultEntry*> Vault::search(std::string_view query) const {
    std::vector<const VaultEntry*> out;
    if (query.empty()) {
        for (const auto& e : impl_->entries) out.push_back(&e);
        return out;
    }
    const std::string q = lower(query);
    // An exact id or label (case-insensitive) names one entry even when it is a substring of others.
    for (const auto& e : impl_->entries)
        if (e.id == q || lower(e.label()) == q) return {&e};
    for (const auto& e : impl_->entries) {
        bool hit = contains_ci(e.label(), q) || (q.size() >= 4 && e.id.starts_with(q));
        for (const auto& t : e.tags) hit = hit || lower(t) == q;
        if (hit) out.push_back(&e);
    }
    return out;
}

std::vector<const VaultEntry*> Vault::with_tag(std::string_view tag) const {
    std::vector<const VaultEntry*> out;
    const std::string t = lower(tag);
    for (const auto& e : impl_->entries)
        if (std::any_of(e.tags.begin(), e.tags.end(), [&](const std::string& x) { return lower(x) == t; }))
            out.push_back(&e);
    return out;
}

Result<std::string> Vault::add(const Account& account, std::vector<std::string> tags, std::string note) {
    if (impl_->entries.size() >= kVaultMaxAccounts)
        return Error(Errc::limit_exceeded, "a vault holds at most " + std::to_string(kVaultMaxAccounts) + " accounts");
    // The same secret for the same kind of code is the same credential, whatever its label.
    for (const auto& e : impl_->entries)
        if (e.account.params.type == account.params.type && ct_equal(e.account.secret.view(), account.secret.view()))
            return Error(Errc::vault_duplicate, "same secret as " + e.label() + " (" + e.id + ")");
    VaultEntry e;
    auto id = new_id();
    if (!id) return std::move(id).error();
    e.id = *id;
    e.account.issuer = account.issuer;
    e.account.name = account.name;
    e.account.secret = account.secret.clone();
    e.account.params = account.params;
    e.account.extra = account.extra;
    e.tags = std::move(tags);
    e.note = std::move(note);
    e.created = e.updated = now_from(impl_->opts);
    MFA_TRY(validate_entry(e));
    impl_->entries.push_back(std::move(e));
    return impl_->entries.back().id;
}

Status Vault::update(VaultEntry entry) {
    for (auto& e : impl_->entries) {
        if (e.id != entry.id) continue;
        entry.created = e.created;
        entry.updated = now_from(impl_->opts);
        MFA_TRY(validate_entry(entry));
        e = std::move(entry);
        return {};
    }
    return Error(Errc::not_found, "no account with id " + entry.id);
}

Status Vault::remove(std::string_view id) {
    auto& v = impl_->entries;
    auto it = std::find_if(v.begin(), v.end(), [&](const VaultEntry& e) { return e.id == id; });
    if (it == v.end()) return Error(Errc::not_found, "no account with id " + std::string(id));
    v.erase(it);
    return {};
}

}  // namespace mfa

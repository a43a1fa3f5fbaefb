// Adding an import to a vault: one place for the duplicate and roll-back rules that the app and the
// C ABI share.
#include <algorithm>

#include "mfa/vault_import.hpp"

namespace mfa {

Result<ImportAdded> add_imported(Vault& vault, const ImportResult& imported, const std::vector<std::string>& extra_tags) {
    ImportAdded out;
    for (const auto& a : imported.accounts) {
        std::vector<std::string> tags = a.tags;
        for (const auto& t : extra_tags)
            if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
        const std::string label = a.account.issuer.empty() ? a.account.name : a.account.issuer + ":" + a.account.name;
        auto id = vault.add(a.account, std::move(tags), a.note);
        if (id) {
            out.added.push_back({std::move(*id), label});
            continue;
        }
        if (id.code() == Errc::vault_duplicate) {
            out.duplicates.push_back(label + " (" + id.error().detail + ")");
            continue;
        }
        // Removing entries this call just added cannot fail for a reason the caller could act on.
        for (const auto& done : out.added) (void)vault.remove(done.id);
        Error e = std::move(id).error();
        e.detail = label + ": " + e.detail;
        return e;
    }
    return out;
}

}  // namespace mfa

// OTP URI lists: one otpauth:// or otpauth-migration:// URI a line, in; canonical otpauth:// URIs,
// built in wiped memory (SecretString), out.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "mfa/vault_import.hpp"

namespace mfa {

namespace {

// The QR codes (batch indexes) seen of each Google Authenticator export, to tell what is missing.
struct BatchesSeen {
    std::int32_t size = 0;
    std::set<std::int32_t> indexes;
};

std::vector<std::string> missing_batches(const std::map<std::int32_t, BatchesSeen>& seen) {
    std::vector<std::string> out;
    for (const auto& [id, b] : seen) {
        std::vector<std::string> missing;
        for (std::int32_t i = 0; i < b.size; ++i)
            if (!b.indexes.contains(i)) missing.push_back(std::to_string(i + 1));
        if (missing.empty()) continue;
        std::string list;
        for (std::size_t i = 0; i < missing.size(); ++i) list += (i == 0 ? "" : ", ") + missing[i];
        out.push_back("Google Authenticator export " + std::to_string(id) + ": QR code" + (missing.size() > 1 ? "s " : " ") +
                      list + " of " + std::to_string(b.size) + (missing.size() > 1 ? " are" : " is") +
                      " missing (its accounts were not read: import it too)");
    }
    return out;
}

}  // namespace

Result<ImportResult> import_uri_list(std::string_view text, const ImportOptions& opts) {
    if (text.size() > kImportMaxBytes) return Error(Errc::limit_exceeded, "URI list larger than " + std::to_string(kImportMaxBytes) + " bytes");
    ImportResult out;
    out.format = ImportFormat::uri_list;
    std::map<std::int32_t, BatchesSeen> batches;
    std::optional<Error> first_invalid;
    std::size_t from_uris = 0;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        if (line.empty() || line.front() == '#') continue;
        const std::string where = "line " + std::to_string(line_no);
        std::vector<Account> read;
        Status st;
        if (line.starts_with("otpauth-migration:")) {
            auto batch = parse_migration_uri(line, {opts.issuer_policy});
            if (batch) {
                auto& seen = batches[batch->batch_id];
                seen.size = std::max(seen.size, batch->batch_size);
                seen.indexes.insert(batch->batch_index);
                read = std::move(batch->accounts);
            } else {
                st = std::move(batch).error();
            }
        } else if (auto a = parse_otpauth_uri(line, {opts.issuer_policy}); a) {
            read.push_back(std::move(*a));
            ++from_uris;
        } else {
            st = std::move(a).error();
        }
        if (!st) {
            Error e(st.error().code, where + ": " + st.error().detail);
            if (!opts.skip_invalid) return e;
            out.invalid.push_back(where + ": " + st.error().to_string());
            if (!first_invalid) first_invalid = std::move(e);
            continue;
        }
        for (auto& a : read) out.accounts.push_back({std::move(a), {}, {}});
        if (out.accounts.size() > kImportMaxAccounts) return Error(Errc::limit_exceeded, where + ": too many accounts");
    }
    if (out.accounts.empty() && first_invalid) return std::move(*first_invalid);
    if (!out.accounts.empty() && from_uris == 0) out.format = ImportFormat::google_migration;
    out.warnings = missing_batches(batches);
    return out;
}

Result<SecretString> export_uri_list(const std::vector<const VaultEntry*>& entries) {
    SecretString out;
    for (const auto* e : entries) {
        auto uri = format_otpauth_uri(e->account);
        if (!uri) return Error(uri.code(), e->label() + ": " + uri.error().detail);
        out.append(uri->view());
        out.push_back('\n');
    }
    return out;
}

}  // namespace mfa

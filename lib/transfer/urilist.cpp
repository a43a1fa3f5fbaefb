// OTP URI lists: one otpauth:// or otpauth-migration:// URI a line, in; canonical otpauth:// URIs,
// built in wiped memory (SecretString), out.
#include "mfa/vault_import.hpp"

namespace mfa {

Result<ImportResult> import_uri_list(std::string_view text, const UriParseOptions& opts) {
    if (text.size() > kImportMaxBytes) return Error(Errc::limit_exceeded, "URI list larger than " + std::to_string(kImportMaxBytes) + " bytes");
    ImportResult out;
    out.format = ImportFormat::uri_list;
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
        if (line.starts_with("otpauth-migration:")) {
            auto batch = parse_migration_uri(line);
            if (!batch) return Error(batch.code(), where + ": " + batch.error().detail);
            for (auto& a : batch->accounts) out.accounts.push_back({std::move(a), {}, {}});
        } else {
            auto a = parse_otpauth_uri(line, opts);
            if (!a) return Error(a.code(), where + ": " + a.error().detail);
            out.accounts.push_back({std::move(*a), {}, {}});
        }
        if (out.accounts.size() > kImportMaxAccounts) return Error(Errc::limit_exceeded, where + ": too many accounts");
    }
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

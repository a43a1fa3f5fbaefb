// Choosing among the import formats: by name, and by recognising the content.
#include "json.hpp"

namespace mfa {
using namespace vault_detail;

std::string_view to_string(ImportFormat f) noexcept {
    switch (f) {
        case ImportFormat::uri_list: return "otpauth URI list";
        case ImportFormat::aegis: return "Aegis (plain)";
        case ImportFormat::aegis_encrypted: return "Aegis (encrypted)";
        case ImportFormat::twofas: return "2FAS";
        case ImportFormat::andotp: return "andOTP";
        case ImportFormat::twofas_encrypted: return "2FAS (encrypted)";
        case ImportFormat::andotp_encrypted: return "andOTP (encrypted)";
        case ImportFormat::andotp_encrypted_old: return "andOTP (encrypted, 0.6.2 or older)";
        case ImportFormat::google_migration: return "Google Authenticator export";
    }
    return "unknown";
}

bool needs_password(ImportFormat f) noexcept {
    return f == ImportFormat::aegis_encrypted || f == ImportFormat::twofas_encrypted || f == ImportFormat::andotp_encrypted ||
           f == ImportFormat::andotp_encrypted_old;
}

namespace {

constexpr std::string_view kSupported =
    "mfa imports otpauth URI lists, Google Authenticator QR codes and otpauth-migration URIs, Aegis, 2FAS and "
    "andOTP exports (export otpauth URIs from that app and import those)";

// Exports of apps mfa does not read, told by the members their apps write, so that the error can
// say what the file is instead of blaming the nearest supported format.
std::string_view other_app(const Json& j) {
    auto has = [](const Json& o, std::string_view k) { return o.is_object() && o.contains(k); };
    if (j.is_object()) {
        if (has(j, "tokens") && has(j, "tokenOrder")) return "a FreeOTP+ JSON backup";
        if (has(j, "items") && has(j, "encrypted")) return "a Bitwarden export";
        if (has(j, "Authenticators")) return "an Authenticator Pro backup";
        if (has(j, "kdfParams") && has(j, "encryptedData")) return "an Ente Auth encrypted export";
        if (has(j, "authenticator_tokens") || has(j, "authy")) return "an Authy export";
        if (has(j, "entries") && j["entries"].is_array() && !j["entries"].empty() && has(j["entries"][0], "content"))
            return "a Proton Authenticator export";
        return {};
    }
    if (j.is_array() && !j.empty() && j[0].is_object()) {
        if (has(j[0], "otpGenerator")) return "a Duo Mobile account list";
        if (has(j[0], "encryptedSeed") || has(j[0], "decryptedSecret")) return "an Authy export";
    }
    return {};
}

}  // namespace

Result<ImportFormat> detect_import_format(ByteView data) {
    std::string_view t = as_chars(data);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n')) t.remove_prefix(1);
    if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);   // a UTF-8 byte-order mark
    if (t.starts_with("otpauth") || t.starts_with("#")) return ImportFormat::uri_list;
    if (t.starts_with("[") || t.starts_with("{")) {
        // Decided by top-level keys (andOTP: the first entry's), without parsing the whole document twice.
        auto j = parse_json(t, "JSON");
        if (!j) return std::move(j).error();
        Wipe wipe{*j};
        if (j->is_array() && (j->empty() || ((*j)[0].is_object() && (*j)[0].contains("secret"))))
            return ImportFormat::andotp;
        if (j->is_object() && j->contains("servicesEncrypted") && !(*j)["servicesEncrypted"].is_null())
            return ImportFormat::twofas_encrypted;
        if (j->is_object() && j->contains("services")) return ImportFormat::twofas;
        if (j->is_object() && j->contains("db") && j->contains("header"))
            return (*j)["db"].is_string() ? ImportFormat::aegis_encrypted : ImportFormat::aegis;
        if (const auto app = other_app(*j); !app.empty())
            return Error(Errc::unsupported, "this looks like " + std::string(app) + ", which mfa cannot read; " +
                                                std::string(kSupported));
        return Error(Errc::unsupported, std::string(j->is_array() ? "a JSON array that is not an andOTP backup"
                                                                  : "a JSON object that is neither an Aegis vault nor a 2FAS backup") +
                                            "; " + std::string(kSupported));
    }
    // Random-looking bytes may be an encrypted andOTP backup, or anything else: only the caller knows.
    for (unsigned char c : t)
        if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
            return Error(Errc::unsupported,
                         "binary data, not an otpauth URI list, Aegis, 2FAS or andOTP export (an encrypted andOTP backup, "
                         "otp_accounts.json.aes, cannot be recognised: its format must be named)");
    return Error(Errc::unsupported, "not an export mfa recognises; " + std::string(kSupported));
}

Result<ImportResult> import_accounts(ByteView data, const SecretString* password, const ImportOptions& opts) {
    auto f = detect_import_format(data);
    if (!f) return std::move(f).error();
    return import_accounts(data, *f, password, opts);
}

Result<ImportResult> import_accounts(ByteView data, ImportFormat format, const SecretString* password,
                                     const ImportOptions& opts) {
    const std::string_view t = as_chars(data);
    switch (format) {
        case ImportFormat::uri_list:
        case ImportFormat::google_migration: return import_uri_list(t, opts);
        case ImportFormat::aegis:
        case ImportFormat::aegis_encrypted: return import_aegis(t, password);
        case ImportFormat::twofas:
        case ImportFormat::twofas_encrypted: return import_2fas(t, password);
        case ImportFormat::andotp: return import_andotp(t);
        case ImportFormat::andotp_encrypted:
        case ImportFormat::andotp_encrypted_old:
            if (password == nullptr) return Error(Errc::invalid_argument, "this andOTP backup is encrypted: a password is needed");
            return format == ImportFormat::andotp_encrypted ? import_andotp_encrypted(data, *password)
                                                            : import_andotp_encrypted_old(data, *password);
    }
    return Error(Errc::internal, "format");
}

}  // namespace mfa

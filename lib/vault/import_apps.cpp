// 2FAS (.2fas) and andOTP exports (their decrypted contents when encrypted: import_encrypted.cpp
// opens those), OTP URI lists, and choosing among the formats.
#include <map>

#include "import_encrypted.hpp"
#include "import_json.hpp"

namespace mfa {
using namespace vault_detail;

namespace {

struct Wipe {
    Json& j;
    ~Wipe() { wipe_json(j); }
};

Result<OtpType> parse_type(const Field& f) {
    auto s = f.str();
    if (!s) return std::move(s).error();
    std::string u = *s;
    for (char& c : u)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (u == "TOTP") return OtpType::totp;
    if (u == "HOTP") return OtpType::hotp;
    if (u == "STEAM") return OtpType::steam;
    return Error(Errc::unsupported, f.path() + ": type " + *s);
}

// Optional string member, "" when absent.
Result<std::string> opt_str(const Field& f, std::string_view key) {
    auto o = f.opt(key);
    if (!o) return std::string();
    return o->str();
}

// Optional unsigned member with a default.
Result<std::uint64_t> opt_uint(const Field& f, std::string_view key, std::uint64_t def, std::uint64_t max) {
    auto o = f.opt(key);
    if (!o) return def;
    return o->uint(max);
}

#define MFA_ASSIGN(var, expr)                        \
    auto var##_r = (expr);                           \
    if (!var##_r) return std::move(var##_r).error(); \
    auto var = std::move(*var##_r)

// The services array of a 2FAS backup (plain, or decrypted from servicesEncrypted).
Status read_2fas_services(const Field& services, std::map<std::string, std::string>& groups, ImportResult& out) {
    if (!services.json().is_array()) return services.bad("not an array");
    if (services.json().size() > kImportMaxAccounts) return services.bad("too many services");
    for (std::size_t i = 0; i < services.json().size(); ++i) {
        Field s(services.json()[i], services.path() + "[" + std::to_string(i) + "]");
        ImportedAccount a;
        MFA_ASSIGN(secret_f, s.at("secret"));
        MFA_ASSIGN(secret, parse_base32_secret(secret_f));
        a.account.secret = std::move(secret);
        MFA_ASSIGN(service_name, opt_str(s, "name"));
        auto otp = s.opt("otp");
        if (!otp) return s.bad("missing otp");
        auto type_f = otp->opt("tokenType");
        if (type_f) {
            auto t = parse_type(*type_f);
            if (!t) {
                if (t.code() != Errc::unsupported) return std::move(t).error();
                out.skipped.push_back(t.error().detail + " is not supported");
                continue;
            }
            a.account.params.type = *t;
        }
        MFA_ASSIGN(issuer, opt_str(*otp, "issuer"));
        MFA_ASSIGN(account, opt_str(*otp, "account"));
        MFA_ASSIGN(label, opt_str(*otp, "label"));
        a.account.issuer = !issuer.empty() ? issuer : service_name;
        a.account.name = !account.empty() ? account : label;
        if (auto alg_f = otp->opt("algorithm")) {
            MFA_ASSIGN(alg, parse_algorithm(*alg_f));
            a.account.params.algorithm = alg;
        }
        MFA_ASSIGN(digits, opt_uint(*otp, "digits", 6, kMaxDigits));
        MFA_ASSIGN(period, opt_uint(*otp, "period", 30, kMaxPeriod));
        MFA_ASSIGN(counter, opt_uint(*otp, "counter", 0, UINT64_MAX));
        a.account.params.digits = a.account.params.type == OtpType::steam ? kSteamDigits : static_cast<unsigned>(digits);
        a.account.params.period = static_cast<std::uint32_t>(period);
        a.account.params.counter = counter;
        if (auto gid = s.opt("groupId"); gid && gid->json().is_string() && groups.count(gid->json().get<std::string>()))
            a.tags.push_back(groups[gid->json().get<std::string>()]);
        MFA_TRY(check_account(a.account, s.path()));
        out.accounts.push_back(std::move(a));
    }
    return {};
}

// The entries array of an andOTP backup (plain, or decrypted).
Status read_andotp_entries(const Field& root, ImportResult& out) {
    if (!root.json().is_array()) return root.bad("not an array");
    if (root.json().size() > kImportMaxAccounts) return root.bad("too many entries");
    for (std::size_t i = 0; i < root.json().size(); ++i) {
        Field e(root.json()[i], root.path() + "[" + std::to_string(i) + "]");
        ImportedAccount a;
        MFA_ASSIGN(type_f, e.at("type"));
        auto t = parse_type(type_f);
        if (!t) {
            if (t.code() != Errc::unsupported) return std::move(t).error();
            out.skipped.push_back(t.error().detail + " is not supported");
            continue;
        }
        a.account.params.type = *t;
        MFA_ASSIGN(secret_f, e.at("secret"));
        MFA_ASSIGN(secret, parse_base32_secret(secret_f));
        a.account.secret = std::move(secret);
        MFA_ASSIGN(issuer, opt_str(e, "issuer"));
        MFA_ASSIGN(label, opt_str(e, "label"));
        a.account.issuer = issuer;
        a.account.name = label;
        if (auto alg_f = e.opt("algorithm")) {
            MFA_ASSIGN(alg, parse_algorithm(*alg_f));
            a.account.params.algorithm = alg;
        }
        MFA_ASSIGN(digits, opt_uint(e, "digits", 6, kMaxDigits));
        MFA_ASSIGN(period, opt_uint(e, "period", 30, kMaxPeriod));
        MFA_ASSIGN(counter, opt_uint(e, "counter", 0, UINT64_MAX));
        a.account.params.digits = a.account.params.type == OtpType::steam ? kSteamDigits : static_cast<unsigned>(digits);
        a.account.params.period = static_cast<std::uint32_t>(period);
        a.account.params.counter = counter;
        if (auto tags = e.opt("tags"); tags && tags->json().is_array())
            for (const auto& tg : tags->json())
                if (tg.is_string() && !tg.get<std::string>().empty()) a.tags.push_back(tg.get<std::string>());
        MFA_TRY(check_account(a.account, e.path()));
        out.accounts.push_back(std::move(a));
    }
    return {};
}

// Decrypted text is parsed without nlohmann's message, which quotes the text around the error and
// could carry a secret into a log.
Result<Json> parse_decrypted(const SecretBytes& plain, const std::string& where) {
    auto j = parse_json(as_chars(plain.view()), where);
    if (!j) return Error(j.code(), where + ": the decrypted text is not valid JSON");
    return j;
}

Result<ImportResult> import_andotp_sealed(ByteView data, const SecretString& password, bool old_format) {
    auto plain = open_andotp(data, password, old_format);
    if (!plain) return std::move(plain).error();
    auto j = parse_decrypted(*plain, "andOTP backup");
    if (!j) return std::move(j).error();
    Wipe wipe{*j};
    ImportResult out;
    out.format = old_format ? ImportFormat::andotp_encrypted_old : ImportFormat::andotp_encrypted;
    MFA_TRY(read_andotp_entries(Field(*j, "$"), out));
    return out;
}

}  // namespace

Result<ImportResult> import_2fas(std::string_view text, const SecretString* password) {
    auto j = parse_json(text, "2FAS JSON");
    if (!j) return std::move(j).error();
    Wipe wipe{*j};
    Field root(*j, "$");
    std::map<std::string, std::string> groups;
    if (auto g = root.opt("groups"); g && g->json().is_array())
        for (const auto& x : g->json())
            if (x.is_object() && x.contains("id") && x.contains("name") && x["id"].is_string() && x["name"].is_string())
                groups[x["id"].get<std::string>()] = x["name"].get<std::string>();
    ImportResult out;
    if (root.opt("servicesEncrypted")) {
        auto plain = open_2fas_services(root, password);
        if (!plain) return std::move(plain).error();
        auto inner = parse_decrypted(*plain, "$.servicesEncrypted");
        if (!inner) return std::move(inner).error();
        Wipe wipe_inner{*inner};
        out.format = ImportFormat::twofas_encrypted;
        MFA_TRY(read_2fas_services(Field(*inner, "$.servicesEncrypted"), groups, out));
        return out;
    }
    MFA_ASSIGN(services, root.at("services"));
    out.format = ImportFormat::twofas;
    MFA_TRY(read_2fas_services(services, groups, out));
    return out;
}

Result<ImportResult> import_andotp(std::string_view text) {
    auto j = parse_json(text, "andOTP JSON");
    if (!j) return std::move(j).error();
    Wipe wipe{*j};
    Field root(*j, "$");
    if (!root.json().is_array()) return root.bad("not an array (an encrypted andOTP backup is not JSON: import it as andOTP encrypted)");
    ImportResult out;
    out.format = ImportFormat::andotp;
    MFA_TRY(read_andotp_entries(root, out));
    return out;
}

Result<ImportResult> import_andotp_encrypted(ByteView data, const SecretString& password) {
    return import_andotp_sealed(data, password, false);
}

Result<ImportResult> import_andotp_encrypted_old(ByteView data, const SecretString& password) {
    return import_andotp_sealed(data, password, true);
}

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
    }
    return "unknown";
}

bool needs_password(ImportFormat f) noexcept {
    return f == ImportFormat::aegis_encrypted || f == ImportFormat::twofas_encrypted || f == ImportFormat::andotp_encrypted ||
           f == ImportFormat::andotp_encrypted_old;
}

Result<ImportFormat> detect_import_format(ByteView data) {
    std::string_view t = as_chars(data);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n')) t.remove_prefix(1);
    if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);   // a UTF-8 byte-order mark
    if (t.starts_with("otpauth") || t.starts_with("#")) return ImportFormat::uri_list;
    if (t.starts_with("[")) return ImportFormat::andotp;
    if (t.starts_with("{")) {
        // Decided by top-level keys, without parsing the whole document twice.
        auto j = parse_json(t, "JSON");
        if (!j) return std::move(j).error();
        Wipe wipe{*j};
        if (j->is_object() && j->contains("servicesEncrypted") && !(*j)["servicesEncrypted"].is_null())
            return ImportFormat::twofas_encrypted;
        if (j->is_object() && j->contains("services")) return ImportFormat::twofas;
        if (j->is_object() && j->contains("db") && j->contains("header"))
            return (*j)["db"].is_string() ? ImportFormat::aegis_encrypted : ImportFormat::aegis;
        return Error(Errc::unsupported, "a JSON object that is neither an Aegis vault nor a 2FAS backup");
    }
    // Random-looking bytes may be an encrypted andOTP backup, or anything else: only the caller knows.
    for (unsigned char c : t)
        if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
            return Error(Errc::unsupported,
                         "binary data, not an otpauth URI list, Aegis, 2FAS or andOTP export (an encrypted andOTP backup, "
                         "otp_accounts.json.aes, cannot be recognised: its format must be named)");
    return Error(Errc::unsupported, "not an otpauth URI list, Aegis, 2FAS or andOTP export");
}

Result<ImportResult> import_accounts(ByteView data, const SecretString* password) {
    auto f = detect_import_format(data);
    if (!f) return std::move(f).error();
    return import_accounts(data, *f, password);
}

Result<ImportResult> import_accounts(ByteView data, ImportFormat format, const SecretString* password) {
    const std::string_view t = as_chars(data);
    switch (format) {
        case ImportFormat::uri_list: return import_uri_list(t);
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

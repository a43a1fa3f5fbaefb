// 2FAS backups (.2fas), plain and password-protected. 2FAS does not document its format; what is
// implemented here is what the app writes and what Aegis reads (beemdevelopment/Aegis, importers/
// TwoFASImporter.java):
//
// 2FAS (twofas/2fas-android BackupRepositoryImpl.kt, core/cipher BackupCipherImpl.kt,
// domain/BackupContent.kt): servicesEncrypted = "B64(ciphertext||tag):B64(salt):B64(iv)", standard
// Base64 with padding; key = PBKDF2-HMAC-SHA256(password, salt, 10000 iterations, 32 bytes);
// AES-256-GCM with the 12-byte IV, no AAD, 16-byte tag appended; the plaintext is the JSON array of
// services. reference has the same shape and salt with its own IV, and holds a fixed text
// (kTwoFasReference) so the password can be checked apart from the services.
#include <map>
#include <string>

#include "../vault/crypto.hpp"
#include "json.hpp"
#include "mfa/encoding.hpp"

namespace mfa {
using namespace vault_detail;

namespace {

// The fixed text 2FAS encrypts into "reference" (BackupContent.Reference in 2fas-android).
constexpr std::string_view kTwoFasReference =
    "tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6m"
    "tsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidX"
    "QCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd";

constexpr std::size_t b64_chars(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

struct Sealed {
    Bytes sealed;   // ciphertext || tag
    Bytes salt;
    Bytes iv;
};

// One "B64(ciphertext||tag):B64(salt):B64(iv)" value; errors name the field and the part.
Result<Sealed> parse_sealed(const Field& f) {
    auto s = f.str();
    if (!s) return std::move(s).error();
    std::string_view parts[3];
    std::size_t n = 0;
    std::string_view rest = *s;
    for (;;) {
        const std::size_t colon = rest.find(':');
        if (n == 3) return f.bad("more than 3 ':'-separated parts (expected B64(ciphertext||tag):B64(salt):B64(iv))");
        parts[n++] = rest.substr(0, colon);
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    if (n != 3) return f.bad(std::to_string(n) + " ':'-separated part(s) (expected B64(ciphertext||tag):B64(salt):B64(iv))");
    static constexpr const char* kNames[3] = {"part 1 (ciphertext||tag)", "part 2 (salt)", "part 3 (IV)"};
    static constexpr std::size_t kMaxChars[3] = {kImportMaxBytes, b64_chars(kTwoFasMaxSaltBytes), b64_chars(kNonceBytes)};
    Bytes out[3];
    for (std::size_t i = 0; i < 3; ++i) {
        if (parts[i].size() > kMaxChars[i]) return f.bad(std::string(kNames[i]) + ": longer than " + std::to_string(kMaxChars[i]) + " characters");
        auto b = base64_decode(parts[i], Base64Mode::standard);
        if (!b) return f.bad(std::string(kNames[i]) + ": not Base64 (" + b.error().detail + ")");
        out[i] = std::move(*b);
    }
    if (out[0].size() < kTagBytes) return f.bad(std::string(kNames[0]) + ": " + std::to_string(out[0].size()) + " bytes, shorter than the 16-byte GCM tag");
    if (out[1].size() < kTwoFasMinSaltBytes || out[1].size() > kTwoFasMaxSaltBytes)
        return f.bad(std::string(kNames[1]) + ": " + std::to_string(out[1].size()) + " bytes, not " + std::to_string(kTwoFasMinSaltBytes) +
                     ".." + std::to_string(kTwoFasMaxSaltBytes));
    if (out[2].size() != kNonceBytes) return f.bad(std::string(kNames[2]) + ": " + std::to_string(out[2].size()) + " bytes, not 12");
    return Sealed{std::move(out[0]), std::move(out[1]), std::move(out[2])};
}

// The services JSON of a password-protected 2FAS backup whose top-level object is root. The
// container (schemaVersion, servicesEncrypted, reference) is checked before the password is looked
// at: without one the result is Errc::invalid_argument, with a wrong one Errc::vault_wrong_passphrase.
Result<SecretBytes> open_2fas_services(const Field& root, const SecretString* password) {
    auto version_f = root.at("schemaVersion");
    if (!version_f) return std::move(version_f).error();
    auto version = version_f->uint(UINT32_MAX);
    if (!version) return std::move(version).error();
    if (*version == 0 || *version > kTwoFasMaxSchemaVersion)
        return Error(Errc::unsupported, version_f->path() + ": 2FAS schema version " + std::to_string(*version) + " (1.." +
                                            std::to_string(kTwoFasMaxSchemaVersion) + " are known)");
    auto services_f = root.at("servicesEncrypted");
    if (!services_f) return std::move(services_f).error();
    auto services = parse_sealed(*services_f);
    if (!services) return std::move(services).error();
    std::optional<Field> reference_f = root.opt("reference");
    std::optional<Sealed> reference;
    if (reference_f) {
        auto r = parse_sealed(*reference_f);
        if (!r) return std::move(r).error();
        reference = std::move(*r);
    }
    if (password == nullptr) return Error(Errc::invalid_argument, "this 2FAS backup is encrypted: a password is needed");
    auto key = pbkdf2_key(password->view(), services->salt, kTwoFasIterations, HashAlg::sha256);
    if (!key) return std::move(key).error();
    if (reference) {
        // 2FAS uses one salt for both; another salt means another key.
        auto ref_key = reference->salt == services->salt ? Result<SecretBytes>(key->clone())
                                                          : pbkdf2_key(password->view(), reference->salt, kTwoFasIterations, HashAlg::sha256);
        if (!ref_key) return std::move(ref_key).error();
        auto text = gcm_open(ref_key->view(), reference->iv, {}, reference->sealed);
        if (!text) {
            if (text.code() != Errc::vault_tampered) return std::move(text).error();
            return Error(Errc::vault_wrong_passphrase, reference_f->path() + ": GCM tag mismatch: the password is wrong");
        }
        if (as_chars(text->view()) != kTwoFasReference)
            return reference_f->bad("decrypts, but not to the text 2FAS writes there (not a 2FAS backup?)");
    }
    auto plain = gcm_open(key->view(), services->iv, {}, services->sealed);
    if (!plain) {
        if (plain.code() != Errc::vault_tampered) return std::move(plain).error();
        if (reference) return services_f->bad("GCM tag mismatch although the password opened the reference (file modified)");
        return Error(Errc::vault_wrong_passphrase,
                     services_f->path() + ": GCM tag mismatch: the password is wrong (or the file is modified; it has no reference to tell)");
    }
    return plain;
}

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

}  // namespace mfa

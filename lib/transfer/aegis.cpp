// Aegis vault files (beemdevelopment/Aegis docs/vault.md): import of plain ones and of ones encrypted
// with a password slot (scrypt, then AES-256-GCM key wrap; the db is AES-256-GCM under the master
// key); export as a plain one, built in wiped memory (SecretString).
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <map>
#include <memory>

#include "../vault/crypto.hpp"
#include "json.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"

namespace mfa {
using namespace vault_detail;

namespace {

Result<Bytes> hex_field(const Field& f, std::size_t want) {
    auto s = f.str();
    if (!s) return std::move(s).error();
    auto b = hex_decode(*s);
    if (!b) return f.bad("not hex");
    if (want != 0 && b->size() != want) return f.bad("expected " + std::to_string(want) + " bytes, got " + std::to_string(b->size()));
    return b;
}

Result<SecretBytes> scrypt_key(const SecretString& password, ByteView salt, std::uint64_t n, std::uint32_t r, std::uint32_t p) {
    std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr), EVP_KDF_free);
    if (!kdf) return Error(Errc::crypto, "scrypt unavailable");
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()), EVP_KDF_CTX_free);
    if (!ctx) return Error(Errc::crypto, "EVP_KDF_CTX_new");
    std::uint64_t maxmem = 1ull << 30;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()), password.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    SecretBytes key(32);
    if (EVP_KDF_derive(ctx.get(), key.data(), key.size(), params) != 1) return Error(Errc::crypto, "scrypt derive");
    return key;
}

// Decrypts header/db of an encrypted Aegis file into the db JSON text.
Result<SecretBytes> decrypt_aegis(const Field& root, const SecretString& password) {
    auto header = root.at("header");
    if (!header) return std::move(header).error();
    auto slots = header->at("slots");
    if (!slots) return std::move(slots).error();
    if (!slots->json().is_array()) return slots->bad("not an array");
    if (slots->json().size() > kAegisMaxSlots)
        return Error(Errc::limit_exceeded, slots->path() + ": " + std::to_string(slots->json().size()) +
                                               " slots, at most " + std::to_string(kAegisMaxSlots));
    std::uint64_t work = 0;   // scrypt N * r * p of the slots tried so far
    std::optional<SecretBytes> master;
    bool any_password_slot = false;
    for (std::size_t i = 0; i < slots->json().size() && !master; ++i) {
        Field s(slots->json()[i], slots->path() + "[" + std::to_string(i) + "]");
        auto type = s.at("type");
        if (!type) return std::move(type).error();
        auto t = type->uint(255);
        if (!t) return std::move(t).error();
        if (*t != 1) continue;   // 0 raw, 2 biometric: need the Android KeyStore
        any_password_slot = true;
        Result<std::uint64_t> n = Error(Errc::parse), r = Error(Errc::parse), p = Error(Errc::parse);
        auto nf = s.at("n"), rf = s.at("r"), pf = s.at("p");
        if (!nf) return std::move(nf).error();
        if (!rf) return std::move(rf).error();
        if (!pf) return std::move(pf).error();
        n = nf->uint(kAegisMaxScryptN);
        r = rf->uint(kAegisMaxScryptR);
        p = pf->uint(kAegisMaxScryptP);
        if (!n) return std::move(n).error();
        if (!r) return std::move(r).error();
        if (!p) return std::move(p).error();
        if (*n < 2 || (*n & (*n - 1)) != 0) return nf->bad("N must be a power of two");
        // Each factor is capped above, so the product and the sum cannot overflow.
        work += *n * *r * *p;
        if (work > kAegisMaxScryptWork)
            return Error(Errc::limit_exceeded, nf->path() + ": scrypt work N*r*p summed over the slots tried reaches " +
                                                   std::to_string(work) + ", above the limit of " +
                                                   std::to_string(kAegisMaxScryptWork) + " (2^24) per import");
        auto salt_f = s.at("salt"), key_f = s.at("key"), kp = s.at("key_params");
        if (!salt_f) return std::move(salt_f).error();
        if (!key_f) return std::move(key_f).error();
        if (!kp) return std::move(kp).error();
        auto salt = hex_field(*salt_f, 0);
        auto wrapped = hex_field(*key_f, 32);
        auto nonce_f = kp->at("nonce"), tag_f = kp->at("tag");
        if (!salt) return std::move(salt).error();
        if (!wrapped) return std::move(wrapped).error();
        if (!nonce_f) return std::move(nonce_f).error();
        if (!tag_f) return std::move(tag_f).error();
        auto nonce = hex_field(*nonce_f, 12), tag = hex_field(*tag_f, 16);
        if (!nonce) return std::move(nonce).error();
        if (!tag) return std::move(tag).error();
        auto kek = scrypt_key(password, *salt, *n, static_cast<std::uint32_t>(*r), static_cast<std::uint32_t>(*p));
        if (!kek) return std::move(kek).error();
        Bytes sealed = *wrapped;
        sealed.insert(sealed.end(), tag->begin(), tag->end());
        auto key = gcm_open(kek->view(), *nonce, {}, sealed);
        if (key) master = std::move(*key);
        else if (key.code() != Errc::vault_tampered) return std::move(key).error();
    }
    if (!any_password_slot) return Error(Errc::unsupported, "header.slots: no password slot (biometric-only vaults cannot be read off the phone)");
    if (!master) return Error(Errc::vault_wrong_passphrase, "no Aegis password slot accepted the password");
    auto params = header->at("params");
    if (!params) return std::move(params).error();
    auto nonce_f = params->at("nonce"), tag_f = params->at("tag");
    if (!nonce_f) return std::move(nonce_f).error();
    if (!tag_f) return std::move(tag_f).error();
    auto nonce = hex_field(*nonce_f, 12), tag = hex_field(*tag_f, 16);
    if (!nonce) return std::move(nonce).error();
    if (!tag) return std::move(tag).error();
    auto db = root.at("db");
    if (!db) return std::move(db).error();
    auto text = db->str();
    if (!text) return std::move(text).error();
    auto ct = base64_decode(*text, Base64Mode::standard);
    if (!ct) return db->bad("not Base64");
    ct->insert(ct->end(), tag->begin(), tag->end());
    auto plain = gcm_open(master->view(), *nonce, {}, *ct);
    if (!plain) return Error(Errc::parse, "db: GCM tag mismatch (file modified)");
    return plain;
}

Result<ImportResult> parse_db(const Field& db, ImportFormat format) {
    ImportResult out;
    out.format = format;
    std::map<std::string, std::string> group_names;
    if (auto groups = db.opt("groups"); groups && groups->json().is_array()) {
        for (std::size_t i = 0; i < groups->json().size(); ++i) {
            Field g(groups->json()[i], groups->path() + "[" + std::to_string(i) + "]");
            auto uuid = g.at("uuid"), name = g.at("name");
            if (!uuid) return std::move(uuid).error();
            if (!name) return std::move(name).error();
            auto u = uuid->str(), n = name->str();
            if (!u) return std::move(u).error();
            if (!n) return std::move(n).error();
            group_names[*u] = *n;
        }
    }
    auto entries = db.at("entries");
    if (!entries) return std::move(entries).error();
    if (!entries->json().is_array()) return entries->bad("not an array");
    if (entries->json().size() > kImportMaxAccounts) return entries->bad("too many entries");
    for (std::size_t i = 0; i < entries->json().size(); ++i) {
        Field e(entries->json()[i], entries->path() + "[" + std::to_string(i) + "]");
        auto type_f = e.at("type");
        if (!type_f) return std::move(type_f).error();
        auto type = type_f->str();
        if (!type) return std::move(type).error();
        ImportedAccount a;
        if (*type == "totp") a.account.params.type = OtpType::totp;
        else if (*type == "hotp") a.account.params.type = OtpType::hotp;
        else if (*type == "steam") a.account.params.type = OtpType::steam;
        else {
            out.skipped.push_back(e.path() + ": type " + *type + " is not supported");
            continue;
        }
        auto name = e.at("name"), issuer = e.at("issuer"), info = e.at("info");
        if (!name) return std::move(name).error();
        if (!issuer) return std::move(issuer).error();
        if (!info) return std::move(info).error();
        auto n = name->str(), is = issuer->str();
        if (!n) return std::move(n).error();
        if (!is) return std::move(is).error();
        a.account.name = *n;
        a.account.issuer = *is;
        if (auto note = e.opt("note")) {
            auto s = note->str();
            if (!s) return std::move(s).error();
            a.note = *s;
        }
        auto secret_f = info->at("secret"), algo_f = info->at("algo"), digits_f = info->at("digits");
        if (!secret_f) return std::move(secret_f).error();
        if (!algo_f) return std::move(algo_f).error();
        if (!digits_f) return std::move(digits_f).error();
        auto secret = parse_base32_secret(*secret_f);
        if (!secret) return std::move(secret).error();
        a.account.secret = std::move(*secret);
        auto alg = parse_algorithm(*algo_f);
        if (!alg) return std::move(alg).error();
        a.account.params.algorithm = *alg;
        auto digits = digits_f->uint(kMaxDigits);
        if (!digits) return std::move(digits).error();
        a.account.params.digits = static_cast<unsigned>(*digits);
        if (a.account.params.type == OtpType::hotp) {
            auto c = info->at("counter");
            if (!c) return std::move(c).error();
            auto v = c->uint(kAegisMaxCounter);
            if (!v) return std::move(v).error();
            a.account.params.counter = *v;
        } else {
            auto p = info->at("period");
            if (!p) return std::move(p).error();
            auto v = p->uint(kMaxPeriod);
            if (!v) return std::move(v).error();
            a.account.params.period = static_cast<std::uint32_t>(*v);
        }
        if (auto groups = e.opt("groups"); groups && groups->json().is_array()) {
            for (const auto& g : groups->json())
                if (g.is_string() && group_names.count(g.get<std::string>())) a.tags.push_back(group_names[g.get<std::string>()]);
        } else if (auto group = e.opt("group")) {   // db version 1 and 2: one group name
            auto s = group->str();
            if (!s) return std::move(s).error();
            if (!s->empty()) a.tags.push_back(*s);
        }
        MFA_TRY(check_account(a.account, e.path()));
        out.accounts.push_back(std::move(a));
    }
    return out;
}

// A random RFC 4122 version 4 UUID, as Aegis writes them.
Result<std::string> uuid4() {
    std::uint8_t b[16];
    MFA_TRY(random_fill(b));
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
    const std::string h = hex_encode(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace

Result<ImportResult> import_aegis(std::string_view text, const SecretString* password) {
    auto j = parse_json(text, "Aegis JSON");
    if (!j) return std::move(j).error();
    Wipe wipe{*j};
    Field root(*j, "$");
    auto version = root.at("version");
    if (!version) return std::move(version).error();
    auto v = version->uint(UINT32_MAX);
    if (!v) return std::move(v).error();
    if (*v != 1) return Error(Errc::unsupported, "$.version: Aegis vault version " + std::to_string(*v) + " (1 is known)");
    auto db = root.at("db");
    if (!db) return std::move(db).error();
    if (db->json().is_object()) return parse_db(Field(db->json(), "db"), ImportFormat::aegis);
    if (!db->json().is_string()) return db->bad("neither an object nor Base64 text");
    if (password == nullptr) return Error(Errc::invalid_argument, "this Aegis export is encrypted: a password is needed");
    auto plain = decrypt_aegis(root, *password);
    if (!plain) return std::move(plain).error();
    auto inner = parse_json(as_chars(plain->view()), "Aegis db");
    if (!inner) return std::move(inner).error();
    Wipe wipe_inner{*inner};
    return parse_db(Field(*inner, "db"), ImportFormat::aegis_encrypted);
}

Result<SecretString> export_aegis_json(const std::vector<const VaultEntry*>& entries) {
    // Tags become Aegis groups (db version 3: a groups list, entries refer to them by uuid).
    std::vector<std::pair<std::string, std::string>> groups;   // name, uuid
    auto group_uuid = [&](const std::string& name) -> Result<std::string> {
        for (const auto& [n, u] : groups)
            if (n == name) return u;
        auto u = uuid4();
        if (!u) return u;
        groups.emplace_back(name, *u);
        return *u;
    };
    SecretString out;
    out.append("{\"version\":1,\"header\":{\"slots\":null,\"params\":null},\"db\":{\"version\":3,\"entries\":[");
    bool first = true;
    for (const auto* e : entries) {
        const auto& p = e->account.params;
        if (p.type == OtpType::hotp && p.counter > kAegisMaxCounter)
            return Error(Errc::unsupported, e->label() + ": HOTP counter " + std::to_string(p.counter) +
                                                " is above " + std::to_string(kAegisMaxCounter) +
                                                ", the largest Aegis stores (a Java long); nothing was exported");
        if (!first) out.push_back(',');
        first = false;
        auto uuid = uuid4();
        if (!uuid) return std::move(uuid).error();
        out.append("{\"type\":");
        append_json_string(out, p.type == OtpType::totp ? "totp" : p.type == OtpType::hotp ? "hotp" : "steam");
        out.append(",\"uuid\":");
        append_json_string(out, *uuid);
        out.append(",\"name\":");
        append_json_string(out, e->account.name);
        out.append(",\"issuer\":");
        append_json_string(out, e->account.issuer);
        out.append(",\"note\":");
        append_json_string(out, e->note);
        out.append(",\"favorite\":false,\"icon\":null,\"info\":{\"secret\":");
        const SecretString secret = base32_encode(e->account.secret.view());
        append_json_string(out, secret.view());
        out.append(",\"algo\":");
        append_json_string(out, to_string(p.algorithm));
        out.append(",\"digits\":" + std::to_string(p.type == OtpType::steam ? kSteamDigits : p.digits));
        if (p.type == OtpType::hotp) out.append(",\"counter\":" + std::to_string(p.counter));
        else out.append(",\"period\":" + std::to_string(p.period));
        out.append("},\"groups\":[");
        for (std::size_t i = 0; i < e->tags.size(); ++i) {
            auto u = group_uuid(e->tags[i]);
            if (!u) return std::move(u).error();
            if (i) out.push_back(',');
            append_json_string(out, *u);
        }
        out.append("]}");
    }
    out.append("],\"groups\":[");
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (i) out.push_back(',');
        out.append("{\"uuid\":");
        append_json_string(out, groups[i].second);
        out.append(",\"name\":");
        append_json_string(out, groups[i].first);
        out.append("}");
    }
    out.append("]}}\n");
    return out;
}

}  // namespace mfa

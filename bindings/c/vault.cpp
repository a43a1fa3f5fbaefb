// The vault's C ABI (mfa_vault.h) over mfa::Vault.
#include "mfa/mfa_vault.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>

#include "abi.hpp"
#include "mfa/otpauth.hpp"
#include "mfa/vault.hpp"
#include "mfa/vault_json.hpp"
#include "mfa/vault_import.hpp"

struct mfa_vault {
    mfa::Vault vault;
};

namespace {

using mfa::Errc;
using mfa::abi::fail;
using mfa::abi::guarded;

mfa::SecretString passphrase_of(const char* p, std::size_t n) { return mfa::SecretString(std::string_view(p, n)); }

mfa::KdfParams kdf_of(std::uint32_t memory_kib, std::uint32_t passes) {
    mfa::KdfParams k = mfa::KdfParams::recommended();
    if (memory_kib != 0) k.memory_kib = memory_kib;
    if (passes != 0) k.passes = passes;
    return k;
}

// *out = the JSON text in a malloc'd string, freed by the caller with mfa_free().
int put_json(char** out, const nlohmann::json& j) {
    return mfa::abi::put_alloc(out, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

constexpr int kImportOptionBits = MFA_VAULT_IMPORT_SKIP_INVALID | MFA_VAULT_IMPORT_ISSUER_PARAM | MFA_VAULT_IMPORT_ISSUER_LABEL;

mfa::Result<mfa::ImportOptions> import_options_of(int format) {
    if ((format & MFA_VAULT_IMPORT_ISSUER_PARAM) != 0 && (format & MFA_VAULT_IMPORT_ISSUER_LABEL) != 0)
        return mfa::Error{Errc::invalid_argument, "format: MFA_VAULT_IMPORT_ISSUER_PARAM and MFA_VAULT_IMPORT_ISSUER_LABEL exclude each other"};
    mfa::ImportOptions o;
    o.skip_invalid = (format & MFA_VAULT_IMPORT_SKIP_INVALID) != 0;
    if ((format & MFA_VAULT_IMPORT_ISSUER_PARAM) != 0) o.issuer_policy = mfa::IssuerPolicy::prefer_param;
    if ((format & MFA_VAULT_IMPORT_ISSUER_LABEL) != 0) o.issuer_policy = mfa::IssuerPolicy::prefer_label;
    return o;
}

mfa::Result<mfa::ImportFormat> import_format_of(int format, mfa::ByteView data) {
    switch (format & ~kImportOptionBits) {
        case MFA_VAULT_IMPORT_AUTO: return mfa::detect_import_format(data);
        case MFA_VAULT_IMPORT_URI_LIST: return mfa::ImportFormat::uri_list;
        case MFA_VAULT_IMPORT_AEGIS: return mfa::ImportFormat::aegis;
        case MFA_VAULT_IMPORT_2FAS: return mfa::ImportFormat::twofas;
        case MFA_VAULT_IMPORT_ANDOTP: return mfa::ImportFormat::andotp;
        case MFA_VAULT_IMPORT_ANDOTP_ENCRYPTED: return mfa::ImportFormat::andotp_encrypted;
        case MFA_VAULT_IMPORT_ANDOTP_ENCRYPTED_OLD: return mfa::ImportFormat::andotp_encrypted_old;
        default: return mfa::Error{Errc::invalid_argument, "format: " + std::to_string(format) + " is not an MFA_VAULT_IMPORT_* value"};
    }
}

}  // namespace

extern "C" {

int mfa_vault_create(mfa_vault_t** out, const char* path, const char* passphrase, size_t passphrase_len,
                     uint32_t memory_kib, uint32_t passes) {
    return guarded([&] {
        if (out == nullptr || path == nullptr || (passphrase == nullptr && passphrase_len != 0))
            return fail(Errc::invalid_argument, "out, path and passphrase are required");
        *out = nullptr;
        auto v = mfa::Vault::create(path, passphrase_of(passphrase, passphrase_len), kdf_of(memory_kib, passes));
        if (!v) return fail(v.error());
        *out = new mfa_vault{std::move(*v)};
        return MFA_OK;
    });
}

int mfa_vault_open(mfa_vault_t** out, const char* path, const char* passphrase, size_t passphrase_len, int writable,
                   uint32_t wait_ms) {
    return guarded([&] {
        if (out == nullptr || path == nullptr || (passphrase == nullptr && passphrase_len != 0))
            return fail(Errc::invalid_argument, "out, path and passphrase are required");
        *out = nullptr;
        mfa::VaultOptions opts;
        opts.lock_wait = std::chrono::milliseconds(wait_ms);
        auto v = mfa::Vault::open(path, passphrase_of(passphrase, passphrase_len),
                                  writable ? mfa::OpenMode::write : mfa::OpenMode::read, opts);
        if (!v) return fail(v.error());
        *out = new mfa_vault{std::move(*v)};
        return MFA_OK;
    });
}

void mfa_vault_free(mfa_vault_t** v) {
    if (v == nullptr) return;
    delete *v;
    *v = nullptr;
}

int mfa_vault_get_count(const mfa_vault_t* v, size_t* count) {
    return guarded([&] {
        if (v == nullptr || count == nullptr) return fail(Errc::invalid_argument, "v and count are required");
        *count = v->vault.entries().size();
        return MFA_OK;
    });
}

int mfa_vault_get_id(const mfa_vault_t* v, char* out, size_t cap, size_t* len, size_t index) {
    return guarded([&] {
        if (v == nullptr || len == nullptr) return fail(Errc::invalid_argument, "v and len are required");
        const auto& e = v->vault.entries();
        if (index >= e.size()) return fail(Errc::not_found, "index " + std::to_string(index) + " past the last account");
        return mfa::abi::put_string(out, cap, len, e[index].id);
    });
}

int mfa_vault_list_json(const mfa_vault_t* v, char** json) {
    return guarded([&] {
        if (v == nullptr || json == nullptr) return fail(Errc::invalid_argument, "v and json are required");
        *json = nullptr;
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& e : v->vault.entries()) arr.push_back(mfa::vault_entry_json(e));
        return put_json(json, arr);
    });
}

int mfa_vault_add_uri(mfa_vault_t* v, char* id, size_t cap, size_t* len, const char* uri, size_t uri_len) {
    return guarded([&] {
        if (v == nullptr || uri == nullptr) return fail(Errc::invalid_argument, "v and uri are required");
        auto account = mfa::parse_otpauth_uri(std::string_view(uri, uri_len));
        if (!account) return fail(account.error());
        auto added = v->vault.add(*account);
        if (!added) return fail(added.error());
        if (id == nullptr && cap == 0) return MFA_OK;
        if (len == nullptr) return fail(Errc::invalid_argument, "len is required with id");
        return mfa::abi::put_string(id, cap, len, *added);
    });
}

int mfa_vault_remove(mfa_vault_t* v, const char* id) {
    return guarded([&] {
        if (v == nullptr || id == nullptr) return fail(Errc::invalid_argument, "v and id are required");
        auto st = v->vault.remove(id);
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_vault_code(const mfa_vault_t* v, char* out, size_t cap, size_t* len, uint32_t* seconds_left, const char* id,
                   int64_t unix_time) {
    return guarded([&] {
        if (v == nullptr || len == nullptr || id == nullptr) return fail(Errc::invalid_argument, "v, len and id are required");
        const mfa::VaultEntry* e = v->vault.find_id(id);
        if (e == nullptr) return fail(Errc::not_found, std::string("no account with id ") + id);
        auto c = mfa::totp_code(*e, unix_time);
        if (!c) return fail(c.error());
        if (seconds_left != nullptr) *seconds_left = c->seconds_left;
        return mfa::abi::put_string(out, cap, len, c->code.view());
    });
}

int mfa_vault_hotp_next(mfa_vault_t* v, char* out, size_t cap, size_t* len, const char* id) {
    return guarded([&] {
        if (v == nullptr || len == nullptr || id == nullptr) return fail(Errc::invalid_argument, "v, len and id are required");
        // A code the caller cannot receive must not use up a counter value.
        if (out == nullptr || cap < mfa::kMaxDigits + 1) {
            *len = mfa::kMaxDigits;
            return fail(Errc::buffer_too_small, "the code needs up to " + std::to_string(mfa::kMaxDigits + 1) + " bytes");
        }
        auto c = v->vault.hotp_next(id);
        if (!c) return fail(c.error());
        return mfa::abi::put_string(out, cap, len, c->view());
    });
}

int mfa_vault_save(mfa_vault_t* v) {
    return guarded([&] {
        if (v == nullptr) return fail(Errc::invalid_argument, "v is required");
        auto st = v->vault.save();
        return st ? MFA_OK : fail(st.error());
    });
}

int mfa_vault_passwd(mfa_vault_t* v, const char* new_passphrase, size_t new_passphrase_len, uint32_t memory_kib,
                     uint32_t passes) {
    return guarded([&] {
        if (v == nullptr || (new_passphrase == nullptr && new_passphrase_len != 0))
            return fail(Errc::invalid_argument, "v and new_passphrase are required");
        const auto slots = v->vault.slots();
        for (std::size_t i = 0; i < slots.size(); ++i) {
            if (slots[i].type != mfa::SlotType::passphrase) continue;
            auto st = v->vault.change_passphrase(i, passphrase_of(new_passphrase, new_passphrase_len),
                                                 kdf_of(memory_kib, passes));
            return st ? MFA_OK : fail(st.error());
        }
        return fail(Errc::vault_no_slot, "the vault has no passphrase slot");
    });
}

int mfa_vault_import(mfa_vault_t* v, char** report_json, const uint8_t* data, size_t data_len, int format,
                     const char* password, size_t password_len) {
    return guarded([&] {
        if (report_json != nullptr) *report_json = nullptr;
        if (v == nullptr || report_json == nullptr || (data == nullptr && data_len != 0) ||
            (password == nullptr && password_len != 0))
            return fail(Errc::invalid_argument, "v, report_json and data are required");
        const mfa::ByteView bytes(data, data_len);
        auto opts = import_options_of(format);
        if (!opts) return fail(opts.error());
        auto fmt = import_format_of(format, bytes);
        if (!fmt) return fail(fmt.error());
        std::optional<mfa::SecretString> pw;
        if (password != nullptr) pw = passphrase_of(password, password_len);
        auto parsed = mfa::import_accounts(bytes, *fmt, pw ? &*pw : nullptr, *opts);
        if (!parsed) return fail(parsed.error());
        auto outcome = mfa::add_imported(v->vault, *parsed);
        if (!outcome) return fail(outcome.error());
        nlohmann::json imported = nlohmann::json::array();
        for (const auto& a : outcome->added) imported.push_back({{"id", a.id}, {"label", a.label}});
        return put_json(report_json, {{"format", std::string(mfa::to_string(parsed->format))},
                                      {"imported", imported},
                                      {"duplicates", outcome->duplicates},
                                      {"skipped", parsed->skipped},
                                      {"invalid", parsed->invalid},
                                      {"warnings", parsed->warnings}});
    });
}

}  // extern "C"

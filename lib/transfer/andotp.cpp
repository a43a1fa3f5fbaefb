// andOTP backups: plain JSON, and encrypted (otp_accounts.json.aes). andOTP does not document its
// format; what is implemented here is what the app writes and what Aegis reads (beemdevelopment/
// Aegis, importers/AndOtpImporter.java):
//
// andOTP (flocke/andOTP, asmw/andOTP-decrypt): since 0.6.3, otp_accounts.json.aes is
// iterations (4 bytes, big-endian) || salt (12) || IV (12) || ciphertext || tag (16), key =
// PBKDF2-HMAC-SHA1(password, salt, iterations, 32 bytes); up to 0.6.2 it was IV (12) ||
// ciphertext || tag (16) under key = SHA-256(password). The plaintext is the plain andOTP JSON.
#include <string>

#include "../vault/crypto.hpp"
#include "json.hpp"
#include "mfa/reader.hpp"

namespace mfa {
using namespace vault_detail;

namespace {

constexpr std::size_t kAndOtpSaltBytes = 12;

// The plain JSON inside an encrypted andOTP backup (see vault_import.hpp for the two layouts).
Result<SecretBytes> open_andotp(ByteView data, const SecretString& password, bool old_format) {
    if (data.size() > kImportMaxBytes) return Error(Errc::limit_exceeded, "andOTP backup larger than " + std::to_string(kImportMaxBytes) + " bytes");
    Reader in(data);
    Result<SecretBytes> key = Error(Errc::internal);
    if (old_format) {
        key = sha256_key(password.view());
    } else {
        const std::size_t min = 4 + kAndOtpSaltBytes + kNonceBytes + kTagBytes;
        if (data.size() < min)
            return Error(Errc::parse, "andOTP backup of " + std::to_string(data.size()) + " bytes, shorter than the " + std::to_string(min) +
                                          " of iteration count, salt, IV and GCM tag");
        std::uint32_t iterations = 0;
        ByteView salt;
        if (!in.get_u32be(iterations) || !in.get_bytes(kAndOtpSaltBytes, salt)) return Error(Errc::internal, "andOTP header");
        if (iterations == 0 || iterations > kAndOtpMaxIterations)
            return Error(Errc::parse, "bytes 0-3: PBKDF2 iteration count " + std::to_string(iterations) + " outside 1.." +
                                          std::to_string(kAndOtpMaxIterations) + " (not an andOTP backup, or one from andOTP 0.6.2 or older?)");
        key = pbkdf2_key(password.view(), salt, iterations, HashAlg::sha1);
    }
    if (!key) return std::move(key).error();
    const std::size_t offset = data.size() - in.remaining();
    if (in.remaining() < kNonceBytes + kTagBytes)
        return Error(Errc::parse, "andOTP backup of " + std::to_string(data.size()) + " bytes, shorter than the " +
                                      std::to_string(offset + kNonceBytes + kTagBytes) + " of IV and GCM tag");
    ByteView iv, sealed;
    if (!in.get_bytes(kNonceBytes, iv) || !in.get_bytes(in.remaining(), sealed)) return Error(Errc::internal, "andOTP body");
    auto plain = gcm_open(key->view(), iv, {}, sealed);
    if (!plain) {
        if (plain.code() != Errc::vault_tampered) return std::move(plain).error();
        return Error(Errc::vault_wrong_passphrase,
                     std::string("bytes ") + std::to_string(offset + kNonceBytes) + "-" + std::to_string(data.size() - 1) +
                         ": GCM tag mismatch: the password is wrong (or the file is modified or truncated" +
                         (old_format ? ")" : "; or it is from andOTP 0.6.2 or older)"));
    }
    return plain;
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
        // andOTP 0.6.2 and older had no issuer member and wrote "Issuer - name" labels (Aegis
        // splits them the same way); a present issuer member, even empty, means the label is the name.
        if (const auto dash = label.find(" - "); !e.has("issuer") && dash != std::string::npos) {
            a.account.issuer = label.substr(0, dash);
            a.account.name = label.substr(dash + 3);
        }
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

}  // namespace mfa

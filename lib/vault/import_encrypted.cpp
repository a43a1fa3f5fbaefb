// Password-protected 2FAS and andOTP backups. Neither app documents its format; what is implemented
// here is what both apps write and what Aegis reads (beemdevelopment/Aegis, importers/
// TwoFASImporter.java and AndOtpImporter.java):
//
// 2FAS (twofas/2fas-android BackupRepositoryImpl.kt, core/cipher BackupCipherImpl.kt,
// domain/BackupContent.kt): servicesEncrypted = "B64(ciphertext||tag):B64(salt):B64(iv)", standard
// Base64 with padding; key = PBKDF2-HMAC-SHA256(password, salt, 10000 iterations, 32 bytes);
// AES-256-GCM with the 12-byte IV, no AAD, 16-byte tag appended; the plaintext is the JSON array of
// services. reference has the same shape and salt with its own IV, and holds a fixed text
// (kTwoFasReference) so the password can be checked apart from the services.
//
// andOTP (flocke/andOTP, asmw/andOTP-decrypt): since 0.6.3, otp_accounts.json.aes is
// iterations (4 bytes, big-endian) || salt (12) || IV (12) || ciphertext || tag (16), key =
// PBKDF2-HMAC-SHA1(password, salt, iterations, 32 bytes); up to 0.6.2 it was IV (12) ||
// ciphertext || tag (16) under key = SHA-256(password). The plaintext is the plain andOTP JSON.
#include "import_encrypted.hpp"

#include <string>

#include "crypto.hpp"
#include "mfa/encoding.hpp"
#include "mfa/reader.hpp"

namespace mfa::vault_detail {
namespace {

// The fixed text 2FAS encrypts into "reference" (BackupContent.Reference in 2fas-android).
constexpr std::string_view kTwoFasReference =
    "tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6m"
    "tsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidX"
    "QCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd";

constexpr std::size_t kAndOtpSaltBytes = 12;

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

}  // namespace

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

}  // namespace mfa::vault_detail

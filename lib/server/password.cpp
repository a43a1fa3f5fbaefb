#include "mfa/server/password.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

#include "mfa/bytes.hpp"
#include "mfa/ct.hpp"
#include "mfa/random.hpp"
#include "mfa/shared_library.hpp"
#include "mfa_features.h"
#include "util/argon2_lib.hpp"
#if MFA_HAVE_PWQUALITY
#include <pwquality.h>
#endif

namespace mfa::server {
namespace {

// Debian's cracklib-runtime builds its dictionary here (cracklib_dict.pwd/.pwi/.hwm).
constexpr const char* kDefaultDictionary = "/var/cache/cracklib/cracklib_dict";

argon2_type argon_type(PhcAlgorithm a) {
    return a == PhcAlgorithm::argon2id ? Argon2_id : a == PhcAlgorithm::argon2i ? Argon2_i : Argon2_d;
}

Result<SecretBytes> derive(const PhcHash& h, std::string_view pw) {
    SecretBytes out(h.hash.size());
    switch (h.alg) {
        case PhcAlgorithm::argon2id:
        case PhcAlgorithm::argon2i:
        case PhcAlgorithm::argon2d: {
            const auto& argon2 = mfa::detail::libargon2();
            if (!argon2) return argon2.error();
            const int rc = argon2->argon2_hash(h.t, h.m, h.p, pw.data(), pw.size(), h.salt.data(), h.salt.size(), out.data(),
                                       out.size(), nullptr, 0, argon_type(h.alg), h.version);
            if (rc != ARGON2_OK) return Error{Errc::password_hash_format, std::string("argon2: ") + argon2->argon2_error_message(rc)};
            return out;
        }
        case PhcAlgorithm::scrypt: {
            const std::uint64_t n = std::uint64_t{1} << h.m;
            const std::uint64_t maxmem = 128 * n * h.t * (h.p + 2) + (1 << 20);
            if (EVP_PBE_scrypt(pw.data(), pw.size(), reinterpret_cast<const unsigned char*>(h.salt.data()),
                               h.salt.size(), n, h.t, h.p, maxmem, out.data(), out.size()) != 1)
                return Error{Errc::crypto, "scrypt"};
            return out;
        }
        case PhcAlgorithm::pbkdf2_sha1:
        case PhcAlgorithm::pbkdf2_sha256:
        case PhcAlgorithm::pbkdf2_sha512: {
            const EVP_MD* md = h.alg == PhcAlgorithm::pbkdf2_sha1 ? EVP_sha1()
                               : h.alg == PhcAlgorithm::pbkdf2_sha256 ? EVP_sha256() : EVP_sha512();
            if (PKCS5_PBKDF2_HMAC(pw.data(), static_cast<int>(pw.size()),
                                  reinterpret_cast<const unsigned char*>(h.salt.data()), static_cast<int>(h.salt.size()),
                                  static_cast<int>(h.iterations), md, static_cast<int>(out.size()), out.data()) != 1)
                return Error{Errc::crypto, "PBKDF2"};
            return out;
        }
    }
    return Error{Errc::internal, "PHC algorithm"};
}

// Code points of valid UTF-8; nullopt for invalid sequences (overlong, surrogates, above U+10FFFF).
std::optional<std::size_t> utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++n) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return std::nullopt;
        std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        i += len;
    }
    return n;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

#if MFA_HAVE_PWQUALITY
// libpwquality (and through it cracklib) is loaded on the first dictionary check instead of linked
// (mfa/shared_library.hpp says why): these are the functions the check calls, taken from it once.
#define MFA_PWQUALITY_FUNCTIONS(X)                                                                     \
    X(pwquality_check) X(pwquality_default_settings) X(pwquality_free_settings) X(pwquality_set_int_value) \
    X(pwquality_set_str_value) X(pwquality_strerror)

struct LibPwquality {
    MFA_LIBRARY_POINTERS(MFA_PWQUALITY_FUNCTIONS)
};

// The soname of libpwquality's ABI (Debian's libpwquality1).
constexpr const char* kLibPwquality = "libpwquality.so.1";

// Loaded once per process (a function-local static: thread-safe without the cracklib mutex).
const Result<LibPwquality>& libpwquality() {
    static const Result<LibPwquality> loaded =
        SharedLibrary::load<LibPwquality>("dictionary check", kLibPwquality, [](const SharedLibrary& lib, LibPwquality& t) -> Status {
            MFA_LIBRARY_BIND(MFA_PWQUALITY_FUNCTIONS, lib, t);
            return {};
        });
    return loaded;
}

std::mutex& cracklib_mutex() {  // cracklib keeps static state
    static std::mutex m;
    return m;
}

std::string dict_path(const PasswordPolicy& p) { return p.dictionary_path.empty() ? kDefaultDictionary : p.dictionary_path; }

// The cracklib dictionary through libpwquality: the policy's only use of it.
Status dictionary_check(const PasswordPolicy& policy, std::string_view pw) {
    const auto& lib = libpwquality();
    if (!lib) return lib.error();
    const LibPwquality& q = *lib;
    pwquality_settings_t* s = q.pwquality_default_settings();
    if (s == nullptr) return {Errc::no_memory, "libpwquality"};
    // Only the dictionary check: length, classes and user checks are ours (above).
    q.pwquality_set_int_value(s, PWQ_SETTING_MIN_LENGTH, 6);
    q.pwquality_set_int_value(s, PWQ_SETTING_DIFF_OK, 0);
    q.pwquality_set_int_value(s, PWQ_SETTING_DICT_CHECK, 1);
    q.pwquality_set_int_value(s, PWQ_SETTING_USER_CHECK, 0);
    q.pwquality_set_int_value(s, PWQ_SETTING_GECOS_CHECK, 0);
    q.pwquality_set_str_value(s, PWQ_SETTING_DICT_PATH, dict_path(policy).c_str());
    void* aux = nullptr;
    int rc;
    {
        std::lock_guard lock(cracklib_mutex());
        const std::string copy(pw);
        rc = q.pwquality_check(s, copy.c_str(), nullptr, nullptr, &aux);
    }
    char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
    std::string why = rc < 0 ? q.pwquality_strerror(buf, sizeof buf, rc, aux) : "";
    q.pwquality_free_settings(s);
    if (rc == PWQ_ERROR_CRACKLIB_CHECK) return {Errc::password_policy, "found in the dictionary: " + why};
    if (rc == PWQ_ERROR_PALINDROME) return {Errc::password_policy, "a palindrome"};
    if (rc == PWQ_ERROR_CASE_CHANGES_ONLY || rc == PWQ_ERROR_ROTATED || rc == PWQ_ERROR_TOO_SIMILAR) {
        return {Errc::password_policy, why};
    }
    // Other libpwquality rules (classes, repeats, length) are not ours to enforce.
    return {};
}
#endif

}  // namespace

Result<std::string> hash_password(std::string_view password, const Argon2Params& p) {
    if (password.size() > kMaxPasswordBytes) return Error{Errc::limit_exceeded, "password longer than 4096 bytes"};
    if (p.salt_bytes < 16 || p.salt_bytes > 64 || p.hash_bytes < 16 || p.hash_bytes > 128 || p.lanes < 1 ||
        p.lanes > 16 || p.passes < 1 || p.passes > kMaxArgon2Passes || p.memory_kib < 8 * p.lanes ||
        p.memory_kib > kMaxArgon2MemoryKib)
        return Error{Errc::invalid_argument, "Argon2 parameters out of range"};
    const auto& argon2 = mfa::detail::libargon2();
    if (!argon2) return argon2.error();
    auto salt = random_secret(p.salt_bytes);
    if (!salt) return std::move(salt).error();
    const std::size_t enc_len = argon2->argon2_encodedlen(p.passes, p.memory_kib, p.lanes, p.salt_bytes, p.hash_bytes, Argon2_id);
    std::string enc(enc_len, '\0');
    const int rc = argon2->argon2_hash(p.passes, p.memory_kib, p.lanes, password.data(), password.size(), salt->data(),
                               salt->size(), nullptr, p.hash_bytes, enc.data(), enc.size(), Argon2_id, ARGON2_VERSION_13);
    if (rc != ARGON2_OK) return Error{Errc::crypto, std::string("argon2: ") + argon2->argon2_error_message(rc)};
    enc.resize(std::strlen(enc.c_str()));
    return enc;
}

Status verify_password(std::string_view password, std::string_view phc) {
    if (password.size() > kMaxPasswordBytes) return {Errc::limit_exceeded, "password longer than 4096 bytes"};
    auto h = parse_phc(phc);
    if (!h) return std::move(h).error();
    auto d = derive(*h, password);
    if (!d) return std::move(d).error();
    if (!ct_equal(d->view(), mfa::as_bytes(h->hash))) return {Errc::password_mismatch, ""};
    return {};
}

bool needs_rehash(std::string_view phc, const Argon2Params& p) {
    auto h = parse_phc(phc);
    if (!h) return true;
    return h->alg != PhcAlgorithm::argon2id || h->version != 0x13 || h->m < p.memory_kib || h->t < p.passes ||
           h->salt.size() < p.salt_bytes || h->hash.size() < p.hash_bytes;
}

Status validate(const PasswordPolicy& p) {
    if (p.min_length < 8) return {Errc::invalid_argument, "min_length below 8 (NIST SP 800-63B: at least 8)"};
    if (p.max_length < 64) return {Errc::invalid_argument, "max_length below 64 (NIST SP 800-63B: allow at least 64)"};
    if (p.max_length > kMaxPasswordBytes) return {Errc::invalid_argument, "max_length above 4096"};
    if (p.min_length > p.max_length) return {Errc::invalid_argument, "min_length above max_length"};
    if (p.require_character_classes && (p.min_character_classes < 1 || p.min_character_classes > 4))
        return {Errc::invalid_argument, "min_character_classes must be 1..4"};
    if (p.max_age_seconds < 0) return {Errc::invalid_argument, "negative max_age_seconds"};
    return {};
}

bool dictionary_available(const PasswordPolicy& policy) {
#if !MFA_HAVE_PWQUALITY
    // Without libpwquality no dictionary can be read: the check is skipped, as without cracklib's files.
    (void)policy;
    return false;
#else
    return access((dict_path(policy) + ".pwd").c_str(), R_OK) == 0 && access((dict_path(policy) + ".pwi").c_str(), R_OK) == 0;
#endif
}


Status check_password(const PasswordPolicy& policy, std::string_view pw, std::string_view user) {
    MFA_TRY(validate(policy));
    if (pw.find('\0') != std::string_view::npos) return {Errc::password_policy, "contains a NUL character"};
    auto n = utf8_length(pw);
    if (!n) return {Errc::password_policy, "not valid UTF-8"};
    if (*n < policy.min_length) return {Errc::password_policy, "shorter than " + std::to_string(policy.min_length) + " characters"};
    if (*n > policy.max_length) return {Errc::password_policy, "longer than " + std::to_string(policy.max_length) + " characters"};
    const std::string lpw = lower(pw);
    for (const auto& b : policy.blocklist)
        if (lower(b) == lpw) return {Errc::password_policy, "in the list of forbidden (known breached or common) passwords"};
    if (policy.check_user_similarity && !user.empty()) {
        std::string lu = lower(user);
        if (auto at = lu.find('@'); at != std::string::npos) lu.resize(at);  // the local part of an email
        if (lu.size() >= 3 && (lpw.find(lu) != std::string::npos || lu.find(lpw) != std::string::npos))
            return {Errc::password_policy, "too similar to the user name"};
    }
    if (policy.require_character_classes) {
        bool up = false, lo = false, dg = false, ot = false;
        for (unsigned char c : pw) {
            if (std::isupper(c)) up = true;
            else if (std::islower(c)) lo = true;
            else if (std::isdigit(c)) dg = true;
            else ot = true;
        }
        const unsigned classes = unsigned(up) + unsigned(lo) + unsigned(dg) + unsigned(ot);
        if (classes < policy.min_character_classes)
            return {Errc::password_policy, "uses " + std::to_string(classes) + " character classes, " +
                                               std::to_string(policy.min_character_classes) + " are required"};
    }
#if MFA_HAVE_PWQUALITY
    if (policy.check_dictionary && dictionary_available(policy)) return dictionary_check(policy, pw);
#endif
    return {};
}

Status check_password_age(const PasswordPolicy& policy, const PasswordRecordState& st, std::int64_t now) {
    if (st.compromised) return {Errc::password_expired, "the password was reported compromised: a change is required"};
    if (policy.max_age_seconds > 0 && now - st.changed_at >= policy.max_age_seconds)
        return {Errc::password_expired, "older than the maximum age"};
    return {};
}

}  // namespace mfa::server

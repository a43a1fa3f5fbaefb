// The andOTP importers on untrusted bytes: must never crash; whatever they accept must be a valid
// account (the vault would store it) with a secret inside the OTP limits.
//
// Every input is also read as an encrypted backup with the password "fuzz" (the seeds in
// corpus/import_andotp/*.aes use it): as the old layout (key = SHA-256(password), cheap) always, and
// as the current one only when its declared PBKDF2 iteration count is at most kFuzzIterations, so
// that the fuzzer does not spend its time in PBKDF2 (the library's own bound is kAndOtpMaxIterations).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/vault_import.hpp"

namespace {

constexpr std::uint32_t kFuzzIterations = 16;

void check(const mfa::Result<mfa::ImportResult>& r) {
    if (!r) return;
    for (const auto& a : r->accounts) {
        if (!mfa::validate(a.account.params).ok()) std::abort();
        if (a.account.secret.empty() || a.account.secret.size() > mfa::kMaxSecretBytes) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const mfa::SecretString password("fuzz");
    const mfa::ByteView bytes(data, size);
    check(mfa::import_andotp(text));
    check(mfa::import_andotp_encrypted_old(bytes, password));
    if (size >= 4) {
        const std::uint32_t iterations = (std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) |
                                         (std::uint32_t{data[2]} << 8) | std::uint32_t{data[3]};
        if (iterations > kFuzzIterations) return 0;
    }
    check(mfa::import_andotp_encrypted(bytes, password));
    return 0;
}

// The 2FAS JSON importer on untrusted bytes: must never crash; whatever it accepts must be a valid
// account (the vault would store it) with a secret inside the OTP limits.
//
// Encrypted backups (servicesEncrypted): without a password the whole container (schemaVersion, the
// three Base64 parts of servicesEncrypted and reference, their sizes) is checked and the call stops
// before PBKDF2's fixed 10000 iterations, which would slow the fuzzer a hundredfold. What a correct
// password decrypts is the services array the plain path parses (fuzzed here too); the GCM opening
// of fuzzed sizes is reached by fuzz_import_andotp, whose old layout needs no stretching.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/vault_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = mfa::import_2fas(text, nullptr);
    if (!r) return 0;
    if (r->format != mfa::ImportFormat::twofas) std::abort();   // an encrypted file never parses without its password
    for (const auto& a : r->accounts) {
        if (!mfa::validate(a.account.params).ok()) std::abort();
        if (a.account.secret.empty() || a.account.secret.size() > mfa::kMaxSecretBytes) std::abort();
    }
    return 0;
}

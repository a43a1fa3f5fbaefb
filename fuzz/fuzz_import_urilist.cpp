// The otpauth URI lists (with otpauth-migration lines) importer on untrusted bytes: must never crash; whatever it accepts must be a valid
// account (the vault would store it) with a secret inside the OTP limits.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/vault_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    [[maybe_unused]] const mfa::SecretString password("fuzz");
    auto r = mfa::import_uri_list(text);
    if (!r) return 0;
    for (const auto& a : r->accounts) {
        if (!mfa::validate(a.account.params).ok()) std::abort();
        if (a.account.secret.empty() || a.account.secret.size() > mfa::kMaxSecretBytes) std::abort();
    }
    return 0;
}

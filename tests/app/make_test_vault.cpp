// Test helper: creates an empty vault with cheap Argon2id parameters (64 KiB, 1 pass) so that the
// app tests and the crash test can unlock it hundreds of times quickly. It uses the explicit test
// option VaultOptions::allow_insecure_kdf; the app itself never creates such vaults (its floor is
// 19 MiB and 2 passes) but opens them, with a warning.
//   make_test_vault PATH PASSPHRASE
#include <cstdio>

#include "mfa/vault.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_test_vault PATH PASSPHRASE\n");
        return 2;
    }
    mfa::VaultOptions opts;
    opts.allow_insecure_kdf = true;
    auto v = mfa::Vault::create(argv[1], mfa::SecretString(argv[2]), mfa::KdfParams::insecure_for_tests(), opts);
    if (!v) {
        std::fprintf(stderr, "make_test_vault: %s\n", v.error().to_string().c_str());
        return 1;
    }
    return 0;
}

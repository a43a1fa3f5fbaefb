// libargon2, loaded when a vault is first unlocked or a password first hashed or verified instead
// of linked (mfa/shared_library.hpp says why): `mfa code --secret`, which opens no vault, never
// loads it. The one table of the functions that the vault's KDF (lib/vault/crypto.cpp) and the
// password hashes (lib/server/password.cpp) call; ARGON2_* and Argon2_* are constants of the header.
#pragma once

#include <argon2.h>

#include "mfa/error.hpp"
#include "mfa/shared_library.hpp"

namespace mfa::detail {

#define MFA_ARGON2_FUNCTIONS(X) X(argon2_encodedlen) X(argon2_error_message) X(argon2_hash) X(argon2id_hash_raw)

struct LibArgon2 {
    MFA_LIBRARY_POINTERS(MFA_ARGON2_FUNCTIONS)
};

// The soname of libargon2's ABI (Debian's libargon2-1).
inline constexpr const char* kLibArgon2 = "libargon2.so.1";

// libargon2, loaded on the first call, once per process; every later call sees the same outcome
// (Errc::unsupported naming the soname and what is missing when it cannot be loaded).
const Result<LibArgon2>& libargon2();

}  // namespace mfa::detail

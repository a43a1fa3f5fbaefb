#include "argon2_lib.hpp"

#include "mfa/shared_library.hpp"

namespace mfa::detail {
namespace {

Result<LibArgon2> load_argon2() {
    auto lib = SharedLibrary::open(kLibArgon2);
    if (!lib) return Error{Errc::unsupported, "argon2: " + lib.error().detail};
    LibArgon2 a;
#define MFA_ARGON2_RESOLVE(name) \
    if (auto st = lib->bind(a.name, #name); !st) return Error{Errc::unsupported, "argon2: " + st.error().detail};
    MFA_ARGON2_FUNCTIONS(MFA_ARGON2_RESOLVE)
#undef MFA_ARGON2_RESOLVE
    return a;
}

}  // namespace

const Result<LibArgon2>& libargon2() {
    static const Result<LibArgon2> loaded = load_argon2();
    return loaded;
}

}  // namespace mfa::detail

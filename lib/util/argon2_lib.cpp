#include "argon2_lib.hpp"

#include "mfa/shared_library.hpp"

namespace mfa::detail {

const Result<LibArgon2>& libargon2() {
    static const Result<LibArgon2> loaded =
        SharedLibrary::load<LibArgon2>("argon2", kLibArgon2, [](const SharedLibrary& lib, LibArgon2& t) -> Status {
            MFA_LIBRARY_BIND(MFA_ARGON2_FUNCTIONS, lib, t);
            return {};
        });
    return loaded;
}

}  // namespace mfa::detail

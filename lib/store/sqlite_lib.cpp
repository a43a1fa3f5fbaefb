#include "sqlite_lib.hpp"

#include "mfa/shared_library.hpp"

namespace mfa::store::detail {

const Result<LibSqlite>& libsqlite() {
    static const Result<LibSqlite> loaded =
        SharedLibrary::load<LibSqlite>("sqlite", kLibSqlite, [](const SharedLibrary& lib, LibSqlite& t) -> Status {
            MFA_LIBRARY_BIND(MFA_SQLITE_FUNCTIONS, lib, t);
            return {};
        });
    return loaded;
}

}  // namespace mfa::store::detail

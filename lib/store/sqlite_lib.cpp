#include "sqlite_lib.hpp"

#include "mfa/shared_library.hpp"

namespace mfa::store::detail {
namespace {

Result<LibSqlite> load_sqlite() {
    auto lib = SharedLibrary::open(kLibSqlite);
    if (!lib) return Error{Errc::unsupported, "sqlite: " + lib.error().detail};
    LibSqlite s;
#define MFA_SQLITE_RESOLVE(name) \
    if (auto st = lib->bind(s.name, #name); !st) return Error{Errc::unsupported, "sqlite: " + st.error().detail};
    MFA_SQLITE_FUNCTIONS(MFA_SQLITE_RESOLVE)
#undef MFA_SQLITE_RESOLVE
    return s;
}

}  // namespace

const Result<LibSqlite>& libsqlite() {
    static const Result<LibSqlite> loaded = load_sqlite();
    return loaded;
}

}  // namespace mfa::store::detail

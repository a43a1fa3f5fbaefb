// open_postgres_store() in a build without libpq (meson option postgresql=disabled, or libpq-dev
// missing with auto): a postgresql:// URL still parses, and opening it says why it cannot work.
#include "mfa/store.hpp"

namespace mfa::store {

Result<std::shared_ptr<Store>> open_postgres_store(const std::string&, const PostgresOptions&) {
    return Error{Errc::unsupported, "postgresql: mfakit was built without PostgreSQL support (meson option postgresql)"};
}

}  // namespace mfa::store

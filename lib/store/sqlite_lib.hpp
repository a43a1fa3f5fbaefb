// libsqlite3, loaded when a SQLite store or a backup first needs it instead of linked
// (mfa/shared_library.hpp says why). The one table of the functions that the SQLite store
// (sqlite.cpp) and the backups (lib/server/backup.cpp) call; SQLITE_TRANSIENT, SQLITE_STATIC and
// the result codes are constants of the header and need no table.
#pragma once

#include <sqlite3.h>

#include "mfa/error.hpp"
#include "mfa/shared_library.hpp"

namespace mfa::store::detail {

#define MFA_SQLITE_FUNCTIONS(X)                                                                                 \
    X(sqlite3_backup_finish) X(sqlite3_backup_init) X(sqlite3_backup_step) X(sqlite3_bind_blob)                   \
    X(sqlite3_bind_int64) X(sqlite3_bind_text) X(sqlite3_bind_zeroblob) X(sqlite3_busy_timeout)                   \
    X(sqlite3_clear_bindings) X(sqlite3_close) X(sqlite3_column_blob) X(sqlite3_column_bytes)                     \
    X(sqlite3_column_int64) X(sqlite3_column_text) X(sqlite3_errcode) X(sqlite3_errmsg) X(sqlite3_errstr)         \
    X(sqlite3_exec) X(sqlite3_extended_result_codes) X(sqlite3_finalize) X(sqlite3_free) X(sqlite3_get_autocommit) \
    X(sqlite3_open_v2) X(sqlite3_prepare_v2) X(sqlite3_prepare_v3) X(sqlite3_reset) X(sqlite3_serialize)           \
    X(sqlite3_step)

struct LibSqlite {
    MFA_LIBRARY_POINTERS(MFA_SQLITE_FUNCTIONS)
};

// The soname of SQLite 3's ABI (Debian's libsqlite3-0).
inline constexpr const char* kLibSqlite = "libsqlite3.so.0";

// libsqlite3, loaded on the first call, once per process; every later call sees the same outcome
// (Errc::unsupported naming the soname and what is missing when it cannot be loaded).
const Result<LibSqlite>& libsqlite();

// The table. Only called once libsqlite() succeeded: every database handle comes from there.
inline const LibSqlite& sq() { return *libsqlite(); }

}  // namespace mfa::store::detail

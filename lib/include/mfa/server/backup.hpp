// Backups of the SQLite store with a month of history (docs/server.md "Backups").
//
// backup_create copies a live store with SQLite's online backup API (sqlite3_backup_*: a consistent
// snapshot while other connections and processes keep writing) into memory, then writes it as
// <dir>/mfa-backup-<UTC yyyymmddThhmmss.mmmZ>.db through the tree's atomic writer (a temporary,
// mode 0600, fsynced, renamed, the directory fsynced). The names sort by time. backup_prune removes
// the backups older than the retention (30 days unless configured); backup_verify checks a copy
// (integrity_check, the kv schema, the audit hash chain) without changing it; backup_restore
// verifies, then puts a copy in place atomically, refusing to replace an existing store unless told
// to, and refusing a store another process still has open.
//
// Redis and PostgreSQL have their own tools (RDB/AOF and BGSAVE; pg_dump, pg_basebackup with WAL
// archiving): store_backup_path refuses their URLs with an error naming them.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/error.hpp"

namespace mfa::server {

inline constexpr std::int64_t kDefaultBackupRetentionDays = 30;
inline constexpr std::int64_t kMaxBackupRetentionDays = 36500;
inline constexpr std::size_t kMaxBackups = 100000;  // files listed in one backup directory

struct BackupInfo {
    std::string path;       // dir/name
    std::string name;       // mfa-backup-20261202T045000.123Z.db
    std::int64_t time = 0;  // Unix seconds, from the name (UTC)
    std::uint64_t bytes = 0;
};

struct BackupOptions {
    std::string dir;                                          // created 0700 when missing
    std::int64_t retention_days = kDefaultBackupRetentionDays;  // 1..kMaxBackupRetentionDays
    std::function<std::int64_t()> clock;                      // Unix ms; the system clock when empty (tests set it)
};

// The SQLite file of a store URL ("sqlite:<path>", "sqlite://<absolute path>"). Errors: unsupported
// for memory, Redis and PostgreSQL URLs, the detail naming the tool to use instead.
Result<std::string> store_backup_path(std::string_view store_url);

// Errors: invalid_argument (options), io (the directory, the write; the detail names the step),
// store_unavailable (the store cannot be opened or stayed busy), limit_exceeded.
Result<BackupInfo> backup_create(const std::string& store_path, const BackupOptions& opts);
// The backups in a directory, oldest first (files that are not named like one are ignored).
Result<std::vector<BackupInfo>> backup_list(const std::string& dir);
// Removes the backups whose time is before now − retention; returns those removed. The newest
// backup is never removed, however old: a store that stopped being backed up keeps its last copy.
Result<std::vector<BackupInfo>> backup_prune(const BackupOptions& opts);

struct BackupVerification {
    std::uint64_t entries = 0;         // rows of the kv table
    std::uint64_t audit_records = 0;   // audit records checked
    std::string audit_head;            // hex hash of the last one ("" for an empty log)
    std::set<std::uint32_t> key_ids;   // key ring keys the copy's encrypted secrets are under
};
// Errors: io (unreadable), backup_invalid (integrity_check or schema: the detail says which),
// audit_chain_broken / audit_record_invalid (the chain), encrypted_field_format.
Result<BackupVerification> backup_verify(const std::string& backup_path);

// The key ring keys a backup's encrypted secrets are under (key maintenance keeps them while the
// backup is retained); a lighter read than backup_verify.
Result<std::set<std::uint32_t>> backup_key_ids(const std::string& backup_path);

// Verifies the backup, then writes a copy to target_path atomically. Without `overwrite` an existing
// target is refused (Errc::backup_target_exists); with it, the target must not be open in another
// process (Errc::store_unavailable: stop the service first) and its -wal and -shm files are removed
// with it, so no journal of the replaced store is replayed over the restored one.
Status backup_restore(const std::string& backup_path, const std::string& target_path, bool overwrite);
}  // namespace mfa::server

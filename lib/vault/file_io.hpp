// Files that never lose data: bounded reads (writes go through mfa/atomic_file.hpp), the writer lock (flock on a lock file) and timestamped backups. Internal to
// lib/vault.
#pragma once

#include <cstdint>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"
#include "mfa/vault.hpp"

namespace mfa::vault_detail {

namespace fs = std::filesystem;

// The whole file, at most max bytes; Errc::vault_missing when it does not exist.
Result<Bytes> read_file(const fs::path& path, std::size_t max);

// A vault its owner made read-only (no u+w) is never replaced: Errc::vault_read_only naming the
// mode. The rename of a save would otherwise go through, as the directory is what it needs.
Status check_owner_writable(const fs::path& path);
// An exclusive flock on "<vault>.lock", released when the object dies. Held by another process:
// tried again every 50 ms for up to `wait`, then Errc::vault_locked.
class WriterLock {
public:
    static Result<WriterLock> acquire(const fs::path& vault_path, std::chrono::milliseconds wait = {});
    WriterLock(WriterLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    WriterLock& operator=(WriterLock&& o) noexcept;
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;
    ~WriterLock();

private:
    explicit WriterLock(int fd) noexcept : fd_(fd) {}
    int fd_ = -1;
};

fs::path backup_dir_for(const fs::path& vault_path, const VaultOptions& opts);
// Keeps the current vault file (if any) as "<name>.<YYYYMMDDTHHMMSSZ>.g<generation>.bak" in the
// backup directory: a hard link when possible (the old inode becomes the backup when the new
// version is renamed over it), else an atomic copy. Returns the backup's path (empty: no vault
// yet); meant as AtomicWriteOptions::keep_previous, so a failed write removes it again.
Result<fs::path> backup_current(const fs::path& vault_path, const VaultOptions& opts, std::int64_t now,
                      std::uint64_t generation);
Result<std::vector<BackupInfo>> list_backups(const fs::path& vault_path, const VaultOptions& opts);
// Removes backups older than the retention, always keeping the newest.
Status prune_backups(const fs::path& vault_path, const VaultOptions& opts, std::int64_t now);

std::int64_t now_from(const VaultOptions& opts);

}  // namespace mfa::vault_detail

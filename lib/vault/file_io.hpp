// Files that never lose data: bounded reads, atomic replacement (temporary + fsync + rename + fsync
// of the directory), the writer lock (flock on a lock file) and timestamped backups. Internal to
// lib/vault.
#pragma once

#include <cstdint>
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
// Writes data to a new 0600 temporary beside path, fsyncs it, renames it over path and fsyncs the
// directory. On any failure the temporary is removed and path is untouched.
Status write_file_atomic(const fs::path& path, ByteView data);

// Removes "<vault>.tmp-*" files a killed writer left behind (call with the writer lock held).
void remove_stale_temporaries(const fs::path& path) noexcept;

// An exclusive, non-blocking flock on "<vault>.lock", released when the object dies.
class WriterLock {
public:
    static Result<WriterLock> acquire(const fs::path& vault_path);
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
// version is renamed over it), else an atomic copy.
Status backup_current(const fs::path& vault_path, const VaultOptions& opts, std::int64_t now,
                      std::uint64_t generation);
Result<std::vector<BackupInfo>> list_backups(const fs::path& vault_path, const VaultOptions& opts);
// Removes backups older than the retention, always keeping the newest.
Status prune_backups(const fs::path& vault_path, const VaultOptions& opts, std::int64_t now);

std::int64_t now_from(const VaultOptions& opts);

}  // namespace mfa::vault_detail

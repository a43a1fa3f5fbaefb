// Files that never lose data: bounded reads (writes go through mfa/atomic_file.hpp), the writer lock (flock on a lock file) and timestamped backups. Internal to
// lib/vault.
#pragma once

#include <cstdint>
#include <chrono>
#include <filesystem>
#include <functional>
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
// A backup is made in two steps, so that a crash never leaves a backup of the version that is still
// current (which the next save would then keep a second time as "<...>.g<N>.1.bak"):
//   stage_backup   hard-links the current vault file (if any) to a hidden pending name in the backup
//                  directory, ".<name>.<YYYYMMDDTHHMMSSZ>.g<generation>.pending" (an atomic copy when
//                  links are impossible), and fsyncs the directory; meant as
//                  AtomicWriteOptions::keep_previous, so a failed write removes it again;
//   publish_backup once the new vault is renamed over the old one, renames the pending file to the
//                  first free "<name>.<stamp>.g<generation>[.<n>].bak" and fsyncs the directory.
// A process killed between the two leaves the pending file, which settle_pending_backups (the next
// writer, under the lock) resolves: still the current vault (same inode, or same bytes for a copy)
// means the vault was never replaced and it is removed; otherwise it is published. Returns the
// pending path (empty: no vault yet).
Result<fs::path> stage_backup(const fs::path& vault_path, const VaultOptions& opts, std::int64_t now,
                              std::uint64_t generation);
// stage_backup as AtomicWriteOptions::keep_previous, the pending path kept in `pending` for
// publish_backup. The paths and options are borrowed for as long as the function lives.
std::function<Result<fs::path>()> staging_backup(fs::path& pending, const fs::path& vault_path, const VaultOptions& opts,
                                                 std::int64_t now, std::uint64_t generation);
// No-op for an empty path.
Status publish_backup(const fs::path& pending);
// Only under the writer lock: another writer's pending file is not a leftover.
Status settle_pending_backups(const fs::path& vault_path, const VaultOptions& opts);
Result<std::vector<BackupInfo>> list_backups(const fs::path& vault_path, const VaultOptions& opts);
// Removes backups older than the retention, always keeping the newest.
Status prune_backups(const fs::path& vault_path, const VaultOptions& opts, std::int64_t now);

std::int64_t now_from(const VaultOptions& opts);

}  // namespace mfa::vault_detail

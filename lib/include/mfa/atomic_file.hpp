// The one way the tree replaces a file: the new content goes to a fresh temporary beside the target
// (an unpredictable name, created with O_CREAT|O_EXCL|O_NOFOLLOW, so nothing already there, and no
// symlink planted there, is ever written through), is fsynced, renamed over the target, and the
// directory is fsynced so the rename itself survives a crash. Readers see the old file or the new
// one, never a mix; a failed write leaves the old file as it was and removes the temporary.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <cstdint>

#include "mfa/bytes.hpp"
#include "mfa/error.hpp"

namespace mfa {

// The steps of a write, as named in the error detail ("rename /x/vault.tmp-... over /x/vault").
enum class AtomicWriteStep { create, write, fsync, backup, rename, dirsync };

struct AtomicWriteOptions {
    // The file's mode, set with fchmod (so the umask does not widen or narrow it).
    mode_t mode = 0600;
    // Keeps the version being replaced: called once the new content is durable in the temporary and
    // just before the rename, it returns the path of the backup it made (empty: there was nothing to
    // keep). If the rename then fails, that backup is removed again, so a failed write leaves the old
    // file and no stray backup. Typically a hard link of the current file (which the rename turns
    // into the only name of the old inode).
    std::function<Result<std::filesystem::path>()> keep_previous;
    // Anything but ok: path must not exist yet, and if it does the write fails with this code and
    // leaves it alone. Checked by the final step itself (rename without replace), so a file created
    // meanwhile is not replaced either.
    Errc refuse_existing = Errc::ok;
};

// Replaces path with data. Errc::io on failure, the detail naming the step, the file and the
// system's reason; a symlink at path itself is replaced (rename never follows it), not written
// through. If only the final directory fsync fails, path already holds the new content but the
// rename may not survive a crash: the error says so.
[[nodiscard]] Status write_file_atomic(const std::filesystem::path& path, ByteView data,
                                       const AtomicWriteOptions& opts = {});

// Removes the temporaries a killed writer left beside path ("<name>.tmp-" and 16 hex digits). Only
// safe while the caller holds whatever lock keeps other writers of path out.
void remove_atomic_temporaries(const std::filesystem::path& path) noexcept;

// rename(2) that fails with EEXIST when `to` exists: renameat2 with RENAME_NOREPLACE, or where the
// file system lacks it a hard link (which fails the same way) and the removal of `from` (a crash in
// between leaves both names on the one inode). False with errno set when it failed.
[[nodiscard]] bool rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) noexcept;

// fsyncs a directory, so that a removal or rename in it survives a crash. Errc::io naming it.
[[nodiscard]] Status fsync_directory(const std::filesystem::path& dir);

// "YYYYMMDDTHHMMSSZ" (UTC), the stamp in the names of backup files (vault backups, store backups):
// names that sort by time. parse_utc_file_stamp reads exactly that form back into Unix seconds.
std::string utc_file_stamp(std::int64_t unix_time);
bool parse_utc_file_stamp(std::string_view s, std::int64_t& out);

namespace testing {
// Test hooks, thread-local, for the failure paths that need a full disk or a hostile peer to happen
// for real. The step given fails with errno err (as if the system call had); temp_suffix makes the
// temporary name predictable ("<path>.tmp-<suffix>") so a test can plant a file or symlink there.
struct AtomicWriteHooks {
    std::optional<AtomicWriteStep> fail_at;
    int err = 5;   // EIO
    std::string temp_suffix;
};
void set_atomic_write_hooks(AtomicWriteHooks hooks);
}  // namespace testing

}  // namespace mfa

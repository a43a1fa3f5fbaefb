#include "file_io.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <thread>

#include "mfa/atomic_file.hpp"

namespace mfa::vault_detail {
namespace {

Error sys_error(std::string_view what, const fs::path& p, int err) {
    return Error(Errc::io, std::string(what) + " " + p.string() + ": " + std::strerror(err));
}

class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { if (fd_ >= 0) ::close(fd_); }
    int get() const noexcept { return fd_; }
    int release() noexcept { int f = fd_; fd_ = -1; return f; }
    bool ok() const noexcept { return fd_ >= 0; }

private:
    int fd_;
};

Status ensure_private_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("mkdir", dir, errno);
    return {};
}

// "<vault name>.<stamp>.g<generation>[.<n>].bak" -> time and generation.
bool parse_backup_name(std::string_view name, std::string_view vault_name, BackupInfo& info) {
    if (name.size() <= vault_name.size() + 1 || name.substr(0, vault_name.size()) != vault_name ||
        name[vault_name.size()] != '.')
        return false;
    std::string_view rest = name.substr(vault_name.size() + 1);
    if (rest.size() < 16 + 2 + 1 + 4 || !parse_utc_file_stamp(rest.substr(0, 16), info.time)) return false;
    rest.remove_prefix(16);
    if (rest.substr(0, 2) != ".g" || rest.size() < 4 || rest.substr(rest.size() - 4) != ".bak") return false;
    rest = rest.substr(2, rest.size() - 6);
    const std::size_t dot = rest.find('.');
    const std::string_view gen = rest.substr(0, dot);
    if (gen.empty() || gen.size() > 19 || !std::all_of(gen.begin(), gen.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    info.generation = std::stoull(std::string(gen));
    if (dot != std::string_view::npos) {
        const std::string_view n = rest.substr(dot + 1);
        if (n.empty() || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    }
    return true;
}

// The hidden name of a backup not yet published (stage_backup): list_backups never sees it, as it
// starts with a dot rather than the vault's name.
constexpr std::string_view kPendingSuffix = ".pending";

bool is_pending_name(std::string_view name, std::string_view vault_name) {
    if (name.size() <= 1 + kPendingSuffix.size() || name[0] != '.' || !name.ends_with(kPendingSuffix)) return false;
    BackupInfo info;
    return parse_backup_name(std::string(name.substr(1, name.size() - 1 - kPendingSuffix.size())) + ".bak",
                             vault_name, info);
}

Status copy_atomic(const fs::path& from, const fs::path& to) {
    auto data = read_file(from, kVaultMaxFileBytes);
    if (!data) return std::move(data).error();
    return write_file_atomic(to, *data);
}

}  // namespace

std::int64_t now_from(const VaultOptions& opts) {
    if (opts.clock) return opts.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<Bytes> read_file(const fs::path& path, std::size_t max) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.ok()) {
        if (errno == ENOENT) return Error(Errc::vault_missing, path.string());
        return sys_error("open", path, errno);
    }
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) return sys_error("stat", path, errno);
    if (!S_ISREG(st.st_mode)) return Error(Errc::io, path.string() + " is not a regular file");
    if (static_cast<std::uintmax_t>(st.st_size) > max)
        return Error(Errc::limit_exceeded, path.string() + " is larger than " + std::to_string(max) + " bytes");
    Bytes out(static_cast<std::size_t>(st.st_size));
    std::size_t off = 0;
    while (off < out.size()) {
        const ssize_t n = ::read(fd.get(), out.data() + off, out.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("read", path, errno);
        }
        if (n == 0) break;
        off += static_cast<std::size_t>(n);
    }
    out.resize(off);
    return out;
}

Status check_owner_writable(const fs::path& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return {};   // missing: read_file says so
    if ((st.st_mode & S_IWUSR) != 0) return {};
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error(Errc::vault_read_only, path.string() + " is read-only (mode " + mode +
                                            "); it is left as it is: make it writable (chmod u+w) to change it");
}

Result<WriterLock> WriterLock::acquire(const fs::path& vault_path, std::chrono::milliseconds wait) {
    const fs::path lock = vault_path.string() + ".lock";
    Fd fd(::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.ok()) return sys_error("open lock file", lock, errno);
    // Polling rather than a blocking flock: the wait stays bounded without a timer signal.
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) return sys_error("flock", lock, errno);
        if (std::chrono::steady_clock::now() >= deadline) {
            std::string why = "another process is writing " + vault_path.string();
            if (wait.count() > 0) why += " (waited " + std::to_string(wait.count()) + " ms)";
            return Error(Errc::vault_locked, why);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return WriterLock(fd.release());
}

WriterLock& WriterLock::operator=(WriterLock&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

WriterLock::~WriterLock() {
    // Closing the descriptor releases the flock; the lock file itself stays (removing it would race
    // with a process that has just opened it).
    if (fd_ >= 0) ::close(fd_);
}

fs::path backup_dir_for(const fs::path& vault_path, const VaultOptions& opts) {
    if (!opts.backup_dir.empty()) return opts.backup_dir;
    return vault_path.parent_path() / "backups";
}

Result<fs::path> stage_backup(const fs::path& vault_path, const VaultOptions& opts, std::int64_t now,
                              std::uint64_t generation) {
    struct stat st{};
    if (::lstat(vault_path.c_str(), &st) != 0) {
        if (errno == ENOENT) return fs::path();   // nothing to keep yet
        return sys_error("stat", vault_path, errno);
    }
    const fs::path dir = backup_dir_for(vault_path, opts);
    MFA_TRY(ensure_private_dir(dir));
    const fs::path pending = dir / ("." + vault_path.filename().string() + "." + utc_file_stamp(now) + ".g" +
                                    std::to_string(generation) + std::string(kPendingSuffix));
    if (::link(vault_path.c_str(), pending.c_str()) == 0) {
        if (auto synced = fsync_directory(dir); !synced) {
            ::unlink(pending.c_str());
            return std::move(synced).error();
        }
        return pending;
    }
    // settle_pending_backups ran under the same lock: a name still taken is not ours to replace.
    if (errno == EEXIST) return sys_error("link backup", pending, errno);
    // Another file system, or links not permitted: copy instead.
    MFA_TRY(copy_atomic(vault_path, pending));
    return pending;
}

std::function<Result<fs::path>()> staging_backup(fs::path& pending, const fs::path& vault_path, const VaultOptions& opts,
                                                 std::int64_t now, std::uint64_t generation) {
    return [&pending, &vault_path, &opts, now, generation]() -> Result<fs::path> {
        auto staged = stage_backup(vault_path, opts, now, generation);
        if (staged) pending = *staged;
        return staged;
    };
}

Status publish_backup(const fs::path& pending) {
    if (pending.empty()) return {};
    const fs::path dir = pending.parent_path();
    const std::string name = pending.filename().string();
    const std::string base = name.substr(1, name.size() - 1 - kPendingSuffix.size());
    for (int n = 0; n < 1000; ++n) {
        const fs::path target = dir / (n == 0 ? base + ".bak" : base + "." + std::to_string(n) + ".bak");
        if (rename_no_replace(pending, target)) return fsync_directory(dir);
        if (errno != EEXIST) return sys_error("publish backup " + target.string() + " from", pending, errno);
    }
    return Error(Errc::io, "no free backup name for " + base);
}

Status settle_pending_backups(const fs::path& vault_path, const VaultOptions& opts) {
    const fs::path dir = backup_dir_for(vault_path, opts);
    const std::string vault_name = vault_path.filename().string();
    std::vector<fs::path> pending;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (is_pending_name(it->path().filename().string(), vault_name)) pending.push_back(it->path());
    if (ec == std::errc::no_such_file_or_directory) return {};
    if (ec) return Error(Errc::io, "list " + dir.string() + ": " + ec.message());
    if (pending.empty()) return {};

    struct stat vst{};
    const bool have_vault = ::stat(vault_path.c_str(), &vst) == 0;
    if (!have_vault && errno != ENOENT) return sys_error("stat", vault_path, errno);
    auto published = list_backups(vault_path, opts);
    if (!published) return std::move(published).error();
    std::optional<Result<Bytes>> vault_bytes;  // read once, when a pending copy has the vault's size
    for (const fs::path& p : pending) {
        struct stat pst{};
        if (::lstat(p.c_str(), &pst) != 0) return sys_error("stat", p, errno);
        bool superfluous = have_vault && pst.st_dev == vst.st_dev && pst.st_ino == vst.st_ino;
        if (!superfluous && have_vault && pst.st_size == vst.st_size) {   // a copy (no links here)
            if (!vault_bytes) vault_bytes = read_file(vault_path, kVaultMaxFileBytes);
            auto a = read_file(p, kVaultMaxFileBytes);
            superfluous = a && *vault_bytes && *a == **vault_bytes;
        }
        // rename_no_replace without renameat2 links first: a crash before its unlink leaves both names.
        for (const BackupInfo& b : *published) {
            struct stat bst{};
            superfluous = superfluous ||
                          (::lstat(b.path.c_str(), &bst) == 0 && bst.st_dev == pst.st_dev && bst.st_ino == pst.st_ino);
        }
        if (superfluous) {
            if (::unlink(p.c_str()) != 0 && errno != ENOENT) return sys_error("remove pending backup", p, errno);
        } else {
            MFA_TRY(publish_backup(p));
        }
    }
    return fsync_directory(dir);
}

Result<std::vector<BackupInfo>> list_backups(const fs::path& vault_path, const VaultOptions& opts) {
    const fs::path dir = backup_dir_for(vault_path, opts);
    std::vector<BackupInfo> out;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return out;
    const std::string vault_name = vault_path.filename().string();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        BackupInfo info;
        info.name = it->path().filename().string();
        if (!parse_backup_name(info.name, vault_name, info)) continue;
        info.path = it->path();
        info.size = it->file_size(ec);
        out.push_back(std::move(info));
    }
    if (ec) return Error(Errc::io, "list " + dir.string() + ": " + ec.message());
    std::sort(out.begin(), out.end(), [](const BackupInfo& a, const BackupInfo& b) {
        return a.time != b.time ? a.time < b.time
                                : a.generation != b.generation ? a.generation < b.generation : a.name < b.name;
    });
    return out;
}

Status prune_backups(const fs::path& vault_path, const VaultOptions& opts, std::int64_t now) {
    if (opts.backup_retention_days == 0) return {};
    auto list = list_backups(vault_path, opts);
    if (!list) return std::move(list).error();
    const std::int64_t cutoff = now - static_cast<std::int64_t>(opts.backup_retention_days) * 86400;
    bool removed = false;
    for (std::size_t i = 0; i + 1 < list->size(); ++i) {   // the newest is always kept
        const auto& b = (*list)[i];
        if (b.time >= cutoff) continue;
        if (::unlink(b.path.c_str()) != 0 && errno != ENOENT) return sys_error("remove backup", b.path, errno);
        removed = true;
    }
    return removed ? fsync_directory(backup_dir_for(vault_path, opts)) : Status{};
}

}  // namespace mfa::vault_detail

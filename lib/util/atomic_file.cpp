#include "mfa/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "mfa/encoding.hpp"
#include "mfa/random.hpp"

namespace mfa {
namespace {

namespace fs = std::filesystem;

thread_local testing::AtomicWriteHooks g_hooks;

constexpr std::string_view kTempInfix = ".tmp-";
constexpr std::size_t kTempHexDigits = 16;

// True when the test hook asks this step to fail; errno then holds the injected error.
bool injected(AtomicWriteStep step) {
    if (g_hooks.fail_at != step) return false;
    errno = g_hooks.err;
    return true;
}

std::string_view step_name(AtomicWriteStep s) {
    switch (s) {
    case AtomicWriteStep::create: return "create";
    case AtomicWriteStep::write: return "write";
    case AtomicWriteStep::fsync: return "fsync";
    case AtomicWriteStep::backup: return "backup";
    case AtomicWriteStep::rename: return "rename";
    case AtomicWriteStep::dirsync: return "fsync directory";
    }
    return "?";
}

Error step_error(AtomicWriteStep step, const fs::path& target, std::string_view what, int err) {
    return Error(Errc::io, "writing " + target.string() + ": " + std::string(step_name(step)) + " " +
                               std::string(what) + ": " + std::strerror(err));
}

Status write_all(int fd, ByteView data) {
    std::size_t off = 0;
    while (off < data.size()) {
        if (injected(AtomicWriteStep::write)) return Error(Errc::io);
        const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error(Errc::io);
        }
        off += static_cast<std::size_t>(n);
    }
    return {};
}

// rename(2), or with no_replace rename_no_replace (declared in the header, as the vault's backups use it too).
bool move_into_place(const fs::path& from, const fs::path& to, bool no_replace) {
    if (!no_replace) return ::rename(from.c_str(), to.c_str()) == 0;
    return rename_no_replace(from, to);
}

}  // namespace

bool rename_no_replace(const fs::path& from, const fs::path& to) noexcept {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
    if (errno != EINVAL && errno != ENOSYS) return false;
    if (::link(from.c_str(), to.c_str()) != 0) return false;
    ::unlink(from.c_str());
    return true;
}

Status write_file_atomic(const fs::path& path, ByteView data, const AtomicWriteOptions& opts) {
    std::string suffix = g_hooks.temp_suffix;
    if (suffix.empty()) {
        std::uint8_t rnd[kTempHexDigits / 2];
        MFA_TRY(random_fill(rnd));
        suffix = hex_encode(rnd);
    }
    const fs::path tmp = path.string() + std::string(kTempInfix) + suffix;
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");

    const int fd = injected(AtomicWriteStep::create)
                       ? -1
                       : ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return step_error(AtomicWriteStep::create, path, tmp.string(), errno);

    // From here on every failure removes the temporary; the descriptor is closed first.
    int open_fd = fd;
    auto fail = [&](AtomicWriteStep step, const fs::path& what) {
        const int err = errno;
        if (open_fd >= 0) ::close(open_fd);
        ::unlink(tmp.c_str());
        return step_error(step, path, what.string(), err);
    };
    if (::fchmod(fd, opts.mode) != 0) return fail(AtomicWriteStep::create, tmp);
    if (!write_all(fd, data)) return fail(AtomicWriteStep::write, tmp);
    if (injected(AtomicWriteStep::fsync) || ::fsync(fd) != 0) return fail(AtomicWriteStep::fsync, tmp);
    open_fd = -1;
    if (::close(fd) != 0) return fail(AtomicWriteStep::fsync, tmp);

    fs::path backup;
    if (opts.keep_previous) {
        if (injected(AtomicWriteStep::backup)) return fail(AtomicWriteStep::backup, path);
        auto made = opts.keep_previous();
        if (!made) {
            ::unlink(tmp.c_str());
            Error e = std::move(made).error();
            e.detail = "writing " + path.string() + ": backup: " + e.detail;
            return e;
        }
        backup = std::move(*made);
    }
    if (injected(AtomicWriteStep::rename) || !move_into_place(tmp, path, opts.refuse_existing != Errc::ok)) {
        if (errno == EEXIST && opts.refuse_existing != Errc::ok) {
            ::unlink(tmp.c_str());
            return Error(opts.refuse_existing, path.string() + " already exists; it was left unchanged");
        }
        const int err = errno;
        if (!backup.empty()) ::unlink(backup.c_str());
        errno = err;
        return fail(AtomicWriteStep::rename, tmp.string() + " over " + path.string());
    }

    const int dfd = injected(AtomicWriteStep::dirsync) ? -1 : ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || ::fsync(dfd) != 0) {
        const int err = errno;
        if (dfd >= 0) ::close(dfd);
        return step_error(AtomicWriteStep::dirsync, path,
                          dir.string() + " (the new content is in place but may not survive a crash)", err);
    }
    ::close(dfd);
    return {};
}

Status fsync_directory(const fs::path& dir) {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        return Error(Errc::io, "fsync directory " + dir.string() + ": " + std::strerror(err));
    }
    ::close(fd);
    return {};
}

std::string utc_file_stamp(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

bool parse_utc_file_stamp(std::string_view s, std::int64_t& out) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return false;
    auto num = [&](std::size_t pos, std::size_t n, int& v) {
        v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + (s[i] - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, se;
    if (!num(0, 4, y) || !num(4, 2, mo) || !num(6, 2, d) || !num(9, 2, h) || !num(11, 2, mi) || !num(13, 2, se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    out = static_cast<std::int64_t>(::timegm(&tm));
    return true;
}

void remove_atomic_temporaries(const fs::path& path) noexcept {
    const std::string prefix = path.filename().string() + std::string(kTempInfix);
    std::error_code ec;
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() == prefix.size() + kTempHexDigits && name.starts_with(prefix)) ::unlink(it->path().c_str());
    }
}

namespace testing {
void set_atomic_write_hooks(AtomicWriteHooks hooks) { g_hooks = std::move(hooks); }
}  // namespace testing

}  // namespace mfa

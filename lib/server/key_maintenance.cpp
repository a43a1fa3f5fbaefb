#include "mfa/server/key_maintenance.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "encrypted_records.hpp"
#include "mfa/server/backup.hpp"
#include "mfa/server/keyring.hpp"

namespace mfa::server {
namespace {

constexpr std::string_view kStateKey = "mfa:keyring:rewrap";
constexpr std::int64_t kDay = 86400;

// The exclusive lock of one maintenance run, held for the run (flock: released by the kernel if
// the process dies, so a killed cron job never leaves the ring locked).
class RunLock {
public:
    ~RunLock() {
        if (fd_ >= 0) ::close(fd_);
    }
    Status take(const std::string& path, std::chrono::milliseconds wait) {
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd_ < 0) return {Errc::io, "open " + path + ": " + std::strerror(errno)};
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK && errno != EINTR) return {Errc::io, "flock " + path + ": " + std::strerror(errno)};
            if (std::chrono::steady_clock::now() >= deadline)
                return {Errc::keyring_busy, path + " is held by another key maintenance run"};
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return {};
    }

private:
    int fd_ = -1;
};

// "<target key> <done 0|1> <rewrap cursor>"
struct RewrapState {
    std::uint32_t target = 0;
    bool done = false;
    std::string cursor;
};

Result<RewrapState> read_state(store::Store& s) {
    auto raw = s.get(kStateKey);
    if (!raw) return std::move(raw).error();
    RewrapState st;
    if (!raw->has_value()) return st;
    const std::string text(as_chars(**raw));
    const auto a = text.find(' ');
    const auto b = a == std::string::npos ? a : text.find(' ', a + 1);
    auto target = store::parse_i64(text.substr(0, a));
    if (b == std::string::npos || !target || *target < 0 || *target > 0xFFFFFFFF || (text.substr(a + 1, b - a - 1) != "0" && text.substr(a + 1, b - a - 1) != "1"))
        return Error{Errc::store_corrupt, "mfa:keyring:rewrap is not '<key> <done> <cursor>'"};
    st.target = static_cast<std::uint32_t>(*target);
    st.done = text[a + 1] == '1';
    st.cursor = text.substr(b + 1);
    return st;
}

Status write_state(store::Store& s, const RewrapState& st) {
    return s.put(kStateKey, as_bytes(std::to_string(st.target) + (st.done ? " 1 " : " 0 ") + st.cursor));
}

Status check(const KeyMaintenancePolicy& p) {
    if (p.max_age < 1 || p.max_age > 36500 * kDay) return {Errc::invalid_argument, "max_age must be 1 second..36500 days"};
    if (p.batch < 1 || p.batch > store::kMaxKeyPageSize) return {Errc::invalid_argument, "batch must be 1..100000"};
    if (p.rewrap_delay < 0 || p.rewrap_delay > 30 * kDay) return {Errc::invalid_argument, "rewrap_delay must be 0..2592000 seconds"};
    if (p.backup_retention_days < 1 || p.backup_retention_days > kMaxBackupRetentionDays)
        return {Errc::invalid_argument, "backup_retention_days must be 1..36500"};
    return {};
}

// Key id -> the time until which some retained backup needs it.
Result<std::map<std::uint32_t, std::int64_t>> backup_needs(const KeyMaintenancePolicy& p, std::int64_t now) {
    std::map<std::uint32_t, std::int64_t> out;
    if (p.backup_dir.empty()) return out;
    auto list = backup_list(p.backup_dir);
    if (!list) return std::move(list).error();
    const std::int64_t keep = p.backup_retention_days * kDay;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& b = (*list)[i];
        // backup_prune keeps the newest whatever its age: so does this.
        const bool newest = i + 1 == list->size();
        if (!newest && b.time + keep < now) continue;
        auto ids = backup_key_ids(b.path);
        if (!ids) return Error{ids.error().code, "backup " + b.path + ": " + ids.error().detail};
        const std::int64_t until = newest ? std::max(b.time + keep, now + keep) : b.time + keep;
        for (auto id : *ids) out[id] = std::max(out[id], until);
    }
    return out;
}

}  // namespace

Result<KeyMaintenanceReport> maintain_keyring(const std::string& path, store::Store& store, const KeyMaintenancePolicy& p) {
    MFA_TRY(check(p));
    RunLock lock;
    MFA_TRY(lock.take(path + ".lock", p.lock_wait));
    auto ring = KeyRing::load(path);
    if (!ring) return std::move(ring).error();
    const std::int64_t now = p.clock ? p.clock()
                                     : std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch()).count();
    KeyMaintenanceReport rep;
    bool changed = false;
    for (const auto& k : ring->keys())
        if (k.created == 0 && ring->record_created(k.id, now)) {
            rep.created_recorded.push_back(k.id);
            changed = true;
        }
    auto created_of = [&](std::uint32_t id) {
        for (const auto& k : ring->keys())
            if (k.id == id) return k.created;
        return now;
    };
    if (now - created_of(ring->current_id()) >= p.max_age) {
        auto id = ring->rotate(now);
        if (!id) return std::move(id).error();
        rep.rotated = true;
        changed = true;
    }
    if (changed) MFA_TRY(ring->save(path));
    rep.current = ring->current_id();

    auto st = read_state(store);
    if (!st) return std::move(st).error();
    if (st->target != rep.current) *st = RewrapState{rep.current, false, ""};
    if (!st->done) {
        if (now - created_of(rep.current) < p.rewrap_delay) {
            rep.rewrap_pending = true;
        } else {
            auto step = detail::rewrap_step(store, *ring, st->cursor, p.batch);
            if (!step) return std::move(step).error();
            rep.examined = step->examined;
            rep.rewrapped = step->moved;
            st->cursor = step->cursor;
            st->done = step->cursor.empty();
            MFA_TRY(write_state(store, *st));
            rep.rewrap_pending = !st->done;
        }
    }
    if (!st->done) return rep;

    bool older = false;
    for (const auto& k : ring->keys()) older = older || k.id != rep.current;
    if (!older) return rep;
    // Verified, not assumed: a service that had not reloaded the ring may have written under an
    // older key after the walk passed. This read-only walk runs only while older keys exist.
    auto used = detail::encrypted_key_ids(store);
    if (!used) return std::move(used).error();
    auto needs = backup_needs(p, now);
    if (!needs) return std::move(needs).error();
    bool ring_changed = false;
    for (const auto& k : ring->keys()) {
        if (k.id == rep.current) continue;
        if (used->count(k.id) != 0) {
            if (k.retired) rep.kept.push_back(k.id);
            continue;  // still needed by the store: the next walk moves it
        }
        const auto it = needs->find(k.id);
        const std::int64_t backup_until = it == needs->end() ? 0 : it->second;
        if (!k.retired) {
            MFA_TRY(ring->retire(k.id, std::max(now, backup_until)));
            rep.retired.push_back(k.id);
            ring_changed = true;
        } else if (now >= k.retain_until) {
            if (backup_until > now) {
                MFA_TRY(ring->retire(k.id, backup_until));  // a retained backup still holds secrets under it
                rep.kept.push_back(k.id);
            } else {
                MFA_TRY(ring->remove(k.id, now));
                rep.removed.push_back(k.id);
            }
            ring_changed = true;
        }
    }
    if (ring_changed) MFA_TRY(ring->save(path));
    return rep;
}

}  // namespace mfa::server

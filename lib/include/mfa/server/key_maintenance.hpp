// Key rotation that happens by itself (docs/server.md "Key maintenance"): one bounded, idempotent
// step a cron job runs, against the key ring file and the store.
//
//   1. Keys whose creation time is unknown (a version 1 ring) get the time of this run.
//   2. When the current key is max_age seconds old, a fresh key is added and becomes current.
//   3. Once the current key is rewrap_delay old (time for every service to reload the ring: a
//      secret rewrapped under a key a running service does not know would not decrypt there),
//      at most `batch` encrypted records are examined and those under older keys re-encrypted;
//      the position is kept in the store (mfa:keyring:rewrap), so the next run resumes there.
//   4. When a rewrap walk has finished: an older key that no stored secret uses is retired, to be
//      kept until the last retained backup that holds a secret under it is pruned (backups in
//      backup_dir are read for that); a retired key past that date, still used by no stored secret
//      and no retained backup, is removed from the ring. A key that is used again is kept longer.
// The ring file is replaced atomically; two runs at once are serialised by <keyring>.lock (flock),
// the second waiting up to lock_wait and then failing with keyring_busy.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/store.hpp"

namespace mfa::server {

struct KeyMaintenancePolicy {
    std::int64_t max_age = 90 * 86400;        // seconds a key stays current: 1 s .. 36500 days
    std::size_t batch = 1000;                 // records examined a run, 1..100000
    std::int64_t rewrap_delay = 3600;         // seconds, 0..86400*30
    std::string backup_dir;                   // "" = no backups to account for
    std::int64_t backup_retention_days = 30;  // as backup_prune is run with
    std::chrono::milliseconds lock_wait{30000};
    std::function<std::int64_t()> clock;      // Unix seconds; the system clock when empty
};

struct KeyMaintenanceReport {
    std::uint32_t current = 0;           // the current key after the run
    bool rotated = false;
    std::vector<std::uint32_t> created_recorded;  // keys whose creation time this run recorded
    std::size_t examined = 0;            // records examined by the rewrap step
    std::size_t rewrapped = 0;           // of which re-encrypted
    bool rewrap_pending = false;         // the walk goes on in the next run (or waits for rewrap_delay)
    std::vector<std::uint32_t> retired;  // newly retired (retain_until set)
    std::vector<std::uint32_t> removed;  // removed from the ring
    std::vector<std::uint32_t> kept;     // retired keys still needed (by the store or a backup)
};

// Errors: invalid_argument (policy), keyring_busy, the key ring's and the store's errors.
Result<KeyMaintenanceReport> maintain_keyring(const std::string& keyring_path, store::Store& store,
                                              const KeyMaintenancePolicy& policy);

}  // namespace mfa::server

// Backups of the SQLite store (backup.hpp, docs/server.md "Backups").
#include "mfa/server/backup.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

#include "encrypted_records.hpp"
#include "mfa/atomic_file.hpp"
#include "mfa/server/audit.hpp"
#include "mfa/store.hpp"
#include "store/sqlite_lib.hpp"

namespace mfa::server {
namespace {

namespace fs = std::filesystem;
using store::detail::sq;

constexpr std::string_view kPrefix = "mfa-backup-";
constexpr std::string_view kSuffix = ".db";
constexpr std::size_t kMaxSameSecond = 1000;  // backups named within one second (".1" ... ".999")

struct DbClose {
    void operator()(sqlite3* db) const noexcept { sq().sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, DbClose>;

Error sqlite_error(Errc code, std::string_view what, sqlite3* db) {
    return Error{code, "sqlite: " + std::string(what) + ": " + (db ? sq().sqlite3_errmsg(db) : "out of memory")};
}

// Every database handle of the backups comes from here, so libsqlite3 is loaded before any call.
Result<Db> open_db(const std::string& name, int flags, Errc code) {
    if (const auto& lib = store::detail::libsqlite(); !lib) return lib.error();
    sqlite3* raw = nullptr;
    const int rc = sq().sqlite3_open_v2(name.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) return sqlite_error(code, "cannot open '" + name + "'", raw);
    sq().sqlite3_extended_result_codes(raw, 0);
    return db;
}

std::int64_t now_ms(const BackupOptions& o) {
    if (o.clock) return o.clock();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Status check_options(const BackupOptions& o) {
    if (o.dir.empty()) return {Errc::invalid_argument, "no backup directory given"};
    if (o.retention_days < 1 || o.retention_days > kMaxBackupRetentionDays)
        return {Errc::invalid_argument, "retention_days must be 1.." + std::to_string(kMaxBackupRetentionDays)};
    return {};
}

// "mfa-backup-<stamp>[.<n>].db" -> its time; false for any other name (temporaries included).
bool parse_name(std::string_view name, std::int64_t& time) {
    if (name.size() < kPrefix.size() + 16 + kSuffix.size() || name.substr(0, kPrefix.size()) != kPrefix ||
        name.substr(name.size() - kSuffix.size()) != kSuffix)
        return false;
    std::string_view rest = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
    if (!parse_utc_file_stamp(rest.substr(0, 16), time)) return false;
    rest.remove_prefix(16);
    if (rest.empty()) return true;
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 4 || rest[1] == '0') return false;
    return std::all_of(rest.begin() + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The whole store as one consistent snapshot: sqlite3_backup into an in-memory database (the
// backup restarts by itself when another connection writes mid-copy; stepping all pages at once
// holds a read transaction, so the copy is of one moment), then that database's bytes.
Result<Bytes> snapshot(const std::string& store_path) {
    std::error_code ec;
    if (!fs::is_regular_file(store_path, ec)) return Error{Errc::store_unavailable, "no SQLite store at '" + store_path + "'"};
    // Read-write without create: a WAL reader needs the -shm file, which it may have to create. The
    // backup only reads.
    auto src = open_db(store_path, SQLITE_OPEN_READWRITE, Errc::store_unavailable);
    if (!src) return std::move(src).error();
    sq().sqlite3_busy_timeout(src->get(), 5000);
    auto dst = open_db(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, Errc::internal);
    if (!dst) return std::move(dst).error();
    sqlite3_backup* b = sq().sqlite3_backup_init(dst->get(), "main", src->get(), "main");
    if (b == nullptr) return sqlite_error(Errc::store_unavailable, "backup init", dst->get());
    int rc = SQLITE_OK;
    for (int tries = 0; tries < 100; ++tries) {
        rc = sq().sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    sq().sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        const Errc code = rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? Errc::store_unavailable : Errc::io;
        return Error{code, std::string("sqlite: backup step: ") + sq().sqlite3_errstr(rc)};
    }
    sqlite3_int64 size = 0;
    unsigned char* data = sq().sqlite3_serialize(dst->get(), "main", &size, 0);
    if (data == nullptr) return Error{Errc::no_memory, "sqlite: serializing the copy"};
    Bytes out(data, data + size);
    sq().sqlite3_free(data);
    // The copy carries the source's WAL marks (header bytes 18 and 19 = 2, SQLite file format
    // §1.3.3); a backup file is read alone, with no -wal beside it: mark it rollback-journal (1). A
    // restored store switches itself back to WAL when it is opened.
    if (out.size() >= 100 && out[18] == 2 && out[19] == 2) out[18] = out[19] = 1;
    return out;
}

Result<std::string> single_text(sqlite3* db, const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sq().sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
        return sqlite_error(Errc::backup_invalid, sql, db);
    std::string out;
    int rc = sq().sqlite3_step(st);
    if (rc == SQLITE_ROW && sq().sqlite3_column_text(st, 0) != nullptr)
        out = reinterpret_cast<const char*>(sq().sqlite3_column_text(st, 0));
    sq().sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(Errc::backup_invalid, sql, db);
    return out;
}

// integrity_check, then the schema of the store: one table kv (k TEXT primary key, v BLOB, exp
// INTEGER), nothing else. Returns its row count.
Result<std::uint64_t> check_file(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return Error{Errc::io, "no backup file '" + path + "'"};
    // immutable: nothing is written beside or into the backup while it is checked.
    auto db = open_db("file:" + path + "?mode=ro&immutable=1", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, Errc::io);
    if (!db) return std::move(db).error();
    auto integrity = single_text(db->get(), "PRAGMA integrity_check(1)");
    if (!integrity) return std::move(integrity).error();
    if (*integrity != "ok") return Error{Errc::backup_invalid, "integrity_check: " + integrity->substr(0, 200)};
    auto tables = single_text(db->get(), "SELECT group_concat(name, ',') FROM sqlite_schema WHERE type = 'table'");
    if (!tables) return std::move(tables).error();
    if (*tables != "kv") return Error{Errc::backup_invalid, "schema: expected the one table kv, found '" + tables->substr(0, 200) + "'"};
    auto cols = single_text(db->get(),
                            "SELECT group_concat(name || ' ' || type || ' ' || \"notnull\" || ' ' || pk, ',') "
                            "FROM pragma_table_info('kv')");
    if (!cols) return std::move(cols).error();
    if (*cols != "k TEXT 1 1,v BLOB 1 0,exp INTEGER 1 0")
        return Error{Errc::backup_invalid, "schema: kv has the columns '" + cols->substr(0, 200) + "', not k, v, exp"};
    auto rows = single_text(db->get(), "SELECT count(*) FROM kv");
    if (!rows) return std::move(rows).error();
    return static_cast<std::uint64_t>(std::stoull(*rows));
}

Result<BackupInfo> info_of(const fs::path& p, std::int64_t time) {
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) return Error{Errc::io, "stat " + p.string() + ": " + ec.message()};
    return BackupInfo{p.string(), p.filename().string(), time, static_cast<std::uint64_t>(size)};
}

}  // namespace

Result<std::string> store_backup_path(std::string_view url) {
    auto u = store::parse_store_url(url);
    if (!u) return std::move(u).error();
    switch (u->kind) {
        case store::StoreUrl::Kind::sqlite: return u->path;
        case store::StoreUrl::Kind::memory:
            return Error{Errc::unsupported, "a memory: store lives in one process and has nothing to back up"};
        case store::StoreUrl::Kind::postgresql:
            return Error{Errc::unsupported,
                         "back up PostgreSQL with its own tools: pg_dump for a logical copy, or pg_basebackup with "
                         "WAL archiving for point-in-time recovery (docs/server.md \"Backups\")"};
        default:
            return Error{Errc::unsupported,
                         "back up Redis with its own persistence: RDB snapshots (BGSAVE, then copy dump.rdb) and/or "
                         "the AOF (docs/server.md \"Backups\")"};
    }
}

Result<BackupInfo> backup_create(const std::string& store_path, const BackupOptions& opts) {
    MFA_TRY(check_options(opts));
    std::error_code ec;
    fs::create_directories(opts.dir, ec);
    if (ec) return Error{Errc::io, "mkdir " + opts.dir + ": " + ec.message()};
    ::chmod(opts.dir.c_str(), 0700);  // backups hold the store's records: the directory is private too
    auto bytes = snapshot(store_path);
    if (!bytes) return std::move(bytes).error();
    const std::int64_t t = now_ms(opts) / 1000;
    const std::string base = std::string(kPrefix) + utc_file_stamp(t);
    AtomicWriteOptions w;
    w.mode = 0600;
    w.refuse_existing = Errc::backup_target_exists;  // never replace an earlier backup
    for (std::size_t n = 0; n < kMaxSameSecond; ++n) {
        const fs::path p = fs::path(opts.dir) / (base + (n == 0 ? "" : "." + std::to_string(n)) + std::string(kSuffix));
        auto st = write_file_atomic(p, *bytes, w);
        if (!st && st.error().code == Errc::backup_target_exists) continue;
        if (!st) return std::move(st).error();
        return info_of(p, t);
    }
    return Error{Errc::limit_exceeded, "more than 1000 backups within one second"};
}

Result<std::vector<BackupInfo>> backup_list(const std::string& dir) {
    std::vector<BackupInfo> out;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return Error{Errc::io, "cannot list backup directory '" + dir + "': " + ec.message()};
    for (const auto& entry : it) {
        std::int64_t t = 0;
        const std::string name = entry.path().filename().string();
        if (!parse_name(name, t) || !entry.is_regular_file(ec)) continue;
        if (out.size() >= kMaxBackups) return Error{Errc::limit_exceeded, "more than 100000 backups in '" + dir + "'"};
        auto info = info_of(entry.path(), t);
        if (!info) return std::move(info).error();
        out.push_back(std::move(*info));
    }
    // Names sort by time (and by the same-second counter, compared as a number).
    std::sort(out.begin(), out.end(), [](const BackupInfo& a, const BackupInfo& b) {
        return a.time != b.time ? a.time < b.time : a.name.size() != b.name.size() ? a.name.size() < b.name.size() : a.name < b.name;
    });
    return out;
}

Result<std::vector<BackupInfo>> backup_prune(const BackupOptions& opts) {
    MFA_TRY(check_options(opts));
    auto all = backup_list(opts.dir);
    if (!all) return std::move(all).error();
    const std::int64_t cutoff = now_ms(opts) / 1000 - opts.retention_days * 86400;
    std::vector<BackupInfo> removed;
    for (std::size_t i = 0; i + 1 < all->size(); ++i) {  // the newest stays
        const auto& b = (*all)[i];
        if (b.time >= cutoff) break;
        std::error_code ec;
        if (!fs::remove(b.path, ec) && ec) return Error{Errc::io, "remove " + b.path + ": " + ec.message()};
        removed.push_back(b);
    }
    if (!removed.empty()) MFA_TRY(fsync_directory(opts.dir));
    return removed;
}

Result<BackupVerification> backup_verify(const std::string& path) {
    auto rows = check_file(path);
    if (!rows) return std::move(rows).error();
    store::SqliteOptions so;
    so.read_only = true;
    auto s = store::open_sqlite_store(path, so);
    if (!s) return std::move(s).error();
    BackupVerification v;
    v.entries = *rows;
    AuditLog log(*s);
    auto chain = log.verify();
    if (!chain) return Error{chain.error().code, "backup " + path + ": " + chain.error().detail};
    v.audit_records = chain->records;
    v.audit_head = chain->head_hash;
    auto ids = detail::encrypted_key_ids(**s);
    if (!ids) return std::move(ids).error();
    v.key_ids = std::move(*ids);
    return v;
}

Result<std::set<std::uint32_t>> backup_key_ids(const std::string& path) {
    store::SqliteOptions so;
    so.read_only = true;
    auto s = store::open_sqlite_store(path, so);
    if (!s) return std::move(s).error();
    return detail::encrypted_key_ids(**s);
}

Status backup_restore(const std::string& backup_path, const std::string& target_path, bool overwrite) {
    if (target_path.empty()) return {Errc::invalid_argument, "no restore target given"};
    auto v = backup_verify(backup_path);
    if (!v) return std::move(v).error();
    std::error_code ec;
    const bool exists = fs::exists(target_path, ec);
    if (exists && !overwrite)
        return {Errc::backup_target_exists, target_path + " exists; restore into a new path, or stop the service and pass overwrite"};
    if (exists) {
        // Leaving WAL mode needs the only connection to the database: it fails while any other
        // process has the store open, and it checkpoints and removes the -wal file when it works.
        auto db = open_db(target_path, SQLITE_OPEN_READWRITE, Errc::store_unavailable);
        if (!db) return std::move(db).error();
        sq().sqlite3_busy_timeout(db->get(), 200);
        auto mode = single_text(db->get(), "PRAGMA journal_mode=DELETE");
        if (!mode || *mode != "delete")
            return {Errc::store_unavailable, target_path + " is in use by another process: stop the service before restoring over it"};
    }
    std::ifstream in(backup_path, std::ios::binary);
    Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return {Errc::io, "cannot read " + backup_path};
    AtomicWriteOptions w;
    w.mode = 0600;
    if (!overwrite) w.refuse_existing = Errc::backup_target_exists;
    MFA_TRY(write_file_atomic(target_path, data, w));
    for (const char* side : {"-wal", "-shm", "-journal"}) fs::remove(target_path + side, ec);
    return {};
}

}  // namespace mfa::server

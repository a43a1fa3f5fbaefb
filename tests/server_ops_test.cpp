// The operations of the server toolkit: backups of the SQLite store, key maintenance, hardware OTP
// tokens imported from PSKC (RFC 6030 figures, files written with OpenSSL and pskctool, bad input).
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "../lib/server/hwtoken_record.hpp"
#include "mfa/encoding.hpp"
#include "mfa/server/backup.hpp"
#include "mfa/server/hwtoken_json.hpp"
#include "mfa/server/key_maintenance.hpp"
#include "mfa/server/pskc.hpp"
#include "mfa/server/toolkit.hpp"
#include "store_backends.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::server;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/mfa-ops-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string vector_text(const std::string& name) {
    const char* src = std::getenv("MFA_SOURCE_DIR");
    std::ifstream in(std::string(src ? src : ".") + "/tests/vectors/pskc/" + name, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "missing vector " + name);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

SecretBytes hex_key(std::string_view hex) { return SecretBytes(*hex_decode(hex)); }

PskcDecryption with_key(std::string_view hex) {
    PskcDecryption d;
    d.key = hex_key(hex);
    return d;
}
PskcDecryption with_passphrase(std::string_view pw) {
    PskcDecryption d;
    d.passphrase = SecretString(pw);
    return d;
}

std::unique_ptr<Toolkit> toolkit(std::shared_ptr<store::Store> st, KeyRing ring, std::int64_t* clock) {
    ToolkitConfig cfg;
    cfg.clock = [clock] { return *clock; };
    auto t = Toolkit::create(std::move(st), std::move(ring), std::move(cfg));
    BOOST_REQUIRE(t.ok());
    return std::move(*t);
}

// Enrolls a TOTP factor for `user` and returns the Otp the "app" holds.
Otp enroll(Toolkit& tk, const std::string& user, std::int64_t now) {
    auto e = tk.totp_begin(user, "", {});
    BOOST_REQUIRE(e.ok());
    auto otp = Otp::create(SecretBytes(*base32_decode(e->secret_base32.view())), {});
    BOOST_REQUIRE(otp.ok());
    auto c = tk.totp_confirm(user, otp->generate(now).view(), {});
    BOOST_REQUIRE(c.ok() && c->ok());
    return std::move(*otp);
}

// Puts the users in org (a hardware token serves its organization's members).
void join(Toolkit& tk, const std::string& org, std::initializer_list<const char*> users) {
    for (const char* u : users) BOOST_REQUIRE(tk.set_membership(u, org, Role::member, {}).ok());
}

const std::string kRfcKey = "12345678901234567890123456789012";
// RFC 4226 Appendix D, secret "12345678901234567890", as 8 digits (the figures' ResponseFormat).
const char* const kHotp8[] = {"84755224", "94287082", "37359152", "26969429", "40338314",
                              "68254676", "18287922", "82162583", "73399871", "45520489"};

}  // namespace

BOOST_AUTO_TEST_SUITE(server_ops)

// ---- Backups ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(backup_create_list_verify_restore) {
    TempDir d;
    const std::string db = d / "mfa.db";
    std::int64_t clock = 1'700'000'000;
    auto st = store::open_sqlite_store(db);
    BOOST_REQUIRE(st.ok());
    auto tk = toolkit(*st, *KeyRing::generate(), &clock);
    enroll(*tk, "alice", clock);
    BackupOptions o;
    o.dir = d / "backups";
    auto b = backup_create(db, o);
    BOOST_REQUIRE(b.ok());
    BOOST_TEST(b->name.rfind("mfa-backup-", 0) == 0);
    struct stat sb {};
    BOOST_REQUIRE(::stat(b->path.c_str(), &sb) == 0);
    BOOST_TEST((sb.st_mode & 0777) == 0600u);
    // Two in one second get distinct names that still sort.
    auto b2 = backup_create(db, o);
    BOOST_REQUIRE(b2.ok());
    BOOST_TEST(b2->name != b->name);
    auto l = backup_list(o.dir);
    BOOST_REQUIRE(l.ok());
    BOOST_REQUIRE(l->size() == 2u);
    BOOST_TEST((*l)[0].name == b->name);
    auto v = backup_verify(b->path);
    BOOST_REQUIRE(v.ok());
    BOOST_TEST(v->audit_records >= 2u);
    BOOST_TEST(v->key_ids.count(1) == 1u);
    // Verification changed nothing: no -wal or -shm beside the copy.
    BOOST_TEST(!fs::exists(b->path + "-wal"));
    BOOST_TEST(!fs::exists(b->path + "-shm"));

    // Restore into a new path; the restored store works and has alice.
    const std::string restored = d / "restored.db";
    BOOST_REQUIRE(backup_restore(b->path, restored, false).ok());
    auto rs = store::open_sqlite_store(restored);
    BOOST_REQUIRE(rs.ok());
    auto f = (*rs)->get("mfa:totp:{alice}");
    BOOST_REQUIRE(f.ok());
    BOOST_TEST(f->has_value());
    // Refuses to overwrite without the flag, and then changes nothing.
    BOOST_TEST(backup_restore(b->path, restored, false).code() == Errc::backup_target_exists);
    // Overwriting a store another connection has open is refused (stop the service first).
    BOOST_TEST(backup_restore(b->path, restored, true).code() == Errc::store_unavailable);
    rs->reset();
    BOOST_TEST(backup_restore(b->path, restored, true).ok());
}

BOOST_AUTO_TEST_CASE(backup_while_writers_write) {
    TempDir d;
    const std::string db = d / "mfa.db";
    auto writer_store = store::open_sqlite_store(db);
    BOOST_REQUIRE(writer_store.ok());
    std::int64_t clock = 1'700'000'000;
    auto tk = toolkit(*writer_store, *KeyRing::generate(), &clock);
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    // Another thread (its own connection) appends to the audit chain and writes keys all along.
    std::thread writer([&] {
        auto s = store::open_sqlite_store(db);
        BOOST_REQUIRE(s.ok());
        AuditLog log(*s);
        for (int i = 0; !stop.load(); ++i) {
            AuditEvent e;
            e.time = 1'700'000'000 + i;
            e.type = "test.write";
            e.subject = "u" + std::to_string(i);
            if (!log.append(std::move(e)).ok()) break;
            if (!(*s)->put("test:" + std::to_string(i), as_bytes(std::string(200, 'x'))).ok()) break;
            written.fetch_add(1);
        }
    });
    while (written.load() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    BackupOptions o;
    o.dir = d / "b";
    std::vector<BackupInfo> made;
    for (int i = 0; i < 5; ++i) {
        auto b = backup_create(db, o);
        BOOST_REQUIRE(b.ok());
        made.push_back(*b);
    }
    stop = true;
    writer.join();
    std::uint64_t last = 0;
    for (const auto& b : made) {
        // Every copy is one moment of the store: its chain verifies to the end, and grows.
        auto v = backup_verify(b.path);
        BOOST_REQUIRE_MESSAGE(v.ok(), (v.ok() ? std::string() : v.error().detail));
        BOOST_TEST(v->audit_records >= last);
        last = v->audit_records;
    }
    BOOST_TEST(last > 0u);
}

BOOST_AUTO_TEST_CASE(backup_prune_keeps_a_month_and_the_newest) {
    TempDir d;
    const std::string db = d / "mfa.db";
    BOOST_REQUIRE(store::open_sqlite_store(db).ok());
    std::int64_t ms = 1'700'000'000'000;
    BackupOptions o;
    o.dir = d / "b";
    o.clock = [&ms] { return ms; };
    for (int day = 0; day < 40; ++day) {
        BOOST_REQUIRE(backup_create(db, o).ok());
        ms += 86'400'000;
    }
    ms -= 86'400'000;  // "now" is the day of the last backup
    auto removed = backup_prune(o);
    BOOST_REQUIRE(removed.ok());
    BOOST_TEST(removed->size() == 9u);  // days 0..8 are more than 30 days before day 39
    BOOST_TEST(backup_list(o.dir)->size() == 31u);
    // Far in the future only the newest remains.
    ms += 365LL * 86'400'000;
    BOOST_REQUIRE(backup_prune(o).ok());
    BOOST_TEST(backup_list(o.dir)->size() == 1u);
    o.retention_days = 0;
    BOOST_TEST(backup_prune(o).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(backup_bad_input) {
    TempDir d;
    // Other stores: a clear refusal naming their own tools.
    auto r = store_backup_path("redis://127.0.0.1:6379/0");
    BOOST_TEST(r.code() == Errc::unsupported);
    BOOST_TEST(r.error().detail.find("BGSAVE") != std::string::npos);
    auto p = store_backup_path("postgresql://u@h/db");
    BOOST_TEST(p.code() == Errc::unsupported);
    BOOST_TEST(p.error().detail.find("pg_basebackup") != std::string::npos);
    BOOST_TEST(store_backup_path("memory:").code() == Errc::unsupported);
    for (const char* url : {"redis-cluster://10.0.0.1:7000,10.0.0.2:7000/", "redis-sentinel://10.0.0.1:26379/mfa"}) {
        auto c = store_backup_path(url);
        BOOST_TEST(c.code() == Errc::unsupported, url);
        BOOST_TEST(c.error().detail.find("BGSAVE") != std::string::npos, url);
    }
    BOOST_TEST(*store_backup_path("sqlite:/var/lib/mfa.db") == "/var/lib/mfa.db");
    BackupOptions o;
    o.dir = d / "b";
    BOOST_TEST(backup_create(d / "missing.db", o).code() == Errc::store_unavailable);
    BOOST_TEST((!fs::exists(d / "b") || fs::is_empty(d / "b")));
    // A file that is not a store, and a damaged copy, fail verification.
    { std::ofstream(d / "junk.db") << "not a database"; }
    BOOST_TEST(!backup_verify(d / "junk.db").ok());
    const std::string db = d / "mfa.db";
    {
        auto s = store::open_sqlite_store(db);
        for (int i = 0; i < 200; ++i) BOOST_REQUIRE((*s)->put("k" + std::to_string(i), as_bytes(std::string(500, 'v'))).ok());
    }
    auto b = backup_create(db, o);
    BOOST_REQUIRE(b.ok());
    {
        std::fstream f(b->path, std::ios::in | std::ios::out | std::ios::binary);
        // The b-tree header of page 2 (a page type and cell counts that cannot be): damage that
        // integrity_check sees, unlike bytes inside a stored value.
        f.seekp(4096);
        f.write("\x07\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12);
    }
    auto v = backup_verify(b->path);
    BOOST_TEST(!v.ok());
    BOOST_TEST((v.code() == Errc::backup_invalid || v.code() == Errc::io || v.code() == Errc::store_corrupt));
    // A damaged backup is never restored.
    BOOST_TEST(!backup_restore(b->path, d / "new.db", false).ok());
    BOOST_TEST(!fs::exists(d / "new.db"));
    // A SQLite file of another schema is not a store backup.
    {
        sqlite3* raw = nullptr;
        BOOST_REQUIRE(sqlite3_open((d / "other.db").c_str(), &raw) == SQLITE_OK);
        BOOST_REQUIRE(sqlite3_exec(raw, "CREATE TABLE users (name TEXT)", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(raw);
    }
    auto other = backup_verify(d / "other.db");
    BOOST_TEST(other.code() == Errc::backup_invalid);
    BOOST_TEST(other.error().detail.find("users") != std::string::npos);
    BOOST_TEST(backup_verify(d / "nothing-here.db").code() == Errc::io);
}

// ---- Key ring format and maintenance --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(keyring_version_2_and_1) {
    const std::string key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    auto v1 = KeyRing::parse("mfa-keyring 1\nkey 1 retired 99 " + key + "\nkey 2 active " + key + "\n");
    BOOST_REQUIRE(v1.ok());
    BOOST_TEST(v1->keys()[0].created == 0);
    BOOST_TEST(v1->keys()[0].retain_until == 99);
    const std::string text(v1->format().view());
    BOOST_TEST(text.rfind("mfa-keyring 2\n", 0) == 0);
    BOOST_TEST(text.find("key 1 retired 0 99 ") != std::string::npos);
    auto v2 = KeyRing::parse(text);
    BOOST_REQUIRE(v2.ok());
    BOOST_TEST(std::string(v2->format().view()) == text);
    BOOST_TEST(KeyRing::parse("mfa-keyring 2\nkey 1 active " + key + "\n").code() == Errc::keyring_invalid);
    BOOST_TEST(KeyRing::parse("mfa-keyring 2\nkey 1 active -5 " + key + "\n").code() == Errc::keyring_invalid);
    BOOST_TEST(KeyRing::parse("mfa-keyring 3\nkey 1 active 5 " + key + "\n").code() == Errc::keyring_invalid);
    auto g = KeyRing::generate();
    BOOST_TEST(g->keys()[0].created > 1'600'000'000);
}

BOOST_AUTO_TEST_CASE(keyring_maintain_rotates_rewraps_in_batches_retires) {
    TempDir d;
    const std::string ring_path = d / "ring";
    std::int64_t clock = 1'700'000'000;
    KeyRing ring;
    BOOST_REQUIRE(ring.rotate(clock).ok());
    BOOST_REQUIRE(ring.save_new(ring_path).ok());
    auto st = store::open_sqlite_store(d / "mfa.db");
    BOOST_REQUIRE(st.ok());
    std::vector<Otp> apps;
    {
        auto tk = toolkit(*st, *KeyRing::load(ring_path), &clock);
        for (int i = 0; i < 7; ++i) apps.push_back(enroll(*tk, "user" + std::to_string(i), clock));
    }
    KeyMaintenancePolicy p;
    p.max_age = 30 * 86400;
    p.batch = 3;
    p.rewrap_delay = 3600;
    p.clock = [&clock] { return clock; };
    // Young key: nothing to do, idempotent.
    auto r = maintain_keyring(ring_path, **st, p);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(!r->rotated);
    BOOST_TEST(r->rewrapped == 0u);
    BOOST_TEST(r->retired.empty());
    // 31 days later: rotation, but no rewrap before the services had rewrap_delay to reload.
    clock += 31 * 86400;
    r = maintain_keyring(ring_path, **st, p);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->rotated);
    BOOST_TEST(r->current == 2u);
    BOOST_TEST(r->rewrap_pending);
    BOOST_TEST(r->rewrapped == 0u);
    // Then 3 per run: 3, 3, 1, and key 1 is retired on the run that finds it unused.
    clock += 3600;
    std::size_t total = 0;
    int runs = 0;
    for (; runs < 10; ++runs) {
        r = maintain_keyring(ring_path, **st, p);
        BOOST_REQUIRE(r.ok());
        BOOST_TEST(r->examined <= 3u);
        total += r->rewrapped;
        if (!r->rewrap_pending) break;
    }
    BOOST_TEST(total == 7u);
    BOOST_TEST(runs == 2);
    BOOST_TEST(r->retired == std::vector<std::uint32_t>{1});
    // Every user still verifies with the rewrapped secrets (a fresh toolkit on the new ring).
    {
        auto tk = toolkit(*st, *KeyRing::load(ring_path), &clock);
        for (int i = 0; i < 7; ++i)
            BOOST_TEST(tk->totp_verify("user" + std::to_string(i), apps[static_cast<std::size_t>(i)].generate(clock).view(), {})->ok());
    }
    // No backups: removed on the next run (re-checked unused first). Idempotent afterwards.
    clock += 86400;
    r = maintain_keyring(ring_path, **st, p);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->removed == std::vector<std::uint32_t>{1});
    BOOST_TEST(KeyRing::load(ring_path)->keys().size() == 1u);
    r = maintain_keyring(ring_path, **st, p);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(!r->rotated);
    BOOST_TEST(r->removed.empty());
    BOOST_TEST(r->retired.empty());
}

BOOST_AUTO_TEST_CASE(keyring_maintain_keeps_keys_retained_backups_need) {
    TempDir d;
    const std::string ring_path = d / "ring";
    const std::string db = d / "mfa.db";
    std::int64_t clock = 1'700'000'000;
    KeyRing ring;
    BOOST_REQUIRE(ring.rotate(clock).ok());
    BOOST_REQUIRE(ring.save_new(ring_path).ok());
    auto st = store::open_sqlite_store(db);
    {
        auto tk = toolkit(*st, *KeyRing::load(ring_path), &clock);
        enroll(*tk, "alice", clock);
    }
    // A backup taken under key 1.
    std::int64_t ms = clock * 1000;
    BackupOptions bo;
    bo.dir = d / "backups";
    bo.clock = [&ms] { return ms; };
    BOOST_REQUIRE(backup_create(db, bo).ok());
    KeyMaintenancePolicy p;
    p.max_age = 86400;
    p.batch = 100;
    p.rewrap_delay = 0;
    p.backup_dir = bo.dir;
    p.clock = [&clock] { return clock; };
    clock += 2 * 86400;
    auto r = maintain_keyring(ring_path, **st, p);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->rotated);
    BOOST_TEST(r->retired == std::vector<std::uint32_t>{1});
    // Retired until the backup (taken 2 days ago, kept 30 days) expires.
    for (const auto& k : KeyRing::load(ring_path)->keys())
        if (k.id == 1) BOOST_TEST(k.retain_until >= 1'700'000'000 + 30 * 86400);
    // A month on, a newer backup exists (under key 2); the old one is past retention; key 1 goes.
    clock += 29 * 86400;
    ms = clock * 1000;
    BOOST_REQUIRE(backup_create(db, bo).ok());
    clock += 86400;
    r = maintain_keyring(ring_path, **st, p);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->removed == std::vector<std::uint32_t>{1});
}

// The rotation age is in seconds: a service can rotate hourly, and a test can watch a rotation.
BOOST_AUTO_TEST_CASE(keyring_maintain_age_in_seconds) {
    TempDir d;
    const std::string ring_path = d / "ring";
    std::int64_t clock = 1'700'000'000;
    KeyRing ring;
    BOOST_REQUIRE(ring.rotate(clock).ok());
    BOOST_REQUIRE(ring.save_new(ring_path).ok());
    auto st = store::open_sqlite_store(d / "mfa.db");
    KeyMaintenancePolicy p;
    p.max_age = 15;
    p.clock = [&clock] { return clock; };
    clock += 14;
    auto r = maintain_keyring(ring_path, **st, p);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(!r->rotated);
    clock += 1;
    r = maintain_keyring(ring_path, **st, p);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->rotated);
    BOOST_TEST(r->current == 2u);
    BOOST_TEST(KeyRing::load(ring_path)->keys().size() == 2u);  // the old key stays for what it wrapped
    p.max_age = 36501LL * 86400;
    BOOST_TEST(maintain_keyring(ring_path, **st, p).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(keyring_maintain_two_runs_at_once) {
    TempDir d;
    const std::string ring_path = d / "ring";
    std::int64_t clock = 1'700'000'000;
    KeyRing ring;
    BOOST_REQUIRE(ring.rotate(clock - 100 * 86400).ok());
    BOOST_REQUIRE(ring.save_new(ring_path).ok());
    auto st = store::open_sqlite_store(d / "mfa.db");
    KeyMaintenancePolicy p;
    p.max_age = 90 * 86400;
    p.clock = [&clock] { return clock; };
    std::atomic<int> rotations{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i)
        ts.emplace_back([&] {
            auto s = store::open_sqlite_store(d / "mfa.db");
            auto r = maintain_keyring(ring_path, **s, p);
            BOOST_REQUIRE(r.ok());
            if (r->rotated) rotations.fetch_add(1);
        });
    for (auto& t : ts) t.join();
    BOOST_TEST(rotations.load() == 1);  // serialised by the lock: one run rotates, the others see a young key
    BOOST_TEST(KeyRing::load(ring_path)->current_id() == 2u);
    // A run that cannot get the lock in time fails with keyring_busy and changes nothing.
    const int fd = ::open((ring_path + ".lock").c_str(), O_RDWR);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::flock(fd, LOCK_EX) == 0);
    p.lock_wait = std::chrono::milliseconds(100);
    BOOST_TEST(maintain_keyring(ring_path, **st, p).code() == Errc::keyring_busy);
    ::close(fd);
    p.max_age = 0;
    BOOST_TEST(maintain_keyring(ring_path, **st, p).code() == Errc::invalid_argument);
}

// ---- PSKC ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(pskc_rfc6030_figures) {
    for (const char* f : {"rfc6030-figure2.pskc", "rfc6030-figure3.pskc"}) {
        auto k = parse_pskc(vector_text(f), {});
        BOOST_REQUIRE_MESSAGE(k.ok(), (k.ok() ? std::string() : k.error().detail));
        BOOST_REQUIRE(k->size() == 1u);
        BOOST_TEST(as_chars((*k)[0].secret.view()) == "12345678901234567890");
        BOOST_TEST(((*k)[0].type == OtpType::hotp));
    }
    auto f3 = parse_pskc(vector_text("rfc6030-figure3.pskc"), {});
    BOOST_TEST((*f3)[0].serial == "987654321");
    BOOST_TEST((*f3)[0].digits == 8u);
    auto f2 = parse_pskc(vector_text("rfc6030-figure2.pskc"), {});
    BOOST_TEST((*f2)[0].serial == "12345678");  // no SerialNo: the Key Id
    auto f6 = parse_pskc(vector_text("rfc6030-figure6.pskc"), with_key(kRfcKey));
    BOOST_REQUIRE_MESSAGE(f6.ok(), (f6.ok() ? std::string() : f6.error().detail));
    BOOST_TEST(as_chars((*f6)[0].secret.view()) == "12345678901234567890");
    BOOST_TEST((*f6)[0].serial == "987654321");
    auto f7 = parse_pskc(vector_text("rfc6030-figure7.pskc"), with_passphrase("qwerty"));
    BOOST_REQUIRE_MESSAGE(f7.ok(), (f7.ok() ? std::string() : f7.error().detail));
    BOOST_TEST(as_chars((*f7)[0].secret.view()) == "12345678901234567890");
    BOOST_TEST((*f7)[0].manufacturer == "TokenVendorAcme");
}

BOOST_AUTO_TEST_CASE(pskc_openssl_and_pskctool_files) {
    auto t = parse_pskc(vector_text("openssl-aes256-totp.pskc"), with_key("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    BOOST_REQUIRE_MESSAGE(t.ok(), (t.ok() ? std::string() : t.error().detail));
    BOOST_TEST(((*t)[0].type == OtpType::totp));
    BOOST_TEST(((*t)[0].algorithm == HashAlg::sha256));
    BOOST_TEST((*t)[0].period == 60u);
    BOOST_TEST((*t)[0].digits == 8u);
    BOOST_TEST(as_chars((*t)[0].secret.view()) == "12345678901234567890123456789012");
    auto h = parse_pskc(vector_text("openssl-pbkdf2-hotp.pskc"), with_passphrase("correct horse battery"));
    BOOST_REQUIRE_MESSAGE(h.ok(), (h.ok() ? std::string() : h.error().detail));
    BOOST_REQUIRE(h->size() == 2u);
    BOOST_TEST((*h)[0].counter == 5u);
    BOOST_TEST(as_chars((*h)[1].secret.view()) == "abcdefghijabcdefghij");
    auto s = parse_pskc(vector_text("pskctool-signed-figure3.pskc"), {});
    BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().detail));
    BOOST_TEST((*s)[0].serial == "987654321");
}

BOOST_AUTO_TEST_CASE(pskc_bad_input) {
    // Wrong key / passphrase: the MAC key does not decrypt, or the MAC does not verify.
    auto wrong = parse_pskc(vector_text("rfc6030-figure6.pskc"), with_key("00000000000000000000000000000000"));
    BOOST_TEST((wrong.code() == Errc::pskc_decrypt || wrong.code() == Errc::pskc_mac));
    auto wrong_pw = parse_pskc(vector_text("rfc6030-figure7.pskc"), with_passphrase("qwertz"));
    BOOST_TEST((wrong_pw.code() == Errc::pskc_decrypt || wrong_pw.code() == Errc::pskc_mac));
    // A key of the wrong length for the algorithm.
    BOOST_TEST(parse_pskc(vector_text("rfc6030-figure6.pskc"), with_key("0011")).code() == Errc::pskc_decrypt);
    // No key given for an encrypted file.
    BOOST_TEST(parse_pskc(vector_text("rfc6030-figure6.pskc"), {}).code() == Errc::pskc_invalid);
    BOOST_TEST(parse_pskc(vector_text("rfc6030-figure7.pskc"), {}).code() == Errc::pskc_invalid);
    // Altered ValueMAC.
    BOOST_TEST(parse_pskc(vector_text("bad-mac.pskc"), with_key(kRfcKey)).code() == Errc::pskc_mac);
    // OCRA is not HOTP/TOTP.
    BOOST_TEST(parse_pskc(vector_text("bad-algorithm.pskc"), {}).code() == Errc::pskc_algorithm);
    // DTD / entities refused.
    BOOST_TEST(parse_pskc(vector_text("bad-dtd.pskc"), {}).code() == Errc::pskc_invalid);
    BOOST_TEST(parse_pskc("", {}).code() == Errc::pskc_invalid);
    BOOST_TEST(parse_pskc("<a/>", {}).code() == Errc::pskc_invalid);
    BOOST_TEST(parse_pskc("<KeyContainer xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\" Version=\"1.0\"/>", {}).code() ==
               Errc::pskc_invalid);
    BOOST_TEST(parse_pskc(std::string(kMaxPskcBytes + 1, ' '), {}).code() == Errc::limit_exceeded);
}

// RFC 6030 allows most elements once. A repeat is refused, naming it and its line: which of two
// Secrets is the key would depend on the reader (libpskc keeps the last and leaks the first).
BOOST_AUTO_TEST_CASE(pskc_repeated_elements) {
    const std::string f3 = vector_text("rfc6030-figure3.pskc");
    const auto repeated = [&f3](const std::string& element) {
        const auto open = f3.find("<" + element + (element == "Key" ? " " : ""));
        const std::string close = "</" + element + ">";
        const auto end = f3.find(close, open) + close.size();
        std::string twice = f3;
        twice.insert(end, "\n" + f3.substr(open, end - open));
        return twice;
    };
    const struct {
        const char* element;
        const char* detail;
    } cases[] = {
        {"Secret", "KeyPackage 1: Key/Data: Secret repeated (line 25)"},
        {"Counter", "KeyPackage 1: Key/Data: Counter repeated (line 28)"},
        {"SerialNo", "KeyPackage 1: DeviceInfo: SerialNo repeated (line 9)"},
        {"Key", "KeyPackage 1: Key repeated (line 32)"},  // libxml2: the line its start tag ends on
        {"AlgorithmParameters", "KeyPackage 1: Key: AlgorithmParameters repeated (line 20)"},
    };
    for (const auto& c : cases) {
        auto r = parse_pskc(repeated(c.element), {});
        BOOST_TEST_CONTEXT(c.element) {
            BOOST_TEST(r.code() == Errc::pskc_invalid);
            BOOST_TEST((r.ok() ? std::string() : r.error().detail) == c.detail);
        }
    }
    // What the schema lets repeat still parses: several KeyPackages.
    std::string two = f3;
    const auto pkg = two.find("    <KeyPackage>");
    const std::string end_tag = "</KeyPackage>\n";
    const auto pkg_end = two.find(end_tag) + end_tag.size();
    two.insert(pkg_end, two.substr(pkg, pkg_end - pkg));
    auto both = parse_pskc(two, {});
    BOOST_REQUIRE_MESSAGE(both.ok(), (both.ok() ? std::string() : both.error().detail));
    BOOST_TEST(both->size() == 2u);
}

// ---- Hardware tokens in the toolkit -------------------------------------------------------------------
// Each case on every store backend (store_backends.hpp), an empty store each: the token records and
// their index are store-wide. On a cluster each token record is a slot of its own, apart from the
// user's: assign, unassign and retire write them in two steps (docs/server.md "Hardware tokens").

BOOST_AUTO_TEST_CASE(hwtoken_import_assign_verify_resync_retire) {
    test::each_store_backend(test::Stores::empty, [](const std::string&, const test::StoreOpener& open) {
        std::int64_t clock = 1'700'000'000;
        auto st = open();
        auto tk = toolkit(st, *KeyRing::generate(), &clock);
        join(*tk, "acme", {"alice", "bob", "carol"});
        auto imported = tk->hwtoken_import("acme", vector_text("rfc6030-figure6.pskc"), with_key(kRfcKey), {"ops", ""});
        BOOST_REQUIRE_MESSAGE(imported.ok(), (imported.ok() ? std::string() : imported.error().detail));
        BOOST_TEST(imported->size() == 1u);
        // The same serial again: refused whole, nothing changes.
        BOOST_TEST(tk->hwtoken_import("acme", vector_text("rfc6030-figure3.pskc"), {}, {}).code() == Errc::hwtoken_exists);
        BOOST_TEST(tk->hwtoken_import("acme", vector_text("bad-duplicate-serial.pskc"), {}, {}).code() == Errc::hwtoken_exists);
        BOOST_TEST(tk->hwtoken_list("acme")->size() == 1u);
        // The secret is stored encrypted under the key ring, never in the clear.
        auto raw = st->get("mfa:hwtok:987654321");
        BOOST_REQUIRE(raw.ok() && raw->has_value());
        BOOST_TEST(std::string(as_chars(**raw)).find("MTIz") == std::string::npos);
        BOOST_TEST(std::string(as_chars(**raw)).find("\"v1.1.") != std::string::npos);

        BOOST_TEST(tk->hwtoken_assign("", "nope", "alice", {}).code() == Errc::not_found);
        BOOST_REQUIRE(tk->hwtoken_assign("", "987654321", "alice", {}).ok());
        BOOST_TEST(tk->hwtoken_assign("", "987654321", "bob", {}).code() == Errc::hwtoken_state);
        BOOST_TEST(tk->hwtoken_get("", "987654321")->user == "alice");
        // HOTP from counter 0, 8 digits; a replay is refused; a look-ahead of up to 10 presses.
        BOOST_TEST(tk->totp_verify("alice", kHotp8[0], {})->ok());
        BOOST_TEST(tk->totp_verify("alice", kHotp8[0], {})->status == Errc::otp_code_mismatch);
        BOOST_TEST(tk->totp_verify("alice", kHotp8[3], {})->ok());  // two presses lost
        BOOST_TEST(tk->totp_verify("alice", kHotp8[2], {})->status == Errc::otp_code_mismatch);  // behind the counter
        BOOST_TEST(tk->totp_verify("alice", "123", {})->status == Errc::otp_code_format);
        // Resync: two consecutive codes far ahead.
        auto resync_far = tk->hwtoken_resync("alice", kHotp8[8], kHotp8[9], {});
        BOOST_REQUIRE(resync_far.ok());
        BOOST_TEST(resync_far->ok());
        BOOST_TEST(tk->totp_verify("alice", kHotp8[9], {})->status == Errc::otp_code_mismatch);  // used by the resync
        auto not_consecutive = tk->hwtoken_resync("alice", kHotp8[1], kHotp8[3], {});
        BOOST_TEST(!not_consecutive->ok());
        BOOST_TEST(tk->hwtoken_resync("bob", kHotp8[1], kHotp8[2], {}).code() == Errc::factor_not_enrolled);

        // Unassign keeps the counter: a later user cannot replay old codes.
        BOOST_REQUIRE(tk->hwtoken_unassign("", "987654321", {}).ok());
        BOOST_TEST(!tk->totp_enrolled("alice").value());
        BOOST_TEST(tk->hwtoken_get("", "987654321")->counter == 10u);
        BOOST_TEST(tk->hwtoken_unassign("", "987654321", {}).code() == Errc::hwtoken_state);
        // A user with an app factor must remove it first.
        enroll(*tk, "carol", clock);
        BOOST_TEST(tk->hwtoken_assign("", "987654321", "carol", {}).code() == Errc::hwtoken_state);
        BOOST_REQUIRE(tk->hwtoken_assign("", "987654321", "bob", {}).ok());
        // Retire: unassigned, seed gone, can never be assigned again.
        BOOST_REQUIRE(tk->hwtoken_retire("", "987654321", {}).ok());
        BOOST_TEST(!tk->totp_enrolled("bob").value());
        auto info = tk->hwtoken_get("", "987654321");
        BOOST_TEST((info->state == HwTokenState::retired));
        BOOST_TEST(tk->hwtoken_assign("", "987654321", "bob", {}).code() == Errc::hwtoken_state);
        BOOST_TEST(tk->hwtoken_retire("", "987654321", {}).code() == Errc::hwtoken_state);
        // Every step is in the audit chain.
        std::vector<std::string> types;
        auto events = tk->audit().read(1, 1000);
        BOOST_REQUIRE(events.ok());
        for (const auto& e : *events) types.push_back(e.type);
        for (const char* t : {"hwtoken.imported", "hwtoken.assigned", "hwtoken.resynced", "hwtoken.unassigned", "hwtoken.retired"})
            BOOST_TEST((std::find(types.begin(), types.end(), t) != types.end()), t);
        BOOST_TEST(tk->audit().verify().ok());
    });
}

// Deleting and purging the account a hardware token is assigned to hands the token back to the
// pool, with the counter it reached, so it can go to the next user without accepting old codes.
// A deleted account's token cannot be resynchronised (nor its codes accepted) until it is restored.
BOOST_AUTO_TEST_CASE(hwtoken_resync_of_a_deleted_account) {
    test::each_store_backend(test::Stores::empty, [](const std::string&, const test::StoreOpener& open) {
        std::int64_t clock = 1'700'000'000;
        auto st = open();
        auto tk = toolkit(st, *KeyRing::generate(), &clock);
        join(*tk, "acme", {"alice", "bob"});
        BOOST_REQUIRE(tk->hwtoken_import("acme", vector_text("rfc6030-figure6.pskc"), with_key(kRfcKey), {}).ok());
        BOOST_REQUIRE(tk->hwtoken_assign("", "987654321", "alice", {}).ok());
        BOOST_REQUIRE(tk->delete_account("alice", 0, {}).ok());
        auto resync = tk->hwtoken_resync("alice", kHotp8[4], kHotp8[5], {});
        BOOST_REQUIRE(resync.ok());
        BOOST_TEST(resync->status == Errc::account_deleted);
        BOOST_TEST(tk->totp_verify("alice", kHotp8[6], {})->status == Errc::account_deleted);
        // Nothing moved: once restored, the counter is where it was and the next codes work.
        BOOST_REQUIRE(tk->restore_account("alice", {}).ok());
        BOOST_TEST(tk->hwtoken_get("", "987654321")->counter == 0u);
        BOOST_TEST(tk->hwtoken_resync("alice", kHotp8[4], kHotp8[5], {})->ok());
    });
}

BOOST_AUTO_TEST_CASE(hwtoken_of_a_purged_account_goes_back_to_the_pool) {
    test::each_store_backend(test::Stores::empty, [](const std::string&, const test::StoreOpener& open) {
        std::int64_t clock = 1'700'000'000;
        auto st = open();
        auto tk = toolkit(st, *KeyRing::generate(), &clock);
        join(*tk, "acme", {"alice", "bob", "carol"});
        BOOST_REQUIRE(tk->hwtoken_import("acme", vector_text("rfc6030-figure6.pskc"), with_key(kRfcKey), {"ops", ""}).ok());
        BOOST_REQUIRE(tk->hwtoken_assign("", "987654321", "alice", {}).ok());
        BOOST_TEST(tk->totp_verify("alice", kHotp8[0], {})->ok());
        BOOST_TEST(tk->totp_verify("alice", kHotp8[1], {})->ok());
        BOOST_REQUIRE(tk->delete_account("alice", 0, {"admin", ""}).ok());
        // Within the retention the token stays the (disabled) account's.
        BOOST_TEST(tk->hwtoken_get("", "987654321")->user == "alice");
        auto purged = tk->purge(clock + 31 * 86400, {});
        BOOST_REQUIRE(purged.ok());
        BOOST_TEST(purged->size() == 1u);
        auto info = tk->hwtoken_get("", "987654321");
        BOOST_REQUIRE(info.ok());
        BOOST_TEST((info->state == HwTokenState::unassigned));
        BOOST_TEST(info->user.empty());
        BOOST_TEST(info->counter == 2u);
        // The next user gets it; the purged account's codes do not work for them.
        BOOST_REQUIRE(tk->hwtoken_assign("", "987654321", "bob", {}).ok());
        BOOST_TEST(tk->totp_verify("bob", kHotp8[1], {})->status == Errc::otp_code_mismatch);
        BOOST_TEST(tk->totp_verify("bob", kHotp8[2], {})->ok());
    });
}

BOOST_AUTO_TEST_CASE(hwtoken_totp_token_and_rewrap) {
    test::each_store_backend(test::Stores::empty, [](const std::string&, const test::StoreOpener& open) {
        std::int64_t clock = 1'700'000'000;
        auto st = open();
        auto ring = *KeyRing::generate();
        auto tk = toolkit(st, *KeyRing::parse(ring.format().view()), &clock);
        join(*tk, "acme", {"dave", "erin"});
        BOOST_REQUIRE(tk->hwtoken_import("acme", vector_text("openssl-aes256-totp.pskc"),
                                         with_key("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), {})
                          .ok());
        BOOST_REQUIRE(tk->hwtoken_assign("", "TOTP-0001", "dave", {}).ok());
        OtpParams p;
        p.algorithm = HashAlg::sha256;
        p.digits = 8;
        p.period = 60;
        auto token = Otp::create(SecretBytes(as_bytes(std::string_view("12345678901234567890123456789012"))), p);
        BOOST_TEST(tk->totp_verify("dave", token->generate(clock).view(), {})->ok());
        BOOST_TEST(tk->hwtoken_resync("dave", "12345678", "12345678", {}).code() == Errc::hwtoken_state);
        // A rewrap moves the token records too; the factor still verifies under the new key.
        BOOST_REQUIRE(tk->hwtoken_import("acme", vector_text("openssl-pbkdf2-hotp.pskc"), with_passphrase("correct horse battery"), {}).ok());
        BOOST_REQUIRE(ring.rotate(clock).ok());
        auto tk2 = toolkit(st, *KeyRing::parse(ring.format().view()), &clock);
        auto moved = tk2->rewrap();
        BOOST_REQUIRE(moved.ok());
        BOOST_TEST(*moved == 4u);  // dave's factor and three token records
        clock += 60;
        BOOST_TEST(tk2->totp_verify("dave", token->generate(clock).view(), {})->ok());
        BOOST_REQUIRE(tk2->hwtoken_assign("", "HOTP-1001", "erin", {}).ok());
        // HOTP-1001 starts at counter 5 (RFC 4226 code 5 is 254676 in 6 digits).
        BOOST_TEST(tk2->totp_verify("erin", "287082", {})->status == Errc::otp_code_mismatch);  // counter 1: behind
        BOOST_TEST(tk2->totp_verify("erin", "254676", {})->ok());
    });
}

// Each organization has its own inventory: another organization's tokens are not found, a token
// serves only its organization's members, and a token of no organization (a version 1 record,
// imported before tokens had one) is the operator's until an organization adopts it.
BOOST_AUTO_TEST_CASE(hwtoken_inventory_per_organization) {
    test::each_store_backend(test::Stores::empty, [](const std::string&, const test::StoreOpener& open) {
        std::int64_t clock = 1'700'000'000;
        auto st = open();
        auto tk = toolkit(st, *KeyRing::generate(), &clock);
        join(*tk, "acme", {"alice"});
        join(*tk, "globex", {"gus"});
        BOOST_TEST(tk->hwtoken_import("", vector_text("rfc6030-figure6.pskc"), with_key(kRfcKey), {}).code() == Errc::invalid_argument);
        BOOST_REQUIRE(tk->hwtoken_import("acme", vector_text("rfc6030-figure6.pskc"), with_key(kRfcKey), {"ops", ""}).ok());
        // A serial is unique in the store, whichever organization holds it.
        BOOST_TEST(tk->hwtoken_import("globex", vector_text("rfc6030-figure3.pskc"), {}, {}).code() == Errc::hwtoken_exists);
        BOOST_TEST(tk->hwtoken_list("acme")->size() == 1u);
        BOOST_TEST(tk->hwtoken_list("globex")->empty());
        BOOST_TEST(tk->hwtoken_list("")->size() == 1u);
        BOOST_TEST(tk->hwtoken_get("acme", "987654321")->org == "acme");
        // globex sees nothing of acme's token; nor may acme's token go to a globex member.
        BOOST_TEST(tk->hwtoken_get("globex", "987654321").code() == Errc::not_found);
        auto hidden = tk->hwtoken_assign("globex", "987654321", "gus", {});
        BOOST_TEST(hidden.code() == Errc::not_found);
        BOOST_TEST(hidden.error().detail.find("in globex") != std::string::npos);
        auto cross = tk->hwtoken_assign("acme", "987654321", "gus", {});
        BOOST_TEST(cross.code() == Errc::hwtoken_org);
        BOOST_TEST(cross.error().detail.find("gus is not a member of it") != std::string::npos);
        BOOST_TEST(tk->hwtoken_assign("", "987654321", "nobody", {}).code() == Errc::hwtoken_org);
        BOOST_REQUIRE(tk->hwtoken_assign("acme", "987654321", "alice", {}).ok());
        BOOST_TEST(tk->hwtoken_unassign("globex", "987654321", {}).code() == Errc::not_found);
        BOOST_TEST(tk->hwtoken_retire("globex", "987654321", {}).code() == Errc::not_found);
        BOOST_TEST(tk->hwtoken_adopt("987654321", "globex", {}).code() == Errc::hwtoken_org);
        BOOST_REQUIRE(tk->hwtoken_unassign("acme", "987654321", {}).ok());
        BOOST_REQUIRE(tk->hwtoken_retire("acme", "987654321", {}).ok());
        // The token's events are in its organization's trail.
        AuditQuery q;
        q.org = "acme";
        q.type = "hwtoken.*";
        auto trail = tk->audit_query(q);
        BOOST_REQUIRE(trail.ok());
        BOOST_TEST(trail->events.size() == 4u);

        // A version 1 record (no "org"), as stores written before hold them.
        auto legacy_raw = st->get("mfa:hwtok:987654321");
        BOOST_REQUIRE(legacy_raw.ok() && legacy_raw->has_value());
        std::string v2(as_chars(**legacy_raw));
        BOOST_TEST(v2.find("\"v\":2") != std::string::npos);
        BOOST_REQUIRE(tk->hwtoken_import("acme", vector_text("openssl-pbkdf2-hotp.pskc"), with_passphrase("correct horse battery"), {}).ok());
        auto raw = st->get("mfa:hwtok:HOTP-1001");
        BOOST_REQUIRE(raw.ok() && raw->has_value());
        auto rec = server::detail::parse_hwtoken_record(as_chars(**raw));
        BOOST_REQUIRE(rec.ok());
        rec->info.org.clear();
        const std::string v1 = server::detail::hwtoken_record_json(*rec);
        BOOST_TEST(v1.find("\"v\":1") != std::string::npos);
        BOOST_TEST(v1.find("\"org\"") == std::string::npos);
        BOOST_REQUIRE(st->put("mfa:hwtok:HOTP-1001", as_bytes(v1)).ok());
        BOOST_TEST(tk->hwtoken_get("", "HOTP-1001")->org.empty());
        BOOST_TEST(tk->hwtoken_get("acme", "HOTP-1001").code() == Errc::not_found);
        BOOST_TEST(hwtoken_info_json(*tk->hwtoken_get("", "HOTP-1001")).find("\"org\":null") != std::string::npos);
        BOOST_TEST(tk->hwtoken_adopt("HOTP-1001", "", {}).code() == Errc::invalid_argument);
        BOOST_REQUIRE(tk->hwtoken_adopt("HOTP-1001", "globex", {"ops", ""}).ok());
        BOOST_TEST(tk->hwtoken_get("globex", "HOTP-1001")->org == "globex");
        BOOST_TEST(tk->hwtoken_adopt("HOTP-1001", "acme", {}).code() == Errc::hwtoken_org);
        BOOST_REQUIRE(tk->hwtoken_assign("globex", "HOTP-1001", "gus", {}).ok());
        // A malformed organization in a version 2 record is corrupt, not a token of none.
        std::string bad = v1;
        bad.replace(bad.find("\"v\":1"), 5, "\"v\":2");
        BOOST_TEST(server::detail::parse_hwtoken_record(bad).code() == Errc::store_corrupt);
        bad.insert(bad.size() - 1, ",\"org\":\"\"");
        BOOST_TEST(server::detail::parse_hwtoken_record(bad).code() == Errc::store_corrupt);
        BOOST_TEST(tk->audit().verify().ok());
    });
}

BOOST_AUTO_TEST_SUITE_END()

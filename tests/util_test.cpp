#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>

#include "mfa/atomic_file.hpp"
#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/reader.hpp"
#include "mfa/secret.hpp"
#include "mfa/shared_library.hpp"
#include "test_support.hpp"

using namespace mfa;

namespace {
std::string str(const SecretBytes& b) { return std::string(as_chars(b.view())); }

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards; the hooks are reset whatever the test did.
struct TempDir {
    fs::path dir;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "mfa-util-XXXXXX").string();
        dir = ::mkdtemp(t.data());
    }
    ~TempDir() {
        testing::set_atomic_write_hooks({});
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::set<std::string> names(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

testing::AtomicWriteHooks hooks_with(std::optional<AtomicWriteStep> step, int err, std::string suffix = {}) {
    testing::AtomicWriteHooks h;
    h.fail_at = step;
    h.err = err;
    h.temp_suffix = std::move(suffix);
    return h;
}

mode_t mode_of(const fs::path& p) {
    struct stat st{};
    BOOST_REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(util)

BOOST_AUTO_TEST_CASE(base32_rfc4648_vectors) {
    // RFC 4648 §10, with and without padding.
    const std::pair<const char*, const char*> v[] = {
        {"", ""},          {"f", "MY======"},         {"fo", "MZXQ===="},         {"foo", "MZXW6==="},
        {"foob", "MZXW6YQ="}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI======"},
    };
    for (auto [plain, enc] : v) {
        auto d = base32_decode(enc);
        BOOST_REQUIRE_MESSAGE(d.ok(), enc);
        BOOST_TEST(str(*d) == plain);
        std::string unpadded(enc);
        unpadded.erase(unpadded.find_last_not_of('=') + 1);
        auto d2 = base32_decode(unpadded);
        BOOST_REQUIRE(d2.ok());
        BOOST_TEST(str(*d2) == plain);
        BOOST_TEST(std::string(base32_encode(as_bytes(plain)).view()) == unpadded);
    }
}

BOOST_AUTO_TEST_CASE(base32_human_input) {
    auto d = base32_decode("mzxw 6ytb-oi");
    BOOST_REQUIRE(d.ok());
    BOOST_TEST(str(*d) == "foobar");
}

BOOST_AUTO_TEST_CASE(base32_rejects_with_position) {
    auto r = base32_decode("MZXW1YTB");
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.code() == Errc::base32_invalid);
    BOOST_TEST(r.error().detail == "invalid character at position 4");
    BOOST_TEST(base32_decode("MZXW6===X").error().detail == "data after padding at position 8");
    BOOST_TEST(base32_decode("MZXW6==").code() == Errc::base32_invalid);   // 3 pad expected
    BOOST_TEST(base32_decode("MZX").code() == Errc::base32_invalid);       // 3 chars: impossible length
    BOOST_TEST(base32_decode("MZXW6\xC3\xA9").error().detail == "invalid character at position 5");
    BOOST_TEST(base32_decode(std::string(kBase32MaxInput + 1, 'A')).code() == Errc::limit_exceeded);
}

BOOST_AUTO_TEST_CASE(base64_modes) {
    const std::string bytes = "\xfb\xff\xbf";
    BOOST_TEST(base64url_encode(as_bytes(bytes)) == "-_-_");
    BOOST_TEST(base64_encode(as_bytes(bytes)) == "+/+/");
    BOOST_TEST(base64_encode(as_bytes("fo")) == "Zm8=");
    BOOST_TEST(base64_decode("-_-_", Base64Mode::url_strict).ok());
    BOOST_TEST(base64_decode("+/+/", Base64Mode::url_strict).code() == Errc::base64_invalid);
    BOOST_TEST(base64_decode("Zm8=", Base64Mode::url_strict).code() == Errc::base64_invalid);
    BOOST_TEST(base64_decode("Zm8", Base64Mode::standard).code() == Errc::base64_invalid);
    auto l = base64_decode("Zm8=", Base64Mode::lenient);
    BOOST_REQUIRE(l.ok());
    BOOST_TEST(std::string(as_chars(*l)) == "fo");
    BOOST_TEST(base64_decode("Zm9=", Base64Mode::lenient).code() == Errc::base64_invalid);  // trailing bits
    BOOST_TEST(base64_decode("Z", Base64Mode::lenient).code() == Errc::base64_invalid);
    BOOST_TEST(base64_decode("Zm8*", Base64Mode::lenient).error().detail == "invalid character at position 3");
}

BOOST_AUTO_TEST_CASE(hex_round_trip) {
    auto d = hex_decode("00ff10Ab");
    BOOST_REQUIRE(d.ok());
    BOOST_TEST(hex_encode(*d) == "00ff10ab");
    BOOST_TEST(hex_decode("0").code() == Errc::hex_invalid);
    BOOST_TEST(hex_decode("0g").error().detail == "invalid character at position 1");
}

BOOST_AUTO_TEST_CASE(secret_bytes_move_and_wipe) {
    SecretBytes a(as_bytes("secret"));
    SecretBytes b = std::move(a);
    BOOST_TEST(a.size() == 0u);
    BOOST_TEST(str(b) == "secret");
    b.append(as_bytes("-more"));
    BOOST_TEST(str(b) == "secret-more");
    b.resize(3);
    BOOST_TEST(str(b) == "sec");
    SecretBytes c = b.clone();
    b.clear();
    BOOST_TEST(b.empty());
    BOOST_TEST(str(c) == "sec");
}

BOOST_AUTO_TEST_CASE(ct_equal_semantics) {
    BOOST_TEST(ct_equal(std::string_view("123456"), std::string_view("123456")));
    BOOST_TEST(!ct_equal(std::string_view("123456"), std::string_view("123457")));
    BOOST_TEST(!ct_equal(std::string_view("12345"), std::string_view("123456")));
    BOOST_TEST(ct_equal(std::string_view(""), std::string_view("")));
    BOOST_TEST(ct_eq_mask(7, 7) == 0xFFFFFFFFu);
    BOOST_TEST(ct_eq_mask(7, 8) == 0u);
    BOOST_TEST(ct_lt_mask(3, 9) == 0xFFFFFFFFu);
    BOOST_TEST(ct_lt_mask(9, 3) == 0u);
    BOOST_TEST(ct_lt_mask(0, 0x80000000u) == 0xFFFFFFFFu);
}

BOOST_AUTO_TEST_CASE(reader_bounds) {
    const std::uint8_t buf[] = {0x01, 0x02, 0x03, 0xAC, 0x02};
    Reader r{ByteView(buf)};
    std::uint16_t v16 = 0;
    BOOST_TEST(r.get_u16be(v16));
    BOOST_TEST(v16 == 0x0102);
    std::uint32_t v32 = 0;
    BOOST_TEST(!r.get_u32be(v32));  // only 3 left: fails and does not advance
    BOOST_TEST(r.position() == 2u);
    BOOST_TEST(r.skip(1));
    std::uint64_t vi = 0;
    BOOST_TEST(r.get_varint(vi));
    BOOST_TEST(vi == 300u);
    BOOST_TEST(r.empty());
    const std::uint8_t overlong[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02};
    Reader r2{ByteView(overlong)};
    BOOST_TEST(!r2.get_varint(vi));
    Bytes out;
    Writer w(out);
    w.varint(300);
    w.u32be(0xDEADBEEF);
    BOOST_TEST(hex_encode(out) == "ac02deadbeef");
}

BOOST_AUTO_TEST_CASE(random_is_random) {
    std::set<std::string> seen;
    for (int i = 0; i < 32; ++i) {
        auto s = random_secret(20);
        BOOST_REQUIRE(s.ok());
        seen.insert(hex_encode(s->view()));
    }
    BOOST_TEST(seen.size() == 32u);
    for (int i = 0; i < 1000; ++i) {
        auto u = random_uniform(26);
        BOOST_REQUIRE(u.ok());
        BOOST_TEST(*u < 26u);
    }
    BOOST_TEST(random_uniform(0).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(atomic_write_replaces_the_file_with_mode_0600) {
    TempDir t;
    const fs::path f = t.dir / "state";
    BOOST_REQUIRE(write_file_atomic(f, as_bytes("first")).ok());
    BOOST_TEST(slurp(f) == "first");
    BOOST_TEST(mode_of(f) == 0600u);
    // An existing file of another mode is replaced, not reused: the mode is the writer's.
    ::chmod(f.c_str(), 0644);
    BOOST_REQUIRE(write_file_atomic(f, as_bytes("second")).ok());
    BOOST_TEST(slurp(f) == "second");
    BOOST_TEST(mode_of(f) == 0600u);
    AtomicWriteOptions o;
    o.mode = 0640;
    BOOST_REQUIRE(write_file_atomic(f, as_bytes(""), o).ok());
    BOOST_TEST(slurp(f).empty());
    BOOST_TEST(mode_of(f) == 0640u);
    BOOST_TEST(names(t.dir) == std::set<std::string>{"state"});
}

BOOST_AUTO_TEST_CASE(atomic_write_temporaries_are_unpredictable) {
    // Two writes never use the same temporary: a name known in advance cannot be planted.
    TempDir t;
    const fs::path f = t.dir / "f";
    std::set<std::string> seen;
    for (int i = 0; i < 8; ++i) {
        AtomicWriteOptions o;
        o.keep_previous = [&]() -> Result<fs::path> {
            for (const auto& n : names(t.dir))
                if (n.starts_with("f.tmp-")) seen.insert(n);
            return fs::path();
        };
        BOOST_REQUIRE(write_file_atomic(f, as_bytes("x"), o).ok());
    }
    BOOST_TEST(seen.size() == 8u);
    for (const auto& n : seen) BOOST_TEST(n.size() == std::string("f.tmp-").size() + 16);
}

BOOST_AUTO_TEST_CASE(atomic_write_never_follows_a_planted_symlink) {
    TempDir t;
    const fs::path f = t.dir / "keyring";
    const fs::path victim = t.dir / "victim";
    BOOST_REQUIRE(write_file_atomic(victim, as_bytes("precious")).ok());
    BOOST_REQUIRE(write_file_atomic(f, as_bytes("old")).ok());
    testing::set_atomic_write_hooks(hooks_with({}, 0, "planted"));
    fs::create_symlink(victim, t.dir / "keyring.tmp-planted");
    auto st = write_file_atomic(f, as_bytes("new"));
    BOOST_TEST(st.code() == Errc::io);
    BOOST_TEST(st.error().detail.find("create") != std::string::npos);
    BOOST_TEST(st.error().detail.find("keyring.tmp-planted") != std::string::npos);
    BOOST_TEST(slurp(victim) == "precious");
    BOOST_TEST(slurp(f) == "old");
    // A plain file planted there is not truncated or reused either (O_EXCL).
    fs::remove(t.dir / "keyring.tmp-planted");
    std::ofstream(t.dir / "keyring.tmp-planted") << "planted";
    BOOST_TEST(write_file_atomic(f, as_bytes("new")).code() == Errc::io);
    testing::set_atomic_write_hooks({});
    BOOST_TEST(slurp(t.dir / "keyring.tmp-planted") == "planted");
    BOOST_TEST(slurp(f) == "old");
    fs::remove(t.dir / "keyring.tmp-planted");

    // A symlink at the target itself is replaced by the new file; what it pointed to is untouched.
    fs::remove(f);
    fs::create_symlink(victim, f);
    BOOST_REQUIRE(write_file_atomic(f, as_bytes("new")).ok());
    BOOST_TEST(!fs::is_symlink(f));
    BOOST_TEST(slurp(f) == "new");
    BOOST_TEST(slurp(victim) == "precious");
}

BOOST_AUTO_TEST_CASE(atomic_write_failure_leaves_the_old_file_and_nothing_else) {
    const std::pair<AtomicWriteStep, const char*> steps[] = {
        {AtomicWriteStep::create, "create"}, {AtomicWriteStep::write, "write"},
        {AtomicWriteStep::fsync, "fsync"},   {AtomicWriteStep::backup, "backup"},
        {AtomicWriteStep::rename, "rename"},
    };
    for (auto [step, name] : steps) {
        BOOST_TEST_CONTEXT(name) {
            TempDir t;
            const fs::path f = t.dir / "vault";
            BOOST_REQUIRE(write_file_atomic(f, as_bytes("old")).ok());
            AtomicWriteOptions o;
            o.keep_previous = [&]() -> Result<fs::path> {
                const fs::path b = t.dir / "vault.bak";
                if (::link(f.c_str(), b.c_str()) != 0) return Error(Errc::io, "link");
                return b;
            };
            testing::set_atomic_write_hooks(hooks_with(step, ENOSPC));
            auto st = write_file_atomic(f, as_bytes("new content"), o);
            testing::set_atomic_write_hooks({});
            BOOST_TEST(st.code() == Errc::io);
            BOOST_TEST(st.error().detail.find(std::string(": ") + name) != std::string::npos, st.error().detail);
            BOOST_TEST(st.error().detail.find(f.string()) != std::string::npos);
            if (step != AtomicWriteStep::backup)
                BOOST_TEST(st.error().detail.find("No space left on device") != std::string::npos);
            BOOST_TEST(slurp(f) == "old");
            BOOST_TEST(names(t.dir) == std::set<std::string>{"vault"});   // no temporary, no backup
        }
    }
}

BOOST_AUTO_TEST_CASE(atomic_write_backup_made_only_with_the_new_file) {
    TempDir t;
    const fs::path f = t.dir / "vault";
    BOOST_REQUIRE(write_file_atomic(f, as_bytes("old")).ok());
    AtomicWriteOptions o;
    o.keep_previous = [&]() -> Result<fs::path> {
        // The new content is already durable beside the target when the backup is made.
        bool temp_seen = false;
        for (const auto& n : names(t.dir)) {
            if (n.starts_with("vault.tmp-")) temp_seen = slurp(t.dir / n) == "new";
        }
        BOOST_TEST(temp_seen);
        const fs::path b = t.dir / "vault.bak";
        if (::link(f.c_str(), b.c_str()) != 0) return Error(Errc::io, "link");
        return b;
    };
    BOOST_REQUIRE(write_file_atomic(f, as_bytes("new"), o).ok());
    BOOST_TEST(slurp(f) == "new");
    BOOST_TEST(slurp(t.dir / "vault.bak") == "old");
    // A failing keep_previous stops the write: its error is reported, the temporary removed.
    o.keep_previous = []() -> Result<fs::path> { return Error(Errc::vault_backup, "disk says no"); };
    auto st = write_file_atomic(f, as_bytes("newer"), o);
    BOOST_TEST(st.code() == Errc::vault_backup);
    BOOST_TEST(st.error().detail.find("disk says no") != std::string::npos);
    BOOST_TEST(slurp(f) == "new");
    BOOST_TEST(names(t.dir) == (std::set<std::string>{"vault", "vault.bak"}));
}

BOOST_AUTO_TEST_CASE(atomic_write_real_failures) {
    TempDir t;
    // A directory where the file should go: rename fails for real.
    fs::create_directory(t.dir / "taken");
    auto st = write_file_atomic(t.dir / "taken", as_bytes("x"));
    BOOST_TEST(st.code() == Errc::io);
    BOOST_TEST(st.error().detail.find("rename") != std::string::npos);
    BOOST_TEST(fs::is_directory(t.dir / "taken"));
    BOOST_TEST(names(t.dir) == std::set<std::string>{"taken"});
    // A directory that does not exist: create fails, naming the temporary's path.
    st = write_file_atomic(t.dir / "missing" / "f", as_bytes("x"));
    BOOST_TEST(st.code() == Errc::io);
    BOOST_TEST(st.error().detail.find("create") != std::string::npos);
    BOOST_TEST(st.error().detail.find("No such file or directory") != std::string::npos);
    // A failed directory fsync says the content is in place but not yet durable.
    testing::set_atomic_write_hooks(hooks_with(AtomicWriteStep::dirsync, EIO));
    st = write_file_atomic(t.dir / "f", as_bytes("x"));
    testing::set_atomic_write_hooks({});
    BOOST_TEST(st.code() == Errc::io);
    BOOST_TEST(st.error().detail.find("fsync directory") != std::string::npos);
    BOOST_TEST(slurp(t.dir / "f") == "x");
}

BOOST_AUTO_TEST_CASE(atomic_write_stale_temporaries_removed) {
    TempDir t;
    const fs::path f = t.dir / "vault";
    BOOST_REQUIRE(write_file_atomic(f, as_bytes("v")).ok());
    std::ofstream(t.dir / "vault.tmp-0123456789abcdef") << "left by a killed writer";
    std::ofstream(t.dir / "vault.tmp-short") << "not ours";
    std::ofstream(t.dir / "other.tmp-0123456789abcdef") << "another file's";
    remove_atomic_temporaries(f);
    BOOST_TEST(names(t.dir) == (std::set<std::string>{"vault", "vault.tmp-short", "other.tmp-0123456789abcdef"}));
}


// The loader behind lazily loaded dependencies (libpq): a library that is there gives its functions,
// a missing library or function is an error that names it.
BOOST_AUTO_TEST_CASE(shared_library_loads_binds_and_names_what_is_missing) {
    auto libc = mfa::SharedLibrary::open("libc.so.6");
    BOOST_REQUIRE_MESSAGE(libc.ok(), (libc ? std::string() : libc.error().to_string()));
    std::size_t (*length)(const char*) = nullptr;
    BOOST_REQUIRE(libc->bind(length, "strlen").ok());
    BOOST_TEST(length("four") == 4u);

    int (*nothing)() = nullptr;
    auto st = libc->bind(nothing, "mfa_no_such_function");
    BOOST_TEST(!st.ok());
    BOOST_TEST(st.code() == mfa::Errc::unsupported);
    BOOST_TEST(st.error().detail.find("libc.so.6 has no mfa_no_such_function") != std::string::npos, st.error().detail);
    BOOST_TEST(nothing == nullptr);

    auto missing = mfa::SharedLibrary::open("libmfa-no-such-library.so.9");
    BOOST_TEST(!missing.ok());
    BOOST_TEST(missing.code() == mfa::Errc::unsupported);
    BOOST_TEST(missing.error().detail.find("libmfa-no-such-library.so.9 could not be loaded") != std::string::npos,
               missing.error().detail);
}

BOOST_AUTO_TEST_SUITE_END()

// libsqlite3, libargon2, libpwquality, libpskc and libxml2 are loaded when first used, not linked:
// a process that opens no SQLite store, unlocks no vault, hashes no password and imports no PSKC
// file maps none of them (docs/performance.md, "Start-up"). Its own executable: the store and
// server_ops suites link libsqlite3 to drive it directly, this one links none of these libraries.
// Each case checks only its own libraries, so the cases hold in any order and alone.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

#include "../lib/vault/crypto.hpp"
#include "mfa/server/backup.hpp"
#include "mfa/server/password.hpp"
#include "mfa/server/pskc.hpp"
#include "mfa/store.hpp"
#include "mfa/vault.hpp"
#include "mfa_features.h"
#include "test_support.hpp"
#include "vault_fakes.hpp"

using namespace mfa;

namespace {

// The libraries of this test the loader has mapped into this process, by soname (file name).
std::set<std::string> loaded() {
    return mfa::test::mapped_among({"libsqlite3.so.0", "libargon2.so.1", "libpwquality.so.1", "libpskc.so.0", "libxml2.so.2"});
}

bool is_loaded(const std::string& soname) { return loaded().count(soname) == 1; }

// What the loader had mapped before main(): the libraries this executable links.
const std::set<std::string> kAtStart = loaded();

template <class R>
std::string why(const R& r) {
    return r.ok() ? std::string() : r.error().to_string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lazy_libraries)

BOOST_AUTO_TEST_CASE(none_is_linked) {
    BOOST_TEST(kAtStart.empty());
}

BOOST_AUTO_TEST_CASE(sqlite_on_the_first_store_or_backup) {
    BOOST_TEST(!kAtStart.count("libsqlite3.so.0"));
    // Refused before SQLite is needed: an empty path, a memory store.
    BOOST_TEST(store::open_sqlite_store("").code() == Errc::invalid_argument);
    BOOST_TEST(store::open_store("memory:").ok());
    BOOST_TEST(!is_loaded("libsqlite3.so.0"));

    test::TempDir dir;
    const std::string db = (dir.path / "store.db").string();
    auto s = store::open_sqlite_store(db);
    BOOST_REQUIRE_MESSAGE(s, why(s));
    BOOST_TEST(is_loaded("libsqlite3.so.0"));
    BOOST_TEST((*s)->put("k", as_bytes(std::string_view("v"))).ok());
    // The backups call SQLite through the same table.
    server::BackupOptions o;
    o.dir = (dir.path / "backups").string();
    auto b = server::backup_create(db, o);
    BOOST_REQUIRE_MESSAGE(b, why(b));
    auto v = server::backup_verify(b->path);
    BOOST_REQUIRE_MESSAGE(v, why(v));
    BOOST_TEST(v->entries == 1u);
}

BOOST_AUTO_TEST_CASE(argon2_on_the_first_key_derivation) {
    BOOST_TEST(!kAtStart.count("libargon2.so.1"));
    // Bad parameters are refused before the library is needed.
    server::Argon2Params bad;
    bad.passes = 0;
    BOOST_TEST(server::hash_password("pw", bad).code() == Errc::invalid_argument);
    BOOST_TEST(!is_loaded("libargon2.so.1"));

    // The vault's KDF (what unlocking a vault runs) ...
    const std::uint8_t salt[16] = {1, 2, 3};
    auto k = vault_detail::argon2id_key("passphrase", ByteView(salt, sizeof salt), KdfParams::insecure_for_tests());
    BOOST_REQUIRE_MESSAGE(k, why(k));
    BOOST_TEST(k->size() == 32u);
    BOOST_TEST(is_loaded("libargon2.so.1"));
    // ... and the server's password hashes share the one table.
    server::Argon2Params fast;
    fast.memory_kib = 64;
    fast.passes = 1;
    auto h = server::hash_password("correct horse", fast);
    BOOST_REQUIRE_MESSAGE(h, why(h));
    BOOST_TEST(server::verify_password("correct horse", *h).ok());
}

BOOST_AUTO_TEST_CASE(pwquality_on_the_first_dictionary_check) {
    BOOST_TEST(!kAtStart.count("libpwquality.so.1"));
    server::PasswordPolicy p;
    p.check_dictionary = false;
    BOOST_TEST(server::check_password(p, "vX9#qLm2!tRw").ok());
    BOOST_TEST(!is_loaded("libpwquality.so.1"));
#if MFA_HAVE_PWQUALITY
    p.check_dictionary = true;
    if (!server::dictionary_available(p)) {
        test::skip("the cracklib dictionary is not installed (Debian cracklib-runtime)");
        return;
    }
    BOOST_TEST(server::check_password(p, "sunshine").code() == Errc::password_policy);
    BOOST_TEST(is_loaded("libpwquality.so.1"));
#endif
}

BOOST_AUTO_TEST_CASE(pskc_on_the_first_import) {
    BOOST_TEST(!kAtStart.count("libpskc.so.0"));
    BOOST_TEST(!kAtStart.count("libxml2.so.2"));
    BOOST_TEST(!is_loaded("libpskc.so.0"));
#if MFA_HAVE_PSKC
    const char* src = std::getenv("MFA_SOURCE_DIR");
    BOOST_REQUIRE(src != nullptr);
    std::ifstream in(std::string(src) + "/tests/vectors/pskc/rfc6030-figure2.pskc", std::ios::binary);
    BOOST_REQUIRE(in);
    const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto keys = server::parse_pskc(xml, {});
    BOOST_REQUIRE_MESSAGE(keys, why(keys));
    BOOST_TEST(keys->size() == 1u);
    BOOST_TEST(is_loaded("libpskc.so.0"));
    BOOST_TEST(is_loaded("libxml2.so.2"));
#endif
}

BOOST_AUTO_TEST_SUITE_END()

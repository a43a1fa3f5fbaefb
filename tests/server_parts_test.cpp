// The server toolkit's parts on their own: key ring, passwords, API tokens, allow lists, audit
// chain, policy decisions, QR output.
#include <boost/test/unit_test.hpp>
#include <openssl/evp.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "mfa/encoding.hpp"
#include "mfa_features.h"
#include "mfa/server/allowlist.hpp"
#include "mfa/server/api_token.hpp"
#include "mfa/server/audit.hpp"
#include "mfa/server/keyring.hpp"
#include "mfa/server/password.hpp"
#include "mfa/server/policy.hpp"
#include "test_support.hpp"

#include "../lib/server/records.hpp"

using namespace mfa;
using namespace mfa::server;

namespace mfa::server {
inline std::ostream& operator<<(std::ostream& os, Decision d) { return os << to_string(d); }
}  // namespace mfa::server

namespace {
Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }
}  // namespace

BOOST_AUTO_TEST_SUITE(server_parts)

// ---- key ring ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(keyring_round_trip_and_context) {
    auto ring = KeyRing::generate();
    BOOST_REQUIRE(ring.ok());
    auto f = ring->encrypt(b("totp secret"), "totp:alice");
    BOOST_REQUIRE(f.ok());
    BOOST_TEST(f->rfind("v1.1.", 0) == 0u);
    auto p = ring->decrypt(*f, "totp:alice");
    BOOST_REQUIRE(p.ok());
    BOOST_TEST(as_chars(p->view()) == "totp secret");
    // Copied into another user's record, the field does not decrypt.
    BOOST_TEST(ring->decrypt(*f, "totp:mallory").code() == Errc::decrypt_failed);
    // Any flipped byte fails authentication.
    std::string t = *f;
    t[t.size() - 3] = t[t.size() - 3] == 'A' ? 'B' : 'A';
    BOOST_TEST(ring->decrypt(t, "totp:alice").code() == Errc::decrypt_failed);
    BOOST_TEST(ring->decrypt("v1.9." + f->substr(5), "totp:alice").code() == Errc::key_unknown);
    BOOST_TEST(ring->decrypt("v2.1.AAAA", "x").code() == Errc::encrypted_field_format);
    BOOST_TEST(ring->decrypt("v1.1.AA", "x").code() == Errc::encrypted_field_format);
    BOOST_TEST(ring->decrypt("v1.01.AAAA", "x").code() == Errc::encrypted_field_format);
    auto empty = ring->encrypt({}, "c");
    BOOST_TEST(ring->decrypt(*empty, "c")->size() == 0u);
}

BOOST_AUTO_TEST_CASE(keyring_rotation_retire_prune) {
    auto ring = KeyRing::generate();
    auto old_field = ring->encrypt(b("old"), "c");
    BOOST_TEST(*ring->rotate() == 2u);
    BOOST_TEST(ring->current_id() == 2u);
    auto new_field = ring->encrypt(b("new"), "c");
    BOOST_TEST(*KeyRing::field_key_id(*new_field) == 2u);
    BOOST_TEST(ring->decrypt(*old_field, "c").ok());  // old data stays readable
    BOOST_TEST(ring->retire(2, 100).code() == Errc::invalid_argument);  // the current key
    BOOST_TEST(ring->retire(1, 1000).ok());
    BOOST_TEST(ring->decrypt(*old_field, "c").ok());  // retired keys still decrypt (backups)
    BOOST_TEST(ring->prunable(999).empty());
    BOOST_TEST(ring->remove(1, 999).code() == Errc::invalid_argument);
    BOOST_TEST(ring->prunable(1000).size() == 1u);
    BOOST_TEST(ring->remove(1, 1000).ok());
    BOOST_TEST(ring->decrypt(*old_field, "c").code() == Errc::key_unknown);
}

BOOST_AUTO_TEST_CASE(keyring_file_format) {
    auto ring = KeyRing::generate();
    (void)ring->rotate();
    BOOST_TEST(ring->retire(1, 1767225600).ok());
    const std::string text(ring->format().view());
    auto again = KeyRing::parse(text);
    BOOST_REQUIRE(again.ok());
    BOOST_TEST(again->current_id() == 2u);
    BOOST_TEST(again->keys()[0].retired);
    BOOST_TEST(again->keys()[0].retain_until == 1767225600);
    auto f = ring->encrypt(b("x"), "c");
    BOOST_TEST(again->decrypt(*f, "c").ok());

    const std::string key(43, 'A');
    BOOST_TEST(KeyRing::parse("").code() == Errc::keyring_invalid);
    BOOST_TEST(KeyRing::parse("mfa-keyring 2\n").code() == Errc::keyring_invalid);
    BOOST_TEST(KeyRing::parse("mfa-keyring 1\n").code() == Errc::keyring_invalid);  // no active key
    BOOST_TEST(KeyRing::parse("mfa-keyring 1\nkey 1 active " + key + "\n").ok());
    BOOST_TEST(KeyRing::parse("# c\n\nmfa-keyring 1\nkey 1 active " + key + "\r\n").ok());
    BOOST_TEST(KeyRing::parse("mfa-keyring 1\nkey 1 active " + key + "\nkey 1 active " + key).code() == Errc::keyring_invalid);
    BOOST_TEST(KeyRing::parse("mfa-keyring 1\nkey 0 active " + key).code() == Errc::keyring_invalid);
    BOOST_TEST(KeyRing::parse("mfa-keyring 1\nkey 1 active " + key.substr(1)).code() == Errc::keyring_invalid);
    BOOST_TEST(KeyRing::parse("mfa-keyring 1\nkey 1 retired x " + key).code() == Errc::keyring_invalid);
    BOOST_TEST(KeyRing::parse("mfa-keyring 1\nkey 1 retired 5 " + key).code() == Errc::keyring_invalid);  // none active
    auto e = KeyRing::parse("mfa-keyring 1\nkey 1 paused " + key);
    BOOST_TEST(e.error().detail.find("line 2") != std::string::npos);

    const auto dir = std::filesystem::temp_directory_path() / ("mfa-kr-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "keys").string();
    BOOST_TEST(ring->save(path).ok());
    const bool private_file = (std::filesystem::status(path).permissions() &
                               (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
                              std::filesystem::perms::none;
    BOOST_TEST(private_file);
    BOOST_TEST(KeyRing::load(path)->current_id() == 2u);
    // An existing file of another mode is replaced by a 0600 one (not reused with its mode).
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                           std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    BOOST_TEST(ring->save(path).ok());
    const bool owner_rw_only = (std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
                               (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    BOOST_TEST(owner_rw_only);
    // The old predictable temporary name is not used: a symlink there is neither followed nor hit.
    const auto victim = dir / "victim";
    { std::ofstream(victim) << "untouched"; }
    std::filesystem::create_symlink(victim, path + ".tmp." + std::to_string(getpid()));
    BOOST_TEST(ring->save(path).ok());
    BOOST_TEST(std::filesystem::file_size(victim) == 9u);

    // save_new refuses an existing ring and leaves it as it was.
    auto fresh = KeyRing::generate();
    BOOST_REQUIRE(fresh.ok());
    const auto st = fresh->save_new(path);
    BOOST_TEST(st.code() == Errc::keyring_exists);
    BOOST_TEST(st.error().detail.find(path) != std::string::npos);
    BOOST_TEST(KeyRing::load(path)->current_id() == 2u);
    const std::string created = (dir / "new-keys").string();
    BOOST_TEST(fresh->save_new(created).ok());
    BOOST_TEST(KeyRing::load(created)->current_id() == 1u);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++files;
    BOOST_TEST(files == 4u);   // keys, the symlink, victim, new-keys: no temporary left
    std::filesystem::remove_all(dir);
    BOOST_TEST(KeyRing::load(path).code() == Errc::io);
}

// ---- passwords --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(argon2id_hash_verify_rehash) {
    Argon2Params fast;
    fast.memory_kib = 64;
    fast.passes = 1;
    auto h = hash_password("correct horse", fast);
    BOOST_REQUIRE(h.ok());
    BOOST_TEST(h->rfind("$argon2id$v=19$m=64,t=1,p=1$", 0) == 0u);
    BOOST_TEST(verify_password("correct horse", *h).ok());
    BOOST_TEST(verify_password("correct horsf", *h).code() == Errc::password_mismatch);
    BOOST_TEST(verify_password("", *h).code() == Errc::password_mismatch);
    BOOST_TEST(needs_rehash(*h));          // below the default cost
    BOOST_TEST(!needs_rehash(*h, fast));
    auto d = hash_password("x");           // OWASP defaults: m=19456, t=2, p=1
    BOOST_TEST(d->find("m=19456,t=2,p=1") != std::string::npos);
    BOOST_TEST(!needs_rehash(*d));
    // The Argon2 reference implementation's README example (argon2i, v=19).
    BOOST_TEST(verify_password("password", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG").ok());
}

BOOST_AUTO_TEST_CASE(migrated_scrypt_and_pbkdf2) {
    // Made with Python's hashlib (an independent encoder of the same PHC strings).
    const char* pbkdf2_256 = "$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0MTIzNA$w7/Z+TtKe2706ziYqntGWEpywycBhHRgtLIN+hknDGQ";
    const char* pbkdf2_512 = "$pbkdf2-sha512$i=1000$c2FsdHNhbHRzYWx0MTIzNA$F9nA6KfhVLg/QeGqrfsoZfsV/rWJzyNeV8VnNO4atmFLd9EqUoIhwA4YuexDqfRGIk+Xyg6rowp54mgDmqU6OA";
    const char* scrypt = "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0MTIzNA$sBRFYJxJyR9gnQuMQio24Q6ZTaugiqeT1tSTvyCASoM";
    for (const char* h : {pbkdf2_256, pbkdf2_512, scrypt}) {
        BOOST_TEST_CONTEXT(h) {
            BOOST_TEST(verify_password("correct horse", h).ok());
            BOOST_TEST(verify_password("correct horse ", h).code() == Errc::password_mismatch);
            BOOST_TEST(needs_rehash(h));  // migrate to Argon2id after the next login
        }
    }
}

BOOST_AUTO_TEST_CASE(phc_parser_bounds) {
    const std::string salt = "c2FsdHNhbHRzYWx0MTIzNA", hash = "w7/Z+TtKe2706ziYqntGWEpywycBhHRgtLIN+hknDGQ";
    BOOST_TEST(parse_phc("").code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$md5$x$y").code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$argon2id$v=19$m=2000000,t=1,p=1$" + salt + "$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$argon2id$v=19$m=64,t=65,p=1$" + salt + "$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$argon2id$v=18$m=64,t=1,p=1$" + salt + "$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash).ok());
    BOOST_TEST(parse_phc("$argon2id$v=19$m=64,t=1,p=1$" + salt + "=$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$scrypt$ln=23,r=8,p=1$" + salt + "$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$scrypt$ln=20,r=16,p=1$" + salt + "$" + hash).code() == Errc::password_hash_format);  // 2 GiB
    BOOST_TEST(parse_phc("$pbkdf2-sha256$i=10000001$" + salt + "$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$pbkdf2-sha256$i=1000,l=31$" + salt + "$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$pbkdf2-sha256$i=01000$" + salt + "$" + hash).code() == Errc::password_hash_format);
    BOOST_TEST(parse_phc("$pbkdf2-sha256$i=1000$c2Fs$" + hash).code() == Errc::password_hash_format);  // salt < 8 bytes
    BOOST_TEST(parse_phc(std::string(600, '$')).code() == Errc::limit_exceeded);
    BOOST_TEST(verify_password("x", "$pbkdf2-sha256$i=1000$" + salt).code() == Errc::password_hash_format);
}

BOOST_AUTO_TEST_CASE(password_policy_nist_defaults) {
    PasswordPolicy p;
    p.check_dictionary = false;
    BOOST_TEST(check_password(p, "short").code() == Errc::password_policy);
    BOOST_TEST(check_password(p, "abcdefgh").ok());            // 8: the minimum; no composition rule by default
    BOOST_TEST(check_password(p, std::string(64, 'q') ).ok()); // 64 always allowed
    BOOST_TEST(check_password(p, std::string(65, 'q')).code() == Errc::password_policy);
    BOOST_TEST(check_password(p, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9").code() == Errc::password_policy);  // 7 code points
    BOOST_TEST(check_password(p, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9").ok());
    BOOST_TEST(check_password(p, "abcdefg\xFF").code() == Errc::password_policy);  // invalid UTF-8
    BOOST_TEST(check_password(p, std::string("abcd\0efgh", 9)).code() == Errc::password_policy);
    p.blocklist = {"Password1234"};
    BOOST_TEST(check_password(p, "password1234").code() == Errc::password_policy);
    BOOST_TEST(check_password(p, "mallory-secret-9", "mallory@example.com").code() == Errc::password_policy);
    BOOST_TEST(check_password(p, "unrelated-secret-9", "mallory@example.com").ok());
    p.require_character_classes = true;  // the opt-in rule
    BOOST_TEST(check_password(p, "alllowercase").code() == Errc::password_policy);
    BOOST_TEST(check_password(p, "Lower-and-UPPER").ok());
    PasswordPolicy bad;
    bad.min_length = 6;
    BOOST_TEST(validate(bad).code() == Errc::invalid_argument);
    bad = {};
    bad.max_length = 32;
    BOOST_TEST(validate(bad).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(password_dictionary) {
    PasswordPolicy p;
    if (!MFA_HAVE_PWQUALITY) {
        mfa::test::skip("built without pwquality (meson -Dpwquality=enabled)");
    } else if (!dictionary_available(p)) {
        mfa::test::skip("the cracklib dictionary is not installed (Debian cracklib-runtime)");
    } else {
        BOOST_TEST(check_password(p, "sunshine").code() == Errc::password_policy);
        BOOST_TEST(check_password(p, "vX9#qLm2!tRw").ok());
    }
    // A missing dictionary: the check is skipped, the other rules still hold.
    p.dictionary_path = "/nonexistent/cracklib_dict";
    BOOST_TEST(!dictionary_available(p));
    BOOST_TEST(check_password(p, "sunshine").ok());
    BOOST_TEST(check_password(p, "sun").code() == Errc::password_policy);
}

BOOST_AUTO_TEST_CASE(password_age) {
    PasswordPolicy p;
    BOOST_TEST(check_password_age(p, {0, false}, 1'000'000'000).ok());  // no periodic change by default
    BOOST_TEST(check_password_age(p, {0, true}, 10).code() == Errc::password_expired);
    p.max_age_seconds = 100;
    BOOST_TEST(check_password_age(p, {0, false}, 99).ok());
    BOOST_TEST(check_password_age(p, {0, false}, 100).code() == Errc::password_expired);
}

// ---- API tokens -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(api_token_format) {
    auto t = generate_api_token("acme");
    BOOST_REQUIRE(t.ok());
    const std::string tok(t->view());
    BOOST_TEST(tok.size() == 5u + 38u);
    auto p = parse_api_token(tok, "acme");
    BOOST_REQUIRE(p.ok());
    BOOST_TEST(p->id == tok.substr(5, 8));
    BOOST_TEST(parse_api_token(tok, "other").code() == Errc::token_format);
    std::string typo = tok;
    typo[20] = typo[20] == 'a' ? 'b' : 'a';
    BOOST_TEST(parse_api_token(typo).code() == Errc::token_format);  // the checksum catches it
    BOOST_TEST(parse_api_token(tok.substr(0, tok.size() - 1)).code() == Errc::token_format);
    BOOST_TEST(parse_api_token("acme_" + std::string(38, '!')).code() == Errc::token_format);
    BOOST_TEST(parse_api_token("nounderscore").code() == Errc::token_format);
    BOOST_TEST(generate_api_token("UPPER").code() == Errc::invalid_argument);
    BOOST_TEST(generate_api_token("").code() == Errc::invalid_argument);
    BOOST_TEST(api_token_hash(tok).size() == 64u);
    BOOST_TEST(generate_api_token("acme")->view() != tok);  // fresh randomness
    // Checksums computed by zlib's crc32 (tokens issued before the bitwise CRC) still verify.
    BOOST_TEST(parse_api_token("acme_0aZ90aZ90aZ90aZ90aZ90aZ90aZ90aZ91PLZio").ok());
    BOOST_TEST(parse_api_token("mfa_Kq3xT7bWm2Lp9RzAKq3xT7bWm2Lp9RzA0GUGIF").ok());
    BOOST_TEST(parse_api_token("mfa_Kq3xT7bWm2Lp9RzAKq3xT7bWm2Lp9RzA0GUGIG").code() == Errc::token_format);
    // Every alphabet character, at every position class, is accepted; a non-base62 one is named.
    for (const char* bad : {"acme_0aZ90aZ90aZ90aZ90aZ90aZ90aZ90aZ91PLZi/", "acme_0aZ90aZ90aZ90aZ90aZ90aZ90aZ90a:91PLZio"}) {
        auto r = parse_api_token(bad);
        BOOST_TEST(r.code() == Errc::token_format);
        BOOST_TEST(r.error().detail.find("not base62") != std::string::npos);
    }
}

// ---- allow lists ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(ip_allow_list) {
    auto l = IpAllowList::parse("10.0.0.0/8, 192.168.1.7\n2001:db8::/32");
    BOOST_REQUIRE(l.ok());
    BOOST_TEST(*l->allows("10.200.3.4"));
    BOOST_TEST(*l->allows("::ffff:10.1.2.3"));  // IPv4-mapped, as a dual-stack socket reports it
    BOOST_TEST(*l->allows("192.168.1.7"));
    BOOST_TEST(!*l->allows("192.168.1.8"));
    BOOST_TEST(*l->allows("2001:db8:ffff::1"));
    BOOST_TEST(*l->allows("2001:DB8::1"));
    BOOST_TEST(!*l->allows("2001:db9::1"));
    BOOST_TEST(!*l->allows("11.0.0.1"));
    BOOST_TEST(l->allows("10.0.0.256").code() == Errc::allowlist_syntax);
    BOOST_TEST(l->allows("010.0.0.1").code() == Errc::allowlist_syntax);
    BOOST_TEST(l->allows("fe80::1%eth0").code() == Errc::allowlist_syntax);
    BOOST_TEST(l->format() == "10.0.0.0/8,192.168.1.7/32,2001:db8::/32");
    BOOST_TEST(IpAllowList::parse("10.0.0.1/8").code() == Errc::allowlist_syntax);  // host bits set
    BOOST_TEST(IpAllowList::parse("10.0.0.0/33").code() == Errc::allowlist_syntax);
    BOOST_TEST(IpAllowList::parse("::/129").code() == Errc::allowlist_syntax);
    BOOST_TEST(IpAllowList::parse("10.0.0.0/08").code() == Errc::allowlist_syntax);
    BOOST_TEST(IpAllowList::parse("10.0.0.0/").code() == Errc::allowlist_syntax);
    BOOST_TEST(IpAllowList::parse("example.com").code() == Errc::allowlist_syntax);
    auto all4 = IpAllowList::parse("0.0.0.0/0");
    BOOST_TEST(*all4->allows("1.2.3.4"));
    BOOST_TEST(!*all4->allows("2001:db8::1"));  // "any IPv4" is not "any IPv6"
    BOOST_TEST(IpAllowList::parse("")->empty());
}

BOOST_AUTO_TEST_CASE(email_domain_allow_list) {
    auto l = EmailDomainAllowList::parse("Example.com *.corp.example.org");
    BOOST_REQUIRE(l.ok());
    BOOST_TEST(*l->allows("alice@example.com"));
    BOOST_TEST(*l->allows("Alice@EXAMPLE.COM"));
    BOOST_TEST(!*l->allows("alice@sub.example.com"));     // exact entry
    BOOST_TEST(*l->allows("bob@eu.corp.example.org"));
    BOOST_TEST(*l->allows("bob@a.b.corp.example.org"));
    BOOST_TEST(!*l->allows("bob@corp.example.org"));       // wildcard: subdomains only
    BOOST_TEST(!*l->allows("eve@evilcorp.example.org"));   // dot boundary (lbuchs/WebAuthn#123)
    BOOST_TEST(!*l->allows("eve@example.com.evil.net"));
    BOOST_TEST(*l->allows("\"a@b\"@example.com"));         // the last '@' separates the domain
    BOOST_TEST(l->allows("no-at-sign").code() == Errc::allowlist_syntax);
    BOOST_TEST(l->allows("x@example.com.").code() == Errc::allowlist_syntax);
    BOOST_TEST(EmailDomainAllowList::parse("*example.com").code() == Errc::allowlist_syntax);
    BOOST_TEST(EmailDomainAllowList::parse("-bad.com").code() == Errc::allowlist_syntax);
    BOOST_TEST(EmailDomainAllowList::parse("localhost").code() == Errc::allowlist_syntax);
    BOOST_TEST(l->format() == "example.com,*.corp.example.org");
}

// ---- policy -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(policy_decisions) {
    OrgPolicy p;
    UserSecurityState u;
    u.joined_at = 1000;
    BOOST_TEST(decide(p, u, 2000).decision == Decision::allow);
    u.enrolled = {FactorType::totp};
    BOOST_TEST(decide(p, u, 2000).decision == Decision::must_verify);  // enrolled users are always asked
    u.second_factor_verified = true;
    BOOST_TEST(decide(p, u, 2000).decision == Decision::allow);

    p.require = OrgPolicy::Requirement::roles;
    p.roles = {"admin"};
    p.grace_period = 100;
    UserSecurityState admin;
    admin.roles = {"admin"};
    admin.joined_at = 1000;
    auto d = decide(p, admin, 1050);
    BOOST_TEST(d.decision == Decision::must_enroll);
    BOOST_TEST(d.may_skip);
    BOOST_TEST(d.enroll_deadline == 1100);
    BOOST_TEST(!decide(p, admin, 1100).may_skip);
    UserSecurityState member;
    BOOST_TEST(decide(p, member, 5000).decision == Decision::allow);

    p.require = OrgPolicy::Requirement::everyone;
    p.allowed = {FactorType::webauthn};  // TOTP no longer counts
    BOOST_TEST(decide(p, u, 5000).decision == Decision::must_enroll);
    u.locked = true;
    BOOST_TEST(decide(p, u, 5000).decision == Decision::deny);

    OrgPolicy net;
    net.ip_allow = *IpAllowList::parse("10.0.0.0/8");
    net.email_allow = *EmailDomainAllowList::parse("example.com");
    UserSecurityState v;
    v.source_ip = "10.1.1.1";
    v.email = "a@example.com";
    BOOST_TEST(decide(net, v, 0).decision == Decision::allow);
    v.source_ip = "8.8.8.8";
    BOOST_TEST(decide(net, v, 0).decision == Decision::deny);
    v.source_ip = "10.1.1.1";
    v.email = "a@other.com";
    BOOST_TEST(decide(net, v, 0).decision == Decision::deny);
}

// A user who has a second factor never logs in on the password alone, even when the policy's
// `allowed` list no longer names that factor: they must enroll an allowed one first, without skip.
BOOST_AUTO_TEST_CASE(policy_enrolled_factor_outside_allowed) {
    OrgPolicy p;
    p.allowed = {FactorType::webauthn};
    p.grace_period = 1000;
    UserSecurityState u;
    u.joined_at = 1000;
    u.enrolled = {FactorType::totp};
    for (auto req : {OrgPolicy::Requirement::optional, OrgPolicy::Requirement::everyone}) {
        p.require = req;
        auto d = decide(p, u, 1100);  // inside the grace period
        BOOST_TEST(d.decision == Decision::must_enroll);
        BOOST_TEST(!d.may_skip);
        BOOST_TEST((d.accepted == std::vector<FactorType>{FactorType::webauthn}));
        BOOST_TEST(d.reason.find("totp") != std::string::npos);
        // Having verified the disallowed factor does not satisfy the policy either.
        UserSecurityState verified = u;
        verified.second_factor_verified = true;
        BOOST_TEST(decide(p, verified, 1100).decision == Decision::must_enroll);
    }
    // With one allowed factor among them, that one is asked for (and only allowed ones are offered).
    u.enrolled = {FactorType::totp, FactorType::webauthn};
    auto d = decide(p, u, 1100);
    BOOST_TEST(d.decision == Decision::must_verify);
    BOOST_TEST((d.accepted == std::vector<FactorType>{FactorType::webauthn, FactorType::recovery_code}));
    // Recovery codes alone are not an enrolled factor.
    p.require = OrgPolicy::Requirement::optional;
    u.enrolled = {FactorType::recovery_code};
    BOOST_TEST(decide(p, u, 1100).decision == Decision::allow);
}

BOOST_AUTO_TEST_CASE(policy_json) {
    OrgPolicy p;
    p.require = OrgPolicy::Requirement::roles;
    p.roles = {"admin", "billing"};
    p.grace_period = 3600;
    p.allowed = {FactorType::webauthn};
    p.ip_allow = *IpAllowList::parse("10.0.0.0/8");
    auto back = policy_from_json(policy_to_json(p));
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(policy_to_json(*back) == policy_to_json(p));
    BOOST_TEST(policy_from_json("[]").code() == Errc::policy_invalid);
    BOOST_TEST(policy_from_json(R"({"require":"sometimes"})").code() == Errc::policy_invalid);
    BOOST_TEST(policy_from_json(R"({"require":"roles"})").code() == Errc::policy_invalid);
    BOOST_TEST(policy_from_json(R"({"allowed":["sms"]})").code() == Errc::policy_invalid);
    BOOST_TEST(policy_from_json(R"({"allowed":["recovery_code"]})").code() == Errc::policy_invalid);
    BOOST_TEST(policy_from_json(R"({"grace_period":-1})").code() == Errc::policy_invalid);
    BOOST_TEST(policy_from_json(R"({"extra":1})").code() == Errc::policy_invalid);
    BOOST_TEST(policy_from_json(R"({"ip_allow":"10.0.0.1/8"})").code() == Errc::allowlist_syntax);
    // A member twice is refused, not read with the last one winning (issue 10, defect 12).
    auto dup = policy_from_json(R"({"require":"everyone","require":"optional"})");
    BOOST_TEST(dup.code() == Errc::policy_invalid);
    BOOST_TEST((!dup.ok() && dup.error().detail.find("duplicate member \"require\"") != std::string::npos));
    BOOST_TEST(policy_from_json(R"({"require":"everyone","grace_period":1,"grace_period":0})").code() == Errc::policy_invalid);
}

// The records the toolkit keeps in the store: a member twice is store_corrupt (issue 10, defect 12).
BOOST_AUTO_TEST_CASE(stored_records_refuse_duplicate_members) {
    using namespace mfa::server::detail;
    auto twice = [](const std::string& text, const std::string& member) {
        return "{\"" + member + "\":" + nlohmann::json::parse(text)[member].dump() + "," + text.substr(1);
    };
    TotpRecord t;
    t.secret = "enc";
    t.label = "x";
    const std::string totp = totp_record_json(t);
    BOOST_TEST(parse_totp_record(totp).ok());
    auto d = parse_totp_record(R"({"digits":8,)" + totp.substr(1));
    BOOST_TEST(d.code() == Errc::store_corrupt);
    BOOST_TEST((!d.ok() && d.error().detail.find("duplicate member \"digits\"") != std::string::npos));
    BOOST_TEST(parse_totp_record(twice(totp, "secret")).code() == Errc::store_corrupt);
    TokenRecord tok;
    tok.hash = std::string(64, 'a');
    const std::string token = token_record_json(tok);
    BOOST_TEST(parse_token_record(token).ok());
    BOOST_TEST(parse_token_record(R"({"expires":9999999999,)" + token.substr(1)).code() == Errc::store_corrupt);
    const std::string challenge = challenge_json(ChallengeRecord{true, 100});
    BOOST_TEST(parse_challenge(challenge).ok());
    BOOST_TEST(parse_challenge(R"({"kind":"get",)" + challenge.substr(1)).code() == Errc::store_corrupt);
    SecurityKeyRecord k;
    k.name = "key";
    k.record.id = {1, 2, 3};
    k.record.public_key = {0xa5, 1, 2};
    k.record.alg = -7;
    const std::string key = security_key_json(k);
    BOOST_TEST_REQUIRE(parse_security_key(key).ok());
    BOOST_TEST(parse_security_key(twice(key, "name")).code() == Errc::store_corrupt);
    // Inside the credential record too.
    std::string inner = key;
    inner.replace(inner.find("\"signCount\":"), 12, R"("signCount":0,"signCount")");
    BOOST_TEST(parse_security_key(inner).code() == Errc::store_corrupt);
}

// ---- audit ------------------------------------------------------------------------------------

namespace {
std::string sha256_hex_for_test(std::string_view s) {
    unsigned char md[32];
    unsigned int len = 0;
    BOOST_REQUIRE(EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr) == 1);
    return hex_encode({md, 32});
}
}  // namespace

BOOST_AUTO_TEST_CASE(audit_chain_detects_removal_and_alteration) {
    auto s = store::open_memory_store();
    AuditLog log(s);
    for (int i = 0; i < 5; ++i) {
        AuditEvent e;
        e.time = 1700000000 + i;
        e.type = "totp.failed";
        e.subject = "alice";
        e.actor = "alice";
        e.source_ip = "10.0.0.1";
        BOOST_TEST(*log.append(e) == static_cast<std::uint64_t>(i + 1));
    }
    auto v = log.verify();
    BOOST_REQUIRE(v.ok());
    BOOST_TEST(v->records == 5u);
    auto recs = log.read(1, 10);
    BOOST_TEST(recs->size() == 5u);
    BOOST_TEST(utc_time(1700000000) == "2023-11-14T22:13:20Z");

    const std::string k3 = "mfa:audit:{:audit}:rec:00000000000000000003";
    const Bytes original = *s->get(k3).value();
    std::string altered(as_chars(original));
    altered.replace(altered.find("10.0.0.1"), 8, "10.0.0.2");
    BOOST_TEST(s->put(k3, as_bytes(altered)).ok());
    auto bad = log.verify();
    BOOST_TEST(bad.code() == Errc::audit_chain_broken);
    BOOST_TEST(bad.error().detail.find("record 4") != std::string::npos);  // 4 no longer links to 3

    BOOST_TEST(s->put(k3, original).ok());
    BOOST_TEST(log.verify().ok());
    BOOST_TEST(*s->erase(k3));
    BOOST_TEST(log.verify().error().detail.find("record 3 is missing") != std::string::npos);
    BOOST_TEST(s->put(k3, original).ok());

    // Removing the last record is caught by the head.
    BOOST_TEST(*s->erase("mfa:audit:{:audit}:rec:00000000000000000005"));
    BOOST_TEST(log.verify().code() == Errc::audit_chain_broken);
}

// Blinding the chain without computing a hash: deleting the head, or setting it back to an earlier
// (k, hash_k). Both are caught from the records alone; a rewrite of the whole store is caught
// against a head recorded elsewhere.
BOOST_AUTO_TEST_CASE(audit_chain_detects_a_moved_head) {
    auto s = store::open_memory_store();
    AuditLog log(s);
    auto add = [&](int i) {
        AuditEvent e;
        e.time = 1700000000 + i;
        e.type = "totp.verified";
        e.subject = "alice";
        return *log.append(e);
    };
    BOOST_TEST(log.verify()->records == 0u);  // empty and headless is intact
    for (int i = 1; i <= 6; ++i) add(i);
    const std::string head = std::string(as_chars(*s->get("mfa:audit:{:audit}:head").value()));

    BOOST_TEST(*s->erase("mfa:audit:{:audit}:head"));
    auto v = log.verify();
    BOOST_TEST(v.code() == Errc::audit_chain_broken);
    BOOST_TEST(v.error().detail.find("head is missing") != std::string::npos);

    // Back to (3, hash_3): records 5 and 6 would be hidden (4 looks like a writer that died).
    const std::string r3(as_chars(*s->get("mfa:audit:{:audit}:rec:00000000000000000003").value()));
    BOOST_TEST(s->put("mfa:audit:{:audit}:head", as_bytes("3 " + sha256_hex_for_test(r3))).ok());
    v = log.verify();
    BOOST_TEST(v.code() == Errc::audit_chain_broken);
    BOOST_TEST(v.error().detail.find("record 5") != std::string::npos);
    BOOST_TEST(s->put("mfa:audit:{:audit}:head", as_bytes(head)).ok());

    // Anchored: the chain must still contain the head an operator recorded.
    auto good = log.verify();
    BOOST_REQUIRE(good.ok());
    BOOST_TEST(good->records == 6u);
    const std::string anchor = good->anchor();
    BOOST_TEST(anchor == "6:" + good->head_hash);
    auto parsed = parse_audit_anchor(anchor);
    BOOST_REQUIRE(parsed.ok());
    BOOST_TEST(log.verify(*parsed).ok());
    add(7);
    BOOST_TEST(log.verify(*parsed)->records == 7u);  // a longer log still extends the anchor
    auto earlier = *parse_audit_anchor("3:" + sha256_hex_for_test(r3));
    BOOST_TEST(log.verify(earlier).ok());
    // A store rewritten from scratch (a consistent but different chain) does not.
    auto other = store::open_memory_store();
    AuditLog forged(other);
    for (int i = 1; i <= 8; ++i) {
        AuditEvent e;
        e.time = 1700000000 + i;
        e.type = "forged";
        BOOST_REQUIRE(forged.append(e).ok());
    }
    BOOST_TEST(forged.verify().ok());
    BOOST_TEST(forged.verify(*parsed).code() == Errc::audit_head_mismatch);
    // A cut log (records removed from the tail, head moved back consistently) does not either.
    AuditLog short_log(store::open_memory_store());
    for (int i = 1; i <= 2; ++i) {
        AuditEvent e;
        e.time = 1700000000 + i;
        BOOST_REQUIRE(short_log.append(e).ok());
    }
    auto cut = short_log.verify(*parsed);
    BOOST_TEST(cut.code() == Errc::audit_head_mismatch);
    BOOST_TEST(cut.error().detail.find("2 records") != std::string::npos);
    for (const char* bad : {"", "6", "6:", "x:" "0000000000000000000000000000000000000000000000000000000000000000",
                            "0:0000000000000000000000000000000000000000000000000000000000000000", "6:abc",
                            "6:zz00000000000000000000000000000000000000000000000000000000000000"})
        BOOST_TEST(parse_audit_anchor(bad).code() == Errc::invalid_argument, bad);
}

BOOST_AUTO_TEST_CASE(audit_record_parser) {
    AuditEvent e;
    e.seq = 1;
    e.time = 5;
    e.type = "x";
    const std::string t = audit_record_text(e, std::string(64, '0'));
    BOOST_TEST(parse_audit_record(t).ok());
    BOOST_TEST(parse_audit_record(t + " ").code() == Errc::audit_record_invalid);  // not canonical
    BOOST_TEST(parse_audit_record("{}").code() == Errc::audit_record_invalid);
    BOOST_TEST(parse_audit_record("nope").code() == Errc::audit_record_invalid);
    BOOST_TEST(parse_audit_record(R"({"detail":"forged",)" + t.substr(1)).code() == Errc::audit_record_invalid);
    // Invalid UTF-8 in a field is replaced, so every record is valid JSON.
    e.detail = "bad \xFF byte";
    BOOST_TEST(parse_audit_record(audit_record_text(e, std::string(64, '0'))).ok());
}

BOOST_AUTO_TEST_SUITE_END()

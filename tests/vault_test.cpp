#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iterator>

#include "../lib/vault/crypto.hpp"
#include "../lib/vault/format.hpp"
#include "mfa/atomic_file.hpp"
#include "mfa/vault.hpp"
#include "test_support.hpp"
#include "vault_fakes.hpp"

using namespace mfa;
using mfa::test::FakeClock;
using mfa::test::FakeKey;
using mfa::test::TempDir;
namespace fs = std::filesystem;

namespace {

// The failure text of a Result, or "" (BOOST_*_MESSAGE evaluates its message even on success).
template <class R>
std::string why(const R& r) {
    return r.ok() ? std::string() : r.error().to_string();
}

const KdfParams kTestKdf = KdfParams::insecure_for_tests();

VaultOptions test_opts(FakeClock* clock = nullptr) {
    VaultOptions o;
    o.allow_insecure_kdf = true;
    if (clock) o.clock = clock->fn();
    return o;
}

Account make_account(std::string issuer, std::string name, std::uint8_t seed, OtpType type = OtpType::totp) {
    Account a;
    a.issuer = std::move(issuer);
    a.name = std::move(name);
    Bytes s(20);
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(seed + i);
    a.secret = SecretBytes(s);
    a.params.type = type;
    return a;
}

Bytes slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void spit(const fs::path& p, ByteView b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

const SecretString kPass("correct horse battery staple");

// A saved vault with two accounts (one HOTP), closed.
fs::path make_vault(const TempDir& dir, const VaultOptions& opts = test_opts()) {
    const fs::path p = dir.path / "vault.mfa";
    auto v = Vault::create(p, kPass, kTestKdf, opts);
    BOOST_REQUIRE_MESSAGE(v, why(v));
    BOOST_REQUIRE(v->add(make_account("Example", "alice@example.com", 1), {"work"}, "note one"));
    BOOST_REQUIRE(v->add(make_account("Bank", "bob", 50, OtpType::hotp)));
    BOOST_REQUIRE(v->save());
    return p;
}

// What someone holding an old passphrase and a vault file can recover: the master key from the
// first passphrase slot that passphrase unwraps.
std::optional<SecretBytes> master_via(const Bytes& file, const SecretString& passphrase) {
    auto pf = vault_detail::parse_file(file);
    BOOST_REQUIRE(pf);
    for (const auto& s : pf->header.slots) {
        if (s.type != SlotType::passphrase) continue;
        auto kek = vault_detail::argon2id_key(passphrase.view(), s.salt, s.kdf);
        BOOST_REQUIRE(kek);
        auto m = vault_detail::gcm_open(kek->view(), s.nonce, vault_detail::slot_aad(s), s.wrapped);
        if (m) return std::move(*m);
    }
    return std::nullopt;
}

// Whether that master key decrypts the accounts of another vault file (the current one).
bool payload_opens(const Bytes& file, const SecretBytes& master) {
    auto pf = vault_detail::parse_file(file);
    BOOST_REQUIRE(pf);
    return vault_detail::gcm_open(master.view(), pf->header.payload_nonce, pf->header_bytes, pf->ciphertext).ok();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(vault)

BOOST_AUTO_TEST_CASE(old_passphrase_and_backup_do_not_open_the_vault_after_passwd) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    const Bytes before = slurp(p);
    const SecretString fresh("a new passphrase");
    {
        auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
        BOOST_REQUIRE(v);
        BOOST_REQUIRE(v->change_passphrase(0, fresh, kTestKdf));
        BOOST_REQUIRE(v->add(make_account("Later", "added after passwd", 90)));
        BOOST_REQUIRE(v->save());
    }
    // The file from before (what backups/ keeps) still gives the old master key to the old passphrase...
    auto old_master = master_via(before, kPass);
    BOOST_REQUIRE(old_master.has_value());
    BOOST_TEST(payload_opens(before, *old_master));
    // ... but that key no longer decrypts the vault, nor the account added since.
    const Bytes now = slurp(p);
    BOOST_TEST(!payload_opens(now, *old_master));
    BOOST_TEST(!master_via(now, kPass).has_value());
    auto backups = Vault::list_backups(p);
    BOOST_REQUIRE(backups);
    BOOST_REQUIRE(!backups->empty());
    BOOST_TEST(!payload_opens(now, *master_via(slurp(backups->back().path), kPass)));
    // The new passphrase opens everything, old entries included.
    auto w = Vault::open(p, fresh);
    BOOST_REQUIRE(w);
    BOOST_TEST(w->entries().size() == 3u);
    BOOST_TEST(w->search("alice").size() == 1u);
    BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_wrong_passphrase);
}

BOOST_AUTO_TEST_CASE(removed_slot_and_backup_do_not_open_the_vault) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    const SecretString leaked("a leaked recovery passphrase");
    FakeKey key;
    {
        auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
        BOOST_REQUIRE(v);
        BOOST_REQUIRE(v->add_passphrase_slot(leaked, kTestKdf, "recovery"));
        BOOST_REQUIRE(v->add_security_key_slot(key, "key"));
        BOOST_REQUIRE(v->save());
    }
    const Bytes before = slurp(p);
    {
        // A later session: only the passphrase that unlocks is known, so the key must be given.
        auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
        BOOST_REQUIRE(v);
        auto st = v->remove_slot(1);
        BOOST_TEST(st.code() == Errc::invalid_argument);
        BOOST_TEST(st.error().detail.find("slot 2") != std::string::npos, st.error().detail);
        BOOST_TEST(v->slots().size() == 3u);   // nothing changed
        FakeKey other;
        SlotCredential wrong[] = {{2, nullptr, &other}};
        BOOST_TEST(v->remove_slot(1, wrong).code() == Errc::vault_key_rejected);
        SlotCredential with_key[] = {{2, nullptr, &key}};
        BOOST_REQUIRE(v->remove_slot(1, with_key));
        BOOST_REQUIRE(v->add(make_account("Later", "after the removal", 91)));
        BOOST_REQUIRE(v->save());
    }
    const Bytes now = slurp(p);
    auto leaked_master = master_via(before, leaked);
    BOOST_REQUIRE(leaked_master.has_value());
    BOOST_TEST(!payload_opens(now, *leaked_master));
    // The remaining slots, rewrapped under the new key, open every entry.
    auto a = Vault::open(p, kPass);
    BOOST_REQUIRE(a);
    BOOST_TEST(a->entries().size() == 3u);
    auto b = Vault::open_with_key(p, key);
    BOOST_REQUIRE_MESSAGE(b, why(b));
    BOOST_TEST(b->entries().size() == 3u);
    BOOST_TEST(Vault::open(p, leaked).code() == Errc::vault_wrong_passphrase);
}

BOOST_AUTO_TEST_CASE(kdf_work_per_vault_is_capped) {
    // One slot may use the whole budget; the passphrase slots together may not pass it (an open
    // tries them all), checked before any derivation.
    const KdfParams whole{1u << 22, 4, 1};   // 4 GiB x 4 passes = 2^24 KiB-passes
    BOOST_TEST(check_kdf_params(whole, true).ok());
    auto over = check_kdf_params({1u << 22, 5, 1}, true);
    BOOST_TEST(over.code() == Errc::vault_kdf_params);
    BOOST_TEST(over.error().detail.find("16777216") != std::string::npos, over.error().detail);
    TempDir dir;
    const fs::path p = make_vault(dir);
    auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_REQUIRE(v);
    auto add = v->add_passphrase_slot(SecretString("x"), whole);
    BOOST_TEST(add.code() == Errc::vault_kdf_params);
    BOOST_TEST(add.error().detail.find("per vault") != std::string::npos, add.error().detail);
    BOOST_TEST(v->slots().size() == 1u);
    BOOST_TEST(v->change_passphrase(0, SecretString("y"), {1u << 22, 5, 1}).code() == Errc::vault_kdf_params);
}

BOOST_AUTO_TEST_CASE(passwd_rewraps_every_other_slot_or_changes_nothing) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    FakeKey key;
    const SecretString second("second passphrase"), fresh("fresh passphrase");
    {
        auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
        BOOST_REQUIRE(v);
        BOOST_REQUIRE(v->add_passphrase_slot(second, kTestKdf, "recovery"));
        BOOST_REQUIRE(v->add_security_key_slot(key, "key"));
        // Slots added in this session are known: passwd needs no further credential.
        BOOST_REQUIRE(v->change_passphrase(0, fresh, kTestKdf));
        BOOST_REQUIRE(v->save());
    }
    BOOST_TEST(Vault::open(p, fresh).ok());
    BOOST_TEST(Vault::open(p, second).ok());
    BOOST_TEST(Vault::open_with_key(p, key).ok());
    auto v = Vault::open(p, fresh, OpenMode::write, test_opts());
    BOOST_REQUIRE(v);
    const Bytes before = slurp(p);
    // Missing credentials, or a wrong one, change nothing.
    BOOST_TEST(v->change_passphrase(0, kPass, kTestKdf).code() == Errc::invalid_argument);
    const SecretString wrong("wrong");
    SlotCredential bad[] = {{1, &wrong, nullptr}, {2, nullptr, &key}};
    BOOST_TEST(v->change_passphrase(0, kPass, kTestKdf, bad).code() == Errc::vault_wrong_passphrase);
    BOOST_REQUIRE(v->save());
    BOOST_TEST(Vault::open(p, fresh).ok());
    BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_wrong_passphrase);
    // With them: all three slots under the new master key.
    SlotCredential good[] = {{1, &second, nullptr}, {2, nullptr, &key}};
    BOOST_REQUIRE(v->change_passphrase(0, kPass, kTestKdf, good));
    BOOST_REQUIRE(v->save());
    v = Error(Errc::ok);
    BOOST_TEST(!payload_opens(slurp(p), *master_via(before, fresh)));
    BOOST_TEST(Vault::open(p, kPass).ok());
    BOOST_TEST(Vault::open(p, second).ok());
    BOOST_TEST(Vault::open_with_key(p, key).ok());
    BOOST_TEST(Vault::open(p, fresh).code() == Errc::vault_wrong_passphrase);
}

BOOST_AUTO_TEST_CASE(create_save_open_round_trip) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    struct stat st{};
    BOOST_REQUIRE(::stat(p.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);

    auto v = Vault::open(p, kPass);
    BOOST_REQUIRE_MESSAGE(v, why(v));
    BOOST_TEST(!v->writable());
    BOOST_TEST(v->weak_kdf());
    BOOST_REQUIRE_EQUAL(v->entries().size(), 2u);
    const VaultEntry& e = v->entries()[0];
    BOOST_TEST(e.account.issuer == "Example");
    BOOST_TEST(e.account.name == "alice@example.com");
    BOOST_TEST(e.label() == "Example:alice@example.com");
    BOOST_TEST(e.tags == std::vector<std::string>{"work"});
    BOOST_TEST(e.note == "note one");
    BOOST_TEST(e.id.size() == 32u);
    BOOST_TEST(e.account.secret.size() == 20u);
    BOOST_TEST(e.account.secret[0] == 1);
    BOOST_TEST((v->entries()[1].account.params.type == OtpType::hotp));
    BOOST_TEST(v->generation() == 2u);   // create wrote generation 1, the save generation 2
    // The plaintext never reaches the disk: neither the name nor the secret bytes appear in the file.
    const Bytes file = slurp(p);
    const std::string_view text = as_chars(file);
    BOOST_TEST(text.find("alice@example.com") == std::string_view::npos);
    BOOST_TEST(text.find("note one") == std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(every_field_survives) {
    TempDir dir;
    const fs::path p = dir.path / "v.mfa";
    Account a = make_account("Iss", "Name", 9, OtpType::steam);
    a.params.algorithm = HashAlg::sha512;
    a.params.digits = 8;
    a.params.period = 60;
    a.params.t0 = -5;
    a.extra = {{"image", "https://example.com/i.png"}, {"lock", "true"}};
    Account h = make_account("", "counter", 100, OtpType::hotp);
    h.params.counter = 123456789012ull;
    h.params.algorithm = HashAlg::sha256;
    {
        auto v = Vault::create(p, kPass, kTestKdf, test_opts());
        BOOST_REQUIRE(v);
        BOOST_REQUIRE(v->add(a, {"a", "b"}, std::string(kVaultMaxNote, 'n')));
        BOOST_REQUIRE(v->add(h));
        BOOST_REQUIRE(v->save());
    }
    auto v = Vault::open(p, kPass);
    BOOST_REQUIRE(v);
    const auto& e = v->entries()[0].account;
    BOOST_TEST((e.params.type == OtpType::steam));
    BOOST_TEST((e.params.algorithm == HashAlg::sha512));
    BOOST_TEST(e.params.digits == 8u);
    BOOST_TEST(e.params.period == 60u);
    BOOST_TEST(e.params.t0 == -5);
    BOOST_TEST(e.extra.size() == 2u);
    BOOST_TEST(e.extra[1].second == "true");
    BOOST_TEST(v->entries()[0].note.size() == kVaultMaxNote);
    const auto& f = v->entries()[1];
    BOOST_TEST(f.account.params.counter == 123456789012ull);
    BOOST_TEST(f.label() == "counter");
}

BOOST_AUTO_TEST_CASE(wrong_passphrase_changes_nothing) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    const Bytes before = slurp(p);
    for (auto mode : {OpenMode::read, OpenMode::write}) {
        auto v = Vault::open(p, SecretString("wrong"), mode, test_opts());
        BOOST_REQUIRE(!v);
        BOOST_TEST(v.code() == Errc::vault_wrong_passphrase);
    }
    BOOST_TEST(slurp(p) == before);
    auto b = Vault::list_backups(p);
    BOOST_REQUIRE(b);
    BOOST_TEST(b->size() == 1u);   // only the one the first save made
}

BOOST_AUTO_TEST_CASE(kdf_floor_and_caps) {
    TempDir dir;
    auto weak = Vault::create(dir.path / "a.mfa", kPass, kTestKdf, {});
    BOOST_TEST(weak.code() == Errc::vault_kdf_params);
    BOOST_TEST(!fs::exists(dir.path / "a.mfa"));
    BOOST_TEST(check_kdf_params(KdfParams::recommended(), false).ok());
    BOOST_TEST(check_kdf_params({kKdfMinMemoryKib, kKdfMinPasses, 1}, false).ok());
    BOOST_TEST(check_kdf_params({kKdfMinMemoryKib - 1, 3, 1}, false).code() == Errc::vault_kdf_params);
    BOOST_TEST(check_kdf_params({65536, 1, 1}, false).code() == Errc::vault_kdf_params);
    BOOST_TEST(check_kdf_params({kKdfMaxMemoryKib + 1, 3, 1}, true).code() == Errc::vault_kdf_params);
    BOOST_TEST(check_kdf_params({65536, kKdfMaxPasses + 1, 1}, true).code() == Errc::vault_kdf_params);
    BOOST_TEST(check_kdf_params({65536, 3, 0}, true).code() == Errc::vault_kdf_params);
    BOOST_TEST(check_kdf_params({65536, 3, kKdfMaxLanes + 1}, true).code() == Errc::vault_kdf_params);
    // The recommended parameters: a real Argon2id run of 64 MiB.
    auto v = Vault::create(dir.path / "b.mfa", kPass, KdfParams::recommended(), {});
    BOOST_REQUIRE_MESSAGE(v, why(v));
    BOOST_TEST(!v->weak_kdf());
    BOOST_TEST(v->slots()[0].kdf.memory_kib == 65536u);
    BOOST_TEST(v->slots()[0].kdf.passes == 3u);
}

BOOST_AUTO_TEST_CASE(create_refuses_existing_file) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    const Bytes before = slurp(p);
    auto v = Vault::create(p, kPass, kTestKdf, test_opts());
    BOOST_TEST(v.code() == Errc::vault_exists);
    BOOST_TEST(slurp(p) == before);
    BOOST_TEST(Vault::open(dir.path / "missing.mfa", kPass).code() == Errc::vault_missing);
}

BOOST_AUTO_TEST_CASE(several_passphrase_slots_and_passwd) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    const SecretString second("second passphrase"), third("third passphrase");
    {
        auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
        BOOST_REQUIRE(v);
        auto idx = v->add_passphrase_slot(second, kTestKdf, "recovery");
        BOOST_REQUIRE(idx);
        BOOST_TEST(*idx == 1u);
        BOOST_REQUIRE(v->save());
    }
    BOOST_TEST(Vault::open(p, kPass).ok());
    auto v = Vault::open(p, second, OpenMode::write, test_opts());
    BOOST_REQUIRE(v);
    BOOST_TEST(v->entries().size() == 2u);
    BOOST_TEST(v->slots()[1].label == "recovery");
    // passwd: the slot keeps its label, the old passphrase stops working, entries are untouched.
    BOOST_REQUIRE(v->change_passphrase(0, third, kTestKdf));
    BOOST_TEST(v->change_passphrase(5, third, kTestKdf).code() == Errc::vault_no_slot);
    BOOST_REQUIRE(v->save());
    v = Error(Errc::ok);   // release the lock
    BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_wrong_passphrase);
    auto w = Vault::open(p, third);
    BOOST_REQUIRE(w);
    BOOST_TEST(w->entries().size() == 2u);
    BOOST_TEST(w->slots()[0].label == "passphrase");
    BOOST_TEST(Vault::open(p, second).ok());
}

BOOST_AUTO_TEST_CASE(passwd_enforces_the_floor_outside_tests) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    auto v = Vault::open(p, kPass, OpenMode::write, {});   // production options
    BOOST_REQUIRE(v);
    BOOST_TEST(v->change_passphrase(0, SecretString("x"), kTestKdf).code() == Errc::vault_kdf_params);
    BOOST_TEST(v->add_passphrase_slot(SecretString("x"), kTestKdf).code() == Errc::vault_kdf_params);
}

BOOST_AUTO_TEST_CASE(remove_slots) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_REQUIRE(v);
    BOOST_TEST(v->remove_slot(0).code() == Errc::vault_last_slot);
    BOOST_TEST(v->remove_slot(3).code() == Errc::vault_no_slot);
    BOOST_REQUIRE(v->add_passphrase_slot(SecretString("other"), kTestKdf));
    BOOST_REQUIRE(v->remove_slot(0));
    BOOST_REQUIRE(v->save());
    v = Error(Errc::ok);
    BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_wrong_passphrase);
    BOOST_TEST(Vault::open(p, SecretString("other")).ok());
}

BOOST_AUTO_TEST_CASE(security_key_slot) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    FakeKey key;
    {
        auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
        BOOST_REQUIRE(v);
        // A vault without a security-key slot says so.
        BOOST_TEST(Vault::open_with_key(p, key).code() == Errc::vault_no_slot);
        auto idx = v->add_security_key_slot(key, "YubiKey 5");
        BOOST_REQUIRE_MESSAGE(idx, why(idx));
        BOOST_TEST(key.last_rp_ == std::string(kVaultRpId));
        BOOST_REQUIRE(v->save());
    }
    auto info = Vault::inspect(p);
    BOOST_REQUIRE(info);
    BOOST_REQUIRE(info->slots.size() == 2u);
    BOOST_TEST((info->slots[1].type == SlotType::security_key));
    BOOST_TEST(info->slots[1].label == "YubiKey 5");
    BOOST_TEST(info->slots[1].credential_id.size() == 48u);

    auto v = Vault::open_with_key(p, key);
    BOOST_REQUIRE_MESSAGE(v, why(v));
    BOOST_TEST(v->entries().size() == 2u);

    FakeKey other;   // a different authenticator: it does not hold the credential
    BOOST_TEST(Vault::open_with_key(p, other).code() == Errc::vault_key_rejected);
    key.unplugged = true;
    BOOST_TEST(Vault::open_with_key(p, key).code() == Errc::vault_key_provider);
    key.unplugged = false;
    key.forget_secret();   // same credential id, different hmac-secret output
    BOOST_TEST(Vault::open_with_key(p, key).code() == Errc::vault_key_rejected);
    // The passphrase still opens it.
    BOOST_TEST(Vault::open(p, kPass).ok());
}

BOOST_AUTO_TEST_CASE(any_of_several_keys_opens) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    FakeKey a, b;
    {
        auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
        BOOST_REQUIRE(v);
        BOOST_REQUIRE(v->add_security_key_slot(a, "primary"));
        BOOST_REQUIRE(v->add_security_key_slot(b, "spare"));
        BOOST_REQUIRE(v->remove_slot(0));   // keys only
        BOOST_REQUIRE(v->save());
    }
    BOOST_TEST(Vault::open_with_key(p, a).ok());
    BOOST_TEST(Vault::open_with_key(p, b).ok());
    BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_no_slot);
}

BOOST_AUTO_TEST_CASE(adding_a_key_that_fails) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_REQUIRE(v);
    FakeKey k;
    k.unplugged = true;
    BOOST_TEST(v->add_security_key_slot(k).code() == Errc::vault_key_provider);
    BOOST_TEST(v->slots().size() == 1u);
}

BOOST_AUTO_TEST_CASE(rekey_keeps_named_slots) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    FakeKey key;
    const SecretString second("second");
    auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_REQUIRE(v);
    BOOST_REQUIRE(v->add_passphrase_slot(second, kTestKdf, "second"));
    BOOST_REQUIRE(v->add_security_key_slot(key));
    BOOST_REQUIRE(v->save());
    const Bytes before = slurp(p);

    // A wrong credential changes nothing.
    const SecretString wrong("wrong");
    SlotCredential bad[] = {{0, &wrong, nullptr}};
    BOOST_TEST(v->rekey(bad).code() == Errc::vault_wrong_passphrase);
    SlotCredential missing[] = {{1, nullptr, nullptr}};
    BOOST_TEST(v->rekey(missing).code() == Errc::invalid_argument);
    BOOST_TEST(v->rekey({}).code() == Errc::vault_last_slot);
    BOOST_TEST(v->slots().size() == 3u);

    // Keep the passphrase slot and the key; drop "second".
    SlotCredential keep[] = {{2, nullptr, &key}, {0, &kPass, nullptr}};
    BOOST_REQUIRE(v->rekey(keep));
    BOOST_REQUIRE(v->save());
    v = Error(Errc::ok);
    const Bytes after = slurp(p);
    BOOST_TEST(after != before);
    BOOST_TEST(Vault::open(p, kPass).ok());
    BOOST_TEST(Vault::open_with_key(p, key).ok());
    BOOST_TEST(Vault::open(p, second).code() == Errc::vault_wrong_passphrase);
    auto w = Vault::open(p, kPass);
    BOOST_REQUIRE(w);
    BOOST_TEST(w->entries().size() == 2u);
    BOOST_TEST(w->slots().size() == 2u);
    // The backup made before the rekey is still encrypted under the old master key, which the new
    // slots cannot unwrap: splicing old slots onto the new payload must fail authentication.
    auto backups = Vault::list_backups(p);
    BOOST_REQUIRE(backups);
    BOOST_TEST(Vault::open(backups->back().path, second).ok());
}

BOOST_AUTO_TEST_CASE(tampering_any_byte_gives_a_named_error) {
    TempDir dir;
    FakeKey key;
    const fs::path p = make_vault(dir);
    {
        auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
        BOOST_REQUIRE(v);
        BOOST_REQUIRE(v->add_security_key_slot(key));
        BOOST_REQUIRE(v->save());
    }
    const Bytes good = slurp(p);
    auto info = parse_vault_header(good);
    BOOST_REQUIRE(info);
    // Locate the regions: fixed header 48 bytes, slots (3 + len + 8 each), payload header 24 bytes.
    std::vector<std::pair<std::size_t, std::string>> slot_ranges;
    std::size_t off = 48;
    for (std::size_t i = 0; i < 2; ++i) {
        const std::size_t len = (std::size_t{good[off + 1]} << 8) | good[off + 2];
        slot_ranges.emplace_back(off + 3 + len + 8, "slot " + std::to_string(i));
        off += 3 + len + 8;
    }
    const std::size_t payload_hdr_end = off + 24;

    std::size_t counted = 0;
    for (std::size_t i = 0; i < good.size(); ++i) {
        Bytes bad = good;
        bad[i] ^= 0x01;
        const Errc got = parse_vault_header(bad).code();
        Errc want = Errc::vault_corrupt;
        std::string detail = "header";
        if (i < 8) want = Errc::vault_not_a_vault;
        else if (i < 10) want = Errc::vault_version;
        else if (i >= payload_hdr_end) want = Errc::ok;   // the ciphertext: only the tag catches it
        if (i >= 48 && i < slot_ranges[0].first) detail = "slot 0";
        else if (i >= 48 && i < slot_ranges[1].first) detail = "slot 1";
        else if (i >= 48 && i < payload_hdr_end) detail = "payload";
        BOOST_TEST_CONTEXT("byte " << i) {
            BOOST_TEST(got == want);
            if (want == Errc::vault_corrupt) {
                const std::string d = parse_vault_header(bad).error().detail;
                BOOST_TEST(d.find(detail) != std::string::npos, d);
            }
            if (want == Errc::ok) {
                spit(p, bad);
                BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_tampered);
                ++counted;
            }
        }
    }
    BOOST_TEST(counted >= 16u + 1u);   // at least the tag and one ciphertext byte
    spit(p, good);
    BOOST_TEST(Vault::open(p, kPass).ok());
}

BOOST_AUTO_TEST_CASE(deliberate_tampering_is_caught_by_gcm) {
    // An attacker who also rewrites the unkeyed checks still fails: the header is the payload's AAD,
    // the slot metadata the wrap's AAD.
    TempDir dir;
    const fs::path p = make_vault(dir);
    const Bytes good = slurp(p);
    auto recheck = [](Bytes& b, std::size_t start, std::size_t len) {
        const auto c = vault_detail::region_check(ByteView(b).subspan(start, len));
        std::copy(c.begin(), c.end(), b.begin() + static_cast<std::ptrdiff_t>(start + len));
    };
    {   // generation rolled back
        Bytes b = good;
        b[35] ^= 0x01;
        recheck(b, 0, 40);
        spit(p, b);
        BOOST_TEST(parse_vault_header(b).ok());
        BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_tampered);
    }
    const std::size_t slot_len = (std::size_t{good[49]} << 8) | good[50];
    {   // the slot's KDF memory lowered: the wrap's AAD no longer matches
        Bytes b = good;
        b[48 + 3 + 4] ^= 0x01;   // low byte of memory_kib
        recheck(b, 48, 3 + slot_len);
        spit(p, b);
        BOOST_TEST(parse_vault_header(b).ok());
        BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_wrong_passphrase);
    }
    {   // payload nonce
        Bytes b = good;
        const std::size_t ph = 48 + 3 + slot_len + 8;
        b[ph] ^= 0x80;
        recheck(b, ph, 16);
        spit(p, b);
        BOOST_TEST(Vault::open(p, kPass).code() == Errc::vault_tampered);
    }
}

BOOST_AUTO_TEST_CASE(truncation_at_every_length) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    const Bytes good = slurp(p);
    for (std::size_t n = 0; n < good.size(); ++n) {
        auto r = parse_vault_header(ByteView(good).first(n));
        BOOST_TEST_CONTEXT("length " << n) {
            BOOST_TEST(r.code() == Errc::vault_truncated);
            const std::string& d = r.error().detail;
            BOOST_TEST((d.find("offset") != std::string::npos || d.find("ciphertext") != std::string::npos), d);
        }
    }
    Bytes longer = good;
    longer.push_back(0);
    BOOST_TEST(parse_vault_header(longer).code() == Errc::vault_corrupt);
    BOOST_TEST(parse_vault_header(as_bytes("not a vault at all")).code() == Errc::vault_not_a_vault);
}

BOOST_AUTO_TEST_CASE(decrypt_image_without_disk) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    const Bytes good = slurp(p);
    auto e = decrypt_vault_image(good, kPass);
    BOOST_REQUIRE(e);
    BOOST_TEST(e->size() == 2u);
    BOOST_TEST(decrypt_vault_image(good, SecretString("no")).code() == Errc::vault_wrong_passphrase);
}

BOOST_AUTO_TEST_CASE(backups_prune_and_restore) {
    TempDir dir;
    FakeClock clock;
    VaultOptions opts = test_opts(&clock);
    const fs::path p = dir.path / "vault.mfa";
    auto v = Vault::create(p, kPass, kTestKdf, opts);   // generation 1, nothing to back up
    BOOST_REQUIRE(v);
    auto list = Vault::list_backups(p, opts);
    BOOST_REQUIRE(list);
    BOOST_TEST(list->empty());
    // One save a day for 40 days; each keeps the version it replaces.
    for (int day = 1; day <= 40; ++day) {
        clock.t += 86400;
        BOOST_REQUIRE(v->add(make_account("Day", std::to_string(day), static_cast<std::uint8_t>(day))));
        BOOST_REQUIRE(v->save());
    }
    list = Vault::list_backups(p, opts);
    BOOST_REQUIRE(list);
    // Backups at days 1..40; those more than 30 days old (days 1..9) are pruned.
    BOOST_TEST(list->size() == 31u);
    BOOST_TEST(list->front().time == clock.t - 30 * 86400);
    BOOST_TEST(list->back().generation == 40u);   // the version that was current before the last save
    for (const auto& b : *list) {
        struct stat st{};
        BOOST_REQUIRE(::stat(b.path.c_str(), &st) == 0);
        BOOST_TEST((st.st_mode & 0777) == 0600u);
    }
    // A second writer cannot restore while this one holds the lock.
    BOOST_TEST(Vault::restore_backup(p, list->back().name, opts).code() == Errc::vault_locked);
    v = Error(Errc::ok);
    BOOST_TEST(Vault::restore_backup(p, "nope", opts).code() == Errc::vault_backup);
    BOOST_TEST(Vault::restore_backup(p, "../vault.mfa", opts).code() == Errc::vault_backup);
    BOOST_REQUIRE(Vault::restore_backup(p, list->back().name, opts));
    auto w = Vault::open(p, kPass, OpenMode::read, opts);
    BOOST_REQUIRE(w);
    BOOST_TEST(w->entries().size() == 39u);   // the state before the 40th account
    BOOST_TEST(w->generation() == 40u);
    // The restore itself kept the version it replaced.
    auto after = Vault::list_backups(p, opts);
    BOOST_REQUIRE(after);
    BOOST_TEST(after->size() == 32u);
    BOOST_TEST(after->back().generation == 41u);

    // Retention is configurable, and the newest backup is always kept.
    clock.t += 400 * 86400;
    opts.backup_retention_days = 7;
    auto x = Vault::open(p, kPass, OpenMode::write, opts);
    BOOST_REQUIRE(x);
    BOOST_REQUIRE(x->save());
    after = Vault::list_backups(p, opts);
    BOOST_REQUIRE(after);
    BOOST_TEST(after->size() == 1u);
    BOOST_TEST(after->back().time == clock.t);
}

// What a writer killed between staging and publishing a backup leaves (file_io.hpp), in each form:
// the next save removes what is still the current vault or already published, publishes the rest.
BOOST_AUTO_TEST_CASE(pending_backups_are_settled_by_the_next_save) {
    TempDir dir;
    FakeClock clock;
    const VaultOptions opts = test_opts(&clock);
    const fs::path p = dir.path / "vault.mfa";
    const fs::path backups = dir.path / "backups";
    auto v = Vault::create(p, kPass, kTestKdf, opts);
    BOOST_REQUIRE(v);
    for (std::uint8_t i = 1; i <= 3; ++i) {
        clock.t += 60;
        BOOST_REQUIRE(v->add(make_account("Acct", std::to_string(i), i)));
        BOOST_REQUIRE(v->save());
    }
    auto list = Vault::list_backups(p, opts);
    BOOST_REQUIRE(list);
    BOOST_REQUIRE(list->size() == 3u);   // generations 1, 2, 3; the vault is at 4
    auto pending = [&](const BackupInfo& b) {
        return backups / ("." + b.name.substr(0, b.name.size() - 4) + ".pending");
    };
    // Killed before the vault's rename where links are impossible: a copy of the current vault.
    const fs::path copy = backups / (".vault.mfa." + utc_file_stamp(clock.t) + ".g4.pending");
    spit(copy, slurp(p));
    // Killed between the link and the unlink of a publication without renameat2: both names remain.
    const fs::path linked = pending((*list)[0]);
    BOOST_REQUIRE(::link((*list)[0].path.c_str(), linked.c_str()) == 0);
    // Killed after the vault's rename: generation 2 exists only under its pending name.
    const Bytes second = slurp((*list)[1].path);
    BOOST_REQUIRE(::rename((*list)[1].path.c_str(), pending((*list)[1]).c_str()) == 0);
    // Another vault's pending backup in a shared folder is not this writer's to settle.
    const fs::path other = backups / (".other.mfa." + utc_file_stamp(clock.t) + ".g7.pending");
    spit(other, as_bytes("another vault"));
    BOOST_TEST(Vault::list_backups(p, opts)->size() == 2u);   // pending names are not listed

    clock.t += 60;
    BOOST_REQUIRE(v->add(make_account("Acct", "4", 4)));
    BOOST_REQUIRE(v->save());
    auto after = Vault::list_backups(p, opts);
    BOOST_REQUIRE(after);
    std::vector<std::uint64_t> generations;
    for (const auto& b : *after) generations.push_back(b.generation);
    BOOST_TEST(generations == (std::vector<std::uint64_t>{1, 2, 3, 4}), boost::test_tools::per_element());
    BOOST_TEST(slurp((*after)[1].path) == second);
    std::vector<std::string> hidden;
    for (const auto& e : fs::directory_iterator(backups))
        if (e.path().filename().string().front() == '.') hidden.push_back(e.path().filename().string());
    BOOST_TEST(hidden == (std::vector<std::string>{other.filename().string()}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(restore_rejects_a_corrupt_backup) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    auto list = Vault::list_backups(p);
    BOOST_REQUIRE(list);
    BOOST_REQUIRE(!list->empty());
    Bytes b = slurp(list->back().path);
    b.resize(b.size() / 2);
    fs::remove(list->back().path);
    spit(list->back().path, b);
    const Bytes before = slurp(p);
    BOOST_TEST(Vault::restore_backup(p, list->back().name).code() == Errc::vault_backup);
    BOOST_TEST(slurp(p) == before);
}

BOOST_AUTO_TEST_CASE(one_writer_at_a_time) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    auto w = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_REQUIRE(w);
    BOOST_TEST(w->writable());
    auto second = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_TEST(second.code() == Errc::vault_locked);
    // Readers are not blocked, and cannot save.
    auto r = Vault::open(p, kPass, OpenMode::read, test_opts());
    BOOST_REQUIRE(r);
    BOOST_TEST(r->save().code() == Errc::vault_read_only);

    // Another process is refused too, and succeeds once the lock is released.
    auto child_try = [&] {
        const pid_t pid = ::fork();
        if (pid == 0) {
            auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
            ::_exit(v ? 0 : v.code() == Errc::vault_locked ? 3 : 4);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    BOOST_TEST(child_try() == 3);
    w = Error(Errc::ok);
    BOOST_TEST(child_try() == 0);
}

BOOST_AUTO_TEST_CASE(no_temporary_left_behind) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    for (const auto& e : fs::directory_iterator(dir.path)) {
        const std::string n = e.path().filename().string();
        BOOST_TEST(n.find(".tmp-") == std::string::npos, n);
    }
}

BOOST_AUTO_TEST_CASE(accounts_add_search_update_remove) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    FakeClock clock;
    auto v = Vault::open(p, kPass, OpenMode::write, test_opts(&clock));
    BOOST_REQUIRE(v);
    // Duplicates: the same secret and type, whatever the label.
    auto dup = v->add(make_account("Other", "label", 1));
    BOOST_TEST(dup.code() == Errc::vault_duplicate);
    BOOST_TEST(dup.error().detail.find("Example:alice@example.com") != std::string::npos);
    BOOST_REQUIRE(v->add(make_account("GitHub", "alice", 77), {"work", "code"}));
    BOOST_REQUIRE(v->add(make_account("GitLab", "alice", 78), {"Code"}));

    BOOST_TEST(v->search("").size() == 4u);
    BOOST_TEST(v->search("git").size() == 2u);
    BOOST_TEST(v->search("ALICE").size() == 3u);
    BOOST_TEST(v->search("github:alice").size() == 1u);
    BOOST_TEST(v->search("code").size() == 2u);   // by tag
    BOOST_TEST(v->with_tag("work").size() == 2u);
    BOOST_TEST(v->search("nothing here").empty());
    const std::string id = v->search("gitlab")[0]->id;
    BOOST_TEST(v->search(id.substr(0, 6)).size() == 1u);
    BOOST_REQUIRE(v->find_id(id));

    VaultEntry e = v->find_id(id)->clone();
    const std::int64_t created = e.created;
    clock.t += 100;
    e.account.name = "alice2";
    e.note = "moved";
    BOOST_REQUIRE(v->update(std::move(e)));
    BOOST_TEST(v->find_id(id)->account.name == "alice2");
    BOOST_TEST(v->find_id(id)->created == created);
    BOOST_TEST(v->find_id(id)->updated == clock.t);
    VaultEntry ghost = v->find_id(id)->clone();
    ghost.id = std::string(32, 'f');
    BOOST_TEST(v->update(std::move(ghost)).code() == Errc::not_found);
    BOOST_REQUIRE(v->remove(id));
    BOOST_TEST(v->remove(id).code() == Errc::not_found);
    BOOST_TEST(v->entries().size() == 3u);
}

BOOST_AUTO_TEST_CASE(entry_validation_names_the_field) {
    TempDir dir;
    const fs::path p = make_vault(dir);
    auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_REQUIRE(v);
    auto check = [&](Account a, std::string_view field, std::vector<std::string> tags = {}, std::string note = {}) {
        auto r = v->add(a, std::move(tags), std::move(note));
        BOOST_TEST(r.code() == Errc::vault_entry);
        if (!r) BOOST_TEST(r.error().detail.find(field) != std::string::npos, r.error().detail);
    };
    Account a = make_account("", "", 120);
    check(std::move(a), "empty");
    a = make_account(std::string(kVaultMaxText + 1, 'x'), "n", 121);
    check(std::move(a), "issuer");
    a = make_account("i", "a\nb", 122);
    check(std::move(a), "name");
    a = make_account("i", "n", 123);
    a.params.digits = 11;
    check(std::move(a), "digits");
    a = make_account("i", "n", 124);
    a.params.period = 0;
    check(std::move(a), "period");
    a = make_account("i", "n", 125);
    a.secret = SecretBytes();
    check(std::move(a), "secret");
    check(make_account("i", "n", 126), "tag", {""});
    check(make_account("i", "n", 127), "tags", std::vector<std::string>(kVaultMaxTags + 1, "t"));
    check(make_account("i", "n", 128), "note", {}, std::string(kVaultMaxNote + 1, 'n'));
    BOOST_TEST(v->entries().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(vault_codes)

// RFC 4226 Appendix D: secret "12345678901234567890".
Account rfc4226(OtpType type) {
    Account a;
    a.issuer = "RFC";
    a.name = type == OtpType::hotp ? "4226" : "6238";
    const std::string_view s = "12345678901234567890";
    a.secret = SecretBytes(as_bytes(s));
    a.params.type = type;
    return a;
}

BOOST_AUTO_TEST_CASE(hotp_next_saves_before_showing) {
    TempDir dir;
    const fs::path p = dir.path / "v.mfa";
    std::string id;
    {
        auto v = Vault::create(p, kPass, kTestKdf, test_opts());
        BOOST_REQUIRE(v);
        auto r = v->add(rfc4226(OtpType::hotp));
        BOOST_REQUIRE(r);
        id = *r;
        BOOST_REQUIRE(v->save());
        const char* want[] = {"755224", "287082", "359152"};
        for (const char* w : want) {
            auto c = v->hotp_next(id);
            BOOST_REQUIRE(c);
            BOOST_TEST(c->view() == w);
        }
    }
    // The counter is on disk: a new process continues at 3.
    auto v = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_REQUIRE(v);
    BOOST_TEST(v->find_id(id)->account.params.counter == 3u);
    auto c = v->hotp_next(id);
    BOOST_REQUIRE(c);
    BOOST_TEST(c->view() == "969429");
    BOOST_TEST(v->hotp_next("nope").code() == Errc::not_found);

    // When the save fails, no code is shown and the counter stays.
    v = Error(Errc::ok);
    auto r = Vault::open(p, kPass, OpenMode::read, test_opts());
    BOOST_REQUIRE(r);
    BOOST_TEST(r->hotp_next(id).code() == Errc::vault_read_only);
    auto w = Vault::open(p, kPass, OpenMode::write, test_opts());
    BOOST_REQUIRE(w);
    // A file where the backup directory should be makes the save fail (even for root).
    fs::remove_all(dir.path / "backups");
    spit(dir.path / "backups", as_bytes("in the way"));
    auto failed = w->hotp_next(id);
    BOOST_TEST(failed.code() == Errc::io);
    BOOST_TEST(w->find_id(id)->account.params.counter == 4u);
    fs::remove(dir.path / "backups");
    auto ok = w->hotp_next(id);
    BOOST_REQUIRE(ok);
    BOOST_TEST(ok->view() == "338314");   // counter 4
}

BOOST_AUTO_TEST_CASE(totp_current_and_next) {
    TempDir dir;
    auto v = Vault::create(dir.path / "v.mfa", kPass, kTestKdf, test_opts());
    BOOST_REQUIRE(v);
    Account a = rfc4226(OtpType::totp);
    a.params.digits = 8;
    auto id = v->add(a);
    BOOST_REQUIRE(id);
    // RFC 6238 Appendix B: T = 59 -> 94287082; the next step (T = 60..89) is 37359152 (HOTP counter 2).
    auto c = totp_code(*v->find_id(*id), 59);
    BOOST_REQUIRE(c);
    BOOST_TEST(c->code.view() == "94287082");
    BOOST_TEST(c->seconds_left == 1u);
    BOOST_TEST(c->period == 30u);
    BOOST_TEST(c->next.view() == "37359152");
    auto h = v->add(rfc4226(OtpType::hotp));
    BOOST_REQUIRE(h);
    BOOST_TEST(totp_code(*v->find_id(*h), 59).code() == Errc::invalid_argument);
    BOOST_TEST(v->hotp_next(*id).code() == Errc::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

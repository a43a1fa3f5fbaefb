// Import and export: fixtures written from each format's public documentation, an encrypted Aegis
// vault made here with the documented scheme (scrypt N=2^15 r=8 p=1, AES-256-GCM), malformed files
// whose errors must name the line or JSON path, and export -> import round trips.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "../lib/vault/crypto.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/vault_import.hpp"
#include "test_support.hpp"
#include "vault_fakes.hpp"

using namespace mfa;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
    const char* src = std::getenv("MFA_SOURCE_DIR");
    const fs::path p = fs::path(src ? src : "..") / "tests" / "vectors" / "import" / name;
    std::ifstream in(p, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " + p.string());
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string b32(const Account& a) { return std::string(base32_encode(a.secret.view()).view()); }

template <class R>
std::string why(const R& r) {
    return r.ok() ? std::string() : r.error().to_string();
}

// An encrypted Aegis vault as Aegis writes it (docs/vault.md): a random master key encrypts the db
// JSON with AES-256-GCM; a password slot wraps the master key under scrypt(password, salt).
std::string encrypt_aegis(const std::string& plain_vault, const std::string& password) {
    auto plain = nlohmann::json::parse(plain_vault);
    const std::string db = plain["db"].dump();
    Bytes master(32), salt(32), slot_nonce(12), db_nonce(12);
    BOOST_REQUIRE(random_fill(master).ok() && random_fill(salt).ok() && random_fill(slot_nonce).ok() && random_fill(db_nonce).ok());
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    std::uint64_t n = 32768;
    std::uint32_t r = 8, p = 1;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()), password.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_end(),
    };
    Bytes kek(32);
    BOOST_REQUIRE(EVP_KDF_derive(ctx, kek.data(), kek.size(), params) == 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    auto wrapped = vault_detail::gcm_seal(kek, slot_nonce, {}, master);
    auto sealed_db = vault_detail::gcm_seal(master, db_nonce, {}, as_bytes(db));
    BOOST_REQUIRE(wrapped && sealed_db);
    const ByteView w(*wrapped), d(*sealed_db);
    nlohmann::json out;
    out["version"] = 1;
    out["header"]["slots"] = nlohmann::json::array({{{"type", 1},
                                                     {"uuid", "a8325752-c1be-458a-9b3e-5e0a8154d9ec"},
                                                     {"key", hex_encode(w.first(32))},
                                                     {"key_params", {{"nonce", hex_encode(slot_nonce)}, {"tag", hex_encode(w.subspan(32))}}},
                                                     {"n", n},
                                                     {"r", r},
                                                     {"p", p},
                                                     {"salt", hex_encode(salt)},
                                                     {"repaired", true},
                                                     {"is_backup", false}}});
    out["header"]["params"] = {{"nonce", hex_encode(db_nonce)}, {"tag", hex_encode(d.subspan(d.size() - 16))}};
    out["db"] = base64_encode(d.first(d.size() - 16));
    return out.dump(4);
}

void check_aegis_accounts(const ImportResult& r) {
    BOOST_REQUIRE_EQUAL(r.accounts.size(), 4u);
    BOOST_REQUIRE_EQUAL(r.skipped.size(), 1u);
    BOOST_TEST(r.skipped[0].find("motp") != std::string::npos);
    const auto& a = r.accounts[0];
    BOOST_TEST(a.account.issuer == "Deno");
    BOOST_TEST(a.account.name == "Mark");
    BOOST_TEST(b32(a.account) == "4SJHB4GSD43FZBAI7C2HLRJGPQ");
    BOOST_TEST(a.note == "personal");
    BOOST_TEST(a.tags == std::vector<std::string>{"Work"});
    BOOST_TEST((r.accounts[1].account.params.type == OtpType::hotp));
    BOOST_TEST(r.accounts[1].account.params.counter == 1u);
    BOOST_TEST((r.accounts[2].account.params.type == OtpType::steam));
    const auto& e = r.accounts[3].account.params;
    BOOST_TEST((e.algorithm == HashAlg::sha512));
    BOOST_TEST(e.digits == 8u);
    BOOST_TEST(e.period == 50u);
    BOOST_TEST((r.accounts[3].tags == std::vector<std::string>{"Work", "Travel"}));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(vault_import)

BOOST_AUTO_TEST_CASE(aegis_plain) {
    const std::string text = fixture("aegis-plain.json");
    BOOST_TEST((detect_import_format(as_bytes(text)).value() == ImportFormat::aegis));
    auto r = import_accounts(as_bytes(text));
    BOOST_REQUIRE_MESSAGE(r, why(r));
    BOOST_TEST((r->format == ImportFormat::aegis));
    check_aegis_accounts(*r);
}

BOOST_AUTO_TEST_CASE(aegis_encrypted) {
    const std::string text = encrypt_aegis(fixture("aegis-plain.json"), "test");
    BOOST_TEST((detect_import_format(as_bytes(text)).value() == ImportFormat::aegis_encrypted));
    BOOST_TEST(import_accounts(as_bytes(text)).code() == Errc::invalid_argument);
    const SecretString wrong("nope"), right("test");
    BOOST_TEST(import_accounts(as_bytes(text), &wrong).code() == Errc::vault_wrong_passphrase);
    auto r = import_accounts(as_bytes(text), &right);
    BOOST_REQUIRE_MESSAGE(r, why(r));
    BOOST_TEST((r->format == ImportFormat::aegis_encrypted));
    check_aegis_accounts(*r);
    // A modified ciphertext fails the db's tag.
    auto j = nlohmann::json::parse(text);
    std::string db = j["db"];
    db[4] = db[4] == 'A' ? 'B' : 'A';
    j["db"] = db;
    auto t = import_accounts(as_bytes(j.dump()), &right);
    BOOST_TEST(t.code() == Errc::parse);
    BOOST_TEST(t.error().detail.find("db") != std::string::npos);
    // scrypt parameters beyond the caps are refused before any work.
    j = nlohmann::json::parse(text);
    j["header"]["slots"][0]["n"] = std::uint64_t{1} << 30;
    auto big = import_accounts(as_bytes(j.dump()), &right);
    BOOST_TEST(big.code() == Errc::parse);
    BOOST_TEST(big.error().detail.find("header.slots[0].n") != std::string::npos, big.error().detail);
}

BOOST_AUTO_TEST_CASE(twofas) {
    const std::string text = fixture("2fas.2fas");
    auto r = import_accounts(as_bytes(text));
    BOOST_REQUIRE_MESSAGE(r, why(r));
    BOOST_TEST((r->format == ImportFormat::twofas));
    BOOST_REQUIRE_EQUAL(r->accounts.size(), 3u);
    BOOST_TEST(r->accounts[0].account.issuer == "GitHub");
    BOOST_TEST(r->accounts[0].account.name == "alice@example.com");
    BOOST_TEST(r->accounts[0].tags == std::vector<std::string>{"Code"});
    BOOST_TEST(r->accounts[1].account.issuer == "Bank");   // from the service name
    BOOST_TEST(r->accounts[1].account.params.counter == 5u);
    BOOST_TEST((r->accounts[2].account.params.type == OtpType::steam));
    BOOST_TEST(import_2fas(R"({"services":[],"servicesEncrypted":"abc"})").code() == Errc::unsupported);
}

BOOST_AUTO_TEST_CASE(andotp) {
    const std::string text = fixture("andotp.json");
    auto r = import_accounts(as_bytes(text));
    BOOST_REQUIRE_MESSAGE(r, why(r));
    BOOST_TEST((r->format == ImportFormat::andotp));
    BOOST_REQUIRE_EQUAL(r->accounts.size(), 3u);
    BOOST_TEST(r->skipped.size() == 1u);
    BOOST_TEST((r->accounts[0].account.params.algorithm == HashAlg::sha256));
    BOOST_TEST((r->accounts[0].tags == std::vector<std::string>{"work", "code"}));
    BOOST_TEST(r->accounts[1].account.params.digits == 8u);
    BOOST_TEST(r->accounts[1].account.params.counter == 7u);
}

BOOST_AUTO_TEST_CASE(uri_list_with_migration) {
    const std::string text = fixture("uris.txt");
    auto r = import_accounts(as_bytes(text));
    BOOST_REQUIRE_MESSAGE(r, why(r));
    BOOST_TEST((r->format == ImportFormat::uri_list));
    BOOST_REQUIRE_EQUAL(r->accounts.size(), 3u);
    BOOST_TEST(r->accounts[1].account.params.counter == 3u);
    BOOST_TEST(r->accounts[2].account.issuer == "GitHub");   // from the migration payload
    BOOST_TEST(b32(r->accounts[2].account) == "JBSWY3DPEHPK3PXP");
}

BOOST_AUTO_TEST_CASE(malformed_files_name_the_line_or_field) {
    auto expect = [](Result<ImportResult> r, Errc code, std::string_view where) {
        BOOST_TEST(r.code() == code);
        if (!r) BOOST_TEST(r.error().detail.find(where) != std::string::npos, r.error().detail);
    };
    expect(import_uri_list("# c\notpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\notpauth://totp/A:b?secret=!!\n"),
           Errc::uri_secret, "line 3");
    expect(import_uri_list("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\nhttp://example.com\n"), Errc::uri_scheme, "line 2");
    expect(import_uri_list("otpauth-migration://offline?data=%%%\n"), Errc::migration_invalid, "line 1");
    std::string aegis = fixture("aegis-plain.json");
    auto j = nlohmann::json::parse(aegis);
    j["db"]["entries"][1]["info"].erase("secret");
    expect(import_aegis(j.dump()), Errc::parse, "db.entries[1].info.secret");
    j = nlohmann::json::parse(aegis);
    j["db"]["entries"][0]["info"]["digits"] = "six";
    expect(import_aegis(j.dump()), Errc::parse, "db.entries[0].info.digits");
    j = nlohmann::json::parse(aegis);
    j["db"]["entries"][0]["info"]["algo"] = "MD5";
    expect(import_aegis(j.dump()), Errc::parse, "db.entries[0].info.algo");
    j = nlohmann::json::parse(aegis);
    j["version"] = 2;
    expect(import_aegis(j.dump()), Errc::unsupported, "version");
    expect(import_aegis("{\"version\":1,\n\"db\": [1,2,"), Errc::parse, "line 2");
    expect(import_2fas(R"({"services":[{"secret":"JBSWY3DPEHPK3PXP","name":"A","otp":{"digits":6}},{"secret":"1!","otp":{}}]})"),
           Errc::base32_invalid, "$.services[1].secret");
    expect(import_2fas(R"({"services":[{"secret":"JBSWY3DPEHPK3PXP","name":"x","otp":{"digits":11}}]})"), Errc::parse,
           "$.services[0].otp.digits");
    expect(import_andotp(R"([{"secret":"JBSWY3DPEHPK3PXP","label":"a","type":"TOTP","period":"x"}])"), Errc::parse, "$[0].period");
    expect(import_andotp(R"({"not":"an array"})"), Errc::parse, "$");
    // A number too large for a double is nlohmann's out_of_range, reported like a syntax error
    // (found by fuzz_import_aegis).
    expect(import_aegis("{\"version\":1,\"db\":7e77707}"), Errc::parse, "Aegis JSON");
    expect(import_andotp("[{\"digits\":588888888888e888}]"), Errc::parse, "andOTP JSON");
    BOOST_TEST(detect_import_format(as_bytes("hello")).code() == Errc::unsupported);
    BOOST_TEST(detect_import_format(as_bytes("{\"x\":1}")).code() == Errc::unsupported);
}

BOOST_AUTO_TEST_CASE(export_then_import_gives_the_same_accounts) {
    test::TempDir dir;
    VaultOptions o;
    o.allow_insecure_kdf = true;
    auto v = Vault::create(dir.path / "v.mfa", SecretString("x"), KdfParams::insecure_for_tests(), o);
    BOOST_REQUIRE(v);
    auto in = import_aegis(fixture("aegis-plain.json"));
    BOOST_REQUIRE(in);
    for (const auto& a : in->accounts) BOOST_REQUIRE(v->add(a.account, a.tags, a.note));
    const auto all = v->search("");
    auto same = [&](const ImportResult& r, bool with_tags) {
        BOOST_REQUIRE_EQUAL(r.accounts.size(), all.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            const auto& x = all[i]->account;
            const auto& y = r.accounts[i].account;
            BOOST_TEST(x.issuer == y.issuer);
            BOOST_TEST(x.name == y.name);
            BOOST_TEST(b32(x) == b32(y));
            BOOST_TEST((x.params.type == y.params.type));
            BOOST_TEST((x.params.algorithm == y.params.algorithm));
            BOOST_TEST(x.params.digits == y.params.digits);
            if (x.params.type == OtpType::hotp) BOOST_TEST(x.params.counter == y.params.counter);
            else BOOST_TEST(x.params.period == y.params.period);
            if (with_tags) {
                BOOST_TEST(all[i]->tags == r.accounts[i].tags);
                BOOST_TEST(all[i]->note == r.accounts[i].note);
            }
        }
    };
    auto uris = export_uri_list(all);
    BOOST_REQUIRE(uris);
    auto back = import_uri_list(uris->view());
    BOOST_REQUIRE_MESSAGE(back, why(back));
    same(*back, false);
    auto aegis = export_aegis_json(all);
    BOOST_REQUIRE(aegis);
    auto back2 = import_aegis(aegis->view());
    BOOST_REQUIRE_MESSAGE(back2, why(back2));
    same(*back2, true);
    // Google Authenticator migration batches of 1 (its payload has no Steam type and no period: the
    // SHA1 TOTP and the HOTP account go through).
    std::vector<Account> accounts;
    accounts.push_back(all[0]->account.clone());
    accounts.push_back(all[1]->account.clone());
    auto batches = build_migration_uris(accounts, 1, 7);
    BOOST_REQUIRE_MESSAGE(batches, why(batches));
    BOOST_TEST(batches->size() == 2u);
    SecretString joined;
    for (const auto& b : *batches) {
        joined.append(b.view());
        joined.push_back('\n');
    }
    auto back3 = import_uri_list(joined.view());
    BOOST_REQUIRE_MESSAGE(back3, why(back3));
    BOOST_REQUIRE_EQUAL(back3->accounts.size(), 2u);
    BOOST_TEST(b32(back3->accounts[1].account) == b32(all[1]->account));
    BOOST_TEST(back3->accounts[1].account.params.counter == all[1]->account.params.counter);
}

BOOST_AUTO_TEST_SUITE_END()

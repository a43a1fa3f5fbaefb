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

// The accounts of an encrypted fixture must be those of its plain twin.
void same_accounts(const ImportResult& got, const ImportResult& want) {
    BOOST_REQUIRE_EQUAL(got.accounts.size(), want.accounts.size());
    BOOST_TEST(got.skipped == want.skipped);
    for (std::size_t i = 0; i < got.accounts.size(); ++i) {
        const auto& x = got.accounts[i];
        const auto& y = want.accounts[i];
        BOOST_TEST(x.account.issuer == y.account.issuer);
        BOOST_TEST(x.account.name == y.account.name);
        BOOST_TEST(b32(x.account) == b32(y.account));
        BOOST_TEST((x.account.params.type == y.account.params.type));
        BOOST_TEST((x.account.params.algorithm == y.account.params.algorithm));
        BOOST_TEST(x.account.params.digits == y.account.params.digits);
        BOOST_TEST(x.account.params.period == y.account.params.period);
        BOOST_TEST(x.account.params.counter == y.account.params.counter);
        BOOST_TEST(x.tags == y.tags);
    }
}

void expect_error(const Result<ImportResult>& r, Errc code, std::string_view where) {
    BOOST_TEST(r.code() == code, r.error().to_string());
    if (!r) BOOST_TEST(r.error().detail.find(where) != std::string::npos, r.error().detail);
}

// The password of the encrypted fixtures (tests/vectors/import/make_encrypted.py).
const SecretString kRight("correct horse battery"), kWrong("correct horse batterY");

}  // namespace

// An empty vault with the cheap test KDF.
static Result<Vault> quick_vault(const test::TempDir& dir) {
    VaultOptions o;
    o.allow_insecure_kdf = true;
    return Vault::create(dir.path / "v.mfa", SecretString("x"), KdfParams::insecure_for_tests(), o);
}

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

BOOST_AUTO_TEST_CASE(aegis_encrypted_kdf_work_and_slot_count_capped) {
    const std::string text = encrypt_aegis(fixture("aegis-plain.json"), "test");
    const SecretString right("test");
    const auto original = nlohmann::json::parse(text);
    // A slot within each per-parameter cap but past the total work budget is refused, named, after
    // only the slot before it was tried.
    auto j = original;
    auto wrong = j["header"]["slots"][0];
    wrong["salt"] = std::string(64, '0');   // another salt: this slot does not unwrap
    auto heavy = wrong;
    heavy["n"] = std::uint64_t{1} << 20;
    heavy["r"] = 16;
    heavy["p"] = 1;   // 2^24 alone: with the slot before, over the budget
    j["header"]["slots"] = nlohmann::json::array({wrong, heavy, original["header"]["slots"][0]});
    auto over = import_accounts(as_bytes(j.dump()), &right);
    BOOST_TEST(over.code() == Errc::limit_exceeded);
    BOOST_TEST(over.error().detail.find("header.slots[1].n") != std::string::npos, over.error().detail);
    BOOST_TEST(over.error().detail.find("16777216") != std::string::npos, over.error().detail);
    // Below the budget the slots are tried and the right one is found.
    heavy["n"] = std::uint64_t{1} << 15;
    j["header"]["slots"] = nlohmann::json::array({wrong, heavy, original["header"]["slots"][0]});
    auto within = import_accounts(as_bytes(j.dump()), &right);
    BOOST_REQUIRE_MESSAGE(within, why(within));
    check_aegis_accounts(*within);
    // More slots than Aegis ever writes: refused before any derivation.
    nlohmann::json many = nlohmann::json::array();
    for (std::size_t i = 0; i < kAegisMaxSlots; ++i) many.push_back({{"type", 2}, {"uuid", "x"}});
    many.push_back(original["header"]["slots"][0]);
    j["header"]["slots"] = many;
    auto count = import_accounts(as_bytes(j.dump()), &right);
    BOOST_TEST(count.code() == Errc::limit_exceeded);
    BOOST_TEST(count.error().detail.find("header.slots: 17 slots, at most 16") != std::string::npos, count.error().detail);
    many.erase(many.begin());   // 16 slots: the password slot is reached
    j["header"]["slots"] = many;
    BOOST_TEST(import_accounts(as_bytes(j.dump()), &right).ok());
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
}

BOOST_AUTO_TEST_CASE(twofas_encrypted) {
    const std::string text = fixture("2fas-encrypted.2fas");
    BOOST_TEST((detect_import_format(as_bytes(text)).value() == ImportFormat::twofas_encrypted));
    BOOST_TEST(import_accounts(as_bytes(text)).code() == Errc::invalid_argument);
    expect_error(import_accounts(as_bytes(text), &kWrong), Errc::vault_wrong_passphrase, "$.reference: GCM tag mismatch");
    auto r = import_accounts(as_bytes(text), &kRight);
    BOOST_REQUIRE_MESSAGE(r, why(r));
    BOOST_TEST((r->format == ImportFormat::twofas_encrypted));
    auto plain = import_2fas(fixture("2fas.2fas"));
    BOOST_REQUIRE(plain);
    same_accounts(*r, *plain);
    BOOST_TEST(r->accounts[0].tags == std::vector<std::string>{"Code"});   // groups stay in the clear
    // Without a reference a wrong password shows at the services' tag.
    auto j = nlohmann::json::parse(text);
    j.erase("reference");
    expect_error(import_2fas(j.dump(), &kWrong), Errc::vault_wrong_passphrase, "$.servicesEncrypted: GCM tag mismatch");
    auto noref = import_2fas(j.dump(), &kRight);
    BOOST_REQUIRE_MESSAGE(noref, why(noref));
    same_accounts(*noref, *plain);
    // The reference opens but the services were changed (one ciphertext byte) or truncated.
    for (const bool truncate : {false, true}) {
        j = nlohmann::json::parse(text);
        const std::string enc = j["servicesEncrypted"];
        const auto colon = enc.find(':');
        Bytes ct = base64_decode(enc.substr(0, colon), Base64Mode::standard).value();
        if (truncate) ct.resize(ct.size() - 5);
        else ct[3] ^= 1;
        j["servicesEncrypted"] = base64_encode(ct) + enc.substr(colon);
        expect_error(import_2fas(j.dump(), &kRight), Errc::parse, "$.servicesEncrypted: GCM tag mismatch although");
    }
    // The password opens the reference, which is not 2FAS's text.
    expect_error(import_accounts(as_bytes(fixture("2fas-encrypted-bad-reference.2fas")), &kRight), Errc::parse,
                 "$.reference: decrypts, but not to the text 2FAS writes there");
    // An encrypted empty service list is an empty import.
    auto empty = import_accounts(as_bytes(fixture("2fas-encrypted-empty.2fas")), &kRight);
    BOOST_REQUIRE_MESSAGE(empty, why(empty));
    BOOST_TEST(empty->accounts.empty());
    BOOST_TEST((empty->format == ImportFormat::twofas_encrypted));
}

BOOST_AUTO_TEST_CASE(twofas_encrypted_container_errors_name_the_field) {
    const auto base = nlohmann::json::parse(fixture("2fas-encrypted.2fas"));
    const std::string enc = base["servicesEncrypted"];
    const auto c1 = enc.find(':'), c2 = enc.rfind(':');
    const std::string ct = enc.substr(0, c1), salt = enc.substr(c1 + 1, c2 - c1 - 1), iv = enc.substr(c2 + 1);
    auto with = [&](const std::string& field, nlohmann::json value) {
        auto j = base;
        if (value.is_discarded()) j.erase(field);
        else j[field] = std::move(value);
        return j.dump();
    };
    const auto gone = nlohmann::json(nlohmann::json::value_t::discarded);
    struct Case {
        std::string text;
        Errc code;
        std::string where;
    };
    const std::vector<Case> cases = {
        {with("servicesEncrypted", ct + ":" + salt), Errc::parse, "$.servicesEncrypted: 2 ':'-separated part(s)"},
        {with("servicesEncrypted", enc + ":AAAA"), Errc::parse, "$.servicesEncrypted: more than 3"},
        {with("servicesEncrypted", ct + ":" + salt.substr(1) + ":" + iv), Errc::parse, "$.servicesEncrypted: part 2 (salt): not Base64"},
        {with("servicesEncrypted", ct + ":AAAAAAAAAAAAAAAA:" + iv), Errc::parse, "part 2 (salt): 12 bytes"},
        {with("servicesEncrypted", ct + ":" + salt + ":" + base64_encode(Bytes(8))), Errc::parse, "part 3 (IV): 8 bytes"},
        {with("servicesEncrypted", ct + ":" + salt + ":" + base64_encode(Bytes(64))), Errc::parse, "part 3 (IV): longer than 16"},
        {with("servicesEncrypted", base64_encode(Bytes(15)) + ":" + salt + ":" + iv), Errc::parse, "part 1 (ciphertext||tag): 15 bytes"},
        {with("servicesEncrypted", ct + "!:" + salt + ":" + iv), Errc::parse, "part 1 (ciphertext||tag): not Base64"},
        {with("servicesEncrypted", 42), Errc::parse, "$.servicesEncrypted: not a string"},
        {with("reference", "x:y"), Errc::parse, "$.reference: 2 ':'-separated"},
        {with("schemaVersion", gone), Errc::parse, "$.schemaVersion: missing"},
        {with("schemaVersion", 5), Errc::unsupported, "$.schemaVersion: 2FAS schema version 5"},
        {with("schemaVersion", -1), Errc::parse, "$.schemaVersion: negative"},
    };
    for (const auto& c : cases) {
        // The container is checked before the password is asked for or used.
        expect_error(import_2fas(c.text, nullptr), c.code, c.where);
        expect_error(import_2fas(c.text, &kRight), c.code, c.where);
    }
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

BOOST_AUTO_TEST_CASE(andotp_encrypted_both_layouts) {
    auto plain = import_andotp(fixture("andotp.json"));
    BOOST_REQUIRE(plain);
    const std::string current = fixture("andotp-encrypted.json.aes"), old = fixture("andotp-encrypted-old.json.aes");
    // Nothing marks these files as andOTP: detection declines and names the format to choose.
    for (const auto* t : {&current, &old}) {
        auto d = detect_import_format(as_bytes(*t));
        BOOST_TEST(d.code() == Errc::unsupported);
        if (!d) BOOST_TEST(d.error().detail.find("andOTP backup, otp_accounts.json.aes, cannot be recognised") != std::string::npos);
        BOOST_TEST(import_accounts(as_bytes(*t), &kRight).code() == Errc::unsupported);
    }
    auto r = import_accounts(as_bytes(current), ImportFormat::andotp_encrypted, &kRight);
    BOOST_REQUIRE_MESSAGE(r, why(r));
    BOOST_TEST((r->format == ImportFormat::andotp_encrypted));
    same_accounts(*r, *plain);
    auto o = import_accounts(as_bytes(old), ImportFormat::andotp_encrypted_old, &kRight);
    BOOST_REQUIRE_MESSAGE(o, why(o));
    BOOST_TEST((o->format == ImportFormat::andotp_encrypted_old));
    same_accounts(*o, *plain);
    BOOST_TEST(import_accounts(as_bytes(current), ImportFormat::andotp_encrypted, nullptr).code() == Errc::invalid_argument);
    expect_error(import_andotp_encrypted(as_bytes(current), kWrong), Errc::vault_wrong_passphrase, "the password is wrong");
    expect_error(import_andotp_encrypted_old(as_bytes(old), kWrong), Errc::vault_wrong_passphrase, "the password is wrong");
    // The other layout's reading of a file fails its tag.
    expect_error(import_andotp_encrypted_old(as_bytes(current), kRight), Errc::vault_wrong_passphrase, "GCM tag mismatch");
    auto empty = import_andotp_encrypted(as_bytes(fixture("andotp-encrypted-empty.json.aes")), kRight);
    BOOST_REQUIRE_MESSAGE(empty, why(empty));
    BOOST_TEST(empty->accounts.empty());
}

BOOST_AUTO_TEST_CASE(andotp_encrypted_damage_names_the_position) {
    const std::string current = fixture("andotp-encrypted.json.aes"), old = fixture("andotp-encrypted-old.json.aes");
    auto iterations = [&](std::uint32_t n) {
        std::string t = current;
        for (int i = 0; i < 4; ++i) t[static_cast<std::size_t>(i)] = static_cast<char>(n >> (24 - 8 * i));
        return t;
    };
    // Out-of-bounds iteration counts are refused before any derivation.
    expect_error(import_andotp_encrypted(as_bytes(iterations(0)), kRight), Errc::parse, "bytes 0-3: PBKDF2 iteration count 0 outside");
    expect_error(import_andotp_encrypted(as_bytes(iterations(kAndOtpMaxIterations + 1)), kRight), Errc::parse, "bytes 0-3");
    expect_error(import_andotp_encrypted(as_bytes(iterations(0xFFFFFFFFu)), kRight), Errc::parse, "4294967295");
    // A different count derives a different key.
    expect_error(import_andotp_encrypted(as_bytes(iterations(10001)), kRight), Errc::vault_wrong_passphrase, "GCM tag mismatch");
    // Too short for the header and tag; truncated, extended or modified ciphertext.
    expect_error(import_andotp_encrypted(as_bytes(current.substr(0, 43)), kRight), Errc::parse, "43 bytes, shorter than the 44");
    expect_error(import_andotp_encrypted_old(as_bytes(old.substr(0, 27)), kRight), Errc::parse, "27 bytes, shorter than the 28");
    expect_error(import_andotp_encrypted(as_bytes(current.substr(0, current.size() - 1)), kRight), Errc::vault_wrong_passphrase,
                 "GCM tag mismatch");
    expect_error(import_andotp_encrypted(as_bytes(current + "x"), kRight), Errc::vault_wrong_passphrase, "GCM tag mismatch");
    std::string flipped = current;
    flipped[40] ^= 0x20;
    expect_error(import_andotp_encrypted(as_bytes(flipped), kRight), Errc::vault_wrong_passphrase,
                 "bytes 28-" + std::to_string(current.size() - 1));
    // The password opens it, but what it opens is not JSON (and is not quoted in the error).
    auto nj = import_andotp_encrypted_old(as_bytes(fixture("andotp-encrypted-old-not-json.json.aes")), kRight);
    expect_error(nj, Errc::parse, "andOTP backup: the decrypted text is not valid JSON");
    if (!nj) BOOST_TEST(nj.error().detail.find("JBSWY3DPEHPK3PXP") == std::string::npos);
    // A plain andOTP file says how to read an encrypted one when it is not an array.
    expect_error(import_andotp("{}"), Errc::parse, "encrypted");
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
    // A member twice is refused, not read with the last one winning (issue 10, defect 12); the
    // error names the line and the member.
    {
        std::string dup = aegis;
        const auto at = dup.find("\"secret\"");
        BOOST_TEST_REQUIRE(at != std::string::npos);
        dup.insert(at, "\"secret\": \"JBSWY3DPEHPK3PXP\",\n");
        expect(import_aegis(dup), Errc::parse, "duplicate member \"secret\"");
        expect(import_aegis(dup), Errc::parse, "/db/entries/0/info/secret");
        expect(import_2fas(R"({"services":[{"secret":"JBSWY3DPEHPK3PXP","name":"A","name":"B","otp":{}}]})"), Errc::parse,
               "duplicate member \"name\"");
        expect(import_andotp(R"([{"secret":"JBSWY3DPEHPK3PXP","label":"a","type":"TOTP","type":"HOTP"}])"), Errc::parse,
               "duplicate member \"type\"");
    }
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
    auto v = quick_vault(dir);
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

// add_imported: duplicates are skipped and listed, extra tags are added, and a failure part-way
// (here a note over the vault's limit) takes back what the call had added.
BOOST_AUTO_TEST_CASE(add_imported_skips_duplicates_and_rolls_back_on_failure) {
    test::TempDir dir;
    auto v = quick_vault(dir);
    BOOST_REQUIRE(v);
    auto in = import_aegis(fixture("aegis-plain.json"));
    BOOST_REQUIRE(in);
    BOOST_REQUIRE_GE(in->accounts.size(), 2u);

    auto first = add_imported(*v, *in, {"imported"});
    BOOST_REQUIRE_MESSAGE(first, why(first));
    BOOST_TEST(first->added.size() == in->accounts.size());
    BOOST_TEST(first->duplicates.empty());
    for (const auto& a : first->added) {
        const VaultEntry* e = v->find_id(a.id);
        BOOST_REQUIRE(e != nullptr);
        BOOST_TEST(a.label == e->label());
        BOOST_TEST((std::find(e->tags.begin(), e->tags.end(), "imported") != e->tags.end()));
    }

    auto again = add_imported(*v, *in);
    BOOST_REQUIRE(again);
    BOOST_TEST(again->added.empty());
    BOOST_TEST(again->duplicates.size() == in->accounts.size());
    BOOST_TEST(again->duplicates[0].find("same secret") != std::string::npos);

    // A fresh account, then one the vault refuses: the fresh one must not stay behind.
    ImportResult bad;
    ImportedAccount fresh;
    fresh.account = in->accounts[0].account.clone();
    fresh.account.secret = SecretBytes(as_bytes(std::string_view("another secret, 20b")));
    fresh.account.name = "fresh";
    bad.accounts.push_back(std::move(fresh));
    ImportedAccount refused;
    refused.account = in->accounts[1].account.clone();
    refused.account.secret = SecretBytes(as_bytes(std::string_view("yet another secret!!")));
    refused.account.name = "refused";
    refused.note = std::string(kVaultMaxNote + 1, 'n');
    bad.accounts.push_back(std::move(refused));
    const std::size_t before = v->entries().size();
    auto failed = add_imported(*v, bad);
    BOOST_REQUIRE(!failed);
    BOOST_TEST(failed.error().detail.find("refused") != std::string::npos, failed.error().detail);
    BOOST_TEST(v->entries().size() == before);
    BOOST_TEST(v->search("fresh").empty());
}

BOOST_AUTO_TEST_SUITE_END()

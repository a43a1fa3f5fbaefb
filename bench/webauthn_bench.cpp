// WebAuthn relying-party verification rates, with the raw OpenSSL P-256 ECDSA verify measured in
// the same run as the ceiling (docs/performance.md, section "WebAuthn"). bench/webauthn_compare.sh
// runs this next to python-fido2's Fido2Server.authenticate_complete.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "../tests/webauthn_soft_credential.hpp"
#include "mfa/mfa_webauthn.h"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/client_data.hpp"
#include "mfa/webauthn/registration.hpp"

using namespace mfa;
using namespace mfa::webauthn;

namespace {

const Bytes kChallenge(32, 0x5a);

RpConfig config() {
    RpConfig c;
    c.rp_id = "example.com";
    c.origins = {"https://example.com"};
    return c;
}

struct Fixture {
    test::SoftCredential cred{cose::Alg::ES256};
    CredentialRecord record;
    std::string assertion;
    Fixture() {
        test::CeremonySpec r;
        r.type = "webauthn.create";
        r.challenge = kChallenge;
        r.sign_count = 0;
        RegistrationExpectation ex;
        ex.challenge = kChallenge;
        ex.user_handle = Bytes{'u', '1'};
        record = verify_registration(config(), cred.registration_json(r), ex)->record;
        test::CeremonySpec a;
        a.type = "webauthn.get";
        a.challenge = kChallenge;
        a.sign_count = 42;
        a.user_handle = Bytes{'u', '1'};
        assertion = cred.assertion_json(a);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

// The ceiling: one P-256 ECDSA verify (EVP_DigestVerify, SHA-256) over authData || hash, with the
// key already parsed -- what any verifier must do at least once per login.
void BM_raw_openssl_p256_verify(benchmark::State& state) {
    auto& f = fixture();
    auto j = nlohmann::json::parse(f.assertion);
    Bytes ad = *base64_decode(j["response"]["authenticatorData"].get<std::string>(), Base64Mode::lenient);
    Bytes cdj = *base64_decode(j["response"]["clientDataJSON"].get<std::string>(), Base64Mode::lenient);
    Bytes sig = *base64_decode(j["response"]["signature"].get<std::string>(), Base64Mode::lenient);
    unsigned char h[32];
    SHA256(cdj.data(), cdj.size(), h);
    ad.insert(ad.end(), h, h + 32);
    auto key = cose::decode_key(f.record.public_key);
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    for (auto _ : state) {
        EVP_DigestVerifyInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, key->pkey.get(), nullptr);
        const int ok = EVP_DigestVerify(ctx, sig.data(), sig.size(), ad.data(), ad.size());
        if (ok != 1) state.SkipWithError("verify failed");
        benchmark::DoNotOptimize(ok);
    }
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    state.SetItemsProcessed(state.iterations());
}

// The whole path: JSON, base64url, clientDataJSON checks, authData, rpIdHash, flags, signature,
// counter, updated record -- with the stored key parsed once (CredentialKey, kept by the caller).
void BM_authentication_verify_es256_cached_key(benchmark::State& state) {
    auto& f = fixture();
    const RpConfig cfg = config();
    auto key = CredentialKey::from_record(f.record);
    AuthenticationExpectation ex;
    ex.challenge = kChallenge;
    ex.user_handle = Bytes{'u', '1'};
    for (auto _ : state) {
        auto r = verify_authentication(cfg, f.assertion, f.record, ex, &*key);
        if (!r) state.SkipWithError(r.error().to_string().c_str());
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}

// The whole path through the C ABI, as a service in another language calls it: a relying-party
// handle and a credential handle loaded once from the stored record JSON. The same assertion is
// verified over and over, so the counter policy is "flag" (a repeated counter is reported, not
// refused): the same work as a fresh login.
void BM_c_abi_authentication_verify_es256(benchmark::State& state) {
    auto& f = fixture();
    mfa_webauthn_rp_t* rp = nullptr;
    mfa_webauthn_credential_t* cred = nullptr;
    const std::string record = to_json(f.record);
    if (mfa_webauthn_rp_new(&rp, "example.com", nullptr) != MFA_OK ||
        mfa_webauthn_rp_add_origin(rp, "https://example.com") != MFA_OK ||
        mfa_webauthn_rp_set_counter_policy(rp, MFA_WEBAUTHN_COUNTER_FLAG) != MFA_OK ||
        mfa_webauthn_credential_from_json(&cred, record.data(), record.size()) != MFA_OK) {
        state.SkipWithError(mfa_last_error_message());
        return;
    }
    const std::uint8_t user[] = {'u', '1'};
    mfa_webauthn_authentication_info_t info{};
    info.struct_size = sizeof info;
    for (auto _ : state) {
        const int rc = mfa_webauthn_verify_authentication(rp, cred, &info, f.assertion.data(), f.assertion.size(),
                                                          kChallenge.data(), kChallenge.size(), user, sizeof user, -1);
        if (rc != MFA_OK) state.SkipWithError(mfa_last_error_message());
        benchmark::DoNotOptimize(info);
    }
    mfa_webauthn_credential_free(&cred);
    mfa_webauthn_rp_free(&rp);
    state.SetItemsProcessed(state.iterations());
}

// The same without the key cache (the COSE key is parsed on every call).
void BM_authentication_verify_es256(benchmark::State& state) {
    auto& f = fixture();
    const RpConfig cfg = config();
    AuthenticationExpectation ex;
    ex.challenge = kChallenge;
    ex.user_handle = Bytes{'u', '1'};
    for (auto _ : state) {
        auto r = verify_authentication(cfg, f.assertion, f.record, ex);
        if (!r) state.SkipWithError(r.error().to_string().c_str());
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}

// The JSON layer alone: the response document and the clientDataJSON inside it, both read by the
// strict reader on every login (a regression here is invisible next to the signature).
void BM_parse_authentication_response(benchmark::State& state) {
    auto& f = fixture();
    for (auto _ : state) {
        auto r = parse_authentication_response(f.assertion);
        if (!r) state.SkipWithError(r.error().to_string().c_str());
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_parse_client_data(benchmark::State& state) {
    const Bytes cdj = parse_authentication_response(fixture().assertion)->client_data_json;
    for (auto _ : state) {
        auto r = parse_client_data(cdj);
        if (!r) state.SkipWithError(r.error().to_string().c_str());
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_registration_verify_none_es256(benchmark::State& state) {
    test::SoftCredential c(cose::Alg::ES256);
    test::CeremonySpec s;
    s.type = "webauthn.create";
    s.challenge = kChallenge;
    const std::string json = c.registration_json(s);
    const RpConfig cfg = config();
    RegistrationExpectation ex;
    ex.challenge = kChallenge;
    for (auto _ : state) {
        auto r = verify_registration(cfg, json, ex);
        if (!r) state.SkipWithError(r.error().to_string().c_str());
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}

// A real YubiKey 5 packed x5c registration from the shared conformance corpus, chain validated to
// the Yubico root (skipped when ../shared is absent).
void BM_registration_verify_packed_x5c(benchmark::State& state) {
    const char* shared = std::getenv("MFA_SHARED_DIR");
    const std::filesystem::path dir = std::filesystem::path(shared ? shared : "../shared") / "conformance" / "webauthn";
    std::ifstream in(dir / "reg-packed-x5c-java-yubikey5.json");
    if (!in) {
        state.SkipWithError("conformance corpus not found (set MFA_SHARED_DIR)");
        for (auto _ : state) {}
        return;
    }
    const auto c = nlohmann::json::parse(in);
    RpConfig cfg;
    cfg.rp_id = c["rp_id"].get<std::string>();
    cfg.origins = {c["origin"].get<std::string>()};
    (void)cfg.trust_anchors.add_pem_file("", dir / c["trust_anchors"][0]["file"].get<std::string>());
    const std::string json = c["response"].dump();
    RegistrationExpectation ex;
    ex.challenge = *base64_decode(c["challenge_b64url"].get<std::string>(), Base64Mode::lenient);
    for (auto _ : state) {
        auto r = verify_registration(cfg, json, ex);
        if (!r || !r->attestation.trusted) state.SkipWithError("registration did not verify as trusted");
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_raw_openssl_p256_verify);
BENCHMARK(BM_authentication_verify_es256_cached_key);
BENCHMARK(BM_c_abi_authentication_verify_es256);
BENCHMARK(BM_authentication_verify_es256);
BENCHMARK(BM_parse_authentication_response);
BENCHMARK(BM_parse_client_data);
BENCHMARK(BM_registration_verify_none_es256);
BENCHMARK(BM_registration_verify_packed_x5c);
BENCHMARK_MAIN();

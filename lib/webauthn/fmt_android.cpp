// Formats android-key (§8.4) and android-safetynet (§8.5).
#include <algorithm>

#include <openssl/x509v3.h>

#include "formats.hpp"
#include "jws.hpp"
#include "key_description.hpp"
#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"

namespace mfa::att {
namespace {

// SafetyNet responses are a few KiB; anything larger is refused before decoding.
constexpr std::size_t kMaxSafetyNetResponse = 64 * 1024;

bool has_purpose_sign(const std::optional<std::vector<std::int64_t>>& p) {
    return p && std::find(p->begin(), p->end(), android::kPurposeSign) != p->end();
}

}  // namespace

Result<FormatOutcome> verify_android_key(const Statement& st, const Subject& s, const Policy& policy) {
    if (!st.alg) return Error(Errc::att_statement_invalid, "android-key: alg is missing");
    if (!st.sig) return Error(Errc::att_statement_invalid, "android-key: sig is missing");
    if (!st.x5c) return Error(Errc::att_statement_invalid, "android-key: x5c is missing");
    if (*st.alg == -65535) return Error(Errc::att_sha1_rejected, "android-key: RS1 (SHA-1) signatures are refused");
    auto certs = parse_x5c(*st.x5c);
    if (!certs) return std::move(certs).error();
    X509* leaf = (*certs)[0].get();
    MFA_TRY(verify_signature(X509_get0_pubkey(leaf), *st.alg, signed_data(s), *st.sig, "android-key attestation signature"));
    if (!same_public_key(X509_get0_pubkey(leaf), s.credential_key))
        return Error(Errc::att_public_key_mismatch, "android-key: certificate public key differs from the credential key");

    auto ext = find_extension(leaf, android::kKeyDescriptionOid);
    if (!ext) return std::move(ext).error();
    if (!ext->has_value()) return Error(Errc::att_android_key_description, "certificate has no key description extension (1.3.6.1.4.1.11129.2.1.17)");
    auto kd = android::parse_key_description((*ext)->value);
    if (!kd) return std::move(kd).error();
    if (!ct_equal(kd->attestation_challenge, s.client_data_hash))
        return Error(Errc::att_android_challenge, "attestationChallenge differs from clientDataHash");
    if (kd->software_enforced.all_applications || kd->tee_enforced.all_applications)
        return Error(Errc::att_android_authorization, "allApplications is present (the key is not scoped to the RP)");
    const auto& tee = kd->tee_enforced;
    const auto& sw = kd->software_enforced;
    const char* where = policy.android_key_require_tee ? "teeEnforced" : "teeEnforced or softwareEnforced";
    std::optional<std::int64_t> origin = tee.origin;
    if (!origin && !policy.android_key_require_tee) origin = sw.origin;
    if (!origin || *origin != android::kOriginGenerated)
        return Error(Errc::att_android_authorization, std::string("origin is not KM_ORIGIN_GENERATED in ") + where);
    const bool sign = has_purpose_sign(tee.purpose) || (!policy.android_key_require_tee && has_purpose_sign(sw.purpose));
    if (!sign) return Error(Errc::att_android_authorization, std::string("purpose does not include KM_PURPOSE_SIGN in ") + where);
    return FormatOutcome{webauthn::AttestationType::basic, std::move(*certs)};
}

Result<FormatOutcome> verify_android_safetynet(const Statement& st, const Subject& s, const Policy& policy) {
    if (!st.ver || st.ver->empty()) return Error(Errc::att_statement_invalid, "android-safetynet: ver is missing or empty");
    if (!st.response) return Error(Errc::att_statement_invalid, "android-safetynet: response is missing");
    auto jws = parse_jws(as_chars(*st.response), kMaxSafetyNetResponse, Errc::att_safetynet_jws);
    if (!jws) return std::move(jws).error();
    if (jws->alg != "RS256") return Error(Errc::att_safetynet_jws, "JWS alg is \"" + jws->alg + "\", not RS256");
    if (jws->x5c.empty()) return Error(Errc::att_safetynet_jws, "JWS header has no x5c");
    std::vector<ByteView> views(jws->x5c.begin(), jws->x5c.end());
    auto certs = parse_x5c(views);
    if (!certs) return std::move(certs).error();
    X509* leaf = (*certs)[0].get();
    if (X509_check_host(leaf, "attest.android.com", 0, 0, nullptr) != 1)
        return Error(Errc::att_safetynet_certificate, "JWS signing certificate is not issued to attest.android.com");
    MFA_TRY(verify_jws(*jws, X509_get0_pubkey(leaf), Errc::att_safetynet_jws, Errc::att_signature_invalid));

    const nlohmann::json& p = jws->payload;
    auto nonce = p.find("nonce");
    if (nonce == p.end() || !nonce->is_string()) return Error(Errc::att_safetynet_nonce, "payload has no string nonce");
    const std::string expected = base64_encode(digest(EVP_sha256(), s.raw_auth_data, s.client_data_hash));
    if (!ct_equal(std::string_view(nonce->get_ref<const std::string&>()), std::string_view(expected)))
        return Error(Errc::att_safetynet_nonce, "nonce is not Base64(SHA-256(authData || clientDataHash))");

    auto cts = p.find("ctsProfileMatch");
    if (cts != p.end() && !cts->is_boolean()) return Error(Errc::att_safetynet_jws, "ctsProfileMatch is not a boolean");
    if (policy.safetynet_require_cts_profile_match && (cts == p.end() || !cts->get<bool>()))
        return Error(Errc::att_safetynet_cts_profile, "ctsProfileMatch is not true");

    auto ts = p.find("timestampMs");
    if (ts == p.end() || !ts->is_number_integer()) return Error(Errc::att_safetynet_timestamp, "payload has no integer timestampMs");
    const std::int64_t t_ms = ts->get<std::int64_t>();
    const std::int64_t now_ms = static_cast<std::int64_t>(effective_time(policy.verification_time)) * 1000;
    if (t_ms > now_ms + policy.safetynet_max_future_seconds * 1000)
        return Error(Errc::att_safetynet_timestamp, "timestampMs is " + std::to_string(t_ms - now_ms) + " ms in the future");
    if (t_ms < now_ms - policy.safetynet_max_age_seconds * 1000)
        return Error(Errc::att_safetynet_timestamp, "timestampMs is " + std::to_string((now_ms - t_ms) / 1000) + " s old");
    return FormatOutcome{webauthn::AttestationType::basic, std::move(*certs)};
}

}  // namespace mfa::att

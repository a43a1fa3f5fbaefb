#include "mfa/webauthn/authentication.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "digest.hpp"
#include "flags.hpp"
#include "mfa/cbor.hpp"
#include "mfa/ct.hpp"
#include "mfa/cose.hpp"
#include "mfa/encoding.hpp"
#include "mfa/reader.hpp"
#include "mfa/webauthn/authdata.hpp"
#include "mfa/webauthn/client_data.hpp"

namespace mfa::webauthn {

// ES256, nearly every authenticator's algorithm, has a fast path: the P-256 key gets a verify
// context, initialised once, that checks a signature over SHA-256(authData || clientDataHash)
// computed here (EVP_PKEY_verify) -- no digest context or signature-algorithm fetch per login.
// A context must not be used by two threads at once: it sits behind a mutex, and a caller that
// finds it busy makes a context of its own, so a CredentialKey stays shareable across threads.
// Any other algorithm, and any signature the fast path refuses, goes through
// cose::verify_signature, which also gives the failure its precise error (not DER, bad length).
struct CredentialKey::Impl {
    struct PkeyCtxFree {
        void operator()(EVP_PKEY_CTX* c) const noexcept { EVP_PKEY_CTX_free(c); }
    };
    using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

    cose::PublicKey key;
    mutable std::mutex es256_mutex;
    PkeyCtx es256_ctx;  // declared after key: freed before the EVP_PKEY it references

    // A verify context for this key, or nullptr if OpenSSL cannot make one.
    PkeyCtx new_es256_ctx() const {
        PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.pkey.get(), nullptr));
        if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
            ERR_clear_error();
            return nullptr;
        }
        return ctx;
    }

    // True only when sig is a valid ES256 signature over SHA-256(message) = digest. OpenSSL's
    // ECDSA verify accepts only the one DER encoding of (r, s) with nothing after it (it
    // re-encodes and compares) and r, s in [1, n-1]: the same signatures cose::verify_signature
    // accepts, which is what a false here falls back to.
    bool es256_verifies(const detail::Sha256& digest, ByteView sig) const {
        if (!es256_ctx) return false;
        std::unique_lock lock(es256_mutex, std::try_to_lock);
        PkeyCtx own;
        EVP_PKEY_CTX* ctx = es256_ctx.get();
        if (!lock.owns_lock()) {
            own = new_es256_ctx();
            if (!own) return false;
            ctx = own.get();
        }
        const int rc = EVP_PKEY_verify(ctx, sig.data(), sig.size(), digest.data(), digest.size());
        ERR_clear_error();
        return rc == 1;
    }
};

Result<CredentialKey> CredentialKey::from_record(const CredentialRecord& record) {
    // The stored key is the RP's own data, possibly written by another library before a
    // migration: map key order is not enforced here (every COSE field check still is).
    cbor::DecodeOptions opts;
    opts.canonical = false;
    auto k = cose::decode_key(record.public_key, opts);
    if (!k) return Error(Errc::webauthn_public_key, "stored public key: " + k.error().to_string());
    if (static_cast<int>(k->alg) != record.alg)
        return Error(Errc::webauthn_public_key, "stored public key alg " + std::to_string(static_cast<int>(k->alg)) +
                                                    " differs from the record's alg " + std::to_string(record.alg));
    CredentialKey ck;
    auto impl = std::make_shared<Impl>();
    impl->key = std::move(*k);
    if (impl->key.alg == cose::Alg::ES256 && EVP_PKEY_is_a(impl->key.pkey.get(), "EC")) {
        char group[32];
        std::size_t len = 0;
        // A key on another curve gets no fast path; cose::verify_signature refuses it.
        if (EVP_PKEY_get_group_name(impl->key.pkey.get(), group, sizeof group, &len) == 1 &&
            std::string_view(group, len) == "prime256v1")
            impl->es256_ctx = impl->new_es256_ctx();
        ERR_clear_error();
    }
    ck.impl_ = std::move(impl);
    ck.cose_ = record.public_key;
    ck.alg_ = record.alg;
    return ck;
}

namespace {

struct AssertionData {
    const std::uint8_t* rp_id_hash = nullptr;
    std::uint8_t flags = 0;
    std::uint32_t sign_count = 0;
};

// Authenticator data of an assertion. Only rpIdHash, flags and signCount are used. Attested
// credential data (AT; some platform authenticators send it in assertions) and extensions (ED)
// are walked only to find where they end, so that trailing bytes are still refused; the key
// inside attested data is not used, so it is read without the canonical-form requirement (real
// authenticators emit COSE keys with labels out of canonical order).
Result<AssertionData> parse_assertion_data(ByteView data) {
    if (data.size() > kMaxAuthenticatorData)
        return Error(Errc::limit_exceeded, "authenticator data is larger than 64 KiB");
    Reader rd(data);
    AssertionData out;
    ByteView hash;
    if (!rd.get_bytes(32, hash)) return Error(Errc::authdata_truncated, "authenticator data: rpIdHash");
    out.rp_id_hash = hash.data();
    if (!rd.get_u8(out.flags)) return Error(Errc::authdata_truncated, "authenticator data: flags");
    if (!rd.get_u32be(out.sign_count)) return Error(Errc::authdata_truncated, "authenticator data: signCount");
    cbor::DecodeOptions lenient;
    lenient.canonical = false;
    if (out.flags & flag::AT) {
        std::uint16_t len = 0;
        ByteView skip;
        if (!rd.get_bytes(16, skip)) return Error(Errc::authdata_truncated, "authenticator data: aaguid");
        if (!rd.get_u16be(len)) return Error(Errc::authdata_truncated, "authenticator data: credentialIdLength");
        if (len > kMaxCredentialIdLength)
            return Error(Errc::authdata_credential_id, "authenticator data: credentialIdLength " + std::to_string(len));
        if (!rd.get_bytes(len, skip)) return Error(Errc::authdata_truncated, "authenticator data: credentialId");
        auto key = cbor::decode_from(rd, lenient);
        if (!key) return Error(key.error().code, "authenticator data: credentialPublicKey: " + key.error().detail);
    }
    if (out.flags & flag::ED) {
        auto ext = cbor::decode_from(rd, lenient);
        if (!ext) return Error(ext.error().code, "authenticator data: extensions: " + ext.error().detail);
        if (!ext->is_map()) return Error(Errc::authdata_extensions, "authenticator data: extensions is not a map");
    }
    if (!rd.empty())
        return Error((out.flags & (flag::AT | flag::ED)) ? Errc::authdata_trailing : Errc::authdata_flags,
                     "authenticator data: " + std::to_string(rd.remaining()) +
                         " bytes after the parts the flags announce");
    return out;
}

bool contains_id(const std::vector<Bytes>& list, const Bytes& id) {
    return std::any_of(list.begin(), list.end(), [&](const Bytes& b) { return b == id; });
}

}  // namespace

Result<AuthenticationResult> verify_authentication(const RpConfig& cfg, const AuthenticationResponse& resp,
                                                   const CredentialRecord& record,
                                                   const AuthenticationExpectation& expect,
                                                   const CredentialKey* key) {
    // §7.2 step 5: the credential was one of those offered.
    if (!expect.allow_credentials.empty() && !contains_id(expect.allow_credentials, resp.id))
        return Error(Errc::webauthn_allow_list,
                     "credential " + base64url_encode(resp.id).substr(0, 64) + " is not in allowCredentials");
    // Step 6: the record is this credential's, and it belongs to the user.
    if (resp.id != record.id)
        return Error(Errc::webauthn_credential_mismatch, "response credential id " +
                                                             base64url_encode(resp.id).substr(0, 64) +
                                                             " is not the stored record's id");
    if (expect.user_handle) {
        if (!record.user_handle.empty() && record.user_handle != *expect.user_handle)
            return Error(Errc::webauthn_user_handle, "the credential belongs to another account");
        if (resp.user_handle && *resp.user_handle != *expect.user_handle)
            return Error(Errc::webauthn_user_handle, "userHandle in the response is not the account's user handle");
    } else {
        if (!resp.user_handle)
            return Error(Errc::webauthn_user_handle, "a discoverable-credential login needs userHandle in the response");
        if (record.user_handle.empty() || *resp.user_handle != record.user_handle)
            return Error(Errc::webauthn_user_handle, "userHandle does not own this credential");
    }
    // Steps 7-14: clientDataJSON.
    auto cd = parse_client_data(resp.client_data_json);
    if (!cd) return std::move(cd).error();
    MFA_TRY(check_client_data(*cd, cfg, Ceremony::get, expect.challenge));
    // Step 15: rpIdHash, or SHA-256(AppID) when the client says it used the appid extension.
    auto ad = parse_assertion_data(resp.authenticator_data);
    if (!ad) return std::move(ad).error();
    const bool appid_used = resp.extensions.appid.value_or(false);
    if (appid_used && cfg.appid.empty())
        return Error(Errc::webauthn_appid, "the client reports appid:true but no AppID is configured");
    const std::string& hashed_id = appid_used ? cfg.appid : cfg.rp_id;
    auto want = detail::sha256(as_bytes(hashed_id));
    if (!want) return std::move(want).error();
    if (std::memcmp(ad->rp_id_hash, want->data(), want->size()) != 0)
        return Error(Errc::webauthn_rp_id_hash, "authData.rpIdHash " + hex_encode(ByteView(ad->rp_id_hash, 32)) +
                                                    " is not SHA-256(\"" + hashed_id + "\")" +
                                                    (appid_used ? " (the AppID)" : ""));
    // Steps 16-18.
    const UserVerification uv = expect.user_verification.value_or(cfg.user_verification);
    MFA_TRY(detail::check_flags(ad->flags, cfg, uv));
    // Step 19: BE never changes for a credential.
    const bool be = ad->flags & flag::BE;
    if (be != record.backup_eligible)
        return Error(Errc::webauthn_backup_eligibility,
                     std::string("BE is ") + (be ? "set" : "clear") + " but was " +
                         (record.backup_eligible ? "set" : "clear") + " at registration");
    // Steps 20-21: signature over authData || SHA-256(clientDataJSON) with the stored key.
    std::optional<CredentialKey> parsed;
    if (key == nullptr) {
        auto k = CredentialKey::from_record(record);
        if (!k) return std::move(k).error();
        parsed = std::move(*k);
        key = &*parsed;
    } else if (key->alg() != record.alg || key->cose() != record.public_key) {
        return Error(Errc::invalid_argument, "the CredentialKey was not made from this record");
    }
    auto cd_hash = detail::sha256(resp.client_data_json);
    if (!cd_hash) return std::move(cd_hash).error();
    Bytes signed_data;
    signed_data.reserve(resp.authenticator_data.size() + cd_hash->size());
    signed_data.insert(signed_data.end(), resp.authenticator_data.begin(), resp.authenticator_data.end());
    signed_data.insert(signed_data.end(), cd_hash->begin(), cd_hash->end());
    const auto& impl = key->impl();
    bool verified = false;
    if (impl.es256_ctx) {
        auto digest = detail::sha256(signed_data);
        if (!digest) return std::move(digest).error();
        verified = impl.es256_verifies(*digest, resp.signature);
    }
    auto sig = verified ? Status{} : cose::verify_signature(impl.key.alg, impl.key.pkey.get(), signed_data, resp.signature);
    if (!sig) return Error(Errc::webauthn_signature, std::string("assertion signature (") + algorithm_name(record.alg) +
                                                         "): " + sig.error().to_string());
    // Step 22: the signature counter. 0/0 means the authenticator keeps no counter.
    AuthenticationResult out;
    out.record = record;
    out.sign_count = ad->sign_count;
    if (ad->sign_count != 0 || record.sign_count != 0) {
        if (ad->sign_count <= record.sign_count) {
            if (cfg.counter == CounterPolicy::error)
                return Error(Errc::webauthn_sign_count, "signature counter " + std::to_string(ad->sign_count) +
                                                            " is not greater than the stored " +
                                                            std::to_string(record.sign_count));
            out.counter_regressed = true;  // keep the stored (higher) value
        } else {
            out.record.sign_count = ad->sign_count;
        }
    }
    // Step 24: the updated record.
    out.record.backup_state = ad->flags & flag::BS;
    out.user_verified = ad->flags & flag::UV;
    if (out.user_verified) out.record.uv_initialized = true;
    out.backup_state = out.record.backup_state;
    out.appid_used = appid_used;
    out.origin = cd->origin;
    out.extensions = resp.extensions;
    return out;
}

Result<AuthenticationResult> verify_authentication(const RpConfig& cfg, std::string_view json,
                                                   const CredentialRecord& record,
                                                   const AuthenticationExpectation& expect,
                                                   const CredentialKey* key) {
    auto resp = parse_authentication_response(json);
    if (!resp) return std::move(resp).error();
    return verify_authentication(cfg, *resp, record, expect, key);
}

}  // namespace mfa::webauthn

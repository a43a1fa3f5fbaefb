// C ABI over the WebAuthn relying party (mfa_webauthn.h).
#include <algorithm>
#include <cstring>
#include <string>

#include "abi.hpp"
#include "mfa/mfa_webauthn.h"
#include "webauthn_trust.hpp"
#include "mfa/webauthn/authentication.hpp"
#include "mfa/webauthn/options.hpp"
#include "mfa/webauthn/registration.hpp"
#include "mfa/encoding.hpp"

using namespace mfa;
using namespace mfa::webauthn;
using mfa::abi::put_alloc;

struct mfa_webauthn_rp {
    RpConfig cfg;
};

struct mfa_webauthn_credential {
    CredentialRecord record;
    CredentialKey key;  // made from record.public_key, which verification never changes
};

namespace {

int bad(const char* what) { return abi::fail(Errc::invalid_argument, what); }

Result<UserVerification> uv_from(int v) {
    switch (v) {
        case MFA_WEBAUTHN_UV_REQUIRED: return UserVerification::required;
        case MFA_WEBAUTHN_UV_PREFERRED: return UserVerification::preferred;
        case MFA_WEBAUTHN_UV_DISCOURAGED: return UserVerification::discouraged;
        default: return Error(Errc::invalid_argument, "user verification must be MFA_WEBAUTHN_UV_*");
    }
}

Result<std::string> attestation_name(int v) {
    switch (v) {
        case MFA_WEBAUTHN_ATTESTATION_NONE: return std::string("none");
        case MFA_WEBAUTHN_ATTESTATION_INDIRECT: return std::string("indirect");
        case MFA_WEBAUTHN_ATTESTATION_DIRECT: return std::string("direct");
        case MFA_WEBAUTHN_ATTESTATION_ENTERPRISE: return std::string("enterprise");
        default: return Error(Errc::invalid_argument, "request.attestation must be MFA_WEBAUTHN_ATTESTATION_*");
    }
}

Result<std::string> resident_key_name(int v) {
    switch (v) {
        case MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED: return std::string("preferred");
        case MFA_WEBAUTHN_RESIDENT_KEY_REQUIRED: return std::string("required");
        case MFA_WEBAUTHN_RESIDENT_KEY_DISCOURAGED: return std::string("discouraged");
        default: return Error(Errc::invalid_argument, "request.resident_key must be MFA_WEBAUTHN_RESIDENT_KEY_*");
    }
}

Result<FlagPolicy> flag_from(int v) {
    switch (v) {
        case MFA_WEBAUTHN_FLAG_ALLOWED: return FlagPolicy::allowed;
        case MFA_WEBAUTHN_FLAG_REQUIRED: return FlagPolicy::required;
        case MFA_WEBAUTHN_FLAG_FORBIDDEN: return FlagPolicy::forbidden;
        default: return Error(Errc::invalid_argument, "flag policy must be MFA_WEBAUTHN_FLAG_*");
    }
}

Bytes bytes_in(const std::uint8_t* p, std::size_t n) { return p == nullptr ? Bytes{} : Bytes(p, p + n); }

// Writes the fields of `full` that lie within the caller's struct_size (the one mechanism of abi.hpp).
template <class T>
int put_info(T* info, const T& full) {
    if (info == nullptr) return MFA_OK;
    auto st = abi::write_sized(info, full, sizeof(T), "info");
    return st ? MFA_OK : abi::fail(st.error());
}

void copy_text(char* dst, std::size_t cap, const std::string& s) {
    const std::size_t n = std::min(cap - 1, s.size());
    std::memcpy(dst, s.data(), n);
    dst[n] = '\0';
}

}  // namespace

extern "C" {

int mfa_webauthn_rp_new(mfa_webauthn_rp_t** rp, const char* rp_id, const char* rp_name) {
    return abi::guarded([&] {
        if (rp == nullptr || rp_id == nullptr || *rp_id == '\0') return bad("rp and rp_id are required");
        auto* r = new mfa_webauthn_rp;
        r->cfg.rp_id = rp_id;
        if (rp_name != nullptr) r->cfg.rp_name = rp_name;
        *rp = r;
        return MFA_OK;
    });
}

void mfa_webauthn_rp_free(mfa_webauthn_rp_t** rp) {
    if (rp == nullptr) return;
    delete *rp;
    *rp = nullptr;
}

int mfa_webauthn_rp_add_origin(mfa_webauthn_rp_t* rp, const char* origin) {
    return abi::guarded([&] {
        if (rp == nullptr || origin == nullptr || *origin == '\0') return bad("rp and a non-empty origin are required");
        rp->cfg.origins.emplace_back(origin);
        return MFA_OK;
    });
}

int mfa_webauthn_rp_add_top_origin(mfa_webauthn_rp_t* rp, const char* top_origin) {
    return abi::guarded([&] {
        if (rp == nullptr || top_origin == nullptr || *top_origin == '\0')
            return bad("rp and a non-empty top origin are required");
        rp->cfg.allow_cross_origin = true;
        rp->cfg.top_origins.emplace_back(top_origin);
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_user_verification(mfa_webauthn_rp_t* rp, int uv) {
    return abi::guarded([&] {
        if (rp == nullptr) return bad("rp is NULL");
        auto v = uv_from(uv);
        if (!v) return abi::fail(v.error());
        rp->cfg.user_verification = *v;
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_require_user_presence(mfa_webauthn_rp_t* rp, int required) {
    return abi::guarded([&] {
        if (rp == nullptr) return bad("rp is NULL");
        rp->cfg.require_user_presence = required != 0;
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_algorithms(mfa_webauthn_rp_t* rp, const int32_t* algs, size_t count) {
    return abi::guarded([&] {
        if (rp == nullptr || algs == nullptr || count == 0 || count > 32) return bad("1..32 algorithms are required");
        std::vector<int> list(algs, algs + count);
        for (int a : list)
            if (!algorithm_supported(a))
                return abi::fail(Errc::unsupported, "COSE algorithm " + std::to_string(a) + " is not supported");
        rp->cfg.algorithms = std::move(list);
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_backup_policy(mfa_webauthn_rp_t* rp, int backup_eligible, int backup_state) {
    return abi::guarded([&] {
        if (rp == nullptr) return bad("rp is NULL");
        auto be = flag_from(backup_eligible);
        auto bs = flag_from(backup_state);
        if (!be) return abi::fail(be.error());
        if (!bs) return abi::fail(bs.error());
        rp->cfg.backup_eligible = *be;
        rp->cfg.backup_state = *bs;
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_counter_policy(mfa_webauthn_rp_t* rp, int policy) {
    return abi::guarded([&] {
        if (rp == nullptr || (policy != MFA_WEBAUTHN_COUNTER_ERROR && policy != MFA_WEBAUTHN_COUNTER_FLAG))
            return bad("policy must be MFA_WEBAUTHN_COUNTER_ERROR or MFA_WEBAUTHN_COUNTER_FLAG");
        rp->cfg.counter = policy == MFA_WEBAUTHN_COUNTER_FLAG ? CounterPolicy::flag : CounterPolicy::error;
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_token_binding_policy(mfa_webauthn_rp_t* rp, int policy) {
    return abi::guarded([&] {
        if (rp == nullptr || (policy != MFA_WEBAUTHN_TOKEN_BINDING_CHECK && policy != MFA_WEBAUTHN_TOKEN_BINDING_IGNORE))
            return bad("policy must be MFA_WEBAUTHN_TOKEN_BINDING_CHECK or MFA_WEBAUTHN_TOKEN_BINDING_IGNORE");
        rp->cfg.token_binding = policy == MFA_WEBAUTHN_TOKEN_BINDING_IGNORE ? TokenBindingPolicy::ignore : TokenBindingPolicy::check;
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_appid(mfa_webauthn_rp_t* rp, const char* appid) {
    return abi::guarded([&] {
        if (rp == nullptr) return bad("rp is NULL");
        rp->cfg.appid = appid == nullptr ? "" : appid;
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_time(mfa_webauthn_rp_t* rp, int has_time, int64_t unix_seconds) {
    return abi::guarded([&] {
        if (rp == nullptr) return bad("rp is NULL");
        if (has_time) rp->cfg.now = unix_seconds;
        else rp->cfg.now.reset();
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_attestation_policy(mfa_webauthn_rp_t* rp, uint32_t flags) {
    return abi::guarded([&] {
        if (rp == nullptr) return bad("rp is NULL");
        constexpr uint32_t known = MFA_WEBAUTHN_ATT_REQUIRE_TRUSTED | MFA_WEBAUTHN_ATT_ALLOW_RS1_TPM | MFA_WEBAUTHN_ATT_REJECT_SHA1_CERTS |
                                   MFA_WEBAUTHN_ATT_SAFETYNET_NO_CTS | MFA_WEBAUTHN_ATT_ANDROID_KEY_REQUIRE_TEE |
                                   MFA_WEBAUTHN_ATT_ALLOW_MDS_COMPROMISED;
        if (flags & ~known) return abi::fail(Errc::unsupported, "unknown attestation policy bits");
        AttestationPolicy& p = rp->cfg.attestation;
        p.require_trusted = flags & MFA_WEBAUTHN_ATT_REQUIRE_TRUSTED;
        p.allow_rs1_tpm = flags & MFA_WEBAUTHN_ATT_ALLOW_RS1_TPM;
        p.reject_sha1_certificates = flags & MFA_WEBAUTHN_ATT_REJECT_SHA1_CERTS;
        p.safetynet_require_cts_profile_match = !(flags & MFA_WEBAUTHN_ATT_SAFETYNET_NO_CTS);
        p.android_key_require_tee = flags & MFA_WEBAUTHN_ATT_ANDROID_KEY_REQUIRE_TEE;
        p.reject_mds_compromised = !(flags & MFA_WEBAUTHN_ATT_ALLOW_MDS_COMPROMISED);
        return MFA_OK;
    });
}

int mfa_webauthn_rp_set_trust(mfa_webauthn_rp_t* rp, const mfa_webauthn_trust_t* anchors) {
    return abi::guarded([&] {
        if (rp == nullptr || anchors == nullptr) return bad("rp and anchors are required");
        rp->cfg.trust_anchors = anchors->anchors;
        return MFA_OK;
    });
}

int mfa_webauthn_registration_request_init(mfa_webauthn_registration_request_t* request) {
    if (request == nullptr) return bad("request is NULL");
    *request = mfa_webauthn_registration_request_t{};
    request->struct_size = sizeof *request;
    request->attestation = MFA_WEBAUTHN_ATTESTATION_NONE;
    request->resident_key = MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED;
    return MFA_OK;
}

int mfa_webauthn_registration_options(mfa_webauthn_rp_t* rp, char** options_json, uint8_t* challenge, size_t challenge_cap,
                                      size_t* challenge_len, uint8_t* user_id, size_t user_id_cap, size_t* user_id_len,
                                      const mfa_webauthn_registration_request_t* request) {
    return abi::guarded([&] {
        if (rp == nullptr || options_json == nullptr || challenge == nullptr || challenge_len == nullptr ||
            user_id == nullptr || user_id_len == nullptr || request == nullptr)
            return bad("rp, the outputs and request are required");
        mfa_webauthn_registration_request_t req{};
        mfa_webauthn_registration_request_init(&req);
        if (auto st = abi::read_sized(request, req, sizeof req, "request"); !st) return abi::fail(st.error());
        if (req.user_name == nullptr) return bad("request.user_name is required");
        CreationOptionsInput in;
        in.user_name = req.user_name;
        if (req.display_name != nullptr) in.user_display_name = req.display_name;
        if (req.user_id != nullptr && req.user_id_len != 0) in.user_id = bytes_in(req.user_id, req.user_id_len);
        auto att = attestation_name(req.attestation);
        if (!att) return abi::fail(att.error());
        in.attestation = *att;
        auto rk = resident_key_name(req.resident_key);
        if (!rk) return abi::fail(rk.error());
        in.resident_key = *rk;
        if (req.extensions_json != nullptr) in.extensions.extra_json = req.extensions_json;
        auto o = creation_options(rp->cfg, in);
        if (!o) return abi::fail(o.error());
        if (challenge_cap < o->challenge.size() || user_id_cap < o->user_id.size()) {
            *challenge_len = o->challenge.size();
            *user_id_len = o->user_id.size();
            return abi::fail(Errc::buffer_too_small, "challenge needs 32 bytes, user id up to 64");
        }
        int rc = abi::put_bytes(challenge, challenge_cap, challenge_len, o->challenge.data(), o->challenge.size());
        if (rc != MFA_OK) return rc;
        rc = abi::put_bytes(user_id, user_id_cap, user_id_len, o->user_id.data(), o->user_id.size());
        if (rc != MFA_OK) return rc;
        return put_alloc(options_json, o->json);
    });
}

int mfa_webauthn_authentication_options(mfa_webauthn_rp_t* rp, char** options_json, uint8_t* challenge, size_t challenge_cap,
                                        size_t* challenge_len, const char* const* allow_ids, size_t count,
                                        const char* extensions_json) {
    return abi::guarded([&] {
        if (rp == nullptr || options_json == nullptr || challenge == nullptr || challenge_len == nullptr ||
            (count != 0 && allow_ids == nullptr))
            return bad("rp and outputs are required");
        RequestOptionsInput in;
        for (size_t i = 0; i < count; ++i) {
            if (allow_ids[i] == nullptr) return bad("an allow id is NULL");
            auto id = base64_decode(allow_ids[i], Base64Mode::url_strict);
            if (!id) return abi::fail(Errc::invalid_argument, "allow id " + std::to_string(i) + ": " + id.error().to_string());
            in.allow_credentials.push_back({std::move(*id), {}});
        }
        if (extensions_json != nullptr) in.extensions.extra_json = extensions_json;
        auto o = request_options(rp->cfg, in);
        if (!o) return abi::fail(o.error());
        int rc = abi::put_bytes(challenge, challenge_cap, challenge_len, o->challenge.data(), o->challenge.size());
        if (rc != MFA_OK) return rc;
        return put_alloc(options_json, o->json);
    });
}

int mfa_webauthn_verify_registration(mfa_webauthn_rp_t* rp, char** record_json, mfa_webauthn_registration_info_t* info,
                                     const char* response_json, size_t response_len, const uint8_t* challenge,
                                     size_t challenge_len, const uint8_t* user_handle, size_t user_handle_len) {
    return abi::guarded([&] {
        if (rp == nullptr || record_json == nullptr || response_json == nullptr || challenge == nullptr)
            return bad("rp, record_json, response_json and challenge are required");
        RegistrationExpectation ex;
        ex.challenge = bytes_in(challenge, challenge_len);
        ex.user_handle = bytes_in(user_handle, user_handle_len);
        auto r = verify_registration(rp->cfg, std::string_view(response_json, response_len), ex);
        if (!r) return abi::fail(r.error());
        mfa_webauthn_registration_info_t full{};
        full.alg = r->record.alg;
        full.sign_count = r->record.sign_count;
        full.user_verified = r->user_verified;
        full.backup_eligible = r->record.backup_eligible;
        full.backup_state = r->record.backup_state;
        full.attestation_trusted = r->record.attestation.trusted;
        copy_text(full.fmt, sizeof full.fmt, r->record.attestation.fmt);
        copy_text(full.attestation_type, sizeof full.attestation_type, r->record.attestation.type);
        std::memcpy(full.aaguid, r->record.aaguid.data(), 16);
        int rc = put_info(info, full);
        if (rc != MFA_OK) return rc;
        return put_alloc(record_json, to_json(r->record));
    });
}

int mfa_webauthn_credential_from_json(mfa_webauthn_credential_t** cred, const char* record_json, size_t record_len) {
    return abi::guarded([&] {
        if (cred == nullptr || record_json == nullptr) return bad("cred and record_json are required");
        auto rec = record_from_json(std::string_view(record_json, record_len));
        if (!rec) return abi::fail(rec.error());
        auto key = CredentialKey::from_record(*rec);
        if (!key) return abi::fail(key.error());
        *cred = new mfa_webauthn_credential{std::move(*rec), std::move(*key)};
        return MFA_OK;
    });
}

void mfa_webauthn_credential_free(mfa_webauthn_credential_t** cred) {
    if (cred == nullptr) return;
    delete *cred;
    *cred = nullptr;
}

int mfa_webauthn_credential_get_json(const mfa_webauthn_credential_t* cred, char** record_json) {
    return abi::guarded([&] {
        if (cred == nullptr || record_json == nullptr) return bad("cred and record_json are required");
        return put_alloc(record_json, to_json(cred->record));
    });
}

int mfa_webauthn_credential_get_id(const mfa_webauthn_credential_t* cred, uint8_t** out, size_t* len) {
    return abi::guarded([&] {
        if (cred == nullptr) return bad("cred is NULL");
        return abi::put_alloc(out, len, cred->record.id.data(), cred->record.id.size());
    });
}

int mfa_webauthn_credential_get_sign_count(const mfa_webauthn_credential_t* cred, uint32_t* sign_count) {
    return abi::guarded([&] {
        if (cred == nullptr || sign_count == nullptr) return bad("cred and sign_count are required");
        *sign_count = cred->record.sign_count;
        return MFA_OK;
    });
}

int mfa_webauthn_verify_authentication(mfa_webauthn_rp_t* rp, mfa_webauthn_credential_t* cred,
                                       mfa_webauthn_authentication_info_t* info, const char* response_json,
                                       size_t response_len, const uint8_t* challenge, size_t challenge_len,
                                       const uint8_t* account_user_handle, size_t account_user_handle_len, int uv) {
    return abi::guarded([&] {
        if (rp == nullptr || cred == nullptr || response_json == nullptr || challenge == nullptr)
            return bad("rp, cred, response_json and challenge are required");
        AuthenticationExpectation ex;
        ex.challenge = bytes_in(challenge, challenge_len);
        if (account_user_handle != nullptr) ex.user_handle = bytes_in(account_user_handle, account_user_handle_len);
        if (uv != -1) {
            auto v = uv_from(uv);
            if (!v) return abi::fail(v.error());
            ex.user_verification = *v;
        }
        auto r = verify_authentication(rp->cfg, std::string_view(response_json, response_len), cred->record, ex,
                                       &cred->key);
        if (!r) return abi::fail(r.error());
        mfa_webauthn_authentication_info_t full{};
        full.sign_count = r->sign_count;
        full.user_verified = r->user_verified;
        full.backup_state = r->backup_state;
        full.counter_regressed = r->counter_regressed;
        full.appid_used = r->appid_used;
        // The info is written before the handle changes, so a too-small struct leaves cred alone.
        int rc = put_info(info, full);
        if (rc != MFA_OK) return rc;
        cred->record = std::move(r->record);
        return MFA_OK;
    });
}

int mfa_webauthn_response_ids(uint8_t** credential_id, size_t* id_len, uint8_t** user_handle, size_t* handle_len,
                              const char* response_json, size_t response_len) {
    return abi::guarded([&] {
        if (response_json == nullptr) return bad("response_json is NULL");
        if ((credential_id == nullptr) != (id_len == nullptr)) return bad("credential_id and id_len go together");
        if ((user_handle == nullptr) != (handle_len == nullptr)) return bad("user_handle and handle_len go together");
        auto r = parse_authentication_response(std::string_view(response_json, response_len));
        if (!r) return abi::fail(r.error());
        uint8_t* id = nullptr;
        size_t n = 0;
        if (credential_id != nullptr) {
            int rc = abi::put_alloc(&id, &n, r->id.data(), r->id.size());
            if (rc != MFA_OK) return rc;
        }
        if (user_handle != nullptr) {
            const Bytes h = r->user_handle.value_or(Bytes{});
            int rc = abi::put_alloc(user_handle, handle_len, h.data(), h.size());
            if (rc != MFA_OK) {
                mfa_free(id);
                return rc;
            }
        }
        if (credential_id != nullptr) {
            *credential_id = id;
            *id_len = n;
        }
        return MFA_OK;
    });
}

}  // extern "C"

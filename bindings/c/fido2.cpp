// C ABI over the FIDO2 client and the soft token (mfa_fido2.h).
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "abi.hpp"
#include "mfa/fido2.hpp"
#include "mfa/mfa_fido2.h"
#include "mfa/mfa_softtoken.h"
#include "mfa/random.hpp"
#include "mfa/softtoken.hpp"
#include "mfa/softtoken_bridge.hpp"

using namespace mfa;
using namespace mfa::fido2;
using mfa::abi::put_alloc;

struct mfa_fido2_device_list {
    std::vector<DeviceEntry> entries;
};
struct mfa_fido2_device {
    std::unique_ptr<Device> dev;
};
struct mfa_fido2_credential {
    Credential cred;
    std::optional<ClientData> client_data;
};
struct mfa_fido2_assertions {
    std::vector<Assertion> list;
    std::optional<ClientData> client_data;
};
struct mfa_softtoken {
    std::shared_ptr<softtoken::SoftToken> token;
    std::unique_ptr<softtoken::PtyBridge> bridge;
    std::string path;
};

namespace {

constexpr std::size_t kMaxText = 4096;       // paths, RP IDs, names, origins
constexpr std::size_t kMaxPin = 255;         // bytes; CTAP2 caps a PIN at 63 code points
constexpr std::size_t kMaxChallenge = 1024;  // as the relying party accepts
constexpr std::size_t kMaxCredentialId = 1023;
constexpr std::size_t kMaxAllow = 64;
constexpr std::size_t kMaxOptionsJson = 256 * 1024;  // as the relying party's responses

int bad(const char* what) { return abi::fail(Errc::invalid_argument, what); }

// One client for the process: every "soft:FILE" open of the same FILE reaches the same token.
Client& client() {
    static Client c;
    return c;
}
std::mutex& client_mutex() {
    static std::mutex m;
    return m;
}

// A PIN as (pointer, length); libfido2 takes it as a C string, so a NUL inside is refused rather
// than cut.
Result<std::optional<SecretString>> pin_in(const char* pin, std::size_t pin_len, const char* what) {
    auto p = abi::in_secret(pin, pin_len, kMaxPin, what);
    if (!p) return std::move(p).error();
    if (*p && (**p).view().find('\0') != std::string_view::npos)
        return Error(Errc::invalid_argument, std::string(what) + " contains a NUL byte");
    return p;
}

Result<SecretString> pin_required(const char* pin, std::size_t pin_len, const char* what) {
    auto p = pin_in(pin, pin_len, what);
    if (!p) return std::move(p).error();
    if (!*p) return Error(Errc::invalid_argument, std::string(what) + " is NULL");
    return std::move(**p);
}

// challenge + origin -> clientDataJSON and its hash; or a caller-made 32-byte hash.
Result<std::optional<ClientData>> client_data_in(const char* type, const std::uint8_t* challenge,
                                                 std::size_t challenge_len, const char* origin,
                                                 const std::uint8_t* hash, Bytes& hash_out) {
    if (hash != nullptr) {
        if (challenge != nullptr || origin != nullptr)
            return Error(Errc::invalid_argument, "give either client_data_hash or challenge and origin");
        hash_out.assign(hash, hash + 32);
        return std::optional<ClientData>{};
    }
    if (challenge == nullptr || challenge_len == 0 || challenge_len > kMaxChallenge)
        return Error(Errc::invalid_argument, "challenge is NULL, empty or longer than 1024 bytes");
    auto o = abi::in_string(origin, kMaxText, "origin");
    if (!o) return std::move(o).error();
    if (o->empty()) return Error(Errc::invalid_argument, "origin is empty");
    auto cd = make_client_data(type, ByteView(challenge, challenge_len), *o);
    hash_out = cd.hash;
    return std::optional<ClientData>(std::move(cd));
}

template <class T>
Result<const T*> at(const std::vector<T>& v, std::size_t index) {
    if (index >= v.size())
        return Error(Errc::not_found, "index " + std::to_string(index) + " of " + std::to_string(v.size()));
    return &v[index];
}

// The shared part of webauthn_create / webauthn_get: arguments in, response JSON out.
template <class Ceremony>
int webauthn_client(mfa_fido2_device_t* dev, char** response_json, const char* options_json, const char* origin,
                    const char* pin, size_t pin_len, Ceremony ceremony) {
    return abi::guarded([&] {
        if (dev == nullptr || response_json == nullptr) return bad("dev or response_json is NULL");
        *response_json = nullptr;
        auto options = abi::in_string(options_json, kMaxOptionsJson, "options_json");
        if (!options) return abi::fail(options.error());
        auto o = abi::in_string(origin, kMaxText, "origin");
        if (!o) return abi::fail(o.error());
        auto p = pin_in(pin, pin_len, "pin");
        if (!p) return abi::fail(p.error());
        auto out = ceremony(*dev->dev, *options, *o, *p);
        if (!out) return abi::fail(out.error());
        return put_alloc(response_json, *out);
    });
}

}  // namespace

extern "C" {

// ---- Devices ----

int mfa_fido2_device_list_new(mfa_fido2_device_list_t** list) {
    return abi::guarded([&] {
        if (list == nullptr) return bad("list is NULL");
        *list = nullptr;
        std::lock_guard lk(client_mutex());
        auto entries = client().list();
        if (!entries) return abi::fail(entries.error());
        // Only what is present on the machine: the soft tokens this process opened are not devices.
        std::vector<DeviceEntry> keep;
        for (auto& e : *entries)
            if (e.path.rfind("soft:", 0) != 0) keep.push_back(std::move(e));
        *list = new mfa_fido2_device_list{std::move(keep)};
        return MFA_OK;
    });
}

void mfa_fido2_device_list_free(mfa_fido2_device_list_t** list) {
    if (list == nullptr) return;
    delete *list;
    *list = nullptr;
}

int mfa_fido2_device_list_get_count(const mfa_fido2_device_list_t* list, size_t* count) {
    return abi::guarded([&] {
        if (list == nullptr || count == nullptr) return bad("list or count is NULL");
        *count = list->entries.size();
        return MFA_OK;
    });
}

int mfa_fido2_device_list_get_path(const mfa_fido2_device_list_t* list, char** out,
                               size_t index) {
    return abi::guarded([&] {
        if (list == nullptr) return bad("list is NULL");
        auto e = at(list->entries, index);
        if (!e) return abi::fail(e.error());
        return abi::put_alloc(out, (*e)->path);
    });
}

int mfa_fido2_device_list_get_product(const mfa_fido2_device_list_t* list, char** out,
                                  size_t index) {
    return abi::guarded([&] {
        if (list == nullptr) return bad("list is NULL");
        auto e = at(list->entries, index);
        if (!e) return abi::fail(e.error());
        return abi::put_alloc(out, (*e)->product);
    });
}

int mfa_fido2_device_open(mfa_fido2_device_t** dev, const char* path) {
    return abi::guarded([&] {
        if (dev == nullptr) return bad("dev is NULL");
        *dev = nullptr;
        auto p = abi::in_string(path, kMaxText, "path");
        if (!p) return abi::fail(p.error());
        std::unique_ptr<Device> d;
        {
            std::lock_guard lk(client_mutex());
            auto opened = client().open(*p);
            if (!opened) return abi::fail(opened.error());
            d = std::move(*opened);
        }
        *dev = new mfa_fido2_device{std::move(d)};
        return MFA_OK;
    });
}

void mfa_fido2_device_free(mfa_fido2_device_t** dev) {
    if (dev == nullptr) return;
    delete *dev;
    *dev = nullptr;
}

int mfa_fido2_device_set_timeout(mfa_fido2_device_t* dev, int timeout_ms) {
    return abi::guarded([&] {
        if (dev == nullptr) return bad("dev is NULL");
        auto s = dev->dev->set_timeout(timeout_ms);
        return s ? MFA_OK : abi::fail(s.error());
    });
}

int mfa_fido2_device_cancel(mfa_fido2_device_t* dev) {
    return abi::guarded([&] {
        if (dev == nullptr) return bad("dev is NULL");
        dev->dev->cancel();
        return MFA_OK;
    });
}

int mfa_fido2_info_json(mfa_fido2_device_t* dev, char** json) {
    return abi::guarded([&] {
        if (dev == nullptr || json == nullptr) return bad("dev or json is NULL");
        *json = nullptr;
        auto info = dev->dev->info();
        if (!info) return abi::fail(info.error());
        return put_alloc(json, info_json(*info));
    });
}

// ---- Make credential ----

int mfa_fido2_make_credential_options_init(mfa_fido2_make_credential_options_t* options) {
    if (options == nullptr) return bad("options is NULL");
    *options = mfa_fido2_make_credential_options_t{};
    options->struct_size = sizeof *options;
    options->algorithm = MFA_COSE_ES256;
    return MFA_OK;
}

int mfa_fido2_get_assertion_options_init(mfa_fido2_get_assertion_options_t* options) {
    if (options == nullptr) return bad("options is NULL");
    *options = mfa_fido2_get_assertion_options_t{};
    options->struct_size = sizeof *options;
    return MFA_OK;
}

int mfa_fido2_make_credential(mfa_fido2_device_t* dev, mfa_fido2_credential_t** cred,
                              const mfa_fido2_make_credential_options_t* options) {
    return abi::guarded([&] {
        if (dev == nullptr || cred == nullptr || options == nullptr) return bad("dev, cred or options is NULL");
        *cred = nullptr;
        mfa_fido2_make_credential_options_t o{};
        if (auto s = abi::read_sized(options, o, sizeof(o), "options"); !s) return abi::fail(s.error());

        MakeCredentialRequest req;
        auto rp_id = abi::in_string(o.rp_id, kMaxText, "rp_id");
        if (!rp_id) return abi::fail(rp_id.error());
        if (rp_id->empty()) return bad("rp_id is empty");
        auto rp_name = abi::in_string(o.rp_name, kMaxText, "rp_name", true);
        auto user_name = abi::in_string(o.user_name, kMaxText, "user_name", true);
        auto display = abi::in_string(o.user_display_name, kMaxText, "user_display_name", true);
        if (!rp_name) return abi::fail(rp_name.error());
        if (!user_name) return abi::fail(user_name.error());
        if (!display) return abi::fail(display.error());
        if (o.user_id == nullptr || o.user_id_len == 0 || o.user_id_len > 64)
            return bad("user_id must be 1..64 bytes");
        req.rp = {std::string(*rp_id), std::string(rp_name->empty() ? *rp_id : *rp_name)};
        req.user = {Bytes(o.user_id, o.user_id + o.user_id_len), std::string(*user_name),
                    std::string(display->empty() ? *user_name : *display)};
        switch (o.algorithm) {
            case 0:
            case MFA_COSE_ES256: req.algorithm = Algorithm::es256; break;
            case MFA_COSE_EDDSA: req.algorithm = Algorithm::eddsa; break;
            default: return bad("algorithm must be MFA_COSE_ES256 or MFA_COSE_EDDSA");
        }
        if (o.cred_protect < 0 || o.cred_protect > 3) return bad("cred_protect must be 0..3");
        req.resident = o.resident != 0;
        req.user_verification = o.user_verification != 0;
        req.cred_protect = o.cred_protect;
        req.hmac_secret = o.hmac_secret != 0;
        auto pin = pin_in(o.pin, o.pin_len, "pin");
        if (!pin) return abi::fail(pin.error());
        req.pin = std::move(*pin);
        auto cd = client_data_in("webauthn.create", o.challenge, o.challenge_len, o.origin, o.client_data_hash,
                                 req.client_data_hash);
        if (!cd) return abi::fail(cd.error());

        auto made = dev->dev->make_credential(req);
        if (!made) return abi::fail(made.error());
        *cred = new mfa_fido2_credential{std::move(*made), std::move(*cd)};
        return MFA_OK;
    });
}

void mfa_fido2_credential_free(mfa_fido2_credential_t** cred) {
    if (cred == nullptr) return;
    delete *cred;
    *cred = nullptr;
}

int mfa_fido2_credential_get_id(const mfa_fido2_credential_t* cred, uint8_t** out, size_t* len) {
    return abi::guarded([&] {
        if (cred == nullptr) return bad("cred is NULL");
        const auto& id = cred->cred.credential_id;
        return abi::put_alloc(out, len, id.data(), id.size());
    });
}

int mfa_fido2_credential_get_public_key(const mfa_fido2_credential_t* cred, uint8_t** out, size_t* len) {
    return abi::guarded([&] {
        if (cred == nullptr) return bad("cred is NULL");
        const auto& k = cred->cred.public_key_cose;
        return abi::put_alloc(out, len, k.data(), k.size());
    });
}

int mfa_fido2_credential_get_attestation_object(const mfa_fido2_credential_t* cred, uint8_t** out, size_t* len) {
    return abi::guarded([&] {
        if (cred == nullptr) return bad("cred is NULL");
        auto ao = cred->cred.attestation_object();
        if (!ao) return abi::fail(ao.error());
        return abi::put_alloc(out, len, ao->data(), ao->size());
    });
}

int mfa_fido2_credential_get_json(const mfa_fido2_credential_t* cred, char** json) {
    return abi::guarded([&] {
        if (cred == nullptr) return bad("cred is NULL");
        if (json == nullptr) return bad("json is NULL");
        if (!cred->client_data) return bad("the credential was made from a client_data_hash: no clientDataJSON");
        auto j = registration_json(cred->cred, *cred->client_data);
        if (!j) return abi::fail(j.error());
        return abi::put_alloc(json, *j);
    });
}

// ---- Get assertion ----

int mfa_fido2_get_assertion(mfa_fido2_device_t* dev, mfa_fido2_assertions_t** assertions,
                            const mfa_fido2_get_assertion_options_t* options) {
    return abi::guarded([&] {
        if (dev == nullptr || assertions == nullptr || options == nullptr)
            return bad("dev, assertions or options is NULL");
        *assertions = nullptr;
        mfa_fido2_get_assertion_options_t o{};
        if (auto s = abi::read_sized(options, o, sizeof(o), "options"); !s) return abi::fail(s.error());

        GetAssertionRequest req;
        auto rp_id = abi::in_string(o.rp_id, kMaxText, "rp_id");
        if (!rp_id) return abi::fail(rp_id.error());
        if (rp_id->empty()) return bad("rp_id is empty");
        req.rp_id = std::string(*rp_id);
        if (o.allow_count > kMaxAllow) return bad("allow_count is above 64");
        if (o.allow_count > 0 && (o.allow_ids == nullptr || o.allow_id_lens == nullptr))
            return bad("allow_ids or allow_id_lens is NULL");
        for (std::size_t i = 0; i < o.allow_count; ++i) {
            if (o.allow_ids[i] == nullptr || o.allow_id_lens[i] == 0 || o.allow_id_lens[i] > kMaxCredentialId)
                return abi::fail(Errc::invalid_argument,
                                 "allow_ids[" + std::to_string(i) + "] is NULL, empty or longer than 1023 bytes");
            req.allow.emplace_back(o.allow_ids[i], o.allow_ids[i] + o.allow_id_lens[i]);
        }
        req.user_presence = o.no_user_presence == 0;
        req.user_verification = o.user_verification != 0;
        auto pin = pin_in(o.pin, o.pin_len, "pin");
        if (!pin) return abi::fail(pin.error());
        req.pin = std::move(*pin);
        if (o.hmac_salt2 != nullptr && o.hmac_salt1 == nullptr) return bad("hmac_salt2 without hmac_salt1");
        if (o.hmac_salt1 != nullptr) req.hmac_salt1 = Bytes(o.hmac_salt1, o.hmac_salt1 + 32);
        if (o.hmac_salt2 != nullptr) req.hmac_salt2 = Bytes(o.hmac_salt2, o.hmac_salt2 + 32);
        auto cd = client_data_in("webauthn.get", o.challenge, o.challenge_len, o.origin, o.client_data_hash,
                                 req.client_data_hash);
        if (!cd) return abi::fail(cd.error());

        auto got = dev->dev->get_assertions(req);
        if (!got) return abi::fail(got.error());
        *assertions = new mfa_fido2_assertions{std::move(*got), std::move(*cd)};
        return MFA_OK;
    });
}

void mfa_fido2_assertions_free(mfa_fido2_assertions_t** assertions) {
    if (assertions == nullptr) return;
    delete *assertions;
    *assertions = nullptr;
}

int mfa_fido2_assertions_get_count(const mfa_fido2_assertions_t* assertions, size_t* count) {
    return abi::guarded([&] {
        if (assertions == nullptr || count == nullptr) return bad("assertions or count is NULL");
        *count = assertions->list.size();
        return MFA_OK;
    });
}

int mfa_fido2_assertions_get_credential_id(const mfa_fido2_assertions_t* assertions, uint8_t** out, size_t* len,
                                           size_t index) {
    return abi::guarded([&] {
        if (assertions == nullptr) return bad("assertions is NULL");
        auto a = at(assertions->list, index);
        if (!a) return abi::fail(a.error());
        return abi::put_alloc(out, len, (*a)->credential_id.data(), (*a)->credential_id.size());
    });
}

int mfa_fido2_assertions_get_user_id(const mfa_fido2_assertions_t* assertions, uint8_t** out, size_t* len,
                                size_t index) {
    return abi::guarded([&] {
        if (assertions == nullptr) return bad("assertions is NULL");
        auto a = at(assertions->list, index);
        if (!a) return abi::fail(a.error());
        return abi::put_alloc(out, len, (*a)->user_id.data(), (*a)->user_id.size());
    });
}

int mfa_fido2_assertions_get_sign_count(const mfa_fido2_assertions_t* assertions, uint32_t* sign_count, size_t index) {
    return abi::guarded([&] {
        if (assertions == nullptr || sign_count == nullptr) return bad("assertions or sign_count is NULL");
        auto a = at(assertions->list, index);
        if (!a) return abi::fail(a.error());
        *sign_count = (*a)->sign_count;
        return MFA_OK;
    });
}

int mfa_fido2_assertions_get_hmac_secret(const mfa_fido2_assertions_t* assertions, uint8_t* out, size_t cap,
                                    size_t* len, size_t index) {
    return abi::guarded([&] {
        if (assertions == nullptr) return bad("assertions is NULL");
        auto a = at(assertions->list, index);
        if (!a) return abi::fail(a.error());
        const auto& s = (*a)->hmac_secret;
        if (s.empty()) return abi::fail(Errc::not_found, "no hmac-secret output (no salt was given)");
        return abi::put_bytes(out, cap, len, s.data(), s.size());
    });
}

int mfa_fido2_assertions_get_json(const mfa_fido2_assertions_t* assertions, char** json, size_t index) {
    return abi::guarded([&] {
        if (assertions == nullptr) return bad("assertions is NULL");
        if (json == nullptr) return bad("json is NULL");
        auto a = at(assertions->list, index);
        if (!a) return abi::fail(a.error());
        if (!assertions->client_data) return bad("the assertion was made from a client_data_hash: no clientDataJSON");
        auto j = authentication_json(**a, *assertions->client_data);
        if (!j) return abi::fail(j.error());
        return abi::put_alloc(json, *j);
    });
}

// ---- A WebAuthn client ----


int mfa_fido2_webauthn_create(mfa_fido2_device_t* dev, char** response_json, const char* options_json,
                              const char* origin, const char* pin, size_t pin_len) {
    return webauthn_client(dev, response_json, options_json, origin, pin, pin_len, mfa::fido2::webauthn_create);
}

int mfa_fido2_webauthn_get(mfa_fido2_device_t* dev, char** response_json, const char* options_json,
                           const char* origin, const char* pin, size_t pin_len) {
    return webauthn_client(dev, response_json, options_json, origin, pin, pin_len, mfa::fido2::webauthn_get);
}

int mfa_fido2_hmac_secret(mfa_fido2_device_t* dev, uint8_t* out, size_t cap, size_t* len, const char* rp_id,
                          const uint8_t* credential_id, size_t credential_id_len, const uint8_t* salt1,
                          const uint8_t* salt2, const char* pin, size_t pin_len) {
    return abi::guarded([&] {
        if (dev == nullptr || len == nullptr || salt1 == nullptr) return bad("dev, len or salt1 is NULL");
        const std::size_t need = salt2 != nullptr ? 64 : 32;
        if (out == nullptr || cap < need) {  // before the device is asked: no touch is wasted
            *len = need;
            return abi::fail(Errc::buffer_too_small, "hmac-secret output needs " + std::to_string(need) + " bytes");
        }
        if (credential_id == nullptr || credential_id_len == 0 || credential_id_len > kMaxCredentialId)
            return bad("credential_id is NULL, empty or longer than 1023 bytes");
        auto rp = abi::in_string(rp_id, kMaxText, "rp_id");
        if (!rp) return abi::fail(rp.error());
        GetAssertionRequest req;
        req.rp_id = std::string(*rp);
        req.allow = {Bytes(credential_id, credential_id + credential_id_len)};
        // The salts are what the secret is derived from; the client data hash only needs to be fresh.
        req.client_data_hash.resize(32);
        if (auto s = random_fill(req.client_data_hash); !s) return abi::fail(s.error());
        req.hmac_salt1 = Bytes(salt1, salt1 + 32);
        if (salt2 != nullptr) req.hmac_salt2 = Bytes(salt2, salt2 + 32);
        auto p = pin_in(pin, pin_len, "pin");
        if (!p) return abi::fail(p.error());
        req.pin = std::move(*p);
        req.user_verification = req.pin.has_value();
        auto got = dev->dev->get_assertions(req);
        if (!got) return abi::fail(got.error());
        const auto& s = got->front().hmac_secret;
        if (s.size() != need) return abi::fail(Errc::fido2_bad_response, "hmac-secret output of unexpected size");
        return abi::put_bytes(out, cap, len, s.data(), s.size());
    });
}

// ---- PIN, reset, credential management ----

int mfa_fido2_set_pin(mfa_fido2_device_t* dev, const char* pin, size_t pin_len) {
    return abi::guarded([&] {
        if (dev == nullptr) return bad("dev is NULL");
        auto p = pin_required(pin, pin_len, "pin");
        if (!p) return abi::fail(p.error());
        auto s = dev->dev->set_pin(*p);
        return s ? MFA_OK : abi::fail(s.error());
    });
}

int mfa_fido2_change_pin(mfa_fido2_device_t* dev, const char* old_pin, size_t old_pin_len, const char* new_pin,
                         size_t new_pin_len) {
    return abi::guarded([&] {
        if (dev == nullptr) return bad("dev is NULL");
        auto o = pin_required(old_pin, old_pin_len, "old_pin");
        if (!o) return abi::fail(o.error());
        auto n = pin_required(new_pin, new_pin_len, "new_pin");
        if (!n) return abi::fail(n.error());
        auto s = dev->dev->change_pin(*o, *n);
        return s ? MFA_OK : abi::fail(s.error());
    });
}

int mfa_fido2_pin_retries(mfa_fido2_device_t* dev, int* retries) {
    return abi::guarded([&] {
        if (dev == nullptr || retries == nullptr) return bad("dev or retries is NULL");
        auto r = dev->dev->pin_retries();
        if (!r) return abi::fail(r.error());
        *retries = *r;
        return MFA_OK;
    });
}

int mfa_fido2_reset(mfa_fido2_device_t* dev) {
    return abi::guarded([&] {
        if (dev == nullptr) return bad("dev is NULL");
        auto s = dev->dev->reset();
        return s ? MFA_OK : abi::fail(s.error());
    });
}

int mfa_fido2_credentials_json(mfa_fido2_device_t* dev, char** json, const char* pin, size_t pin_len) {
    return abi::guarded([&] {
        if (dev == nullptr || json == nullptr) return bad("dev or json is NULL");
        *json = nullptr;
        auto p = pin_required(pin, pin_len, "pin");
        if (!p) return abi::fail(p.error());
        auto j = credentials_json(*dev->dev, *p);
        if (!j) return abi::fail(j.error());
        return put_alloc(json, *j);
    });
}

int mfa_fido2_delete_credential(mfa_fido2_device_t* dev, const uint8_t* credential_id, size_t credential_id_len,
                                const char* pin, size_t pin_len) {
    return abi::guarded([&] {
        if (dev == nullptr) return bad("dev is NULL");
        if (credential_id == nullptr || credential_id_len == 0 || credential_id_len > kMaxCredentialId)
            return bad("credential_id is NULL, empty or longer than 1023 bytes");
        auto p = pin_required(pin, pin_len, "pin");
        if (!p) return abi::fail(p.error());
        auto s = dev->dev->delete_credential(ByteView(credential_id, credential_id_len), *p);
        return s ? MFA_OK : abi::fail(s.error());
    });
}

// ---- Soft token ----

int mfa_softtoken_options_init(mfa_softtoken_options_t* options) {
    if (options == nullptr) return bad("options is NULL");
    *options = mfa_softtoken_options_t{};
    options->struct_size = sizeof *options;
    return MFA_OK;
}

int mfa_softtoken_start(mfa_softtoken_t** token, const char* state_file, const mfa_softtoken_options_t* options) {
    return abi::guarded([&] {
        if (token == nullptr) return bad("token is NULL");
        *token = nullptr;
        mfa_softtoken_options_t o{};
        o.struct_size = sizeof(o);
        if (options != nullptr)
            if (auto s = abi::read_sized(options, o, sizeof(o), "options"); !s) return abi::fail(s.error());
        softtoken::Options opts;
        switch (o.presence) {
            case MFA_SOFTTOKEN_PRESENCE_APPROVE: opts.presence = softtoken::Presence::approve; break;
            case MFA_SOFTTOKEN_PRESENCE_DENY: opts.presence = softtoken::Presence::deny; break;
            default: return bad("presence must be MFA_SOFTTOKEN_PRESENCE_*");
        }
        switch (o.attestation) {
            case MFA_SOFTTOKEN_ATTESTATION_FULL: opts.attestation = softtoken::Attestation::full; break;
            case MFA_SOFTTOKEN_ATTESTATION_SELF: opts.attestation = softtoken::Attestation::self; break;
            default: return bad("attestation must be MFA_SOFTTOKEN_ATTESTATION_*");
        }
        if (o.builtin_uv < -1 || o.builtin_uv > 1) return bad("builtin_uv must be -1, 0 or 1");
        if (o.builtin_uv != 0) opts.builtin_uv = o.builtin_uv > 0;
        if (o.reset_window_ms == UINT32_MAX)
            opts.reset_window = std::chrono::milliseconds(0);
        else if (o.reset_window_ms != 0)
            opts.reset_window = std::chrono::milliseconds(o.reset_window_ms);

        Result<std::shared_ptr<softtoken::SoftToken>> t = Error(Errc::internal, "unset");
        if (state_file == nullptr) {
            t = softtoken::SoftToken::in_memory(std::move(opts));
        } else {
            auto f = abi::in_string(state_file, kMaxText, "state_file");
            if (!f) return abi::fail(f.error());
            if (f->empty()) return bad("state_file is empty");
            t = softtoken::SoftToken::open(std::filesystem::path(std::string(*f)), std::move(opts));
        }
        if (!t) return abi::fail(t.error());
        auto bridge = softtoken::PtyBridge::start(*t);
        if (!bridge) return abi::fail(bridge.error());
        auto h = std::make_unique<mfa_softtoken>();
        h->token = std::move(*t);
        h->path = (*bridge)->device_path();
        h->bridge = std::move(*bridge);
        *token = h.release();
        return MFA_OK;
    });
}

int mfa_softtoken_get_device_path(const mfa_softtoken_t* token, char** out) {
    return abi::guarded([&] {
        if (token == nullptr) return bad("token is NULL");
        return abi::put_alloc(out, token->path);
    });
}

int mfa_softtoken_stop(mfa_softtoken_t* token) {
    return abi::guarded([&] {
        if (token == nullptr) return bad("token is NULL");
        if (token->bridge) token->bridge->stop();
        return MFA_OK;
    });
}

void mfa_softtoken_free(mfa_softtoken_t** token) {
    if (token == nullptr) return;
    delete *token;  // ~PtyBridge stops serving
    *token = nullptr;
}

}  // extern "C"

// Device operations over libfido2 (fido_dev_make_cred, fido_dev_get_assert, PIN, reset, credman).
#include <cstring>

#include "internal.hpp"
#include "mfa/cbor.hpp"
#include "mfa/cose.hpp"
#include "mfa/reader.hpp"

namespace mfa::fido2 {
namespace {

// libfido2 wants NUL-terminated PINs; the copy lives in a wiped buffer.
struct CPin {
    SecretBytes buf;
    explicit CPin(const SecretString& s) : buf(as_bytes(s.view())) { buf.push_back(0); }
    const char* c_str() const { return reinterpret_cast<const char*>(buf.data()); }
};

const char* opt_pin(const std::optional<CPin>& p) { return p ? p->c_str() : nullptr; }

// A libfido2 object, freed by its fido_*_free from the table when the scope ends.
template <class T>
class Owned {
public:
    Owned(T* p, void (*free)(T**)) : p_(p), free_(free) {}
    ~Owned() { free_(&p_); }
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    T* get() const { return p_; }

private:
    T* p_;
    void (*free_)(T**);
};

Bytes copy(const unsigned char* p, std::size_t n) { return p == nullptr ? Bytes{} : Bytes(p, p + n); }
std::string str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

// Splits the attested credential data out of raw authenticator data: the COSE key and, when the
// ED flag is set, the extension map.
struct AttestedParts {
    Bytes cose_key;
    std::optional<cbor::Value> extensions;
};
Result<AttestedParts> split_auth_data(ByteView ad) {
    Reader r(ad);
    ByteView skip;
    std::uint8_t flags = 0;
    std::uint16_t id_len = 0;
    if (!r.skip(32) || !r.get_u8(flags) || !r.skip(4) || !r.skip(16) || !r.get_u16be(id_len) || !r.get_bytes(id_len, skip))
        return Error(Errc::fido2_bad_response, "authenticator data truncated");
    auto key = cbor::decode_prefix(r.rest());
    if (!key) return Error(Errc::fido2_bad_response, "credential public key: " + key.error().to_string());
    AttestedParts out;
    out.cose_key.assign(r.rest().begin(), r.rest().begin() + static_cast<std::ptrdiff_t>(key->consumed));
    if (flags & 0x80) {
        auto ext = cbor::decode(r.rest().subspan(key->consumed));
        if (!ext) return Error(Errc::fido2_bad_response, "extensions: " + ext.error().to_string());
        out.extensions = std::move(*ext);
    }
    return out;
}

}  // namespace

Device::Device(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Device::~Device() = default;

const std::string& Device::path() const noexcept { return impl_->path; }
bool Device::is_fido2() const noexcept { return fido().fido_dev_is_fido2(impl_->dev); }

void Device::on_user_presence(std::function<void()> callback) {
    std::lock_guard lk(impl_->hooks->mu);
    impl_->hooks->on_user_presence = std::move(callback);
}

Status Device::set_timeout(int ms) {
    if (int r = fido().fido_dev_set_timeout(impl_->dev, ms < 0 ? -1 : ms); r != FIDO_OK)
        return fido_error(r, "fido_dev_set_timeout");
    return {};
}

void Device::cancel() noexcept { (void)fido().fido_dev_cancel(impl_->dev); }

Result<Info> Device::info() {
    const LibFido2& f = fido();
    impl_->begin_operation();
    Owned<fido_cbor_info_t> ci(f.fido_cbor_info_new(), f.fido_cbor_info_free);
    if (ci.get() == nullptr) return Error(Errc::no_memory, "fido_cbor_info_new");
    if (int r = f.fido_dev_get_cbor_info(impl_->dev, ci.get()); r != FIDO_OK)
        return fido_error(r, "GetInfo");
    Info info;
    for (std::size_t i = 0; i < f.fido_cbor_info_versions_len(ci.get()); ++i)
        info.versions.emplace_back(f.fido_cbor_info_versions_ptr(ci.get())[i]);
    for (std::size_t i = 0; i < f.fido_cbor_info_extensions_len(ci.get()); ++i)
        info.extensions.emplace_back(f.fido_cbor_info_extensions_ptr(ci.get())[i]);
    for (std::size_t i = 0; i < f.fido_cbor_info_transports_len(ci.get()); ++i)
        info.transports.emplace_back(f.fido_cbor_info_transports_ptr(ci.get())[i]);
    if (f.fido_cbor_info_aaguid_len(ci.get()) == 16)
        std::memcpy(info.aaguid.data(), f.fido_cbor_info_aaguid_ptr(ci.get()), 16);
    for (std::size_t i = 0; i < f.fido_cbor_info_options_len(ci.get()); ++i)
        info.options.emplace_back(f.fido_cbor_info_options_name_ptr(ci.get())[i], f.fido_cbor_info_options_value_ptr(ci.get())[i]);
    for (std::size_t i = 0; i < f.fido_cbor_info_algorithm_count(ci.get()); ++i)
        info.algorithms.push_back(f.fido_cbor_info_algorithm_cose(ci.get(), i));
    for (std::size_t i = 0; i < f.fido_cbor_info_protocols_len(ci.get()); ++i)
        info.pin_protocols.push_back(f.fido_cbor_info_protocols_ptr(ci.get())[i]);
    info.max_msg_size = f.fido_cbor_info_maxmsgsiz(ci.get());
    info.max_cred_count_in_list = f.fido_cbor_info_maxcredcntlst(ci.get());
    info.max_cred_id_length = f.fido_cbor_info_maxcredidlen(ci.get());
    info.firmware_version = f.fido_cbor_info_fwversion(ci.get());
    info.min_pin_length = f.fido_cbor_info_minpinlen(ci.get());
    if (const std::int64_t rk = f.fido_cbor_info_rk_remaining(ci.get()); rk >= 0) info.remaining_resident_credentials = rk;
    if (info.option("clientPin")) {
        int n = 0;
        if (f.fido_dev_get_retry_count(impl_->dev, &n) == FIDO_OK) info.pin_retries = n;
    }
    if (info.option("uv")) {
        int n = 0;
        if (f.fido_dev_get_uv_retry_count(impl_->dev, &n) == FIDO_OK) info.uv_retries = n;
    }
    return info;
}

Result<Credential> Device::make_credential(const MakeCredentialRequest& req) {
    const LibFido2& f = fido();
    if (req.client_data_hash.empty() || req.rp.id.empty() || req.user.id.empty() || req.user.id.size() > 64)
        return Error(Errc::invalid_argument, "client data hash, RP ID and a user ID of 1..64 bytes are required");
    if (req.cred_protect < 0 || req.cred_protect > 3) return Error(Errc::invalid_argument, "credProtect must be 0..3");
    if (req.user_verification && !req.pin && !f.fido_dev_supports_uv(impl_->dev))
        return Error(Errc::fido2_pin_required, "user verification needs a PIN on this device");
    if (req.cred_protect != 0 && !f.fido_dev_supports_cred_prot(impl_->dev))
        return Error(Errc::fido2_unsupported, "the device does not support credProtect");
    Owned<fido_cred_t> c(f.fido_cred_new(), f.fido_cred_free);
    if (c.get() == nullptr) return Error(Errc::no_memory, "fido_cred_new");
    int ext = 0;
    if (req.hmac_secret) ext |= FIDO_EXT_HMAC_SECRET;
    if (req.cred_protect != 0) ext |= FIDO_EXT_CRED_PROTECT;
    int r = f.fido_cred_set_type(c.get(), static_cast<int>(req.algorithm));
    if (r == FIDO_OK) r = f.fido_cred_set_clientdata_hash(c.get(), req.client_data_hash.data(), req.client_data_hash.size());
    if (r == FIDO_OK) r = f.fido_cred_set_rp(c.get(), req.rp.id.c_str(), req.rp.name.empty() ? nullptr : req.rp.name.c_str());
    if (r == FIDO_OK)
        r = f.fido_cred_set_user(c.get(), req.user.id.data(), req.user.id.size(),
                               req.user.name.empty() ? nullptr : req.user.name.c_str(),
                               req.user.display_name.empty() ? nullptr : req.user.display_name.c_str(), nullptr);
    if (r == FIDO_OK) r = f.fido_cred_set_rk(c.get(), req.resident ? FIDO_OPT_TRUE : FIDO_OPT_OMIT);
    if (r == FIDO_OK) r = f.fido_cred_set_uv(c.get(), req.user_verification ? FIDO_OPT_TRUE : FIDO_OPT_OMIT);
    for (const auto& id : req.exclude)
        if (r == FIDO_OK) r = f.fido_cred_exclude(c.get(), id.data(), id.size());
    if (r == FIDO_OK && req.cred_protect != 0) r = f.fido_cred_set_prot(c.get(), req.cred_protect);
    if (r == FIDO_OK) r = f.fido_cred_set_extensions(c.get(), ext);
    if (r != FIDO_OK) return fido_error(r, "preparing the request");

    std::optional<CPin> pin;
    if (req.pin) pin.emplace(*req.pin);
    impl_->begin_operation();
    if (r = f.fido_dev_make_cred(impl_->dev, c.get(), opt_pin(pin)); r != FIDO_OK) return fido_error(r, "MakeCredential");

    Credential out;
    out.fmt = str(f.fido_cred_fmt(c.get()));
    out.auth_data = copy(f.fido_cred_authdata_raw_ptr(c.get()), f.fido_cred_authdata_raw_len(c.get()));
    out.attestation_statement = copy(f.fido_cred_attstmt_ptr(c.get()), f.fido_cred_attstmt_len(c.get()));
    out.credential_id = copy(f.fido_cred_id_ptr(c.get()), f.fido_cred_id_len(c.get()));
    out.signature = copy(f.fido_cred_sig_ptr(c.get()), f.fido_cred_sig_len(c.get()));
    out.certificate = copy(f.fido_cred_x5c_ptr(c.get()), f.fido_cred_x5c_len(c.get()));
    out.sign_count = f.fido_cred_sigcount(c.get());
    out.algorithm = static_cast<Algorithm>(f.fido_cred_type(c.get()));
    out.cred_protect = f.fido_cred_prot(c.get());
    auto parts = split_auth_data(out.auth_data);
    if (!parts) return std::move(parts).error();
    out.public_key_cose = std::move(parts->cose_key);
    if (parts->extensions)
        if (const cbor::Value* h = parts->extensions->find("hmac-secret"))
            out.hmac_secret = h->as_bool().ok() && *h->as_bool();
    return out;
}

Status Credential::verify(ByteView cdh, std::string_view rp_id) const {
    // Needs no device, so it may be the first use of libfido2 in the process (a PAM login checking
    // a key's attestation).
    if (const auto& lib = load_libfido2(); !lib) return lib.error();
    const LibFido2& f = fido();
    Owned<fido_cred_t> c(f.fido_cred_new(), f.fido_cred_free);
    if (c.get() == nullptr) return Error(Errc::no_memory, "fido_cred_new");
    const std::string rp(rp_id);
    int ext = (hmac_secret ? FIDO_EXT_HMAC_SECRET : 0) | (cred_protect != 0 ? FIDO_EXT_CRED_PROTECT : 0);
    int r = f.fido_cred_set_type(c.get(), static_cast<int>(algorithm));
    if (r == FIDO_OK) r = f.fido_cred_set_clientdata_hash(c.get(), cdh.data(), cdh.size());
    if (r == FIDO_OK) r = f.fido_cred_set_rp(c.get(), rp.c_str(), nullptr);
    if (r == FIDO_OK && cred_protect != 0) r = f.fido_cred_set_prot(c.get(), cred_protect);
    if (r == FIDO_OK) r = f.fido_cred_set_extensions(c.get(), ext);
    if (r == FIDO_OK) r = f.fido_cred_set_authdata_raw(c.get(), auth_data.data(), auth_data.size());
    if (r == FIDO_OK) r = f.fido_cred_set_fmt(c.get(), fmt.c_str());
    if (r == FIDO_OK && !attestation_statement.empty())
        r = f.fido_cred_set_attstmt(c.get(), attestation_statement.data(), attestation_statement.size());
    if (r != FIDO_OK) return fido_error(r, "loading the credential");
    r = certificate.empty() ? f.fido_cred_verify_self(c.get()) : f.fido_cred_verify(c.get());
    if (r != FIDO_OK) {
        Error e = fido_error(r, "attestation");
        e.code = Errc::fido2_verify_failed;
        return e;
    }
    return {};
}

Result<std::vector<Assertion>> Device::get_assertions(const GetAssertionRequest& req) {
    const LibFido2& f = fido();
    if (req.client_data_hash.empty() || req.rp_id.empty())
        return Error(Errc::invalid_argument, "client data hash and RP ID are required");
    if (req.hmac_salt2 && !req.hmac_salt1) return Error(Errc::invalid_argument, "hmac salt2 without salt1");
    if ((req.hmac_salt1 && req.hmac_salt1->size() != 32) || (req.hmac_salt2 && req.hmac_salt2->size() != 32))
        return Error(Errc::invalid_argument, "hmac-secret salts are 32 bytes");
    if (req.user_verification && !req.pin && !f.fido_dev_supports_uv(impl_->dev))
        return Error(Errc::fido2_pin_required, "user verification needs a PIN on this device");
    Owned<fido_assert_t> a(f.fido_assert_new(), f.fido_assert_free);
    if (a.get() == nullptr) return Error(Errc::no_memory, "fido_assert_new");
    int r = f.fido_assert_set_clientdata_hash(a.get(), req.client_data_hash.data(), req.client_data_hash.size());
    if (r == FIDO_OK) r = f.fido_assert_set_rp(a.get(), req.rp_id.c_str());
    for (const auto& id : req.allow)
        if (r == FIDO_OK) r = f.fido_assert_allow_cred(a.get(), id.data(), id.size());
    if (r == FIDO_OK && !req.user_presence) r = f.fido_assert_set_up(a.get(), FIDO_OPT_FALSE);
    if (r == FIDO_OK && req.user_verification) r = f.fido_assert_set_uv(a.get(), FIDO_OPT_TRUE);
    if (r == FIDO_OK && req.hmac_salt1) {
        Bytes salt = *req.hmac_salt1;
        if (req.hmac_salt2) salt.insert(salt.end(), req.hmac_salt2->begin(), req.hmac_salt2->end());
        r = f.fido_assert_set_extensions(a.get(), FIDO_EXT_HMAC_SECRET);
        if (r == FIDO_OK) r = f.fido_assert_set_hmac_salt(a.get(), salt.data(), salt.size());
    }
    if (r != FIDO_OK) return fido_error(r, "preparing the request");
    std::optional<CPin> pin;
    if (req.pin) pin.emplace(*req.pin);
    impl_->begin_operation();
    if (r = f.fido_dev_get_assert(impl_->dev, a.get(), opt_pin(pin)); r != FIDO_OK) return fido_error(r, "GetAssertion");

    std::vector<Assertion> out;
    for (std::size_t i = 0; i < f.fido_assert_count(a.get()); ++i) {
        Assertion as;
        as.credential_id = copy(f.fido_assert_id_ptr(a.get(), i), f.fido_assert_id_len(a.get(), i));
        // fido_assert_authdata_ptr is the CBOR byte string the device sent; unwrap it.
        auto wrapped = cbor::decode(ByteView(f.fido_assert_authdata_ptr(a.get(), i), f.fido_assert_authdata_len(a.get(), i)));
        if (!wrapped) return Error(Errc::fido2_bad_response, "authenticator data: " + wrapped.error().to_string());
        auto raw = wrapped->as_bytes("authData");
        if (!raw) return Error(Errc::fido2_bad_response, raw.error().to_string());
        as.auth_data.assign(raw->begin(), raw->end());
        as.signature = copy(f.fido_assert_sig_ptr(a.get(), i), f.fido_assert_sig_len(a.get(), i));
        as.user_id = copy(f.fido_assert_user_id_ptr(a.get(), i), f.fido_assert_user_id_len(a.get(), i));
        as.user_name = str(f.fido_assert_user_name(a.get(), i));
        as.user_display_name = str(f.fido_assert_user_display_name(a.get(), i));
        as.sign_count = f.fido_assert_sigcount(a.get(), i);
        as.flags = f.fido_assert_flags(a.get(), i);
        if (const unsigned char* h = f.fido_assert_hmac_secret_ptr(a.get(), i))
            as.hmac_secret = SecretBytes(ByteView(h, f.fido_assert_hmac_secret_len(a.get(), i)));
        out.push_back(std::move(as));
    }
    return out;
}

Status Device::set_pin(const SecretString& pin) {
    CPin p(pin);
    impl_->begin_operation();
    if (int r = fido().fido_dev_set_pin(impl_->dev, p.c_str(), nullptr); r != FIDO_OK) return fido_error(r, "setPIN");
    return {};
}

Status Device::change_pin(const SecretString& old_pin, const SecretString& new_pin) {
    CPin o(old_pin), n(new_pin);
    impl_->begin_operation();
    if (int r = fido().fido_dev_set_pin(impl_->dev, n.c_str(), o.c_str()); r != FIDO_OK) return fido_error(r, "changePIN");
    return {};
}

Result<int> Device::pin_retries() {
    int n = 0;
    impl_->begin_operation();
    if (int r = fido().fido_dev_get_retry_count(impl_->dev, &n); r != FIDO_OK) return fido_error(r, "getPINRetries");
    return n;
}

Status Device::reset() {
    impl_->begin_operation();
    if (int r = fido().fido_dev_reset(impl_->dev); r != FIDO_OK) return fido_error(r, "Reset");
    return {};
}

Result<CredentialMetadata> Device::credential_metadata(const SecretString& pin) {
    const LibFido2& f = fido();
    Owned<fido_credman_metadata_t> m(f.fido_credman_metadata_new(), f.fido_credman_metadata_free);
    if (m.get() == nullptr) return Error(Errc::no_memory, "fido_credman_metadata_new");
    CPin p(pin);
    impl_->begin_operation();
    if (int r = f.fido_credman_get_dev_metadata(impl_->dev, m.get(), p.c_str()); r != FIDO_OK)
        return fido_error(r, "credential metadata");
    return CredentialMetadata{f.fido_credman_rk_existing(m.get()), f.fido_credman_rk_remaining(m.get())};
}

Result<std::vector<RpEntry>> Device::list_rps(const SecretString& pin) {
    const LibFido2& f = fido();
    Owned<fido_credman_rp_t> rp(f.fido_credman_rp_new(), f.fido_credman_rp_free);
    if (rp.get() == nullptr) return Error(Errc::no_memory, "fido_credman_rp_new");
    CPin p(pin);
    impl_->begin_operation();
    if (int r = f.fido_credman_get_dev_rp(impl_->dev, rp.get(), p.c_str()); r != FIDO_OK)
        return fido_error(r, "enumerating RPs");
    std::vector<RpEntry> out;
    for (std::size_t i = 0; i < f.fido_credman_rp_count(rp.get()); ++i)
        out.push_back({str(f.fido_credman_rp_id(rp.get(), i)), str(f.fido_credman_rp_name(rp.get(), i)),
                       copy(f.fido_credman_rp_id_hash_ptr(rp.get(), i), f.fido_credman_rp_id_hash_len(rp.get(), i))});
    return out;
}

Result<std::vector<ResidentCredentialEntry>> Device::list_credentials(std::string_view rp_id, const SecretString& pin) {
    const LibFido2& f = fido();
    Owned<fido_credman_rk_t> rk(f.fido_credman_rk_new(), f.fido_credman_rk_free);
    if (rk.get() == nullptr) return Error(Errc::no_memory, "fido_credman_rk_new");
    CPin p(pin);
    const std::string rp(rp_id);
    impl_->begin_operation();
    if (int r = f.fido_credman_get_dev_rk(impl_->dev, rp.c_str(), rk.get(), p.c_str()); r != FIDO_OK)
        return fido_error(r, "enumerating credentials");
    std::vector<ResidentCredentialEntry> out;
    for (std::size_t i = 0; i < f.fido_credman_rk_count(rk.get()); ++i) {
        const fido_cred_t* c = f.fido_credman_rk(rk.get(), i);
        out.push_back({copy(f.fido_cred_id_ptr(c), f.fido_cred_id_len(c)), copy(f.fido_cred_user_id_ptr(c), f.fido_cred_user_id_len(c)),
                       str(f.fido_cred_user_name(c)), str(f.fido_cred_display_name(c)), static_cast<Algorithm>(f.fido_cred_type(c)),
                       f.fido_cred_prot(c)});
    }
    return out;
}

Status Device::delete_credential(ByteView credential_id, const SecretString& pin) {
    CPin p(pin);
    impl_->begin_operation();
    if (int r = fido().fido_credman_del_dev_rk(impl_->dev, credential_id.data(), credential_id.size(), p.c_str()); r != FIDO_OK)
        return fido_error(r, "deleting the credential");
    return {};
}

}  // namespace mfa::fido2

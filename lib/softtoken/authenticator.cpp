#include "authenticator.hpp"

#include "mfa/ct.hpp"

namespace mfa::softtoken {

std::uint8_t cbor_status(const Error& e) noexcept {
    switch (e.code) {
    case Errc::cbor_missing_key: return ctap::kMissingParameter;
    case Errc::cbor_type: return ctap::kCborUnexpectedType;
    case Errc::cbor_int_range: return ctap::kInvalidParameter;
    case Errc::cbor_limit: return ctap::kInvalidLength;
    default: return ctap::kInvalidCbor;
    }
}

Authenticator::Authenticator(State state, std::filesystem::path file, Options opts, Rng rng)
    : st_(std::move(state)), file_(std::move(file)), opt_(std::move(opts)), rng_(std::move(rng)),
      powered_up_(Clock::now()) {}

Result<State> Authenticator::fresh_state(Rng& rng, std::uint8_t max_pin_retries) {
    State s;
    MFA_TRY(rng.fill(s.aaguid));
    auto wrap = rng.secret(32);
    if (!wrap) return std::move(wrap).error();
    s.wrap_key = std::move(*wrap);
    auto att = p256_new_scalar(rng);
    if (!att) return std::move(att).error();
    s.attestation_key = std::move(*att);
    auto key = p256_from_scalar(s.attestation_key.view());
    if (!key) return std::move(key).error();
    std::uint64_t serial = 0;
    std::uint8_t sb[8];
    MFA_TRY(rng.fill(sb));
    for (auto b : sb) serial = (serial << 8) | b;
    auto cert = make_attestation_certificate(key->get(), s.aaguid, serial >> 1);
    if (!cert) return std::move(cert).error();
    s.attestation_cert = std::move(*cert);
    s.pin_retries = max_pin_retries;
    return s;
}

std::uint8_t Authenticator::persist() {
    if (file_.empty()) return ctap::kOk;
    return save_state(file_, st_) ? ctap::kOk : ctap::kOther;
}

Bytes Authenticator::handle(ByteView request, Environment& env) {
    Reply r;
    if (request.empty()) {
        r.status = ctap::kInvalidLength;
    } else if (request.size() > kMaxMsgSize) {
        r.status = ctap::kRequestTooLarge;
    } else {
        const std::uint8_t cmd = request[0];
        // Parameters are a CBOR map, or absent for the commands that take none.
        cbor::DecodeOptions dopts;
        dopts.max_input = kMaxMsgSize;
        dopts.max_depth = 5;  // CTAP2 allows four levels of maps/arrays (§8)
        dopts.max_items = 512;
        dopts.max_string = kMaxMsgSize;
        dopts.allow_tags = false;
        dopts.allow_floats = false;
        dopts.allow_simple = false;
        std::optional<cbor::Value> params;
        if (request.size() > 1) {
            auto v = cbor::decode(request.subspan(1), dopts);
            if (!v) {
                r.status = cbor_status(v.error());
            } else if (!v->is_map()) {
                r.status = ctap::kCborUnexpectedType;
            } else {
                params = std::move(*v);
            }
        }
        if (cmd != ctap::kGetNextAssertion) next_assertion_.reset();
        if (cmd != ctap::kCredMgmt && cmd != ctap::kCredMgmtPreview) credman_.reset();
        if (r.status == 0) {
            const bool needs_params = cmd == ctap::kMakeCredential || cmd == ctap::kGetAssertion ||
                                      cmd == ctap::kClientPin || cmd == ctap::kCredMgmt ||
                                      cmd == ctap::kCredMgmtPreview;
            const bool takes_params = needs_params;
            if (needs_params && !params) {
                r.status = ctap::kMissingParameter;
            } else if (!takes_params && params && cmd != ctap::kGetInfo && cmd != ctap::kReset &&
                       cmd != ctap::kGetNextAssertion && cmd != ctap::kSelection) {
                r.status = ctap::kInvalidCommand;
            } else {
                switch (cmd) {
                case ctap::kGetInfo: r = get_info(); break;
                case ctap::kMakeCredential: r = make_credential(*params, env); break;
                case ctap::kGetAssertion: r = get_assertion(*params, env); break;
                case ctap::kGetNextAssertion: r = get_next_assertion(); break;
                case ctap::kClientPin: r = client_pin(*params, env); break;
                case ctap::kReset: r = reset(env); break;
                case ctap::kSelection: r = selection(env); break;
                case ctap::kCredMgmt:
                case ctap::kCredMgmtPreview: r = cred_mgmt(*params); break;
                default: r.status = ctap::kInvalidCommand; break;
                }
            }
        }
    }
    Bytes out{r.status};
    if (r.status == 0 && r.body) {
        auto enc = cbor::encode(*r.body);
        if (!enc) return Bytes{ctap::kOther};
        out.insert(out.end(), enc->begin(), enc->end());
    }
    return out;
}

Authenticator::Reply Authenticator::get_info() {
    cbor::Map options{
        {"rk", true},
        {"up", true},
        {"plat", false},
        {"clientPin", !st_.pin_hash.empty()},
        {"credMgmt", true},
        {"credentialMgmtPreview", true},
        {"pinUvAuthToken", true},
        {"makeCredUvNotRqd", true},
    };
    if (opt_.builtin_uv) options.push_back({"uv", true});
    cbor::Array algs{
        cbor::Map{{"alg", -7}, {"type", "public-key"}},
        cbor::Map{{"alg", -8}, {"type", "public-key"}},
    };
    cbor::Map info{
        {1, cbor::Array{"FIDO_2_0", "FIDO_2_1"}},
        {2, cbor::Array{"credProtect", "hmac-secret"}},
        {3, cbor::Value(ByteView(st_.aaguid))},
        {4, std::move(options)},
        {5, kMaxMsgSize},
        {6, cbor::Array{2, 1}},
        {7, kMaxCredentialsInList},
        {8, kCredentialIdLength},
        {9, cbor::Array{"usb"}},
        {10, std::move(algs)},
        {12, false},
        {13, st_.min_pin_length},
        {14, 0x010000},
        {20, kMaxResidentCredentials - st_.credentials.size()},
    };
    return {0, cbor::Value(std::move(info))};
}

Authenticator::Reply Authenticator::reset(Environment& env) {
    if (opt_.reset_window.count() > 0 && Clock::now() - powered_up_ > opt_.reset_window)
        return {ctap::kNotAllowed, {}};
    if (auto s = env.user_presence(""); s != 0) return {s, {}};
    auto wrap = rng_.secret(32);
    if (!wrap) return {ctap::kOther, {}};
    // New wrap key: every credential ID issued so far stops opening. AAGUID, attestation key and
    // the signature counter survive (the counter must never go back for a relying party).
    st_.wrap_key = std::move(*wrap);
    st_.credentials.clear();
    st_.pin_hash.clear();
    st_.pin_retries = opt_.max_pin_retries;
    st_.uv_retries = 8;
    st_.min_pin_length = 4;
    token_ = Token{};
    consecutive_pin_failures_ = 0;
    ka_keys_.clear();
    return {persist(), {}};
}

Authenticator::Reply Authenticator::selection(Environment& env) { return {env.user_presence(""), {}}; }

Result<EVP_PKEY*> Authenticator::key_agreement_key(int protocol, bool regenerate) {
    auto it = ka_keys_.find(protocol);
    if (it != ka_keys_.end() && !regenerate) return it->second.get();
    auto scalar = p256_new_scalar(rng_);
    if (!scalar) return std::move(scalar).error();
    auto key = p256_from_scalar(scalar->view());
    if (!key) return std::move(key).error();
    EVP_PKEY* raw = key->get();
    ka_keys_[protocol] = std::move(*key);
    return raw;
}

std::uint8_t Authenticator::protocol_from(const cbor::Value* v, std::optional<PinProtocol>& out) const {
    if (v == nullptr) return ctap::kMissingParameter;
    auto n = v->as_uint("pinUvAuthProtocol");
    if (!n) return cbor_status(n.error());
    if (*n != 1 && *n != 2) return ctap::kInvalidParameter;
    out.emplace(static_cast<int>(*n));
    return 0;
}

std::uint8_t Authenticator::shared_secret(const PinProtocol& proto, const cbor::Value& platform_key, SecretBytes& out) {
    auto peer = cose::parse_key(platform_key);
    if (!peer) return ctap::kInvalidParameter;
    if (peer->kty != cose::KeyType::EC2 || peer->crv != cose::Curve::P256) return ctap::kInvalidParameter;
    auto own = key_agreement_key(proto.version());
    if (!own) return ctap::kOther;
    auto z = ecdh_p256(*own, peer->pkey.get());
    if (!z) return ctap::kInvalidParameter;
    auto s = proto.kdf(z->view());
    if (!s) return ctap::kOther;
    out = std::move(*s);
    return 0;
}

std::uint8_t Authenticator::new_token(std::uint8_t permissions, std::optional<std::string> rp_id) {
    auto t = rng_.secret(32);
    if (!t) return ctap::kOther;
    token_.value = std::move(*t);
    token_.permissions = permissions;
    token_.rp_id = std::move(rp_id);
    token_.valid = true;
    return 0;
}

std::uint8_t Authenticator::check_token(const cbor::Value& param, const PinProtocol& proto, ByteView message,
                                        std::uint8_t permission, std::optional<std::string_view> rp_id) {
    auto sig = param.as_bytes("pinUvAuthParam");
    if (!sig) return cbor_status(sig.error());
    if (!token_.valid || !proto.verify(token_.value.view(), message, *sig)) return ctap::kPinAuthInvalid;
    if ((token_.permissions & permission) == 0) return ctap::kUnauthorizedPermission;
    if (rp_id) {
        if (token_.rp_id && *token_.rp_id != *rp_id) return ctap::kUnauthorizedPermission;
        if (!token_.rp_id && (permission == ctap::kPermMc || permission == ctap::kPermGa))
            token_.rp_id = std::string(*rp_id);
    }
    return 0;
}

std::uint8_t Authenticator::builtin_uv() {
    if (!opt_.builtin_uv) return ctap::kInvalidOption;
    if (st_.uv_retries == 0) return ctap::kUvBlocked;
    if (*opt_.builtin_uv) {
        st_.uv_retries = 8;
        return persist();
    }
    --st_.uv_retries;
    if (auto s = persist(); s != 0) return s;
    return st_.uv_retries == 0 ? ctap::kUvBlocked : ctap::kUvInvalid;
}

std::uint8_t Authenticator::verify_user(const cbor::Value* param, const cbor::Value* protocol, bool uv_option,
                                        ByteView client_data_hash, std::uint8_t permission, std::string_view rp_id,
                                        Environment& env, bool& uv) {
    uv = false;
    if (param != nullptr) {
        auto sig = param->as_bytes("pinUvAuthParam");
        if (!sig) return cbor_status(sig.error());
        if (sig->empty()) {
            // A zero-length pinUvAuthParam asks "touch me so I know which key you are" (§6.1.2 step 1).
            if (auto s = env.user_presence(rp_id); s != 0) return s;
            return st_.pin_hash.empty() ? ctap::kPinNotSet : ctap::kPinInvalid;
        }
        std::optional<PinProtocol> proto;
        if (auto s = protocol_from(protocol, proto); s != 0) return s;
        if (auto s = check_token(*param, *proto, client_data_hash, permission, rp_id); s != 0) return s;
        uv = true;
    } else if (uv_option) {
        if (auto s = builtin_uv(); s != 0) return s;
        uv = true;
    }
    return 0;
}

std::uint8_t Authenticator::verify_pin_hash(const PinProtocol& proto, ByteView shared, ByteView pin_hash_enc) {
    if (st_.pin_retries == 0) return ctap::kPinBlocked;
    // Three wrong PINs in a row need a power cycle (re-opening the token) before the next try.
    if (consecutive_pin_failures_ >= 3) return ctap::kPinAuthBlocked;
    // The attempt counts before it is checked, so pulling the plug mid-way cannot save a guess.
    --st_.pin_retries;
    if (auto s = persist(); s != 0) return s;
    auto hash = proto.decrypt(shared, pin_hash_enc);
    const bool match = hash && hash->size() == 16 && ct_equal(hash->view(), st_.pin_hash.view());
    if (!match) {
        // A wrong PIN also rotates the key agreement key (CTAP 2.1 §6.5.5.5).
        (void)key_agreement_key(proto.version(), true);
        ++consecutive_pin_failures_;
        if (st_.pin_retries == 0) return ctap::kPinBlocked;
        if (consecutive_pin_failures_ >= 3) return ctap::kPinAuthBlocked;
        return ctap::kPinInvalid;
    }
    consecutive_pin_failures_ = 0;
    st_.pin_retries = opt_.max_pin_retries;
    return persist();
}

}  // namespace mfa::softtoken

// authenticatorMakeCredential (0x01), CTAP 2.1 §6.1.
#include "authenticator.hpp"
#include "credential.hpp"
#include "mfa/reader.hpp"

namespace mfa::softtoken {
namespace {

// Reads an optional text member of a map (rp.name, user.displayName ...).
std::uint8_t optional_text(const cbor::Value& m, std::string_view key, std::string& out) {
    const cbor::Value* v = m.find(key);
    if (v == nullptr) return 0;
    auto t = v->as_text(key);
    if (!t) return cbor_status(t.error());
    out = std::string(*t).substr(0, 64);  // CTAP 2.1 lets authenticators truncate to 64 bytes
    return 0;
}

}  // namespace

std::uint8_t read_descriptor_id(const cbor::Value& d, ByteView& id) {
    if (!d.is_map()) return ctap::kCborUnexpectedType;
    auto type = d.get_text("type");
    if (!type) return cbor_status(type.error());
    auto i = d.get_bytes("id");
    if (!i) return cbor_status(i.error());
    id = *type == "public-key" ? *i : ByteView{};
    return 0;
}

Authenticator::Reply Authenticator::make_credential(const cbor::Value& req, Environment& env) {
    auto cdh = req.get_bytes(1);
    if (!cdh) return {cbor_status(cdh.error()), {}};
    auto rp = req.get_map_value(2);
    if (!rp) return {cbor_status(rp.error()), {}};
    auto rp_id_v = (*rp)->get_text("id");
    if (!rp_id_v) return {cbor_status(rp_id_v.error()), {}};
    const std::string rp_id(*rp_id_v);
    std::string rp_name;
    if (auto s = optional_text(**rp, "name", rp_name); s != 0) return {s, {}};
    auto user = req.get_map_value(3);
    if (!user) return {cbor_status(user.error()), {}};
    auto user_id = (*user)->get_bytes("id");
    if (!user_id) return {cbor_status(user_id.error()), {}};
    if (user_id->empty() || user_id->size() > 64) return {ctap::kInvalidLength, {}};
    std::string user_name, display_name;
    if (auto s = optional_text(**user, "name", user_name); s != 0) return {s, {}};
    if (auto s = optional_text(**user, "displayName", display_name); s != 0) return {s, {}};

    auto params = req.get_array(4);
    if (!params) return {cbor_status(params.error()), {}};
    std::optional<cose::Alg> alg;
    for (const auto& p : **params) {
        if (!p.is_map()) return {ctap::kCborUnexpectedType, {}};
        auto type = p.get_text("type");
        auto a = p.get_int("alg");
        if (!type) return {cbor_status(type.error()), {}};
        if (!a) return {cbor_status(a.error()), {}};
        if (*type != "public-key" || alg) continue;
        if (*a == static_cast<std::int64_t>(cose::Alg::ES256)) alg = cose::Alg::ES256;
        else if (*a == static_cast<std::int64_t>(cose::Alg::EdDSA)) alg = cose::Alg::EdDSA;
    }
    if (!alg) return {ctap::kUnsupportedAlgorithm, {}};

    bool rk = false, uv_opt = false;
    if (const cbor::Value* o = req.find(7)) {
        if (!o->is_map()) return {ctap::kCborUnexpectedType, {}};
        for (const auto& [name, want] : {std::pair<const char*, bool*>{"rk", &rk}, {"uv", &uv_opt}}) {
            if (const cbor::Value* v = o->find(name)) {
                auto b = v->as_bool(name);
                if (!b) return {cbor_status(b.error()), {}};
                *want = *b;
            }
        }
        if (const cbor::Value* up = o->find("up")) {
            auto b = up->as_bool("up");
            if (!b) return {cbor_status(b.error()), {}};
            if (!*b) return {ctap::kInvalidOption, {}};
        }
    }

    bool want_hmac = false;
    std::uint8_t cred_protect = 0;
    if (const cbor::Value* ext = req.find(6)) {
        if (!ext->is_map()) return {ctap::kCborUnexpectedType, {}};
        if (const cbor::Value* h = ext->find("hmac-secret")) {
            auto b = h->as_bool("hmac-secret");
            if (!b) return {cbor_status(b.error()), {}};
            want_hmac = *b;
        }
        if (const cbor::Value* cp = ext->find("credProtect")) {
            auto n = cp->as_uint("credProtect");
            if (!n) return {cbor_status(n.error()), {}};
            if (*n < 1 || *n > 3) return {ctap::kInvalidParameter, {}};
            cred_protect = static_cast<std::uint8_t>(*n);
        }
    }

    // User verification: a pinUvAuthToken, the built-in method, or neither.
    bool uv = false;
    if (auto s = verify_user(req.find(8), req.find(9), uv_opt, *cdh, ctap::kPermMc, rp_id, env, uv); s != 0)
        return {s, {}};
    // A discoverable credential on a token with a PIN needs the PIN (or built-in UV) to be used.
    if (!uv && !st_.pin_hash.empty() && rk) return {ctap::kPuatRequired, {}};

    const Hash rp_hash = sha256(as_bytes(rp_id));
    if (const cbor::Value* ex = req.find(5)) {
        auto list = ex->as_array("excludeList");
        if (!list) return {cbor_status(list.error()), {}};
        for (const auto& d : **list) {
            ByteView id;
            if (auto s = read_descriptor_id(d, id); s != 0) return {s, {}};
            auto c = unwrap_credential(st_.wrap_key.view(), rp_hash, id);
            if (!c || (c->cred_protect == 3 && !uv)) continue;
            (void)env.user_presence(rp_id);  // the user confirms before learning the key is known
            return {ctap::kCredentialExcluded, {}};
        }
    }

    if (auto s = env.user_presence(rp_id); s != 0) return {s, {}};

    auto cred = new_credential(*alg, cred_protect, rk, want_hmac, rng_);
    if (!cred) return {ctap::kOther, {}};
    auto cred_id = wrap_credential(st_.wrap_key.view(), rp_hash, *cred, rng_);
    auto key = cred->key();
    if (!cred_id || !key) return {ctap::kOther, {}};
    auto cose_key = cose::encode_key(key->get(), *alg);
    if (!cose_key) return {ctap::kOther, {}};

    if (rk) {
        std::erase_if(st_.credentials, [&](const ResidentCredential& c) {
            return c.rp_id == rp_id && ByteView(c.user_id).size() == user_id->size() &&
                   std::equal(c.user_id.begin(), c.user_id.end(), user_id->begin());
        });
        if (st_.credentials.size() >= kMaxResidentCredentials) return {ctap::kKeyStoreFull, {}};
        st_.credentials.push_back(ResidentCredential{*cred_id, rp_id, rp_name, Bytes(user_id->begin(), user_id->end()),
                                                     user_name, display_name, st_.next_serial++});
    }
    ++st_.counter;

    cbor::Map ext_out;
    if (cred_protect != 0) ext_out.push_back({"credProtect", cred_protect});
    if (want_hmac) ext_out.push_back({"hmac-secret", true});
    std::uint8_t flags = 0x01 | 0x40 | (uv ? 0x04 : 0) | (ext_out.empty() ? 0 : 0x80);

    Bytes auth_data;
    Writer w(auth_data);
    w.bytes(rp_hash);
    w.u8(flags);
    w.u32be(st_.counter);
    w.bytes(st_.aaguid);
    w.u16be(static_cast<std::uint16_t>(cred_id->size()));
    w.bytes(*cred_id);
    w.bytes(*cose_key);
    if (!ext_out.empty()) {
        auto e = cbor::encode(cbor::Value(std::move(ext_out)));
        if (!e) return {ctap::kOther, {}};
        w.bytes(*e);
    }

    Bytes signed_data = auth_data;
    signed_data.insert(signed_data.end(), cdh->begin(), cdh->end());
    cbor::Map att_stmt;
    if (opt_.attestation == Attestation::full) {
        auto att_key = p256_from_scalar(st_.attestation_key.view());
        if (!att_key) return {ctap::kOther, {}};
        auto sig = sign(att_key->get(), cose::Alg::ES256, signed_data);
        if (!sig) return {ctap::kOther, {}};
        att_stmt = cbor::Map{{"alg", -7}, {"sig", std::move(*sig)}, {"x5c", cbor::Array{st_.attestation_cert}}};
    } else {
        auto sig = sign(key->get(), *alg, signed_data);
        if (!sig) return {ctap::kOther, {}};
        att_stmt = cbor::Map{{"alg", static_cast<std::int64_t>(*alg)}, {"sig", std::move(*sig)}};
    }
    if (auto s = persist(); s != 0) return {s, {}};
    return {0, cbor::Value(cbor::Map{{1, "packed"}, {2, std::move(auth_data)}, {3, std::move(att_stmt)}})};
}

}  // namespace mfa::softtoken

// authenticatorGetAssertion (0x02) and authenticatorGetNextAssertion (0x08), CTAP 2.1 §6.2, §6.3,
// with the hmac-secret extension (§12.5).
#include <algorithm>

#include "authenticator.hpp"
#include "credential.hpp"
#include "mfa/reader.hpp"

namespace mfa::softtoken {
namespace {
constexpr auto kNextAssertionWindow = std::chrono::seconds(30);

// credProtect (CTAP 2.1 §12.1): level 3 needs UV; level 2 needs UV unless the RP named the credential.
bool protect_allows(std::uint8_t level, bool uv, bool from_allow_list) {
    if (level == 3) return uv;
    if (level == 2) return uv || from_allow_list;
    return true;
}
}  // namespace

std::vector<ResidentCredential> Authenticator::residents_for(ByteView rp_id_hash) const {
    std::vector<ResidentCredential> out;
    for (const auto& c : st_.credentials) {
        const Hash h = sha256(as_bytes(c.rp_id));
        if (std::equal(h.begin(), h.end(), rp_id_hash.begin(), rp_id_hash.end())) out.push_back(c);
    }
    // Most recently made first, as CTAP 2.1 §6.2.2 step 8 asks.
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.serial > b.serial; });
    return out;
}

Authenticator::Reply Authenticator::get_assertion(const cbor::Value& req, Environment& env) {
    auto rp_id_v = req.get_text(1);
    if (!rp_id_v) return {cbor_status(rp_id_v.error()), {}};
    const std::string rp_id(*rp_id_v);
    auto cdh = req.get_bytes(2);
    if (!cdh) return {cbor_status(cdh.error()), {}};

    bool up = true, uv_opt = false;
    if (const cbor::Value* o = req.find(5)) {
        if (!o->is_map()) return {ctap::kCborUnexpectedType, {}};
        if (o->contains("rk")) return {ctap::kUnsupportedOption, {}};
        for (const auto& [name, want] : {std::pair<const char*, bool*>{"up", &up}, {"uv", &uv_opt}}) {
            if (const cbor::Value* v = o->find(name)) {
                auto b = v->as_bool(name);
                if (!b) return {cbor_status(b.error()), {}};
                *want = *b;
            }
        }
    }

    bool uv = false;
    if (auto s = verify_user(req.find(6), req.find(7), uv_opt, *cdh, ctap::kPermGa, rp_id, env, uv); s != 0)
        return {s, {}};

    AssertionContext ctx;
    ctx.rp_id = rp_id;
    ctx.client_data_hash.assign(cdh->begin(), cdh->end());
    ctx.uv = uv;
    if (const cbor::Value* ext = req.find(4)) {
        if (!ext->is_map()) return {ctap::kCborUnexpectedType, {}};
        if (const cbor::Value* hs = ext->find("hmac-secret")) {
            if (!hs->is_map()) return {ctap::kCborUnexpectedType, {}};
            const cbor::Value* ka = hs->find(1);
            auto salt_enc = hs->get_bytes(2);
            auto salt_auth = hs->get_bytes(3);
            if (ka == nullptr || !salt_enc || !salt_auth) return {ctap::kMissingParameter, {}};
            std::optional<PinProtocol> proto;
            if (const cbor::Value* p = hs->find(4)) {
                if (auto s = protocol_from(p, proto); s != 0) return {s, {}};
            } else {
                proto.emplace(1);
            }
            if (auto s = shared_secret(*proto, *ka, ctx.hmac_shared); s != 0) return {s, {}};
            if (!proto->verify(ctx.hmac_shared.view(), *salt_enc, *salt_auth)) return {ctap::kPinAuthInvalid, {}};
            auto salts = proto->decrypt(ctx.hmac_shared.view(), *salt_enc);
            if (!salts || (salts->size() != 32 && salts->size() != 64)) return {ctap::kInvalidLength, {}};
            ctx.hmac_salts = Bytes(salts->view().begin(), salts->view().end());
            ctx.hmac_protocol = proto->version();
        }
    }

    const Hash rp_hash = sha256(as_bytes(rp_id));
    std::vector<ResidentCredential> matches;
    std::optional<std::pair<Bytes, CredentialSecret>> allowed;
    if (const cbor::Value* al = req.find(3)) {
        auto list = al->as_array("allowList");
        if (!list) return {cbor_status(list.error()), {}};
        if ((*list)->size() > kMaxCredentialsInList) return {ctap::kRequestTooLarge, {}};
        for (const auto& d : **list) {
            ByteView id;
            if (auto s = read_descriptor_id(d, id); s != 0) return {s, {}};
            if (allowed) continue;
            auto c = unwrap_credential(st_.wrap_key.view(), rp_hash, id);
            if (c && protect_allows(c->cred_protect, uv, true)) allowed.emplace(Bytes(id.begin(), id.end()), std::move(*c));
        }
        if (!allowed) return {ctap::kNoCredentials, {}};
    } else {
        for (auto& rc : residents_for(rp_hash)) {
            auto c = unwrap_credential(st_.wrap_key.view(), rp_hash, rc.credential_id);
            if (c && protect_allows(c->cred_protect, uv, false)) matches.push_back(std::move(rc));
        }
        if (matches.empty()) return {ctap::kNoCredentials, {}};
    }

    if (up)
        if (auto s = env.user_presence(rp_id); s != 0) return {s, {}};
    ctx.flags = static_cast<std::uint8_t>((up ? 0x01 : 0) | (uv ? 0x04 : 0));

    if (allowed) {
        const ResidentCredential* rc = nullptr;
        for (const auto& c : st_.credentials)
            if (c.credential_id == allowed->first) rc = &c;
        return sign_assertion(rc, allowed->first, allowed->second, ctx, std::nullopt);
    }
    auto first = unwrap_credential(st_.wrap_key.view(), rp_hash, matches.front().credential_id);
    if (!first) return {ctap::kOther, {}};
    const std::size_t count = matches.size();
    ResidentCredential head = matches.front();
    matches.erase(matches.begin());
    Reply r = sign_assertion(&head, head.credential_id, *first, ctx, count > 1 ? std::optional(count) : std::nullopt);
    if (r.status == 0 && !matches.empty()) {
        ctx.remaining = std::move(matches);
        ctx.deadline = Clock::now() + kNextAssertionWindow;
        next_assertion_ = std::move(ctx);
    }
    return r;
}

Authenticator::Reply Authenticator::get_next_assertion() {
    // handle() cleared next_assertion_ unless the previous command was GetAssertion/GetNext.
    if (!next_assertion_ || next_assertion_->remaining.empty() || Clock::now() > next_assertion_->deadline)
        return {ctap::kNotAllowed, {}};
    AssertionContext& ctx = *next_assertion_;
    ResidentCredential rc = ctx.remaining.front();
    ctx.remaining.erase(ctx.remaining.begin());
    const Hash rp_hash = sha256(as_bytes(ctx.rp_id));
    auto cred = unwrap_credential(st_.wrap_key.view(), rp_hash, rc.credential_id);
    if (!cred) return {ctap::kOther, {}};
    return sign_assertion(&rc, rc.credential_id, *cred, ctx, std::nullopt);
}

Authenticator::Reply Authenticator::sign_assertion(const ResidentCredential* rc, ByteView cred_id,
                                                   const CredentialSecret& cred, AssertionContext& ctx,
                                                   std::optional<std::size_t> count) {
    std::optional<cbor::Value> ext;
    if (ctx.hmac_salts && cred.hmac_secret) {
        auto cr = cred.cred_random(ctx.uv);
        if (!cr) return {ctap::kOther, {}};
        SecretBytes out;
        for (std::size_t off = 0; off < ctx.hmac_salts->size(); off += 32) {
            auto h = hmac_sha256(*cr, ByteView(*ctx.hmac_salts).subspan(off, 32));
            if (!h) return {ctap::kOther, {}};
            out.append(*h);
        }
        auto enc = PinProtocol(ctx.hmac_protocol).encrypt(ctx.hmac_shared.view(), out.view(), rng_);
        if (!enc) return {ctap::kOther, {}};
        ext = cbor::Value(cbor::Map{{"hmac-secret", std::move(*enc)}});
    }
    ++st_.counter;
    Bytes auth_data;
    Writer w(auth_data);
    w.bytes(sha256(as_bytes(ctx.rp_id)));
    w.u8(static_cast<std::uint8_t>(ctx.flags | (ext ? 0x80 : 0)));
    w.u32be(st_.counter);
    if (ext) {
        auto e = cbor::encode(*ext);
        if (!e) return {ctap::kOther, {}};
        w.bytes(*e);
    }
    Bytes signed_data = auth_data;
    signed_data.insert(signed_data.end(), ctx.client_data_hash.begin(), ctx.client_data_hash.end());
    auto key = cred.key();
    if (!key) return {ctap::kOther, {}};
    auto sig = sign(key->get(), cred.alg, signed_data);
    if (!sig) return {ctap::kOther, {}};
    if (auto s = persist(); s != 0) return {s, {}};

    cbor::Map resp{
        {1, cbor::Map{{"id", cbor::Value(cred_id)}, {"type", "public-key"}}},
        {2, std::move(auth_data)},
        {3, std::move(*sig)},
    };
    if (rc != nullptr) {
        cbor::Map user{{"id", cbor::Value(ByteView(rc->user_id))}};
        // Names identify the user, so they are only revealed after user verification (§6.2.2).
        if (ctx.uv) {
            if (!rc->user_name.empty()) user.push_back({"name", rc->user_name});
            if (!rc->display_name.empty()) user.push_back({"displayName", rc->display_name});
        }
        resp.push_back({4, std::move(user)});
    }
    if (count) resp.push_back({5, *count});
    return {0, cbor::Value(std::move(resp))};
}

}  // namespace mfa::softtoken

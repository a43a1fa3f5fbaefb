// authenticatorClientPIN (0x06), CTAP 2.1 §6.5.5.
#include "authenticator.hpp"

namespace mfa::softtoken {
namespace {

constexpr std::uint64_t kGetRetries = 1, kGetKeyAgreement = 2, kSetPin = 3, kChangePin = 4, kGetPinToken = 5,
                        kGetTokenUsingUv = 6, kGetUvRetries = 7, kGetTokenUsingPin = 9;

// paddedNewPin: the PIN, then zeros to 64 bytes. Returns the PIN length, or nullopt when the
// padding is malformed. The PIN must be 4..63 bytes and at least min_len code points.
std::optional<std::size_t> pin_length(const SecretBytes& padded) {
    if (padded.size() != 64) return std::nullopt;
    std::size_t n = 0;
    while (n < 64 && padded[n] != 0) ++n;
    for (std::size_t i = n; i < 64; ++i)
        if (padded[i] != 0) return std::nullopt;
    return n;
}

std::size_t code_points(ByteView utf8) {
    std::size_t n = 0;
    for (auto b : utf8)
        if ((b & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

Authenticator::Reply Authenticator::client_pin(const cbor::Value& req, Environment&) {
    auto sub = req.get_uint(2);
    if (!sub) return {cbor_status(sub.error()), {}};

    if (*sub == kGetRetries) return {0, cbor::Value(cbor::Map{{3, st_.pin_retries}, {4, false}})};
    if (*sub == kGetUvRetries) {
        if (!opt_.builtin_uv) return {ctap::kInvalidSubcommand, {}};
        return {0, cbor::Value(cbor::Map{{5, st_.uv_retries}})};
    }

    std::optional<PinProtocol> proto;
    if (auto s = protocol_from(req.find(1), proto); s != 0) return {s, {}};

    if (*sub == kGetKeyAgreement) {
        auto key = key_agreement_key(proto->version());
        if (!key) return {ctap::kOther, {}};
        auto cose_key = cose::key_to_cbor(*key, cose::Alg::ECDH_ES_HKDF_256);
        if (!cose_key) return {ctap::kOther, {}};
        return {0, cbor::Value(cbor::Map{{1, std::move(*cose_key)}})};
    }

    if (*sub == kGetTokenUsingUv) {
        if (!opt_.builtin_uv) return {ctap::kInvalidSubcommand, {}};
        const cbor::Value* ka = req.find(3);
        auto perms = req.get_uint(9);
        if (ka == nullptr || !perms) return {ctap::kMissingParameter, {}};
        if (*perms == 0 || *perms > 0xFF) return {ctap::kInvalidParameter, {}};
        if ((*perms & (ctap::kPermBe | ctap::kPermLbw | ctap::kPermAcfg)) != 0)
            return {ctap::kUnauthorizedPermission, {}};
        std::optional<std::string> rp;
        if (const cbor::Value* r = req.find(10)) {
            auto t = r->as_text("rpId");
            if (!t) return {cbor_status(t.error()), {}};
            rp = std::string(*t);
        }
        SecretBytes shared;
        if (auto s = shared_secret(*proto, *ka, shared); s != 0) return {s, {}};
        if (auto s = builtin_uv(); s != 0) return {s, {}};
        if (auto s = new_token(static_cast<std::uint8_t>(*perms), std::move(rp)); s != 0) return {s, {}};
        auto enc = proto->encrypt(shared.view(), token_.value.view(), rng_);
        if (!enc) return {ctap::kOther, {}};
        return {0, cbor::Value(cbor::Map{{2, std::move(*enc)}})};
    }

    if (*sub != kSetPin && *sub != kChangePin && *sub != kGetPinToken && *sub != kGetTokenUsingPin)
        return {ctap::kInvalidSubcommand, {}};

    const cbor::Value* ka = req.find(3);
    if (ka == nullptr) return {ctap::kMissingParameter, {}};
    SecretBytes shared;

    if (*sub == kSetPin || *sub == kChangePin) {
        auto auth = req.get_bytes(4);
        auto new_enc = req.get_bytes(5);
        if (!auth || !new_enc) return {cbor_status(!auth ? auth.error() : new_enc.error()), {}};
        Bytes msg(new_enc->begin(), new_enc->end());
        ByteView pin_hash_enc;
        if (*sub == kSetPin) {
            if (!st_.pin_hash.empty()) return {ctap::kNotAllowed, {}};
        } else {
            auto phe = req.get_bytes(6);
            if (!phe) return {cbor_status(phe.error()), {}};
            pin_hash_enc = *phe;
            msg.insert(msg.end(), phe->begin(), phe->end());
            if (st_.pin_hash.empty()) return {ctap::kPinNotSet, {}};
            if (st_.pin_retries == 0) return {ctap::kPinBlocked, {}};
        }
        if (auto s = shared_secret(*proto, *ka, shared); s != 0) return {s, {}};
        if (!proto->verify(shared.view(), msg, *auth)) return {ctap::kPinAuthInvalid, {}};
        if (*sub == kChangePin)
            if (auto s = verify_pin_hash(*proto, shared.view(), pin_hash_enc); s != 0) return {s, {}};
        auto padded = proto->decrypt(shared.view(), *new_enc);
        if (!padded) return {ctap::kPinPolicyViolation, {}};
        const auto len = pin_length(*padded);
        if (!len || *len < 4 || *len > 63 || code_points(padded->view().first(*len)) < st_.min_pin_length)
            return {ctap::kPinPolicyViolation, {}};
        const Hash h = sha256(padded->view().first(*len));
        st_.pin_hash = SecretBytes(ByteView(h).first(16));
        st_.pin_retries = opt_.max_pin_retries;
        consecutive_pin_failures_ = 0;
        token_ = Token{};  // a new PIN invalidates every token issued under the old one
        return {persist(), {}};
    }

    // getPinToken (CTAP 2.0 style, permissions mc|ga) or ...UsingPinWithPermissions.
    std::uint8_t perms = ctap::kPermMc | ctap::kPermGa;
    std::optional<std::string> rp;
    if (*sub == kGetTokenUsingPin) {
        auto p = req.get_uint(9);
        if (!p) return {cbor_status(p.error()), {}};
        if (*p == 0 || *p > 0xFF) return {ctap::kInvalidParameter, {}};
        if ((*p & (ctap::kPermBe | ctap::kPermLbw | ctap::kPermAcfg)) != 0) return {ctap::kUnauthorizedPermission, {}};
        perms = static_cast<std::uint8_t>(*p);
        if (const cbor::Value* r = req.find(10)) {
            auto t = r->as_text("rpId");
            if (!t) return {cbor_status(t.error()), {}};
            rp = std::string(*t);
        }
    } else if (req.contains(9) || req.contains(10)) {
        return {ctap::kInvalidParameter, {}};
    }
    auto phe = req.get_bytes(6);
    if (!phe) return {cbor_status(phe.error()), {}};
    if (st_.pin_hash.empty()) return {ctap::kPinNotSet, {}};
    if (st_.pin_retries == 0) return {ctap::kPinBlocked, {}};
    if (auto s = shared_secret(*proto, *ka, shared); s != 0) return {s, {}};
    if (auto s = verify_pin_hash(*proto, shared.view(), *phe); s != 0) return {s, {}};
    if (auto s = new_token(perms, std::move(rp)); s != 0) return {s, {}};
    auto enc = proto->encrypt(shared.view(), token_.value.view(), rng_);
    if (!enc) return {ctap::kOther, {}};
    return {0, cbor::Value(cbor::Map{{2, std::move(*enc)}})};
}

}  // namespace mfa::softtoken

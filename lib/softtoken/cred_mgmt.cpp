// authenticatorCredentialManagement (0x0A, and 0x41 as libfido2 1.12 sends it), CTAP 2.1 §6.8.
#include <algorithm>

#include "authenticator.hpp"

namespace mfa::softtoken {
namespace {
constexpr std::uint64_t kMetadata = 1, kRpBegin = 2, kRpNext = 3, kRkBegin = 4, kRkNext = 5, kDelete = 6,
                        kUpdateUser = 7;
}  // namespace

Authenticator::Reply Authenticator::cred_mgmt(const cbor::Value& req) {
    auto sub = req.get_uint(1);
    if (!sub) return {cbor_status(sub.error()), {}};
    const cbor::Value* params = req.find(2);
    if (params != nullptr && !params->is_map()) return {ctap::kCborUnexpectedType, {}};

    auto rp_entry = [](const std::string& rp_id, const std::string& rp_name) {
        cbor::Map rp{{"id", rp_id}};
        if (!rp_name.empty()) rp.push_back({"name", rp_name});
        return cbor::Map{{3, std::move(rp)}, {4, cbor::Value(ByteView(sha256(as_bytes(rp_id))))}};
    };
    auto cred_entry = [&](const ResidentCredential& c) -> Result<cbor::Map> {
        auto secret = unwrap_credential(st_.wrap_key.view(), sha256(as_bytes(c.rp_id)), c.credential_id);
        if (!secret) return Error(Errc::internal, "stored credential does not open");
        auto key = secret->key();
        if (!key) return std::move(key).error();
        auto cose_key = cose::key_to_cbor(key->get(), secret->alg);
        if (!cose_key) return std::move(cose_key).error();
        cbor::Map user{{"id", cbor::Value(ByteView(c.user_id))}};
        if (!c.user_name.empty()) user.push_back({"name", c.user_name});
        if (!c.display_name.empty()) user.push_back({"displayName", c.display_name});
        return cbor::Map{
            {6, std::move(user)},
            {7, cbor::Map{{"id", cbor::Value(ByteView(c.credential_id))}, {"type", "public-key"}}},
            {8, std::move(*cose_key)},
            {10, std::max<std::uint8_t>(secret->cred_protect, 1)},
        };
    };

    // The Next subcommands carry no authentication; they continue what a Begin started.
    if (*sub == kRpNext || *sub == kRkNext) {
        if (!credman_ || credman_->listing_creds != (*sub == kRkNext)) return {ctap::kNotAllowed, {}};
        CredMgmtContext& c = *credman_;
        if (*sub == kRpNext) {
            if (c.next >= c.rps.size()) return {ctap::kNotAllowed, {}};
            const std::string rp = c.rps[c.next++];
            std::string name;
            for (const auto& rc : st_.credentials)
                if (rc.rp_id == rp && !rc.rp_name.empty()) name = rc.rp_name;
            return {0, cbor::Value(rp_entry(rp, name))};
        }
        if (c.next >= c.creds.size()) return {ctap::kNotAllowed, {}};
        auto e = cred_entry(c.creds[c.next++]);
        if (!e) return {ctap::kOther, {}};
        return {0, cbor::Value(std::move(*e))};
    }
    if (*sub < kMetadata || *sub > kUpdateUser) return {ctap::kInvalidSubcommand, {}};

    const cbor::Value* auth = req.find(4);
    if (auth == nullptr) return {ctap::kPuatRequired, {}};
    std::optional<PinProtocol> proto;
    if (auto s = protocol_from(req.find(3), proto); s != 0) return {s, {}};
    // The MAC covers subCommand || subCommandParams as sent; strict decoding guarantees that
    // re-encoding yields the same bytes.
    Bytes msg{static_cast<std::uint8_t>(*sub)};
    if (params != nullptr) {
        auto enc = cbor::encode(*params);
        if (!enc) return {ctap::kInvalidCbor, {}};
        msg.insert(msg.end(), enc->begin(), enc->end());
    }
    ByteView rp_hash_param, cred_id_param;
    if (*sub == kRkBegin) {
        if (params == nullptr) return {ctap::kMissingParameter, {}};
        auto h = params->get_bytes(1);
        if (!h) return {cbor_status(h.error()), {}};
        if (h->size() != 32) return {ctap::kInvalidLength, {}};
        rp_hash_param = *h;
    }
    if (*sub == kDelete || *sub == kUpdateUser) {
        if (params == nullptr) return {ctap::kMissingParameter, {}};
        auto d = params->get_map_value(2);
        if (!d) return {cbor_status(d.error()), {}};
        if (auto s = read_descriptor_id(**d, cred_id_param); s != 0) return {s, {}};
    }
    if (token_.valid && token_.rp_id) {
        // An RP-bound token may only touch that RP's credentials.
        if (*sub == kMetadata || *sub == kRpBegin) return {ctap::kPinAuthInvalid, {}};
    }
    if (auto s = check_token(*auth, *proto, msg, ctap::kPermCm, std::nullopt); s != 0) return {s, {}};

    switch (*sub) {
    case kMetadata:
        return {0, cbor::Value(cbor::Map{{1, st_.credentials.size()},
                                         {2, kMaxResidentCredentials - st_.credentials.size()}})};
    case kRpBegin: {
        CredMgmtContext c;
        for (const auto& rc : st_.credentials)
            if (std::find(c.rps.begin(), c.rps.end(), rc.rp_id) == c.rps.end()) c.rps.push_back(rc.rp_id);
        if (c.rps.empty()) return {ctap::kNoCredentials, {}};
        std::string name;
        for (const auto& rc : st_.credentials)
            if (rc.rp_id == c.rps[0] && !rc.rp_name.empty()) name = rc.rp_name;
        cbor::Map m = rp_entry(c.rps[0], name);
        m.push_back({5, c.rps.size()});
        c.next = 1;
        credman_ = std::move(c);
        return {0, cbor::Value(std::move(m))};
    }
    case kRkBegin: {
        CredMgmtContext c;
        c.listing_creds = true;
        c.creds = residents_for(rp_hash_param);
        if (c.creds.empty()) return {ctap::kNoCredentials, {}};
        if (token_.rp_id && *token_.rp_id != c.creds[0].rp_id) return {ctap::kPinAuthInvalid, {}};
        auto e = cred_entry(c.creds[0]);
        if (!e) return {ctap::kOther, {}};
        e->push_back({9, c.creds.size()});
        c.next = 1;
        credman_ = std::move(c);
        return {0, cbor::Value(std::move(*e))};
    }
    case kDelete: {
        auto it = std::find_if(st_.credentials.begin(), st_.credentials.end(), [&](const ResidentCredential& c) {
            return std::equal(c.credential_id.begin(), c.credential_id.end(), cred_id_param.begin(), cred_id_param.end());
        });
        if (it == st_.credentials.end()) return {ctap::kNoCredentials, {}};
        if (token_.rp_id && *token_.rp_id != it->rp_id) return {ctap::kPinAuthInvalid, {}};
        st_.credentials.erase(it);
        return {persist(), {}};
    }
    case kUpdateUser: {
        auto user = params->get_map_value(3);
        if (!user) return {cbor_status(user.error()), {}};
        auto uid = (*user)->get_bytes("id");
        if (!uid) return {cbor_status(uid.error()), {}};
        auto it = std::find_if(st_.credentials.begin(), st_.credentials.end(), [&](const ResidentCredential& c) {
            return std::equal(c.credential_id.begin(), c.credential_id.end(), cred_id_param.begin(), cred_id_param.end());
        });
        if (it == st_.credentials.end()) return {ctap::kNoCredentials, {}};
        if (!std::equal(it->user_id.begin(), it->user_id.end(), uid->begin(), uid->end()))
            return {ctap::kInvalidParameter, {}};
        it->user_name.clear();
        it->display_name.clear();
        if (const cbor::Value* n = (*user)->find("name"))
            if (auto t = n->as_text("name")) it->user_name = std::string(*t).substr(0, 64);
        if (const cbor::Value* n = (*user)->find("displayName"))
            if (auto t = n->as_text("displayName")) it->display_name = std::string(*t).substr(0, 64);
        return {persist(), {}};
    }
    default: return {ctap::kInvalidSubcommand, {}};
    }
}

}  // namespace mfa::softtoken

// Authenticator data and attestation object: parse strictly, serialize for the soft token.
#include <algorithm>
#include <string>

#include "mfa/reader.hpp"
#include "mfa/webauthn/authdata.hpp"

namespace mfa::webauthn {
namespace {

Error truncated(std::string_view field, std::size_t offset) {
    return Error(Errc::authdata_truncated,
                 std::string(field) + ": authenticator data ends at offset " + std::to_string(offset));
}

// A CBOR error inside authData keeps its code; the detail says which part and where it starts.
Error in_field(const Error& e, std::string_view field, std::size_t offset) {
    return Error(e.code, std::string(field) + " (at authData offset " + std::to_string(offset) + "): " + e.detail);
}

Status check_extensions(const cbor::Value& ext) {
    if (!ext.is_map())
        return Error(Errc::authdata_extensions,
                     std::string("extensions: expected a map, got ") + std::string(cbor::type_name(ext.type())));
    for (const auto& e : ext.map_entries())
        if (e.key.type() != cbor::Type::text)
            return Error(Errc::authdata_extensions, "extensions: identifiers must be text strings");
    return {};
}

}  // namespace

Result<AuthenticatorData> parse_authenticator_data(ByteView data) {
    if (data.size() > kMaxAuthenticatorData)
        return Error(Errc::limit_exceeded, "authenticator data longer than " + std::to_string(kMaxAuthenticatorData) + " bytes");
    Reader r(data);
    AuthenticatorData ad;
    ByteView b;
    if (!r.get_bytes(32, b)) return truncated("rpIdHash", data.size());
    std::copy(b.begin(), b.end(), ad.rp_id_hash.begin());
    if (!r.get_u8(ad.flags)) return truncated("flags", data.size());
    if (!r.get_u32be(ad.sign_count)) return truncated("signCount", data.size());

    if (ad.flags & flag::AT) {
        AttestedCredentialData acd;
        if (r.empty()) return Error(Errc::authdata_flags, "AT flag set but no attested credential data follows");
        if (!r.get_bytes(16, b)) return truncated("aaguid", data.size());
        std::copy(b.begin(), b.end(), acd.aaguid.begin());
        std::uint16_t len = 0;
        if (!r.get_u16be(len)) return truncated("credentialIdLength", data.size());
        if (len > kMaxCredentialIdLength)
            return Error(Errc::authdata_credential_id,
                         "credentialIdLength " + std::to_string(len) + " exceeds 1023");
        if (!r.get_bytes(len, b)) return truncated("credentialId", data.size());
        acd.credential_id.assign(b.begin(), b.end());
        const std::size_t key_at = r.position();
        if (r.empty()) return truncated("credentialPublicKey", data.size());
        auto key = cbor::decode_from(r);
        if (!key) {
            if (key.code() == Errc::cbor_truncated) return truncated("credentialPublicKey", data.size());
            return in_field(key.error(), "credentialPublicKey", key_at);
        }
        if (!key->is_map())
            return Error(Errc::cbor_type, "credentialPublicKey: expected a map, got " +
                                              std::string(cbor::type_name(key->type())));
        const ByteView kb = data.subspan(key_at, r.position() - key_at);
        acd.public_key_cbor.assign(kb.begin(), kb.end());
        acd.public_key = std::move(*key);
        ad.attested = std::move(acd);
    }

    if (ad.flags & flag::ED) {
        const std::size_t ext_at = r.position();
        if (r.empty()) return Error(Errc::authdata_flags, "ED flag set but no extensions follow");
        auto ext = cbor::decode_from(r);
        if (!ext) {
            if (ext.code() == Errc::cbor_truncated) return truncated("extensions", data.size());
            return in_field(ext.error(), "extensions", ext_at);
        }
        MFA_TRY(check_extensions(*ext));
        ad.extensions = std::move(*ext);
    }

    if (!r.empty()) {
        if (!(ad.flags & (flag::AT | flag::ED)))
            return Error(Errc::authdata_flags, std::to_string(r.remaining()) +
                                                   " bytes after signCount but neither AT nor ED is set");
        if (!(ad.flags & flag::ED))
            return Error(Errc::authdata_flags, std::to_string(r.remaining()) +
                                                   " bytes after the attested credential data but ED is not set");
        return Error(Errc::authdata_trailing,
                     std::to_string(r.remaining()) + " bytes after the extensions at offset " + std::to_string(r.position()));
    }
    return ad;
}

Result<Bytes> serialize_authenticator_data(const AuthenticatorData& ad) {
    Bytes out;
    Writer w(out);
    w.bytes(ad.rp_id_hash);
    std::uint8_t flags = ad.flags & static_cast<std::uint8_t>(~(flag::AT | flag::ED));
    if (ad.attested) flags |= flag::AT;
    if (ad.extensions) flags |= flag::ED;
    w.u8(flags);
    w.u32be(ad.sign_count);
    if (ad.attested) {
        const auto& a = *ad.attested;
        if (a.credential_id.size() > kMaxCredentialIdLength)
            return Error(Errc::authdata_credential_id, "credential ID longer than 1023 bytes");
        w.bytes(a.aaguid);
        w.u16be(static_cast<std::uint16_t>(a.credential_id.size()));
        w.bytes(a.credential_id);
        if (!a.public_key_cbor.empty()) {
            w.bytes(a.public_key_cbor);
        } else {
            if (!a.public_key.is_map()) return Error(Errc::cbor_type, "credentialPublicKey: expected a map");
            MFA_TRY(cbor::encode_to(a.public_key, out));
        }
    }
    if (ad.extensions) {
        MFA_TRY(check_extensions(*ad.extensions));
        MFA_TRY(cbor::encode_to(*ad.extensions, out));
    }
    return out;
}

Result<AttestationObject> parse_attestation_object(ByteView data) {
    auto v = cbor::decode(data);
    if (!v) return std::move(v).error();
    if (!v->is_map())
        return Error(Errc::attestation_object_invalid,
                     std::string("expected a map, got ") + std::string(cbor::type_name(v->type())));
    for (const auto& e : v->map_entries()) {
        auto name = e.key.as_text();
        if (!name || (*name != "fmt" && *name != "attStmt" && *name != "authData"))
            return Error(Errc::attestation_object_invalid, "unexpected member (only fmt, attStmt, authData)");
    }
    AttestationObject out;
    auto fmt = v->get_text("fmt");
    if (!fmt) return Error(Errc::attestation_object_invalid, "fmt: " + fmt.error().detail);
    if (fmt->empty() || fmt->size() > 32)
        return Error(Errc::attestation_object_invalid, "fmt: must be 1..32 characters");
    out.fmt = std::string(*fmt);
    auto stmt = v->get_map_value("attStmt");
    if (!stmt) return Error(Errc::attestation_object_invalid, "attStmt: " + stmt.error().detail);
    out.att_stmt = **stmt;
    auto ad = v->get_bytes("authData");
    if (!ad) return Error(Errc::attestation_object_invalid, "authData: " + ad.error().detail);
    out.auth_data_raw.assign(ad->begin(), ad->end());
    auto parsed = parse_authenticator_data(out.auth_data_raw);
    if (!parsed) return std::move(parsed).error();
    if (!parsed->attested)
        return Error(Errc::authdata_flags, "authData in an attestation object must carry attested credential data (AT)");
    out.auth_data = std::move(*parsed);
    return out;
}

Result<Bytes> encode_attestation_object(std::string_view fmt, const cbor::Value& att_stmt, ByteView auth_data) {
    if (!att_stmt.is_map()) return Error(Errc::cbor_type, "attStmt: expected a map");
    if (fmt.empty() || fmt.size() > 32) return Error(Errc::invalid_argument, "fmt: must be 1..32 characters");
    return cbor::encode(cbor::Value(cbor::Map{
        {"fmt", fmt},
        {"attStmt", att_stmt},
        {"authData", auth_data},
    }));
}

}  // namespace mfa::webauthn

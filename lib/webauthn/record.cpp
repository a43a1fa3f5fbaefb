#include "mfa/webauthn/record.hpp"

#include <limits>
#include <set>
#include <string>

#include "json_strict.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/config.hpp"

namespace mfa::webauthn {
namespace {

using detail::Json;

constexpr std::size_t kMaxRecordJson = 64 * 1024;

Error rec_error(std::string msg) { return Error(Errc::webauthn_record, "credential record: " + std::move(msg)); }

Result<Bytes> b64url_member(const Json& o, const char* name, bool allow_empty) {
    auto s = detail::string_member(o, name, name, Errc::webauthn_record);
    if (!s) return rec_error(s.error().detail);
    auto b = base64_decode(*s, Base64Mode::url_strict);
    if (!b) return rec_error(std::string(name) + ": " + b.error().to_string());
    // Only the canonical encoding round-trips; anything else is not what to_json wrote.
    if (base64url_encode(*b) != *s) return rec_error(std::string(name) + " is not canonical base64url");
    if (!allow_empty && b->empty()) return rec_error(std::string(name) + " is empty");
    return b;
}

Result<bool> bool_member(const Json& o, const char* name) {
    auto it = o.find(name);
    if (it == o.end() || !it->is_boolean()) return rec_error(std::string(name) + " is missing or not a boolean");
    return it->get<bool>();
}

Result<std::int64_t> int_member(const Json& o, const char* name, std::int64_t lo, std::int64_t hi) {
    auto it = o.find(name);
    if (it == o.end() || !it->is_number_integer()) return rec_error(std::string(name) + " is missing or not an integer");
    std::int64_t v;
    if (it->is_number_unsigned()) {
        const auto u = it->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return rec_error(std::string(name) + " is out of range");
        v = static_cast<std::int64_t>(u);
    } else {
        v = it->get<std::int64_t>();
    }
    if (v < lo || v > hi) return rec_error(std::string(name) + " is out of range");
    return v;
}

Status only_members(const Json& o, std::initializer_list<const char*> names, const char* where) {
    for (auto it = o.begin(); it != o.end(); ++it) {
        bool known = false;
        for (const char* n : names) known = known || it.key() == n;
        if (!known) return rec_error(std::string("unknown member \"") + it.key().substr(0, 64) + "\" in " + where);
    }
    return {};
}

Result<std::array<std::uint8_t, 16>> parse_aaguid(std::string_view s) {
    std::array<std::uint8_t, 16> out{};
    if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return rec_error("aaguid is not in 8-4-4-4-12 form");
    std::string hex;
    for (char c : s)
        if (c != '-') hex.push_back(c);
    auto b = hex_decode(hex);
    if (!b || b->size() != 16) return rec_error("aaguid is not hexadecimal");
    std::copy(b->begin(), b->end(), out.begin());
    if (aaguid_string(out) != s) return rec_error("aaguid must be lower case");
    return out;
}

}  // namespace

std::string aaguid_string(const std::array<std::uint8_t, 16>& a) {
    const std::string h = hex_encode(ByteView(a.data(), a.size()));
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::string to_json(const CredentialRecord& r) {
    Json j = Json::object();
    j["version"] = 1;
    j["id"] = base64url_encode(r.id);
    j["publicKey"] = base64url_encode(r.public_key);
    j["alg"] = r.alg;
    j["signCount"] = r.sign_count;
    j["transports"] = r.transports;
    j["aaguid"] = aaguid_string(r.aaguid);
    j["backupEligible"] = r.backup_eligible;
    j["backupState"] = r.backup_state;
    j["uvInitialized"] = r.uv_initialized;
    if (!r.user_handle.empty()) j["userHandle"] = base64url_encode(r.user_handle);
    j["attestation"] = {{"fmt", r.attestation.fmt}, {"type", r.attestation.type}, {"trusted", r.attestation.trusted}};
    j["createdAt"] = r.created_at;
    return j.dump();
}

Result<CredentialRecord> record_from_json(std::string_view text) {
    auto root = json::parse_object(text, {.code = Errc::webauthn_record, .what = "credential record", .max_bytes = kMaxRecordJson});
    if (!root) return std::move(root).error();
    const Json& j = *root;
    MFA_TRY(only_members(j, {"version", "id", "publicKey", "alg", "signCount", "transports", "aaguid", "backupEligible",
                             "backupState", "uvInitialized", "userHandle", "attestation", "createdAt"},
                         "the record"));
    auto version = int_member(j, "version", 1, 1);
    if (!version) return rec_error("unsupported version (this library reads version 1)");
    CredentialRecord r;
    auto id = b64url_member(j, "id", false);
    if (!id) return std::move(id).error();
    if (id->size() > kMaxCredentialIdLength) return rec_error("id is longer than 1023 bytes");
    r.id = std::move(*id);
    auto pk = b64url_member(j, "publicKey", false);
    if (!pk) return std::move(pk).error();
    r.public_key = std::move(*pk);
    auto a = int_member(j, "alg", std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (!a) return std::move(a).error();
    r.alg = static_cast<int>(*a);
    if (!algorithm_supported(r.alg)) return rec_error("alg " + std::to_string(r.alg) + " is not supported");
    auto sc = int_member(j, "signCount", 0, std::numeric_limits<std::uint32_t>::max());
    if (!sc) return std::move(sc).error();
    r.sign_count = static_cast<std::uint32_t>(*sc);
    auto tr = j.find("transports");
    if (tr == j.end() || !tr->is_array() || tr->size() > 16) return rec_error("transports is missing or not an array");
    std::set<std::string> seen;
    for (const auto& t : *tr) {
        if (!t.is_string() || t.get_ref<const std::string&>().empty() || t.get_ref<const std::string&>().size() > 64)
            return rec_error("transports holds a non-string or an over-long entry");
        if (!seen.insert(t.get<std::string>()).second) return rec_error("transports holds a duplicate");
        r.transports.push_back(t.get<std::string>());
    }
    auto ag = detail::string_member(j, "aaguid", "aaguid", Errc::webauthn_record);
    if (!ag) return rec_error(ag.error().detail);
    auto aaguid = parse_aaguid(*ag);
    if (!aaguid) return std::move(aaguid).error();
    r.aaguid = *aaguid;
    auto be = bool_member(j, "backupEligible");
    if (!be) return std::move(be).error();
    auto bs = bool_member(j, "backupState");
    if (!bs) return std::move(bs).error();
    auto uvi = bool_member(j, "uvInitialized");
    if (!uvi) return std::move(uvi).error();
    r.backup_eligible = *be;
    r.backup_state = *bs;
    r.uv_initialized = *uvi;
    if (r.backup_state && !r.backup_eligible) return rec_error("backupState without backupEligible");
    if (j.contains("userHandle")) {
        auto uh = b64url_member(j, "userHandle", false);
        if (!uh) return std::move(uh).error();
        if (uh->size() > kMaxUserHandleLength) return rec_error("userHandle is longer than 64 bytes");
        r.user_handle = std::move(*uh);
    }
    auto at = j.find("attestation");
    if (at == j.end() || !at->is_object()) return rec_error("attestation is missing or not an object");
    MFA_TRY(only_members(*at, {"fmt", "type", "trusted"}, "attestation"));
    auto fmt = detail::string_member(*at, "fmt", "attestation.fmt", Errc::webauthn_record);
    if (!fmt) return rec_error(fmt.error().detail);
    auto ty = detail::string_member(*at, "type", "attestation.type", Errc::webauthn_record);
    if (!ty) return rec_error(ty.error().detail);
    auto trusted = bool_member(*at, "trusted");
    if (!trusted) return std::move(trusted).error();
    r.attestation = {std::string(*fmt), std::string(*ty), *trusted};
    auto created = int_member(j, "createdAt", 0, std::numeric_limits<std::int64_t>::max());
    if (!created) return std::move(created).error();
    r.created_at = *created;
    return r;
}

}  // namespace mfa::webauthn

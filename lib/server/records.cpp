#include "records.hpp"

#include "mfa/json.hpp"

namespace mfa::server::detail {
namespace {

using json = nlohmann::json;
constexpr std::size_t kMaxRecord = 64 * 1024;

Error corrupt(std::string_view what) { return Error{Errc::store_corrupt, std::string(what)}; }

// The strict reader (mfa/json.hpp): a member twice is corruption, never read last-wins.
Result<json> read_record(std::string_view text, std::string_view what) {
    return mfa::json::parse(text, {.code = Errc::store_corrupt, .what = what, .max_bytes = kMaxRecord});
}

// Exactly these keys, each present.
bool has_exactly(const json& j, std::initializer_list<const char*> keys) {
    if (!j.is_object() || j.size() != keys.size()) return false;
    for (const char* k : keys)
        if (!j.contains(k)) return false;
    return true;
}

}  // namespace

std::optional<HashAlg> hash_alg_from_name(std::string_view name) noexcept {
    for (const HashAlg a : {HashAlg::sha1, HashAlg::sha256, HashAlg::sha512})
        if (name == to_string(a)) return a;
    return std::nullopt;
}

std::string totp_record_json(const TotpRecord& r) {
    json j;
    j["v"] = 1;
    j["secret"] = r.secret;
    j["alg"] = std::string(to_string(r.algorithm));
    j["digits"] = r.digits;
    j["period"] = r.period;
    j["created"] = r.created;
    j["label"] = r.label;
    if (!r.hwtoken.empty()) {
        j["hwtoken"] = r.hwtoken;
        j["type"] = std::string(to_string(r.type));
        j["t0"] = r.t0;
        j["counter"] = r.counter;
    } else if (r.type == OtpType::hotp) {
        j["type"] = "hotp";
        j["counter"] = r.counter;
        j["look_ahead"] = r.look_ahead.value_or(kHotpLookAhead);
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<TotpRecord> parse_totp_record(std::string_view text) {
    if (text.size() > kMaxRecord) return corrupt("TOTP record larger than 64 KiB");
    auto parsed = read_record(text, "TOTP record");
    if (!parsed) return std::move(parsed).error();
    auto& j = *parsed;
    const bool hw = j.is_object() && j.contains("hwtoken");
    const bool hotp = !hw && j.is_object() && j.contains("look_ahead");
    if (!(hw     ? has_exactly(j, {"v", "secret", "alg", "digits", "period", "created", "label", "hwtoken", "type", "t0", "counter"})
          : hotp ? has_exactly(j, {"v", "secret", "alg", "digits", "period", "created", "label", "type", "counter", "look_ahead"})
                 : has_exactly(j, {"v", "secret", "alg", "digits", "period", "created", "label"})))
        return corrupt("TOTP record: expected v, secret, alg, digits, period, created, label "
                       "(and hwtoken, type, t0, counter for a hardware token; type, counter, look_ahead for imported HOTP)");
    if (!(j["v"].is_number_unsigned() && j["v"].get<unsigned>() == 1)) return corrupt("TOTP record: version");
    if (!j["secret"].is_string() || !j["alg"].is_string() || !j["label"].is_string() || !j["digits"].is_number_unsigned() ||
        !j["period"].is_number_unsigned() || !j["created"].is_number_integer())
        return corrupt("TOTP record: field types");
    TotpRecord r;
    r.secret = j["secret"].get<std::string>();
    const auto alg = hash_alg_from_name(j["alg"].get<std::string>());
    if (!alg) return corrupt("TOTP record: alg");
    r.algorithm = *alg;
    const auto digits = j["digits"].get<std::uint64_t>();
    const auto period = j["period"].get<std::uint64_t>();
    if (digits < kMinDigits || digits > kMaxDigits) return corrupt("TOTP record: digits");
    if (period < 1 || period > kMaxPeriod) return corrupt("TOTP record: period");
    r.digits = static_cast<unsigned>(digits);
    r.period = static_cast<std::uint32_t>(period);
    r.created = j["created"].get<std::int64_t>();
    r.label = j["label"].get<std::string>();
    if (hw) {
        if (!j["hwtoken"].is_string() || !j["type"].is_string() || !j["t0"].is_number_integer() ||
            !j["counter"].is_number_unsigned())
            return corrupt("TOTP record: hardware token field types");
        r.hwtoken = j["hwtoken"].get<std::string>();
        if (r.hwtoken.empty()) return corrupt("TOTP record: empty hwtoken");
        const auto type = j["type"].get<std::string>();
        if (type == "totp") r.type = OtpType::totp;
        else if (type == "hotp") r.type = OtpType::hotp;
        else return corrupt("TOTP record: type");
        r.t0 = j["t0"].get<std::int64_t>();
        r.counter = j["counter"].get<std::uint64_t>();
    }
    if (hotp) {
        if (!j["type"].is_string() || j["type"].get<std::string>() != "hotp") return corrupt("TOTP record: type of an imported HOTP secret");
        if (!j["counter"].is_number_unsigned() || !j["look_ahead"].is_number_unsigned()) return corrupt("TOTP record: HOTP field types");
        const auto look_ahead = j["look_ahead"].get<std::uint64_t>();
        if (look_ahead > kMaxLookAhead) return corrupt("TOTP record: look_ahead");
        r.type = OtpType::hotp;
        r.counter = j["counter"].get<std::uint64_t>();
        r.look_ahead = static_cast<unsigned>(look_ahead);
    }
    return r;
}

std::string token_record_json(const TokenRecord& r) {
    json j;
    j["v"] = 1;
    j["user"] = r.info.user;
    j["name"] = r.info.name;
    j["scopes"] = r.info.scopes;
    j["created"] = r.info.created;
    j["expires"] = r.info.expires;
    j["last_used"] = r.info.last_used;
    if (!r.info.last_ip.empty()) j["last_ip"] = r.info.last_ip;
    j["hash"] = r.hash;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<TokenRecord> parse_token_record(std::string_view text) {
    if (text.size() > kMaxRecord) return corrupt("token record larger than 64 KiB");
    auto parsed = read_record(text, "token record");
    if (!parsed) return std::move(parsed).error();
    auto& j = *parsed;
    if (!has_exactly(j, {"v", "user", "name", "scopes", "created", "expires", "last_used", "hash"}) &&
        !has_exactly(j, {"v", "user", "name", "scopes", "created", "expires", "last_used", "last_ip", "hash"}))
        return corrupt("token record: expected v, user, name, scopes, created, expires, last_used, (last_ip,) hash");
    if (j.contains("last_ip") && !j["last_ip"].is_string()) return corrupt("token record: last_ip");
    if (!(j["v"].is_number_unsigned() && j["v"].get<unsigned>() == 1)) return corrupt("token record: version");
    if (!j["user"].is_string() || !j["name"].is_string() || !j["hash"].is_string() || !j["scopes"].is_array() ||
        !j["created"].is_number_integer() || !j["expires"].is_number_integer() || !j["last_used"].is_number_integer())
        return corrupt("token record: field types");
    TokenRecord r;
    r.info.user = j["user"].get<std::string>();
    r.info.name = j["name"].get<std::string>();
    for (const auto& s : j["scopes"]) {
        if (!s.is_string()) return corrupt("token record: scopes");
        r.info.scopes.push_back(s.get<std::string>());
    }
    r.info.created = j["created"].get<std::int64_t>();
    r.info.expires = j["expires"].get<std::int64_t>();
    r.info.last_used = j["last_used"].get<std::int64_t>();
    if (j.contains("last_ip")) r.info.last_ip = j["last_ip"].get<std::string>();
    r.hash = j["hash"].get<std::string>();
    if (r.hash.size() != 64) return corrupt("token record: hash");
    return r;
}

std::string security_key_json(const SecurityKeyRecord& r) {
    json j;
    j["v"] = 1;
    j["name"] = r.name;
    j["last_used"] = r.last_used;
    if (r.discoverable) j["discoverable"] = *r.discoverable;
    j["record"] = std::move(mfa::json::parse(webauthn::to_json(r.record)).value());
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<SecurityKeyRecord> parse_security_key(std::string_view text) {
    if (text.size() > kMaxRecord) return corrupt("security key record larger than 64 KiB");
    auto parsed = read_record(text, "security key record");
    if (!parsed) return std::move(parsed).error();
    auto& j = *parsed;
    if (!(has_exactly(j, {"v", "name", "last_used", "record"}) ||
                              has_exactly(j, {"v", "name", "last_used", "record", "discoverable"})))
        return corrupt("security key record: expected v, name, last_used, record (and discoverable)");
    if (j.contains("discoverable") && !j["discoverable"].is_boolean()) return corrupt("security key record: discoverable");
    if (!(j["v"].is_number_unsigned() && j["v"].get<unsigned>() == 1)) return corrupt("security key record: version");
    if (!j["name"].is_string() || !j["last_used"].is_number_integer() || !j["record"].is_object())
        return corrupt("security key record: field types");
    SecurityKeyRecord r;
    r.name = j["name"].get<std::string>();
    r.last_used = j["last_used"].get<std::int64_t>();
    if (j.contains("discoverable")) r.discoverable = j["discoverable"].get<bool>();
    auto rec = webauthn::record_from_json(j["record"].dump());
    if (!rec) return corrupt("security key record: " + rec.error().detail);
    r.record = std::move(*rec);
    return r;
}

std::string challenge_json(const ChallengeRecord& r) {
    json j;
    j["v"] = 1;
    j["kind"] = r.registration ? "create" : "get";
    j["expires"] = r.expires;
    return j.dump();
}

Result<ChallengeRecord> parse_challenge(std::string_view text) {
    if (text.size() > kMaxRecord) return corrupt("challenge record larger than 64 KiB");
    auto parsed = read_record(text, "challenge record");
    if (!parsed) return std::move(parsed).error();
    auto& j = *parsed;
    if (!has_exactly(j, {"v", "kind", "expires"})) return corrupt("challenge record: expected v, kind, expires");
    if (!(j["v"].is_number_unsigned() && j["v"].get<unsigned>() == 1)) return corrupt("challenge record: version");
    if (!j["kind"].is_string() || !j["expires"].is_number_integer()) return corrupt("challenge record: field types");
    const auto kind = j["kind"].get<std::string>();
    if (kind != "create" && kind != "get") return corrupt("challenge record: kind");
    return ChallengeRecord{kind == "create", j["expires"].get<std::int64_t>()};
}

}  // namespace mfa::server::detail

#include "hwtoken_record.hpp"

#include "mfa/json.hpp"
#include "mfa/server/hwtoken_json.hpp"
#include "records.hpp"

namespace mfa::server::detail {
namespace {

using json = nlohmann::json;
constexpr std::size_t kMaxRecord = 64 * 1024;

Error corrupt(std::string_view what) { return Error{Errc::store_corrupt, "hardware token record: " + std::string(what)}; }

}  // namespace

std::string hwtoken_record_json(const HwTokenRecord& r) {
    const auto& i = r.info;
    json j;
    // A token of no organization keeps version 1, so that rewriting one (a rewrap) changes nothing.
    j["v"] = i.org.empty() ? 1 : 2;
    j["serial"] = i.serial;
    j["secret"] = r.secret;
    j["type"] = std::string(mfa::to_string(i.type));
    j["alg"] = std::string(mfa::to_string(i.algorithm));
    j["digits"] = i.digits;
    j["period"] = i.period;
    j["t0"] = i.t0;
    j["counter"] = i.counter;
    j["state"] = std::string(to_string(i.state));
    j["user"] = i.user;
    j["manufacturer"] = i.manufacturer;
    j["model"] = i.model;
    j["issuer"] = i.issuer;
    j["imported"] = i.imported;
    j["changed"] = i.changed;
    if (!i.org.empty()) j["org"] = i.org;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<HwTokenRecord> parse_hwtoken_record(std::string_view text) {
    if (text.size() > kMaxRecord) return corrupt("larger than 64 KiB");
    auto parsed = mfa::json::parse(text, {.code = Errc::store_corrupt, .what = "hardware token record", .max_bytes = kMaxRecord});
    if (!parsed) return std::move(parsed).error();
    const json& j = *parsed;
    static constexpr const char* kKeys[] = {"v", "serial", "secret", "type", "alg", "digits", "period", "t0",
                                            "counter", "state", "user", "manufacturer", "model", "issuer",
                                            "imported", "changed"};
    if (!j.is_object()) return corrupt("not an object");
    if (!j.contains("v") || !j["v"].is_number_unsigned()) return corrupt("v is not an unsigned integer");
    const auto version = j["v"].get<std::uint64_t>();
    if (version != 1 && version != 2) return corrupt("version");
    // Version 2 adds the organization; a version 1 record is one of no organization.
    const std::size_t members = std::size(kKeys) + (version == 2 ? 1 : 0);
    if (j.size() != members) return corrupt("expected exactly its " + std::to_string(members) + " members");
    for (const char* k : kKeys)
        if (!j.contains(k)) return corrupt(std::string("missing ") + k);
    if (version == 2 && (!j.contains("org") || !j["org"].is_string())) return corrupt("org is not a string");
    for (const char* k : {"serial", "secret", "type", "alg", "state", "user", "manufacturer", "model", "issuer"})
        if (!j[k].is_string()) return corrupt(std::string(k) + " is not a string");
    for (const char* k : {"digits", "period", "counter"})
        if (!j[k].is_number_unsigned()) return corrupt(std::string(k) + " is not an unsigned integer");
    for (const char* k : {"t0", "imported", "changed"})
        if (!j[k].is_number_integer()) return corrupt(std::string(k) + " is not an integer");
    HwTokenRecord r;
    auto& i = r.info;
    i.serial = j["serial"].get<std::string>();
    if (i.serial.empty()) return corrupt("empty serial");
    r.secret = j["secret"].get<std::string>();
    const auto type = j["type"].get<std::string>();
    if (type == "totp") i.type = OtpType::totp;
    else if (type == "hotp") i.type = OtpType::hotp;
    else return corrupt("type");
    const auto alg = hash_alg_from_name(j["alg"].get<std::string>());
    if (!alg) return corrupt("alg");
    i.algorithm = *alg;
    const auto digits = j["digits"].get<std::uint64_t>();
    const auto period = j["period"].get<std::uint64_t>();
    if (digits < kMinDigits || digits > kMaxDigits) return corrupt("digits");
    if (period < 1 || period > kMaxPeriod) return corrupt("period");
    i.digits = static_cast<unsigned>(digits);
    i.period = static_cast<std::uint32_t>(period);
    i.t0 = j["t0"].get<std::int64_t>();
    i.counter = j["counter"].get<std::uint64_t>();
    const auto state = j["state"].get<std::string>();
    if (state == "unassigned") i.state = HwTokenState::unassigned;
    else if (state == "assigned") i.state = HwTokenState::assigned;
    else if (state == "retired") i.state = HwTokenState::retired;
    else return corrupt("state");
    i.user = j["user"].get<std::string>();
    if ((i.state == HwTokenState::assigned) == i.user.empty()) return corrupt("user and state disagree");
    if ((i.state == HwTokenState::retired) != r.secret.empty()) return corrupt("secret and state disagree");
    i.manufacturer = j["manufacturer"].get<std::string>();
    i.model = j["model"].get<std::string>();
    i.issuer = j["issuer"].get<std::string>();
    i.imported = j["imported"].get<std::int64_t>();
    i.changed = j["changed"].get<std::int64_t>();
    if (version == 2) {
        i.org = j["org"].get<std::string>();
        if (i.org.empty()) return corrupt("empty org (version 1 is the record of no organization)");
    }
    return r;
}

}  // namespace mfa::server::detail

namespace mfa::server {

std::string hwtoken_info_json(const HwTokenInfo& t) {
    nlohmann::json j;
    j["serial"] = t.serial;
    j["type"] = std::string(mfa::to_string(t.type));
    j["algorithm"] = std::string(mfa::to_string(t.algorithm));
    j["digits"] = t.digits;
    j["period"] = t.period;
    j["counter"] = t.counter;
    j["state"] = std::string(to_string(t.state));
    j["user"] = t.user;
    j["manufacturer"] = t.manufacturer;
    j["model"] = t.model;
    j["issuer"] = t.issuer;
    j["imported"] = t.imported;
    j["changed"] = t.changed;
    j["org"] = t.org.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.org);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace mfa::server

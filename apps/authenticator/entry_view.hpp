// How vault entries are shown: one JSON object (never the secret) and a one-line summary.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "mfa/vault.hpp"

namespace mfa::app {

inline nlohmann::json entry_json(const VaultEntry& e) {
    const auto& p = e.account.params;
    nlohmann::json j{{"id", e.id},
                     {"issuer", e.account.issuer},
                     {"name", e.account.name},
                     {"type", std::string(to_string(p.type))},
                     {"algorithm", std::string(to_string(p.algorithm))},
                     {"digits", p.digits},
                     {"tags", e.tags},
                     {"note", e.note},
                     {"created", e.created},
                     {"updated", e.updated}};
    if (p.type == OtpType::hotp) j["counter"] = p.counter;
    else j["period"] = p.period;
    return j;
}

inline std::string entry_summary(const VaultEntry& e) {
    const auto& p = e.account.params;
    std::string s = e.id.substr(0, 8) + "  " + e.label() + "  (" + std::string(to_string(p.type));
    if (p.type != OtpType::steam) s += ", " + std::string(to_string(p.algorithm)) + ", " + std::to_string(p.digits) + " digits";
    if (p.type == OtpType::hotp) s += ", counter " + std::to_string(p.counter);
    else if (p.period != 30) s += ", " + std::to_string(p.period) + " s";
    s += ")";
    for (const auto& t : e.tags) s += " #" + t;
    return s;
}

}  // namespace mfa::app

// How vault entries are shown: one JSON object (never the secret) and a one-line summary.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "mfa/vault.hpp"
#include "mfa/vault_json.hpp"

namespace mfa::app {

// The JSON of an entry is the library's (mfa/vault_json.hpp), the same the C ABI prints.
inline nlohmann::json entry_json(const VaultEntry& e) { return vault_entry_json(e); }

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

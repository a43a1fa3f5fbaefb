#include "mfa/vault_json.hpp"

namespace mfa {

nlohmann::json vault_entry_json(const VaultEntry& e) {
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
    // Only the parameter the type uses: a TOTP account has no counter, an HOTP one no period.
    if (p.type == OtpType::hotp)
        j["counter"] = p.counter;
    else
        j["period"] = p.period;
    return j;
}

}  // namespace mfa

// Export: otpauth URI lists and plain Aegis JSON, built in wiped memory (SecretString).
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/vault_import.hpp"

namespace mfa {
namespace {

// A random RFC 4122 version 4 UUID, as Aegis writes them.
Result<std::string> uuid4() {
    std::uint8_t b[16];
    MFA_TRY(random_fill(b));
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
    const std::string h = hex_encode(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace

Result<SecretString> export_uri_list(const std::vector<const VaultEntry*>& entries) {
    SecretString out;
    for (const auto* e : entries) {
        auto uri = format_otpauth_uri(e->account);
        if (!uri) return Error(uri.code(), e->label() + ": " + uri.error().detail);
        out.append(uri->view());
        out.push_back('\n');
    }
    return out;
}

Result<SecretString> export_aegis_json(const std::vector<const VaultEntry*>& entries) {
    // Tags become Aegis groups (db version 3: a groups list, entries refer to them by uuid).
    std::vector<std::pair<std::string, std::string>> groups;   // name, uuid
    auto group_uuid = [&](const std::string& name) -> Result<std::string> {
        for (const auto& [n, u] : groups)
            if (n == name) return u;
        auto u = uuid4();
        if (!u) return u;
        groups.emplace_back(name, *u);
        return *u;
    };
    SecretString out;
    out.append("{\"version\":1,\"header\":{\"slots\":null,\"params\":null},\"db\":{\"version\":3,\"entries\":[");
    bool first = true;
    for (const auto* e : entries) {
        const auto& p = e->account.params;
        if (!first) out.push_back(',');
        first = false;
        auto uuid = uuid4();
        if (!uuid) return std::move(uuid).error();
        out.append("{\"type\":");
        append_json_string(out, p.type == OtpType::totp ? "totp" : p.type == OtpType::hotp ? "hotp" : "steam");
        out.append(",\"uuid\":");
        append_json_string(out, *uuid);
        out.append(",\"name\":");
        append_json_string(out, e->account.name);
        out.append(",\"issuer\":");
        append_json_string(out, e->account.issuer);
        out.append(",\"note\":");
        append_json_string(out, e->note);
        out.append(",\"favorite\":false,\"icon\":null,\"info\":{\"secret\":");
        const SecretString secret = base32_encode(e->account.secret.view());
        append_json_string(out, secret.view());
        out.append(",\"algo\":");
        append_json_string(out, to_string(p.algorithm));
        out.append(",\"digits\":" + std::to_string(p.type == OtpType::steam ? kSteamDigits : p.digits));
        if (p.type == OtpType::hotp) out.append(",\"counter\":" + std::to_string(p.counter));
        else out.append(",\"period\":" + std::to_string(p.period));
        out.append("},\"groups\":[");
        for (std::size_t i = 0; i < e->tags.size(); ++i) {
            auto u = group_uuid(e->tags[i]);
            if (!u) return std::move(u).error();
            if (i) out.push_back(',');
            append_json_string(out, *u);
        }
        out.append("]}");
    }
    out.append("],\"groups\":[");
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (i) out.push_back(',');
        out.append("{\"uuid\":");
        append_json_string(out, groups[i].second);
        out.append(",\"name\":");
        append_json_string(out, groups[i].first);
        out.append("}");
    }
    out.append("]}}\n");
    return out;
}

}  // namespace mfa

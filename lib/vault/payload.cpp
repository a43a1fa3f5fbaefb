#include "payload.hpp"

#include <unordered_set>

#include "mfa/encoding.hpp"
#include "mfa/reader.hpp"

namespace mfa::vault_detail {
namespace {

// Type and algorithm codes in the file; fixed here rather than taken from the enums' values.
std::uint8_t type_code(OtpType t) {
    switch (t) {
        case OtpType::totp: return 1;
        case OtpType::hotp: return 2;
        case OtpType::steam: return 3;
    }
    return 0;
}
std::uint8_t alg_code(HashAlg a) {
    switch (a) {
        case HashAlg::sha1: return 1;
        case HashAlg::sha256: return 2;
        case HashAlg::sha512: return 3;
    }
    return 0;
}

// Appends to a SecretBytes, which wipes its old buffer whenever it grows.
class SecretWriter {
public:
    explicit SecretWriter(SecretBytes& out) : o_(out) {}
    void u8(std::uint8_t v) { o_.push_back(v); }
    void u16(std::uint16_t v) { u8(static_cast<std::uint8_t>(v >> 8)); u8(static_cast<std::uint8_t>(v)); }
    void u32(std::uint32_t v) { u16(static_cast<std::uint16_t>(v >> 16)); u16(static_cast<std::uint16_t>(v)); }
    void u64(std::uint64_t v) { u32(static_cast<std::uint32_t>(v >> 32)); u32(static_cast<std::uint32_t>(v)); }
    void bytes16(ByteView b) { u16(static_cast<std::uint16_t>(b.size())); o_.append(b); }
    void str16(std::string_view s) { bytes16(as_bytes(s)); }

private:
    SecretBytes& o_;
};

class EntryReader {
public:
    EntryReader(Reader& r, std::size_t index) : r_(r), where_("entry " + std::to_string(index)) {}
    Error bad(std::string_view field) const {
        return Error(Errc::vault_payload, where_ + ": field " + std::string(field) + " at offset " +
                                              std::to_string(r_.position()));
    }
    bool str(std::string& out, std::size_t max) {
        std::uint16_t n = 0;
        ByteView v;
        if (!r_.get_u16be(n) || n > max || !r_.get_bytes(n, v)) return false;
        out.assign(as_chars(v));
        return true;
    }
    Reader& r_;
    std::string where_;
};

Result<VaultEntry> decode_entry(Reader& r, std::size_t index) {
    EntryReader er(r, index);
    VaultEntry e;
    ByteView id;
    if (!r.get_bytes(16, id)) return er.bad("id");
    e.id = hex_encode(id);
    std::uint8_t type = 0, alg = 0, digits = 0;
    std::uint32_t period = 0;
    std::uint64_t t0 = 0, counter = 0, created = 0, updated = 0;
    if (!r.get_u8(type)) return er.bad("type");
    switch (type) {
        case 1: e.account.params.type = OtpType::totp; break;
        case 2: e.account.params.type = OtpType::hotp; break;
        case 3: e.account.params.type = OtpType::steam; break;
        default: return er.bad("type");
    }
    if (!r.get_u8(alg)) return er.bad("algorithm");
    switch (alg) {
        case 1: e.account.params.algorithm = HashAlg::sha1; break;
        case 2: e.account.params.algorithm = HashAlg::sha256; break;
        case 3: e.account.params.algorithm = HashAlg::sha512; break;
        default: return er.bad("algorithm");
    }
    if (!r.get_u8(digits)) return er.bad("digits");
    if (!r.get_u32be(period)) return er.bad("period");
    if (!r.get_u64be(t0)) return er.bad("t0");
    if (!r.get_u64be(counter)) return er.bad("counter");
    if (!r.get_u64be(created)) return er.bad("created");
    if (!r.get_u64be(updated)) return er.bad("updated");
    e.account.params.digits = digits;
    e.account.params.period = period;
    e.account.params.t0 = static_cast<std::int64_t>(t0);
    e.account.params.counter = counter;
    e.created = static_cast<std::int64_t>(created);
    e.updated = static_cast<std::int64_t>(updated);
    if (!er.str(e.account.issuer, kVaultMaxText)) return er.bad("issuer");
    if (!er.str(e.account.name, kVaultMaxText)) return er.bad("name");
    std::uint16_t slen = 0;
    ByteView secret;
    if (!r.get_u16be(slen) || slen > kMaxSecretBytes || !r.get_bytes(slen, secret)) return er.bad("secret");
    e.account.secret = SecretBytes(secret);
    if (!er.str(e.note, kVaultMaxNote)) return er.bad("note");
    std::uint8_t ntags = 0;
    if (!r.get_u8(ntags) || ntags > kVaultMaxTags) return er.bad("tag count");
    for (std::size_t i = 0; i < ntags; ++i) {
        std::string t;
        if (!er.str(t, kVaultMaxText)) return er.bad("tags");
        e.tags.push_back(std::move(t));
    }
    std::uint8_t nextra = 0;
    if (!r.get_u8(nextra) || nextra > kVaultMaxExtra) return er.bad("extra count");
    for (std::size_t i = 0; i < nextra; ++i) {
        std::string k, v;
        if (!er.str(k, kVaultMaxText) || !er.str(v, kVaultMaxText)) return er.bad("extra");
        e.account.extra.emplace_back(std::move(k), std::move(v));
    }
    if (auto st = validate_entry(e); !st) return Error(Errc::vault_payload, er.where_ + ": " + st.error().detail);
    return e;
}

}  // namespace

SecretBytes encode_entries(const std::vector<VaultEntry>& entries) {
    SecretBytes out;
    SecretWriter w(out);
    w.u8(kPayloadVersion);
    w.u32(static_cast<std::uint32_t>(entries.size()));
    for (const auto& e : entries) {
        auto id = hex_decode(e.id);
        // validate_entry guarantees 32 hex digits for entries that reached the vault.
        if (id && id->size() == 16) out.append(*id);
        else out.append(Bytes(16, 0));
        const auto& p = e.account.params;
        w.u8(type_code(p.type));
        w.u8(alg_code(p.algorithm));
        w.u8(static_cast<std::uint8_t>(p.digits));
        w.u32(p.period);
        w.u64(static_cast<std::uint64_t>(p.t0));
        w.u64(p.counter);
        w.u64(static_cast<std::uint64_t>(e.created));
        w.u64(static_cast<std::uint64_t>(e.updated));
        w.str16(e.account.issuer);
        w.str16(e.account.name);
        w.bytes16(e.account.secret.view());
        w.str16(e.note);
        w.u8(static_cast<std::uint8_t>(e.tags.size()));
        for (const auto& t : e.tags) w.str16(t);
        w.u8(static_cast<std::uint8_t>(e.account.extra.size()));
        for (const auto& [k, v] : e.account.extra) {
            w.str16(k);
            w.str16(v);
        }
    }
    return out;
}

Result<std::vector<VaultEntry>> decode_entries(ByteView plaintext) {
    Reader r(plaintext);
    std::uint8_t version = 0;
    std::uint32_t count = 0;
    if (!r.get_u8(version)) return Error(Errc::vault_payload, "payload version missing");
    if (version != kPayloadVersion)
        return Error(Errc::vault_payload, "payload version " + std::to_string(version) + " unknown");
    if (!r.get_u32be(count)) return Error(Errc::vault_payload, "account count missing");
    if (count > kVaultMaxAccounts)
        return Error(Errc::vault_payload, "account count " + std::to_string(count) + " above the limit");
    std::vector<VaultEntry> out;
    out.reserve(count);
    std::unordered_set<std::string> ids;
    for (std::size_t i = 0; i < count; ++i) {
        auto e = decode_entry(r, i);
        if (!e) return std::move(e).error();
        if (!ids.insert(e->id).second) return Error(Errc::vault_payload, "entry " + std::to_string(i) + ": duplicate id");
        out.push_back(std::move(*e));
    }
    if (!r.empty()) return Error(Errc::vault_payload, std::to_string(r.remaining()) + " bytes after the last entry");
    return out;
}

}  // namespace mfa::vault_detail

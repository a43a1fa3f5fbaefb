#include "format.hpp"

#include <algorithm>

#include "mfa/reader.hpp"

namespace mfa::vault_detail {
namespace {

std::string at(std::size_t offset) { return " at offset " + std::to_string(offset); }

Error truncated(std::string_view what, std::size_t offset) {
    return Error(Errc::vault_truncated, "file ends inside " + std::string(what) + at(offset));
}

template <std::size_t N>
bool get_array(Reader& r, std::array<std::uint8_t, N>& out) {
    ByteView v;
    if (!r.get_bytes(N, v)) return false;
    std::copy(v.begin(), v.end(), out.begin());
    return true;
}

// Slot metadata: the part of the body before the nonce and the wrapped key.
void write_slot_metadata(Writer& w, const SlotRecord& s) {
    if (s.type == SlotType::passphrase) {
        w.u8(kKdfArgon2id);
        w.u32be(s.kdf.memory_kib);
        w.u32be(s.kdf.passes);
        w.u32be(s.kdf.lanes);
    } else {
        w.u8(static_cast<std::uint8_t>(s.rp_id.size()));
        w.bytes(as_bytes(s.rp_id));
        w.u16be(static_cast<std::uint16_t>(s.credential_id.size()));
        w.bytes(s.credential_id);
    }
    w.bytes(s.salt);
    w.u8(static_cast<std::uint8_t>(s.label.size()));
    w.bytes(as_bytes(s.label));
}

Bytes slot_body(const SlotRecord& s) {
    Bytes body;
    Writer w(body);
    write_slot_metadata(w, s);
    w.bytes(s.nonce);
    w.bytes(s.wrapped);
    return body;
}

// Parses one slot body (already bounded to its length); `where` names it in errors.
Result<SlotRecord> parse_slot_body(SlotType type, ByteView body, const std::string& where) {
    Reader r(body);
    SlotRecord s;
    s.type = type;
    auto bad = [&](std::string what) { return Error(Errc::vault_corrupt, where + ": " + what); };
    if (type == SlotType::passphrase) {
        std::uint8_t kdf = 0;
        if (!r.get_u8(kdf) || !r.get_u32be(s.kdf.memory_kib) || !r.get_u32be(s.kdf.passes) ||
            !r.get_u32be(s.kdf.lanes))
            return bad("body too short for the KDF parameters");
        if (kdf != kKdfArgon2id) return bad("unknown KDF " + std::to_string(kdf));
        if (auto st = check_kdf_params(s.kdf, true); !st)
            return Error(Errc::vault_kdf_params, where + ": " + st.error().detail);
    } else {
        std::uint8_t rp_len = 0;
        ByteView rp;
        if (!r.get_u8(rp_len) || rp_len == 0 || !r.get_bytes(rp_len, rp)) return bad("bad rp_id");
        s.rp_id.assign(as_chars(rp));
        std::uint16_t cred_len = 0;
        ByteView cred;
        if (!r.get_u16be(cred_len) || cred_len == 0 || cred_len > kVaultMaxCredentialId ||
            !r.get_bytes(cred_len, cred))
            return bad("bad credential_id");
        s.credential_id.assign(cred.begin(), cred.end());
    }
    if (!get_array(r, s.salt)) return bad("body too short for the salt");
    std::uint8_t label_len = 0;
    ByteView label;
    if (!r.get_u8(label_len) || label_len > kVaultMaxLabel || !r.get_bytes(label_len, label))
        return bad("bad label");
    s.label.assign(as_chars(label));
    if (!get_array(r, s.nonce) || !get_array(r, s.wrapped)) return bad("body too short for the wrapped key");
    if (!r.empty()) return bad(std::to_string(r.remaining()) + " unexpected bytes at the end of the body");
    return s;
}

}  // namespace

Bytes slot_aad(const SlotRecord& s) {
    static constexpr std::string_view kDomain = "mfa-vault-slot-v1";
    Bytes aad(kDomain.begin(), kDomain.end());
    Writer w(aad);
    w.u8(static_cast<std::uint8_t>(s.type));
    write_slot_metadata(w, s);
    return aad;
}

SlotInfo slot_info(const SlotRecord& s) {
    SlotInfo i;
    i.type = s.type;
    i.label = s.label;
    if (s.type == SlotType::passphrase) i.kdf = s.kdf;
    i.rp_id = s.rp_id;
    i.credential_id = s.credential_id;
    return i;
}

Bytes write_header(const Header& h) {
    Bytes out;
    Writer w(out);
    w.bytes(kMagic);
    w.u16be(h.version);
    w.u16be(0);   // flags: none defined
    w.bytes(h.vault_id);
    w.u64be(h.generation);
    w.u8(static_cast<std::uint8_t>(h.slots.size()));
    w.bytes(std::array<std::uint8_t, 3>{});   // reserved
    w.bytes(region_check(out));
    for (const auto& s : h.slots) {
        const std::size_t start = out.size();
        const Bytes body = slot_body(s);
        w.u8(static_cast<std::uint8_t>(s.type));
        w.u16be(static_cast<std::uint16_t>(body.size()));
        w.bytes(body);
        w.bytes(region_check(ByteView(out).subspan(start)));
    }
    const std::size_t start = out.size();
    w.bytes(h.payload_nonce);
    w.u32be(h.payload_len);
    w.bytes(region_check(ByteView(out).subspan(start)));
    return out;
}

Result<ParsedFile> parse_file(ByteView file) {
    if (file.size() > kVaultMaxFileBytes)
        return Error(Errc::limit_exceeded, "vault file larger than " + std::to_string(kVaultMaxFileBytes) + " bytes");
    Reader r(file);
    ParsedFile pf;
    Header& h = pf.header;

    // Fixed header. Fields with constrained values are checked one by one so the error names them;
    // the free-valued ones (vault_id, generation) are covered by the region check.
    std::array<std::uint8_t, 8> magic{};
    if (!get_array(r, magic)) {
        if (!std::equal(file.begin(), file.end(), kMagic.begin()))
            return Error(Errc::vault_not_a_vault, "header field magic: not \"MFAVAULT\"");
        return truncated("header field magic", r.position());
    }
    if (magic != kMagic) return Error(Errc::vault_not_a_vault, "header field magic: not \"MFAVAULT\"");
    if (!r.get_u16be(h.version)) return truncated("header field version", r.position());
    if (h.version != kFormatVersion)
        return Error(Errc::vault_version, "header field version: " + std::to_string(h.version) +
                                              " (this build reads version " + std::to_string(kFormatVersion) + ")");
    std::uint16_t flags = 0;
    if (!r.get_u16be(flags)) return truncated("header field flags", r.position());
    if (flags != 0) return Error(Errc::vault_corrupt, "header field flags: unknown flags " + std::to_string(flags) + at(10));
    if (!get_array(r, h.vault_id)) return truncated("header field vault_id", r.position());
    if (!r.get_u64be(h.generation)) return truncated("header field generation", r.position());
    std::uint8_t slot_count = 0;
    if (!r.get_u8(slot_count)) return truncated("header field slot_count", r.position());
    if (slot_count == 0 || slot_count > kVaultMaxSlots)
        return Error(Errc::vault_corrupt, "header field slot_count: " + std::to_string(slot_count) +
                                              " (1.." + std::to_string(kVaultMaxSlots) + ")" + at(36));
    std::array<std::uint8_t, 3> reserved{};
    if (!get_array(r, reserved)) return truncated("header field reserved", r.position());
    if (reserved != std::array<std::uint8_t, 3>{})
        return Error(Errc::vault_corrupt, "header field reserved: not zero" + at(37));
    std::array<std::uint8_t, kCheckBytes> check{};
    if (!get_array(r, check)) return truncated("header check", r.position());
    if (check != region_check(file.first(40)))
        return Error(Errc::vault_corrupt, "header check mismatch: vault_id or generation (offsets 12..35) corrupt");

    std::uint64_t kdf_work = 0;
    for (std::size_t i = 0; i < slot_count; ++i) {
        const std::string where = "slot " + std::to_string(i);
        const std::size_t start = r.position();
        std::uint8_t type = 0;
        std::uint16_t len = 0;
        ByteView body;
        if (!r.get_u8(type)) return truncated(where + " type", r.position());
        if (type != static_cast<std::uint8_t>(SlotType::passphrase) &&
            type != static_cast<std::uint8_t>(SlotType::security_key))
            return Error(Errc::vault_corrupt, where + ": unknown slot type " + std::to_string(type) + at(start));
        if (!r.get_u16be(len)) return truncated(where + " length", r.position());
        if (!r.get_bytes(len, body)) return truncated(where + " body", r.position());
        if (!get_array(r, check)) return truncated(where + " check", r.position());
        if (check != region_check(file.subspan(start, 3 + std::size_t{len})))
            return Error(Errc::vault_corrupt, where + ": check mismatch (slot bytes corrupt)" + at(start));
        auto slot = parse_slot_body(static_cast<SlotType>(type), body, where);
        if (!slot) return std::move(slot).error();
        h.slots.push_back(std::move(*slot));
        // What an open may spend trying the passphrase slots, bounded before any of it is spent.
        if (h.slots.back().type == SlotType::passphrase) {
            kdf_work += std::uint64_t{h.slots.back().kdf.memory_kib} * h.slots.back().kdf.passes;
            if (kdf_work > kVaultMaxKdfWork)
                return Error(Errc::vault_kdf_params, where + ".kdf: Argon2id memory * passes summed over the passphrase slots reaches " +
                                                         std::to_string(kdf_work) + " KiB, above the limit of " +
                                                         std::to_string(kVaultMaxKdfWork) + " per vault");
        }
    }

    const std::size_t pstart = r.position();
    if (!get_array(r, h.payload_nonce)) return truncated("payload nonce", r.position());
    if (!r.get_u32be(h.payload_len)) return truncated("payload length", r.position());
    if (!get_array(r, check)) return truncated("payload check", r.position());
    if (check != region_check(file.subspan(pstart, kNonceBytes + 4)))
        return Error(Errc::vault_corrupt, "payload header check mismatch: nonce or length corrupt" + at(pstart));
    if (h.payload_len < kTagBytes)
        return Error(Errc::vault_corrupt, "payload length " + std::to_string(h.payload_len) + " is shorter than the tag");
    pf.header_bytes = file.first(r.position());
    if (!r.get_bytes(h.payload_len, pf.ciphertext))
        return Error(Errc::vault_truncated, "ciphertext: " + std::to_string(r.remaining()) + " of " +
                                                std::to_string(h.payload_len) + " bytes present");
    if (!r.empty()) return Error(Errc::vault_corrupt, std::to_string(r.remaining()) + " bytes after the ciphertext");
    return pf;
}

}  // namespace mfa::vault_detail

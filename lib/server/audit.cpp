#include "mfa/server/audit.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include "mfa/json.hpp"

#include "mfa/encoding.hpp"

namespace mfa::server {
namespace {

using json = nlohmann::json;

// The chain under one hash tag of its own: the head and the records it names are in one Redis
// Cluster slot, so verification lists one node (a user tag never holds ':').
const std::string kHead = "mfa:audit:{:audit}:head";
const std::string kZeroHash(64, '0');

std::string rec_key(std::uint64_t n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(n));
    return "mfa:audit:{:audit}:rec:" + std::string(buf);
}

std::string sha256_hex(std::string_view s) {
    unsigned char md[32];
    unsigned int len = 0;
    if (EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
    return hex_encode({md, 32});
}

std::string clip(std::string s) {
    if (s.size() <= kMaxAuditField) return s;
    s.resize(kMaxAuditField - 3);
    // Do not leave half a UTF-8 sequence.
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
    return s + "\xE2\x80\xA6";
}

struct Head {
    std::uint64_t seq = 0;
    std::string hash = kZeroHash;
};

Result<Head> parse_head(const std::optional<Bytes>& v) {
    if (!v) return Head{};
    const std::string_view t = as_chars(*v);
    const auto sp = t.find(' ');
    auto n = sp == std::string_view::npos ? std::nullopt : store::parse_i64(t.substr(0, sp));
    if (!n || *n < 1 || t.size() - sp - 1 != 64) return Error{Errc::audit_record_invalid, "audit head '" + std::string(t) + "'"};
    return Head{static_cast<std::uint64_t>(*n), std::string(t.substr(sp + 1))};
}

}  // namespace

std::string utc_time(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (gmtime_r(&tt, &tm) == nullptr) return "invalid";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string audit_record_text(const AuditEvent& e, std::string_view prev) {
    json j;
    j["seq"] = e.seq;
    j["ts"] = e.time;
    j["time"] = utc_time(e.time);
    j["type"] = e.type;
    j["actor"] = e.actor;
    j["subject"] = e.subject;
    j["ip"] = e.source_ip;
    j["detail"] = e.detail;
    j["prev"] = std::string(prev);
    if (!e.orgs.empty()) j["orgs"] = e.orgs;
    // Keys sorted (nlohmann's object is a std::map), no spaces, invalid UTF-8 replaced: canonical.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<ParsedAuditRecord> parse_audit_record(std::string_view text) {
    if (text.size() > kMaxAuditRecord) return Error{Errc::audit_record_invalid, "record longer than 8 KiB"};
    auto parsed = mfa::json::parse_object(
        text, {.code = Errc::audit_record_invalid, .what = "audit record", .max_bytes = kMaxAuditRecord});
    if (!parsed) return std::move(parsed).error();
    json& j = *parsed;
    ParsedAuditRecord r;
    try {
        // Nine fields, and "orgs" (a non-empty array of strings) when the event belongs to organizations.
        const bool has_orgs = j.contains("orgs");
        if (j.size() != (has_orgs ? 10u : 9u)) return Error{Errc::audit_record_invalid, "expected exactly 9 fields (10 with orgs)"};
        if (has_orgs) {
            const auto& orgs = j.at("orgs");
            if (!orgs.is_array() || orgs.empty() || orgs.size() > kMaxAuditOrgs)
                return Error{Errc::audit_record_invalid, "orgs must be an array of 1..4 names"};
            for (const auto& o : orgs) {
                if (!o.is_string()) return Error{Errc::audit_record_invalid, "orgs must be strings"};
                r.event.orgs.push_back(o.get<std::string>());
            }
        }
        const auto& seq = j.at("seq");
        const auto& ts = j.at("ts");
        if (!seq.is_number_unsigned() || !ts.is_number_integer())
            return Error{Errc::audit_record_invalid, "seq and ts must be integers"};
        r.event.seq = seq.get<std::uint64_t>();
        r.event.time = ts.get<std::int64_t>();
        for (const char* k : {"time", "type", "actor", "subject", "ip", "detail", "prev"})
            if (!j.at(k).is_string()) return Error{Errc::audit_record_invalid, std::string(k) + " must be a string"};
        r.event.type = j["type"].get<std::string>();
        r.event.actor = j["actor"].get<std::string>();
        r.event.subject = j["subject"].get<std::string>();
        r.event.source_ip = j["ip"].get<std::string>();
        r.event.detail = j["detail"].get<std::string>();
        r.prev = j["prev"].get<std::string>();
    } catch (const json::exception& e) {
        return Error{Errc::audit_record_invalid, std::string("missing field: ") + e.what()};
    }
    if (r.prev.size() != 64 || !hex_decode(r.prev)) return Error{Errc::audit_record_invalid, "prev is not a SHA-256 hex"};
    // Only the canonical form is accepted: the hash covers these exact bytes.
    if (audit_record_text(r.event, r.prev) != text) return Error{Errc::audit_record_invalid, "not in canonical form"};
    return r;
}

Result<std::uint64_t> AuditLog::append(AuditEvent e) {
    e.type = clip(std::move(e.type));
    e.actor = clip(std::move(e.actor));
    e.subject = clip(std::move(e.subject));
    e.source_ip = clip(std::move(e.source_ip));
    e.detail = clip(std::move(e.detail));
    for (auto& o : e.orgs) o = clip(std::move(o));
    std::sort(e.orgs.begin(), e.orgs.end());
    e.orgs.erase(std::unique(e.orgs.begin(), e.orgs.end()), e.orgs.end());
    e.orgs.erase(std::remove(e.orgs.begin(), e.orgs.end(), std::string()), e.orgs.end());
    if (e.orgs.size() > kMaxAuditOrgs) return Error{Errc::invalid_argument, "an audit event belongs to at most 4 organizations"};
    for (const auto& o : e.orgs) MFA_TRY(audit_org_index_prefix(o));  // each must be indexable
    for (int round = 0; round < 1000; ++round) {
        auto head_raw = store_->get(kHead);
        if (!head_raw) return std::move(head_raw).error();
        auto head = parse_head(*head_raw);
        if (!head) return std::move(head).error();
        const std::uint64_t n = head->seq + 1;
        e.seq = n;
        const std::string text = audit_record_text(e, head->hash);
        auto created = store_->put_if_absent(rec_key(n), as_bytes(text));
        if (!created) return std::move(created).error();
        std::string hash;
        if (*created) {
            hash = sha256_hex(text);
        } else {
            // Another writer took n (or died before moving the head): help it finish, then retry.
            auto other = store_->get(rec_key(n));
            if (!other) return std::move(other).error();
            if (!other->has_value()) continue;
            hash = sha256_hex(as_chars(**other));
        }
        const std::string new_head = std::to_string(n) + " " + hash;
        std::optional<ByteView> expected;
        if (head_raw->has_value()) expected = ByteView(**head_raw);
        auto moved = store_->compare_and_set(kHead, expected, as_bytes(new_head));
        if (!moved) return std::move(moved).error();
        if (*created) {  // the head moved (by us or a helper): record n is ours
            MFA_TRY(index(e));
            return n;
        }
    }
    return Error{Errc::store_conflict, "audit append did not settle after 1000 rounds"};
}

std::string AuditVerification::anchor() const { return std::to_string(records) + ":" + head_hash; }

Result<AuditAnchor> parse_audit_anchor(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return Error{Errc::invalid_argument, "expected head: not <records>:<hash>"};
    auto n = store::parse_i64(text.substr(0, colon));
    if (!n || *n < 1) return Error{Errc::invalid_argument, "expected head: the record count must be a positive integer"};
    std::string hash(text.substr(colon + 1));
    for (char& c : hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (hash.size() != 64 || !hex_decode(hash))
        return Error{Errc::invalid_argument, "expected head: the hash must be 64 hex digits"};
    return AuditAnchor{static_cast<std::uint64_t>(*n), std::move(hash)};
}

Result<AuditVerification> AuditLog::verify(const std::optional<AuditAnchor>& expected) const {
    auto head_raw = store_->get(kHead);
    if (!head_raw) return std::move(head_raw).error();
    auto head = parse_head(*head_raw);
    if (!head) return std::move(head).error();
    // The record keys themselves: moving the head back or deleting it needs no hash, so the walk
    // from the head alone would not see what lies beyond it.
    const std::string prefix = rec_key(0).substr(0, rec_key(0).size() - 20);
    std::uint64_t count = 0;
    std::optional<std::uint64_t> beyond;  // the first record after head + 1
    std::string cursor;
    do {
        auto page = store_->scan(prefix, cursor);
        if (!page) return std::move(page).error();
        cursor = std::move(page->cursor);
        for (const auto& k : page->keys) {
            // Twenty digits, zero-padded (rec_key).
            std::uint64_t seq = 0;
            const char* first = k.data() + prefix.size();
            const char* last = k.data() + k.size();
            const auto [end, ec] = std::from_chars(first, last, seq);
            if (k.size() != prefix.size() + 20 || ec != std::errc{} || end != last || seq < 1)
                return Error{Errc::audit_chain_broken, "unexpected audit key '" + k.substr(0, 64) + "'"};
            ++count;
            if (seq > head->seq + 1 && (!beyond || seq < *beyond)) beyond = seq;
        }
    } while (!cursor.empty());
    if (!head_raw->has_value() && count > 0)
        return Error{Errc::audit_chain_broken, "the head is missing but " + std::to_string(count) + " record(s) exist"};
    if (beyond)
        return Error{Errc::audit_chain_broken, "record " + std::to_string(*beyond) + " lies past the head at record " +
                                                   std::to_string(head->seq) + " (the head was moved back)"};
    if (expected && expected->seq > head->seq)
        return Error{Errc::audit_head_mismatch, "the log has " + std::to_string(head->seq) +
                                                    " records, fewer than the expected head's " + std::to_string(expected->seq)};
    AuditVerification out;
    std::string prev = kZeroHash;
    for (std::uint64_t n = 1; n <= head->seq; ++n) {
        auto raw = store_->get(rec_key(n));
        if (!raw) return std::move(raw).error();
        const std::string where = "record " + std::to_string(n);
        if (!raw->has_value()) return Error{Errc::audit_chain_broken, where + " is missing"};
        const std::string_view text = as_chars(**raw);
        auto rec = parse_audit_record(text);
        if (!rec) return Error{Errc::audit_chain_broken, where + ": " + rec.error().detail};
        if (rec->event.seq != n) return Error{Errc::audit_chain_broken, where + " carries sequence number " + std::to_string(rec->event.seq)};
        if (rec->prev != prev) return Error{Errc::audit_chain_broken, where + " does not link to record " + std::to_string(n - 1) + " (altered or replaced)"};
        prev = sha256_hex(text);
        if (expected && expected->seq == n && prev != expected->hash)
            return Error{Errc::audit_head_mismatch, where + " does not hash to the expected head (the log was rewritten)"};
        ++out.records;
    }
    if (head->seq > 0 && prev != head->hash)
        return Error{Errc::audit_chain_broken, "the head does not match record " + std::to_string(head->seq) + " (altered)"};
    // Records after the head: a writer that died before moving it, or an inserted tail.
    auto after = store_->get(rec_key(head->seq + 1));
    if (!after) return std::move(after).error();
    if (after->has_value()) {
        auto rec = parse_audit_record(as_chars(**after));
        if (!rec || rec->prev != prev)
            return Error{Errc::audit_chain_broken, "record " + std::to_string(head->seq + 1) + " past the head does not link"};
    }
    out.head_hash = head->seq > 0 ? head->hash : "";
    return out;
}

Result<std::vector<AuditEvent>> AuditLog::read(std::uint64_t from, std::size_t count) const {
    std::vector<AuditEvent> out;
    if (from == 0) from = 1;
    for (std::uint64_t n = from; n < from + count; ++n) {
        auto raw = store_->get(rec_key(n));
        if (!raw) return std::move(raw).error();
        if (!raw->has_value()) break;
        auto rec = parse_audit_record(as_chars(**raw));
        if (!rec) return std::move(rec).error();
        out.push_back(std::move(rec->event));
    }
    return out;
}

}  // namespace mfa::server

namespace mfa::server {

Result<std::uint64_t> AuditLog::head() const {
    auto raw = store_->get(kHead);
    if (!raw) return std::move(raw).error();
    auto h = parse_head(*raw);
    if (!h) return std::move(h).error();
    return h->seq;
}

Result<std::optional<std::pair<AuditEvent, std::string>>> AuditLog::read_one(std::uint64_t seq) const {
    auto raw = store_->get(rec_key(seq));
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return std::optional<std::pair<AuditEvent, std::string>>{};
    std::string text(as_chars(**raw));
    auto rec = parse_audit_record(text);
    if (!rec) return std::move(rec).error();
    return std::optional<std::pair<AuditEvent, std::string>>{std::in_place, std::move(rec->event), std::move(text)};
}

}  // namespace mfa::server

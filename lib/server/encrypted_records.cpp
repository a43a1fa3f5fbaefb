#include "encrypted_records.hpp"

#include "hwtoken_record.hpp"
#include "records.hpp"
#include "toolkit_impl.hpp"

namespace mfa::server::detail {
namespace {

const std::string kPendingPrefix = "mfa:totp-pending:";

// A family of encrypted records: its prefix, and how to read and replace the secret of one.
struct Family {
    const std::string* prefix;
    bool rewrap;
    // The encrypted field of the record under `key`, and its GCM context; nullopt when it has none
    // (a retired token). Errors: store_corrupt.
    Result<std::optional<std::pair<std::string, std::string>>> (*field)(const std::string& key, std::string_view record);
    // The record with its field replaced.
    Result<std::string> (*replace)(std::string_view record, std::string field);
};

using Field = std::optional<std::pair<std::string, std::string>>;

Result<std::string> user_of(const std::string& key, const std::string& prefix) {
    // "<prefix>{<user key part>}" (toolkit_impl.hpp keys::tag)
    if (key.size() < prefix.size() + 3 || key[prefix.size()] != '{' || key.back() != '}')
        return Error{Errc::store_corrupt, "unexpected key '" + key.substr(0, 64) + "'"};
    return key.substr(prefix.size() + 1, key.size() - prefix.size() - 2);
}

Result<Field> totp_field(const std::string& key, std::string_view record, const std::string& prefix) {
    auto u = user_of(key, prefix);
    if (!u) return std::move(u).error();
    auto r = parse_totp_record(record);
    if (!r) return std::move(r).error();
    return Field{std::pair{r->secret, "totp:" + *u}};
}

const Family kFamilies[] = {
    {&keys::kTotpPrefix, true,
     [](const std::string& key, std::string_view record) { return totp_field(key, record, keys::kTotpPrefix); },
     [](std::string_view record, std::string field) -> Result<std::string> {
         auto r = parse_totp_record(record);
         if (!r) return std::move(r).error();
         r->secret = std::move(field);
         return totp_record_json(*r);
     }},
    {&kHwTokenPrefix, true,
     [](const std::string& key, std::string_view record) -> Result<Field> {
         auto r = parse_hwtoken_record(record);
         if (!r) return std::move(r).error();
         if (r->secret.empty()) return Field{};
         return Field{std::pair{r->secret, hwtoken_context(key.substr(kHwTokenPrefix.size()))}};
     },
     [](std::string_view record, std::string field) -> Result<std::string> {
         auto r = parse_hwtoken_record(record);
         if (!r) return std::move(r).error();
         r->secret = std::move(field);
         return hwtoken_record_json(*r);
     }},
    {&kPendingPrefix, false,
     [](const std::string& key, std::string_view record) { return totp_field(key, record, kPendingPrefix); }, nullptr},
};
constexpr std::size_t kFamilyCount = std::size(kFamilies);

// One encrypted record as read: its bytes, its field and context, the key id the field is under.
struct Entry {
    Bytes raw;
    std::string field, context;
    std::uint32_t key_id = 0;
};
// nullopt for a key gone meanwhile, or a record without a secret (a retired token).
Result<std::optional<Entry>> read_entry(store::Store& s, const Family& f, const std::string& key) {
    auto raw = s.get(key);
    if (!raw) return std::move(raw).error();
    if (!raw->has_value()) return std::optional<Entry>{};
    auto field = f.field(key, as_chars(**raw));
    if (!field) return std::move(field).error();
    if (!*field) return std::optional<Entry>{};
    auto id = KeyRing::field_key_id((*field)->first);
    if (!id) return std::move(id).error();
    return std::optional<Entry>{Entry{std::move(**raw), std::move((*field)->first), std::move((*field)->second), *id}};
}

}  // namespace

Result<std::set<std::uint32_t>> encrypted_key_ids(store::Store& s) {
    std::set<std::uint32_t> ids;
    for (const auto& f : kFamilies) {
        std::string cursor;
        do {
            auto page = s.scan(*f.prefix, cursor);
            if (!page) return std::move(page).error();
            cursor = std::move(page->cursor);
            for (const auto& key : page->keys) {
                auto e = read_entry(s, f, key);
                if (!e) return std::move(e).error();
                if (*e) ids.insert((*e)->key_id);
            }
        } while (!cursor.empty());
    }
    return ids;
}

Result<RewrapStep> rewrap_step(store::Store& s, const KeyRing& ring, std::string_view cursor, std::size_t limit) {
    if (limit == 0) return Error{Errc::invalid_argument, "a rewrap batch of 0 records"};
    std::size_t family = 0;
    std::string scan_cursor;
    if (!cursor.empty()) {
        const auto bar = cursor.find('|');
        auto f = store::parse_i64(cursor.substr(0, bar));
        if (bar == std::string_view::npos || !f || *f < 0 || static_cast<std::size_t>(*f) >= kFamilyCount)
            return Error{Errc::invalid_argument, "malformed rewrap cursor"};
        family = static_cast<std::size_t>(*f);
        scan_cursor = std::string(cursor.substr(bar + 1));
    }
    RewrapStep step;
    const std::uint32_t current = ring.current_id();
    while (family < kFamilyCount && step.examined < limit) {
        const Family& f = kFamilies[family];
        if (!f.rewrap) {
            ++family;
            scan_cursor.clear();
            continue;
        }
        auto page = s.scan(*f.prefix, scan_cursor, std::min(limit - step.examined, store::kMaxKeyPageSize));
        if (!page) return std::move(page).error();
        for (const auto& key : page->keys) {
            ++step.examined;
            auto e = read_entry(s, f, key);
            if (!e) return std::move(e).error();
            if (!*e || (*e)->key_id == current) continue;  // also a key a Redis SCAN returns twice
            auto secret = ring.decrypt((*e)->field, (*e)->context);
            if (!secret) return std::move(secret).error();
            auto enc = ring.encrypt(secret->view(), (*e)->context);
            if (!enc) return std::move(enc).error();
            auto updated = f.replace(as_chars((*e)->raw), std::move(*enc));
            if (!updated) return std::move(updated).error();
            // CAS: a record removed or replaced meanwhile is left alone (its writer used the current key).
            auto swapped = s.compare_and_set(key, ByteView((*e)->raw), as_bytes(*updated));
            if (!swapped) return std::move(swapped).error();
            if (*swapped) ++step.moved;
        }
        scan_cursor = std::move(page->cursor);
        if (scan_cursor.empty()) ++family;
    }
    if (family < kFamilyCount) step.cursor = std::to_string(family) + "|" + scan_cursor;
    return step;
}

}  // namespace mfa::server::detail

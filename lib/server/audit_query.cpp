// Reading the audit trail: queries newest first with a cursor, JSON-lines export, and the
// organization index that makes "this organization's events" a read of its own keys rather than a
// walk of the whole chain.
#include <algorithm>
#include <charconv>
#include <cstdio>

#include "mfa/encoding.hpp"
#include "mfa/server/audit.hpp"
#include "mfa/server/toolkit.hpp"

namespace mfa::server {
namespace {

std::string seq20(std::uint64_t n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(n));
    return buf;
}

bool type_matches(const std::string& want, const std::string& type) {
    if (want.empty()) return true;
    if (want.back() == '*') return type.compare(0, want.size() - 1, want, 0, want.size() - 1) == 0;
    return type == want;
}

bool matches(const AuditQuery& q, const AuditEvent& e) {
    if (!q.subject.empty() && e.subject != q.subject) return false;
    if (!q.actor.empty() && e.actor != q.actor) return false;
    if (!type_matches(q.type, e.type)) return false;
    if (q.since != 0 && e.time < q.since) return false;
    if (q.until != 0 && e.time >= q.until) return false;
    // An index entry only points at a record: the record itself must name the organization.
    if (!q.org.empty() && std::find(e.orgs.begin(), e.orgs.end(), q.org) == e.orgs.end()) return false;
    return true;
}

Status check_query(const AuditQuery& q, bool paged) {
    if (paged && (q.limit < 1 || q.limit > kMaxAuditPage)) return {Errc::invalid_argument, "limit must be 1..1000"};
    if (q.since < 0 || q.until < 0) return {Errc::invalid_argument, "since and until are Unix times (0 = unbounded)"};
    for (const auto* f : {&q.org, &q.subject, &q.actor, &q.type})
        if (f->size() > kMaxAuditField) return {Errc::invalid_argument, "a query field is longer than 1024 bytes"};
    if (!q.org.empty()) MFA_TRY(audit_org_index_prefix(q.org));
    return {};
}

}  // namespace

Status validate_app_event_type(std::string_view t) {
    constexpr std::string_view kNs = "app.";
    if (t.size() <= kNs.size() || t.substr(0, kNs.size()) != kNs)
        return {Errc::audit_event_invalid, "an application event type starts with 'app.' (e.g. app.role_changed)"};
    const std::string_view name = t.substr(kNs.size());
    if (name.size() > 120) return {Errc::audit_event_invalid, "an application event name is 1..120 characters after 'app.'"};
    char prev = '.';
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return {Errc::audit_event_invalid, "event type '" + std::string(t.substr(0, 64)) + "' has a character outside [a-z0-9_.-]"};
        if (c == '.' && prev == '.') return {Errc::audit_event_invalid, "event type '" + std::string(t.substr(0, 64)) + "' has an empty segment"};
        prev = c;
    }
    if (prev == '.') return {Errc::audit_event_invalid, "event type '" + std::string(t.substr(0, 64)) + "' ends with '.'"};
    return {};
}

Result<std::string> audit_org_index_prefix(std::string_view org) {
    auto o = user_key_part(org);
    if (!o) return Error{Errc::invalid_argument, "organization name must be 1..256 bytes"};
    return "mfa:audit:{:audit}:org:" + *o + ":";
}

Status AuditLog::index(const AuditEvent& e) const {
    for (const auto& org : e.orgs) {
        auto prefix = audit_org_index_prefix(org);
        if (!prefix) return std::move(prefix).error();
        MFA_TRY(store_->put(*prefix + seq20(e.seq), ByteView{}));
    }
    return {};
}

Result<std::vector<std::uint64_t>> AuditLog::org_seqs(const std::string& org) const {
    auto prefix = audit_org_index_prefix(org);
    if (!prefix) return std::move(prefix).error();
    std::vector<std::uint64_t> out;
    std::string cursor;
    do {  // every entry: Redis SCAN returns them in any order (and maybe twice), so sort and dedupe
        auto page = store_->scan(*prefix, cursor);
        if (!page) return std::move(page).error();
        cursor = std::move(page->cursor);
        for (const auto& k : page->keys) {
            std::uint64_t seq = 0;
            const char* first = k.data() + prefix->size();
            const char* last = k.data() + k.size();
            const auto [end, ec] = std::from_chars(first, last, seq);
            if (k.size() != prefix->size() + 20 || ec != std::errc{} || end != last || seq < 1)
                return Error{Errc::store_corrupt, "unexpected audit index key '" + k.substr(0, 96) + "'"};
            out.push_back(seq);
        }
        if (out.size() > store::kMaxListKeys * 10)
            return Error{Errc::limit_exceeded, "organization '" + org.substr(0, 64) + "' has more than 1000000 audit records"};
    } while (!cursor.empty());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<AuditPage> AuditLog::query(const AuditQuery& q) const {
    MFA_TRY(check_query(q, true));
    auto top = head();
    if (!top) return std::move(top).error();
    std::uint64_t start = *top;  // the newest record to look at
    if (!q.cursor.empty()) {
        auto c = store::parse_i64(q.cursor);
        if (!c || *c < 1) return Error{Errc::invalid_argument, "cursor '" + q.cursor.substr(0, 32) + "' is not one a page returned"};
        start = std::min<std::uint64_t>(start, static_cast<std::uint64_t>(*c) - 1);
    }
    AuditPage page;
    // Returns false to stop: a full page, or a record older than the range (minus the clock skew).
    auto take = [&](std::uint64_t seq, bool more_below) -> Result<bool> {
        auto rec = read_one(seq);
        if (!rec) return std::move(rec).error();
        if (!rec->has_value()) return true;  // a hole: `audit verify` reports it
        const AuditEvent& e = (*rec)->first;
        if (q.since != 0 && e.time < q.since - kAuditClockSkew) return false;
        if (!matches(q, e)) return true;
        page.events.push_back(e);
        if (page.events.size() < q.limit) return true;
        if (more_below) page.next_cursor = std::to_string(seq);
        return false;
    };
    if (!q.org.empty()) {
        auto seqs = org_seqs(q.org);
        if (!seqs) return std::move(seqs).error();
        auto it = std::upper_bound(seqs->begin(), seqs->end(), start);
        while (it != seqs->begin()) {
            --it;
            auto go = take(*it, it != seqs->begin());
            if (!go) return std::move(go).error();
            if (!*go) break;
        }
        return page;
    }
    std::size_t examined = 0;
    for (std::uint64_t n = start; n >= 1; --n) {
        if (examined++ == kMaxAuditScan) {  // bounded work a page: continue from here
            page.next_cursor = std::to_string(n + 1);
            break;
        }
        auto go = take(n, n > 1);
        if (!go) return std::move(go).error();
        if (!*go) break;
    }
    return page;
}

Status AuditLog::export_lines(const AuditQuery& q, const std::function<Status(std::string_view)>& sink) const {
    MFA_TRY(check_query(q, false));
    auto top = head();
    if (!top) return std::move(top).error();
    auto emit = [&](std::uint64_t seq) -> Result<bool> {
        auto rec = read_one(seq);
        if (!rec) return std::move(rec).error();
        if (!rec->has_value()) return true;
        if (q.until != 0 && (*rec)->first.time >= q.until + kAuditClockSkew) return false;
        if (!matches(q, (*rec)->first)) return true;
        MFA_TRY(sink((*rec)->second));
        return true;
    };
    std::vector<std::uint64_t> seqs;
    if (!q.org.empty()) {
        auto s = org_seqs(q.org);
        if (!s) return std::move(s).error();
        seqs = std::move(*s);
        for (auto seq : seqs) {
            if (seq > *top) break;
            auto go = emit(seq);
            if (!go) return std::move(go).error();
            if (!*go) break;
        }
        return {};
    }
    for (std::uint64_t n = 1; n <= *top; ++n) {
        auto go = emit(n);
        if (!go) return std::move(go).error();
        if (!*go) break;
    }
    return {};
}

Result<std::size_t> AuditLog::reindex() const {
    auto top = head();
    if (!top) return std::move(top).error();
    std::size_t added = 0;
    for (std::uint64_t n = 1; n <= *top; ++n) {
        auto rec = read_one(n);
        if (!rec) return std::move(rec).error();
        if (!rec->has_value()) continue;
        for (const auto& org : (*rec)->first.orgs) {
            auto prefix = audit_org_index_prefix(org);
            if (!prefix) return std::move(prefix).error();
            auto created = store_->put_if_absent(*prefix + seq20(n), ByteView{});
            if (!created) return std::move(created).error();
            added += *created ? 1 : 0;
        }
    }
    return added;
}

}  // namespace mfa::server

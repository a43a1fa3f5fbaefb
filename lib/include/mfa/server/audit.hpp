// The audit trail: append-only records in the store, linked by a SHA-256 hash chain.
//
// Record n is canonical JSON holding its sequence number, UTC time, event type, actor, subject,
// source IP, detail, the organizations it belongs to (`orgs`, when any) and `prev`, the hash of record n−1 (64 zeros for the first). Its hash is
// SHA-256 of that text. The head key holds "<n> <hash of n>". verify() walks 1..n and reports the
// first record that is missing, altered or out of order, and a head that does not match the last
// record (a removed tail), a missing head and records past it (a head moved back). Appending is lock-free over set-if-absent and compare-and-set, so any
// number of processes can append; a writer that died between its two steps is completed by the next.
//
// Keys: mfa:audit:{:audit}:head, mfa:audit:{:audit}:rec:<n, 20 digits> (one Redis Cluster slot), and
// the organization index mfa:audit:{:audit}:org:<org>:<n, 20 digits> (empty values, written after
// the record; not part of the chain: a forged entry only points at a record, which is verified).
// An attacker who can rewrite the whole store can rewrite the whole chain: record the anchor (`mfa server audit verify` prints it) somewhere
// else and verify against it (`--expect-head`, mfa_server_audit_verify_expect; docs/server.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/error.hpp"
#include "mfa/store.hpp"

namespace mfa::server {

struct AuditEvent {
    std::uint64_t seq = 0;        // set by append
    std::int64_t time = 0;        // Unix seconds, UTC
    std::string type;             // "totp.enrolled", "totp.failed", "lockout", ... (docs/server.md)
    std::string actor;            // who did it (the user, an operator, "system")
    std::string subject;          // the account concerned
    std::string source_ip;
    std::string detail;
    // The organizations the event belongs to (sorted, unique, at most kMaxAuditOrgs): the one the
    // request was made in and those the subject and the actor were members of when it was
    // appended. In the record as "orgs" only when not empty (records before it have none).
    std::vector<std::string> orgs;
};
inline constexpr std::size_t kMaxAuditOrgs = 4;

inline constexpr std::size_t kMaxAuditField = 1024;
inline constexpr std::size_t kMaxAuditRecord = 8192;

// ISO 8601 UTC, "2024-05-01T12:00:00Z".
std::string utc_time(std::int64_t unix_time);

// Canonical record text (what is hashed) and its parser (fuzzed: fuzz_audit_record).
std::string audit_record_text(const AuditEvent& e, std::string_view prev_hash_hex);
struct ParsedAuditRecord {
    AuditEvent event;
    std::string prev;  // hex
};
Result<ParsedAuditRecord> parse_audit_record(std::string_view text);

struct AuditVerification {
    std::uint64_t records = 0;     // records checked
    std::string head_hash;         // hex hash of the last record ("" when the log is empty)
    // "<records>:<head_hash>": what to record outside the store and pass back as the expected head.
    std::string anchor() const;
};

// A head recorded outside the store: record `seq` must still exist and hash to `hash`.
struct AuditAnchor {
    std::uint64_t seq = 0;
    std::string hash;  // 64 lower-case hex digits
};
// "<seq>:<64 hex digits>" (AuditVerification::anchor()); invalid_argument naming what is wrong.
Result<AuditAnchor> parse_audit_anchor(std::string_view text);

// A query of the trail (AuditLog::query): every non-empty field must match. `type` is an exact
// event type, or a prefix ending in '*' ("app.*", "totp.*"). since / until: Unix times, the record
// time in [since, until); 0 = unbounded.
struct AuditQuery {
    std::string org;
    std::string subject;
    std::string actor;
    std::string type;
    std::int64_t since = 0;
    std::int64_t until = 0;
    std::size_t limit = 50;   // 1..kMaxAuditPage
    std::string cursor;       // "" = from the newest record; else a next_cursor from a page before
};
inline constexpr std::size_t kMaxAuditPage = 1000;
// Records examined for one page without an org filter (walking back from the cursor): a page may
// hold fewer than `limit` events and still have a next_cursor.
inline constexpr std::size_t kMaxAuditScan = 20000;
// Walking back, the time range stops at a record this much older than `since`: writers' clocks may
// differ by up to this much.
inline constexpr std::int64_t kAuditClockSkew = 300;
struct AuditPage {
    std::vector<AuditEvent> events;   // newest first
    std::string next_cursor;          // "" when nothing older matches
};
// An application event type: "app." then 1..120 of [a-z0-9_.-] (no empty segment), e.g.
// "app.role_changed". Errors: audit_event_invalid.
Status validate_app_event_type(std::string_view type);
// The store key prefix of an organization's index (one key a record: <prefix><seq, 20 digits>).
Result<std::string> audit_org_index_prefix(std::string_view org);

class AuditLog {
public:
    explicit AuditLog(std::shared_ptr<store::Store> s) : store_(std::move(s)) {}
    // Appends and returns the sequence number. Fields longer than kMaxAuditField are cut (with "…").
    Result<std::uint64_t> append(AuditEvent e);
    // Walks the chain and lists the record keys: a missing head while records exist and records
    // past the head (beyond the one a writer that died may leave) are audit_chain_broken too. With
    // `expected`, the chain must contain that record with that hash (audit_head_mismatch if not),
    // which also catches a rewrite of the whole store. Errors: audit_chain_broken (the detail names
    // the record and what is wrong), audit_head_mismatch, audit_record_invalid.
    Result<AuditVerification> verify(const std::optional<AuditAnchor>& expected = std::nullopt) const;
    // Records from..from+count-1 (fewer at the end).
    Result<std::vector<AuditEvent>> read(std::uint64_t from, std::size_t count) const;

    // --- Reading the trail (audit_query.cpp) -------------------------------------------------------
    // The last record's sequence number (0 for an empty log).
    Result<std::uint64_t> head() const;
    // Newest first, `limit` events a page; next_cursor continues below the last record examined.
    // Errors: invalid_argument (a field out of range, a cursor that does not parse).
    Result<AuditPage> query(const AuditQuery& q) const;
    // The records the query selects, oldest first, each as its canonical text (what the chain
    // hashes), one JSON object a line; `limit` and `cursor` are ignored. The sink may stop the walk
    // by returning an error, which export_lines returns.
    Status export_lines(const AuditQuery& q, const std::function<Status(std::string_view line)>& sink) const;
    // Adds the organization index entries of every record (a writer that died between appending a
    // record and indexing it leaves the record out of org queries until this runs); returns how
    // many entries were missing.
    Result<std::size_t> reindex() const;

private:
    Status index(const AuditEvent& e) const;
    Result<std::vector<std::uint64_t>> org_seqs(const std::string& org) const;
    // The record and its canonical text; nullopt when it does not exist.
    Result<std::optional<std::pair<AuditEvent, std::string>>> read_one(std::uint64_t seq) const;

    std::shared_ptr<store::Store> store_;
};

}  // namespace mfa::server

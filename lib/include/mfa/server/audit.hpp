// The audit trail: append-only records in the store, linked by a SHA-256 hash chain.
//
// Record n is canonical JSON holding its sequence number, UTC time, event type, actor, subject,
// source IP, detail and `prev`, the hash of record n−1 (64 zeros for the first). Its hash is
// SHA-256 of that text. The head key holds "<n> <hash of n>". verify() walks 1..n and reports the
// first record that is missing, altered or out of order, and a head that does not match the last
// record (a removed tail), a missing head and records past it (a head moved back). Appending is lock-free over set-if-absent and compare-and-set, so any
// number of processes can append; a writer that died between its two steps is completed by the next.
//
// Keys: mfa:audit:{:audit}:head, mfa:audit:{:audit}:rec:<n, 20 digits> (one Redis Cluster slot).
// An attacker who can rewrite the whole store can rewrite the whole chain: record the anchor (`mfa server audit verify` prints it) somewhere
// else and verify against it (`--expect-head`, mfa_server_audit_verify_expect; docs/server.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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
};

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

private:
    std::shared_ptr<store::Store> store_;
};

}  // namespace mfa::server

// Redis Cluster routing, apart from the connections so that it can be tested and fuzzed alone:
// the key → slot map (CRC16 of the hash tag), the slot table from CLUSTER SLOTS, MOVED/ASK
// redirects, and Sentinel's master address. Every parser takes what a server sent and refuses
// (nullopt or an error naming the part) anything it does not understand.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfa/error.hpp"

namespace mfa::store::routing {

inline constexpr std::uint16_t kSlots = 16384;

// CRC16-CCITT (XModem), the cluster's key hash.
// The most elements one array of a reply may announce. hiredis allocates an array's element table
// from its header, before a byte of the elements arrives, so "*2000000000\r\n" from a hostile or
// broken server would ask for 16 GB (fuzz_redis_routing found it). Our replies stay far below:
// a SCAN page, a CLUSTER SLOTS table of at most 16384 ranges, a script's few values.
inline constexpr int kMaxReplyElements = 1 << 16;
// Makes reader refuse (as a protocol error) any array larger than kMaxReplyElements. Call it on
// every reader: redisReaderCreate's, and each redisContext's.
void limit_reply_arrays(redisReader* reader) noexcept;

std::uint16_t crc16(std::string_view data) noexcept;
// The part of a key that is hashed: between the first '{' and the next '}' when that is not
// empty, else the whole key.
std::string_view hash_tag(std::string_view key) noexcept;
std::uint16_t key_slot(std::string_view key) noexcept;
// The slot every key starting with `prefix` hashes to, when the prefix already holds a complete
// non-empty hash tag; nullopt when keys with this prefix can live in any slot.
std::optional<std::uint16_t> prefix_slot(std::string_view prefix) noexcept;

struct Address {
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const Address&) const = default;
    std::string to_string() const;
};
// "host:port" (the last ':' separates the port, so "::1:7000" is an IPv6 host); an empty host is
// `fallback`'s (Redis sends ":port" when it does not know its own address).
std::optional<Address> parse_address(std::string_view text, const Address& fallback);

struct SlotRange {
    std::uint16_t first = 0, last = 0;
    Address master;
};
// A CLUSTER SLOTS reply: [[first, last, [host, port, id, ...], replicas...], ...]. `asked` is the
// node that answered (its address fills an empty or "?" host).
Result<std::vector<SlotRange>> parse_cluster_slots(const redisReply& reply, const Address& asked);

struct Redirect {
    bool ask = false;  // ASK (this command only, after ASKING) or MOVED (the slot's new owner)
    std::uint16_t slot = 0;
    Address to;
};
// "MOVED 3999 127.0.0.1:6381" or "ASK 3999 127.0.0.1:6381"; nullopt for any other error.
std::optional<Redirect> parse_redirect(std::string_view error, const Address& asked);

// SENTINEL get-master-addr-by-name: [host, port], or nil when the sentinel does not know the name.
Result<Address> parse_master_address(const redisReply& reply, const Address& sentinel);

}  // namespace mfa::store::routing

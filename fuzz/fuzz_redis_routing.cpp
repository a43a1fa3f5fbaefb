// Redis Cluster routing: what a server sends (a CLUSTER SLOTS reply, a Sentinel answer, a MOVED or
// ASK error, any RESP bytes) never crashes the parsers, and what they accept is in range. The key
// hash keeps its invariants for any key.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/redis_routing.hpp"

using namespace mfa::store::routing;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const Address asked{"10.0.0.1", 7000};

    if (key_slot(text) >= kSlots) std::abort();
    const std::string_view tag = hash_tag(text);
    if (tag.size() != text.size() && key_slot(text) != crc16(tag) % kSlots) std::abort();
    if (auto p = prefix_slot(text)) {
        if (*p != key_slot(std::string(text) + "suffix")) std::abort();  // every key with this prefix
    }

    if (auto r = parse_redirect(text, asked)) {
        if (r->slot >= kSlots || r->to.port == 0 || r->to.host.empty()) std::abort();
    }

    redisReader* reader = redisReaderCreate();
    if (reader == nullptr) return 0;
    limit_reply_arrays(reader);
    if (redisReaderFeed(reader, text.data(), text.size()) == REDIS_OK) {
        for (int n = 0; n < 8; ++n) {
            void* out = nullptr;
            if (redisReaderGetReply(reader, &out) != REDIS_OK || out == nullptr) break;
            const auto* reply = static_cast<redisReply*>(out);
            if (auto ranges = parse_cluster_slots(*reply, asked)) {
                for (const auto& rg : *ranges)
                    if (rg.first > rg.last || rg.last >= kSlots || rg.master.port == 0 || rg.master.host.empty()) std::abort();
            }
            if (auto m = parse_master_address(*reply, asked)) {
                if (m->port == 0 || m->host.empty()) std::abort();
            }
            freeReplyObject(out);
        }
    }
    redisReaderFree(reader);
    return 0;
}

#include "redis_routing.hpp"

#include <charconv>
#include <mutex>

namespace mfa::store::routing {
namespace {

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

bool host_is_sane(std::string_view h) {
    if (h.empty() || h.size() > 255) return false;
    for (unsigned char c : h)
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@') return false;
    return true;
}

std::string_view text_of(const redisReply& r) { return {r.str, r.len}; }

bool is_text(const redisReply& r) {
    return r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS;
}

}  // namespace

namespace {
// hiredis's own reply builders, captured from the first reader (they are static in hiredis.c),
// with createArray wrapped to refuse oversized headers. A NULL from createArray makes hiredis
// fail the read with an "Out of memory" error, so the reply is never built.
redisReplyObjectFunctions g_limited{};
const redisReplyObjectFunctions* g_default = nullptr;
std::once_flag g_once;

void* limited_create_array(const redisReadTask* task, int elements) {
    if (elements < 0 || elements > kMaxReplyElements) return nullptr;
    return g_default->createArray(task, elements);
}
}  // namespace

void limit_reply_arrays(redisReader* reader) noexcept {
    if (reader == nullptr || reader->fn == nullptr) return;
    std::call_once(g_once, [&] {
        g_default = reader->fn;
        g_limited = *reader->fn;
        g_limited.createArray = limited_create_array;
    });
    if (reader->fn == g_default) reader->fn = &g_limited;
}

std::uint16_t crc16(std::string_view data) noexcept {
    std::uint16_t crc = 0;
    for (unsigned char c : data) {
        crc ^= static_cast<std::uint16_t>(c << 8);
        for (int i = 0; i < 8; ++i)
            crc = static_cast<std::uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

std::string_view hash_tag(std::string_view key) noexcept {
    const auto open = key.find('{');
    if (open == std::string_view::npos) return key;
    const auto close = key.find('}', open + 1);
    if (close == std::string_view::npos || close == open + 1) return key;
    return key.substr(open + 1, close - open - 1);
}

std::uint16_t key_slot(std::string_view key) noexcept { return crc16(hash_tag(key)) % kSlots; }

std::optional<std::uint16_t> prefix_slot(std::string_view prefix) noexcept {
    const auto open = prefix.find('{');
    if (open == std::string_view::npos) return std::nullopt;
    const auto close = prefix.find('}', open + 1);
    if (close == std::string_view::npos || close == open + 1) return std::nullopt;
    return key_slot(prefix);
}

std::string Address::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Address> parse_address(std::string_view text, const Address& fallback) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto port = parse_uint(text.substr(colon + 1), 65535);
    if (!port || *port == 0) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    Address a{std::string(host), static_cast<std::uint16_t>(*port)};
    if (a.host.empty()) a.host = fallback.host;
    if (!host_is_sane(a.host)) return std::nullopt;
    return a;
}

Result<std::vector<SlotRange>> parse_cluster_slots(const redisReply& reply, const Address& asked) {
    auto bad = [](const std::string& why) { return Error{Errc::store_unavailable, "redis: CLUSTER SLOTS reply: " + why}; };
    if (reply.type != REDIS_REPLY_ARRAY) return bad("not an array");
    std::vector<SlotRange> out;
    for (std::size_t i = 0; i < reply.elements; ++i) {
        const redisReply* e = reply.element[i];
        const std::string where = "range " + std::to_string(i);
        if (e == nullptr || e->type != REDIS_REPLY_ARRAY || e->elements < 3) return bad(where + " is not [first, last, master, ...]");
        const redisReply* f = e->element[0];
        const redisReply* l = e->element[1];
        const redisReply* m = e->element[2];
        if (f->type != REDIS_REPLY_INTEGER || l->type != REDIS_REPLY_INTEGER || f->integer < 0 || l->integer < f->integer ||
            l->integer >= kSlots)
            return bad(where + ": bad slot numbers");
        if (m->type != REDIS_REPLY_ARRAY || m->elements < 2 || !is_text(*m->element[0]) ||
            m->element[1]->type != REDIS_REPLY_INTEGER || m->element[1]->integer <= 0 || m->element[1]->integer > 65535)
            return bad(where + ": bad master [host, port]");
        std::string host(text_of(*m->element[0]));
        if (host.empty() || host == "?") host = asked.host;
        if (!host_is_sane(host)) return bad(where + ": bad master host");
        out.push_back({static_cast<std::uint16_t>(f->integer), static_cast<std::uint16_t>(l->integer),
                       Address{std::move(host), static_cast<std::uint16_t>(m->element[1]->integer)}});
    }
    return out;
}

std::optional<Redirect> parse_redirect(std::string_view error, const Address& asked) {
    Redirect r;
    if (error.rfind("MOVED ", 0) == 0) {
        error.remove_prefix(6);
    } else if (error.rfind("ASK ", 0) == 0) {
        r.ask = true;
        error.remove_prefix(4);
    } else {
        return std::nullopt;
    }
    const auto space = error.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto slot = parse_uint(error.substr(0, space), kSlots - 1);
    auto to = parse_address(error.substr(space + 1), asked);
    if (!slot || !to) return std::nullopt;
    r.slot = static_cast<std::uint16_t>(*slot);
    r.to = std::move(*to);
    return r;
}

Result<Address> parse_master_address(const redisReply& reply, const Address& sentinel) {
    const std::string from = "sentinel " + sentinel.to_string();
    if (reply.type == REDIS_REPLY_NIL) return Error{Errc::store_unavailable, "redis: " + from + " does not know this master name"};
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 2 || !is_text(*reply.element[0]) || !is_text(*reply.element[1]))
        return Error{Errc::store_unavailable, "redis: " + from + ": unexpected get-master-addr-by-name reply"};
    auto port = parse_uint(text_of(*reply.element[1]), 65535);
    std::string host(text_of(*reply.element[0]));
    if (!port || *port == 0 || !host_is_sane(host))
        return Error{Errc::store_unavailable, "redis: " + from + ": bad master address"};
    return Address{std::move(host), static_cast<std::uint16_t>(*port)};
}

}  // namespace mfa::store::routing

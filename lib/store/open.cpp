// Store URLs: "memory:", "sqlite:<path>", "sqlite://<absolute path>", "redis://[host][:port][/db]",
// "redis-sentinel://host[:port],.../master[/db]", "redis-cluster://host[:port],...[/]"; Redis ones with
// "?wait_replicas=N&wait_timeout_ms=T"; "postgresql://…" / "postgres://…" (libpq's own URL syntax, passed on without the store's parameters).
#include <algorithm>
#include <charconv>

#include "mfa/store.hpp"
#include "mfa_features.h"

namespace mfa::store {
namespace {

bool all_printable(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

Result<unsigned> parse_uint(std::string_view s, unsigned max, std::string_view what) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v > max || (s.size() > 1 && s[0] == '0'))
        return Error{Errc::invalid_argument, "store URL: bad " + std::string(what) + " '" + std::string(s) + "'"};
    return v;
}

// "host", "host:port", "[v6]" or "[v6]:port"; an empty host is 127.0.0.1.
Result<HostPort> parse_host_port(std::string_view hostport, std::uint16_t default_port) {
    HostPort out{"", default_port};
    std::string_view host = hostport;
    if (!hostport.empty() && hostport[0] == '[') {
        auto close = hostport.find(']');
        if (close == std::string_view::npos) return Error{Errc::invalid_argument, "store URL: unclosed '['"};
        host = hostport.substr(1, close - 1);
        std::string_view after = hostport.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return Error{Errc::invalid_argument, "store URL: text after ']'"};
            auto v = parse_uint(after.substr(1), 65535, "port");
            if (!v) return std::move(v).error();
            out.port = static_cast<std::uint16_t>(*v);
        }
        if (host.empty() || host.find_first_of(" /?#[],") != std::string_view::npos)
            return Error{Errc::invalid_argument, "store URL: bad host '" + std::string(host) + "'"};
    } else {
        if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
            host = hostport.substr(0, colon);
            auto v = parse_uint(hostport.substr(colon + 1), 65535, "port");
            if (!v) return std::move(v).error();
            out.port = static_cast<std::uint16_t>(*v);
        }
        if (host.find_first_of(" /?#:[],") != std::string_view::npos)
            return Error{Errc::invalid_argument, "store URL: bad host '" + std::string(host) + "'"};
    }
    if (out.port == 0) return Error{Errc::invalid_argument, "store URL: port 0"};
    out.host = host.empty() ? "127.0.0.1" : std::string(host);
    return out;
}

// "wait_replicas=N&wait_timeout_ms=T", each at most once.
Status parse_redis_query(std::string_view q, RedisOptions& o) {
    bool replicas = false, timeout = false;
    std::size_t from = 0;
    while (from <= q.size()) {
        const auto amp = q.find('&', from);
        const std::string_view item = q.substr(from, amp == std::string_view::npos ? amp : amp - from);
        const auto eq = item.find('=');
        const std::string_view name = item.substr(0, eq), value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
        if (name == "wait_replicas" && !replicas) {
            auto v = parse_uint(value, 16, "wait_replicas (0..16)");
            if (!v) return std::move(v).error();
            o.wait_replicas = *v;
            replicas = true;
        } else if (name == "wait_timeout_ms" && !timeout) {
            auto v = parse_uint(value, 60000, "wait_timeout_ms (1..60000)");
            if (!v) return std::move(v).error();
            if (*v == 0) return {Errc::invalid_argument, "store URL: wait_timeout_ms must be at least 1"};
            o.wait_timeout = std::chrono::milliseconds(*v);
            // The connection timeout must outlast WAIT's.
            o.timeout = std::max(o.timeout, o.wait_timeout + std::chrono::milliseconds(1000));
            timeout = true;
        } else {
            return {Errc::invalid_argument, "store URL: unknown or repeated query parameter '" + std::string(name.substr(0, 64)) +
                                                "' (wait_replicas, wait_timeout_ms)"};
        }
        if (amp == std::string_view::npos) break;
        from = amp + 1;
    }
    return {};
}

// Takes the store's own query parameters out of a PostgreSQL URL (libpq refuses names it does not
// know) and leaves every other one, in order, for libpq. No error repeats the URL: it may hold a
// password.
Status take_postgres_options(std::string_view url, StoreUrl& out) {
    const auto q = url.find('?');
    out.conninfo = std::string(url.substr(0, q));
    if (q == std::string_view::npos) return {};
    std::string kept;
    std::string_view rest = url.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view param = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const auto eq = param.find('=');
        const std::string_view name = param.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1);
        const bool pool = name == "pool_size";
        if (pool || name == "pool_wait_ms" || name == "lock_timeout_ms") {
            // Only the store's own, numeric values are ever quoted back.
            auto v = parse_uint(value, pool ? static_cast<unsigned>(kMaxPostgresPool) : 600000, name);
            if (!v) return std::move(v).error();
            if (*v == 0) return {Errc::invalid_argument, "store URL: " + std::string(name) + " must be at least 1"};
            if (pool) out.postgres.pool_size = *v;
            else (name == "pool_wait_ms" ? out.postgres.pool_wait : out.postgres.lock_timeout) = std::chrono::milliseconds(*v);
        } else if (!param.empty()) {
            kept += kept.empty() ? "?" : "&";
            kept += param;
        }
    }
    out.conninfo += kept;
    return {};
}

}  // namespace

Result<StoreUrl> parse_store_url(std::string_view url) {
    if (url.size() > kMaxStoreUrlLength) return Error{Errc::limit_exceeded, "store URL longer than 4096 bytes"};
    if (!all_printable(url)) return Error{Errc::invalid_argument, "store URL: control character"};
    StoreUrl out;
    if (url == "memory:" || url == "memory://") {
        out.kind = StoreUrl::Kind::memory;
        return out;
    }
    if (url.rfind("sqlite:", 0) == 0) {
        std::string_view path = url.substr(7);
        if (path.rfind("//", 0) == 0) {
            path.remove_prefix(2);
            if (path.empty() || path[0] != '/')
                return Error{Errc::invalid_argument, "store URL: sqlite:// needs an absolute path (sqlite:///var/x.db)"};
        }
        if (path.empty()) return Error{Errc::invalid_argument, "store URL: sqlite: needs a file path"};
        out.kind = StoreUrl::Kind::sqlite;
        out.path = std::string(path);
        return out;
    }
    for (const auto& [scheme, kind] : {std::pair{std::string_view("redis://"), StoreUrl::Kind::redis},
                                       std::pair{std::string_view("redis-sentinel://"), StoreUrl::Kind::redis_sentinel},
                                       std::pair{std::string_view("redis-cluster://"), StoreUrl::Kind::redis_cluster}}) {
        if (url.rfind(scheme, 0) != 0) continue;
        out.kind = kind;
        std::string_view rest = url.substr(scheme.size());
        if (auto q = rest.find('?'); q != std::string_view::npos) {
            MFA_TRY(parse_redis_query(rest.substr(q + 1), out.redis));
            rest = rest.substr(0, q);
        }
        std::string_view hostport = rest, path;
        if (auto slash = rest.find('/'); slash != std::string_view::npos) {
            hostport = rest.substr(0, slash);
            path = rest.substr(slash + 1);
        }
        if (hostport.find('@') != std::string_view::npos)
            return Error{Errc::unsupported, "store URL: credentials in a Redis URL are not supported"};
        if (kind == StoreUrl::Kind::redis) {
            if (!path.empty()) {
                auto v = parse_uint(path, 15, "database number");
                if (!v) return std::move(v).error();
                out.db = *v;
            }
            auto hp = parse_host_port(hostport, 6379);
            if (!hp) return std::move(hp).error();
            out.host = std::move(hp->host);
            out.port = hp->port;
            return out;
        }
        if (hostport.empty()) return Error{Errc::invalid_argument, "store URL: " + std::string(scheme) + " needs host:port[,host:port...]"};
        std::size_t from = 0;
        while (true) {
            const auto comma = hostport.find(',', from);
            const std::string_view one = hostport.substr(from, comma == std::string_view::npos ? comma : comma - from);
            if (one.empty()) return Error{Errc::invalid_argument, "store URL: an empty address in the list"};
            auto hp = parse_host_port(one, kind == StoreUrl::Kind::redis_sentinel ? 26379 : 6379);
            if (!hp) return std::move(hp).error();
            out.nodes.push_back(std::move(*hp));
            if (out.nodes.size() > 64) return Error{Errc::limit_exceeded, "store URL: more than 64 Redis addresses"};
            if (comma == std::string_view::npos) break;
            from = comma + 1;
        }
        if (kind == StoreUrl::Kind::redis_cluster) {
            if (!path.empty()) return Error{Errc::invalid_argument, "store URL: a Redis Cluster has no database number (only db 0)"};
            return out;
        }
        const auto slash = path.find('/');
        out.master = std::string(path.substr(0, slash));
        if (out.master.empty() || out.master.size() > 128 ||
            out.master.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos)
            return Error{Errc::invalid_argument, "store URL: redis-sentinel:// needs a master name (letters, digits, . _ -) after the addresses"};
        if (slash != std::string_view::npos) {
            auto v = parse_uint(path.substr(slash + 1), 15, "database number");
            if (!v) return std::move(v).error();
            out.db = *v;
        }
        return out;
    }
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
        out.kind = StoreUrl::Kind::postgresql;
        MFA_TRY(take_postgres_options(url, out));
        return out;
    }
    return Error{Errc::invalid_argument,
                 "store URL: expected memory:, sqlite:<path>, redis://host:port/db, redis-sentinel://host:port/master, "
                 "redis-cluster://host:port,host:port or postgresql://…"};
}

Result<std::shared_ptr<Store>> open_store(std::string_view url) {
    auto u = parse_store_url(url);
    if (!u) return std::move(u).error();
    switch (u->kind) {
        case StoreUrl::Kind::memory: return open_memory_store();
        case StoreUrl::Kind::sqlite: return open_sqlite_store(u->path);
        case StoreUrl::Kind::redis: return open_redis_store(u->host, u->port, u->db, u->redis);
        case StoreUrl::Kind::redis_sentinel: return open_redis_sentinel_store(u->nodes, u->master, u->db, u->redis);
        case StoreUrl::Kind::redis_cluster: return open_redis_cluster_store(u->nodes, u->redis);
        case StoreUrl::Kind::postgresql: return open_postgres_store(u->conninfo, u->postgres);
    }
    return Error{Errc::internal, "store URL kind"};
}

#if !MFA_HAVE_REDIS
// A redis:// URL still parses: the build, not the URL, is what is missing.
Result<std::shared_ptr<Store>> open_redis_store(const std::string&, std::uint16_t, unsigned, const RedisOptions&) {
    return Error{Errc::unsupported, "built without redis support (meson -Dredis=enabled)"};
}
Result<std::shared_ptr<Store>> open_redis_sentinel_store(const std::vector<HostPort>&, const std::string&, unsigned,
                                                         const RedisOptions&) {
    return Error{Errc::unsupported, "built without redis support (meson -Dredis=enabled)"};
}
Result<std::shared_ptr<Store>> open_redis_cluster_store(const std::vector<HostPort>&, const RedisOptions&) {
    return Error{Errc::unsupported, "built without redis support (meson -Dredis=enabled)"};
}
#endif

}  // namespace mfa::store

namespace mfa::store {

Result<std::vector<std::string>> Store::keys(std::string_view prefix, std::size_t limit) {
    std::vector<std::string> out;
    std::string cursor;
    do {
        auto page = scan(prefix, cursor);
        if (!page) return std::move(page).error();
        out.insert(out.end(), std::make_move_iterator(page->keys.begin()), std::make_move_iterator(page->keys.end()));
        cursor = std::move(page->cursor);
        if (out.size() > limit) {
            std::sort(out.begin(), out.end());
            out.erase(std::unique(out.begin(), out.end()), out.end());  // SCAN may repeat a key
            if (out.size() > limit)
                return Error{Errc::limit_exceeded, "more than " + std::to_string(limit) + " keys under '" +
                                                       std::string(prefix.substr(0, 64)) + "'"};
        }
    } while (!cursor.empty());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<ThrottleState> Store::throttle_state(std::string_view key) {
    auto v = get(key);
    if (!v) return std::move(v).error();
    if (!v->has_value()) return ThrottleState{};
    auto s = parse_throttle(as_chars(**v));
    if (!s) return Error{Errc::store_corrupt, "throttle record '" + std::string(key) + "'"};
    return *s;
}

}  // namespace mfa::store

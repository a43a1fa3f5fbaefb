// Store URLs: "memory:", "sqlite:<path>", "sqlite://<absolute path>", "redis://[host][:port][/db]",
// "postgresql://…" / "postgres://…" (libpq's own URL syntax, passed on without the store's parameters).
#include <algorithm>
#include <charconv>

#include "mfa/store.hpp"

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
    if (url.rfind("redis://", 0) == 0) {
        std::string_view rest = url.substr(8);
        out.kind = StoreUrl::Kind::redis;
        std::string_view hostport = rest;
        if (auto slash = rest.find('/'); slash != std::string_view::npos) {
            hostport = rest.substr(0, slash);
            std::string_view db = rest.substr(slash + 1);
            if (!db.empty()) {
                auto v = parse_uint(db, 15, "database number");
                if (!v) return std::move(v).error();
                out.db = *v;
            }
        }
        if (hostport.find('@') != std::string_view::npos)
            return Error{Errc::unsupported, "store URL: credentials in a Redis URL are not supported"};
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
        } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
            host = hostport.substr(0, colon);
            auto v = parse_uint(hostport.substr(colon + 1), 65535, "port");
            if (!v) return std::move(v).error();
            out.port = static_cast<std::uint16_t>(*v);
        }
        if (out.port == 0) return Error{Errc::invalid_argument, "store URL: port 0"};
        if (host.find_first_of(" /?#:[]") != std::string_view::npos && hostport[0] != '[')
            return Error{Errc::invalid_argument, "store URL: bad host '" + std::string(host) + "'"};
        out.host = host.empty() ? "127.0.0.1" : std::string(host);
        return out;
    }
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
        out.kind = StoreUrl::Kind::postgresql;
        MFA_TRY(take_postgres_options(url, out));
        return out;
    }
    return Error{Errc::invalid_argument,
                 "store URL: expected memory:, sqlite:<path>, redis://host:port/db or postgresql://…"};
}

Result<std::shared_ptr<Store>> open_store(std::string_view url) {
    auto u = parse_store_url(url);
    if (!u) return std::move(u).error();
    switch (u->kind) {
        case StoreUrl::Kind::memory: return open_memory_store();
        case StoreUrl::Kind::sqlite: return open_sqlite_store(u->path);
        case StoreUrl::Kind::redis: return open_redis_store(u->host, u->port, u->db);
        case StoreUrl::Kind::postgresql: return open_postgres_store(u->conninfo, u->postgres);
    }
    return Error{Errc::internal, "store URL kind"};
}

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

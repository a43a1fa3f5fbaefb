// Store URLs: parsing never crashes and accepted URLs have sensible parts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto u = mfa::store::parse_store_url(text);
    if (!u) return 0;
    using K = mfa::store::StoreUrl::Kind;
    if (u->kind == K::sqlite && u->path.empty()) std::abort();
    if (u->kind == K::redis && (u->host.empty() || u->port == 0 || u->db > 15)) std::abort();
    if (u->kind == K::redis_cluster || u->kind == K::redis_sentinel) {
        if (u->nodes.empty() || u->nodes.size() > 64 || u->db > 15) std::abort();
        for (const auto& n : u->nodes)
            if (n.host.empty() || n.port == 0) std::abort();
        if ((u->kind == K::redis_sentinel) == u->master.empty()) std::abort();
    }
    if (u->redis.wait_replicas > 16 || (u->redis.wait_replicas > 0 && u->redis.wait_timeout >= u->redis.timeout)) std::abort();
    // PostgreSQL: only the store's own parameters are taken out; the rest goes to libpq as written.
    if (u->kind == K::postgresql &&
        (u->conninfo.size() > text.size() || text.substr(0, text.find('?')) != u->conninfo.substr(0, u->conninfo.find('?')) ||
         u->postgres.pool_size == 0 || u->postgres.pool_size > mfa::store::kMaxPostgresPool ||
         u->postgres.pool_wait.count() <= 0 || u->postgres.lock_timeout.count() <= 0))
        std::abort();
    return 0;
}

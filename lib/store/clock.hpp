// Expiry times for the memory and SQLite backends: Unix milliseconds on the system clock.
#pragma once

#include <chrono>
#include <cstdint>

#include "mfa/store.hpp"

namespace mfa::store::detail {

inline std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
// 0 = never.
inline std::int64_t expiry_ms(Ttl ttl) { return ttl.count() > 0 ? now_ms() + ttl.count() * 1000 : 0; }

}  // namespace mfa::store::detail

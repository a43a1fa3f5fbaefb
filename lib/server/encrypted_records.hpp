// The store records that hold secrets encrypted under the key ring, in one place: what a rewrap
// re-encrypts and what key maintenance and backup verification must account for.
//   mfa:totp:{<user>}           TOTP / assigned hardware token factors   (rewrapped)
//   mfa:hwtok:<serial>          hardware OTP tokens (hwtoken.cpp)        (rewrapped)
//   mfa:totp-pending:{<user>}   pending enrollments: they expire within the enrollment TTL, so they
//                               are never rewrapped (a compare-and-set would drop the expiry), only
//                               counted, and a key they use is not retired until they are gone
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "mfa/server/keyring.hpp"
#include "mfa/store.hpp"

namespace mfa::server::detail {

// Every key id an encrypted secret of the store is under (a full walk of the prefixes above).
Result<std::set<std::uint32_t>> encrypted_key_ids(store::Store& s);

// One bounded step of a rewrap: examines at most `limit` records from `cursor` (empty: from the
// start; the format is "<family>|<store cursor>") and re-encrypts, by compare-and-set, those not
// under the ring's current key. `cursor` comes back empty when the walk reached the end.
struct RewrapStep {
    std::size_t examined = 0;
    std::size_t moved = 0;
    std::string cursor;
};
Result<RewrapStep> rewrap_step(store::Store& s, const KeyRing& ring, std::string_view cursor, std::size_t limit);

}  // namespace mfa::server::detail

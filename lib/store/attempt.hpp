// The attempt() algorithm over a transaction's get/put/erase, shared by the memory and SQLite
// backends (each runs it under its lock / inside BEGIN IMMEDIATE). The Redis backend runs the same
// steps as a Lua script (redis_scripts.hpp).
#pragma once

#include <optional>
#include <string_view>

#include "mfa/store.hpp"

namespace mfa::store::detail {

class TxnOps {
public:
    virtual ~TxnOps() = default;
    virtual Result<std::optional<Bytes>> get(std::string_view key) = 0;
    virtual Status put(std::string_view key, ByteView value) = 0;
    virtual Result<bool> erase(std::string_view key) = 0;
};

Result<Attempt> run_attempt(TxnOps& txn, const AttemptRequest& req);
// Rejects keys longer than kMaxKeyLength or empty, values longer than kMaxValueLength.
Status check_key(std::string_view key);
Status check_value(ByteView value);
Status check_request(const AttemptRequest& req);
// scan()'s arguments for the ordered backends (memory, SQLite), whose cursor is the last key returned.
Status check_ordered_scan(std::string_view prefix, std::string_view cursor, std::size_t count);
// Adds the next key of an ordered listing (rows from the prefix on, `count` + 1 of them fetched) to
// the page; false when the listing stops here: the key is past the prefix, or the page is full
// (and its cursor set, since a further key exists).
bool add_to_page(KeyPage& page, std::string key, std::string_view prefix, std::size_t count);

}  // namespace mfa::store::detail

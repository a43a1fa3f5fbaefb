// The in-process backend: a sorted map under one mutex. Atomic within the process only.
#include <algorithm>
#include <map>
#include <mutex>

#include "attempt.hpp"
#include "clock.hpp"

namespace mfa::store {
namespace {

struct Entry {
    Bytes value;
    std::int64_t expires = 0;  // Unix ms, 0 = never
};

class MemoryStore final : public Store {
public:
    std::string_view backend() const noexcept override { return "memory"; }

    Result<std::optional<Bytes>> get(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        std::lock_guard lock(mu_);
        return get_locked(key);
    }

    Status put(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        std::lock_guard lock(mu_);
        map_[std::string(key)] = Entry{Bytes(value.begin(), value.end()), detail::expiry_ms(ttl)};
        return {};
    }

    Result<bool> put_if_absent(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        std::lock_guard lock(mu_);
        if (live(key)) return false;
        map_[std::string(key)] = Entry{Bytes(value.begin(), value.end()), detail::expiry_ms(ttl)};
        return true;
    }

    Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected, ByteView desired) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(desired));
        std::lock_guard lock(mu_);
        Entry* e = live(key);
        if (expected.has_value() != (e != nullptr)) return false;
        if (e != nullptr && !std::equal(e->value.begin(), e->value.end(), expected->begin(), expected->end()))
            return false;
        map_[std::string(key)] = Entry{Bytes(desired.begin(), desired.end()), 0};
        return true;
    }

    Result<bool> erase(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        std::lock_guard lock(mu_);
        return erase_locked(key);
    }

    Result<std::optional<Bytes>> take(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        std::lock_guard lock(mu_);
        Entry* e = live(key);
        if (e == nullptr) return std::optional<Bytes>{};
        Bytes v = std::move(e->value);
        map_.erase(map_.find(key));
        return std::optional<Bytes>{std::move(v)};
    }

    Result<std::int64_t> increment(std::string_view key, std::int64_t by, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        std::lock_guard lock(mu_);
        Entry* e = live(key);
        std::int64_t v = 0;
        if (e != nullptr) {
            auto cur = parse_i64(as_chars(e->value));
            if (!cur) return Error{Errc::store_corrupt, "'" + std::string(key) + "' is not an integer"};
            v = *cur;
        }
        if (__builtin_add_overflow(v, by, &v)) return Error{Errc::limit_exceeded, "integer overflow"};
        const std::string text = std::to_string(v);
        if (e == nullptr) {
            map_[std::string(key)] = Entry{Bytes(text.begin(), text.end()), detail::expiry_ms(ttl)};
        } else {
            e->value.assign(text.begin(), text.end());
        }
        return v;
    }

    Result<KeyPage> scan(std::string_view prefix, std::string_view cursor, std::size_t count) override {
        MFA_TRY(detail::check_ordered_scan(prefix, cursor, count));
        std::lock_guard lock(mu_);
        KeyPage page;
        const std::int64_t now = detail::now_ms();
        for (auto it = cursor.empty() ? map_.lower_bound(prefix) : map_.upper_bound(cursor); it != map_.end(); ++it) {
            if (!it->first.starts_with(prefix)) break;
            if (it->second.expires != 0 && it->second.expires <= now) continue;
            if (page.keys.size() == count) {
                page.cursor = page.keys.back();  // more follow
                break;
            }
            page.keys.push_back(it->first);
        }
        return page;
    }

    Result<Attempt> attempt(const AttemptRequest& req) override {
        MFA_TRY(detail::check_request(req));
        std::lock_guard lock(mu_);
        Txn txn{*this};
        return detail::run_attempt(txn, req);
    }

private:
    // attempt()'s view of the map, used with mu_ held.
    struct Txn final : detail::TxnOps {
        explicit Txn(MemoryStore& s) : s_(s) {}
        Result<std::optional<Bytes>> get(std::string_view key) override { return s_.get_locked(key); }
        Status put(std::string_view key, ByteView value) override {
            s_.map_[std::string(key)] = Entry{Bytes(value.begin(), value.end()), 0};
            return {};
        }
        Result<bool> erase(std::string_view key) override { return s_.erase_locked(key); }
        MemoryStore& s_;
    };

    Entry* live(std::string_view key) {
        auto it = map_.find(key);
        if (it == map_.end()) return nullptr;
        if (it->second.expires != 0 && it->second.expires <= detail::now_ms()) {
            map_.erase(it);
            return nullptr;
        }
        return &it->second;
    }
    Result<std::optional<Bytes>> get_locked(std::string_view key) {
        Entry* e = live(key);
        if (e == nullptr) return std::optional<Bytes>{};
        return std::optional<Bytes>{e->value};
    }
    Result<bool> erase_locked(std::string_view key) {
        if (live(key) == nullptr) return false;
        map_.erase(map_.find(key));
        return true;
    }

    std::mutex mu_;
    std::map<std::string, Entry, std::less<>> map_;
};

}  // namespace

std::shared_ptr<Store> open_memory_store() { return std::make_shared<MemoryStore>(); }
}  // namespace mfa::store

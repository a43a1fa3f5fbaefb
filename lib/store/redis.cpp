// The Redis backend (hiredis): one connection per Store, shared by its threads under a mutex.
//
// Plain commands for the simple operations (GET, SET [NX] [EX], DEL, GETDEL, SCAN); Lua scripts run
// with EVALSHA for the read-modify-write ones, so each operation is one atomic round trip. A broken
// connection fails the call with store_unavailable and is re-opened on the next call; attempt() is
// never retried blindly, since a reply lost after the script ran must not count a failure twice.
#include <hiredis/hiredis.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "attempt.hpp"
#include "redis_scripts.hpp"

namespace mfa::store {
namespace {

struct ReplyFree {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

struct CtxFree {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
};

// Arguments of one command (binary-safe).
class Args {
public:
    Args& add(std::string_view s) {
        store_.emplace_back(s);
        return *this;
    }
    Args& add(ByteView b) { return add(as_chars(b)); }
    Args& add(std::int64_t v) { return add(std::string_view(std::to_string(v))); }
    std::vector<const char*> ptrs() const {
        std::vector<const char*> p;
        for (const auto& s : store_) p.push_back(s.data());
        return p;
    }
    std::vector<std::size_t> lens() const {
        std::vector<std::size_t> l;
        for (const auto& s : store_) l.push_back(s.size());
        return l;
    }
    int count() const { return static_cast<int>(store_.size()); }

private:
    std::vector<std::string> store_;
};

// Escapes glob characters so SCAN MATCH treats the prefix literally.
std::string glob_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

class RedisStore final : public Store {
public:
    RedisStore(std::string host, std::uint16_t port, unsigned db, RedisOptions opts)
        : host_(std::move(host)), port_(port), db_(db), opts_(opts) {}

    Status connect() {
        std::lock_guard lock(mu_);
        return connect_locked();
    }

    std::string_view backend() const noexcept override { return "redis"; }

    Result<std::optional<Bytes>> get(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        auto r = run(Args().add("GET").add(key));
        if (!r) return std::move(r).error();
        return optional_bytes(**r);
    }

    Status put(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        Args a;
        a.add("SET").add(key).add(value);
        if (ttl.count() > 0) a.add("EX").add(static_cast<std::int64_t>(ttl.count()));
        auto r = run(a);
        if (!r) return std::move(r).error();
        return {};
    }

    Result<bool> put_if_absent(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        Args a;
        a.add("SET").add(key).add(value).add("NX");
        if (ttl.count() > 0) a.add("EX").add(static_cast<std::int64_t>(ttl.count()));
        auto r = run(a);
        if (!r) return std::move(r).error();
        return (*r)->type == REDIS_REPLY_STATUS;
    }

    Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected, ByteView desired) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(desired));
        Args a;
        a.add(key).add(expected ? "1" : "0").add(expected ? *expected : ByteView{}).add(desired);
        auto r = eval(cas_sha_, detail::kCasScript, 1, a);
        if (!r) return std::move(r).error();
        return (*r)->type == REDIS_REPLY_INTEGER && (*r)->integer == 1;
    }

    Result<bool> erase(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        auto r = run(Args().add("DEL").add(key));
        if (!r) return std::move(r).error();
        return (*r)->type == REDIS_REPLY_INTEGER && (*r)->integer > 0;
    }

    Result<std::optional<Bytes>> take(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        auto r = run(Args().add("GETDEL").add(key));  // Redis >= 6.2
        if (!r) return std::move(r).error();
        return optional_bytes(**r);
    }

    Result<std::int64_t> increment(std::string_view key, std::int64_t by, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        Args a;
        a.add(key).add(by).add(static_cast<std::int64_t>(ttl.count()));
        auto r = eval(incr_sha_, detail::kIncrScript, 1, a);
        if (!r) return std::move(r).error();
        if ((*r)->type != REDIS_REPLY_INTEGER) return Error{Errc::store_corrupt, "INCRBY reply"};
        return static_cast<std::int64_t>((*r)->integer);
    }

    Result<KeyPage> scan(std::string_view prefix, std::string_view cursor, std::size_t count) override {
        if (count == 0 || count > kMaxKeyPageSize) return Error{Errc::invalid_argument, "scan page size must be 1..100000"};
        if (prefix.size() > kMaxKeyLength) return Error{Errc::limit_exceeded, "scan prefix longer than 512 bytes"};
        // The SCAN cursor, with "0" (start and end in Redis) spelled "" as for the other backends.
        const std::string from = cursor.empty() ? "0" : std::string(cursor);
        if (cursor == "0" || from.size() > 20 || !std::all_of(from.begin(), from.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return Error{Errc::invalid_argument, "scan cursor is not a Redis cursor"};
        auto r = run(Args().add("SCAN").add(from).add("MATCH").add(glob_escape(prefix) + "*").add("COUNT")
                         .add(static_cast<std::int64_t>(count)));
        if (!r) return std::move(r).error();
        const redisReply* rep = r->get();
        if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 || rep->element[0]->type != REDIS_REPLY_STRING ||
            rep->element[1]->type != REDIS_REPLY_ARRAY)
            return Error{Errc::store_unavailable, "redis: unexpected SCAN reply"};
        KeyPage page;
        page.cursor.assign(rep->element[0]->str, rep->element[0]->len);
        if (page.cursor == "0") page.cursor.clear();
        for (std::size_t i = 0; i < rep->element[1]->elements; ++i) {
            const redisReply* k = rep->element[1]->element[i];
            if (k->type == REDIS_REPLY_STRING) page.keys.emplace_back(k->str, k->len);
        }
        return page;
    }

    Result<Attempt> attempt(const AttemptRequest& q) override {
        MFA_TRY(detail::check_request(q));
        const std::string& tk = q.throttle_key;
        Args a;
        a.add(tk).add(q.guard_key ? *q.guard_key : tk).add(q.advance_key ? *q.advance_key : tk)
            .add(q.consume_key ? *q.consume_key : tk);
        a.add(q.now).add(q.success ? "1" : "0");
        a.add(static_cast<std::int64_t>(q.rule.free_failures)).add(static_cast<std::int64_t>(q.rule.base_delay))
            .add(static_cast<std::int64_t>(q.rule.max_delay)).add(static_cast<std::int64_t>(q.rule.lock_after))
            .add(static_cast<std::int64_t>(q.rule.lock_duration));
        a.add(q.guard_key ? "1" : "0").add(q.guard_value ? "1" : "0")
            .add(q.guard_value ? ByteView(*q.guard_value) : ByteView{});
        a.add(q.advance_key ? "1" : "0").add(q.step).add(q.consume_key ? "1" : "0");
        auto r = eval(attempt_sha_, detail::kAttemptScript, 4, a);
        if (!r) return std::move(r).error();
        const redisReply* rep = r->get();
        if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 5)
            return Error{Errc::store_unavailable, "redis: unexpected attempt reply"};
        for (std::size_t i = 0; i < 5; ++i)
            if (rep->element[i]->type != REDIS_REPLY_INTEGER)
                return Error{Errc::store_unavailable, "redis: unexpected attempt reply"};
        const long long code = rep->element[0]->integer;
        if (code < 0 || code > 5) return Error{Errc::store_unavailable, "redis: unexpected attempt outcome"};
        Attempt out;
        out.outcome = static_cast<AttemptOutcome>(code);
        out.failures = static_cast<std::uint32_t>(rep->element[1]->integer);
        out.retry_after = rep->element[2]->integer;
        out.newly_locked = rep->element[3]->integer != 0;
        out.last_step = rep->element[4]->integer;
        return out;
    }

private:
    static std::optional<Bytes> optional_bytes(const redisReply& r) {
        if (r.type != REDIS_REPLY_STRING) return std::nullopt;
        const auto* p = reinterpret_cast<const std::uint8_t*>(r.str);
        return Bytes(p, p + r.len);
    }

    Status connect_locked() {
        const auto ms = opts_.timeout.count();
        timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
        ctx_.reset(redisConnectWithTimeout(host_.c_str(), port_, tv));
        if (!ctx_ || ctx_->err) {
            std::string why = ctx_ ? ctx_->errstr : "out of memory";
            ctx_.reset();
            return {Errc::store_unavailable,
                    "redis: cannot connect to " + host_ + ":" + std::to_string(port_) + ": " + why};
        }
        if (redisSetTimeout(ctx_.get(), tv) != REDIS_OK) return {Errc::store_unavailable, "redis: setting timeout"};
        if (db_ != 0) {
            auto r = command_locked(Args().add("SELECT").add(static_cast<std::int64_t>(db_)));
            if (!r) return std::move(r).error();
        }
        attempt_sha_.clear();
        cas_sha_.clear();
        incr_sha_.clear();
        return {};
    }

    Result<Reply> command_locked(const Args& a) {
        auto p = a.ptrs();
        auto l = a.lens();
        Reply r(static_cast<redisReply*>(redisCommandArgv(ctx_.get(), a.count(), p.data(), l.data())));
        if (!r) {
            std::string why = ctx_->errstr;
            ctx_.reset();  // re-opened by the next call
            return Error{Errc::store_unavailable, "redis: " + why};
        }
        if (r->type == REDIS_REPLY_ERROR) {
            std::string msg(r->str, r->len);
            if (msg.rfind("NOSCRIPT", 0) == 0) return Error{Errc::not_found, msg};
            if (msg.find("CORRUPT") != std::string::npos || msg.rfind("ERR value is not an integer", 0) == 0)
                return Error{Errc::store_corrupt, "redis: " + msg};
            return Error{Errc::store_unavailable, "redis: " + msg};
        }
        return r;
    }

    Result<Reply> run(const Args& a) {
        std::lock_guard lock(mu_);
        if (!ctx_) MFA_TRY(connect_locked());
        return command_locked(a);
    }

    // EVALSHA, loading the script first when this connection has not (or the server lost it).
    Result<Reply> eval(std::string& sha, const char* script, int nkeys, const Args& rest) {
        std::lock_guard lock(mu_);
        if (!ctx_) MFA_TRY(connect_locked());
        for (int pass = 0; pass < 2; ++pass) {
            if (sha.empty()) {
                auto loaded = command_locked(Args().add("SCRIPT").add("LOAD").add(std::string_view(script)));
                if (!loaded) return std::move(loaded).error();
                if ((*loaded)->type != REDIS_REPLY_STRING) return Error{Errc::store_unavailable, "redis: SCRIPT LOAD"};
                sha.assign((*loaded)->str, (*loaded)->len);
            }
            Args a;
            a.add("EVALSHA").add(sha).add(static_cast<std::int64_t>(nkeys));
            Args full = a;
            auto p = rest.ptrs();
            auto l = rest.lens();
            for (std::size_t i = 0; i < p.size(); ++i) full.add(std::string_view(p[i], l[i]));
            auto r = command_locked(full);
            if (r || r.code() != Errc::not_found) return r;
            sha.clear();  // NOSCRIPT: the server restarted or flushed its scripts
        }
        return Error{Errc::store_unavailable, "redis: script could not be loaded"};
    }

    std::string host_;
    std::uint16_t port_;
    unsigned db_;
    RedisOptions opts_;
    std::mutex mu_;
    std::unique_ptr<redisContext, CtxFree> ctx_;
    std::string attempt_sha_, cas_sha_, incr_sha_;
};

}  // namespace

Result<std::shared_ptr<Store>> open_redis_store(const std::string& host, std::uint16_t port, unsigned db,
                                                const RedisOptions& opts) {
    auto s = std::make_shared<RedisStore>(host, port, db, opts);
    MFA_TRY(s->connect());
    return std::shared_ptr<Store>(std::move(s));
}

}  // namespace mfa::store

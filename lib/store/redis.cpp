// The Redis backends (hiredis): one Redis, Redis behind Sentinel, and Redis Cluster.
//
// Plain commands for the simple operations (GET, SET [NX] [EX], DEL, GETDEL, SCAN); Lua scripts run
// with EVALSHA for the read-modify-write ones, so each operation is one atomic round trip. Each node
// has one connection, shared by the Store's threads under that node's mutex. A broken connection
// fails the call with store_unavailable and is re-opened on the next call; a command that may have
// run (its reply was lost) is never retried, since attempt() must not count a failure twice. A
// command that certainly did not run (no connection, MOVED, ASK, TRYAGAIN, CLUSTERDOWN, READONLY)
// is sent again where the topology now says, within the timeout.
//
// With wait_replicas > 0 an attempt() and a take() carry a WAIT in the same pipeline (one round
// trip still): an accepted step or a taken value is reported only when that many replicas have it.
#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <chrono>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "attempt.hpp"
#include "mfa/shared_library.hpp"
#include "redis_routing.hpp"
#include "redis_scripts.hpp"

namespace mfa::store {
namespace {

// hiredis is loaded when the first Redis store is opened, not linked (mfa/shared_library.hpp says
// why): the functions this backend calls, taken from it once.
#define MFA_HIREDIS_FUNCTIONS(X)                                                                         \
    X(freeReplyObject) X(redisAppendCommandArgv) X(redisConnectWithTimeout) X(redisFree) X(redisGetReply) \
    X(redisSetTimeout)

struct LibHiredis {
    MFA_LIBRARY_POINTERS(MFA_HIREDIS_FUNCTIONS)
};

// The soname of the ABI the headers describe: hiredis 0.14 (Debian's libhiredis0.14), whose
// redisReply and redisContext layouts this code reads.
static_assert(HIREDIS_MAJOR == 0 && HIREDIS_MINOR == 14, "kLibHiredis names libhiredis.so.0.14");
constexpr const char* kLibHiredis = "libhiredis.so.0.14";

const Result<LibHiredis>& libhiredis() {
    static const Result<LibHiredis> loaded =
        SharedLibrary::load<LibHiredis>("redis", kLibHiredis, [](const SharedLibrary& lib, LibHiredis& t) -> Status {
            MFA_LIBRARY_BIND(MFA_HIREDIS_FUNCTIONS, lib, t);
            return {};
        });
    return loaded;
}

// Only called once open_with() found hiredis loaded: every connection comes from there.
const LibHiredis& hr() { return *libhiredis(); }

using routing::Address;
using Clock = std::chrono::steady_clock;

struct ReplyFree {
    void operator()(redisReply* r) const noexcept { hr().freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

struct CtxFree {
    void operator()(redisContext* c) const noexcept { hr().redisFree(c); }
};

// Arguments of one command (binary-safe), kept in one buffer: a command costs a few allocations,
// not one per argument (the accept path runs one command per verification).
class Args {
public:
    Args& add(std::string_view s) {
        spans_.emplace_back(buf_.size(), s.size());
        buf_.append(s);
        return *this;
    }
    Args& add(ByteView b) { return add(as_chars(b)); }
    Args& add(std::int64_t v) {
        char t[24];
        const auto end = std::to_chars(t, t + sizeof t, v).ptr;
        return add(std::string_view(t, static_cast<std::size_t>(end - t)));
    }
    // Appends the arguments to an argv (pointers into this object, valid while it is unchanged).
    void to_argv(std::vector<const char*>& p, std::vector<std::size_t>& l) const {
        for (const auto& [at, n] : spans_) {
            p.push_back(buf_.data() + at);
            l.push_back(n);
        }
    }

private:
    std::string buf_;
    std::vector<std::pair<std::size_t, std::size_t>> spans_;  // offset, length
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

enum class Script : std::uint8_t { attempt, cas, incr };
constexpr std::size_t kScripts = 3;
const char* script_text(Script s) {
    switch (s) {
        case Script::attempt: return detail::kAttemptScript;
        case Script::cas: return detail::kCasScript;
        case Script::incr: return detail::kIncrScript;
    }
    return "";
}

// One command: plain (`args` is the whole command) or a script (`args` are its keys and ARGV).
struct Command {
    explicit Command(Args a) : args(std::move(a)) {}
    Command(Args a, Script s, int keys) : args(std::move(a)), script(s), nkeys(keys) {}
    Args args;
    std::optional<Script> script;
    int nkeys = 0;
    bool wait = false;  // follow it with WAIT (when the store waits for replicas)
};

struct Sent {
    Reply reply;          // may be an error reply: the caller decides what it means
    long long acked = -1; // WAIT's count, when one was sent
};

bool starts_with(const redisReply& r, std::string_view what) {
    return std::string_view(r.str, r.len).rfind(what, 0) == 0;
}

// One node: its connection and the scripts loaded on it.
class Conn {
public:
    Conn(Address a, unsigned db, const RedisOptions& o) : addr_(std::move(a)), db_(db), opts_(o) {}
    const Address& address() const { return addr_; }

    // Sends [ASKING] command [WAIT] as one pipeline. An I/O error is store_unavailable, with
    // *maybe_ran telling whether the command may have reached the server.
    Result<Sent> send(const Command& c, bool asking, bool* maybe_ran) {
        std::lock_guard lock(mu_);
        *maybe_ran = false;
        if (!ctx_) MFA_TRY(connect_locked());
        for (int pass = 0; pass < 2; ++pass) {
            Args head;  // EVALSHA sha numkeys, before a script's keys and arguments
            if (c.script) {
                std::string& sha = sha_[static_cast<std::size_t>(*c.script)];
                if (sha.empty()) {
                    auto loaded = roundtrip_locked(Args().add("SCRIPT").add("LOAD").add(std::string_view(script_text(*c.script))));
                    if (!loaded) return std::move(loaded).error();
                    if ((*loaded)->type != REDIS_REPLY_STRING) return Error{Errc::store_unavailable, "redis: SCRIPT LOAD"};
                    sha.assign((*loaded)->str, (*loaded)->len);
                }
                head.add("EVALSHA").add(sha).add(static_cast<std::int64_t>(c.nkeys));
            }
            const bool wait = c.wait && opts_.wait_replicas > 0;
            if (asking && !append_locked(Args().add("ASKING"), nullptr)) return lost_locked();
            if (!append_locked(head, &c.args)) return lost_locked();
            if (wait && !append_locked(Args().add("WAIT").add(static_cast<std::int64_t>(opts_.wait_replicas))
                                           .add(static_cast<std::int64_t>(opts_.wait_timeout.count())),
                                       nullptr))
                return lost_locked();
            *maybe_ran = true;
            Sent out;
            const int replies = (asking ? 1 : 0) + 1 + (wait ? 1 : 0);
            for (int i = 0; i < replies; ++i) {
                void* raw = nullptr;
                if (hr().redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr) return lost_locked();
                Reply r(static_cast<redisReply*>(raw));
                if (i == (asking ? 1 : 0)) out.reply = std::move(r);
                else if (i > (asking ? 1 : 0) && r->type == REDIS_REPLY_INTEGER) out.acked = r->integer;
            }
            if (c.script && out.reply->type == REDIS_REPLY_ERROR && starts_with(*out.reply, "NOSCRIPT")) {
                sha_[static_cast<std::size_t>(*c.script)].clear();  // restarted, flushed, or a new node
                *maybe_ran = false;
                continue;
            }
            return out;
        }
        return Error{Errc::store_unavailable, "redis: script could not be loaded on " + addr_.to_string()};
    }

    // Drops the connection (the next call re-opens it).
    void reset() {
        std::lock_guard lock(mu_);
        ctx_.reset();
    }

private:
    Status connect_locked() {
        const auto ms = opts_.timeout.count();
        timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
        ctx_.reset(hr().redisConnectWithTimeout(addr_.host.c_str(), addr_.port, tv));
        if (!ctx_ || ctx_->err) {
            std::string why = ctx_ ? ctx_->errstr : "out of memory";
            ctx_.reset();
            return {Errc::store_unavailable, "redis: cannot connect to " + addr_.to_string() + ": " + why};
        }
        routing::limit_reply_arrays(ctx_->reader);
        if (hr().redisSetTimeout(ctx_.get(), tv) != REDIS_OK) {
            ctx_.reset();
            return {Errc::store_unavailable, "redis: setting timeout"};
        }
        if (db_ != 0) {
            auto r = roundtrip_locked(Args().add("SELECT").add(static_cast<std::int64_t>(db_)));
            if (!r) return std::move(r).error();
            if ((*r)->type == REDIS_REPLY_ERROR) {
                std::string why((*r)->str, (*r)->len);
                ctx_.reset();
                return {Errc::store_unavailable, "redis: SELECT on " + addr_.to_string() + ": " + why};
            }
        }
        for (auto& s : sha_) s.clear();
        return {};
    }

    // Appends `head` then `tail` (when given) as one command to the output buffer; false on an
    // I/O error. argv_/lens_ are reused under mu_, so a command allocates nothing here.
    bool append_locked(const Args& head, const Args* tail) {
        argv_.clear();
        lens_.clear();
        head.to_argv(argv_, lens_);
        if (tail) tail->to_argv(argv_, lens_);
        return hr().redisAppendCommandArgv(ctx_.get(), static_cast<int>(argv_.size()), argv_.data(), lens_.data()) == REDIS_OK;
    }

    Result<Reply> roundtrip_locked(const Args& a) {
        if (!append_locked(a, nullptr)) return lost_locked();
        void* raw = nullptr;
        if (hr().redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr) return lost_locked();
        return Reply(static_cast<redisReply*>(raw));
    }

    Error lost_locked() {
        std::string why = ctx_->errstr;
        ctx_.reset();
        return Error{Errc::store_unavailable, "redis: " + addr_.to_string() + ": " + why};
    }

    Address addr_;
    unsigned db_;
    RedisOptions opts_;
    std::mutex mu_;
    std::unique_ptr<redisContext, CtxFree> ctx_;
    std::array<std::string, kScripts> sha_;
    std::vector<const char*> argv_;
    std::vector<std::size_t> lens_;
};

// Where a command goes: one node (fixed, or the master Sentinel names) or the cluster's slot owner.
class Topology {
public:
    virtual ~Topology() = default;
    // Runs the command on the node serving `key`'s slot (on one node: that node). The reply may
    // still be an error reply the topology did not handle.
    virtual Result<Sent> run(std::string_view key, const Command& c) = 0;
    virtual Status connect() = 0;
    // SCAN over every node that holds keys with this prefix (see RedisStore::scan).
    virtual Result<KeyPage> scan(std::string_view prefix, std::string_view cursor, std::size_t count) = 0;
};

bool transient(const redisReply& r) {
    return starts_with(r, "TRYAGAIN") || starts_with(r, "CLUSTERDOWN") || starts_with(r, "LOADING") ||
           starts_with(r, "MASTERDOWN");
}

void backoff(int round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(10 << std::min(round, 5), 200)));
}

bool is_cursor(std::string_view s) {
    return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One SCAN page on one node: {next cursor, keys}.
Result<std::pair<std::string, std::vector<std::string>>> scan_node(const Sent& s) {
    const redisReply* rep = s.reply.get();
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 || rep->element[0]->type != REDIS_REPLY_STRING ||
        rep->element[1]->type != REDIS_REPLY_ARRAY)
        return Error{Errc::store_unavailable, "redis: unexpected SCAN reply"};
    std::pair<std::string, std::vector<std::string>> out;
    out.first.assign(rep->element[0]->str, rep->element[0]->len);
    for (std::size_t i = 0; i < rep->element[1]->elements; ++i) {
        const redisReply* k = rep->element[1]->element[i];
        if (k->type == REDIS_REPLY_STRING) out.second.emplace_back(k->str, k->len);
    }
    return out;
}

Args scan_args(std::string_view cursor, std::string_view prefix, std::size_t count) {
    return Args().add("SCAN").add(cursor).add("MATCH").add(glob_escape(prefix) + "*").add("COUNT")
        .add(static_cast<std::int64_t>(count));
}

// One Redis, or the master of a Sentinel-monitored group (re-found after a lost connection or a
// READONLY reply: the node we knew was demoted).
class SingleNode final : public Topology {
public:
    SingleNode(Address fixed, unsigned db, const RedisOptions& o) : db_(db), opts_(o) {
        node_ = std::make_shared<Conn>(std::move(fixed), db, o);
    }
    SingleNode(std::vector<Address> sentinels, std::string master, unsigned db, const RedisOptions& o)
        : sentinels_(std::move(sentinels)), master_(std::move(master)), db_(db), opts_(o) {}

    Status connect() override {
        auto n = node();
        if (!n) return std::move(n).error();
        bool maybe_ran = false;
        auto r = (*n)->send(Command{Args().add("PING")}, false, &maybe_ran);
        if (!r) {
            forget(*n);
            return std::move(r).error();
        }
        return {};
    }

    Result<Sent> run(std::string_view, const Command& c) override {
        const auto deadline = Clock::now() + opts_.timeout;
        for (int round = 0;; ++round) {
            auto n = node();
            if (!n) return std::move(n).error();
            bool maybe_ran = false;
            auto r = (*n)->send(c, false, &maybe_ran);
            const bool again = !sentinels_.empty() && Clock::now() < deadline;
            if (!r) {
                forget(*n);
                if (maybe_ran || !again) return std::move(r).error();
            } else if (!sentinels_.empty() && r->reply->type == REDIS_REPLY_ERROR && starts_with(*r->reply, "READONLY")) {
                forget(*n);  // a replica now: ask the sentinels again (the command did not run)
                if (!again) return Error{Errc::store_unavailable, "redis: " + (*n)->address().to_string() + " is a replica now"};
            } else {
                return r;
            }
            backoff(round);
        }
    }

    Result<KeyPage> scan(std::string_view prefix, std::string_view cursor, std::size_t count) override {
        // The SCAN cursor, with "0" (start and end in Redis) spelled "" as for the other backends.
        const std::string from = cursor.empty() ? "0" : std::string(cursor);
        if (cursor == "0" || !is_cursor(from)) return Error{Errc::invalid_argument, "scan cursor is not a Redis cursor"};
        auto r = run(prefix, Command{scan_args(from, prefix, count)});
        if (!r) return std::move(r).error();
        if (r->reply->type == REDIS_REPLY_ERROR)
            return Error{Errc::store_unavailable, "redis: " + std::string(r->reply->str, r->reply->len)};
        auto page = scan_node(*r);
        if (!page) return std::move(page).error();
        KeyPage out;
        out.cursor = page->first == "0" ? "" : page->first;
        out.keys = std::move(page->second);
        return out;
    }

private:
    Result<std::shared_ptr<Conn>> node() {
        {
            std::lock_guard lock(mu_);
            if (node_) return node_;
        }
        auto found = discover();
        if (!found) return std::move(found).error();
        std::lock_guard lock(mu_);
        if (!node_) node_ = std::move(*found);
        return node_;
    }

    void forget(const std::shared_ptr<Conn>& n) {
        if (sentinels_.empty()) return;
        std::lock_guard lock(mu_);
        if (node_ == n) node_.reset();
    }

    // Asks each sentinel in turn for the master, and keeps the first address that says it is one.
    Result<std::shared_ptr<Conn>> discover() {
        std::string why;
        for (const auto& s : sentinels_) {
            Conn sentinel(s, 0, opts_);
            bool maybe_ran = false;
            auto r = sentinel.send(Command{Args().add("SENTINEL").add("get-master-addr-by-name").add(master_)}, false, &maybe_ran);
            if (!r) {
                why += "; " + r.error().detail;
                continue;
            }
            auto addr = routing::parse_master_address(*r->reply, s);
            if (!addr) {
                why += "; " + addr.error().detail;
                continue;
            }
            auto conn = std::make_shared<Conn>(*addr, db_, opts_);
            auto role = conn->send(Command{Args().add("ROLE")}, false, &maybe_ran);
            if (!role) {
                why += "; " + role.error().detail;
                continue;
            }
            const redisReply* rr = role->reply.get();
            if (rr->type != REDIS_REPLY_ARRAY || rr->elements == 0 || rr->element[0]->type != REDIS_REPLY_STRING ||
                std::string_view(rr->element[0]->str, rr->element[0]->len) != "master") {
                why += "; " + addr->to_string() + " (named by sentinel " + s.to_string() + ") is not a master yet";
                continue;
            }
            return conn;
        }
        return Error{Errc::store_unavailable, "redis: no sentinel named a reachable master '" + master_ + "'" + why};
    }

    std::vector<Address> sentinels_;
    std::string master_;
    unsigned db_;
    RedisOptions opts_;
    std::mutex mu_;
    std::shared_ptr<Conn> node_;
};

// Redis Cluster: the slot table from CLUSTER SLOTS, one connection per node, MOVED and ASK
// followed. The table is refreshed after a MOVED, a lost node or CLUSTERDOWN.
class Cluster final : public Topology {
public:
    Cluster(std::vector<Address> seeds, const RedisOptions& o) : seeds_(std::move(seeds)), opts_(o) { owner_.fill(nullptr); }

    Status connect() override { return refresh(generation()); }

    Result<Sent> run(std::string_view key, const Command& c) override {
        const std::uint16_t slot = routing::key_slot(key);
        const auto deadline = Clock::now() + opts_.timeout;
        Conn* n = nullptr;
        bool asking = false;
        if (stale_.exchange(false)) (void)refresh(generation());
        for (int round = 0;; ++round) {
            const auto gen = generation();
            if (n == nullptr) n = owner(slot);
            if (n == nullptr) {
                MFA_TRY(refresh(gen));
                n = owner(slot);
                if (n == nullptr) return Error{Errc::store_unavailable, "redis: no cluster node serves slot " + std::to_string(slot)};
            }
            bool maybe_ran = false;
            auto r = n->send(c, asking, &maybe_ran);
            asking = false;
            const bool again = Clock::now() < deadline && round < 32;
            if (!r) {
                if (maybe_ran || !again) {
                    stale_ = true;  // the next call re-reads the table
                    return std::move(r).error();
                }
                backoff(round);
                (void)refresh(gen);
                n = nullptr;
                continue;
            }
            if (r->reply->type != REDIS_REPLY_ERROR) return r;
            const std::string_view err(r->reply->str, r->reply->len);
            if (auto to = routing::parse_redirect(err, n->address())) {
                if (!again) return Error{Errc::store_unavailable, "redis: still redirected: " + std::string(err)};
                Conn* target = node(to->to);
                if (to->ask) {
                    asking = true;  // this command only; the slot stays where it is until MOVED
                } else {
                    set_owner(to->slot, target);
                    stale_ = true;  // other slots have probably moved too: re-read on the next call
                }
                n = target;
                continue;
            }
            if (transient(*r->reply)) {
                if (!again) return Error{Errc::store_unavailable, "redis: " + std::string(err)};
                backoff(round);
                if (starts_with(*r->reply, "CLUSTERDOWN")) (void)refresh(gen);
                n = nullptr;
                continue;
            }
            return r;
        }
    }

    // A prefix inside one slot (it holds a hash tag) lists that slot's owner; any other lists every
    // master in turn, the cursor "<master's first slot>-<its SCAN cursor>".
    Result<KeyPage> scan(std::string_view prefix, std::string_view cursor, std::size_t count) override {
        if (stale_.exchange(false)) (void)refresh(generation());
        KeyPage out;
        if (auto slot = routing::prefix_slot(prefix)) {
            const std::string from = cursor.empty() ? "0" : std::string(cursor);
            if (cursor == "0" || !is_cursor(from)) return Error{Errc::invalid_argument, "scan cursor is not a Redis cursor"};
            // A keyed command first: a MOVED corrects the table before SCAN (keyless) picks the node.
            auto probe = run(prefix, Command{Args().add("EXISTS").add(prefix)});
            if (!probe) return std::move(probe).error();
            auto page = scan_on(owner(*slot), from, prefix, count);
            if (!page) return std::move(page).error();
            out.cursor = page->first == "0" ? "" : page->first;
            out.keys = std::move(page->second);
            return out;
        }
        std::uint16_t first = 0;
        std::string node_cursor = "0";
        if (!cursor.empty()) {
            const auto dash = cursor.find('-');
            std::uint64_t s = 0;
            auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + std::min(dash, cursor.size()), s);
            if (dash == std::string_view::npos || ec != std::errc{} || p != cursor.data() + dash || s >= routing::kSlots ||
                !is_cursor(cursor.substr(dash + 1)))
                return Error{Errc::invalid_argument, "scan cursor is not a Redis Cluster cursor"};
            first = static_cast<std::uint16_t>(s);
            node_cursor = std::string(cursor.substr(dash + 1));
        }
        auto page = scan_on(owner(first), node_cursor, prefix, count);
        if (!page) return std::move(page).error();
        out.keys = std::move(page->second);
        if (page->first != "0") {
            out.cursor = std::to_string(first) + "-" + page->first;
        } else if (auto next = next_master(first)) {
            out.cursor = std::to_string(*next) + "-0";
        }
        return out;
    }

private:
    std::uint64_t generation() {
        std::shared_lock lock(table_mu_);
        return generation_;
    }

    Conn* owner(std::uint16_t slot) {
        std::shared_lock lock(table_mu_);
        return owner_[slot];
    }

    void set_owner(std::uint16_t slot, Conn* n) {
        std::unique_lock lock(table_mu_);
        owner_[slot] = n;
    }

    // The next master in the listing order (masters by their lowest slot) after the one whose
    // lowest slot is `first`: its lowest slot.
    std::optional<std::uint16_t> next_master(std::uint16_t first) {
        std::shared_lock lock(table_mu_);
        std::map<const Conn*, std::size_t> lowest;
        for (std::size_t s = 0; s < routing::kSlots; ++s)
            if (owner_[s] != nullptr) lowest.emplace(owner_[s], s);  // the first insertion is the lowest
        std::optional<std::uint16_t> next;
        for (const auto& [conn, s] : lowest)
            if (s > first && (!next || s < *next)) next = static_cast<std::uint16_t>(s);
        return next;
    }

    Result<std::pair<std::string, std::vector<std::string>>> scan_on(Conn* n, const std::string& from, std::string_view prefix,
                                                                      std::size_t count) {
        if (n == nullptr) return Error{Errc::store_unavailable, "redis: the cluster slot table is empty"};
        bool maybe_ran = false;
        auto r = n->send(Command{scan_args(from, prefix, count)}, false, &maybe_ran);
        if (!r) {
            stale_ = true;
            return std::move(r).error();
        }
        if (r->reply->type == REDIS_REPLY_ERROR)
            return Error{Errc::store_unavailable, "redis: " + std::string(r->reply->str, r->reply->len)};
        return scan_node(*r);
    }

    Conn* node(const Address& a) {
        std::lock_guard lock(nodes_mu_);
        auto& slot = nodes_[a.to_string()];
        if (!slot) slot = std::make_unique<Conn>(a, 0, opts_);
        return slot.get();
    }

    // Re-reads the slot table from the first node that answers (known masters, then the seeds),
    // unless another thread already did since `seen`.
    Status refresh(std::uint64_t seen) {
        std::lock_guard once(refresh_mu_);
        if (generation() != seen) return {};
        std::vector<Address> ask;
        {
            std::shared_lock lock(table_mu_);
            for (const Conn* c : owner_)
                if (c != nullptr && std::find(ask.begin(), ask.end(), c->address()) == ask.end()) ask.push_back(c->address());
        }
        for (const auto& s : seeds_)
            if (std::find(ask.begin(), ask.end(), s) == ask.end()) ask.push_back(s);
        std::string why;
        for (const auto& a : ask) {
            Conn* n = node(a);
            bool maybe_ran = false;
            auto r = n->send(Command{Args().add("CLUSTER").add("SLOTS")}, false, &maybe_ran);
            if (!r) {
                why += "; " + r.error().detail;
                continue;
            }
            auto ranges = routing::parse_cluster_slots(*r->reply, a);
            if (!ranges) {
                why += "; " + a.to_string() + ": " + ranges.error().detail;
                continue;
            }
            if (ranges->empty()) {
                why += "; " + a.to_string() + " serves no slots";
                continue;
            }
            std::array<Conn*, routing::kSlots> table{};
            table.fill(nullptr);
            for (const auto& rg : *ranges) {
                Conn* m = node(rg.master);
                for (std::size_t s = rg.first; s <= rg.last; ++s) table[s] = m;
            }
            std::unique_lock lock(table_mu_);
            owner_ = table;
            ++generation_;
            return {};
        }
        return {Errc::store_unavailable, "redis: no cluster node gave its slot table" + why};
    }

    std::vector<Address> seeds_;
    RedisOptions opts_;
    std::mutex nodes_mu_;
    std::map<std::string, std::unique_ptr<Conn>> nodes_;  // never shrinks: owner_ points into it
    std::shared_mutex table_mu_;
    std::array<Conn*, routing::kSlots> owner_{};
    std::uint64_t generation_ = 0;
    std::mutex refresh_mu_;
    std::atomic<bool> stale_{false};
};

class RedisStore final : public Store {
public:
    RedisStore(std::unique_ptr<Topology> t, const RedisOptions& o, bool cluster)
        : topo_(std::move(t)), opts_(o), cluster_(cluster) {}

    Status connect() { return topo_->connect(); }

    std::string_view backend() const noexcept override { return "redis"; }

    Result<std::optional<Bytes>> get(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        auto r = run(key, Command{Args().add("GET").add(key)});
        if (!r) return std::move(r).error();
        return optional_bytes(*r->reply);
    }

    Status put(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        Args a;
        a.add("SET").add(key).add(value);
        if (ttl.count() > 0) a.add("EX").add(static_cast<std::int64_t>(ttl.count()));
        auto r = run(key, Command{std::move(a)});
        if (!r) return std::move(r).error();
        return {};
    }

    Result<bool> put_if_absent(std::string_view key, ByteView value, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(value));
        Args a;
        a.add("SET").add(key).add(value).add("NX");
        if (ttl.count() > 0) a.add("EX").add(static_cast<std::int64_t>(ttl.count()));
        auto r = run(key, Command{std::move(a)});
        if (!r) return std::move(r).error();
        return r->reply->type == REDIS_REPLY_STATUS;
    }

    Result<bool> compare_and_set(std::string_view key, std::optional<ByteView> expected, ByteView desired) override {
        MFA_TRY(detail::check_key(key));
        MFA_TRY(detail::check_value(desired));
        Command c{Args().add(key).add(expected ? "1" : "0").add(expected ? *expected : ByteView{}).add(desired), Script::cas, 1};
        auto r = run(key, c);
        if (!r) return std::move(r).error();
        return r->reply->type == REDIS_REPLY_INTEGER && r->reply->integer == 1;
    }

    Result<bool> erase(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        auto r = run(key, Command{Args().add("DEL").add(key)});
        if (!r) return std::move(r).error();
        return r->reply->type == REDIS_REPLY_INTEGER && r->reply->integer > 0;
    }

    Result<std::optional<Bytes>> take(std::string_view key) override {
        MFA_TRY(detail::check_key(key));
        Command c{Args().add("GETDEL").add(key)};  // Redis >= 6.2
        c.wait = true;
        auto r = run(key, c);
        if (!r) return std::move(r).error();
        auto v = optional_bytes(*r->reply);
        if (v) MFA_TRY(durable(*r, "the taken value"));
        return v;
    }

    Result<std::int64_t> increment(std::string_view key, std::int64_t by, Ttl ttl) override {
        MFA_TRY(detail::check_key(key));
        Command c{Args().add(key).add(by).add(static_cast<std::int64_t>(ttl.count())), Script::incr, 1};
        auto r = run(key, c);
        if (!r) return std::move(r).error();
        if (r->reply->type != REDIS_REPLY_INTEGER) return Error{Errc::store_corrupt, "INCRBY reply"};
        return static_cast<std::int64_t>(r->reply->integer);
    }

    Result<KeyPage> scan(std::string_view prefix, std::string_view cursor, std::size_t count) override {
        if (count == 0 || count > kMaxKeyPageSize) return Error{Errc::invalid_argument, "scan page size must be 1..100000"};
        if (prefix.size() > kMaxKeyLength) return Error{Errc::limit_exceeded, "scan prefix longer than 512 bytes"};
        if (cursor.size() > 32) return Error{Errc::invalid_argument, "scan cursor is not a Redis cursor"};
        return topo_->scan(prefix, cursor, count);
    }

    Result<Attempt> attempt(const AttemptRequest& q) override {
        MFA_TRY(detail::check_request(q));
        const std::string& tk = q.throttle_key;
        if (cluster_) {
            // One script runs on one node: every key it touches must hash to the throttle key's slot.
            const auto slot = routing::key_slot(tk);
            for (const auto* k : {&q.guard_key, &q.advance_key, &q.consume_key, &q.absent_key})
                if (*k && routing::key_slot(**k) != slot)
                    return Error{Errc::invalid_argument, "redis cluster: the keys of one attempt must share a hash slot ('" +
                                                             tk.substr(0, 64) + "' and '" + (*k)->substr(0, 64) +
                                                             "'); give them one {hash tag}"};
        }
        // kAttemptScript's KEYS and ARGV (see there).
        const char flags[6] = {q.success ? '1' : '0',           q.guard_key ? '1' : '0',   q.guard_value ? '1' : '0',
                               q.advance_key ? '1' : '0',       q.consume_key ? '1' : '0', q.absent_key ? '1' : '0'};
        char rule[64];
        const int rule_len = std::snprintf(rule, sizeof rule, "%u %u %u %u %u", q.rule.free_failures, q.rule.base_delay,
                                           q.rule.max_delay, q.rule.lock_after, q.rule.lock_duration);
        Args a;
        a.add(tk).add(q.guard_key ? *q.guard_key : tk).add(q.advance_key ? *q.advance_key : tk)
            .add(q.consume_key ? *q.consume_key : tk).add(q.absent_key ? *q.absent_key : tk);
        a.add(q.now).add(q.step).add(std::string_view(flags, sizeof flags))
            .add(std::string_view(rule, static_cast<std::size_t>(rule_len)))
            .add(q.guard_value ? ByteView(*q.guard_value) : ByteView{});
        Command c{std::move(a), Script::attempt, 5};
        c.wait = q.advance_key.has_value() || q.consume_key.has_value();
        auto r = run(tk, c);
        if (!r) return std::move(r).error();
        auto parsed = attempt_reply(*r->reply);
        if (!parsed) return std::move(parsed).error();
        Attempt& out = *parsed;
        if (out.outcome == AttemptOutcome::accepted && c.wait) MFA_TRY(durable(*r, "the accepted step"));
        return out;
    }

private:
    // kAttemptScript's reply: 0 (accepted), or {outcome, failures, retry_after, newly_locked, last_step}.
    static Result<Attempt> attempt_reply(const redisReply& rep) {
        Attempt out;
        if (rep.type == REDIS_REPLY_INTEGER && rep.integer == 0) {
            out.outcome = AttemptOutcome::accepted;
            return out;
        }
        if (rep.type != REDIS_REPLY_ARRAY || rep.elements != 5) return Error{Errc::store_unavailable, "redis: unexpected attempt reply"};
        for (std::size_t i = 0; i < 5; ++i)
            if (rep.element[i]->type != REDIS_REPLY_INTEGER) return Error{Errc::store_unavailable, "redis: unexpected attempt reply"};
        const long long code = rep.element[0]->integer;
        if (code < 1 || code > 5) return Error{Errc::store_unavailable, "redis: unexpected attempt outcome"};
        out.outcome = static_cast<AttemptOutcome>(code);
        out.failures = static_cast<std::uint32_t>(rep.element[1]->integer);
        out.retry_after = rep.element[2]->integer;
        out.newly_locked = rep.element[3]->integer != 0;
        out.last_step = rep.element[4]->integer;
        return out;
    }

    static std::optional<Bytes> optional_bytes(const redisReply& r) {
        if (r.type != REDIS_REPLY_STRING) return std::nullopt;
        const auto* p = reinterpret_cast<const std::uint8_t*>(r.str);
        return Bytes(p, p + r.len);
    }

    // Fails closed when fewer replicas than asked confirmed the write: the step is spent on the
    // master, but a failover now could bring back a master without it, so it is not reported.
    Status durable(const Sent& s, std::string_view what) const {
        if (opts_.wait_replicas == 0 || s.acked >= static_cast<long long>(opts_.wait_replicas)) return {};
        return {Errc::store_unavailable, "redis: " + std::string(what) + " reached " + std::to_string(std::max(s.acked, 0LL)) +
                                             " of " + std::to_string(opts_.wait_replicas) + " replicas within " +
                                             std::to_string(opts_.wait_timeout.count()) + " ms (WAIT); not reported as done"};
    }

    // Runs a command and turns an error reply into the store's error.
    Result<Sent> run(std::string_view key, const Command& c) {
        auto r = topo_->run(key, c);
        if (!r) return r;
        if (r->reply->type == REDIS_REPLY_ERROR) {
            std::string msg(r->reply->str, r->reply->len);
            if (msg.find("CORRUPT") != std::string::npos || msg.rfind("ERR value is not an integer", 0) == 0)
                return Error{Errc::store_corrupt, "redis: " + msg};
            return Error{Errc::store_unavailable, "redis: " + msg};
        }
        return r;
    }

    std::unique_ptr<Topology> topo_;
    RedisOptions opts_;
    bool cluster_;
};

Result<std::shared_ptr<Store>> open_with(std::unique_ptr<Topology> t, const RedisOptions& opts, bool cluster) {
    if (const auto& lib = libhiredis(); !lib) return lib.error();
    if (opts.wait_replicas > 0 && (opts.wait_timeout.count() <= 0 || opts.wait_timeout >= opts.timeout))
        return Error{Errc::invalid_argument, "redis: wait_timeout_ms must be 1 .. the connection timeout - 1"};
    auto s = std::make_shared<RedisStore>(std::move(t), opts, cluster);
    MFA_TRY(s->connect());
    return std::shared_ptr<Store>(std::move(s));
}

std::vector<Address> addresses(const std::vector<HostPort>& v) {
    std::vector<Address> out;
    for (const auto& h : v) out.push_back({h.host, h.port});
    return out;
}

}  // namespace

Result<std::shared_ptr<Store>> open_redis_store(const std::string& host, std::uint16_t port, unsigned db,
                                                const RedisOptions& opts) {
    return open_with(std::make_unique<SingleNode>(Address{host, port}, db, opts), opts, false);
}

Result<std::shared_ptr<Store>> open_redis_sentinel_store(const std::vector<HostPort>& sentinels, const std::string& master,
                                                         unsigned db, const RedisOptions& opts) {
    if (sentinels.empty()) return Error{Errc::invalid_argument, "redis sentinel: no sentinel address"};
    if (master.empty()) return Error{Errc::invalid_argument, "redis sentinel: no master name"};
    return open_with(std::make_unique<SingleNode>(addresses(sentinels), master, db, opts), opts, false);
}

Result<std::shared_ptr<Store>> open_redis_cluster_store(const std::vector<HostPort>& seeds, const RedisOptions& opts) {
    if (seeds.empty()) return Error{Errc::invalid_argument, "redis cluster: no seed node"};
    return open_with(std::make_unique<Cluster>(addresses(seeds), opts), opts, true);
}

}  // namespace mfa::store

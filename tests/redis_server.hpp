// Starts a throwaway redis-server for a test: a free loopback port, a temporary directory, no
// persistence (--save '' --appendonly no). Stopped (SIGTERM, then waited for) by the destructor.
// available() is false, with a reason, when redis-server is not installed: tests then skip.
// RedisCluster starts 3 masters + 3 replicas and joins them (redis-cli --cluster create);
// RedisSentinelGroup a master, a replica and three sentinels. Both with 1 s failure detection.
#pragma once

#include "loopback_port.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace mfa::test {

class RedisServer {
public:
    // `extra`: more redis-server options; `config`: a config file's text (sentinels need one).
    explicit RedisServer(std::vector<std::string> extra = {}, const char* program = "redis-server", std::string config = {}) {
        const char* bin = std::getenv("MFA_REDIS_SERVER");
        std::string exe = std::string(program) == "redis-server" && bin && *bin ? bin : find(program);
        if (exe.empty()) {
            reason_ = std::string(program) + " is not installed (scripts/test.sh installs it)";
            return;
        }
        char tmpl[] = "/tmp/mfa-redis-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) {
            reason_ = "mkdtemp failed";
            return;
        }
        dir_ = tmpl;
        exe_ = exe;
        // A port another server took between the check and redis-server's bind makes it exit at
        // once: then another port.
        for (int attempt = 0; attempt < 5 && !ok_; ++attempt) {
            port_ = loopback_port(10000);  // a cluster node also listens on port + 10000 (its bus)
            std::error_code ec;
            std::filesystem::remove(dir_ + "/nodes.conf", ec);  // a cluster node's identity names its port
            const std::string port = std::to_string(port_);
            std::vector<std::string> argv{exe};
            if (!config.empty()) {
                const std::string conf = dir_ + "/redis.conf";
                std::ofstream(conf) << config << "\n";
                argv.push_back(conf);
            }
            argv.insert(argv.end(), {"--port", port, "--bind", "127.0.0.1", "--dir", dir_, "--logfile", dir_ + "/redis.log"});
            if (config.empty()) argv.insert(argv.end(), {"--save", "", "--appendonly", "no"});
            argv.insert(argv.end(), extra.begin(), extra.end());
            argv_ = std::move(argv);
            if (!start()) reason_ = std::string(program) + " did not start on port " + port + ": " + log_tail();
        }
        if (ok_) reason_.clear();
    }
    // Starts the server again after crash(), on the same port and directory (a cluster node keeps
    // its identity in nodes.conf and rejoins).
    bool restart() { return pid_ < 0 && start(); }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;
    ~RedisServer() {
        stop(SIGTERM);
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }

    // SIGKILL: a crash, for failover tests.
    void crash() { stop(SIGKILL); }
    bool running() const { return pid_ > 0; }
    const std::string& dir() const { return dir_; }
    bool available() const { return ok_; }
    const std::string& reason() const { return reason_; }
    unsigned short port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

    // One server for the whole test program.
    static RedisServer& shared() {
        static RedisServer s;
        return s;
    }

    static std::string find(const char* name) {
        for (const char* d : {"/usr/bin/", "/usr/local/bin/", "/usr/sbin/"}) {
            std::string p = std::string(d) + name;
            if (access(p.c_str(), X_OK) == 0) return p;
        }
        return {};
    }
private:
    // Up to 10 s for the first reply to PING: only then has a cluster node bound its bus port too.
    bool start() {
        pid_ = fork();
        if (pid_ == 0) {
            std::vector<char*> args;
            for (auto& a : argv_) args.push_back(a.data());
            args.push_back(nullptr);
            execv(exe_.c_str(), args.data());
            _exit(127);
        }
        for (int i = 0; i < 200; ++i) {
            if (answers_ping()) {
                ok_ = true;
                return true;
            }
            int st = 0;
            if (waitpid(pid_, &st, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        stop(SIGKILL);
        return false;
    }
    void stop(int sig) {
        if (pid_ > 0) {
            kill(pid_, sig);
            int st = 0;
            waitpid(pid_, &st, 0);
            pid_ = -1;
        }
    }
    bool answers_ping() const {
        const timeval timeout{1, 0};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeout);
        if (c == nullptr) return false;
        bool ok = false;
        if (c->err == 0) {
            auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
            ok = r != nullptr;
            if (r) freeReplyObject(r);
        }
        redisFree(c);
        return ok;
    }
    // The last lines of the server's log, for the reason a test skips.
    std::string log_tail() const {
        std::ifstream in(dir_ + "/redis.log");
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        std::string out;
        for (std::size_t i = lines.size() > 2 ? lines.size() - 2 : 0; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
        return out.empty() ? "no log" : out;
    }

    std::string dir_;
    std::string reason_;
    std::string exe_;
    std::vector<std::string> argv_;
    unsigned short port_ = 0;
    pid_t pid_ = -1;
    bool ok_ = false;
};

// Runs redis-cli with these arguments; its standard output (empty when it could not run).
inline std::string redis_cli(const std::string& args) {
    const std::string exe = RedisServer::find("redis-cli");
    if (exe.empty()) return {};
    std::string out;
    FILE* p = popen((exe + " " + args + " 2>&1").c_str(), "r");
    if (p == nullptr) return {};
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    pclose(p);
    return out;
}

// FLUSHALL on the server at this port; false when it refused (a replica is read-only) or is down.
inline bool redis_flushall(unsigned short port) {
    redisContext* c = redisConnect("127.0.0.1", port);
    if (c == nullptr || c->err) {
        if (c) redisFree(c);
        return false;
    }
    auto* r = static_cast<redisReply*>(redisCommand(c, "FLUSHALL"));
    const bool ok = r && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
    redisFree(c);
    return ok;
}

inline bool wait_until(const std::function<bool()>& ok, int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
        if (ok()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

class RedisCluster {
public:
    RedisCluster() {
        if (RedisServer::find("redis-cli").empty()) {
            reason_ = "redis-cli is not installed (Debian redis-tools)";
            return;
        }
        for (int i = 0; i < 6; ++i) {
            nodes_.push_back(std::make_unique<RedisServer>(std::vector<std::string>{
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000"}));
            if (!nodes_.back()->available()) {
                reason_ = nodes_.back()->reason();
                return;
            }
        }
        std::string args = "--cluster create";
        for (auto& n : nodes_) args += " 127.0.0.1:" + std::to_string(n->port());
        const std::string out = redis_cli(args + " --cluster-replicas 1 --cluster-yes");
        if (out.find("All 16384 slots covered") == std::string::npos) {
            reason_ = "redis-cli --cluster create failed: " + out.substr(out.size() > 400 ? out.size() - 400 : 0);
            return;
        }
        if (!wait_until([&] { return healthy(); }, 20)) {
            reason_ = "the cluster did not become healthy (cluster_state:ok, replicas in sync)";
            return;
        }
        ok_ = true;
    }
    bool available() const { return ok_; }
    const std::string& reason() const { return reason_; }
    // Seeds: the nodes from `first` on, wrapping (processes pass different ones).
    std::string url(std::size_t first = 0, const std::string& query = "") const {
        std::string u = "redis-cluster://";
        for (std::size_t i = 0; i < 3; ++i) u += (i ? "," : "") + addr(nodes_[(first + i) % nodes_.size()]->port());
        return u + "/" + query;
    }
    std::vector<std::unique_ptr<RedisServer>>& nodes() { return nodes_; }
    RedisServer* node_by_port(unsigned short port) {
        for (auto& n : nodes_)
            if (n->port() == port) return n.get();
        return nullptr;
    }
    unsigned short any_live_port() const {
        for (auto& n : nodes_)
            if (n->running()) return n->port();
        return 0;
    }
    // The port of the master serving `key`'s slot, as a live node sees it.
    unsigned short master_of(const std::string& key) const {
        const std::string slot = redis_cli("-p " + std::to_string(any_live_port()) + " cluster keyslot '" + key + "'");
        return master_of_slot(std::stoi(slot));
    }
    unsigned short master_of_slot(int slot) const {
        redisContext* c = redisConnect("127.0.0.1", any_live_port());
        if (c == nullptr || c->err) {
            if (c) redisFree(c);
            return 0;
        }
        auto* r = static_cast<redisReply*>(redisCommand(c, "CLUSTER SLOTS"));
        unsigned short port = 0;
        if (r && r->type == REDIS_REPLY_ARRAY)
            for (std::size_t i = 0; i < r->elements; ++i) {
                const redisReply* e = r->element[i];
                if (e->elements >= 3 && slot >= e->element[0]->integer && slot <= e->element[1]->integer)
                    port = static_cast<unsigned short>(e->element[2]->element[1]->integer);
            }
        if (r) freeReplyObject(r);
        redisFree(c);
        return port;
    }
    // Empties every master (replicas follow): a fresh store for a test case. False if a slot's
    // master refused.
    bool flushall() const {
        std::size_t masters = 0;
        for (auto& n : nodes_)
            if (n->running() && redis_flushall(n->port())) ++masters;
        return masters >= 3;
    }
    // Every live node says the cluster is ok and every live master has its replica in sync.
    bool healthy() const {
        for (auto& n : nodes_) {
            if (!n->running()) continue;
            const std::string p = std::to_string(n->port());
            if (redis_cli("-p " + p + " cluster info").find("cluster_state:ok") == std::string::npos) return false;
            const std::string repl = redis_cli("-p " + p + " info replication");
            // A master's replica is online (past its first sync): WAIT counts only those.
            if (live() == nodes_.size() && repl.find("role:master") != std::string::npos &&
                (repl.find("connected_slaves:1") == std::string::npos || repl.find("state=online") == std::string::npos))
                return false;
        }
        return true;
    }
    static std::string addr(unsigned short port) { return "127.0.0.1:" + std::to_string(port); }

    static RedisCluster& shared() {
        static RedisCluster c;
        return c;
    }

private:
    std::size_t live() const {
        std::size_t n = 0;
        for (auto& node : nodes_) n += node->running() ? 1 : 0;
        return n;
    }
    std::vector<std::unique_ptr<RedisServer>> nodes_;
    std::string reason_;
    bool ok_ = false;
};

// A master, its replica and three sentinels watching them as "mfa" (quorum 2).
class RedisSentinelGroup {
public:
    RedisSentinelGroup() {
        master_ = std::make_unique<RedisServer>();
        if (!master_->available()) {
            reason_ = master_->reason();
            return;
        }
        replica_ = std::make_unique<RedisServer>(std::vector<std::string>{"--replicaof", "127.0.0.1", std::to_string(master_->port())});
        if (!replica_->available()) {
            reason_ = replica_->reason();
            return;
        }
        const std::string conf = "sentinel monitor mfa 127.0.0.1 " + std::to_string(master_->port()) +
                                 " 2\nsentinel down-after-milliseconds mfa 1000\nsentinel failover-timeout mfa 5000\n";
        for (int i = 0; i < 3; ++i) {
            sentinels_.push_back(std::make_unique<RedisServer>(std::vector<std::string>{"--sentinel"}, "redis-server", conf));
            if (!sentinels_.back()->available()) {
                reason_ = sentinels_.back()->reason();
                return;
            }
        }
        const std::string mp = std::to_string(master_->port());
        if (!wait_until([&] {
                // A write the replica acknowledges: WAIT works from now on.
                return redis_cli("-p " + mp + " set mfa-probe 1") == "OK\n" && redis_cli("-p " + mp + " wait 1 1000") == "1\n" &&
                       redis_cli("-p " + std::to_string(sentinels_[0]->port()) + " sentinel sentinels mfa").find("127.0.0.1") !=
                           std::string::npos;
            }, 20)) {
            reason_ = "the sentinel group did not come up";
            return;
        }
        ok_ = true;
    }
    bool available() const { return ok_; }
    const std::string& reason() const { return reason_; }
    std::string url(const std::string& query = "") const {
        std::string u = "redis-sentinel://";
        for (std::size_t i = 0; i < sentinels_.size(); ++i) u += (i ? "," : "") + RedisCluster::addr(sentinels_[i]->port());
        return u + "/mfa" + query;
    }
    RedisServer& master() { return *master_; }
    // Empties the current master (its replica follows): a fresh store for a test case.
    bool flushall() const { return redis_flushall(master_port()); }
    RedisServer& replica() { return *replica_; }
    // The master's port as the first sentinel sees it.
    unsigned short master_port() const {
        const std::string out = redis_cli("-p " + std::to_string(sentinels_[0]->port()) + " sentinel get-master-addr-by-name mfa");
        const auto nl = out.find('\n');
        return nl == std::string::npos ? 0 : static_cast<unsigned short>(std::atoi(out.c_str() + nl + 1));
    }

    static RedisSentinelGroup& shared() {
        static RedisSentinelGroup g;
        return g;
    }

private:
    std::unique_ptr<RedisServer> master_, replica_;
    std::vector<std::unique_ptr<RedisServer>> sentinels_;
    std::string reason_;
    bool ok_ = false;
};

}  // namespace mfa::test

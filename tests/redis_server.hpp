// Starts a throwaway redis-server for a test: a free loopback port, a temporary directory, no
// persistence (--save '' --appendonly no). Stopped (SIGTERM, then waited for) by the destructor.
// available() is false, with a reason, when redis-server is not installed: tests then skip.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace mfa::test {

class RedisServer {
public:
    RedisServer() {
        const char* bin = std::getenv("MFA_REDIS_SERVER");
        std::string exe = bin && *bin ? bin : find("redis-server");
        if (exe.empty()) {
            reason_ = "redis-server is not installed (scripts/test.sh installs it)";
            return;
        }
        char tmpl[] = "/tmp/mfa-redis-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) {
            reason_ = "mkdtemp failed";
            return;
        }
        dir_ = tmpl;
        port_ = free_port();
        const std::string port = std::to_string(port_);
        pid_ = fork();
        if (pid_ == 0) {
            execl(exe.c_str(), exe.c_str(), "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", dir_.c_str(), "--logfile", (dir_ + "/redis.log").c_str(),
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        for (int i = 0; i < 200; ++i) {  // up to 10 s
            if (can_connect()) {
                ok_ = true;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        reason_ = "redis-server did not start on port " + port;
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;
    ~RedisServer() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int st = 0;
            waitpid(pid_, &st, 0);
        }
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }

    bool available() const { return ok_; }
    const std::string& reason() const { return reason_; }
    unsigned short port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

    // One server for the whole test program.
    static RedisServer& shared() {
        static RedisServer s;
        return s;
    }

private:
    static std::string find(const char* name) {
        for (const char* d : {"/usr/bin/", "/usr/local/bin/", "/usr/sbin/"}) {
            std::string p = std::string(d) + name;
            if (access(p.c_str(), X_OK) == 0) return p;
        }
        return {};
    }
    static unsigned short free_port() {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        socklen_t len = sizeof a;
        unsigned short port = 0;
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
            port = ntohs(a.sin_port);
        close(fd);
        return port;
    }
    bool can_connect() const {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port_);
        const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        close(fd);
        return ok;
    }

    std::string dir_;
    std::string reason_;
    unsigned short port_ = 0;
    pid_t pid_ = -1;
    bool ok_ = false;
};

}  // namespace mfa::test

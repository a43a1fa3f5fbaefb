// Starts a throwaway PostgreSQL cluster for a test: initdb and pg_ctl in a temporary folder, the
// Unix socket in that folder, TCP on 127.0.0.1 only (a free port; password authentication there,
// trust on the socket; TLS too, with a self-signed certificate for 127.0.0.1, when the openssl
// command is there). Stopped and removed by the destructor. initdb refuses to run as root, so as
// root the server runs as `nobody` (the folder is handed to it). available() is false, with a
// reason, when the PostgreSQL binaries are missing: tests then skip.
//   MFA_PG_BIN    the folder with initdb, pg_ctl, pgbench (default: the newest /usr/lib/postgresql/*/bin)
#pragma once

#include "loopback_port.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace mfa::test {

class PgServer {
public:
    static constexpr const char* kPassword = "s3cret-pw";  // the role's password over TCP

    PgServer() {
        bin_ = find_bin();
        if (bin_.empty()) {
            reason_ = "PostgreSQL binaries (initdb, pg_ctl) are not installed (Debian: postgresql)";
            return;
        }
        char tmpl[] = "/tmp/mfa-pg-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) {
            reason_ = "mkdtemp failed";
            return;
        }
        dir_ = tmpl;
        if (geteuid() == 0) {
            const passwd* pw = getpwnam("nobody");
            if (pw == nullptr) {
                reason_ = "running as root and there is no user 'nobody' to run the server as";
                return;
            }
            uid_ = pw->pw_uid;
            gid_ = pw->pw_gid;
            if (chown(dir_.c_str(), uid_, gid_) != 0) {
                reason_ = "cannot hand " + dir_ + " to nobody";
                return;
            }
        }
        port_ = free_port();
        const std::string data = dir_ + "/data";
        if (as_server({bin_ + "/initdb", "-D", data, "-U", "mfa", "--auth-local=trust", "--auth-host=scram-sha-256",
                       "-E", "UTF8", "--no-sync", "--no-instructions"},
                      true) != 0) {
            reason_ = "initdb failed (see " + dir_ + ")";
            return;
        }
        const bool tls = make_certificate();
        {
            std::ofstream conf(data + "/postgresql.conf", std::ios::app);
            conf << "listen_addresses = '127.0.0.1'\nport = " << port_ << "\nunix_socket_directories = '" << dir_
                 << "'\nmax_connections = 200\n";
            if (tls)
                conf << "ssl = on\nssl_cert_file = '" << dir_ << "/server.crt'\nssl_key_file = '" << dir_
                     << "/server.key'\n";
        }
        if (tls) cert_ = dir_ + "/server.crt";
        if (!start()) {
            reason_ = "pg_ctl start failed (log: " + dir_ + "/server.log)";
            return;
        }
        if (psql("ALTER ROLE mfa PASSWORD '" + std::string(kPassword) + "'") != 0 ||
            psql("CREATE DATABASE mfa") != 0) {
            reason_ = "cannot prepare the cluster (psql)";
            return;
        }
        ok_ = true;
    }
    PgServer(const PgServer&) = delete;
    PgServer& operator=(const PgServer&) = delete;
    ~PgServer() {
        if (started_) as_server({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}, true);
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }

    bool available() const { return ok_; }
    const std::string& reason() const { return reason_; }
    const std::string& bin() const { return bin_; }
    const std::string& dir() const { return dir_; }
    // The server's self-signed certificate (its own root for sslmode=verify-full), or empty: no TLS.
    const std::string& certificate() const { return cert_; }
    unsigned short port() const { return port_; }
    // Over the Unix socket (trust), to database `db`.
    std::string url(const std::string& db = "mfa") const {
        return "postgresql://mfa@/" + db + "?host=" + dir_ + "&port=" + std::to_string(port_);
    }
    // Over TCP on 127.0.0.1 with a password (SCRAM).
    std::string tcp_url(const std::string& password, const std::string& db = "mfa") const {
        return "postgresql://mfa:" + password + "@127.0.0.1:" + std::to_string(port_) + "/" + db;
    }

    // Runs SQL as the superuser through psql (0 on success).
    int psql(const std::string& sql, const std::string& db = "postgres") const {
        return run({bin_ + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", dir_, "-p", std::to_string(port_),
                    "-U", "mfa", "-d", db, "-c", sql},
                   true);
    }
    // A fresh, empty database.
    std::string create_database(const std::string& name) const {
        return psql("CREATE DATABASE " + name) == 0 ? name : std::string();
    }
    // pg_ctl restart -m fast: every session is closed; the server is back when it returns.
    bool restart() const {
        return as_server({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "-l", dir_ + "/server.log",
                          "restart"},
                         true) == 0;
    }

    // One server for the whole test program.
    static PgServer& shared() {
        static PgServer s;
        return s;
    }

    // Runs argv (as this process's user) and returns its exit status; quiet: output to /dev/null.
    static int run(const std::vector<std::string>& argv, bool quiet = false) { return spawn(argv, quiet, -1, -1); }

private:
    bool make_certificate() {
        const std::string openssl = "/usr/bin/openssl";
        if (access(openssl.c_str(), X_OK) != 0) return false;
        const std::string key = dir_ + "/server.key", crt = dir_ + "/server.crt";
        if (run({openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days", "2",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
                true) != 0)
            return false;
        // The server refuses a key that others can read, and must own it.
        if (chmod(key.c_str(), 0600) != 0) return false;
        if (uid_ >= 0 && (chown(key.c_str(), uid_, gid_) != 0 || chown(crt.c_str(), uid_, gid_) != 0)) return false;
        return true;
    }
    bool start() {
        started_ = as_server({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t", "60",
                              "start"},
                             true) == 0;
        return started_;
    }
    int as_server(const std::vector<std::string>& argv, bool quiet = false) const {
        return spawn(argv, quiet, uid_, gid_);
    }
    static int spawn(const std::vector<std::string>& argv, bool quiet, int uid, int gid) {
        std::fflush(nullptr);  // else the child's freopen writes the parent's buffered output again
        const pid_t pid = fork();
        if (pid == 0) {
            if (quiet) {
                if (std::FILE* f = std::freopen("/dev/null", "w", stdout)) (void)f;
                if (std::FILE* f = std::freopen("/dev/null", "w", stderr)) (void)f;
            }
            if (uid >= 0) {
                if (setgroups(0, nullptr) != 0 || setgid(static_cast<gid_t>(gid)) != 0 ||
                    setuid(static_cast<uid_t>(uid)) != 0)
                    _exit(126);
                if (chdir("/") != 0) _exit(126);
            }
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    static std::string find_bin() {
        if (const char* env = std::getenv("MFA_PG_BIN"); env && *env) return env;
        std::string best;
        int best_version = 0;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
            const std::string b = e.path().string() + "/bin";
            const int version = std::atoi(e.path().filename().c_str());
            if (version > best_version && access((b + "/initdb").c_str(), X_OK) == 0 &&
                access((b + "/pg_ctl").c_str(), X_OK) == 0) {
                best = b;
                best_version = version;
            }
        }
        return best;
    }
    static unsigned short free_port() { return loopback_port(); }

    std::string bin_, dir_, reason_, cert_;
    unsigned short port_ = 0;
    int uid_ = -1, gid_ = -1;
    bool started_ = false, ok_ = false;
};

}  // namespace mfa::test

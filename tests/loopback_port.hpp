// A free TCP port on 127.0.0.1 for the servers the tests start (tests/redis_server.hpp,
// tests/pg_server.hpp); 0 when none was found.
//
// Chosen below the kernel's ephemeral range (net.ipv4.ip_local_port_range): a port the kernel hands
// out for bind(0) is also one it hands out as the local end of outgoing connections, so between the
// check and the server's own bind another test's client socket could take it (CI saw a Redis Cluster
// node die on its bus port that way). Below the range only servers bind, and they pick at random.
// `also_free_above`: a second port that must be free too, at port + that (a cluster node's bus).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace mfa::test {

inline bool loopback_port_free(unsigned port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    const int one = 1;  // as servers bind: a port in TIME_WAIT counts as free
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<unsigned short>(port));
    const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
}

inline unsigned short loopback_port(unsigned also_free_above = 0) {
    unsigned ephemeral = 32768;
    std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral;
    constexpr unsigned lowest = 10000;  // above the well-known and most registered services
    if (ephemeral <= lowest + also_free_above + 1) return 0;
    std::uniform_int_distribution<unsigned> pick(lowest, ephemeral - also_free_above - 1);
    std::random_device seed;
    std::mt19937 rng(seed());
    for (int i = 0; i < 500; ++i) {
        const unsigned p = pick(rng);
        if (loopback_port_free(p) && (also_free_above == 0 || loopback_port_free(p + also_free_above)))
            return static_cast<unsigned short>(p);
    }
    return 0;
}

}  // namespace mfa::test

"""A free TCP port on 127.0.0.1 for the servers the Python tests start: tests/loopback_port.hpp in
Python, chosen the same way (below the kernel's ephemeral range, where no client socket can take it
between the check and the server's own bind; see there)."""
import random
import socket


def _free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def loopback_port(also_free_above: int = 0) -> int:
    """A port that is free, with port + also_free_above free too when that is set (a Redis Cluster
    node's bus)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    lowest = 10000
    for _ in range(500):
        port = random.randint(lowest, ephemeral - also_free_above - 1)
        if _free(port) and (also_free_above == 0 or _free(port + also_free_above)):
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")

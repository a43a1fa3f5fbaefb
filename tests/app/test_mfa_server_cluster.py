#!/usr/bin/python3
"""`mfa server --store redis-cluster://…` through the binary: a throwaway Redis Cluster (3 masters, 3
replicas, started here on loopback and stopped afterwards) behind the same store URL string the C
ABI takes. Enrollment, a policy, the audit chain and rewrap each touch keys on several masters.
Skipped (exit 77) when redis-server or redis-cli is missing."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import mfa_unittest
from loopback_port import loopback_port

MFA = os.environ["MFA_APP"]
SERVER = shutil.which("redis-server")
CLI = shutil.which("redis-cli")


@mfa_unittest.needs("redis")
@unittest.skipUnless(SERVER and CLI, "redis-server and redis-cli (Debian redis-server, redis-tools) are needed")
class ServerOnCluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.procs, cls.ports = [], []
        for i in range(6):
            port = loopback_port(10000)  # a cluster node also listens on port + 10000
            d = os.path.join(cls.tmp.name, str(i))
            os.mkdir(d)
            cls.procs.append(subprocess.Popen(
                [SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "", "--appendonly", "no",
                 "--cluster-enabled", "yes", "--cluster-node-timeout", "1000", "--logfile", os.path.join(d, "log")]))
            cls.ports.append(port)
        for port in cls.ports:
            for _ in range(100):
                if subprocess.run([CLI, "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
                    break
                time.sleep(0.1)
        r = subprocess.run([CLI, "--cluster", "create", *[f"127.0.0.1:{p}" for p in cls.ports],
                            "--cluster-replicas", "1", "--cluster-yes"], capture_output=True, text=True, timeout=60)
        assert "All 16384 slots covered" in r.stdout, r.stdout + r.stderr
        for _ in range(100):
            if all("cluster_state:ok" in subprocess.run([CLI, "-p", str(p), "cluster", "info"], capture_output=True,
                                                        text=True).stdout for p in cls.ports):
                break
            time.sleep(0.1)
        cls.url = "redis-cluster://" + ",".join(f"127.0.0.1:{p}" for p in cls.ports[:2]) + "/"

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            p.terminate()
            p.wait()
        cls.tmp.cleanup()

    def setUp(self):
        self.ring = os.path.join(self.tmp.name, "ring-" + self.id().rsplit(".", 1)[-1])
        r = subprocess.run([MFA, "server", "keyring-new", self.ring], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def ok(self, *args):
        r = subprocess.run([MFA, "server", "--store", self.url, "--keyring", self.ring, *args],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r.stdout

    def test_enroll_policy_audit_rewrap(self):
        for user in ("alice", "bob", "carol", "dave"):  # users land on different masters
            self.ok("enroll", user)
        self.ok("policy", "set", "acme", "--policy", '{"require":"everyone","grace_period":0}')
        self.assertEqual(json.loads(self.ok("policy", "show", "acme", "--json"))["require"], "everyone")
        v = json.loads(self.ok("audit", "verify"))
        self.assertEqual(v["status"], "intact")
        self.assertGreaterEqual(v["records"], 1)
        self.ok("keyring", "rotate")
        self.assertEqual(json.loads(self.ok("keyring", "rewrap", "--json"))["moved"], 0)  # pending only

    def test_bad_cluster_url(self):
        r = subprocess.run([MFA, "server", "--store", "redis-cluster://127.0.0.1:1/", "--keyring", self.ring,
                            "enroll", "alice"], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot connect", r.stderr)


if __name__ == "__main__":
    mfa_unittest.main()

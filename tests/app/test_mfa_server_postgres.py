#!/usr/bin/python3
"""`mfa server --store postgresql://…` through the binary, against a throwaway cluster started by
tests/with_postgres (MFA_TEST_POSTGRES_URL): enroll, confirm, verify with the replay guard shared by
two invocations, recovery codes, lock status, the audit chain; a bad store option and a wrong
password are refused without repeating the password. Skips (77) without a cluster."""
import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import tempfile
import time
import unittest
import mfa_unittest

MFA = os.environ["MFA_APP"]
URL = os.environ.get("MFA_TEST_POSTGRES_URL")


def mfa(*args, stdin=None):
    return subprocess.run([MFA, *args], input=stdin, capture_output=True, text=True, timeout=120)


def totp(secret_b32, step):
    """RFC 6238 with SHA-1, 6 digits: an independent computation of the code."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


@unittest.skipUnless(URL, "no PostgreSQL cluster (run through tests/with_postgres)")
class ServerOnPostgres(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.ring = os.path.join(self.tmp.name, "ring")
        r = mfa("server", "keyring-new", self.ring)
        self.assertEqual(r.returncode, 0, r.stderr)
        probe = self.srv("lock", "probe")
        if "without PostgreSQL support" in probe.stderr:
            self.skipTest("mfa was built without PostgreSQL support")

    def tearDown(self):
        self.tmp.cleanup()

    def srv(self, *args, store=None):
        return mfa("server", "--store", store or URL, "--keyring", self.ring, *args)

    def ok(self, *args):
        r = self.srv(*args)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r.stdout

    def test_enroll_verify_replay_recovery(self):
        user = "dave-%d" % os.getpid()
        secret = json.loads(self.ok("enroll", user))["secret"]
        step = int(time.time()) // 30
        self.assertEqual(json.loads(self.ok("confirm", user, totp(secret, step)))["status"], "ok")
        # Each invocation is a new process with its own pool: the accepted step is in the database.
        r = self.srv("verify", user, totp(secret, step))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["status"], "otp_code_replayed")
        self.assertEqual(json.loads(self.ok("verify", user, totp(secret, step + 1)))["status"], "ok")
        r = self.srv("verify", user, "000000")
        self.assertEqual(json.loads(r.stdout)["status"], "otp_code_mismatch")
        self.assertEqual(json.loads(self.ok("lock", user))["second_factor_failures"], 1)
        codes = json.loads(self.ok("recovery-codes", user))["codes"]
        self.assertEqual(len(codes), 10)
        self.assertEqual(json.loads(self.ok("recovery-codes", user, "--remaining"))["remaining"], 10)
        v = json.loads(self.ok("audit", "verify"))
        self.assertEqual(v["status"], "intact")
        self.assertGreater(v["records"], 0)

    def test_bad_store_urls(self):
        r = self.srv("lock", "erin", store=URL + "&pool_size=0")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("pool_size", r.stderr)
        r = self.srv("lock", "erin", store=os.environ["MFA_TEST_POSTGRES_WRONG_PASSWORD_URL"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("password authentication failed", r.stderr)
        self.assertNotIn("Wr0ngPa55", r.stderr + r.stdout)
        r = self.srv("lock", "erin", store=os.environ["MFA_TEST_POSTGRES_PASSWORD_URL"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["user"], "erin")


if __name__ == "__main__":
    mfa_unittest.main()

#!/usr/bin/python3
"""16 simultaneous logins of one user with one valid code through pamtester (pam_wrapper) and pam_mfa:
all 16 are brought to the prompt, then answered at once. On SQLite (one machine) and on Redis (one
machine, and four machines on the same store) exactly one is accepted and the others are refused as a
replay (or, once the replays have used up the free failures, throttled), never with a store or service
error. (The failure counts under a race
belong to the unit scenarios of tests/pam.)

Environment: MFA_APP, PAM_MFA_MODULE (tests/meson.build)."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfa_unittest  # noqa: E402
import peers_stack as ps  # noqa: E402

N = 16
REFUSALS = {"Authentication failure", "Have exhausted maximum number of retries for service"}


class Concurrency(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis_dir = tempfile.TemporaryDirectory(prefix="mfa-pam-race-redis-")
        cls.redis, cls.redis_why = ps.start_redis(cls.redis_dir.name)

    @classmethod
    def tearDownClass(cls):
        if cls.redis:
            cls.redis.__exit__(None, None, None)
        cls.redis_dir.cleanup()

    def setUp(self):
        why = ps.PamMfa("/", "").missing()
        if why:
            self.skipTest("; ".join(why))
        self.tmp = tempfile.TemporaryDirectory(prefix="mfa-pam-race-")
        self.addCleanup(self.tmp.cleanup)
        self.user = ps.login_user()

    def race(self, store_url, machines=1):
        mfa = ps.PamMfa(self.tmp.name, store_url)
        mfa.enroll(self.user)
        hosts = [mfa.machine(f"m{i}") for i in range(machines)]
        ps.wait_step_start(15)
        accepted, messages = ps.concurrent_logins(hosts, self.user, mfa.code(), N)
        self.assertEqual(accepted, 1, f"{accepted} of {N} logins accepted one code; refusals: {messages}")
        # The 15 replays count as failures, so the last ones may meet the throttle (PAM_MAXTRIES); a
        # store or service error would be a different message.
        self.assertTrue(set(messages) <= REFUSALS, messages)

    def test_sqlite(self):
        self.race("sqlite:" + os.path.join(self.tmp.name, "mfa.db"))

    def redis_url(self, db):
        if self.redis_why:
            self.skipTest(self.redis_why)
        return ps.redis_db(self.redis, db)

    def test_redis(self):
        self.race(self.redis_url(1))

    def test_redis_four_machines(self):
        self.race(self.redis_url(2), machines=4)


if __name__ == "__main__":
    mfa_unittest.main()

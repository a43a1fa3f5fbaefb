#!/usr/bin/python3
"""pam_mfa.so on a PostgreSQL store: a throwaway cluster started by tests/with_postgres
(MFA_TEST_POSTGRES_URL, over its Unix socket), the user's factor imported with `mfa server`, then
logins through pamtester (pam_wrapper) on two service lines playing two machines on the one store:
a valid code is accepted, its replay refused on either machine and counted in the store, and the
next step's code accepted. Skips (77) without a cluster, pamtester or libpam-wrapper.

Environment: MFA_APP, PAM_MFA_MODULE (tests/meson.build)."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfa_unittest  # noqa: E402
import pamenv  # noqa: E402

MODULE = os.environ.get("PAM_MFA_MODULE", "")
MFA = os.environ.get("MFA_APP", "")
URL = os.environ.get("MFA_TEST_POSTGRES_URL")
USER = pamenv.current_user()
WHY_NOT = (os.environ.get("PAM_MFA_NOT_BUILT") or pamenv.missing() or (None if os.path.exists(MODULE) else "PAM_MFA_MODULE does not name pam_mfa.so")
           or (None if URL else "no PostgreSQL cluster (run through tests/with_postgres)"))


@unittest.skipIf(WHY_NOT, WHY_NOT or "")
class PamOnPostgres(unittest.TestCase):
    def test_valid_code_then_its_replay(self):
        with tempfile.TemporaryDirectory() as tmp:
            env = pamenv.PamEnv(tmp, MODULE)
            secret = pamenv.random_secret()
            store = pamenv.Store(tmp, MFA, url=URL)
            ga = pamenv.write_private(os.path.join(tmp, "user.ga"), secret + '\n" TOTP_AUTH\n')
            store.server("import-google-authenticator", USER, ga)
            opts = f"store={URL} keyring={store.keyring} noenroll"
            env.service("host_a", "auth required {module} " + opts)
            env.service("host_b", "auth required {module} " + opts)
            pamenv.wait_for_fresh_step()
            code = pamenv.totp(secret)
            r = env.authenticate("host_a", USER, [code])
            self.assertTrue(r.ok, "a valid code is accepted: " + r.output + "\n".join(r.syslog))
            for host in ("host_a", "host_b"):
                r = env.authenticate(host, USER, [code])
                self.assertFalse(r.ok, f"the same code again on {host} is refused: " + r.output)
                self.assertTrue(any("replayed" in line for line in r.syslog), r.syslog)
            lock = json.loads(store.server("lock", USER).stdout)
            self.assertEqual(lock["second_factor_failures"], 2, "both replays counted in the store")
            # The next step's code still works: the refusals were replays, not a broken store.
            r = env.authenticate("host_b", USER, [pamenv.totp(secret, offset=1)])
            self.assertTrue(r.ok, r.output + "\n".join(r.syslog))


if __name__ == "__main__":
    mfa_unittest.main()

#!/usr/bin/python3
"""Crash safety: `mfa add` and `mfa hotp next` are killed with SIGKILL at random moments, hundreds
of times. After every kill the vault must open and hold either the state before the write or the
state after it: no account lost, no HOTP counter gone backwards. The vault is made with cheap
Argon2id parameters (make_test_vault) so that each unlock costs microseconds, not a second.
MFA_CRASH_ROUNDS sets the number of kills (default 300)."""
import json
import os
import random
import signal
import subprocess
import time
import unittest

from vault_helpers import MFA, Scratch
import mfa_unittest

ROUNDS = int(os.environ.get("MFA_CRASH_ROUNDS", "300"))


class CrashSafety(unittest.TestCase):
    def test_sigkill_during_writes(self):
        s = Scratch()
        try:
            env = s.env()
            s.ok("add", "--secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "--issuer", "Bank", "--name", "hotp", "--type", "hotp")
            # How long one write takes, to aim the kills at the whole of it.
            start = time.time()
            s.ok("add", "--secret", "JBSWY3DPEHPK3PXP", "--name", "warmup")
            span = max(time.time() - start, 0.005)
            confirmed = {"hotp", "warmup"}
            counter = 0
            rng = random.Random(1234)
            killed_mid_write = 0
            for i in range(ROUNDS):
                name = f"acct-{i}"
                secret = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
                if i % 3 == 2:
                    argv = [MFA, "hotp", "next", "hotp", "--passphrase-file", s.passfile]
                else:
                    argv = [MFA, "add", "--secret", secret, "--name", name, "--passphrase-file", s.passfile]
                p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0, span * 1.2))
                p.send_signal(signal.SIGKILL)
                out, _ = p.communicate()
                if p.returncode == -signal.SIGKILL:
                    killed_mid_write += 1
                listing = subprocess.run([MFA, "list", "--json", "--passphrase-file", s.passfile], env=env,
                                         capture_output=True, text=True, timeout=30)
                self.assertEqual(listing.returncode, 0, f"round {i}: the vault does not open: {listing.stderr}")
                accounts = json.loads(listing.stdout)
                names = {a["name"] for a in accounts}
                self.assertTrue(confirmed <= names, f"round {i}: lost {confirmed - names}")
                extra = names - confirmed
                self.assertTrue(extra <= {name}, f"round {i}: unexpected {extra}")
                confirmed |= extra
                now = next(a["counter"] for a in accounts if a["name"] == "hotp")
                self.assertIn(now, (counter, counter + 1), f"round {i}: counter {counter} -> {now}")
                # A code that was printed must have had its counter saved first.
                if i % 3 == 2 and out.strip():
                    self.assertEqual(now, counter + 1, f"round {i}: a code was shown but the counter was not saved")
                counter = now
            self.assertGreater(killed_mid_write, ROUNDS // 4, "too few kills landed while mfa was running")
            leftovers = [f for f in os.listdir(s.dir) if ".tmp-" in f]
            # A temporary of a killed write may remain until the next write removes it.
            self.assertLessEqual(len(leftovers), 1, leftovers)
            print(f"{ROUNDS} rounds, {killed_mid_write} killed while running, {len(confirmed)} accounts, counter {counter}")
        finally:
            s.cleanup()


if __name__ == "__main__":
    mfa_unittest.main()

#!/usr/bin/python3
"""Crash safety: `mfa add` and `mfa hotp next` are killed with SIGKILL at random moments, hundreds
of times. After every kill the vault must open and hold either the state before the write or the
state after it: no account lost, no HOTP counter gone backwards. The vault is made with cheap
Argon2id parameters (make_test_vault) so that each unlock costs microseconds, not a second.
MFA_CRASH_ROUNDS sets the number of kills (default 300).

Then the backups: `mfa` killed (strace -e inject) at the two exact moments a backup is half made,
a full disk (a small tmpfs) and a file size limit (RLIMIT_FSIZE): each leaves the vault as it was
and, after the next successful write, exactly one backup of every version."""
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import time
import unittest

from vault_helpers import MAKE_TEST_VAULT, MFA, PASSPHRASE, Scratch
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


_RNG = random.Random(99)
SECRETS = iter("".join(_RNG.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32)) for _ in range(1000))
RENAMES = "rename,renameat,renameat2"


class Backups(unittest.TestCase):
    """One backup per replaced version, whatever stops a write."""

    def setUp(self):
        self.s = Scratch()
        self.backups = os.path.join(self.s.dir, "backups")

    def tearDown(self):
        self.s.cleanup()

    def add(self, name):
        return self.s.run("add", "--secret", next(SECRETS), "--name", name)

    def names(self):
        return [a["name"] for a in self.s.json("list")]

    def generation(self):
        """The vault's generation, from its fixed header (docs/vault-format.md)."""
        with open(self.s.vault, "rb") as f:
            return int.from_bytes(f.read(48)[28:36], "big")

    def snapshot(self):
        """The vault's bytes and the backup folder's names and bytes."""
        files = {}
        if os.path.isdir(self.backups):
            for f in os.listdir(self.backups):
                with open(os.path.join(self.backups, f), "rb") as fh:
                    files[f] = fh.read()
        with open(self.s.vault, "rb") as fh:
            return fh.read(), files

    def assert_one_backup_per_version(self):
        """Every generation before the current one exactly once, published, and nothing else."""
        files = sorted(os.listdir(self.backups))
        self.assertEqual([f for f in files if not re.fullmatch(r"vault\.mfa\.\d{8}T\d{6}Z\.g\d+\.bak", f)], [], files)
        listed = json.loads(self.s.ok("backup", "list", "--json", passphrase=False))
        self.assertEqual(sorted(b["generation"] for b in listed), list(range(1, self.generation())), files)

    def save_renames(self):
        """The two renames of a save, as (syscall, its ordinal among calls of that syscall): the new
        vault over the old one, then the pending backup to its published name. Read from a traced
        save, as the C library picks the system call (rename on x86-64, renameat2 elsewhere)."""
        log = os.path.join(self.s.dir, "renames.log")
        subprocess.run(["strace", "-f", "-qq", "-o", log, "-e", "trace=" + RENAMES, MFA, "add", "--secret",
                        next(SECRETS), "--name", "traced", "--passphrase-file", self.s.passfile],
                       env=self.s.env(), check=True, capture_output=True, timeout=60)
        seen, found = {}, {}
        with open(log) as f:
            trace = f.read()
        for line in trace.splitlines():
            m = re.match(r"\d+\s+(\w+)\((.*)\)\s+=\s+0", line)
            if not m:
                continue
            seen[m[1]] = seen.get(m[1], 0) + 1
            if f'"{self.s.vault}"' in m[2] and ".tmp-" in m[2]:
                found["vault"] = (m[1], seen[m[1]])
            elif "/backups/." in m[2] and ".pending" in m[2]:
                found["publish"] = (m[1], seen[m[1]])
        self.assertEqual(set(found), {"vault", "publish"}, trace)
        self.s.ok("remove", "traced", "--yes")
        return found

    def killed_add(self, point, name):
        """After one account, `mfa add NAME` SIGKILLed (strace -e inject) on entry to the rename
        save_renames names `point`, which then does not run. The vault's bytes and the backups
        before, the generation before, and the backup folder after."""
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")
        self.assertEqual(self.add("a").returncode, 0)
        syscall, when = self.save_renames()[point]
        before, backups = self.snapshot()
        generation = self.generation()
        r = subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "-e", "trace=" + syscall,
                            "-e", f"inject={syscall}:signal=SIGKILL:when={when}",
                            MFA, "add", "--secret", next(SECRETS), "--name", name, "--passphrase-file", self.s.passfile],
                           env=self.s.env(), capture_output=True, text=True, timeout=60)
        self.assertIn(r.returncode, (-signal.SIGKILL, 128 + signal.SIGKILL), r.stderr)
        return before, backups, generation, self.snapshot()[1]

    def test_killed_before_the_new_vault_is_renamed(self):
        before, backups, generation, files = self.killed_add("vault", "lost")
        # Killed with the old version linked to its pending name, still the current vault.
        self.assertEqual(self.snapshot()[0], before)
        pending = [f for f in files if f.endswith(".pending")]
        self.assertEqual(len(pending), 1, files)
        self.assertEqual(os.stat(os.path.join(self.backups, pending[0])).st_ino, os.stat(self.s.vault).st_ino)
        self.assertEqual({f: b for f, b in files.items() if f not in pending}, backups)
        self.assertEqual(self.names(), ["a"])
        self.assertEqual(self.add("b").returncode, 0)
        self.assertEqual(self.names(), ["a", "b"])
        self.assertEqual(self.generation(), generation + 1)
        self.assert_one_backup_per_version()

    def test_killed_before_the_backup_is_published(self):
        before, _, generation, files = self.killed_add("publish", "b")
        # Killed with the new vault in place and the old one only under its pending name.
        pending = [f for f in files if f.endswith(".pending")]
        self.assertEqual([files[f] for f in pending], [before])
        self.assertEqual(self.names(), ["a", "b"])
        self.assertEqual(self.add("c").returncode, 0)
        self.assertEqual(self.names(), ["a", "b", "c"])
        self.assertEqual(self.generation(), generation + 2)
        self.assert_one_backup_per_version()
        # The version the killed write replaced is there under its published name, byte for byte.
        self.assertIn(before, self.snapshot()[1].values())

    def test_full_disk(self):
        disk = os.path.join(self.s.dir, "disk")
        os.mkdir(disk)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk], capture_output=True).returncode != 0:
            self.skipTest("cannot mount a tmpfs (needs root)")
        try:
            self.s.vault = os.path.join(disk, "vault.mfa")
            self.backups = os.path.join(disk, "backups")
            subprocess.run([MAKE_TEST_VAULT, self.s.vault, PASSPHRASE], check=True)
            for name in ("a", "b"):
                self.assertEqual(self.add(name).returncode, 0)
            with open(os.path.join(disk, "filler"), "wb", buffering=0) as f:
                for size in (65536, 4096, 1):
                    try:
                        while True:
                            f.write(b"\0" * size)
                    except OSError:
                        pass
            before = self.snapshot()
            for attempt in range(3):
                r = self.add(f"full-{attempt}")
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("No space left on device", r.stderr)
                self.assertIn(self.s.vault, r.stderr)
                self.assertEqual(self.snapshot(), before)
                self.assertEqual([f for f in os.listdir(disk) if ".tmp-" in f], [])
            os.unlink(os.path.join(disk, "filler"))
            self.assertEqual(self.add("c").returncode, 0)
            self.assertEqual(self.names(), ["a", "b", "c"])
            self.assert_one_backup_per_version()
        finally:
            subprocess.run(["umount", disk], check=True)

    def test_file_size_limit(self):
        self.assertEqual(self.add("a").returncode, 0)
        before = self.snapshot()
        size = len(before[0])
        # Below the size of the next version: its write fails with EFBIG (mfa ignores SIGXFSZ).
        limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, size // 2))
        r = subprocess.run([MFA, "add", "--secret", next(SECRETS), "--name", "big", "--passphrase-file", self.s.passfile],
                           env=self.s.env(), capture_output=True, text=True, timeout=60, preexec_fn=limit)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"writing " + re.escape(self.s.vault) + r": write .*\.tmp-\w+: File too large")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual([f for f in os.listdir(self.s.dir) if ".tmp-" in f], [])
        self.assertEqual(self.add("b").returncode, 0)
        self.assert_one_backup_per_version()


if __name__ == "__main__":
    mfa_unittest.main()

#!/usr/bin/python3
"""The vault commands as a person uses them, in a real terminal (a pty): passphrase prompts that do
not echo, interactive `mfa add`, confirmations, and `mfa code --watch` redrawing in place with a
countdown until Ctrl-C."""
import os
import pty
import re
import select
import signal
import time
import unittest

from vault_helpers import MFA, PASSPHRASE, Scratch
import mfa_unittest


class Terminal:
    """mfa in a pseudo-terminal: send keystrokes, wait for text, collect everything shown."""

    def __init__(self, args, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(MFA, [MFA, *args], env)
        self.seen = b""

    @classmethod
    def shell(cls, script, env):
        """/bin/sh -c SCRIPT in the terminal (to see what a shell sees after mfa ends)."""
        t = cls.__new__(cls)
        t.pid, t.fd = pty.fork()
        if t.pid == 0:
            os.execve("/bin/sh", ["/bin/sh", "-c", script], env)
        t.seen = b""
        return t

    def expect(self, pattern, timeout=20):
        deadline = time.time() + timeout
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        while time.time() < deadline:
            if rx.search(self.seen):
                return
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                self.seen += data
        if not rx.search(self.seen):
            raise AssertionError(f"timed out waiting for {pattern!r}; screen so far: {self.seen!r}")

    def send(self, text):
        os.write(self.fd, text.encode())

    def read_for(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    return

    def wait(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.read_for(0.2)
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self.read_for(0.1)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"mfa did not exit; screen: {self.seen!r}")


class Prompts(unittest.TestCase):
    def setUp(self):
        self.s = Scratch(create=False)

    def tearDown(self):
        self.s.cleanup()

    def test_init_add_and_unlock_by_prompt(self):
        env = self.s.env()
        t = Terminal(["init", "--kdf-memory", "19456", "--kdf-passes", "2"], env)
        t.expect("New vault passphrase: ")
        t.send(PASSPHRASE + "\n")
        t.expect("Repeat the passphrase: ")
        t.send(PASSPHRASE + "\n")
        t.expect("Created")
        self.assertEqual(t.wait(), 0)
        self.assertNotIn(PASSPHRASE.encode(), t.seen)      # never echoed

        t = Terminal(["init"], env)                         # a second init: refused before any prompt
        self.assertEqual(t.wait(), 1)
        self.assertIn(b"already exists", t.seen)

        # add: the passphrase first (a wrong one is asked again), then the account; the defaults
        # (Enter) for algorithm, digits and period.
        t = Terminal(["add"], env)
        t.expect("Passphrase for ")
        self.assertNotIn(b"Issuer", t.seen)
        t.send("wrong\n")
        t.expect(r"wrong passphrase; 2 tries left\r?\nPassphrase for [^\n]*: $")
        t.send(PASSPHRASE + "\n")
        t.expect("Issuer")
        t.send("GitHub\n")
        t.expect("Account name")
        t.send("alice\n")
        t.expect(r"Secret \(Base32, not shown\): ")
        t.send("JBSWY3DPEHPK3PXP\n")
        t.expect("Type")
        t.send("\n")
        t.expect(r"Algorithm \[SHA1/SHA256/SHA512\] \(SHA1\): ")
        t.send("\n")
        t.expect(r"Digits \(6\): ")
        t.send("\n")
        t.expect(r"Period in seconds \(30\): ")
        t.send("\n")
        t.expect("Added")
        self.assertEqual(t.wait(), 0)
        self.assertIn(b"GitHub:alice", t.seen)
        self.assertNotIn(b"JBSWY3DPEHPK3PXP", t.seen)
        self.assertNotIn(PASSPHRASE.encode(), t.seen)

        # Chosen values are kept; a bad one names the field.
        t = Terminal(["add"], env)
        t.expect("Passphrase for ")
        t.send(PASSPHRASE + "\n")
        for prompt, answer in [("Issuer", "Bank"), ("Account name", "bob"), ("Secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
                               ("Type", "totp"), ("Algorithm", "sha256"), ("Digits", "8"), ("Period", "60")]:
            t.expect(prompt)
            t.send(answer + "\n")
        t.expect("Added")
        self.assertEqual(t.wait(), 0)
        [bank] = [e for e in self.s.json("list") if e["issuer"] == "Bank"]
        self.assertEqual((bank["algorithm"], bank["digits"], bank["period"]), ("SHA256", 8, 60))
        t = Terminal(["add"], env)
        t.expect("Passphrase for ")
        t.send(PASSPHRASE + "\n")
        for prompt, answer in [("Issuer", "Shop"), ("Account name", "eve"), ("Secret", "JBSWY3DPEHPK3PXQ"),
                               ("Type", ""), ("Algorithm", ""), ("Digits", "12")]:
            t.expect(prompt)
            t.send(answer + "\n")
        self.assertEqual(t.wait(), 2)
        self.assertIn(b"digits", t.seen)

        # Three wrong passphrases: exit 3.
        t = Terminal(["list"], env)
        t.expect("Passphrase for ")
        for left in ("2 tries", "1 try"):
            t.send("wrong\n")
            t.expect(f"wrong passphrase; {left} left\r?\nPassphrase for [^\n]*: $")
        t.send("wrong\n")
        self.assertEqual(t.wait(), 3)
        self.assertIn(b"wrong passphrase", t.seen)

        # Confirmations: "n" keeps the account, "y" removes it.
        t = Terminal(["remove", "github", "--passphrase-file", self.s.passfile], env)
        t.expect(r"Remove GitHub:alice\?.*\[y/N\] ")
        t.send("n\n")
        self.assertEqual(t.wait(), 1)
        t = Terminal(["export", "--format", "uri", "--passphrase-file", self.s.passfile], env)
        t.expect(r"UNENCRYPTED\? \[y/N\] ")
        t.send("y\n")
        t.expect("otpauth://totp/GitHub:alice")
        self.assertEqual(t.wait(), 0)
        t = Terminal(["remove", "github", "--passphrase-file", self.s.passfile], env)
        t.expect(r"\[y/N\] ")
        t.send("y\n")
        t.expect("Removed")
        self.assertEqual(t.wait(), 0)

    def test_mismatched_passphrases(self):
        t = Terminal(["init", "--kdf-memory", "19456", "--kdf-passes", "2"], self.s.env())
        t.expect("New vault passphrase: ")
        t.send("one\n")
        t.expect("Repeat the passphrase: ")
        t.send("two\n")
        self.assertEqual(t.wait(), 2)
        self.assertIn(b"differ", t.seen)
        self.assertFalse(os.path.exists(self.s.vault))


    def test_ctrl_c_at_the_passphrase_prompt(self):
        # Ctrl-C while the passphrase is typed (echo off): mfa ends as interrupted, the shell shows
        # 130, no vault is made, and the terminal echoes again. The shell traps INT with a handler
        # (not an ignore, which mfa would inherit) so that it lives on to report.
        script = (f"trap : INT; {MFA} init --kdf-memory 19456 --kdf-passes 2; echo rc=$?; "
                  "stty -a | tr ' ' '\\n' | grep -x -e echo -e -echo")
        t = Terminal.shell(script, self.s.env())
        t.expect("New vault passphrase: ")
        t.send("half typed")
        t.send("\x03")
        t.expect(r"rc=130")
        t.expect(r"\n-?echo\r?\n")
        self.assertEqual(t.wait(), 0)
        self.assertRegex(t.seen, rb"\necho\r?\n", "the terminal's echo is back on")
        self.assertFalse(os.path.exists(self.s.vault))


class Watch(unittest.TestCase):
    def test_watch_redraws_in_place_until_ctrl_c(self):
        s = Scratch()
        try:
            s.ok("add", "--uri", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub")
            s.ok("add", "--uri", "otpauth://totp/GitLab:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitLab")
            t = Terminal(["code", "--watch", "--passphrase-file", s.passfile], s.env())
            t.expect(r"GitLab:alice +\d{3} \d{3}  \[[#.]{10}\] +\d+s  next \d{3} \d{3}")
            t.read_for(2.5)
            # Each later frame moves the cursor up over the two lines and rewrites them.
            self.assertGreaterEqual(t.seen.count(b"\x1b[2A"), 2, t.seen)
            self.assertIn(b"\r\x1b[K", t.seen)
            lefts = [int(x) for x in re.findall(rb"\] +(\d+)s", t.seen)]
            self.assertGreaterEqual(len(set(lefts)), 2)        # the countdown moved
            t.send("\x03")                                     # Ctrl-C
            self.assertEqual(t.wait(), 0)
        finally:
            s.cleanup()

    def test_watch_ends_by_itself_off_a_terminal(self):
        s = Scratch()
        try:
            s.ok("add", "--uri", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub")
            start = time.time()
            out = s.ok("code", "--watch", "--duration", "2")
            self.assertLess(time.time() - start, 10)
            self.assertEqual(len(out.strip().splitlines()), 2)   # one frame a second, no escapes
            self.assertNotIn("\x1b", out)
        finally:
            s.cleanup()


if __name__ == "__main__":
    mfa_unittest.main()

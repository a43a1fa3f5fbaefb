#!/usr/bin/python3
"""pam_mfa end to end over SSH: two sshd (Debian openssh-server) started here on free loopback ports,
each with its own host key and sshd_config (UsePAM, keyboard-interactive only) and its own PAM service
directory (pam_wrapper, so /etc/pam.d is not touched) whose auth line is pam_mfa on one throwaway
redis-server; a test user made with useradd; the ssh client answers the code prompt through a pty.
A valid code logs in and runs a command; the same code on the second sshd is refused, and a wrong code
is refused. sshd needs root to log another user in: not root → exit 77 with the reason (CI runs as root).

Environment: MFA_APP, PAM_MFA_MODULE (tests/meson.build)."""
import os
import pty
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfa_unittest  # noqa: E402
import peers_stack as ps  # noqa: E402
from loopback_port import loopback_port  # noqa: E402

SSHD = "/usr/sbin/sshd"
SSH = shutil.which("ssh") or "/usr/bin/ssh"
PRIVSEP_DIR = "/run/sshd"  # compiled into Debian's sshd; its systemd unit makes it at boot


class Sshd:
    """One sshd -D on 127.0.0.1:<free port> with its config, host key and PAM service in `root`."""

    def __init__(self, root, auth_line):
        self.root = root
        os.makedirs(root)
        self.pam = ps.Machine(root, [auth_line], service="sshd")
        with open(os.path.join(self.pam.service_dir, "sshd"), "a") as f:
            f.write("session required pam_permit.so\n")
        key = os.path.join(root, "host_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        self.port = loopback_port()
        self.config = os.path.join(root, "sshd_config")
        with open(self.config, "w") as f:
            f.write(f"ListenAddress 127.0.0.1:{self.port}\nHostKey {key}\nPidFile none\nUsePAM yes\n"
                    "KbdInteractiveAuthentication yes\nPasswordAuthentication no\nPubkeyAuthentication no\n"
                    "AuthenticationMethods keyboard-interactive\nStrictModes no\nUseDNS no\n"
                    "MaxStartups 50\nLogLevel VERBOSE\n")
        self.log = open(os.path.join(root, "sshd.log"), "wb")
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", self.config], stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.pam.environ())
        if not ps.wait_listening(self.port, self.proc):
            self.stop()
            raise RuntimeError(f"sshd did not start on port {self.port}: {self.log_text()}")

    def log_text(self):
        with open(os.path.join(self.root, "sshd.log"), errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()


def ssh_login(port, user, answer, command, known_hosts):
    """ssh user@127.0.0.1 -p port command, typing `answer` at the code prompt on its terminal (a pty):
    (exit status, everything the terminal showed)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(SSH, [SSH, "-F", "/dev/null", "-p", str(port), "-o", "StrictHostKeyChecking=no",
                           "-o", f"UserKnownHostsFile={known_hosts}", "-o", "PreferredAuthentications=keyboard-interactive",
                           "-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=20", f"{user}@127.0.0.1", command])
        finally:
            os._exit(127)
    seen, answered = b"", False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the client exited and closed its terminal
            break
        if not chunk:
            break
        seen += chunk
        if not answered and ps.PROMPT in seen.lower():
            os.write(fd, (answer + "\n").encode())
            answered = True
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


@unittest.skipUnless(os.geteuid() == 0, "sshd logs another user in only as root (CI runs the tests as root)")
class SshEndToEnd(unittest.TestCase):
    def setUp(self):
        why = ps.missing(SSHD, SSH) + ps.PamMfa("/", "").missing()
        if why:
            self.skipTest("; ".join(why))
        self.tmp = tempfile.mkdtemp(prefix="mfa-ssh-")
        self.addCleanup(shutil.rmtree, self.tmp, True)  # registered first: runs after every server stopped
        os.chmod(self.tmp, 0o755)
        self.redis, why = ps.start_redis(self.tmp)
        if why:
            self.skipTest(why)
        self.addCleanup(self.redis.__exit__, None, None, None)
        if not os.path.isdir(PRIVSEP_DIR):
            os.mkdir(PRIVSEP_DIR, 0o755)
            self.addCleanup(os.rmdir, PRIVSEP_DIR)
        self.user = "mfassh" + secrets.token_hex(4)
        home = os.path.join(self.tmp, "home")
        subprocess.run(["useradd", "-M", "-d", home, "-s", "/bin/sh", "-p", "*", self.user], check=True)
        self.addCleanup(subprocess.run, ["userdel", self.user], check=True)
        os.mkdir(home)
        shutil.chown(home, self.user)
        self.mfa = ps.PamMfa(self.tmp, self.redis.url)
        self.mfa.enroll(self.user)
        self.known_hosts = os.path.join(self.tmp, "known_hosts")

    def sshd(self, name):
        s = Sshd(os.path.join(self.tmp, name), self.mfa.auth_line())
        self.addCleanup(s.stop)
        return s

    def login(self, server, answer):
        marker = "mfa-ssh-" + secrets.token_hex(4)
        status, seen = ssh_login(server.port, self.user, answer, f"echo {marker} $(id -un)", self.known_hosts)
        return status == 0 and f"{marker} {self.user}" in seen, seen

    def test_valid_code_logs_in_and_its_replay_on_a_second_sshd_is_refused(self):
        first, second = self.sshd("a"), self.sshd("b")
        ps.wait_step_start(20)
        code = self.mfa.code()
        ok, seen = self.login(first, code)
        self.assertTrue(ok, f"valid code: {seen}\nsshd log:\n{first.log_text()}")
        ok, seen = self.login(second, code)
        self.assertFalse(ok, f"the code was accepted again on the second sshd: {seen}")
        self.assertIn("Permission denied", seen)
        self.assertIn("PAM: Authentication failure for " + self.user, second.log_text())

    def test_wrong_code_is_refused(self):
        server = self.sshd("c")
        ps.wait_step_start(20)
        wrong = "%06d" % ((int(self.mfa.code()) + 1) % 1000000)
        ok, seen = self.login(server, wrong)
        self.assertFalse(ok, seen)
        self.assertIn("Permission denied", seen)


if __name__ == "__main__":
    mfa_unittest.main()

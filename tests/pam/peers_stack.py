"""The PAM stacks the end-to-end, concurrency and peer tests drive (tests/pam/ssh_test.py,
concurrency_test.py, peers.py) and the login benchmark (bench/pam_logins.py): a pam_wrapper service
directory per "machine", pamtester answering the prompt on stdin, and the three modules set up the way
their admins would — pam_mfa against an SQLite or Redis store enrolled with `mfa server`,
google-authenticator-libpam with a secret file as `google-authenticator -t -d -f -r 3 -R 30 -w 3` writes
it, pam-u2f with an authfile. Nothing here mocks a module: each scenario runs the real .so files.

Environment: MFA_APP (the mfa binary), PAM_MFA_MODULE (pam_mfa.so); missing ones are reported by
missing(), which the tests turn into exit 77 (a failure under CI)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pamenv
from loopback_port import loopback_port
from pamenv import current_user as login_user
from pamenv import totp

PAM_WRAPPER = pamenv.PAM_WRAPPER or "libpam_wrapper.so"
SECURITY = "/lib/x86_64-linux-gnu/security"
GOOGLE_AUTHENTICATOR = SECURITY + "/pam_google_authenticator.so"
PAM_U2F = SECURITY + "/pam_u2f.so"
PROMPT = b"code"  # "Verification code: " (google-authenticator) and pam_mfa's prompt both end in it


def missing(*paths):
    """The reasons a scenario cannot run: pamenv's (pamtester, pam_wrapper) and each file in `paths`
    that is absent, with its Debian package."""
    packages = {GOOGLE_AUTHENTICATOR: "libpam-google-authenticator", PAM_U2F: "libpam-u2f"}
    why = [pamenv.missing()] if pamenv.missing() else []
    return why + [f"{p} is missing (Debian {packages.get(p, 'see scripts/packages.txt')})" for p in paths
                  if not os.path.exists(p)]


def wait_step_start(margin=8):
    """Sleeps into a fresh 30 s step when fewer than `margin` seconds of this one are left, so that one
    scenario's codes all belong to the step they were computed in."""
    pamenv.wait_for_fresh_step(margin=margin)


def wait_listening(port, proc, seconds=10):
    for _ in range(seconds * 20):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def start_redis(directory):
    """A pamenv.RedisServer started in `directory`: (server, None), or (None, why) when it cannot run.
    The caller stops it with server.__exit__(None, None, None)."""
    try:
        return pamenv.RedisServer(directory).__enter__(), None
    except RuntimeError as e:
        return None, str(e)


def redis_db(server, db):
    """The URL of database `db` on `server`: each scenario its own empty database."""
    return server.url.rsplit("/", 1)[0] + f"/{db}"


class Machine(pamenv.PamEnv):
    """One "machine": a pam_wrapper service directory (pamenv.PamEnv) holding the service `svc` with
    these auth lines and pam_permit for the account phase."""

    def __init__(self, root, auth_lines, service="svc"):
        super().__init__(root, auth_lines[0].split()[2])
        self.name = service
        self.service(service, *auth_lines, "account required pam_permit.so")

    def start(self, user):
        """pamtester at its prompt, its pipes in bytes."""
        return subprocess.Popen(self.command(self.name, user), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.environ())

    def login(self, user, answer, timeout=60):
        """One login answering the prompt with `answer`: (accepted, pamtester's output)."""
        r = self.authenticate(self.name, user, [answer], timeout=timeout)
        return r.ok, r.output


def wait_prompt(proc, timeout=30):
    """Reads pamtester's output up to the code prompt; what it read (so a caller can keep it)."""
    got = b""
    deadline = time.monotonic() + timeout
    fd = proc.stderr.fileno()  # pam_misc's conversation prompts on stderr
    while PROMPT not in got.lower():
        if time.monotonic() > deadline or proc.poll() is not None:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        got += chunk
    return got


def answer(proc, code, flush=True):
    """Types `code` at pamtester's prompt (nothing when code is empty); a pamtester that ended before its
    prompt (a throttled user is refused without one) is left to report why in its output."""
    try:
        if code:
            proc.stdin.write((code + "\n").encode())
        if flush:
            proc.stdin.flush()
    except BrokenPipeError:
        pass


def concurrent_logins(machines, user, code, n=16):
    """n pamtesters (spread over `machines`), all brought to the prompt first, then given the same code
    at once: how many were accepted, and the distinct failure outputs. Each is started once the one before
    is at its prompt (pamenv._one_pam_script_at_a_time says why): the logins still race where it
    matters, on the code."""
    procs = []
    for i in range(n):
        procs.append(machines[i % len(machines)].start(user))
        wait_prompt(procs[-1])
    for p in procs:
        answer(p, code, flush=False)
    for p in procs:
        answer(p, "", flush=True)
    accepted, messages = 0, set()
    for p in procs:
        out, err = p.communicate(timeout=60)
        out += err
        if p.returncode == 0:
            accepted += 1
        else:
            for line in out.decode(errors="replace").splitlines():
                if "pamtester:" in line and "invoking" not in line and "performing" not in line:
                    messages.add(line.split("pamtester:", 1)[1].strip())
    return accepted, sorted(messages)


def crash_rounds(machine, user, code, rounds=20):
    """SIGKILLs pamtester `rounds` times at spread-out points after it was given the code (0 to 20 ms:
    before, during and after the module's state write). Returns how many of the killed logins got as far
    as accepting (exit 0 before the kill)."""
    finished = 0
    for i in range(rounds):
        p = machine.start(user)
        wait_prompt(p)
        answer(p, code)
        time.sleep(i * 0.001)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if p.returncode == 0:
            finished += 1
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                f.close()
            except BrokenPipeError:  # the code it never read
                pass
    return finished


# --- the three modules -------------------------------------------------------------------------------

class GoogleAuthenticator:
    """google-authenticator-libpam: a secret file per machine, rewritten by the module on each login to
    keep its replay list and rate limit (the file `google-authenticator -t -d -f -r 3 -R 30 -w 3` makes)."""
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEI"

    def __init__(self, root, rate_limit=True):
        """rate_limit: the tool's default "-r 3 -R 30" (3 logins per 30 s); without it the scenarios
        show the replay guard and the file rewrite alone."""
        self.root = root
        self.rate_limit = rate_limit
        self.name = "google-authenticator-libpam" + ("" if rate_limit else " (no RATE_LIMIT)")

    def missing(self):
        return missing(GOOGLE_AUTHENTICATOR)

    def file_text(self):
        return (self.secret + ("\n\" RATE_LIMIT 3 30" if self.rate_limit else "") + "\n\" WINDOW_SIZE 3\n\" DISALLOW_REUSE\n\" TOTP_AUTH\n"
                + "".join(f"{10000000 + i * 1234567}\n" for i in range(5)))

    def machine(self, name, copy_of=None):
        """A machine with its own copy of the user's secret file (`copy_of`: that machine's file as it
        is now, the way an admin copies ~/.google_authenticator to a second server)."""
        d = os.path.join(self.root, name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "secret")
        if copy_of is not None:
            shutil.copyfile(copy_of.secret_path, path)
        else:
            with open(path, "w") as f:
                f.write(self.file_text())
        os.chmod(path, 0o600)
        m = Machine(d, [f"auth required {GOOGLE_AUTHENTICATOR} secret={path} user={login_user()}"])
        m.secret_path = path
        return m

    def enroll(self, user):
        del user  # the secret file is the enrollment

    def code(self, at=None):
        return totp(self.secret, at)

    def state_intact(self, machine):
        with open(machine.secret_path) as f:
            return f.read().split("\n", 1)[0] == self.secret


class PamMfa:
    """pam_mfa: the user enrolled once with `mfa server enroll/confirm` (pamenv.Store) in the store every
    machine's service line names (an SQLite file or a Redis database), the key ring shared the same way."""
    name = "pam_mfa"

    def __init__(self, root, store_url):
        self.root = root
        self.store_url = store_url
        # Absolute: libpam reads a relative module path as relative to its own security/ directory.
        self.module = os.path.abspath(os.environ["PAM_MFA_MODULE"]) if os.environ.get("PAM_MFA_MODULE") else ""
        self.app = os.environ.get("MFA_APP", "")
        self.store = None
        self.secret = None

    def missing(self):
        if os.environ.get("PAM_MFA_NOT_BUILT"):
            return [os.environ["PAM_MFA_NOT_BUILT"]]
        unset = [f"{v} is not set (tests/meson.build sets it)" for v, val in
                 (("PAM_MFA_MODULE", self.module), ("MFA_APP", self.app)) if not val]
        return unset or missing(self.module, self.app)

    def enroll(self, user):
        """Enrolls `user` and confirms with the previous step's code, so that the current step's code is
        still unused when the scenario starts."""
        if self.store is None:
            os.makedirs(self.root, exist_ok=True)
            self.store = pamenv.Store(self.root, self.app, self.store_url)
        self.secret = json.loads(self.store.server("enroll", user).stdout)["secret"]
        self.store.server("confirm", user, totp(self.secret, offset=-1))

    def machine(self, name, copy_of=None):
        """A machine on the store; `copy_of` with an SQLite store: this machine gets its own copy of
        that machine's database file (two servers sharing nothing but the user's enrollment), while a
        Redis store is the fleet's one store whatever the machine."""
        d = os.path.join(self.root, name)
        os.makedirs(d, exist_ok=True)
        url = self.store_url
        if copy_of is not None and url.startswith("sqlite:"):
            path = os.path.join(d, "mfa.db")
            shutil.copyfile(copy_of.store_url[len("sqlite:"):], path)
            url = "sqlite:" + path
        m = Machine(d, [self.auth_line(url)])
        m.store_url = url
        return m

    def auth_line(self, store_url=None):
        """The service file's auth line for pam_mfa on this store and key ring."""
        return f"auth required {self.module} store={store_url or self.store_url} keyring={self.store.keyring}"

    def code(self, at=None):
        return totp(self.secret, at)

    def state_intact(self, machine):
        """No file on the machine to damage: the store's transactions either happened or did not."""
        del machine
        return None

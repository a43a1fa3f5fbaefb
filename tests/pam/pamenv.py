"""A PAM stack run unprivileged for tests: pam_wrapper (LD_PRELOAD libpam_wrapper.so with
PAM_WRAPPER=1 and PAM_WRAPPER_SERVICE_DIR) reads the service files this module writes into a
temporary directory, and pamtester drives the stack, its conversation answered from stdin.

    env = PamEnv(tmpdir, module=os.environ["PAM_MFA_MODULE"])
    env.service("mfa", "auth required {module} store=sqlite:/tmp/x.db keyring=/tmp/ring")
    r = env.authenticate("mfa", "alice", ["123456"])
    assert r.ok, r.output

Also: totp() (RFC 6238 codes from a base32 secret, the stdlib only), Store (a key ring and a
SQLite or Redis store prepared through `mfa server`), and missing() naming what a host lacks (the
tests exit 77 then). Used by tests/pam/test_pam.py and the sshd / peer / concurrency tests."""
from __future__ import annotations

import base64
import fcntl
import glob
import json
import hashlib
import hmac
import os
import pwd
import re
import shutil
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from typing import Sequence

from loopback_port import loopback_port

PAMTESTER = shutil.which("pamtester")


def _find_wrapper() -> str | None:
    for pattern in ("/usr/lib/*/libpam_wrapper.so", "/usr/lib/libpam_wrapper.so", "/usr/lib64/libpam_wrapper.so"):
        for path in glob.glob(pattern):
            return path
    return None


PAM_WRAPPER = os.environ.get("PAM_WRAPPER_LIBRARY") or _find_wrapper()


def _one_pam_script_at_a_time() -> int:
    """pam_wrapper copies the service directory of each process into /tmp/pam.<letter>, the letter
    chosen by a check-then-create that two processes starting at the same moment can both pass; the one
    that exits first then deletes the directory the other still reads, whose login falls through to
    "other" (pam_deny: "Authentication failure", no prompt) or fails to start ("Initialization
    failure"). So no two PAM processes start at once on this machine: the test scripts that import this
    module run one at a time (this lock, held until the script exits; the other suites still run
    beside them), and within a script concurrent logins are started one after the other
    (peers_stack.concurrent_logins)."""
    fd = os.open("/tmp/mfa-pam-tests.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


_SCRIPT_LOCK = _one_pam_script_at_a_time()


def missing() -> str | None:
    """Why the PAM tests cannot run here (None when they can)."""
    if not PAMTESTER:
        return "pamtester is not installed (Debian pamtester, scripts/packages.txt [test])"
    if not PAM_WRAPPER:
        return "libpam_wrapper.so is not installed (Debian libpam-wrapper, scripts/packages.txt [test])"
    return None


def current_user() -> str:
    """The user the tests log in as: files the module imports must be owned by them."""
    return pwd.getpwuid(os.getuid()).pw_name


def hotp(secret_b32: str, counter: int, digits: int = 6) -> str:
    """The RFC 4226 (SHA-1) code of a base32 secret at a counter."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return str(value).zfill(digits)


def totp(secret_b32: str, at: float | None = None, digits: int = 6, period: int = 30, offset: int = 0) -> str:
    """The RFC 6238 (SHA-1) code of a base32 secret at time `at` (now), `offset` steps away."""
    return hotp(secret_b32, int((time.time() if at is None else at) // period) + offset, digits)


def wait_for_fresh_step(period: int = 30, margin: float = 3.0) -> None:
    """Sleeps past a step boundary when fewer than `margin` seconds of the current step are left,
    so that a code computed now is still the current one when the module checks it."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.1)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str  # pamtester's prompts and messages, and pam_wrapper's log lines

    @property
    def syslog(self) -> list[str]:
        """What the modules sent to syslog (pam_syslog), which pam_wrapper prints to stderr at
        PAM_WRAPPER_DEBUGLEVEL 2 and above: "user alice: wrong TOTP code ..."."""
        out = []
        for line in self.stderr.splitlines():
            i = line.find("SYSLOG(")
            if i >= 0 and "): " in line[i:]:
                out.append(line[i:].split("): ", 1)[1])
        return out

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def output(self) -> str:
        """pamtester's own lines and the prompts, without pam_wrapper's tracing."""
        # A prompt has no newline: pam_wrapper's next line starts right after it.
        return re.sub(r"PWRAP_[A-Z]+\[[^\n]*\n?", "", self.stdout + self.stderr)


class PamEnv:
    def __init__(self, directory: str, module: str):
        self.dir = directory
        self.module = os.path.abspath(module)
        self.service_dir = os.path.join(directory, "pam.d")
        os.makedirs(self.service_dir, exist_ok=True)
        # libpam falls back to "other" for anything a service does not configure: deny.
        self.service("other", "auth required pam_deny.so", "account required pam_deny.so",
                     "password required pam_deny.so", "session required pam_deny.so")

    def service(self, name: str, *lines: str) -> str:
        """Writes /etc/pam.d/<name> for pam_wrapper; `{module}` in a line is pam_mfa.so's path
        (replaced as text: `${USER}` in a module argument stays as it is)."""
        text = "\n".join(line.replace("{module}", self.module) for line in lines) + "\n"
        path = os.path.join(self.service_dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "LD_PRELOAD": PAM_WRAPPER or "",
            "PAM_WRAPPER": "1",
            "PAM_WRAPPER_SERVICE_DIR": self.service_dir,
            "PAM_WRAPPER_DEBUGLEVEL": "2",  # pam_syslog lines on stderr (Result.syslog)
        })
        if extra:
            env.update(extra)
        return env

    def command(self, service: str, user: str, operation: str = "authenticate",
                items: dict[str, str] | None = None) -> list[str]:
        cmd = [PAMTESTER or "pamtester", "-v"]
        for k, v in (items or {}).items():
            cmd += ["-I", f"{k}={v}"]
        return cmd + [service, user, operation]

    def authenticate(self, service: str, user: str, answers: Sequence[str] = (),
                     items: dict[str, str] | None = None, timeout: float = 60,
                     env: dict[str, str] | None = None) -> Result:
        """Runs `pamtester -v SERVICE USER authenticate`, each prompt answered by the next line of
        `answers` (pam_misc's conversation reads stdin when it is not a terminal)."""
        stdin = "".join(a + "\n" for a in answers)
        p = subprocess.run(self.command(service, user, "authenticate", items), input=stdin, capture_output=True,
                           text=True, timeout=timeout, env=self.environ(env))
        return Result(p.returncode, p.stdout, p.stderr)

    def start(self, service: str, user: str, items: dict[str, str] | None = None,
              env: dict[str, str] | None = None) -> subprocess.Popen:
        """pamtester started and not waited for (concurrent logins): write the answers to stdin."""
        return subprocess.Popen(self.command(service, user, "authenticate", items), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.environ(env))


class Store:
    """A key ring and a store prepared through the mfa binary (`mfa server …`)."""

    def __init__(self, directory: str, mfa_app: str, url: str | None = None, keyring: str | None = None):
        """A new key ring in `directory`, or `keyring` (an existing one: machines of a fleet share it)."""
        self.mfa = mfa_app
        self.keyring = keyring or os.path.join(directory, "pam.keyring")
        self.url = url or "sqlite:" + os.path.join(directory, "pam.db")
        if keyring is None:
            r = subprocess.run([mfa_app, "server", "keyring-new", self.keyring], capture_output=True, text=True,
                               timeout=60)
            if r.returncode != 0:
                raise RuntimeError("mfa server keyring-new: " + r.stderr)

    def options(self) -> str:
        return f"store={self.url} keyring={self.keyring}"

    def server(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        r = subprocess.run([self.mfa, "server", "--store", self.url, "--keyring", self.keyring, *args], input=stdin,
                           capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            raise RuntimeError(f"mfa server {' '.join(args)}: {r.stderr}")
        return r


REDIS_SERVER = shutil.which("redis-server")


class RedisServer:
    """A throwaway redis-server on 127.0.0.1 and a free port, no persistence, stopped on exit:

        with RedisServer(tmpdir) as redis:
            store = Store(tmpdir, mfa_app, url=redis.url)
    """

    def __init__(self, directory: str):
        self.dir = os.path.join(directory, "redis")
        os.makedirs(self.dir, exist_ok=True)
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> "RedisServer":
        if not REDIS_SERVER:
            raise RuntimeError("redis-server is not installed (Debian redis-server)")
        self.port = loopback_port()
        self.proc = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                                      "--save", "", "--appendonly", "no", "--logfile", os.path.join(self.dir, "log")])
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError("redis-server did not answer on port " + str(self.port))

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


class SoftKey:
    """A soft token served on a pty by `mfa softtoken serve` (a FIDO2 device for libfido2 at
    tty:/dev/pts/N), stopped on exit. presence="deny" refuses every touch."""

    def __init__(self, mfa_app: str, state: str, presence: str = "approve"):
        self.mfa, self.state, self.presence = mfa_app, state, presence
        self.proc: subprocess.Popen | None = None
        self.device = ""

    def __enter__(self) -> "SoftKey":
        # setsid: libfido2 opens the pty without O_NOCTTY (mfa/softtoken_bridge.hpp).
        self.proc = subprocess.Popen([self.mfa, "softtoken", "serve", self.state, "--json", "--presence", self.presence],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     start_new_session=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.__exit__()
            raise RuntimeError("mfa softtoken serve printed no device")
        self.device = "tty:" + json.loads(line)["path"]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None


def write_private(path: str, text: str) -> str:
    """A file only its owner can read (what the module demands of files it imports)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


def random_secret(nbytes: int = 20) -> str:
    return base64.b32encode(os.urandom(nbytes)).decode().rstrip("=")


def _cbor_item(data: bytes, i: int) -> tuple[object, int]:
    """One CBOR item at data[i] (integers, byte and text strings, arrays, maps: what a COSE key
    holds) and the offset after it."""
    major, info = data[i] >> 5, data[i] & 0x1F
    i += 1
    if info < 24:
        n = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        n = int.from_bytes(data[i:i + size], "big")
        i += size
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        raw = data[i:i + n]
        return (raw if major == 2 else raw.decode()), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _cbor_item(data, i)
            items.append(item)
        return items, i
    if major == 5:
        m = {}
        for _ in range(n):
            k, i = _cbor_item(data, i)
            m[k], i = _cbor_item(data, i)
        return m, i
    raise ValueError(f"CBOR major type {major} not expected in a COSE key")


def registered_credential(registration_json: str) -> tuple[bytes, bytes, str]:
    """From a RegistrationResponseJSON (`mfa token register`): the credential id, the raw public key
    as libfido2's fido_cred_pubkey_ptr gives it to pamu2fcfg (es256: x || y; eddsa: the 32 bytes),
    and pam-u2f's name of its COSE type."""
    reg = json.loads(registration_json)
    b64url = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    auth = b64url(reg["response"]["authenticatorData"])
    n = int.from_bytes(auth[53:55], "big")
    cred_id = auth[55:55 + n]
    key, _ = _cbor_item(auth, 55 + n)
    assert isinstance(key, dict)
    if key[3] == -7:
        return cred_id, key[-2] + key[-3], "es256"
    if key[3] == -8:
        return cred_id, key[-2], "eddsa"
    raise ValueError(f"COSE algorithm {key[3]} is not one pamu2fcfg writes here")


def pamu2fcfg_line(user: str, cred_id: bytes, public_key: bytes, cose_type: str = "es256",
                   options: str = "+presence") -> str:
    """The mapping line pamu2fcfg (pam-u2f 1.1) prints for a credential: user:keyHandle,publicKey,
    coseType,options with the key handle and the public key in standard base64."""
    return f"{user}:{base64.b64encode(cred_id).decode()},{base64.b64encode(public_key).decode()},{cose_type},{options}"


def old_pam_u2f_line(user: str, cred_id: bytes, public_key: bytes) -> str:
    """The same P-256 credential in pam-u2f's format before 1.1: user:keyHandle,publicKey with a
    websafe base64 key handle (no padding) and the hex of the uncompressed point."""
    kh = base64.urlsafe_b64encode(cred_id).decode().rstrip("=")
    point = bytes([4]) + public_key
    return f"{user}:{kh},{point.hex()}"

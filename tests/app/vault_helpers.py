"""Shared by the vault app tests: a scratch vault made cheap to unlock (make_test_vault), and a
runner for the mfa binary with the vault and passphrase file set."""
import json
import os
import shutil
import subprocess
import tempfile

MFA = os.environ["MFA_APP"]
MAKE_TEST_VAULT = os.environ["MFA_MAKE_TEST_VAULT"]
SOURCE = os.environ.get("MFA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PASSPHRASE = "correct horse battery staple"


class Scratch:
    """A temporary directory with a test vault in it (vault.mfa) and its passphrase file."""

    def __init__(self, create=True):
        self.dir = tempfile.mkdtemp(prefix="mfa-app-test-")
        self.vault = os.path.join(self.dir, "vault.mfa")
        self.passfile = os.path.join(self.dir, "pass")
        with open(self.passfile, "w") as f:
            f.write(PASSPHRASE + "\n")
        if create:
            subprocess.run([MAKE_TEST_VAULT, self.vault, PASSPHRASE], check=True)

    def env(self):
        e = dict(os.environ)
        e["MFA_VAULT"] = self.vault
        e.pop("XDG_DATA_HOME", None)
        return e

    def run(self, *args, stdin=None, passphrase=True, timeout=60):
        argv = [MFA, *args]
        if passphrase:
            argv += ["--passphrase-file", self.passfile]
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, env=self.env())

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        if r.returncode != 0:
            raise AssertionError(f"mfa {' '.join(args)}: rc {r.returncode}\n{r.stdout}\n{r.stderr}")
        return r.stdout

    def json(self, *args, **kw):
        return json.loads(self.ok(*args, "--json", **kw))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

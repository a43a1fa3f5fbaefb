#!/usr/bin/python3
"""`mfa token` and `mfa softtoken` through the binary, against soft tokens in temporary files:
info, PIN set/change/retries, register and login piped into `mfa webauthn verify-*` (the sign count
rising), credential management, reset; `mfa softtoken serve` in the background, driven by
fido2-token (libfido2's own tool) and by `mfa token --device tty:PATH`, stopped with SIGTERM."""
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import unittest
import mfa_unittest

MFA = os.environ["MFA_APP"]
PIN_INVALID = "PIN_INVALID"


def mfa(*args, stdin=None):
    return subprocess.run([MFA, *args], input=stdin, capture_output=True, text=True, timeout=60)


def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


class Token(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.state = os.path.join(self.tmp.name, "dev.token")
        self.dev = "soft:" + self.state
        self.pin = self.file("pin", "1234\n")
        self.pin2 = self.file("pin2", "56789\n")

    def tearDown(self):
        self.tmp.cleanup()

    def file(self, name, text):
        p = os.path.join(self.tmp.name, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def ok(self, *args, stdin=None):
        r = mfa("token", "--device", self.dev, *args, stdin=stdin)
        self.assertEqual(r.returncode, 0, f"mfa token {' '.join(args)}: {r.stderr}")
        return r.stdout

    @mfa_unittest.needs("fido2")
    def test_info_human_and_json(self):
        out = self.ok("info")
        self.assertIn("versions: FIDO_2_0, FIDO_2_1", out)
        self.assertIn("algorithms: -7, -8", out)
        info = json.loads(self.ok("--json", "info"))
        self.assertIn("hmac-secret", info["extensions"])
        self.assertFalse(info["options"]["clientPin"])
        self.assertEqual(info["pinRetries"], 8)
        self.assertTrue(os.path.exists(self.state))
        self.assertEqual(os.stat(self.state).st_mode & 0o777, 0o600)

    @mfa_unittest.needs("fido2")
    def test_pin_set_change_retries(self):
        self.assertEqual(self.ok("pin", "set", "--new-pin-file", self.pin), "PIN set\n")
        self.assertTrue(json.loads(self.ok("--json", "info"))["options"]["clientPin"])
        # A wrong current PIN: CTAP2 PIN_INVALID, exit 1, one attempt gone.
        r = mfa("token", "--device", self.dev, "pin", "change", "--pin-file", self.pin2, "--new-pin-file", self.pin)
        self.assertEqual(r.returncode, 1)
        self.assertIn(PIN_INVALID, r.stderr)
        self.assertEqual(self.ok("pin", "retries"), "7\n")
        self.ok("pin", "change", "--pin-file", self.pin, "--new-pin-file", self.pin2)
        self.assertEqual(json.loads(self.ok("--json", "pin", "retries")), {"pinRetries": 8})
        # No PIN file and no terminal: a clear error, not a hang.
        r = subprocess.run([MFA, "token", "--device", self.dev, "creds", "list"], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL, start_new_session=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--pin-file", r.stderr)

    @mfa_unittest.needs("fido2")
    def test_register_login_verify_creds_reset(self):
        self.ok("pin", "set", "--new-pin-file", self.pin)
        challenge = b64url(os.urandom(32))
        reg = json.loads(self.ok("--json", "register", "--rp-id", "example.com", "--user", "alice", "--resident",
                                 "--uv", "--pin-file", self.pin, "--challenge", challenge, "--alg", "eddsa"))
        self.assertEqual(reg["challenge"], challenge)
        self.assertEqual(reg["origin"], "https://example.com")
        record = os.path.join(self.tmp.name, "cred.json")
        v = mfa("webauthn", "verify-registration", "--rp-id", "example.com", "--origin", "https://example.com",
                "--challenge", challenge, "--user-handle", reg["userId"], "--require-uv", "--record-out", record,
                "--json", stdin=json.dumps(reg["credential"]))
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        verified = json.loads(v.stdout)
        self.assertEqual(verified["algorithm"], "EdDSA")
        self.assertEqual(verified["attestation_type"], "basic")
        cred_id = verified["credential_id"]

        last = 0
        for allow in ([], ["--credential-id", cred_id]):
            challenge = b64url(os.urandom(32))
            out = self.ok("login", "--rp-id", "example.com", "--uv", "--pin-file", self.pin,
                          "--challenge", challenge, *allow)
            v = mfa("webauthn", "verify-authentication", "--rp-id", "example.com", "--origin", "https://example.com",
                    "--challenge", challenge, "--record", record, "--record-out", record, "--require-uv", "--json",
                    stdin=out)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
            count = json.loads(v.stdout)["sign_count"]
            self.assertGreater(count, last)
            last = count
        # The same assertion replayed: the counter did not rise.
        v = mfa("webauthn", "verify-authentication", "--rp-id", "example.com", "--origin", "https://example.com",
                "--challenge", challenge, "--record", record, "--json", stdin=out)
        self.assertEqual(v.returncode, 1)
        self.assertEqual(json.loads(v.stdout)["error"], "webauthn_sign_count")

        creds = json.loads(self.ok("--json", "creds", "list", "--pin-file", self.pin))
        self.assertEqual(creds["existing"], 1)
        self.assertEqual(creds["rps"][0]["id"], "example.com")
        self.assertEqual(creds["rps"][0]["credentials"][0]["id"], cred_id)
        self.assertIn("alice", self.ok("creds", "list", "--pin-file", self.pin))
        self.assertEqual(self.ok("creds", "delete", cred_id, "--pin-file", self.pin), "deleted\n")
        r = mfa("token", "--device", self.dev, "login", "--rp-id", "example.com", "--uv", "--pin-file", self.pin)
        self.assertEqual(r.returncode, 1)
        self.assertIn("NO_CREDENTIALS", r.stderr)

        r = mfa("token", "--device", self.dev, "reset")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--yes", r.stderr)
        self.ok("reset", "--yes")
        self.assertFalse(json.loads(self.ok("--json", "info"))["options"]["clientPin"])

    @mfa_unittest.needs("fido2")
    def test_register_login_from_the_relying_partys_options(self):
        """--options: the JSON a server sends the browser in, the browser's response out."""
        self.ok("pin", "set", "--new-pin-file", self.pin)
        challenge, user_id = b64url(os.urandom(32)), b64url(b"user-7")
        options = json.dumps({"publicKey": {
            "rp": {"id": "example.com", "name": "Example"}, "user": {"id": user_id, "name": "alice"},
            "challenge": challenge, "pubKeyCredParams": [{"type": "public-key", "alg": -257},
                                                         {"type": "public-key", "alg": -8}],
            "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
            "extensions": {"credProps": True}}})
        r = mfa("token", "--device", self.dev, "register", "--options", "-", "--origin", "https://evil.example",
                "--pin-file", self.pin, stdin=options)
        self.assertEqual(r.returncode, 1, r.stderr)  # refused, as a browser refuses: not a usage error
        self.assertIn("RP ID 'example.com' is not evil.example", r.stderr)
        out = self.ok("register", "--options", "-", "--origin", "https://login.example.com", "--pin-file", self.pin,
                      stdin=options)
        reg = json.loads(out)
        self.assertEqual(reg["response"]["publicKeyAlgorithm"], -8)  # RS256 skipped: the first it supports
        self.assertEqual(reg["clientExtensionResults"]["credProps"], {"rk": True})
        record = os.path.join(self.tmp.name, "cred.json")
        v = mfa("webauthn", "verify-registration", "--rp-id", "example.com", "--origin", "https://login.example.com",
                "--challenge", challenge, "--user-handle", user_id, "--require-uv", "--record-out", record,
                stdin=out)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        challenge = b64url(os.urandom(32))
        options_file = self.file("get.json", json.dumps({"challenge": challenge, "rpId": "example.com",
                                                         "userVerification": "required"}))
        out = self.ok("login", "--options", options_file, "--origin", "https://login.example.com",
                      "--pin-file", self.pin)
        self.assertEqual(json.loads(out)["response"]["userHandle"], user_id)
        v = mfa("webauthn", "verify-authentication", "--rp-id", "example.com", "--origin", "https://login.example.com",
                "--challenge", challenge, "--record", record, "--require-uv", stdin=out)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        # Bad input names what is wrong and exits 2.
        for args, stdin, needle in [
                (["register", "--options", "-"], options, "--origin"),
                (["register", "--options", "-", "--origin", "https://example.com", "--rp-id", "x"], options, "drop"),
                (["login", "--options", "-", "--origin", "https://example.com"], '{"rpId": 5}', "'rpId' is not a string"),
                (["login", "--options", "-", "--origin", "https://example.com"], "[]", "not a JSON object"),
                (["login", "--options", os.path.join(self.tmp.name, "missing"), "--origin", "https://example.com"],
                 None, "cannot read")]:
            r = mfa("token", "--device", self.dev, *args, stdin=stdin)
            self.assertEqual(r.returncode, 2, f"{args}: {r.stderr}")
            self.assertIn(needle, r.stderr)

    def test_usage_errors(self):
        r = mfa("token", "--device", "nosuch:thing", "info")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nosuch", r.stderr)
        r = mfa("token", "--device", self.dev, "register", "--rp-id", "example.com")
        self.assertEqual(r.returncode, 2)  # --user is required
        r = mfa("token", "--device", self.dev, "login", "--rp-id", "example.com", "--challenge", "!!")
        self.assertEqual(r.returncode, 2)

    def test_softtoken_help_says_what_it_is_not(self):
        r = mfa("softtoken", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("not a security device", r.stdout)
        self.assertIn("development and testing", r.stdout)


class Serve(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.state = os.path.join(self.tmp.name, "served.token")

    def tearDown(self):
        self.tmp.cleanup()

    @mfa_unittest.needs("fido2")
    def test_serve_fido2_token_and_sigterm(self):
        p = subprocess.Popen([MFA, "softtoken", "serve", self.state], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        try:
            path = p.stdout.readline().strip()
            self.assertTrue(path.startswith("/dev/pts/"), path)
            out = mfa("token", "--device", "tty:" + path, "--json", "info")
            self.assertEqual(out.returncode, 0, out.stderr)
            aaguid = json.loads(out.stdout)["aaguid"]
            if shutil.which("fido2-token"):
                r = subprocess.run(["fido2-token", "-I", path], capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("FIDO_2_1", r.stdout)
                self.assertIn(aaguid.replace("-", ""), r.stdout.replace("-", ""))
            else:
                mfa_unittest.skip_part("fido2-token is not installed (Debian fido2-tools): the token was not read by it")
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=30)
            err = p.stderr.read()
            p.stdout.close()
            p.stderr.close()
        self.assertEqual(rc, 0, err)
        self.assertIn("development and testing only", err)
        # The served token's state persisted: the same AAGUID in process.
        info = mfa("token", "--device", "soft:" + self.state, "--json", "info")
        self.assertEqual(json.loads(info.stdout)["aaguid"], aaguid)


if __name__ == "__main__":
    mfa_unittest.main()

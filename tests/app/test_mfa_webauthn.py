#!/usr/bin/python3
"""`mfa webauthn verify-registration / verify-authentication` through the binary, over the ES256
vectors of tests/vectors/webauthn: records written and read back, JSON output, a failed step's
error name, exit codes (0 verified, 1 verification failed, 2 bad usage/input)."""
import json
import os
import subprocess
import tempfile
import unittest
import mfa_unittest

MFA = os.environ["MFA_APP"]
SOURCE = os.environ.get("MFA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
V = os.path.join(SOURCE, "tests", "vectors", "webauthn")


def read(name):
    with open(os.path.join(V, name)) as f:
        return f.read().strip()


def mfa(*args, stdin=None):
    return subprocess.run([MFA, "webauthn", *args], input=stdin, capture_output=True, text=True, timeout=60)


COMMON = ["--rp-id", "example.com", "--origin", "https://example.com"]


class WebAuthn(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.record = os.path.join(self.tmp.name, "cred.json")

    def tearDown(self):
        self.tmp.cleanup()

    def register(self, *extra):
        return mfa("verify-registration", os.path.join(V, "registration.json"), *COMMON,
                   "--challenge", read("registration.challenge"), "--user-handle", read("user_handle"),
                   "--record-out", self.record, *extra)

    def test_register_then_authenticate(self):
        r = self.register("--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertTrue(out["ok"])
        self.assertEqual(out["algorithm"], "ES256")
        self.assertEqual(out["attestation_format"], "none")
        with open(self.record) as f:
            self.assertEqual(json.load(f)["signCount"], 0)
        # From stdin, updating the record file in place (atomically).
        r = mfa("verify-authentication", *COMMON, "--challenge", read("assertion1.challenge"),
                "--record", self.record, "--record-out", self.record, "--json",
                stdin=read("assertion1.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["sign_count"], 7)
        with open(self.record) as f:
            self.assertEqual(json.load(f)["signCount"], 7)
        # The second assertion repeats counter 7: refused, or flagged with --counter-policy flag.
        args = ["verify-authentication", os.path.join(V, "assertion2.json"), *COMMON,
                "--challenge", read("assertion2.challenge"), "--record", self.record, "--json"]
        r = mfa(*args)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["error"], "webauthn_sign_count")
        r = mfa(*args, "--counter-policy", "flag")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(json.loads(r.stdout)["counter_regressed"])

    def test_failed_steps_and_usage(self):
        r = mfa("verify-registration", os.path.join(V, "registration.json"), "--rp-id", "example.com",
                "--origin", "https://example.org", "--challenge", read("registration.challenge"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("origin", r.stderr)
        r = mfa("verify-registration", os.path.join(V, "registration.json"), *COMMON,
                "--challenge", "AAAAAAAAAAAAAAAAAAAAAA", "--json")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["error"], "webauthn_challenge")
        r = self.register("--require-uv")
        self.assertEqual(r.returncode, 0, r.stderr)  # the registration carried UV
        r = mfa("verify-registration", *COMMON)  # no --challenge
        self.assertEqual(r.returncode, 2)
        r = mfa("verify-authentication", os.path.join(V, "assertion1.json"), *COMMON,
                "--challenge", read("assertion1.challenge"), "--record", os.path.join(V, "registration.json"))
        self.assertEqual(r.returncode, 2)  # not a credential record
        self.assertIn("credential record", r.stderr)

    def test_each_list_option_takes_one_value(self):
        # --origin O FILE used to make FILE an origin and then wait on stdin; each takes one word.
        for flag, value in (("--origin", "https://example.com"), ("--top-origin", "https://top.example"),
                            ("--alg", "-7"), ("--trust-anchor", "*:" + os.path.join(V, "user_handle"))):
            with self.subTest(flag=flag):
                args = ["verify-registration", "--rp-id", "example.com", "--challenge", read("registration.challenge")]
                if flag != "--origin":
                    args += ["--origin", "https://example.com"]
                args += [flag, value, os.path.join(V, "registration.json")]
                r = subprocess.run([MFA, "webauthn", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                   timeout=20)
                if flag == "--trust-anchor":   # the file given is no PEM: refused naming the flag, exit 2
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertIn("--trust-anchor", r.stderr)
                else:
                    self.assertEqual(r.returncode, 0, r.stderr)   # the file was read as the response
        r = self.register("--origin", "https://other.example", "--alg", "-7", "--alg", "-8")
        self.assertEqual(r.returncode, 0, r.stderr)          # repeatable, one value each
        r = mfa("verify-registration", os.path.join(V, "registration.json"), *COMMON, "--challenge",
                read("registration.challenge"), "--alg", "99999999999")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--alg", r.stderr)

    def test_usage_errors_exit_2(self):
        chal = ["--challenge", read("registration.challenge")]
        missing = os.path.join(self.tmp.name, "missing.json")
        cases = [
            (["verify-registration", missing, *COMMON, *chal], "missing.json"),
            (["verify-registration", os.path.join(V, "registration.json"), *COMMON, *chal,
              "--trust-anchor", "packed:" + missing], "--trust-anchor"),
            (["verify-registration", os.path.join(V, "registration.json"), *COMMON, *chal,
              "--trust-anchor", "fidou2f:" + os.path.join(V, "user_handle")], "fidou2f"),
            (["verify-registration", os.path.join(V, "registration.json"), *COMMON, "--challenge", "AAAA"],
             "--challenge"),
            (["verify-authentication", os.path.join(V, "assertion1.json"), *COMMON, "--challenge",
              read("assertion1.challenge"), "--record", missing], "--record"),
            (["verify-registration", os.path.join(V, "registration.json"), *COMMON, *chal,
              "--backup-state", "sometimes"], "--backup-state"),
            (["verify-registration", os.path.join(V, "registration.json"), *COMMON, *chal,
              "--mds", missing], "--mds"),
        ]
        for args, word in cases:
            with self.subTest(args=args):
                r = mfa(*args)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn(word, r.stderr)

    def test_policy_switches(self):
        # The vector registration has no backup flags: requiring them fails that step, forbidding passes.
        r = self.register("--backup-eligible", "required", "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("backup", json.loads(r.stdout)["message"].lower())
        for extra in (["--backup-eligible", "forbidden", "--backup-state", "forbidden"], ["--token-binding", "ignore"],
                      ["--reject-sha1-certificates", "--android-key-require-tee", "--safetynet-allow-no-cts",
                       "--safetynet-max-age", "120"]):
            with self.subTest(extra=extra):
                r = self.register(*extra)
                self.assertEqual(r.returncode, 0, r.stderr)
        r = self.register("--safetynet-max-age", "-1")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--safetynet-max-age", r.stderr)

    def test_resident_key_user_handle_from_the_registration(self):
        # `mfa token --json register` prints the credential with the options it was made with;
        # verify-registration takes the user handle from there when --user-handle is not given, so
        # a discoverable (resident-key) login, whose response carries userHandle, verifies.
        with open(os.path.join(V, "registration.json")) as f:
            credential = json.load(f)
        wrapped = json.dumps({"challenge": read("registration.challenge"), "userId": read("user_handle"),
                              "origin": "https://example.com", "credential": credential})
        r = mfa("verify-registration", "-", *COMMON, "--challenge", read("registration.challenge"),
                "--record-out", self.record, stdin=wrapped)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.record) as f:
            self.assertEqual(json.load(f)["userHandle"], read("user_handle"))
        for extra in ([], ["--discoverable"]):
            with self.subTest(extra=extra):
                r = mfa("verify-authentication", os.path.join(V, "assertion1.json"), *COMMON, "--challenge",
                        read("assertion1.challenge"), "--record", self.record, *extra)
                self.assertEqual(r.returncode, 0, r.stderr)
        # A --user-handle that contradicts the options is refused.
        r = mfa("verify-registration", "-", *COMMON, "--challenge", read("registration.challenge"),
                "--user-handle", "AAAA", stdin=wrapped)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("userId", r.stderr)
        # Without a user handle the record cannot own a discoverable login: the error says how to fix it.
        bare = os.path.join(self.tmp.name, "bare.json")
        r = mfa("verify-registration", os.path.join(V, "registration.json"), *COMMON, "--challenge",
                read("registration.challenge"), "--record-out", bare)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = mfa("verify-authentication", os.path.join(V, "assertion1.json"), *COMMON, "--challenge",
                read("assertion1.challenge"), "--record", bare)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--user-handle", r.stderr)


if __name__ == "__main__":
    mfa_unittest.main()

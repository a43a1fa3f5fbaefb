#!/usr/bin/python3
"""`mfa server` operator commands through the binary, against a SQLite store in a temporary
directory: policy show/set, password hash/verify/check, keyring rotate/retire/rewrap, webauthn
list/remove, import-google-authenticator and import-pam-u2f, each with --json and with the error a
bad input gets."""
import base64
import hashlib
import hmac
import json
import os
import struct
import sqlite3
import subprocess
import tempfile
import unittest
import mfa_unittest

MFA = os.environ["MFA_APP"]


def mfa(*args, stdin=None):
    return subprocess.run([MFA, *args], input=stdin, capture_output=True, text=True, timeout=120)


class Server(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.ring = os.path.join(self.tmp.name, "ring")
        self.db = "sqlite:" + os.path.join(self.tmp.name, "mfa.db")
        r = mfa("server", "keyring-new", self.ring)
        self.assertEqual(r.returncode, 0, r.stderr)

    def tearDown(self):
        self.tmp.cleanup()

    def srv(self, *args, stdin=None):
        return mfa("server", "--store", self.db, "--keyring", self.ring, *args, stdin=stdin)

    def ok(self, *args, stdin=None):
        r = self.srv(*args, stdin=stdin)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r.stdout

    def test_policy(self):
        default = json.loads(self.ok("policy", "show", "acme", "--json"))
        self.assertEqual(default["require"], "optional")
        out = self.ok("policy", "set", "acme", "--policy", '{"require":"everyone","grace_period":0}')
        self.assertIn("stored", out)
        self.assertEqual(json.loads(self.ok("policy", "show", "acme", "--json"))["require"], "everyone")
        path = os.path.join(self.tmp.name, "p.json")
        with open(path, "w") as f:
            f.write('{"require":"roles","roles":["admin"]}')
        stored = json.loads(self.ok("policy", "set", "acme", "--file", path, "--json"))
        self.assertEqual(stored["policy"]["roles"], ["admin"])
        bad = self.srv("policy", "set", "acme", "--policy", '{"require":"maybe"}')
        self.assertEqual(bad.returncode, 2)  # bad input, like a malformed URI
        self.assertIn("require", bad.stderr)
        self.assertEqual(bad.stdout, "")
        self.assertNotEqual(self.srv("policy", "set", "acme").returncode, 0)
        self.assertNotEqual(self.srv("policy", "set", "acme", "--file", path + ".missing").returncode, 0)

    def test_password(self):
        phc = json.loads(self.ok("password", "hash", "--json", stdin="correct horse battery\n"))["phc"]
        self.assertTrue(phc.startswith("$argon2id$v=19$m=19456,t=2,p=1$"))
        self.assertEqual(self.ok("password", "hash", stdin="x\n").count("$"), 5)
        v = json.loads(self.ok("password", "verify", phc, "--json", stdin="correct horse battery\n"))
        self.assertEqual(v, {"match": True, "needs_rehash": False})
        r = self.srv("password", "verify", phc, "--json", stdin="wrong\n")
        self.assertEqual(r.returncode, 1)
        self.assertFalse(json.loads(r.stdout)["match"])
        r = self.srv("password", "verify", "$md5$abc", stdin="x\n")
        self.assertEqual(r.returncode, 2)  # a malformed PHC string is bad input, not a mismatch
        self.assertTrue(r.stderr.startswith("mfa: "))
        self.assertEqual(r.stdout, "")
        c = json.loads(self.ok("password", "check", "--json", stdin="plenty-long-and-unusual-phrase 42\n"))
        self.assertTrue(c["acceptable"])
        r = self.srv("password", "check", "--json", stdin="short\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("shorter than 8", json.loads(r.stdout)["reason"])
        r = self.srv("password", "check", "--user", "alice", stdin="alice-is-my-name-1987\n")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stdout.startswith("refused: "))

    def test_keyring_new_refuses_an_existing_file(self):
        with open(self.ring, "rb") as f:
            before = f.read()
        r = mfa("server", "keyring-new", self.ring)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("already exists", r.stderr)
        self.assertIn(self.ring, r.stderr)
        self.assertEqual(r.stdout, "")
        with open(self.ring, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(os.stat(self.ring).st_mode & 0o777, 0o600)
        self.assertEqual(sorted(os.listdir(self.tmp.name)), ["ring"])
        # Somewhere new works, and the ring it writes opens the store.
        other = os.path.join(self.tmp.name, "other")
        r = mfa("server", "keyring-new", other)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["key"], 1)

    def test_keyring(self):
        rot = json.loads(self.ok("keyring", "rotate", "--json"))
        self.assertEqual(rot["key"], 2)
        self.assertEqual(rot["current"], 2)
        moved = json.loads(self.ok("keyring", "rewrap", "--json"))
        self.assertEqual(moved["moved"], 0)
        ret = json.loads(self.ok("keyring", "retire", "1", "--retain-until", "4102444800", "--json"))
        self.assertEqual(ret["key"], 1)
        r = self.srv("keyring", "retire", "2", "--retain-until", "4102444800")
        self.assertNotEqual(r.returncode, 0)  # the current key cannot be retired
        self.assertIn("mfa:", r.stderr)
        r = self.srv("keyring", "retire", "9", "--retain-until", "1")
        self.assertNotEqual(r.returncode, 0)

    def test_keyring_rewrap_moves_totp_secrets(self):
        self.ok("enroll", "alice")
        self.ok("keyring", "rotate")
        self.assertEqual(json.loads(self.ok("keyring", "rewrap", "--json"))["moved"], 0)  # pending only

    def test_audit_verify_catches_a_blinded_chain(self):
        for i in range(3):  # every stored policy is an audit record
            self.ok("policy", "set", "acme", "--policy", '{"require":"everyone","grace_period":%d}' % i)
        v = json.loads(self.ok("audit", "verify"))
        self.assertEqual(v["status"], "intact")
        self.assertGreaterEqual(v["records"], 3)
        self.assertEqual(v["anchor"], "%d:%s" % (v["records"], v["head"]))
        self.assertEqual(json.loads(self.ok("audit", "verify", "--expect-head", v["anchor"]))["records"], v["records"])
        other = v["anchor"][:-1] + ("1" if v["anchor"][-1] == "0" else "0")
        r = self.srv("audit", "verify", "--expect-head", other)
        self.assertEqual(r.returncode, 1)
        self.assertIn("expected head", r.stderr)
        self.assertEqual(r.stdout, "")
        r = self.srv("audit", "verify", "--expect-head", "three:abc")
        self.assertEqual(r.returncode, 2)  # bad input
        self.assertIn("record count", r.stderr)
        # Deleting the head key needs no hash; it must not read as an empty, intact log.
        db = sqlite3.connect(self.db[len("sqlite:"):])
        with db:
            db.execute("DELETE FROM kv WHERE k = 'mfa:audit:{:audit}:head'")
        db.close()
        r = self.srv("audit", "verify")
        self.assertEqual(r.returncode, 1)
        self.assertIn("head is missing", r.stderr)
        self.assertNotIn("intact", r.stdout)

    def test_webauthn(self):
        self.assertEqual(json.loads(self.ok("webauthn", "list", "alice", "--json")), [])
        self.assertEqual(self.ok("webauthn", "list", "alice"), "no security keys\n")
        r = self.srv("webauthn", "remove", "alice", "AAAA")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no such security key", r.stderr)
        r = self.srv("webauthn", "remove", "alice", "not base64!")
        self.assertEqual(r.returncode, 2)

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_import_google_authenticator(self):
        secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

        def hotp(counter):
            mac = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
            o = mac[-1] & 0x0F
            return str((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000).zfill(6)

        ga = self.write("ga", f'{secret}\n" HOTP_COUNTER 5\n" WINDOW_SIZE 3\n" DISALLOW_REUSE\n11112222\n')
        out = json.loads(self.ok("import-google-authenticator", "alice", ga))
        self.assertEqual((out["user"], out["totp_imported"], out["recovery_codes"]), ("alice", True, 1), out)
        self.assertIn("HOTP counter 5 and WINDOW_SIZE 3 kept", out["notes"][0])
        self.assertEqual(self.srv("verify", "alice", hotp(8)).returncode, 1, "beyond the window 5, 6, 7")
        self.assertEqual(json.loads(self.ok("verify", "alice", hotp(6)))["ok"], True)
        self.assertEqual(self.srv("verify", "alice", hotp(6)).returncode, 1, "once")
        again = self.srv("import-google-authenticator", "alice", ga)
        self.assertEqual(again.returncode, 1, "the user has a factor: kept")
        self.assertFalse(json.loads(again.stdout)["totp_imported"])
        bad = self.srv("import-google-authenticator", "bob", self.write("bad", f'{secret}\n" TOTP_AUTH\n12\n'))
        self.assertEqual(bad.returncode, 2)
        self.assertIn("google_authenticator line 3: a scratch code must be 8 digits", bad.stderr)
        self.assertEqual(self.srv("import-google-authenticator", "bob", ga + ".missing").returncode, 2)

    def test_import_pam_u2f(self):
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
        point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        key = base64.b64encode(point[1:]).decode()
        path = self.write("authfile", f"# fleet\nalice:AQID,{key},es256,+presence:BAUG,{key},es256,+presence+pin\n"
                                      f"bob:CgsM,{point.hex()}\ncarol:*,{key},es256\n")
        one = json.loads(self.ok("import-pam-u2f", path, "--user", "bob"))
        self.assertEqual(one["keys_imported"], 1)
        self.assertEqual([u["user"] for u in one["users"]], ["bob"])
        out = json.loads(self.ok("import-pam-u2f", path))
        self.assertEqual(out["keys_imported"], 2, out)
        by_user = {u["user"]: u for u in out["users"]}
        self.assertEqual(by_user["alice"]["line"], 2)
        self.assertIn("resident credential", by_user["carol"]["notes"][0])
        self.assertEqual(len(json.loads(self.ok("webauthn", "list", "alice", "--json"))), 2)
        again = self.srv("import-pam-u2f", path)
        self.assertEqual(again.returncode, 1, "nothing new")
        missing = self.srv("import-pam-u2f", path, "--user", "dave")
        self.assertEqual(missing.returncode, 1, missing.stderr)
        self.assertIn("no line for dave", missing.stderr)
        bad = self.srv("import-pam-u2f", self.write("bad", f"erin:BAUG,{key},es384\n"))
        self.assertEqual(bad.returncode, 2)
        self.assertIn("u2f_keys line 1, credential 1: COSE type", bad.stderr)


if __name__ == "__main__":
    mfa_unittest.main()

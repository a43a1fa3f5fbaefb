#!/usr/bin/python3
"""`mfa server` administration through the binary, against a SQLite store in a temporary directory:
members, audit list (every filter, pages, --json) and export, application events, account
delete/restore/status, purge --now (as cron runs it), api-keys list/revoke, password-state; and the
exit code and message bad input gets."""
import json
import os
import subprocess
import tempfile
import time
import unittest
import mfa_unittest

MFA = os.environ["MFA_APP"]


def mfa(*args):
    return subprocess.run([MFA, *args], capture_output=True, text=True, timeout=120)


class ServerAdmin(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.ring = os.path.join(self.tmp.name, "ring")
        self.db = "sqlite:" + os.path.join(self.tmp.name, "mfa.db")
        r = mfa("server", "keyring-new", self.ring)
        self.assertEqual(r.returncode, 0, r.stderr)

    def tearDown(self):
        self.tmp.cleanup()

    def srv(self, *args, actor="operator"):
        return mfa("server", "--store", self.db, "--keyring", self.ring, "--actor", actor, *args)

    def ok(self, *args, actor="operator"):
        r = self.srv(*args, actor=actor)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r.stdout

    def test_members_and_audit(self):
        self.assertIn("alice is owner of acme", self.ok("members", "set", "alice", "acme", "--role", "owner"))
        self.ok("members", "set", "bob", "acme", actor="alice")
        self.ok("members", "set", "carol", "globex", "--role", "admin")
        self.assertEqual(json.loads(self.ok("members", "show", "bob", "--json"))["role"], "member")
        self.assertEqual([m["user"] for m in json.loads(self.ok("members", "list", "acme", "--json"))], ["alice", "bob"])
        seq = json.loads(self.ok("audit", "append", "--event", "app.role_changed", "--subject", "bob", "--detail",
                                 "member -> admin", "--json", actor="alice"))["seq"]
        self.assertEqual(seq, 4)
        bad = self.srv("audit", "append", "--event", "role_changed")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("app.", bad.stderr)

        page = json.loads(self.ok("audit", "list", "--org", "acme", "--json"))
        self.assertEqual([e["type"] for e in page["events"]], ["app.role_changed", "membership.changed", "membership.changed"])
        self.assertIsNone(page["next_cursor"])
        self.assertEqual(len(json.loads(self.ok("audit", "list", "--org", "globex", "--json"))["events"]), 1)
        self.assertEqual(len(json.loads(self.ok("audit", "list", "--user", "bob", "--json"))["events"]), 2)
        self.assertEqual(len(json.loads(self.ok("audit", "list", "--actor", "alice", "--json"))["events"]), 2)
        self.assertEqual(len(json.loads(self.ok("audit", "list", "--event", "app.*", "--json"))["events"]), 1)
        now = int(time.time())
        self.assertEqual(json.loads(self.ok("audit", "list", "--since", str(now + 3600), "--json"))["events"], [])
        self.assertEqual(len(json.loads(self.ok("audit", "list", "--until", str(now + 3600), "--json"))["events"]), 4)
        first = json.loads(self.ok("audit", "list", "--limit", "2", "--json"))
        self.assertEqual([e["seq"] for e in first["events"]], [4, 3])
        rest = json.loads(self.ok("audit", "list", "--limit", "2", "--cursor", first["next_cursor"], "--json"))
        self.assertEqual([e["seq"] for e in rest["events"]], [2, 1])
        text = self.ok("audit", "list", "--limit", "1")
        self.assertIn("app.role_changed", text)
        self.assertIn("more: --cursor 4", text)
        lines = self.ok("audit", "export", "--org", "acme").splitlines()
        self.assertEqual([json.loads(line)["seq"] for line in lines], [1, 2, 4])
        self.assertEqual(json.loads(self.ok("audit", "reindex"))["added"], 0)
        self.assertIn('"status":"intact"', self.ok("audit", "verify"))
        self.assertEqual(self.srv("audit", "list", "--limit", "0").returncode, 2)
        self.assertEqual(self.srv("audit", "list", "--cursor", "x").returncode, 2)
        self.assertEqual(self.srv("members", "set", "bob", "acme", "--role", "king").returncode, 2)
        self.ok("members", "remove", "bob")
        self.assertNotEqual(self.srv("members", "show", "bob").returncode, 0)

    def test_an_organization_keeps_an_owner(self):
        self.ok("members", "set", "olga", "initech", "--role", "owner")
        self.ok("members", "set", "dan", "initech")
        for args in (("set", "olga", "initech", "--role", "admin"), ("set", "olga", "acme"), ("remove", "olga")):
            refused = self.srv("members", *args, actor="olga")
            self.assertEqual(refused.returncode, 1, args)
            self.assertIn("olga is the last owner of initech", refused.stderr)
        self.assertEqual(json.loads(self.ok("members", "show", "olga", "--json"))["role"], "owner")
        denied = json.loads(self.ok("audit", "list", "--org", "initech", "--event", "permission.denied", "--json"))["events"]
        self.assertEqual([(e["actor"], e["subject"]) for e in denied], [("olga", "olga")] * 3)
        self.ok("members", "set", "dan", "initech", "--role", "owner")
        self.ok("members", "remove", "olga")
        self.assertEqual(self.srv("members", "remove", "dan").returncode, 1)

    @mfa_unittest.needs("pskc")
    def test_otp_tokens_per_organization(self):
        pskc = os.path.join(os.environ["MFA_SOURCE_DIR"], "tests/vectors/pskc/rfc6030-figure6.pskc")
        key = "12345678901234567890123456789012"
        self.ok("members", "set", "alice", "acme", "--role", "owner")
        self.ok("members", "set", "gus", "globex", "--role", "owner")
        self.assertEqual(self.srv("otp-tokens", "import", pskc, "--key", key).returncode, 2)   # --org is required
        self.assertIn("imported 987654321 into acme", self.ok("otp-tokens", "import", pskc, "--key", key, "--org", "acme"))
        self.assertIn("no hardware tokens", self.ok("otp-tokens", "list", "--org", "globex"))
        self.assertIn("987654321  hotp  unassigned  acme", self.ok("otp-tokens", "list"))
        hidden = self.srv("otp-tokens", "assign", "987654321", "gus", "--org", "globex")
        self.assertEqual(hidden.returncode, 1)
        self.assertIn("in globex", hidden.stderr)
        cross = self.srv("otp-tokens", "assign", "987654321", "gus", "--org", "acme")
        self.assertEqual(cross.returncode, 1)
        self.assertIn("gus is not a member of it", cross.stderr)
        self.assertEqual(self.srv("otp-tokens", "retire", "987654321", "--org", "globex").returncode, 1)
        self.assertEqual(self.srv("otp-tokens", "adopt", "987654321", "--org", "globex").returncode, 1)
        self.assertIn("assigned to alice", self.ok("otp-tokens", "assign", "987654321", "alice", "--org", "acme"))
        listed = json.loads(self.ok("otp-tokens", "list", "--org", "acme", "--json"))
        self.assertEqual([(t["serial"], t["org"], t["user"]) for t in listed], [("987654321", "acme", "alice")])
        self.assertIn("retired", self.ok("otp-tokens", "retire", "987654321", "--org", "acme"))
        events = json.loads(self.ok("audit", "list", "--org", "acme", "--event", "hwtoken.*", "--json"))["events"]
        self.assertEqual([e["type"] for e in events], ["hwtoken.retired", "hwtoken.unassigned", "hwtoken.assigned",
                                                       "hwtoken.imported"])

    def test_account_deletion_and_purge(self):
        self.ok("members", "set", "alice", "acme")
        created = json.loads(self.ok("tokens", "create", "alice", "--name", "ci"))
        out = self.ok("account", "delete", "alice", "--retention-days", "1")
        self.assertIn("restorable until", out)
        status = json.loads(self.ok("account", "status", "alice", "--json"))
        self.assertTrue(status["deleted"])
        self.assertEqual(status["purge_after"] - status["deleted_at"], 86400)
        again = self.srv("account", "delete", "alice")
        self.assertEqual(again.returncode, 1)
        self.assertIn("deleted", again.stderr)
        self.assertIn("is active", self.ok("account", "restore", "alice"))
        self.assertNotEqual(self.srv("account", "restore", "alice").returncode, 0)
        self.ok("account", "delete", "alice", "--retention-days", "1")
        self.assertIn("nothing to purge", self.ok("purge"))
        purged = self.ok("purge", "--now", str(int(time.time()) + 86401))
        self.assertIn("purged alice", purged)
        self.assertEqual(json.loads(self.ok("purge", "--json")), [])
        self.assertEqual(json.loads(self.ok("tokens", "list", "alice")), [])
        events = json.loads(self.ok("audit", "list", "--org", "acme", "--event", "account.*", "--json"))["events"]
        self.assertEqual([e["type"] for e in events], ["account.purged", "account.deleted", "account.restored",
                                                       "account.deleted"])
        self.assertNotEqual(created["id"], "")
        self.assertEqual(self.srv("account", "delete", "alice", "--retention-days", "0").returncode, 2)
        self.assertEqual(self.srv("purge", "--now", "-1").returncode, 2)

    def test_api_keys_and_password_state(self):
        self.ok("members", "set", "alice", "acme")
        self.ok("members", "set", "carol", "globex")
        a = json.loads(self.ok("tokens", "create", "alice", "--name", "deploy", "--scope", "deploy"))
        c = json.loads(self.ok("tokens", "create", "carol", "--name", "other"))
        keys = json.loads(self.ok("api-keys", "list", "--org", "acme", "--json"))
        self.assertEqual([(k["id"], k["user"], k["scopes"]) for k in keys], [(a["id"], "alice", ["deploy"])])
        self.assertIn("never", self.ok("api-keys", "list", "--org", "acme"))
        refused = self.srv("api-keys", "revoke", c["id"], "--org", "acme")
        self.assertEqual(refused.returncode, 1)
        self.assertIn("no token", refused.stderr)
        self.assertIn("revoked", self.ok("api-keys", "revoke", c["id"]))
        self.assertIn("no API keys", self.ok("api-keys", "list", "--org", "globex"))
        self.assertNotEqual(self.srv("api-keys", "list").returncode, 0)  # --org is required

        state = json.loads(self.ok("password-state", "alice", "--changed", "--json"))
        self.assertGreater(state["changed_at"], 0)
        self.assertIn("must change (compromised)", self.ok("password-state", "alice", "--require-change", "compromised"))
        self.assertEqual(self.srv("password-state", "alice", "--require-change", "bored").returncode, 2)
        self.assertEqual(json.loads(self.ok("password-state", "alice", "--changed", "--json"))["must_change"], "none")


    def test_roles_permissions_and_factors(self):
        self.ok("members", "set", "olivia", "acme", "--role", "owner")
        self.ok("members", "set", "adam", "acme", "--role", "admin")
        self.ok("members", "set", "mia", "acme")
        table = json.loads(self.ok("members", "permissions", "--json"))
        self.assertEqual(table["member"], [])
        self.assertIn("policy.change", table["owner"])
        self.assertNotIn("policy.change", table["admin"])
        self.assertIn("admin: members.manage", self.ok("members", "permissions"))
        self.assertIn("adam may members.manage in acme",
                      self.ok("members", "can", "adam", "members.manage", "--org", "acme", "--target", "mia"))
        refused = self.srv("members", "can", "mia", "audit.read", "--org", "acme")
        self.assertEqual(refused.returncode, 1)
        self.assertIn("member does not have audit.read", refused.stderr)
        self.assertEqual(self.srv("members", "can", "adam", "members.manage", "--org", "acme", "--target",
                                  "olivia").returncode, 1)
        self.assertEqual(self.srv("members", "can", "adam", "everything", "--org", "acme").returncode, 2)
        denied = json.loads(self.ok("audit", "list", "--org", "acme", "--event", "permission.denied", "--json"))["events"]
        self.assertEqual([(e["actor"], e["subject"]) for e in denied], [("adam", "olivia"), ("mia", "mia")])
        f = json.loads(self.ok("factors", "mia", "--json"))
        self.assertEqual((f["totp"], f["security_keys"], f["recovery_codes_left"], f["enrolled"]), (False, 0, 0, []))
        self.assertIn("mia: OTP none; 0 security key(s)", self.ok("factors", "mia"))

if __name__ == "__main__":
    mfa_unittest.main()

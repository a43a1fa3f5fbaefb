#!/usr/bin/python3
"""What people type and what other apps write, through the mfa binary: names with ':' kept and
exported so that they read back, numbers out of range refused naming the flag, HOTP counters at
the limits of each export format, import choices (issuer policy, skipping bad lines), incomplete
Google Authenticator exports, files mfa cannot read named for what they are, and refusals that
leave the vault file as it was."""
import json
import os
import stat
import subprocess
import unittest

from vault_helpers import MFA, SOURCE, Scratch
import mfa_unittest

SECRET = "JBSWY3DPEHPK3PXP"
SECRET2 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
FIXTURES = os.path.join(SOURCE, "tests", "vectors", "import")


def migration_uri(accounts, batch_size=1, batch_index=0, batch_id=7):
    """An otpauth-migration:// URI built here (protobuf by hand), independent of mfa's encoder."""
    import base64
    import urllib.parse

    def varint(v):
        v &= (1 << 64) - 1
        out = b""
        while v >= 0x80:
            out += bytes([(v & 0x7F) | 0x80])
            v >>= 7
        return out + bytes([v])

    def field(n, wire, payload):
        key = varint(n << 3 | wire)
        return key + (varint(len(payload)) + payload if wire == 2 else varint(payload))

    body = b""
    for secret, name, issuer in accounts:
        p = field(1, 2, secret) + field(2, 2, name.encode())
        if issuer:
            p += field(3, 2, issuer.encode())
        p += field(4, 0, 1) + field(5, 0, 1) + field(6, 0, 2)
        body += field(1, 2, p)
    body += field(2, 0, 1) + field(3, 0, batch_size) + field(4, 0, batch_index) + field(5, 0, batch_id)
    return "otpauth-migration://offline?data=" + urllib.parse.quote(base64.b64encode(body).decode(), safe="")


class VaultTest(unittest.TestCase):
    def setUp(self):
        self.s = Scratch()

    def tearDown(self):
        self.s.cleanup()

    def vault_bytes(self):
        with open(self.s.vault, "rb") as f:
            return f.read()

    def refused(self, args, rc, *words, stdin=None):
        """Runs mfa args; asserts exit rc, each word in stderr and the vault file unchanged."""
        before = self.vault_bytes()
        r = self.s.run(*args, stdin=stdin)
        self.assertEqual(r.returncode, rc, f"mfa {' '.join(args)}\n{r.stdout}\n{r.stderr}")
        for w in words:
            self.assertIn(w, r.stderr, f"mfa {' '.join(args)}")
        self.assertEqual(self.vault_bytes(), before, f"mfa {' '.join(args)} changed the vault")
        return r


class Colons(VaultTest):
    """Defect 1: a ':' in an issuer or name is stored as typed, and every export carries it back."""

    def labels(self, scratch):
        return sorted((a["issuer"], a["name"]) for a in scratch.json("list"))

    def test_names_with_colons_survive_every_export(self):
        s = self.s
        s.ok("add", "--secret", SECRET, "--issuer", "Is:s", "--name", "a:b")
        s.ok("add", "--secret", SECRET2, "--name", "c:d")                       # no issuer
        s.ok("add", "--secret", "JBSWY3DPEHPK3PXQ", "--name", "x")
        s.ok("rename", "x", "A:b:c")                                             # issuer A, name b:c
        s.ok("add", "--secret", "JBSWY3DPEHPK3PXR", "--issuer", "E", "--name", "e")
        s.ok("edit", "E:e", "--name", "n:1", "--issuer", ":E")
        want = [("", "c:d"), (":E", "n:1"), ("A", "b:c"), ("Is:s", "a:b")]
        self.assertEqual(self.labels(s), want)

        uris = s.ok("export", "--format", "uri", "--yes")
        self.assertIn("otpauth://totp/Is%3As:a%3Ab?", uris)
        self.assertIn("&issuer=Is%3As&", uris)
        self.assertIn("otpauth://totp/:c%3Ad?", uris)                           # empty issuer before ':'
        for line in uris.splitlines():
            with self.subTest(uri=line):
                # Each exported URI reads back as the same account, also on its own.
                code = subprocess.run([MFA, "uri", line, "--json"], capture_output=True, text=True, timeout=30)
                self.assertEqual(code.returncode, 0, code.stderr)

        for fmt in ("uri", "aegis"):
            with self.subTest(format=fmt):
                out = os.path.join(s.dir, "export." + fmt)
                s.ok("export", "--format", fmt, "--out", out, "--yes")
                other = Scratch()
                try:
                    other.ok("import", out)
                    self.assertEqual(self.labels(other), want)
                finally:
                    other.cleanup()

        qr = os.path.join(s.dir, "qr")
        files = s.ok("export", "--format", "migration-qr", "--out", qr, "--yes").split()
        if mfa_unittest.has("qr_decode"):
            other = Scratch()
            try:
                for f in files:
                    other.ok("import", f)
                self.assertEqual(self.labels(other), want)
            finally:
                other.cleanup()
        shown = s.ok("show", "Is:s", "--qr")
        self.assertIn("Is:s:a:b", shown)

    def test_imported_names_with_colons_export(self):
        s = self.s
        aegis = {"version": 1, "header": {"slots": None, "params": None},
                 "db": {"version": 2, "entries": [
                     {"type": "totp", "uuid": "1", "name": "team:ops", "issuer": "AWS:prod", "note": "",
                      "info": {"secret": SECRET, "algo": "SHA1", "digits": 6, "period": 30}}]}}
        path = os.path.join(s.dir, "aegis.json")
        with open(path, "w") as f:
            json.dump(aegis, f)
        s.ok("import", path)
        self.assertIn("otpauth://totp/AWS%3Aprod:team%3Aops?", s.ok("export", "--yes"))


class EmptyIssuer(VaultTest):
    """Defect 5: an empty issuer before ':' is no issuer."""

    def test_empty_label_prefix(self):
        r = subprocess.run([MFA, "uri", "otpauth://totp/:alice?secret=" + SECRET, "--json"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(j.get("issuer", ""), "")
        self.assertEqual(j["name"], "alice")
        self.s.ok("add", "--uri", "otpauth://totp/:bob?secret=" + SECRET + "&issuer=Corp")
        self.assertEqual([(a["issuer"], a["name"]) for a in self.s.json("list")], [("Corp", "bob")])
        # Neither an issuer nor a name is still no account.
        r = subprocess.run([MFA, "uri", "otpauth://totp/:?secret=" + SECRET], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)


class Numbers(VaultTest):
    """Defect 3: every number on the command line is range-checked, the error naming the flag."""

    def test_out_of_range_numbers_are_refused(self):
        add = ["add", "--secret", SECRET, "--name", "x"]
        cases = [
            (add + ["--type", "hotp", "--counter", "-5"], "--counter"),
            (add + ["--type", "hotp", "--counter", "18446744073709551616"], "--counter"),
            (add + ["--type", "hotp", "--counter", "1e3"], "--counter"),
            (add + ["--digits", "-6"], "--digits"),
            (add + ["--digits", "4294967302"], "--digits"),
            (add + ["--digits", "11"], "--digits"),
            (add + ["--period", "-30"], "--period"),
            (add + ["--period", "0"], "--period"),
            (add + ["--period", "86401"], "--period"),
        ]
        for args, flag in cases:
            with self.subTest(args=args):
                self.refused(args, 2, flag)
        code = ["code", "--secret", SECRET]
        for args, flag in [(code + ["--time", "99999999999999999999"], "--time"), (code + ["--time", "-1"], "--time"),
                           (code + ["--time", "9223372036854775807"], "--time"),
                           (code + ["--watch", "--duration", "-1"], "--duration"),
                           (["uri", "--random", "--name", "x", "--secret-bytes", "-1"], "--secret-bytes"),
                           (["uri", "--random", "--name", "x", "--secret-bytes", "0"], "--secret-bytes")]:
            with self.subTest(args=args):
                r = subprocess.run([MFA, *args], capture_output=True, text=True, timeout=30)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn(flag, r.stderr)
        self.s.ok("add", "--secret", SECRET, "--name", "h", "--type", "hotp", "--counter", "3")
        self.refused(["edit", "h", "--counter", "-1"], 2, "--counter")
        self.refused(["export", "--format", "migration-qr", "--out", os.path.join(self.s.dir, "q"),
                      "--per-qr", "0", "--yes"], 2, "--per-qr")
        self.refused(["passwd", "--new-passphrase-file", self.s.passfile, "--kdf-memory", "-1"], 2, "--kdf-memory")

    def test_the_limits_themselves_are_accepted(self):
        s = self.s
        s.ok("add", "--secret", SECRET, "--name", "top", "--type", "hotp", "--counter", "18446744073709551615")
        self.assertEqual(s.json("show", "top")["counter"], 18446744073709551615)
        j = json.loads(subprocess.run([MFA, "code", "--secret", SECRET, "--time", "0", "--json"],
                                      capture_output=True, text=True, timeout=30).stdout)
        self.assertEqual((j["step"], j["valid_until"]), (0, 30))
        big = 9223372036854775807 - 86400
        r = subprocess.run([MFA, "code", "--secret", SECRET, "--time", str(big), "--json"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(json.loads(r.stdout)["valid_until"], big)


class Counters(VaultTest):
    """Defect 2: Aegis stores a HOTP counter as a Java long (0..2^63-1)."""

    def test_aegis_counter_limits(self):
        s = self.s
        s.ok("add", "--secret", SECRET, "--issuer", "Max", "--name", "m", "--type", "hotp",
             "--counter", "9223372036854775807")
        out = os.path.join(s.dir, "aegis.json")
        s.ok("export", "--format", "aegis", "--out", out, "--yes")
        other = Scratch()
        try:
            other.ok("import", out)
            self.assertEqual(other.json("show", "Max")["counter"], 9223372036854775807)
        finally:
            other.cleanup()
        s.ok("add", "--secret", SECRET2, "--issuer", "Over", "--name", "o", "--type", "hotp",
             "--counter", "9223372036854775808")
        out2 = os.path.join(s.dir, "aegis2.json")
        r = s.run("export", "--format", "aegis", "--out", out2, "--yes")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("Over:o", r.stderr)
        self.assertIn("9223372036854775807", r.stderr)
        self.assertFalse(os.path.exists(out2))
        # A file that says more than a Java long can hold is refused, naming the field.
        with open(out) as f:
            doc = json.load(f)
        doc["db"]["entries"][0]["info"]["counter"] = 18446744073709551615
        with open(out2, "w") as f:
            json.dump(doc, f)
        other = Scratch()
        try:
            r = other.run("import", out2)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("db.entries[0].info.counter", r.stderr)
            self.assertNotIn("negative", r.stderr)
        finally:
            other.cleanup()

    def test_large_counters_in_other_formats(self):
        # andOTP and 2FAS have no such limit in mfa: 2^64-1 is read as what it says.
        s = self.s
        path = os.path.join(s.dir, "andotp.json")
        with open(path, "w") as f:
            json.dump([{"secret": SECRET, "issuer": "Big", "label": "b", "digits": 6, "type": "HOTP",
                        "algorithm": "SHA1", "counter": 18446744073709551615}], f)
        s.ok("import", path)
        self.assertEqual(s.json("show", "Big")["counter"], 18446744073709551615)


class ImportChoices(VaultTest):
    """Defect 4: the issuer policy of `mfa uri` for imports, and skipping bad lines on request."""

    def write(self, name, text):
        path = os.path.join(self.s.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_issuer_policy_and_skip_invalid(self):
        s = self.s
        path = self.write("list.txt", "otpauth://totp/A:one?secret=" + SECRET + "\n"
                          "otpauth://totp/Label:two?secret=" + SECRET2 + "&issuer=Param\n")
        self.refused(["import", path], 2, "line 2", "--issuer-policy")
        s.ok("import", path, "--issuer-policy", "label", "--dry-run")
        r = s.json("import", path, "--issuer-policy", "param")
        self.assertEqual(len(r["imported"]), 2)
        self.assertIn(("Param", "two"), [(a["issuer"], a["name"]) for a in s.json("list")])

        bad = self.write("bad.txt", "# a comment\n"
                         "otpauth://totp/B:ok?secret=JBSWY3DPEHPK3PXQ\n"
                         "otpauth://totp/B:broken?secret=!!\n"
                         "not a uri at all\n"
                         "otpauth://totp/B:fine?secret=JBSWY3DPEHPK3PXR\n")
        self.refused(["import", bad], 2, "line 3", "--skip-invalid")
        r = s.json("import", bad, "--skip-invalid")
        self.assertEqual(sorted(r["imported"]), ["B:fine", "B:ok"])
        self.assertEqual(len(r["invalid"]), 2)
        self.assertTrue(r["invalid"][0].startswith("line 3: "), r["invalid"])
        self.assertTrue(r["invalid"][1].startswith("line 4: "), r["invalid"])
        human = s.run("import", bad, "--skip-invalid")
        self.assertEqual(human.returncode, 0, human.stderr)
        self.assertIn("line 3", human.stdout + human.stderr)
        # Nothing valid at all: an error, and nothing written.
        none = self.write("none.txt", "otpauth://totp/B:x?secret=!!\n")
        self.refused(["import", none, "--skip-invalid"], 2, "line 1")


class IncompleteExports(VaultTest):
    """Defect 6: a Google Authenticator export split over QR codes, with one of them missing."""

    def test_missing_batch_is_reported(self):
        s = self.s
        parts = [migration_uri([(bytes([i]) * 10, f"acct{i}", "G")], batch_size=4, batch_index=i) for i in range(4)]
        path = os.path.join(s.dir, "three.txt")
        with open(path, "w") as f:
            f.write("\n".join(parts[0:2] + parts[3:4]) + "\n")
        r = s.json("import", path)
        self.assertEqual(len(r["imported"]), 3)
        self.assertEqual(len(r["warnings"]), 1, r)
        self.assertIn("QR code 3 of 4", r["warnings"][0])
        human = s.run("import", path, "--dry-run")
        self.assertIn("QR code 3 of 4", human.stderr)
        full = os.path.join(s.dir, "four.txt")
        with open(full, "w") as f:
            f.write("\n".join(parts) + "\n")
        fresh = Scratch()
        try:
            r = fresh.json("import", full)
            self.assertEqual((len(r["imported"]), r["warnings"]), (4, []))
            self.assertEqual(r["format"], "Google Authenticator export")
        finally:
            fresh.cleanup()


class PartialMigrationExport(VaultTest):
    """Defect 7: accounts a Google Authenticator QR code cannot carry are left out and listed."""

    def test_unrepresentable_accounts_are_listed(self):
        s = self.s
        s.ok("add", "--secret", SECRET, "--issuer", "Ok", "--name", "a")
        s.ok("add", "--secret", SECRET2, "--issuer", "Slow", "--name", "b", "--period", "60")
        s.ok("add", "--secret", "JBSWY3DPEHPK3PXQ", "--issuer", "Steam", "--name", "c", "--type", "steam")
        s.ok("add", "--secret", "JBSWY3DPEHPK3PXR", "--issuer", "Ok", "--name", "d")
        qr = os.path.join(s.dir, "qr")
        r = s.run("export", "--format", "migration-qr", "--out", qr, "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Slow:b", r.stderr)
        self.assertIn("Steam:c", r.stderr)
        self.assertIn("2 account(s) left out", r.stderr)
        if mfa_unittest.has("qr_decode"):
            other = Scratch()
            try:
                for f in r.stdout.split():
                    other.ok("import", f)
                self.assertEqual(sorted(a["name"] for a in other.json("list")), ["a", "d"])
            finally:
                other.cleanup()
        only_bad = Scratch()
        try:
            only_bad.ok("add", "--secret", SECRET, "--issuer", "Slow", "--name", "b", "--period", "60")
            r = only_bad.run("export", "--format", "migration-qr", "--out", os.path.join(only_bad.dir, "q"), "--yes")
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("Slow:b", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(only_bad.dir, "q", "google-authenticator-1-of-1.png")))
        finally:
            only_bad.cleanup()


class FilesAndFlags(VaultTest):
    """Defect 9: a read-only vault, --passphrase-file everywhere, the flag named, the format named."""

    def test_read_only_vault_is_not_replaced(self):
        s = self.s
        os.chmod(s.vault, 0o444)
        try:
            self.refused(["add", "--secret", SECRET, "--name", "x"], 1, "read-only")
            self.assertEqual(stat.S_IMODE(os.stat(s.vault).st_mode), 0o444)
            self.assertEqual(s.json("list"), [])   # reading still works
        finally:
            os.chmod(s.vault, 0o600)

    def test_backup_list_takes_the_passphrase_file(self):
        r = self.s.run("backup", "list")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_missing_password_file_is_named(self):
        s = self.s
        missing = os.path.join(s.dir, "no-such-file")
        r = s.run("import", os.path.join(FIXTURES, "2fas-encrypted.2fas"), "--password-file", missing)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--password-file", r.stderr)
        self.assertNotIn("--passphrase-file", r.stderr)

    def test_format_of_qr_and_migration_input(self):
        s = self.s
        path = os.path.join(s.dir, "m.txt")
        with open(path, "w") as f:
            f.write(migration_uri([(b"\x01" * 10, "m", "G")]) + "\n")
        self.assertEqual(s.json("import", path, "--dry-run")["format"], "Google Authenticator export")
        s.ok("add", "--secret", SECRET, "--issuer", "Q", "--name", "q")
        png = os.path.join(s.dir, "q.png")
        s.ok("show", "q", "--png", png)
        if mfa_unittest.has("qr_decode"):
            other = Scratch()
            try:
                self.assertEqual(other.json("import", png)["format"], "QR image: otpauth URI list")
            finally:
                other.cleanup()


class Unsupported(VaultTest):
    """Defect 10: files of apps mfa cannot read are named for what they look like, in one line."""

    def test_other_apps_are_named(self):
        s = self.s
        cases = {
            "freeotp-plus.json": ({"tokenOrder": ["a"], "tokens": [{"secret": [1, 2], "type": "TOTP"}]}, "FreeOTP+"),
            "bitwarden.json": ({"encrypted": False, "folders": [], "items": []}, "Bitwarden"),
            "duo.json": ([{"name": "x", "otpGenerator": {"otpSecret": "AAAA", "counter": 0}, "accountType": "OtpAccount"}],
                         "Duo"),
            "authenticator-pro.json": ({"Authenticators": [], "Categories": []}, "Authenticator Pro"),
            "ente.txt": ({"version": 1, "kdfParams": {}, "encryptedData": "x", "encryptionNonce": "y"}, "Ente"),
            "other.json": ({"hello": "world"}, "neither"),
        }
        for name, (doc, words) in cases.items():
            with self.subTest(file=name):
                path = os.path.join(s.dir, name)
                with open(path, "w") as f:
                    json.dump(doc, f)
                r = self.refused(["import", path], 2, words, "2FAS")
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                self.assertNotIn("andotp-encrypted", r.stderr)
                self.assertNotIn("$[0].type", r.stderr)
        # The andOTP hint stays for what may be an encrypted andOTP backup.
        self.refused(["import", os.path.join(FIXTURES, "andotp-encrypted.json.aes")], 2, "--format andotp-encrypted")


class OldAndOtp(VaultTest):
    """Defect 11: andOTP 0.6.2 and older wrote 'Issuer - name' labels and no issuer member."""

    def test_old_labels_are_split(self):
        s = self.s
        path = os.path.join(s.dir, "old.json")
        with open(path, "w") as f:
            json.dump([{"secret": SECRET, "label": "GitHub - alice", "digits": 6, "type": "TOTP",
                        "algorithm": "SHA1", "period": 30},
                       {"secret": SECRET2, "label": "plain", "digits": 6, "type": "TOTP", "algorithm": "SHA1",
                        "period": 30},
                       {"secret": "JBSWY3DPEHPK3PXQ", "issuer": "", "label": "New - style", "digits": 6,
                        "type": "TOTP", "algorithm": "SHA1", "period": 30}], f)
        s.ok("import", path)
        self.assertEqual([(a["issuer"], a["name"]) for a in s.json("list")],
                         [("GitHub", "alice"), ("", "plain"), ("", "New - style")])


if __name__ == "__main__":
    mfa_unittest.main()

#!/usr/bin/python3
"""Every vault command of `mfa` through its binary: init, add (URI, flags, QR), list, code, show
(QR, PNG, SVG), edit, rename, remove, hotp next, passwd, slot, rekey, backup, import (each format,
duplicates), export (each format, round trips), and the exit codes (2 usage, 3 unlock, 4 locked)."""
import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
import unittest

from vault_helpers import MFA, PASSPHRASE, SOURCE, Scratch
import mfa_unittest

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"   # "12345678901234567890"
GITHUB = "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub"
FIXTURES = os.path.join(SOURCE, "tests", "vectors", "import")


class VaultTest(unittest.TestCase):
    def setUp(self):
        self.s = Scratch()

    def tearDown(self):
        self.s.cleanup()


class Init(unittest.TestCase):
    def test_init_creates_a_private_vault(self):
        s = Scratch(create=False)
        try:
            path = os.path.join(s.dir, "sub", "v.mfa")
            r = subprocess.run([MFA, "init", "--vault", path, "--passphrase-file", s.passfile,
                                "--kdf-memory", "19456", "--kdf-passes", "2", "--json"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["kdf"], {"memory_kib": 19456, "passes": 2})
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            self.assertEqual(os.stat(os.path.dirname(path)).st_mode & 0o777, 0o700)
            again = subprocess.run([MFA, "init", "--vault", path, "--passphrase-file", s.passfile],
                                   capture_output=True, text=True, timeout=60)
            self.assertNotEqual(again.returncode, 0)
            self.assertIn("already exists", again.stderr)
            weak = subprocess.run([MFA, "init", "--vault", path + "2", "--passphrase-file", s.passfile,
                                   "--kdf-memory", "1024"], capture_output=True, text=True, timeout=60)
            self.assertEqual(weak.returncode, 2)
            self.assertIn("floor", weak.stderr)
            self.assertFalse(os.path.exists(path + "2"))
        finally:
            s.cleanup()

    def test_init_warns_about_a_weak_passphrase(self):
        # The server toolkit's password policy: too short, and (with cracklib's dictionary) a
        # dictionary word, are warned about; the vault is made all the same. A good one: silence.
        s = Scratch(create=False)
        try:
            cases = [("short", "shorter than 8 characters"), (PASSPHRASE, None)]
            if os.path.exists("/var/cache/cracklib/cracklib_dict.pwd") and mfa_unittest.has("pwquality"):
                cases.append(("password1", "dictionary"))
            for i, (passphrase, why) in enumerate(cases):
                with self.subTest(passphrase=passphrase):
                    pf, path = os.path.join(s.dir, f"p{i}"), os.path.join(s.dir, f"v{i}.mfa")
                    with open(pf, "w") as f:
                        f.write(passphrase + "\n")
                    r = subprocess.run([MFA, "init", "--vault", path, "--passphrase-file", pf, "--kdf-memory", "19456",
                                        "--kdf-passes", "2"], capture_output=True, text=True, timeout=60)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertTrue(os.path.exists(path))
                    if why is None:
                        self.assertNotIn("weak", r.stderr)
                    else:
                        self.assertIn("warning: weak passphrase", r.stderr)
                        self.assertIn(why, r.stderr)
        finally:
            s.cleanup()

    def test_default_path_follows_xdg(self):
        s = Scratch(create=False)
        try:
            env = dict(os.environ, XDG_DATA_HOME=s.dir)
            env.pop("MFA_VAULT", None)
            r = subprocess.run([MFA, "init", "--passphrase-file", s.passfile, "--kdf-memory", "19456",
                                "--kdf-passes", "2"], capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(os.path.join(s.dir, "mfa", "vault.mfa")))
        finally:
            s.cleanup()


class Accounts(VaultTest):
    def test_add_list_code_show_edit_remove(self):
        s = self.s
        added = s.json("add", "--uri", GITHUB, "--tag", "work")
        self.assertEqual(added[0]["issuer"], "GitHub")
        self.assertEqual(added[0]["tags"], ["work"])
        s.ok("add", "--secret", RFC_SECRET, "--issuer", "RFC", "--name", "6238", "--digits", "8")
        s.ok("add", "--uri", "-", stdin="otpauth://hotp/Bank:bob?secret=JBSWY3DPEHPK3PXQ&issuer=Bank&counter=0\n")
        listed = s.json("list")
        self.assertEqual([a["issuer"] for a in listed], ["GitHub", "RFC", "Bank"])
        self.assertNotIn("JBSWY3DP", json.dumps(listed))        # never a secret
        self.assertEqual(len(s.json("list", "--tag", "work")), 1)
        self.assertEqual(len(s.json("list", "git")), 1)
        human = s.ok("list")
        self.assertIn("GitHub:alice", human)
        self.assertIn("#work", human)

        # Codes: RFC 6238 at T = 59, with the next code and the seconds left.
        codes = s.json("code", "rfc", "--time", "59")
        self.assertEqual(codes[0]["code"], "94287082")
        self.assertEqual(codes[0]["next"], "37359152")
        self.assertEqual(codes[0]["seconds_left"], 1)
        out = s.ok("code", "--time", "59")
        self.assertIn("9428 7082", out)
        self.assertIn("next 3735 9152", out)
        self.assertIn("mfa hotp next", out)                    # HOTP codes come from `hotp next`
        # The command-line account mode of `mfa code` still works, vault or not.
        r = subprocess.run([MFA, "code", "--secret", RFC_SECRET, "--digits", "8", "--time", "59"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.stdout.strip(), "94287082")
        self.assertEqual(s.run("code", "nothing-matches").returncode, 1)
        ambiguous = s.run("show", "b")                       # GitHub:alice, Bank:bob
        self.assertEqual(ambiguous.returncode, 2)
        self.assertIn("matches 2 accounts", ambiguous.stderr)

        # show: details, URI, QR to PNG and SVG; the PNG decodes back to the same URI.
        self.assertIn("issuer:    GitHub", s.ok("show", "github"))
        uri = s.ok("show", "github", "--uri").strip()
        self.assertTrue(uri.startswith("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP"))
        png, svg = os.path.join(s.dir, "q.png"), os.path.join(s.dir, "q.svg")
        s.ok("show", "github", "--png", png, "--svg", svg)
        self.assertEqual(os.stat(png).st_mode & 0o777, 0o600)
        if shutil.which("zbarimg"):
            z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True, timeout=30)
            self.assertEqual(z.stdout.strip(), uri)
        else:
            mfa_unittest.skip_part("zbarimg is not installed (Debian zbar-tools): the PNG was not decoded")
        with open(svg) as f:
            self.assertIn("<svg", f.read())
        self.assertIn("\u2588", s.ok("show", "github", "--qr"))
        # The terminal code keeps the standard's 4-module quiet zone (two module rows a line): two
        # blank lines above and below, four blank columns either side, inside the white background.
        lines = [l.removeprefix("\033[30;47m").removesuffix("\033[0m")
                 for l in s.ok("show", "github", "--qr").splitlines() if l.startswith("\033[30;47m")]
        self.assertGreater(len(lines), 10)
        self.assertTrue(all(l.strip() == "" for l in lines[:2]), lines[:3])
        self.assertTrue(all(l.strip() == "" for l in lines[-2:]), lines[-3:])
        self.assertEqual(lines[2].strip(" ") != "", True)
        self.assertTrue(all(l[:4] == "    " and l[-4:] == "    " for l in lines), "quiet zone columns")
        self.assertNotEqual(lines[2][4], " ", "the finder pattern starts right after the quiet zone")

        # add --qr reads the PNG back (a duplicate now: reported, exit 2, vault unchanged).
        if mfa_unittest.has("qr_decode"):
            dup = s.run("add", "--qr", png)
            self.assertEqual(dup.returncode, 2)
            self.assertIn("already in the vault", dup.stderr)

        # edit, rename, remove.
        e = s.json("edit", "github", "--add-tag", "code", "--note", "safe")
        self.assertEqual(e["tags"], ["work", "code"])
        self.assertEqual(e["note"], "safe")
        r = s.json("rename", "github", "GitHub:alice-work")
        self.assertEqual(r["name"], "alice-work")
        self.assertEqual(s.run("remove", "bank").returncode, 2)      # needs --yes off a terminal
        s.ok("remove", "bank", "--yes")
        self.assertEqual(len(s.json("list")), 2)

    def test_code_copy_to_the_clipboard(self):
        # A stand-in xclip (the real one needs an X server): copies stdin to a file, -out prints it.
        s = self.s
        s.ok("add", "--secret", RFC_SECRET, "--issuer", "Fast", "--name", "f", "--period", "3")
        s.ok("add", "--secret", "JBSWY3DPEHPK3PXP", "--issuer", "Other", "--name", "o")
        bindir, clip = os.path.join(s.dir, "bin"), os.path.join(s.dir, "clipboard")
        os.mkdir(bindir)
        with open(os.path.join(bindir, "xclip"), "w") as f:
            f.write(f"#!/bin/sh\ncase \"$*\" in *-out*) cat {clip} ;; *) cat > {clip} ;; esac\n")
        os.chmod(os.path.join(bindir, "xclip"), 0o755)
        env = dict(s.env(), PATH=bindir + ":/usr/bin:/bin", DISPLAY=":42")
        env.pop("WAYLAND_DISPLAY", None)
        r = subprocess.run([MFA, "code", "fast", "--copy", "--passphrase-file", s.passfile], env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Copied to the clipboard", r.stderr)
        with open(clip) as f:
            copied = f.read()
        self.assertRegex(copied, r"^\d{6}$")
        self.assertIn(copied[:3] + " " + copied[3:], r.stdout)
        # Cleared once the code expires (period 3 s), by a process that outlives mfa.
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and open(clip).read() != "":
            time.sleep(0.2)
        self.assertEqual(open(clip).read(), "")
        # Two matches, no tool, no display: each a clear error; nothing copied.
        both = subprocess.run([MFA, "code", "--copy", "--passphrase-file", s.passfile], env=env,
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(both.returncode, 2)
        self.assertIn("matches 2 accounts", both.stderr)
        bare = dict(env, PATH="/nonexistent")
        none = subprocess.run([MFA, "code", "fast", "--copy", "--passphrase-file", s.passfile], env=bare,
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(none.returncode, 2)
        self.assertIn("install wl-clipboard (Wayland), xclip or xsel", none.stderr)
        headless = dict(env)
        headless.pop("DISPLAY")
        none = subprocess.run([MFA, "code", "fast", "--copy", "--passphrase-file", s.passfile], env=headless,
                              capture_output=True, text=True, timeout=30)
        self.assertIn("no desktop session", none.stderr)

    def test_hotp_next_saves_the_counter(self):
        s = self.s
        s.ok("add", "--secret", RFC_SECRET, "--issuer", "Bank", "--name", "bob", "--type", "hotp")
        expected = ["755224", "287082", "359152"]
        self.assertEqual([s.ok("hotp", "next", "bank").strip() for _ in expected], expected)
        j = s.json("hotp", "next", "bank")
        self.assertEqual(j, {"code": "969429", "counter": 3, "id": j["id"]})
        self.assertEqual(s.json("list")[0]["counter"], 4)
        self.assertEqual(s.run("hotp", "next", "nobody").returncode, 1)
        s.ok("add", "--uri", GITHUB)
        self.assertEqual(s.run("hotp", "next", "github").returncode, 2)
        s.ok("edit", "bank", "--counter", "9")
        self.assertEqual(s.ok("hotp", "next", "bank").strip(), "520489")

    def test_interactive_add_needs_a_terminal(self):
        r = self.s.run("add")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--uri", r.stderr)


class Keys(VaultTest):
    def test_wrong_passphrase_and_lock(self):
        s = self.s
        s.ok("add", "--uri", GITHUB)
        wrong = os.path.join(s.dir, "wrong")
        with open(wrong, "w") as f:
            f.write("nope\n")
        before = open(s.vault, "rb").read()
        r = subprocess.run([MFA, "list", "--passphrase-file", wrong], capture_output=True, text=True, env=s.env(), timeout=30)
        self.assertEqual(r.returncode, 3)
        self.assertIn("wrong passphrase", r.stderr)
        self.assertEqual(open(s.vault, "rb").read(), before)
        # Another writer holds the lock: writers get exit 4, readers still work.
        with open(s.vault + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            r = s.run("add", "--secret", RFC_SECRET, "--name", "x")
            self.assertEqual(r.returncode, 4)
            self.assertIn("another process", r.stderr)
            self.assertEqual(len(s.json("list")), 1)
            # --wait: tries again until the deadline, then the same exit 4, saying how long.
            t0 = time.monotonic()
            r = s.run("add", "--secret", RFC_SECRET, "--name", "x", "--wait=1")
            self.assertGreaterEqual(time.monotonic() - t0, 1.0)
            self.assertEqual(r.returncode, 4)
            self.assertIn("waited 1000 ms", r.stderr)
            # Released while it waits: the write goes through.
            threading.Timer(0.5, lambda: fcntl.flock(lock, fcntl.LOCK_UN)).start()
            t0 = time.monotonic()
            s.ok("add", "--secret", RFC_SECRET, "--name", "x", "--wait")
            self.assertGreaterEqual(time.monotonic() - t0, 0.4)
        self.assertEqual(len(s.json("list")), 2)

    def test_passwd_slots_rekey(self):
        s = self.s
        s.ok("add", "--uri", GITHUB)
        new = os.path.join(s.dir, "new")
        with open(new, "w") as f:
            f.write("a new passphrase\n")
        s.ok("passwd", "--new-passphrase-file", new, "--kdf-memory", "19456", "--kdf-passes", "2")
        self.assertEqual(s.run("list").returncode, 3)
        shutil.copy(new, s.passfile)
        self.assertEqual(len(s.json("list")), 1)
        # A second passphrase slot, listed without unlocking; then removed.
        rec = os.path.join(s.dir, "rec")
        with open(rec, "w") as f:
            f.write("recovery words\n")
        s.ok("slot", "add-passphrase", "--label", "recovery", "--new-passphrase-file", rec,
             "--kdf-memory", "19456", "--kdf-passes", "2")
        slots = json.loads(s.ok("slot", "list", "--json", passphrase=False))
        self.assertEqual([x["label"] for x in slots], ["passphrase", "recovery"])
        self.assertEqual(slots[1]["kdf"]["memory_kib"], 19456)
        r = subprocess.run([MFA, "list", "--passphrase-file", rec, "--json"], capture_output=True, text=True, env=s.env(), timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        # rekey: keep the passphrase slot, drop the recovery one.
        s.ok("rekey")
        self.assertEqual(len(json.loads(s.ok("slot", "list", "--json", passphrase=False))), 1)
        r = subprocess.run([MFA, "list", "--passphrase-file", rec], capture_output=True, text=True, env=s.env(), timeout=30)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(len(s.json("list")), 1)
        r = s.run("slot", "remove", "0")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("only one", r.stderr)
        # No security-key slot yet: --key says so.
        r = s.run("list", "--key", passphrase=False)
        self.assertNotEqual(r.returncode, 0)

    @mfa_unittest.needs("fido2")
    def test_security_key_slot_with_the_soft_token(self):
        s = self.s
        s.ok("add", "--uri", GITHUB)
        env = s.env()
        env["MFA_SECURITY_KEY"] = "soft:" + os.path.join(s.dir, "token.state")

        def run(*args, passphrase=True):
            argv = [MFA, *args] + (["--passphrase-file", s.passfile] if passphrase else [])
            return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)

        r = run("slot", "add-key", "--label", "soft token")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("enrolled as slot 1", r.stdout)
        slots = json.loads(run("slot", "list", "--json", passphrase=False).stdout)
        self.assertEqual([x["type"] for x in slots], ["passphrase", "security-key"])
        self.assertEqual(slots[1]["rp_id"], "mfa-vault")
        r = run("list", "--key", "--json", passphrase=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)[0]["issuer"], "GitHub")
        # Another token (a fresh state file) does not unlock it: exit 3.
        env["MFA_SECURITY_KEY"] = "soft:" + os.path.join(s.dir, "other.state")
        r = run("list", "--key", passphrase=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        # passwd makes a new master key, so the key slot must be rewrapped: without the key it is
        # named and nothing changes; with --keep-key both the new passphrase and the key open it.
        env["MFA_SECURITY_KEY"] = "soft:" + os.path.join(s.dir, "token.state")
        new = os.path.join(s.dir, "new")
        with open(new, "w") as f:
            f.write("another passphrase\n")
        kdf = ["--kdf-memory", "19456", "--kdf-passes", "2"]
        r = run("passwd", "--new-passphrase-file", new, *kdf)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("slot 1", r.stderr)
        self.assertEqual(run("list").returncode, 0)   # the old passphrase still opens it
        r = run("passwd", "--new-passphrase-file", new, "--keep-key", "1", *kdf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("new master key", r.stdout)
        self.assertEqual(run("list").returncode, 3)
        shutil.copy(new, s.passfile)
        self.assertEqual(run("list").returncode, 0)
        self.assertEqual(run("list", "--key", passphrase=False).returncode, 0)
        # With the key as the only slot, the passphrase no longer opens the vault.
        r = run("slot", "remove", "0", "--key", passphrase=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(run("list").returncode, 0)
        self.assertEqual(run("list", "--key", passphrase=False).returncode, 0)


class Backups(VaultTest):
    def test_list_and_restore(self):
        s = self.s
        s.ok("add", "--uri", GITHUB)
        s.ok("add", "--secret", RFC_SECRET, "--name", "second")
        backups = json.loads(s.ok("backup", "list", "--json", passphrase=False))
        self.assertEqual(len(backups), 2)                      # the empty vault, the one-account vault
        self.assertEqual(s.run("backup", "restore", "latest", passphrase=False).returncode, 2)   # needs --yes
        s.ok("backup", "restore", "latest", "--yes", passphrase=False)
        self.assertEqual([a["name"] for a in s.json("list")], ["alice"])
        after = json.loads(s.ok("backup", "list", "--json", passphrase=False))
        self.assertEqual(len(after), 3)                         # the replaced version was kept
        s.ok("backup", "restore", after[-1]["name"], "--yes", passphrase=False)
        self.assertEqual(len(s.json("list")), 2)
        r = s.run("backup", "restore", "nope", "--yes", passphrase=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("backup", r.stderr)


class Transfer(VaultTest):
    def test_import_each_format(self):
        cases = [("aegis-plain.json", "Aegis (plain)", 4, 1), ("2fas.2fas", "2FAS", 3, 0),
                 ("andotp.json", "andOTP", 3, 1), ("uris.txt", "otpauth URI list", 2, 0)]
        for name, fmt, n, skipped in cases:
            with self.subTest(fixture=name):
                fresh = Scratch()
                try:
                    r = fresh.json("import", os.path.join(FIXTURES, name))
                    self.assertEqual(r["format"], fmt)
                    self.assertEqual(len(r["skipped"]), skipped)
                    self.assertEqual(len(r["imported"]), n, r)
                    self.assertEqual(len(fresh.json("list")), n)
                finally:
                    fresh.cleanup()
        # Duplicates (the same secret and type) are reported and skipped: uris.txt holds the 2FAS
        # GitHub and Bank secrets, the GitHub one twice (a URI and a migration payload).
        s = self.s
        self.assertEqual(len(s.json("import", os.path.join(FIXTURES, "2fas.2fas"))["imported"]), 3)
        again = s.json("import", os.path.join(FIXTURES, "uris.txt"))
        self.assertEqual(again["imported"], [])
        self.assertEqual(len(again["duplicates"]), 3)
        self.assertEqual(len(s.json("list")), 3)
        human = s.ok("import", os.path.join(FIXTURES, "2fas.2fas"))
        self.assertIn("duplicate, skipped", human)
        bad = os.path.join(s.dir, "bad.txt")
        with open(bad, "w") as f:
            f.write("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\notpauth://totp/A:c?secret=!!\n")
        r = s.run("import", bad)
        self.assertEqual(r.returncode, 2)
        self.assertIn("line 2", r.stderr)
        dry = s.json("import", os.path.join(FIXTURES, "andotp.json"), "--dry-run")
        self.assertTrue(dry["dry_run"])
        self.assertEqual(len(s.json("list")), 3)

    @mfa_unittest.needs("qr_decode")
    def test_jpeg_screenshot(self):
        # A JPEG screenshot (colour, quality 75, the code in a window): import and add --qr read it.
        s = self.s
        shot = os.path.join(FIXTURES, "qr-screenshot.jpg")
        r = s.json("import", shot)
        self.assertEqual(len(r["imported"]), 1, r)
        [entry] = s.json("list")
        self.assertEqual((entry["issuer"], entry["name"], entry["digits"]), ("ACME Co", "jane@example.com", 8))
        [code] = s.json("code", "acme")
        self.assertRegex(code["code"], r"^\d{8}$")
        dup = s.run("add", "--qr", shot)
        self.assertEqual(dup.returncode, 2)
        self.assertIn("already in the vault", dup.stderr)
        # Not an image at all: the decoder names both formats it knows.
        fake = os.path.join(s.dir, "fake.jpg")
        with open(fake, "wb") as f:
            f.write(b"GIF89a")
        bad = s.run("add", "--qr", fake)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("not a PNG or JPEG", bad.stderr)

    @mfa_unittest.needs("qr_decode")
    def test_missing_qr_library_is_unsupported(self):
        # The QR libraries are loaded on first use (docs/qr.md): one that cannot be loaded makes the
        # commands that need it exit 2 naming it; the others keep working. An empty file of that
        # soname first on LD_LIBRARY_PATH is a library the loader cannot load.
        s = self.s
        s.ok("add", "--uri", GITHUB)
        png = os.path.join(s.dir, "q.png")
        s.ok("show", "github", "--png", png)
        shot = os.path.join(FIXTURES, "qr-screenshot.jpg")
        broken = os.path.join(s.dir, "broken-libs")
        os.mkdir(broken)

        def without(soname, *args):
            with open(os.path.join(broken, soname), "wb"):
                pass
            try:
                env = dict(s.env(), LD_LIBRARY_PATH=broken)
                return subprocess.run([MFA, *args, "--passphrase-file", s.passfile], capture_output=True, text=True,
                                      timeout=60, env=env)
            finally:
                os.remove(os.path.join(broken, soname))

        for soname, args, works in [
                ("libqrencode.so.4", ["show", "github", "--svg", os.path.join(s.dir, "q.svg")], ["import", shot]),
                ("libpng16.so.16", ["show", "github", "--png", os.path.join(s.dir, "r.png")], ["import", shot]),
                ("libjpeg.so.62", ["import", shot], ["show", "github", "--qr"]),
                ("libZXing.so.2", ["add", "--qr", png], ["show", "github", "--png", os.path.join(s.dir, "s.png")])]:
            with self.subTest(soname=soname):
                r = without(soname, *args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("unsupported", r.stderr)
                self.assertIn(f"{soname} could not be loaded", r.stderr)
                other = without(soname, *works)
                self.assertEqual(other.returncode, 0, other.stderr)
                self.assertNotIn("could not be loaded", other.stderr)

    def test_import_encrypted_backups(self):
        # Fixtures from tests/vectors/import/make_encrypted.py (password "correct horse battery").
        s = self.s
        pw = os.path.join(s.dir, "import-password")
        with open(pw, "w") as f:
            f.write("correct horse battery\n")
        wrong = os.path.join(s.dir, "wrong-password")
        with open(wrong, "w") as f:
            f.write("correct horse\n")
        cases = [("2fas-encrypted.2fas", [], "2FAS (encrypted)", 3, 0),
                 ("andotp-encrypted.json.aes", ["--format", "andotp-encrypted"], "andOTP (encrypted)", 3, 1),
                 ("andotp-encrypted-old.json.aes", ["--format", "andotp-encrypted-old"],
                  "andOTP (encrypted, 0.6.2 or older)", 3, 1)]
        for name, flags, fmt, n, skipped in cases:
            with self.subTest(fixture=name):
                fresh = Scratch()
                try:
                    path = os.path.join(FIXTURES, name)
                    # A wrong password: exit 3 naming the file, and the vault is left as it was.
                    with open(fresh.vault, "rb") as f:
                        before = f.read()
                    r = fresh.run("import", path, *flags, "--password-file", wrong)
                    self.assertEqual(r.returncode, 3, r.stderr)
                    self.assertIn(path, r.stderr)
                    self.assertIn("password is wrong", r.stderr)
                    with open(fresh.vault, "rb") as f:
                        self.assertEqual(f.read(), before)
                    r = fresh.json("import", path, *flags, "--password-file", pw)
                    self.assertEqual(r["format"], fmt)
                    self.assertEqual(len(r["imported"]), n, r)
                    self.assertEqual(len(r["skipped"]), skipped)
                    self.assertEqual(len(fresh.json("list")), n)
                finally:
                    fresh.cleanup()
        # Without --format an encrypted andOTP backup is not guessed at: exit 2 saying what to do.
        r = s.run("import", os.path.join(FIXTURES, "andotp-encrypted.json.aes"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--format andotp-encrypted", r.stderr)
        r = s.run("import", os.path.join(FIXTURES, "2fas.2fas"), "--format", "zip")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(len(s.json("list")), 0)

    def test_export_import_round_trips(self):
        s = self.s
        s.ok("import", os.path.join(FIXTURES, "aegis-plain.json"))
        original = s.json("list")
        for fmt in ("uri", "aegis"):
            with self.subTest(format=fmt):
                out = os.path.join(s.dir, "export." + fmt)
                self.assertEqual(s.run("export", "--format", fmt, "--out", out).returncode, 2)   # needs --yes
                s.ok("export", "--format", fmt, "--out", out, "--yes")
                self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
                other = Scratch()
                try:
                    other.ok("import", out)
                    back = other.json("list")
                    keys = ("issuer", "name", "type", "algorithm", "digits")
                    self.assertEqual([{k: a[k] for k in keys} for a in back], [{k: a[k] for k in keys} for a in original])
                    self.assertEqual(other.ok("export", "--format", "uri", "--yes"), s.ok("export", "--format", "uri", "--yes"))
                    if fmt == "aegis":
                        self.assertEqual([a["tags"] for a in back], [a["tags"] for a in original])
                finally:
                    other.cleanup()
        # Google Authenticator QR codes: SHA1 TOTP/HOTP accounts only (its payload has no Steam or period).
        gs = Scratch()
        try:
            gs.ok("add", "--uri", GITHUB)
            gs.ok("add", "--secret", RFC_SECRET, "--issuer", "Bank", "--name", "bob", "--type", "hotp", "--counter", "4")
            qr = os.path.join(gs.dir, "qr")
            files = gs.ok("export", "--format", "migration-qr", "--out", qr, "--per-qr", "1", "--yes").split()
            self.assertEqual(len(files), 2)
            if mfa_unittest.has("qr_decode"):
                other = Scratch()
                try:
                    for f in files:
                        other.ok("import", f)
                    self.assertEqual(other.ok("export", "--format", "uri", "--yes"),
                                     gs.ok("export", "--format", "uri", "--yes"))
                finally:
                    other.cleanup()
        finally:
            gs.cleanup()


class Help(unittest.TestCase):
    def test_every_command_has_examples(self):
        top = subprocess.run([MFA, "--help"], capture_output=True, text=True, timeout=30).stdout
        for cmd in ("init", "add", "list", "code", "show", "edit", "rename", "remove", "hotp", "passwd", "slot",
                    "rekey", "backup", "import", "export"):
            with self.subTest(command=cmd):
                self.assertIn(cmd, top)
                h = subprocess.run([MFA, cmd, "--help"], capture_output=True, text=True, timeout=30)
                self.assertEqual(h.returncode, 0)
                self.assertIn("Examples:", h.stdout)
                self.assertIn("mfa " + cmd, h.stdout)
        self.assertIn("3 the vault did not unlock", top)


if __name__ == "__main__":
    mfa_unittest.main()

#!/usr/bin/python3
"""The `mfa` app through its binary: codes against the RFC vectors (and pyotp, when installed),
the JSON shapes, secrets kept off the screen, and the documented exit codes (0 ok, 1 runtime
failure, 2 usage or bad input). MFA_APP names the binary; MFA_SOURCE_DIR the checkout."""
import base64
import json
import os
import random
import re
import subprocess
import unittest
import mfa_unittest

MFA = os.environ["MFA_APP"]
SOURCE = os.environ.get("MFA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC6238 = [
    (59, "SHA1", "94287082"), (59, "SHA256", "46119246"), (59, "SHA512", "90693936"),
    (1111111109, "SHA1", "07081804"), (1111111109, "SHA256", "68084774"), (1111111109, "SHA512", "25091201"),
    (1111111111, "SHA1", "14050471"), (1111111111, "SHA256", "67062674"), (1111111111, "SHA512", "99943326"),
    (1234567890, "SHA1", "89005924"), (1234567890, "SHA256", "91819424"), (1234567890, "SHA512", "93441116"),
    (2000000000, "SHA1", "69279037"), (2000000000, "SHA256", "90698825"), (2000000000, "SHA512", "38618901"),
    (20000000000, "SHA1", "65353130"), (20000000000, "SHA256", "77737706"), (20000000000, "SHA512", "47863826"),
]
RFC4226 = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
DEMO_SECRET = "JBSWY3DPEHPK3PXP"
DEMO_URI = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"


def b32(data):
    return base64.b32encode(data).decode().rstrip("=")


def mfa(*args, stdin=None):
    return subprocess.run([MFA, *args], input=stdin, capture_output=True, text=True, timeout=60)


class Codes(unittest.TestCase):
    def ok(self, *args, stdin=None):
        r = mfa(*args, stdin=stdin)
        self.assertEqual(r.returncode, 0, f"mfa {' '.join(args)}: {r.stderr}")
        self.assertEqual(r.stderr, "")
        return r.stdout

    def test_rfc6238(self):
        for t, alg, expected in RFC6238:
            with self.subTest(time=t, algorithm=alg):
                out = self.ok("code", "--secret", b32(SEEDS[alg]), "--algorithm", alg, "--digits", "8", "--time", str(t))
                self.assertEqual(out, expected + "\n")

    def test_rfc6238_from_uri(self):
        for t, alg, expected in RFC6238[:6]:
            uri = f"otpauth://totp/Example:alice?secret={b32(SEEDS[alg])}&algorithm={alg}&digits=8&issuer=Example"
            self.assertEqual(self.ok("code", "--uri", uri, "--time", str(t)).strip(), expected)

    def test_rfc4226(self):
        for counter, expected in enumerate(RFC4226):
            out = self.ok("code", "--secret", b32(SEEDS["SHA1"]), "--type", "hotp", "--counter", str(counter))
            self.assertEqual(out.strip(), expected)

    def test_lower_case_and_spaced_secret(self):
        spaced = " ".join(re.findall("....", b32(SEEDS["SHA1"]).lower()))
        self.assertEqual(self.ok("code", "--secret", spaced, "--digits", "8", "--time", "59").strip(), "94287082")

    def test_secret_and_uri_from_stdin(self):
        self.assertEqual(self.ok("code", "--secret", "-", "--digits", "8", "--time", "59",
                                 stdin=b32(SEEDS["SHA1"]) + "\n").strip(), "94287082")
        self.assertEqual(self.ok("code", "--uri", "-", "--time", "59", stdin=DEMO_URI + "\n").strip(),
                         self.ok("code", "--secret", DEMO_SECRET, "--time", "59").strip())

    def test_steam(self):
        out = self.ok("code", "--secret", DEMO_SECRET, "--type", "steam", "--time", "1700000000").strip()
        self.assertRegex(out, r"^[23456789BCDFGHJKMNPQRTVWXY]{5}$")

    def test_against_pyotp(self):
        try:
            import pyotp
        except ImportError:
            self.skipTest("python3-pyotp is not installed")
        rng = random.Random(6238)
        for _ in range(40):
            secret = b32(bytes(rng.randrange(256) for _ in range(rng.choice([10, 16, 20, 32]))))
            digits = rng.choice([6, 7, 8])
            period = rng.choice([30, 60])
            t = rng.randrange(0, 4_000_000_000)
            expected = pyotp.TOTP(secret, digits=digits, interval=period).at(t)
            out = self.ok("code", "--secret", secret, "--digits", str(digits), "--period", str(period), "--time", str(t))
            self.assertEqual(out.strip(), expected, (secret, digits, period, t))


class Json(unittest.TestCase):
    def test_totp_shape(self):
        r = mfa("code", "--uri", DEMO_URI, "--json", "--time", "1000")
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(set(j), {"code", "type", "issuer", "name", "time", "step", "period", "seconds_left",
                                  "valid_until"})
        self.assertEqual(j["type"], "totp")
        self.assertEqual((j["time"], j["step"], j["period"], j["seconds_left"], j["valid_until"]),
                         (1000, 33, 30, 20, 1020))
        self.assertEqual((j["issuer"], j["name"]), ("Example", "alice@example.com"))
        self.assertRegex(j["code"], r"^\d{6}$")
        self.assertNotIn(DEMO_SECRET, r.stdout)

    def test_seconds_left_bounds(self):
        for t, left in [(0, 30), (29, 1), (30, 30), (59, 1)]:
            j = json.loads(mfa("code", "--secret", DEMO_SECRET, "--json", "--time", str(t)).stdout)
            self.assertEqual(j["seconds_left"], left, t)

    def test_hotp_shape(self):
        j = json.loads(mfa("code", "--secret", b32(SEEDS["SHA1"]), "--type", "hotp", "--counter", "7", "--json").stdout)
        self.assertEqual(j, {"code": RFC4226[7], "type": "hotp", "counter": 7, "next_counter": 8})

    def test_uri_shape_hides_the_secret(self):
        r = mfa("uri", "--json", DEMO_URI)
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(j, {"issuer": "Example", "name": "alice@example.com", "type": "totp", "algorithm": "SHA1",
                             "digits": 6, "period": 30})
        j = json.loads(mfa("uri", "--json", "--show-secret", DEMO_URI).stdout)
        self.assertEqual(j["secret"], DEMO_SECRET)

    def test_uri_extra_parameters(self):
        j = json.loads(mfa("uri", "--json", DEMO_URI + "&image=https%3A%2F%2Fexample.com%2Fa.png").stdout)
        self.assertEqual(j["extra"], {"image": "https://example.com/a.png"})


class Uri(unittest.TestCase):
    def test_human_hides_the_secret(self):
        r = mfa("uri", DEMO_URI)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Example", r.stdout)
        self.assertIn("alice@example.com", r.stdout)
        self.assertNotIn(DEMO_SECRET, r.stdout)
        self.assertIn("--show-secret", r.stdout)
        self.assertIn(DEMO_SECRET, mfa("uri", "--show-secret", DEMO_URI).stdout)

    def test_build_and_parse_back(self):
        r = mfa("uri", "--secret", DEMO_SECRET, "--issuer", "ACME Co", "--name", "john@x.org", "--type", "hotp",
                "--counter", "5", "--algorithm", "sha256", "--digits", "8")
        self.assertEqual(r.returncode, 0, r.stderr)
        uri = r.stdout.strip()
        self.assertTrue(uri.startswith("otpauth://hotp/ACME%20Co:john@x.org?secret=" + DEMO_SECRET), uri)
        j = json.loads(mfa("uri", "--json", "--show-secret", uri).stdout)
        self.assertEqual(j, {"issuer": "ACME Co", "name": "john@x.org", "type": "hotp", "algorithm": "SHA256",
                             "digits": 8, "counter": 5, "secret": DEMO_SECRET})

    def test_random_secret(self):
        a = json.loads(mfa("uri", "--random", "--issuer", "Example", "--name", "bob", "--json").stdout)
        b = json.loads(mfa("uri", "--random", "--issuer", "Example", "--name", "bob", "--json").stdout)
        self.assertRegex(a["secret"], r"^[A-Z2-7]{32}$")  # 20 bytes
        self.assertNotEqual(a["secret"], b["secret"])
        self.assertIn("secret=" + a["secret"], a["uri"])
        c = json.loads(mfa("uri", "--random", "--secret-bytes", "32", "--name", "bob", "--json").stdout)
        self.assertEqual(len(base64.b32decode(c["secret"] + "====")), 32)

    def test_migration_export(self):
        with open(os.path.join(SOURCE, "fuzz", "corpus", "migration", "sample-uri")) as f:
            uri = f.read().strip()
        r = mfa("uri", "--json", uri)
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual((j["batch_size"], j["batch_index"]), (1, 0))
        self.assertEqual([a["name"] for a in j["accounts"]], ["totp@authenticationtest.com", "test-account"])
        self.assertTrue(all("secret" not in a for a in j["accounts"]))
        self.assertIn("2 account(s)", mfa("uri", uri).stdout)


class ErrorsAndExitCodes(unittest.TestCase):
    def usage(self, *args, mentions=None, stdin=None):
        r = mfa(*args, stdin=stdin)
        self.assertEqual(r.returncode, 2, f"mfa {' '.join(args)}: rc {r.returncode}, {r.stdout} {r.stderr}")
        self.assertEqual(r.stdout, "")
        self.assertTrue(r.stderr.startswith("mfa: "), r.stderr)
        if mentions:
            self.assertIn(mentions, r.stderr)
        return r.stderr

    def test_bad_input(self):
        self.usage("code", mentions="--secret")
        self.usage("code", "--secret", "AB!C", mentions="position 2")
        self.usage("code", "--secret", "", mentions="--secret")
        self.usage("code", "--secret", DEMO_SECRET, "--digits", "11", mentions="digits")
        self.usage("code", "--secret", DEMO_SECRET, "--period", "0", mentions="period")
        self.usage("code", "--secret", DEMO_SECRET, "--type", "steam", "--digits", "6", mentions="--digits")
        self.usage("code", "--secret", DEMO_SECRET, "--type", "steam", "--algorithm", "SHA256", mentions="algorithm")
        self.usage("code", "--uri", DEMO_URI + "&digits=12", mentions="digits")
        self.usage("code", "--uri", "https://example.com/", mentions="--uri")
        self.usage("code", "--uri", DEMO_URI.replace("issuer=Example", "issuer=Other"), mentions="issuer")
        self.usage("uri", "otpauth://totp/x?secret=", mentions="secret")
        self.usage("uri", "otpauth-migration://offline?data=%%%", mentions="URI")
        self.usage("code", "--uri", "-", mentions="--uri", stdin="")

    def test_usage(self):
        self.usage(mentions="Usage")
        self.usage("frobnicate", mentions="unknown command 'frobnicate'")
        self.usage("code", "--no-such-flag")
        self.usage("code", "--uri", DEMO_URI, "--digits", "8", mentions="excludes")
        self.usage("code", "--secret", DEMO_SECRET, "--type", "totpx")
        self.usage("code", "--secret", DEMO_SECRET, "--time", "soon")
        self.usage("code", "--secret", DEMO_SECRET, "--watch", "--time", "5")
        self.usage("code", "--secret", DEMO_SECRET, "--type", "hotp", "--watch", mentions="hotp")
        self.usage("uri", mentions="nothing to do")
        self.usage("uri", DEMO_URI, "--secret", DEMO_SECRET)

    def test_issuer_policy(self):
        uri = "otpauth://totp/Label:alice?secret=JBSWY3DPEHPK3PXP&issuer=Param"
        self.usage("uri", uri, mentions="issuer")
        self.assertEqual(json.loads(mfa("uri", "--json", "--issuer-policy", "param", uri).stdout)["issuer"], "Param")
        self.assertEqual(json.loads(mfa("uri", "--json", "--issuer-policy", "label", uri).stdout)["issuer"], "Label")


class Meta(unittest.TestCase):
    def test_version(self):
        with open(os.path.join(SOURCE, "lib", "include", "mfa", "version.h")) as f:
            version = re.search(r'MFA_VERSION_STRING "([^"]+)"', f.read()).group(1)
        r = mfa("--version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith(f"mfa {version} "), r.stdout)
        # The optional components configured (tests/meson.build), in mfa_features()'s order.
        order = ["redis", "fido2", "qr_decode", "pwquality", "postgresql", "pskc"]
        built = [f for f in order if f in os.environ["MFA_BUILT_FEATURES"].split()]
        self.assertIn("optional components: " + (" ".join(built) or "none") + "\n", r.stdout)
        self.assertEqual(mfa_unittest.features(), frozenset(built))

    def test_help(self):
        r = mfa("--help")
        self.assertEqual(r.returncode, 0)
        for word in ("code", "uri", "Examples:", "Exit codes: 0 ok, 1 runtime failure, 2 usage or bad input"):
            self.assertIn(word, r.stdout)
        for cmd in ("code", "uri"):
            r = mfa(cmd, "--help")
            self.assertEqual(r.returncode, 0)
            self.assertIn("Examples:", r.stdout)

    def test_watch_ends_by_itself_off_a_terminal(self):
        r = mfa("code", "--uri", DEMO_URI, "--watch", "--duration", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertTrue(1 <= len(lines) <= 3, lines)
        self.assertRegex(lines[0], r"^Example \(alice@example.com\)  \d{3} \d{3}  \[[#.]{20}\] \d+s$")
        r = mfa("code", "--uri", DEMO_URI, "--watch", "--duration", "1", "--json")
        self.assertEqual(json.loads(r.stdout.splitlines()[0])["type"], "totp")


if __name__ == "__main__":
    mfa_unittest.main()

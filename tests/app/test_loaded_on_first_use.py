#!/usr/bin/python3
"""Dependencies loaded on first use instead of linked (mfa/shared_library.hpp; docs/dependencies.md,
docs/performance.md "Start-up"). No binary of the SDK names them as needed or leaves one of their
functions to the dynamic linker; `mfa code --secret` maps the C library, libcrypto and libm and
nothing else; a vault adds libargon2, a QR picture libpng and libqrencode, reading one zxing-cpp, a
soft-token command libfido2 and not hidapi, listing USB keys hidapi and not libfido2; and where
libfido2 and hidapi are missing at run time (empty files under their sonames first on
LD_LIBRARY_PATH) `mfa` still starts, and the command that needs one fails naming it.
Arguments: the binaries to check (mfa first, then libmfa.so, pam_mfa.so). MFA_FIDO2=1 when built
with the fido2 feature; MFA_MAKE_TEST_VAULT for the vault cases (vault_helpers.py)."""
import os
import re
import subprocess
import sys
import tempfile
import unittest
import mfa_unittest
from vault_helpers import Scratch

BINARIES = sys.argv[1:]
sys.argv[1:] = []
MFA = BINARIES[0]
FIDO2 = os.environ.get("MFA_FIDO2") == "1"
SECRET = "JBSWY3DPEHPK3PXP"

LIBFIDO2 = "libfido2.so.1"
HIDAPI = "libhidapi-hidraw.so.0"
# Each deferred library, with the prefix of the functions the SDK takes from it.
LAZY = {LIBFIDO2: "fido_", HIDAPI: "hid_", "libpq.so.5": "PQ", "libsqlite3.so.0": "sqlite3_",
        "libargon2.so.1": "argon2", "libpwquality.so.1": "pwquality_", "libpskc.so.0": "pskc_",
        "libxml2.so.2": "xml", "libpng16.so.16": "png_", "libjpeg.so.62": "jpeg_",
        "libqrencode.so.4": "QRcode_", "libZXing.so.2": "_ZN5ZXing", "libhiredis.so.0.14": "redis"}
# What every run maps: the C library, libcrypto (the OTP and vault crypto), libm (number formatting
# in the statically linked C++ runtime), the shared unwinder (apps/authenticator/meson.build says
# why) and the loader.
BASE = {"libc.so.6", "libcrypto.so.3", "libm.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"}
# What libfido2 and hidapi bring that nothing else in the SDK needs (ldd, Debian 12; their zlib
# comes with libpng anyway).
THEIR_OWN = {"libcbor.so.0.8", "libudev.so.1"}


def loaded(*args, env=None):
    """The libraries the dynamic loader initialised in a run of mfa (soname-like basenames)."""
    env = dict(env if env is not None else os.environ, LD_DEBUG="libs")
    r = subprocess.run([MFA, *args], capture_output=True, text=True, timeout=60, env=env)
    inits = re.findall(r"^\s*\d+:\s+calling init: (\S+)$", r.stderr, re.M)
    return r, {os.path.basename(p): p for p in inits}


class Linked(unittest.TestCase):
    def test_no_binary_links_a_lazy_dependency(self):
        for path in BINARIES:
            needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]",
                                subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout)
            undefined = subprocess.run(["nm", "-D", "--undefined-only", path], capture_output=True, text=True,
                                       check=True).stdout.split()
            for lib, prefix in LAZY.items():
                self.assertNotIn(lib, needed, path)
                self.assertEqual([s for s in undefined if s.startswith(prefix)], [], f"{path} imports from {lib}")
            self.assertEqual(set(needed) & THEIR_OWN, set(), path)

    def test_mfa_links_only_the_base(self):
        out = subprocess.run(["readelf", "-d", MFA], capture_output=True, text=True, check=True).stdout
        needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out))
        self.assertTrue(needed)
        self.assertLessEqual(needed, BASE)


class Loaded(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.soft = "soft:" + os.path.join(self.tmp.name, "dev.token")

    def tearDown(self):
        self.tmp.cleanup()

    def test_stateless_commands_load_only_the_base(self):
        for argv in (["code", "--secret", SECRET],
                     ["code", "--uri", f"otpauth://totp/Example:alice?secret={SECRET}&issuer=Example"],
                     ["uri", "--random", "--issuer", "Example", "--name", "alice"],
                     ["--version"], ["--help"], ["code", "--help"]):
            with self.subTest(argv=argv):
                r, libs = loaded(*argv)
                self.assertEqual(r.returncode, 0, r.stderr[-2000:])
                self.assertIn("libc.so.6", libs, "LD_DEBUG reported nothing: the check would pass vacuously")
                self.assertLessEqual(set(libs), BASE, f"mfa {' '.join(argv)} loaded more than the base")

    def test_a_vault_loads_the_kdf_and_no_more(self):
        s = Scratch()
        try:
            s.ok("add", "--uri", f"otpauth://totp/GitHub:alice?secret={SECRET}&issuer=GitHub")
            r, libs = loaded("code", "github", "--passphrase-file", s.passfile, env=s.env())
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])
            self.assertIn("libargon2.so.1", libs)
            self.assertLessEqual(set(libs), BASE | {"libargon2.so.1"})
        finally:
            s.cleanup()

    def test_pictures_load_the_image_libraries(self):
        s = Scratch()
        try:
            s.ok("add", "--uri", f"otpauth://totp/GitHub:alice?secret={SECRET}&issuer=GitHub")
            png = os.path.join(s.dir, "q.png")
            r, libs = loaded("show", "github", "--png", png, "--passphrase-file", s.passfile, env=s.env())
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])
            self.assertIn("libpng16.so.16", libs)
            self.assertIn("libqrencode.so.4", libs)
            self.assertNotIn(LIBFIDO2, libs)
            r, libs = loaded("add", "--qr", png, "--passphrase-file", s.passfile, env=s.env())
            if "built without" in r.stderr:
                mfa_unittest.skip_part("built without QR decoding: the decoder's loading was not seen")
                return
            self.assertIn("already in the vault", r.stderr)  # decoded, then found to be a duplicate
            self.assertIn("libZXing.so.2", libs)
            self.assertIn("libpng16.so.16", libs)
            self.assertNotIn("libjpeg.so.62", libs)
        finally:
            s.cleanup()

    def test_a_soft_token_loads_libfido2_and_listing_keys_loads_hidapi(self):
        if not FIDO2:
            self.skipTest("mfa was built without the fido2 feature")
        r, libs = loaded("token", "--device", self.soft, "info")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(LIBFIDO2, libs)
        self.assertNotIn(HIDAPI, libs)
        r, libs = loaded("token", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(HIDAPI, libs)
        self.assertNotIn(LIBFIDO2, libs)

    def test_missing_at_run_time(self):
        if not FIDO2:
            self.skipTest("mfa was built without the fido2 feature")
        # dlopen searches LD_LIBRARY_PATH before the system's directories: an empty file there under
        # each soname stands for a library that is missing or broken at run time (no privileges or
        # namespaces needed, so this runs in every CI root).
        hidden = os.path.join(self.tmp.name, "hidden")
        os.mkdir(hidden)
        for soname in (LIBFIDO2, HIDAPI):
            open(os.path.join(hidden, soname), "wb").close()

        def mfa_without(*args):
            env = dict(os.environ, LD_LIBRARY_PATH=hidden + os.pathsep + os.environ.get("LD_LIBRARY_PATH", ""))
            return subprocess.run([MFA, *args], capture_output=True, text=True, timeout=60, env=env)

        r = mfa_without("code", "--secret", SECRET)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^\d{6}\n$")
        r = mfa_without("token", "--device", self.soft, "info")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("unsupported", r.stderr)
        self.assertIn(f"{LIBFIDO2} could not be loaded", r.stderr)
        r = mfa_without("token", "list")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"{HIDAPI} could not be loaded", r.stderr)


if __name__ == "__main__":
    mfa_unittest.main()

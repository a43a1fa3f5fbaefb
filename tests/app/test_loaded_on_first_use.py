#!/usr/bin/python3
"""Dependencies loaded on first use instead of linked (mfa/shared_library.hpp): libfido2 and hidapi
(lib/fido2/libraries.hpp), libpq (lib/store/postgres.cpp). No binary of the SDK names them as needed
or leaves one of their functions to the dynamic linker; `mfa code` loads none of them, a soft-token
command loads libfido2 and not hidapi, listing USB keys loads hidapi and not libfido2; and where
they are missing at run time (replaced by empty files in a private mount namespace) `mfa` still
starts, and the command that needs one fails naming it.
Arguments: the binaries to check (mfa first, then libmfa.so, pam_mfa.so). MFA_FIDO2=1 when built
with the fido2 feature."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import mfa_unittest

BINARIES = sys.argv[1:]
sys.argv[1:] = []
MFA = BINARIES[0]
FIDO2 = os.environ.get("MFA_FIDO2") == "1"
SECRET = "JBSWY3DPEHPK3PXP"

LIBFIDO2 = "libfido2.so.1"
HIDAPI = "libhidapi-hidraw.so.0"
LAZY = {LIBFIDO2: "fido_", HIDAPI: "hid_", "libpq.so.5": "PQ"}
# What libfido2 and hidapi bring that nothing else in the SDK needs (ldd, Debian 12; their zlib
# comes with libpng anyway).
THEIR_OWN = {"libcbor.so.0.8", "libudev.so.1"}


def loaded(*args):
    """The libraries the dynamic loader initialised in a run of mfa (soname-like basenames)."""
    env = dict(os.environ, LD_DEBUG="libs")
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


class Loaded(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.soft = "soft:" + os.path.join(self.tmp.name, "dev.token")

    def tearDown(self):
        self.tmp.cleanup()

    def test_codes_load_none(self):
        r, libs = loaded("code", "--secret", SECRET)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(set(libs) & (set(LAZY) | THEIR_OWN), set())

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
        _, a = loaded("token", "--device", self.soft, "info")
        _, b = loaded("token", "list")
        hidden = [os.path.realpath(a[LIBFIDO2]), os.path.realpath(b[HIDAPI])]

        def mfa_without(*args):
            """mfa in a private mount namespace where the hidden libraries are empty files: sh -c
            CMD MFA FILE... -- ARG..."""
            cmd = ('while [ "$1" != -- ]; do mount --bind /dev/null "$1" || exit 99; shift; done; shift; '
                   'exec "$0" "$@"')
            return subprocess.run(["unshare", "-rm", "sh", "-c", cmd, MFA, *hidden, "--", *args],
                                  capture_output=True, text=True, timeout=60)

        if shutil.which("unshare") is None:
            self.skipTest("unshare is not installed (util-linux)")
        r = mfa_without("--version")
        if r.returncode == 99 or "unshare:" in r.stderr:
            self.skipTest("cannot make a private mount namespace (unshare -rm): " + r.stderr.strip())
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

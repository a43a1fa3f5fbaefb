"""unittest.main for the Python suites (tests/app, tests/python), with meson's skip convention: when
nothing failed but a test skipped (self.skipTest) or a part of one could not run (skip_part), the
program exits 77, which meson reports as SKIP, instead of 0. tests/meson.build puts this directory on
PYTHONPATH."""
import functools
import os
import subprocess
import sys
import unittest

_skipped_parts = []


@functools.lru_cache(maxsize=None)
def features():
    """The optional components (meson_options.txt) of the mfa under test ($MFA_APP), as its
    `--version` lists them."""
    out = subprocess.run([os.environ["MFA_APP"], "--version"], capture_output=True, text=True, check=True).stdout
    line = next((l for l in out.splitlines() if l.startswith("optional components: ")), "")
    return frozenset(w for w in line.split(": ", 1)[-1].split() if w != "none")


def needs(*names):
    """Skips a test (or a class of them) when the mfa under test was built without one of these
    components; the reason names the Meson option."""
    missing = [n for n in names if n not in features()]
    return unittest.skipIf(bool(missing), f"built without {missing[0]} (meson -D{missing[0]}=enabled)" if missing else "")


def has(name):
    """True when the mfa under test was built with this component: for a check inside a test that
    is about something else (a skip_part otherwise)."""
    if name in features():
        return True
    skip_part(f"built without {name} (meson -D{name}=enabled)")
    return False


def skip_part(reason):
    """Records that a check inside a test could not run (a missing tool), while the rest of the test goes on."""
    print("SKIPPED:", reason, flush=True)
    _skipped_parts.append(reason)


def main():
    result = unittest.main(verbosity=2, exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    reasons = [f"{test.id()}: {why}" for test, why in result.skipped] + _skipped_parts
    if reasons:
        for r in reasons:
            print("SKIPPED:", r)
        sys.exit(77)
    sys.exit(0)

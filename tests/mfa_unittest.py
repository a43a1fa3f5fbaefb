"""unittest.main for the Python suites (tests/app, tests/python), with meson's skip convention: when
nothing failed but a test skipped (self.skipTest) or a part of one could not run (skip_part), the
program exits 77, which meson reports as SKIP, instead of 0. tests/meson.build puts this directory on
PYTHONPATH."""
import sys
import unittest

_skipped_parts = []


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

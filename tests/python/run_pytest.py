#!/usr/bin/python3
"""Runs one pytest file of tests/python for meson: exit 0 passed, 77 skipped (conftest.py turns a
skip into 77; a missing pytest is a skip too, with the reason), anything else failed."""
import sys

try:
    import pytest
except ImportError:
    print("SKIPPED: pytest is not installed (Debian python3-pytest, scripts/packages.txt [test])")
    sys.exit(77)

sys.exit(pytest.main(["-p", "no:cacheprovider", "-rs", "-v", *sys.argv[1:]]))

#!/usr/bin/python3
"""The mfakit package type-checks with mypy --strict (its annotations are what py.typed promises).
Skips (77) when mypy is not installed (Debian mypy, scripts/packages.txt [test]).
  run_mypy.py PACKAGE_DIR"""
import subprocess
import sys

try:
    import mypy  # noqa: F401
except ImportError:
    print("SKIPPED: mypy is not installed (Debian mypy, scripts/packages.txt [test])")
    sys.exit(77)

sys.exit(subprocess.call([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null",
                          "mfakit"], cwd=sys.argv[1]))

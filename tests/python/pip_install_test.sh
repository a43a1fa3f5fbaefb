#!/bin/bash
# `pip install ./bindings/python` into a fresh virtualenv gives a package that imports and computes an
# RFC 6238 code against a libmfa.so found by the loader (here LD_LIBRARY_PATH; installed: ldconfig).
# Offline: the venv sees Debian's setuptools and wheel (--system-site-packages, --no-build-isolation);
# skips (77) when those are missing.
#   pip_install_test.sh SOURCE_DIR LIBMFA_DIR
set -euo pipefail
src="$1"; libdir="$2"
for mod in venv setuptools wheel; do
    /usr/bin/python3 -c "import $mod" 2>/dev/null || { echo "SKIPPED: python3 module $mod is missing"; exit 77; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
cp -r "$src/bindings/python" "$tmp/src"   # pip builds in place: keep the source tree clean
"$tmp/venv/bin/pip" install --quiet --no-index --no-build-isolation "$tmp/src"
cd "$tmp"
env -u MFA_LIBRARY -u PYTHONPATH LD_LIBRARY_PATH="$libdir" "$tmp/venv/bin/python" - "$tmp/venv" <<'PY'
import os, sys
import mfakit
assert mfakit.__file__.startswith(sys.argv[1]), mfakit.__file__
assert os.path.exists(os.path.join(os.path.dirname(mfakit.__file__), "py.typed"))
assert mfakit.Otp(b"12345678901234567890", digits=8).generate(59) == "94287082"
print("pip-installed mfakit", mfakit.version(), "from", os.path.dirname(mfakit.__file__))
PY

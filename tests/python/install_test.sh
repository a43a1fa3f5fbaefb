#!/bin/bash
# `meson install` into a temporary DESTDIR installs the mfakit Python package where /usr/bin/python3
# searches (its system path, python.install_env=system), with _install.py naming the installed
# libmfa.so, and the installed package imports and computes an RFC 6238 code against that library.
#   install_test.sh BUILD_DIR
set -euo pipefail
build="$1"
dest="$(mktemp -d)"
trap 'rm -rf "$dest" "$dest.log"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest.log" 2>&1 || { cat "$dest.log"; exit 1; }

init="$(find "$dest" -path '*/mfakit/__init__.py' -print -quit)"
[ -n "$init" ] || { echo "mfakit is not installed"; exit 1; }
site="$(dirname "$(dirname "$init")")"
for f in _native.py errors.py otp.py webauthn.py server.py vault.py fido2.py qr.py py.typed _install.py; do
    [ -f "$site/mfakit/$f" ] || { echo "missing from the install: mfakit/$f"; exit 1; }
done
# The site directory is one the system interpreter searches (without DESTDIR).
/usr/bin/python3 - "${site#"$dest"}" <<'PY'
import os, sys
site = sys.argv[1]
assert site in [os.path.normpath(p) for p in sys.path], f"{site} is not in /usr/bin/python3's sys.path"
PY
libdir="$(dirname "$(find "$dest" -name 'libmfa.so.[0-9]' -print -quit)")"
env -u MFA_LIBRARY PYTHONPATH="$site" LD_LIBRARY_PATH="$libdir" DEST="$dest" /usr/bin/python3 - <<'PY'
import os
import mfakit
from mfakit import _install
# _install.py names the library where meson install put it (here below DESTDIR).
assert os.path.exists(os.environ["DEST"] + _install.LIBRARY), _install.LIBRARY
assert mfakit.Otp(b"12345678901234567890", digits=8).generate(59) == "94287082"
print("installed mfakit", mfakit.version(), "from", os.path.dirname(mfakit.__file__))
PY

#!/bin/bash
# `meson install` into a temporary DESTDIR gives a usable package: the library with its soversion
# links, the C headers (and no C++ header), the app, and an mfa.pc through which a C program compiles, links and runs.
#   abi_install.sh BUILD_DIR CONSUMER_C CC
set -euo pipefail
build="$1"; consumer="$2"; cc="$3"
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; exit 1; }
rm -f "$dest.log"

status=0
need() {  # need DESCRIPTION FIND-ARGS...: at least one file under $dest matches
    local what="$1"; shift
    if [ -z "$(find "$dest" "$@" -print -quit)" ]; then echo "missing from the install: $what"; status=1; fi
}
need "libmfa.so (dev symlink)" -name libmfa.so -type l
need "libmfa.so.SOVERSION" -name 'libmfa.so.[0-9]*' -type l
need "libmfa.so.VERSION" -name 'libmfa.so.*.*.*' -type f
need "mfa/mfa.h" -path '*/include/mfa/mfa.h'
need "mfa/mfa_common.h" -path '*/include/mfa/mfa_common.h'
need "mfa/version.h" -path '*/include/mfa/version.h'
need "mfa/mfa_errors.h" -path '*/include/mfa/mfa_errors.h'
# The C++ headers are internal (libmfa.so exports only mfa_* C symbols): none may be installed.
cxx="$(find "$dest" -path '*/include/*' -name '*.hpp' | sed "s|^$dest||")"
if [ -n "$cxx" ]; then echo "C++ headers installed (no installed library exports them):"; echo "$cxx"; status=1; fi
need "mfa.pc" -name mfa.pc
if [ -f "$build/apps/authenticator/mfa" ]; then need "bin/mfa" -path '*/bin/mfa' -type f; fi
[ "$status" -eq 0 ] || exit 1

pcdir="$(dirname "$(find "$dest" -name mfa.pc -print -quit)")"
libdir="$(dirname "$(find "$dest" -name 'libmfa.so' -print -quit)")"
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$dest"
flags="$(pkg-config --cflags --libs mfa)"
echo "pkg-config --cflags --libs mfa: $flags"
# shellcheck disable=SC2086  # flags are words
$cc -std=c99 -pedantic -Wall -Wextra -Werror "$consumer" -o "$dest/consumer" $flags
LD_LIBRARY_PATH="$libdir" "$dest/consumer"

#!/bin/bash
# Each public C header compiles alone, as C99 and as C++ (pedantic, warnings as errors), so that a
# user may include any one of them first and from either language.
#   abi_headers.sh CC CXX HEADER_DIR INCLUDE_DIR...
set -euo pipefail
cc="$1"; cxx="$2"; hdr_dir="$3"; shift 3
inc=()
for d in "$@"; do inc+=("-I$d"); done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

status=0 n=0
for h in "$hdr_dir"/*.h; do
    name="$(basename "$h")"
    printf '#include "mfa/%s"\n#include "mfa/%s"\nint mfa_header_check_%s;\n' \
        "$name" "$name" "${name%.h}" >"$work/tu.c"
    cp "$work/tu.c" "$work/tu.cpp"
    if ! $cc -std=c99 -pedantic -Wall -Wextra -Werror "${inc[@]}" -c "$work/tu.c" -o "$work/tu.o"; then
        echo "FAIL: $name as C99"; status=1
    fi
    if ! $cxx -std=c++11 -pedantic -Wall -Wextra -Werror "${inc[@]}" -c "$work/tu.cpp" -o "$work/tu.o"; then
        echo "FAIL: $name as C++11"; status=1
    fi
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "no headers in $hdr_dir"; exit 1; }
[ "$status" -eq 0 ] && echo "ok: $n headers compile alone as C99 and C++11 (each included twice: guards work)"
exit "$status"

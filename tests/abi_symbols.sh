#!/bin/bash
# The exported ABI is exactly mfa.sym: every dynamic symbol libmfa.so defines starts with mfa_ and is
# listed in the version script, and every symbol listed there is exported.
#   abi_symbols.sh LIBMFA_SO MFA_SYM
set -euo pipefail
lib="$1"
sym="$2"

# "mfa_version@@MFA_0" -> "mfa_version"; the version nodes themselves (absolute "A" symbols) are not functions.
exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u)
# Names inside the global: sections of the version script.
listed=$(sed -e 's|/\*.*\*/||g' "$sym" | awk '
    /global:/ { g = 1; next }
    /local:/ { g = 0; next }
    /}/ { g = 0; next }
    g { gsub(/[ \t;]/, ""); if ($0 != "") print }' | sort -u)

status=0
bad_prefix=$(grep -v '^mfa_' <<<"$exported" || true)
if [ -n "$bad_prefix" ]; then
    echo "exported without the mfa_ prefix:"; echo "$bad_prefix" | sed 's/^/  /'; status=1
fi
not_listed=$(comm -23 <(echo "$exported") <(echo "$listed"))
if [ -n "$not_listed" ]; then
    echo "exported but not in mfa.sym:"; echo "$not_listed" | sed 's/^/  /'; status=1
fi
not_exported=$(comm -13 <(echo "$exported") <(echo "$listed"))
if [ -n "$not_exported" ]; then
    echo "in mfa.sym but not exported (declared without MFA_EXPORT, or not defined):"
    echo "$not_exported" | sed 's/^/  /'; status=1
fi
n=$(grep -c . <<<"$exported")
[ "$status" -eq 0 ] && echo "ok: $n symbols, all mfa_*, all in mfa.sym and all of mfa.sym exported"
exit "$status"

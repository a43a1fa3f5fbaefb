#!/bin/bash
# Start-up of `mfa code --secret` as a process against `oathtool --totp -b` in the same run
# (docs/performance.md "Start-up"): hyperfine (Debian hyperfine) for wall time, perf stat for the
# CPU time of one process (wall time on a shared machine is mostly waiting for a core), the shared
# libraries loaded, and the dynamic loader's relocation count. Beside them, the floor: a C program
# that does nothing but load libcrypto.so (built here with cc), which no OpenSSL program can beat.
#   bench/startup.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: startup.sh BUILD_DIR}
mfa="$build/apps/authenticator/mfa"
secret=JBSWY3DPEHPK3PXP
for tool in hyperfine oathtool; do
    command -v "$tool" >/dev/null || { echo "startup.sh: $tool is not installed (scripts/packages.txt [test])" >&2; exit 77; }
done
[ -x "$mfa" ] || { echo "startup.sh: no $mfa (build the app first)" >&2; exit 2; }
json=$(mktemp)
floor=$(mktemp)
trap 'rm -f "$json" "$floor"' EXIT
echo 'int main(void) { return 0; }' | cc -O2 -x c - -o "$floor" -Wl,--no-as-needed -lcrypto
hyperfine -N --warmup 50 --min-runs 300 --export-json "$json" \
    "oathtool --totp -b $secret" "$mfa code --secret $secret" "$floor"
/usr/bin/python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
o, m, f = r[0], r[1], r[2]
ms = lambda x: x * 1000
for k in ("mean", "min"):
    print(f"wall, {k + ':':5} oathtool {ms(o[k]):.2f} ms, mfa {ms(m[k]):.2f} ms (ratio {m[k] / o[k]:.2f}), "
          f"libcrypto alone {ms(f[k]):.2f} ms (ratio {f[k] / o[k]:.2f})")
PY
if command -v perf >/dev/null; then
    for cmd in "oathtool --totp -b $secret" "$mfa code --secret $secret" "$floor"; do
        cpu=$(perf stat -r 100 $cmd 2>&1 >/dev/null | awk '/task-clock/ { print $1 }')
        echo "CPU (task-clock, mean of 100): $cpu ms  ${cmd%% *}"
    done
fi
echo "shared libraries: oathtool $(ldd "$(command -v oathtool)" | wc -l), mfa $(ldd "$mfa" | wc -l)"
LD_DEBUG=statistics "$mfa" code --secret $secret 2>&1 >/dev/null | awk '/number of relocations:/ { print "mfa relocations at start-up: " $NF; exit }'

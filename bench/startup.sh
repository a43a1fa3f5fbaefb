#!/bin/bash
# Start-up of `mfa code --secret` as a process against `oathtool --totp -b` in the same run
# (docs/performance.md "Start-up"): hyperfine (Debian hyperfine) for wall time, perf stat for the
# CPU time of one process (wall time on a shared machine is mostly waiting for a core), the shared
# libraries loaded, and the dynamic loader's relocation count.
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
trap 'rm -f "$json"' EXIT
hyperfine -N --warmup 50 --min-runs 300 --export-json "$json" \
    "oathtool --totp -b $secret" "$mfa code --secret $secret"
/usr/bin/python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
o, m = r[0], r[1]
ms = lambda x: x * 1000
print(f"wall, mean: oathtool {ms(o['mean']):.2f} ms, mfa {ms(m['mean']):.2f} ms, ratio {m['mean'] / o['mean']:.1f}")
print(f"wall, min:  oathtool {ms(o['min']):.2f} ms, mfa {ms(m['min']):.2f} ms, ratio {m['min'] / o['min']:.1f}")
PY
if command -v perf >/dev/null; then
    for cmd in "oathtool --totp -b $secret" "$mfa code --secret $secret"; do
        cpu=$(perf stat -r 100 $cmd 2>&1 >/dev/null | awk '/task-clock/ { print $1 }')
        echo "CPU (task-clock, mean of 100): $cpu ms  ${cmd%% *}"
    done
fi
echo "shared libraries: oathtool $(ldd "$(command -v oathtool)" | wc -l), mfa $(ldd "$mfa" | wc -l)"
LD_DEBUG=statistics "$mfa" code --secret $secret 2>&1 >/dev/null | awk '/number of relocations:/ { print "mfa relocations at start-up: " $NF; exit }'

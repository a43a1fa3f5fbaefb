#!/bin/bash
# WebAuthn verification figures for docs/performance.md ("WebAuthn"), all in one run:
# webauthn_bench (raw OpenSSL P-256 verify, the whole authentication path, registrations) and
# python-fido2's Fido2Server.authenticate_complete on a fresh ES256 assertion (Debian python3-fido2,
# run with the system /usr/bin/python3). Usage: bench/webauthn_compare.sh BUILD_DIR [SHARED_DIR]
set -euo pipefail
build=${1:?usage: webauthn_compare.sh BUILD_DIR [SHARED_DIR]}
shared=${2:-$(dirname "$0")/../../shared}
export MFA_SHARED_DIR=$shared
# Rates from wall time (the python peer measures wall time too).
"$build/bench/webauthn_bench" --benchmark_min_time=1 --benchmark_format=json > /tmp/webauthn_bench.$$.json
tmp=$(mktemp)
/usr/bin/python3 "$shared/peers/make_assertion.py" > "$tmp"
peer=$(/usr/bin/python3 "$shared/peers/pf2.py" "$tmp" | sed -n 's/.*: \([0-9.]*\)\/s/\1/p')
rm -f "$tmp"
/usr/bin/python3 - "$peer" /tmp/webauthn_bench.$$.json <<'PY'
import json, sys
peer = float(sys.argv[1])
runs = {b["name"]: 1e9 / b["real_time"] for b in json.load(open(sys.argv[2]))["benchmarks"] if "real_time" in b}
raw = runs["BM_raw_openssl_p256_verify"]
for name, rate in runs.items():
    print(f"{name:45s} {rate:10.0f}/s  {100 * rate / raw:5.1f}% of raw P-256 verify")
print(f"{'python-fido2 authenticate_complete (ES256)':45s} {peer:10.0f}/s")
best = runs["BM_authentication_verify_es256_cached_key"]
print(f"authentication (cached key) vs python-fido2: {best / peer:.1f}x")
PY
rm -f /tmp/webauthn_bench.$$.json

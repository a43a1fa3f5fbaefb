#!/bin/bash
# Builds mfakit (installing the Debian packages it needs) and runs the `mfa` app.
#   scripts/run.sh            a live demo: a demo vault with demo accounts (in a temporary
#                             directory), then `mfa code --watch` with its countdown (until Ctrl-C
#                             on a terminal; 3 seconds otherwise)
#   scripts/run.sh ARGS...    runs `mfa ARGS...`  (scripts/run.sh --help lists the commands)
#   scripts/run.sh web [OPTIONS]  the reference web service (apps/web, docs/web.md) on
#                             http://localhost:8000: SQLite store and key ring in build/web-data
#                             (or $MFA_WEB_DATA); --store redis://… --port N … (--help lists them)
# Build output goes to stderr so that `scripts/run.sh code ... --json` prints only the JSON.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mfa_ensure_packages build app >&2
mfa_build build >&2
mfa="$MFA_ROOT/build/apps/authenticator/mfa"

if [ "${1:-}" = web ]; then
    shift
    # The service is Python (Debian's Flask) over the mfakit package and the libmfa.so just built.
    export MFA_LIBRARY="$MFA_ROOT/build/bindings/c/libmfa.so"
    export PYTHONPATH="$MFA_ROOT/bindings/python:$MFA_ROOT/apps/web${PYTHONPATH:+:$PYTHONPATH}"
    exec /usr/bin/python3 -m mfaweb --data "${MFA_WEB_DATA:-$MFA_ROOT/build/web-data}" "$@"
fi
if [ $# -gt 0 ]; then
    exec "$mfa" "$@"
fi

# The demo: a throw-away vault in a temporary directory with a demo account, unlocked from a demo
# passphrase file, then the codes with their countdown. Its secret and passphrase are public (it is
# the demo): never use them for a real account.
demo="$(mktemp -d -t mfa-demo-XXXXXX)"
trap 'rm -rf "$demo"' EXIT
export MFA_VAULT="$demo/vault.mfa"
printf 'demo passphrase\n' > "$demo/passphrase"
demo_uri='otpauth://totp/mfakit%20demo:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=mfakit%20demo'
step() { echo "  \$ mfa $*"; "$mfa" "$@" --passphrase-file "$demo/passphrase"; }
echo "mfa demo: an encrypted vault in $demo (passphrase file: $demo/passphrase)"
step init
step add --uri "$demo_uri" --tag demo
step add --secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ --issuer Bank --name bob --type hotp
step list
step hotp next bank
echo "  \$ mfa code --watch      (current code, countdown, next code; Ctrl-C stops)"
if [ -t 0 ] && [ -t 1 ]; then
    "$mfa" code --watch --passphrase-file "$demo/passphrase" || true
else
    "$mfa" code --watch --duration 3 --passphrase-file "$demo/passphrase"
fi

#!/bin/bash
# Builds mfakit (installing the Debian packages it needs) and runs the `mfa` app.
#   scripts/run.sh            a live demo: the codes of a demo account with their countdown
#                             (until Ctrl-C on a terminal; a few seconds otherwise)
#   scripts/run.sh ARGS...    runs `mfa ARGS...`  (scripts/run.sh --help lists the commands)
# Build output goes to stderr so that `scripts/run.sh code ... --json` prints only the JSON.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mfa_ensure_packages build app >&2
mfa_build build >&2
mfa="$MFA_ROOT/build/apps/authenticator/mfa"

if [ $# -gt 0 ]; then
    exec "$mfa" "$@"
fi

# The demo. Its secret is public (it is the demo): never use it for a real account.
demo_uri='otpauth://totp/mfakit%20demo:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=mfakit%20demo'
echo "mfa demo: the TOTP code of a demo account, refreshed every second (Ctrl-C stops)."
echo "  \$ mfa uri '$demo_uri'"
"$mfa" uri "$demo_uri"
echo "  \$ mfa code --uri ... --watch"
if [ -t 0 ] && [ -t 1 ]; then
    exec "$mfa" code --uri "$demo_uri" --watch
else
    exec "$mfa" code --uri "$demo_uri" --watch --duration 3
fi

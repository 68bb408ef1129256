#!/bin/sh
# Validates every bundled scenario and the malformed corpus against
# `kdaout schema` with ajv (tests/integration/schema/schema.test.mjs).
#   tests/integration/schema/run.sh [KDAOUT]   (or KDAOUT=... / KDO_SCHEMA=FILE in the environment)
# Installs the locked dependencies (npm ci) on first use; exit status = the tests'
# (0 pass, 1 fail), or 77 (meson's SKIP) when node is missing or npm ci cannot run
# (offline), with a message saying so -- except in CI (CI=true), where a test
# that cannot run is a failure, not a skip.
set -u
skip=77
if [ "${CI:-}" = "true" ]; then skip=1; fi
if [ $# -ge 1 ]; then KDAOUT=$1; fi
if [ -n "${KDAOUT:-}" ]; then
    case $KDAOUT in /*) ;; *) KDAOUT=$(pwd)/$KDAOUT ;; esac
    export KDAOUT
fi
if [ -n "${KDO_SCHEMA:-}" ]; then
    case $KDO_SCHEMA in /*) ;; *) KDO_SCHEMA=$(pwd)/$KDO_SCHEMA ;; esac
    export KDO_SCHEMA
fi
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1
if ! command -v node >/dev/null 2>&1; then
    echo "schema tests: SKIP: node not found (Node.js >= 20 is needed)" >&2
    exit $skip
fi
if [ ! -d node_modules/ajv ] || [ ! -d node_modules/yaml ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "schema tests: SKIP: node_modules is missing and npm is not installed" >&2
        exit $skip
    fi
    echo "schema tests: installing the locked dependencies (npm ci)" >&2
    if ! npm ci --no-audit --no-fund >&2; then
        echo "schema tests: SKIP: 'npm ci' failed (offline? no access to the npm registry?)." >&2
        echo "  Run 'npm ci' in $here once with network access, then re-run." >&2
        rm -rf node_modules   # never leave a half-installed tree behind
        exit $skip
    fi
fi
exec node --test schema.test.mjs

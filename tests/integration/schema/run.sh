#!/bin/sh
# Validates every bundled scenario and the malformed corpus against
# `kdaout schema` with ajv (tests/integration/schema/schema.test.mjs).
#   tests/integration/schema/run.sh [KDAOUT]   (or KDAOUT=... / KDO_SCHEMA=FILE in the environment)
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../node-test.sh" "$here" schema.test.mjs "schema tests" "$@"

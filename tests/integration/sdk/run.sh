#!/bin/sh
# Runs the AWS SDK for JavaScript v3 tests against `kdaout fake-lambda`.
#   tests/integration/sdk/run.sh [KDAOUT]      (or KDAOUT=... in the environment)
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../node-test.sh" "$here" sdk.test.mjs "sdk tests" "$@"

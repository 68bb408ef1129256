#!/usr/bin/env bash
# kdaout host with a real runtime process (a minimal Node.js Runtime API loop,
# tests/integration/host/runtime.mjs) and handlers modelled on the console's
# output blueprint (all Ok), a poison-pill thrower, one that leaves record IDs
# out, one that runs past its Timeout, and one that cannot load.  kdaout
# conform and kdaout run judge them through the Invoke API the host serves.
# Usage: host.sh KDAOUT SOURCE_ROOT
set -u
kdaout=$1
root=$2
export LAMBDA_TASK_ROOT="$root/tests/integration/host"
runtime="$LAMBDA_TASK_ROOT/runtime.mjs"
skip=77 # meson's SKIP, when it cannot run here; in CI that is a failure
if [ "${CI:-}" = "true" ]; then skip=1; fi
if ! command -v node >/dev/null || ! node -e 'if (typeof fetch !== "function") process.exit(1)'; then
    echo "host: SKIP: Node.js 18+ (with fetch) is needed for the test runtime; .ci/run installs it"
    exit $skip
fi
. "$root/tests/integration/host/lib.sh"
host() { start_host "$1" "$2" node "$runtime"; }

host ok 3
conform; rc=$?
if [ $rc -eq 0 ] && grep -q "11 passed, 0 failed" "$tmp/out.txt"; then
    ok "the blueprint handler (all Ok) passes every conform probe"
else
    not_ok "blueprint handler: exit $rc"; cat "$tmp/out.txt" "$log"
fi
cat >"$tmp/run.yaml" <<YAML
name: the blueprint handler, hosted
duration: 3s
application:
  input: [{rate: 200/s}]
lambda: {endpoint: $url, function: kdaout-hosted}
expect:
  undelivered: 0
  rows_delivered: 600
YAML
if "$kdaout" run "$tmp/run.yaml" >"$tmp/out.txt" 2>&1; then
    ok "kdaout run delivers every row to the hosted handler"
else
    not_ok "kdaout run against the hosted handler"; cat "$tmp/out.txt"
fi

host poison 3
conform; rc=$?
if [ $rc -eq 1 ] && grep -Eq "^FAIL +poison-pill .*unhandled error" "$tmp/out.txt" &&
   grep -Eq "^PASS +batch-100" "$tmp/out.txt"; then
    ok "a handler that throws on a poison pill fails the poison-pill probe (function error)"
else
    not_ok "poison handler: exit $rc"; cat "$tmp/out.txt"
fi

host noids 3
conform --probe batch; rc=$?
if [ $rc -eq 1 ] && grep -Eq "^FAIL +batch-100 .*without a string recordId" "$tmp/out.txt"; then
    ok "a handler that leaves record IDs out fails"
else
    not_ok "noids handler: exit $rc"; cat "$tmp/out.txt"
fi

host slow 1
conform --probe row; rc=$?
if [ $rc -eq 1 ] && grep -q "Sandbox.Timedout" "$tmp/out.txt" &&
   [ "$(grep -c 'the Timeout passed, the runtime is stopped' "$log")" -ge 2 ]; then
    ok "past its Timeout: Sandbox.Timedout, and a fresh runtime for each invocation"
else
    not_ok "slow handler: exit $rc"; cat "$tmp/out.txt" "$log"
fi

# A poison pill stalls the hosted handler -- every invocation fails and the
# application falls behind -- until the fix is deployed (a file appears), then
# everything drains: the contract's retry-forever behaviour, end to end.
export KDAOUT_FIX_FILE="$tmp/fixed"
host poison_until_fixed 3
cat >"$tmp/stall.yaml" <<YAML
name: a poison pill stalls the hosted handler until it is fixed
duration: 8s
application:
  input:
    - {rate: 50/s}
    - {row: 'POISON, not JSON', at: 1s}
  buffer: {rows: 60}               # a small stream: it fills, and the source falls behind
lambda: {endpoint: $url, function: kdaout-hosted}
expect:
  failures.function_error: {min: 2}
  max_lag_ms: {min: 1000}
  undelivered: 0
  final_lag_ms: 0
YAML
(sleep 4; touch "$KDAOUT_FIX_FILE") &
fixer=$!
if "$kdaout" run "$tmp/stall.yaml" >"$tmp/out.txt" 2>&1; then
    ok "a poison pill stalls delivery with growing lag until the handler is fixed, then drains"
else
    not_ok "stall until fixed"; cat "$tmp/out.txt"
fi
wait "$fixer"

host missing 3
conform --probe one-row; rc=$?
if [ $rc -eq 3 ] && grep -q "the handler did not start: Runtime.ImportModuleError" "$tmp/out.txt" &&
   grep -q "init error" "$log"; then
    ok "an init error is a function error (conform: the handler did not start), and is logged"
else
    not_ok "init error: exit $rc"; cat "$tmp/out.txt" "$log"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

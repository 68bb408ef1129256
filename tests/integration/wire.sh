#!/usr/bin/env bash
# Issue 11: the Invoke API front of `kdaout fake-lambda` and `kdaout host`, as
# the real clients see it -- boto3/botocore (Debian's python3-boto3,
# wire/wire_boto3.py) and the AWS SDK for JavaScript v3 (@aws-sdk/client-lambda
# from tests/integration/sdk/node_modules, wire/wire_sdk.mjs) -- each against
#   - fake-lambda (--timeout 4), fake-lambda --fail throttle, --fail service_error;
#   - kdaout host (--timeout 5) running wire/runtime.py, a stdlib Runtime API
#     loop whose handler prints a line to stdout and to stderr, notes each
#     invocation's marker in $WIRE_SEEN, answers KDA events Ok, echoes the rest.
# What both servers must answer (and so what is asserted):
#   - RequestResponse: 200, the function's payload, X-Amz-Executed-Version
#     ($LATEST, or the numeric qualifier); Event: 202, empty, runs afterwards
#     (fake: in GET /_kdaout/invocations; host: the runtime gets it); DryRun:
#     204, empty, the function does not run; another type: 400
#     InvalidParameterValueException.
#   - empty body: the function receives {} (the fake: not a KDA event, so a
#     function error InvalidEvent); not JSON: 400 InvalidRequestContentException
#     ("Could not parse request body into json..."); exactly 6,291,456 bytes
#     accepted, 6,291,457: 413 RequestEntityTooLargeException with the
#     service's message, never reaching the function.
#   - unknown function: 404 ResourceNotFoundException, Message naming the ARN
#     (":Q" appended when qualified); name:Q with another ?Qualifier=: 400
#     InvalidParameterValueException; another path: 404
#     UnknownOperationException; a wrong method: 405 MethodNotAllowedException.
#   - error bodies carry the member botocore's model names (`Message` for
#     ResourceNotFound/Service/unmodelled, `message` for TooManyRequests --
#     with Reason, retryAfterSeconds and Retry-After -- InvalidRequestContent
#     and InvalidParameterValue), and every answer an x-amzn-RequestId.
#   - LogType Tail: X-Amz-Log-Result, base64 of at most 4 KiB: START / END /
#     REPORT RequestId lines (host: with the handler's own lines between);
#     another LogType: 400.
#   - GetFunctionConfiguration: FunctionArn (":Q" when qualified) and Timeout;
#     name, name:alias, partial ARN and full ARN (with or without a qualifier).
# Clients retry nothing (boto3 total_max_attempts 1, SDK maxAttempts 1) and
# use dummy credentials from the environment.
# Usage: wire.sh KDAOUT SOURCE_ROOT.  Exit 0 all passed, 1 an assertion failed
# (one `not ok` line each), 77 (meson's SKIP) when boto3 or Node.js is missing
# -- except in CI (CI=true), where that is a failure.
set -u
kdaout=$1
root=$2
here="$root/tests/integration/wire"
sdkdir="$root/tests/integration/sdk"
skip=77
if [ "${CI:-}" = "true" ]; then skip=1; fi
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
export AWS_ACCESS_KEY_ID=wire-test-key AWS_SECRET_ACCESS_KEY=wire-test-secret
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_SESSION_TOKEN AWS_PROFILE
failed=0
skipped=
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }

# Debian's python3 with python3-boto3 (the README and .ci/run install it).
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! "$py" -c 'import boto3' 2>/dev/null; then
    echo "wire: SKIP boto3: $py cannot import boto3 (apt-get install python3-boto3)"
    skipped="$skipped boto3"
fi
if ! command -v node >/dev/null 2>&1; then
    echo "wire: SKIP sdk-v3: node not found (Node.js >= 20)"
    skipped="$skipped sdk-v3"
elif [ ! -f "$sdkdir/node_modules/@aws-sdk/client-lambda/package.json" ]; then
    # The sdk-js test's locked dependencies (meson runs this test alone, so
    # no other npm ci runs in that folder meanwhile).
    echo "wire: installing tests/integration/sdk's locked dependencies (npm ci)"
    if ! (cd "$sdkdir" && npm ci --no-audit --no-fund) >"$tmp/npm.log" 2>&1; then
        cat "$tmp/npm.log"
        echo "wire: SKIP sdk-v3: 'npm ci' in $sdkdir failed (offline?)"
        rm -rf "$sdkdir/node_modules"
        skipped="$skipped sdk-v3"
    fi
fi
case $skipped in *boto3*sdk-v3*) exit $skip ;; esac

# start NAME COMMAND...: starts a server whose first stdout line is
# `listening on http://127.0.0.1:PORT`; sets $url and $pid.
start() {
    local name=$1
    shift
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 1 200); do
        url=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$tmp/$name.out")
        [ -n "$url" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "wire: $name did not start"; cat "$tmp/$name.out" "$tmp/$name.err"
    exit 1
}
# stop NAME: the server must still be running (it survived every case), and
# stop cleanly on SIGTERM within 10 s (exit 0: under the sanitizers, no leak).
stop() {
    local rc
    if ! kill -0 "$pid" 2>/dev/null; then
        not_ok "$1 exited during the test"; tail -20 "$tmp/$1.err"
        return
    fi
    echo "ok - $1 still running after both clients"
    kill -TERM "$pid"
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        not_ok "$1 still running 10 s after SIGTERM"
    fi
    wait "$pid"; rc=$?
    if [ $rc -eq 0 ]; then
        echo "ok - $1 stopped on SIGTERM, exit 0"
    else
        not_ok "$1 stopped with exit $rc"; tail -20 "$tmp/$1.err"
    fi
}
# clients KIND FUNCTION MODE TIMEOUT [SEEN]: both clients against $url.
clients() {
    local rc
    if [[ $skipped != *boto3* ]]; then
        timeout 120 "$py" "$here/wire_boto3.py" "$url" "$@" | tee -a "$tmp/all.txt"
        rc=${PIPESTATUS[0]}
        [ $rc -eq 0 ] || not_ok "boto3 $1 $3: exit $rc"
    fi
    if [[ $skipped != *sdk-v3* ]]; then
        timeout 120 node --no-warnings "$here/wire_sdk.mjs" "$sdkdir" "$url" "$@" |
            tee -a "$tmp/all.txt"
        rc=${PIPESTATUS[0]}
        [ $rc -eq 0 ] || not_ok "sdk-v3 $1 $3: exit $rc"
    fi
}

start fake "$kdaout" fake-lambda --listen 127.0.0.1:0 --timeout 4
clients fake kdaout-fake main 4
stop fake
start fake-throttle "$kdaout" fake-lambda --listen 127.0.0.1:0 --fail throttle
clients fake kdaout-fake throttle 3
stop fake-throttle
start fake-service "$kdaout" fake-lambda --listen 127.0.0.1:0 --fail service_error
clients fake kdaout-fake service 3
stop fake-service

export WIRE_SEEN="$tmp/seen"
start host "$kdaout" host --timeout 5 --function wire-hosted -- python3 "$here/runtime.py"
clients host wire-hosted main 5 "$WIRE_SEEN"
if grep -q '^\[runtime\] wire-handler: invoked ' "$tmp/host.err"; then
    echo "ok - host: the handler's lines reach the host's stderr"
else
    not_ok "host: the handler's lines are not in the host's stderr"
fi
stop host
if [ $failed -gt 0 ]; then
    echo "wire: FAILED: $(grep -c '^not ok' "$tmp/all.txt") client assertions (the 'not ok' lines above)"
    exit 1
fi
if [ -n "$skipped" ]; then
    echo "wire: everything run passed; skipped:$skipped"
    exit $skip
fi
echo "wire: all passed"

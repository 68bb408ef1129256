#!/usr/bin/env bash
# /metrics and the live progress line of fake-lambda and host (issue 15):
#  1. fake-lambda --metrics-listen 127.0.0.1:0 prints `metrics on
#     http://127.0.0.1:PORT/metrics` as its second line; a few invocations
#     with curl, a scrape, more invocations, a second scrape: the request
#     counter and the latency histogram's count ROSE, the Content-Type is the
#     text format 0.0.4's, both scrapes pass `promtool check metrics`;
#  2. a throttle, a function error and a timeout are counted by type
#     (TooManyRequestsException, Unhandled, Sandbox.Timedout);
#  3. kdaout host --metrics-listen (Python's stdlib runtime loop) counts its
#     invocations the same way;
#  4. bad --metrics-listen values are refused (exit 2), only /metrics is served;
#  5. on a terminal (a pty from script(1)) the progress line is drawn with
#     `\r`; with --quiet, NO_COLOR or stderr not a terminal it is not.
# promtool is Debian's `prometheus` package (.ci/run installs it): without it
# the test fails in CI (CI=true) and is skipped locally, saying so.
# Everything on 127.0.0.1, ephemeral ports, bounded waits.
#   tests/integration/metrics.sh KDAOUT SOURCE_ROOT
set -u
kdaout=${1:?usage: metrics.sh KDAOUT SOURCE_ROOT}
root=${2:?usage: metrics.sh KDAOUT SOURCE_ROOT}
case $kdaout in /*) ;; *) kdaout=$(pwd)/$kdaout ;; esac
tmp=$(mktemp -d) || exit 1
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
promtool_missing=0
command -v promtool >/dev/null || promtool_missing=1

# start NAME ARGS...: runs kdaout ARGS in the background (stdout in $tmp/NAME.out),
# waits for its `metrics on` line; sets $url (the Invoke API) and $murl (/metrics).
start() {
    local name=$1
    shift
    "$kdaout" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pids+=($!)
    for _ in $(seq 1 200); do
        if [ "$(wc -l <"$tmp/$name.out")" -ge 2 ]; then
            url=$(sed -n '1s/^listening on //p' "$tmp/$name.out")
            murl=$(sed -n '2s/^metrics on //p' "$tmp/$name.out")
            return 0
        fi
        sleep 0.05
    done
    echo "kdaout $* did not start"; cat "$tmp/$name.out" "$tmp/$name.err"; exit 1
}
invoke() { # invoke FUNCTION [N]: N invocations, their statuses in $tmp/statuses
    for _ in $(seq 1 "${2:-1}"); do
        curl -s -m 10 -o /dev/null -w '%{http_code}\n' -d '{"records":[]}' \
            "$url/2015-03-31/functions/$1/invocations"
    done >"$tmp/statuses"
}
scrape() { curl -s -m 10 -D "$tmp/$1.headers" -o "$tmp/$1.txt" "$murl"; }
# value FILE SERIES: the value of the line naming exactly SERIES (0 if none).
value() { awk -v s="$2" '$1 == s { v = $2 } END { print v + 0 }' "$1"; }
promcheck() { # promcheck FILE WHAT
    if [ $promtool_missing = 1 ]; then
        echo "skip - promtool check metrics on $2: no promtool (apt-get install prometheus)"
    elif promtool check metrics <"$1" >"$tmp/promtool.txt" 2>&1; then
        ok "promtool check metrics passes on $2"
    else
        not_ok "promtool check metrics on $2"; cat "$tmp/promtool.txt"
    fi
}

# 1. Counters rise between two scrapes.
start fake fake-lambda --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0
if grep -Eq '^metrics on http://127\.0\.0\.1:[0-9]+/metrics$' <(sed -n 2p "$tmp/fake.out") &&
   ! grep -q ':0/' "$tmp/fake.out"; then
    ok "the second stdout line names the metrics port"
else
    not_ok "second stdout line"; cat "$tmp/fake.out"
fi
ok_series='kdaout_http_requests_total{server="fake-lambda",route="invoke",status="200"}'
count_series='kdaout_http_request_duration_seconds_count{server="fake-lambda",route="invoke"}'
invoke kdaout-fake 3
scrape first
invoke kdaout-fake 4
invoke no-such-function 1
scrape second
a=$(value "$tmp/first.txt" "$ok_series") b=$(value "$tmp/second.txt" "$ok_series")
if [ "$a" = 3 ] && [ "$b" = 7 ]; then
    ok "kdaout_http_requests_total for invoke/200 rose from 3 to 7"
else
    not_ok "requests counter: $a then $b, expected 3 then 7"; cat "$tmp/second.txt"
fi
a=$(value "$tmp/first.txt" "$count_series") b=$(value "$tmp/second.txt" "$count_series")
if [ "$a" = 3 ] && [ "$b" = 8 ]; then
    ok "the invoke latency histogram's count rose from 3 to 8 (the 404 included)"
else
    not_ok "latency count: $a then $b, expected 3 then 8"
fi
inf=$(value "$tmp/second.txt" \
    'kdaout_http_request_duration_seconds_bucket{server="fake-lambda",route="invoke",le="+Inf"}')
[ "$inf" = "$b" ] && ok "+Inf bucket equals _count ($inf)" || not_ok "+Inf $inf, _count $b"
if [ "$(value "$tmp/second.txt" \
        'kdaout_errors_total{server="fake-lambda",type="ResourceNotFoundException"}')" = 1 ] &&
   [ "$(value "$tmp/second.txt" \
        'kdaout_http_requests_total{server="fake-lambda",route="invoke",status="404"}')" = 1 ]; then
    ok "an unknown function: one 404, one ResourceNotFoundException"
else
    not_ok "404 not counted"; cat "$tmp/second.txt"
fi
if grep -qix 'content-type: text/plain; version=0.0.4; charset=utf-8'$'\r' "$tmp/second.headers"; then
    ok "Content-Type is text/plain; version=0.0.4; charset=utf-8"
else
    not_ok "Content-Type"; cat "$tmp/second.headers"
fi
grep -Eq '^process_start_time_seconds [0-9.e+]+$' "$tmp/second.txt" &&
    grep -q '^kdaout_http_requests_in_flight{server="fake-lambda"} 0$' "$tmp/second.txt" &&
    ok "process start time and the in-flight gauge" || not_ok "start time / in flight"
promcheck "$tmp/first.txt" "the first scrape"
promcheck "$tmp/second.txt" "the second scrape"
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "${murl%/metrics}/other")
[ "$code" = 404 ] && ok "only /metrics is served (404 elsewhere)" || not_ok "/other: $code"
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -d x "$murl")
[ "$code" = 405 ] && ok "POST /metrics: 405" || not_ok "POST /metrics: $code"

# 2. Errors by type.
cat >"$tmp/rules.yaml" <<'YAML'
timeout: 1s
rules:
  - {match: {times: 1}, action: throttle}
  - {match: {times: 1}, action: function_error}
  - {match: {times: 1}, action: timeout}
YAML
start faults fake-lambda --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --rules "$tmp/rules.yaml"
invoke kdaout-fake 4
scrape faults
e() { value "$tmp/faults.txt" "kdaout_errors_total{server=\"fake-lambda\",type=\"$1\"}"; }
if [ "$(e TooManyRequestsException)" = 1 ] && [ "$(e Unhandled)" = 1 ] &&
   [ "$(e Sandbox.Timedout)" = 1 ] && [ "$(tr '\n' ' ' <"$tmp/statuses")" = "429 200 200 200 " ]; then
    ok "a throttle, a function error and a timeout, each counted by its type"
else
    not_ok "errors by type"; cat "$tmp/statuses"; grep errors_total "$tmp/faults.txt"
fi
promcheck "$tmp/faults.txt" "a scrape with errors"

# 3. kdaout host.
python=$(command -v python3)
if [ -n "$python" ]; then
    LAMBDA_TASK_ROOT="$root/tests/integration/host" start host host --timeout 3 \
        --handler kda_output.handler --metrics-listen 127.0.0.1:0 -- \
        "$python" "$root/tests/integration/host/pyruntime.py"
    invoke kdaout-hosted 2
    scrape host1
    invoke kdaout-hosted 1
    scrape host2
    s='kdaout_http_requests_total{server="host",route="invoke",status="200"}'
    if [ "$(value "$tmp/host1.txt" "$s")" = 2 ] && [ "$(value "$tmp/host2.txt" "$s")" = 3 ]; then
        ok "kdaout host: its invocations counted, rising from 2 to 3"
    else
        not_ok "host counts"; cat "$tmp/host2.txt" "$tmp/host.err"
    fi
    promcheck "$tmp/host2.txt" "kdaout host's scrape"
else
    not_ok "python3 is needed for the host case"
fi

# 4. Refusals.
for bad in nonsense 127.0.0.1:70000 example.com:0 :x; do
    if timeout 10 "$kdaout" fake-lambda --listen 127.0.0.1:0 --metrics-listen "$bad" \
        >"$tmp/bad.out" 2>&1; then
        not_ok "--metrics-listen $bad was accepted"
    elif [ $? = 2 ] && grep -q -- "--metrics-listen" "$tmp/bad.out"; then
        ok "--metrics-listen $bad refused, exit 2"
    else
        not_ok "--metrics-listen $bad"; cat "$tmp/bad.out"
    fi
done
port=${murl##*:}
port=${port%/metrics}
if timeout 10 "$kdaout" host --metrics-listen "127.0.0.1:${port}" -- true >"$tmp/bad.out" 2>&1; then
    not_ok "a metrics port in use was accepted"
else
    grep -q "in use" "$tmp/bad.out" && ok "a metrics port in use: a clear error" ||
        { not_ok "port in use"; cat "$tmp/bad.out"; }
fi

# 5. The progress line: on a pty (script(1)), not with --quiet, NO_COLOR, stdout
# in a file (the issue: "none when stdout is not a terminal") or stderr in one.
# progress_run FILE ENV... -- ARGS...: fake-lambda with ARGS on a pty for ~1.5 s
# (its URL read back from the pty's record; with OUT=FILE, stdout goes there),
# three invocations in between; what it drew in FILE.
progress_run() {
    local file=$1
    shift
    cat >"$tmp/inner.sh" <<SH
if [ -n "\${OUT:-}" ]; then
    "$kdaout" fake-lambda --listen 127.0.0.1:0 $* >"\$OUT" &
else
    "$kdaout" fake-lambda --listen 127.0.0.1:0 $* &
fi
p=\$!
for _ in \$(seq 1 100); do grep -q listening "$file" \${OUT:-} 2>/dev/null && break; sleep 0.05; done
u=\$(cat "$file" \${OUT:-} 2>/dev/null | tr -d '\\r' | sed -n 's/^listening on //p' | head -1)
for _ in 1 2 3; do curl -s -m 5 -o /dev/null -d '{"records":[]}' "\$u/2015-03-31/functions/kdaout-fake/invocations"; done
sleep 1.2
kill -INT \$p
wait \$p
SH
    timeout 20 script -q -f -e -c "sh $tmp/inner.sh" "$file" >/dev/null 2>&1 </dev/null
}
if command -v script >/dev/null; then
    progress_run "$tmp/tty.txt"
    if grep -q $'\r''fake-lambda: 3 requests, 3 invocations, 0 errors, 0 in flight, 0:00:0' \
        "$tmp/tty.txt"; then
        ok "on a terminal the progress line is drawn, \\r-rewritten"
    else
        not_ok "no progress line on a terminal"; od -c "$tmp/tty.txt" | tail -20
    fi
    progress_run "$tmp/quiet.txt" --quiet
    grep -q 'requests, ' "$tmp/quiet.txt" && not_ok "--quiet still draws" || ok "--quiet: no line"
    NO_COLOR=1 progress_run "$tmp/nocolor.txt"
    grep -q 'requests, ' "$tmp/nocolor.txt" && not_ok "NO_COLOR still draws" || ok "NO_COLOR: no line"
    OUT="$tmp/stdout.txt" progress_run "$tmp/redirected.txt"
    if grep -q 'requests, ' "$tmp/redirected.txt"; then
        not_ok "stdout in a file, yet a line on the terminal"
    elif grep -q '^listening on' "$tmp/stdout.txt"; then
        ok "stdout in a file: no line (the server ran: $(wc -l <"$tmp/stdout.txt") lines out)"
    else
        not_ok "stdout in a file: the server did not run"; cat "$tmp/stdout.txt"
    fi
else
    not_ok "script(1) (util-linux) is needed for the terminal case"
fi
start file fake-lambda --listen 127.0.0.1:0 --metrics-listen 0
invoke kdaout-fake 1
sleep 0.6
grep -q 'requests, ' "$tmp/file.err" && not_ok "stderr not a terminal, yet a line" ||
    ok "stderr not a terminal: no progress line"

# 6. kdaout run in real time (scenario 14: the fake over HTTP, 5 s of rows):
#    its CloudWatch-named metrics at /metrics rise while it runs, pass promtool,
#    and on a terminal its progress line is drawn.
"$kdaout" run "$root/scenarios/14-http-fake.yaml" --metrics-listen 127.0.0.1:0 \
    >"$tmp/run.out" 2>"$tmp/run.err" &
run_pid=$!
pids+=($run_pid)
murl=
for _ in $(seq 1 200); do
    murl=$(sed -n 's/^metrics on //p' "$tmp/run.out")
    [ -n "$murl" ] && break
    sleep 0.05
done
sleep 1.5
scrape run1
sleep 2
scrape run2
in1=$(value "$tmp/run1.txt" 'kdaout_records_total{scenario="14-http-fake",output="1.1",flow="Input"}')
in2=$(value "$tmp/run2.txt" 'kdaout_records_total{scenario="14-http-fake",output="1.1",flow="Input"}')
ok1=$(value "$tmp/run2.txt" 'kdaout_lambdadelivery_okrecords_total{scenario="14-http-fake",output="1.1"}')
if [ -n "$murl" ] && [ "$in1" -gt 0 ] && [ "$in2" -gt "$in1" ] && [ "$ok1" -gt 0 ]; then
    ok "run --metrics-listen: records read rise during the run ($in1 -> $in2), $ok1 Ok"
else
    not_ok "run --metrics-listen: records $in1 -> $in2, Ok $ok1 (at ${murl:-no url})"
    cat "$tmp/run.out" "$tmp/run2.txt" 2>/dev/null | head -30
fi
promcheck "$tmp/run2.txt" "a run's scrape"
if wait "$run_pid" && grep -q '1 passed, 0 failed' "$tmp/run.out"; then
    ok "the run passes as without --metrics-listen"
else
    not_ok "the run with --metrics-listen"; cat "$tmp/run.out" "$tmp/run.err"
fi
grep -q 'rows .* read' "$tmp/run.err" && not_ok "run: stderr not a terminal, yet a line" ||
    ok "run: stderr not a terminal: no progress line"
if command -v script >/dev/null; then
    timeout 60 script -q -e -c "stty cols 160; $kdaout run $root/scenarios/14-http-fake.yaml" \
        "$tmp/run-tty.txt" \
        >/dev/null 2>&1 </dev/null
    if grep -q $'\r''14-http-fake  [0-9]*/15 s  rows [0-9]* read, [0-9]* delivered' "$tmp/run-tty.txt"; then
        ok "run on a terminal: the progress line is drawn, \\r-rewritten"
    else
        not_ok "run on a terminal: no progress line"; od -c "$tmp/run-tty.txt" | tail -20
    fi
    # an 80-column terminal: every redraw fits (no wrap to leave behind)
    timeout 60 script -q -e -c "stty cols 80; $kdaout run $root/scenarios/14-http-fake.yaml" \
        "$tmp/run-narrow.txt" >/dev/null 2>&1 </dev/null
    widest=$(tr '\r' '\n' <"$tmp/run-narrow.txt" | grep -a '^14-http-fake ' |
        awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }')
    if [ "$widest" -gt 0 ] && [ "$widest" -le 79 ] &&
        tr '\r' '\n' <"$tmp/run-narrow.txt" | grep -aq 'failed [0-9]* ([a-z_]* [0-9]*, \.\.\.)  lag'; then
        ok "run on an 80-column terminal: lines of at most $widest columns, the commonest failure kind and the lag kept"
    else
        not_ok "run on an 80-column terminal: widest line $widest"
        tr '\r' '\n' <"$tmp/run-narrow.txt" | tail -3
    fi
    # failures by kind: 14's connection resets (0.9-1.5 s) fail whole batches
    if grep -aq 'failed [0-9]* (transport_error [0-9]*' "$tmp/run-tty.txt"; then
        ok "run on a terminal: failures named by kind ($(tr '\r' '\n' <"$tmp/run-tty.txt" |
            grep -ao 'failed [0-9]* ([^)]*)' | tail -1))"
    else
        not_ok "run on a terminal: failures not named by kind"
        tr '\r' '\n' <"$tmp/run-tty.txt" | tail -5
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
if [ $promtool_missing = 1 ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "FAIL: promtool is missing (apt-get install prometheus): required in CI"
        exit 1
    fi
    echo "SKIP: promtool is missing (apt-get install prometheus); everything else passed"
    exit 77
fi
exit 0

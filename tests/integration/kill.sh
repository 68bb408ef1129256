#!/usr/bin/env bash
# The endpoint killed mid-batch: `kdaout run` delivers in real time over HTTP
# to `kdaout fake-lambda`, which is killed with SIGKILL and restarted on the
# same loopback port at least 20 times while invocations are in flight; then
# it drains.  Checked from the journal alone (tests/swarm/swarm.py's own
# checker: every emitted row acknowledged Ok, no resend after Ok, the
# retryHint rule, head-of-line) and from the endpoint's own record: every
# recordId acknowledged Ok in the journal was received by some instance.
#
# Each instance's record (GET /_kdaout/invocations) is fetched just before it
# is killed, with kdaout stopped (SIGSTOP) meanwhile: nothing new can arrive
# between the fetch and the kill, and a reply the fake sent before the fetch
# is only read by kdaout after SIGCONT -- so the union of the records is
# complete and the comparison needs no exception.
# Usage: kill.sh KDAOUT SOURCE_ROOT [BUG]  (BUG: run with --plant-bug BUG, to
# see this test fail)
set -u
kdaout=$1
root=$2
bug=()
[ -n "${3:-}" ] && bug=(--plant-bug "$3")
swarm="$root/tests/swarm/swarm.py"
kills_wanted=20
tmp=$(mktemp -d)
fake_pid=
run_pid=
cleanup() {
    [ -n "$run_pid" ] && kill -CONT "$run_pid" 2>/dev/null && kill "$run_pid" 2>/dev/null
    [ -n "$fake_pid" ] && { kill -9 "$fake_pid"; wait "$fake_pid"; } 2>/dev/null
    [ -n "${KEEP:-}" ] && cp -r "$tmp" "$KEEP"; rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }

if ! command -v python3 >/dev/null || ! command -v curl >/dev/null; then
    echo "kill: python3 and curl are needed"; exit 1
fi

# Starts a fake on $1 (127.0.0.1:0 or the port it had); sets fake_pid, url.
# A port just freed by SIGKILL may take a moment to bind again: bounded retries.
start_fake() {
    local listen=$1 i n=$2
    for i in $(seq 1 50); do
        "$kdaout" fake-lambda --listen "$listen" --latency 1s --seed "$n" \
            >"$tmp/fake.$n.out" 2>"$tmp/fake.$n.err" &
        fake_pid=$!
        for _ in $(seq 1 100); do
            grep -q '^listening on' "$tmp/fake.$n.out" 2>/dev/null && break
            kill -0 "$fake_pid" 2>/dev/null || break
            sleep 0.01
        done
        if grep -q '^listening on' "$tmp/fake.$n.out"; then
            url=$(sed -n 's/^listening on //p' "$tmp/fake.$n.out" | head -1)
            return 0
        fi
        kill -9 "$fake_pid" 2>/dev/null; { wait "$fake_pid"; } 2>/dev/null
        sleep 0.05
    done
    echo "kill: could not start the fake on $listen: $(cat "$tmp/fake.$n.err")"
    return 1
}

start_fake 127.0.0.1:0 0 || exit 1
port=${url##*:}
case "$url" in http://127.0.0.1:*) ;; *) echo "kill: not loopback: $url"; exit 1 ;; esac

# 150 rows/s for 60 s: long enough for 25 kills on a slow machine.  Each
# invocation takes 1 s at the fake, and each kill waits for one to arrive first: every kill cuts a request short.  Failed
# batches are retried after 250 ms.  The stream holds at most 1,000 rows, so
# no invocation carries more recordIds than the fake's record keeps per
# invocation (1,000).
cat >"$tmp/run.yaml" <<YAML
name: the endpoint killed and restarted mid-batch
duration: 60s
drain: 60s
application:
  input: [{rate: 150/s}]
  buffer: {rows: 1000}
delivery: {invoke_timeout: 4s, retry_interval: 250ms}
lambda: {endpoint: $url, function: kdaout-fake}
YAML
"$kdaout" run "$tmp/run.yaml" "${bug[@]}" --seed 10 --journal "$tmp/run.jsonl" -v >"$tmp/run.txt" 2>&1 &
run_pid=$!

# Waits until the current fake has received an invocation (bounded).
wait_for_traffic() {
    for _ in $(seq 1 500); do
        curl -s --max-time 2 "$url/_kdaout/invocations" | grep -q '"records"' && return 0
        kill -0 "$run_pid" 2>/dev/null || return 1
        sleep 0.01
    done
    return 1
}

kills=0
deadline=$((SECONDS + 80))
while [ $kills -lt 25 ] && [ $SECONDS -lt $deadline ]; do
    wait_for_traffic || break
    sleep "$(printf 0.%03d $((RANDOM % 200)))"  # well within its 1 s: mid-request
    kill -STOP "$run_pid" 2>/dev/null || break
    curl -s --max-time 5 "$url/_kdaout/invocations" >"$tmp/log.$kills.json"
    kill -9 "$fake_pid"; { wait "$fake_pid"; } 2>/dev/null
    kills=$((kills + 1))
    start_fake "127.0.0.1:$port" "$kills" || { kill -CONT "$run_pid"; exit 1; }
    kill -CONT "$run_pid"
done

# Let it drain against the last instance (the run ends once all is delivered).
for _ in $(seq 1 900); do
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$run_pid" 2>/dev/null; then
    kill "$run_pid"; not_ok "kdaout run finished within 90 s of the last kill"
fi
wait "$run_pid"; rc=$?
run_pid=
curl -s --max-time 5 "$url/_kdaout/invocations" >"$tmp/log.$kills.json"

if [ $kills -ge $kills_wanted ]; then
    ok "the endpoint was killed (SIGKILL) and restarted on port $port $kills times"
else
    not_ok "only $kills kills (wanted $kills_wanted)"
fi
# Each kill cut a request short: a transport failure in the journal.
fails=$(grep -c '"ev":"reply","n":[0-9]*,"outcome":"transport_failed"' "$tmp/run.jsonl")
if [ "$fails" -ge $kills_wanted ]; then
    ok "$fails invocations failed at the transport level (cut by a kill)"
else
    not_ok "$fails invocations failed at the transport level (wanted $kills_wanted): the kills missed"
fi
if [ $rc -eq 0 ] && grep -Eq '^ +lost +0$' "$tmp/run.txt" && grep -Eq '^ +undelivered +0$' "$tmp/run.txt"; then
    ok "kdaout run passes: lost 0, undelivered 0 ($(grep -E '^ +rows_delivered' "$tmp/run.txt" | tr -s ' '))"
else
    not_ok "kdaout run (exit $rc)"; tail -60 "$tmp/run.txt"
fi
if python3 "$swarm" --check-journal "$tmp/run.jsonl" --buffer-rows 1000 --acked-ids "$tmp/acked.txt" >"$tmp/check.txt"; then
    ok "the journal alone: $(tail -1 "$tmp/check.txt" | sed 's/^swarm: journal [^:]*: //')"
else
    not_ok "the journal alone"; cat "$tmp/check.txt"
fi
# The endpoint's own record: every recordId acknowledged Ok was received.
if python3 - "$tmp/acked.txt" "$tmp"/log.*.json >"$tmp/endpoint.txt" <<'PY'
import json, sys
acked = set(open(sys.argv[1]).read().split())
seen, dropped, invocations, cut = set(), 0, 0, 0
for path in sys.argv[2:]:
    with open(path) as f:
        log = json.load(f)
    dropped += log["dropped"]
    for inv in log["invocations"]:
        invocations += 1
        seen.update(inv["recordIds"])
        cut += len(inv["recordIds"]) < inv["records"]  # the record keeps 1,000 ids
missing = sorted(acked - seen)
print("%d instance records, %d invocations received, %d of %d acknowledged recordIds "
      "never received, %d log entries dropped, %d cut short"
      % (len(sys.argv) - 2, invocations, len(missing), len(acked), dropped, cut))
if missing:
    print("first missing: " + missing[0])
sys.exit(1 if missing or dropped or cut or not acked else 0)
PY
then
    ok "the endpoint's record: $(cat "$tmp/endpoint.txt")"
else
    not_ok "the endpoint's record: $(cat "$tmp/endpoint.txt")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

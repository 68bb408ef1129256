#!/usr/bin/env bash
# kdaout conform against the fake Lambda over HTTP: a healthy fake passes
# every probe; for each probe, a fake broken the way that probe looks for
# (tests/integration/conform/PROBE.yaml) makes exactly that probe FAIL (or
# WARN, for retry-hint and timing) and sets the exit status.  Reports are
# checked too.  Usage: conform.sh KDAOUT SOURCE_ROOT
set -u
kdaout=$1
root=$2
dir="$root/tests/integration/conform"
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }

# Starts the fake (with rules file $1, or none) and sets $url.  Each fake
# writes its own file, so a stale "listening on" line is never read.
n=0
start() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    n=$((n + 1))
    out="$tmp/fake.$n.out"
    if [ -n "${1:-}" ]; then
        "$kdaout" fake-lambda --listen 127.0.0.1:0 --rules "$1" >"$out" 2>&1 &
    else
        "$kdaout" fake-lambda --listen 127.0.0.1:0 >"$out" 2>&1 &
    fi
    pid=$!
    for _ in $(seq 1 200); do
        url=$(sed -n 's/^listening on //p' "$out")
        [ -n "$url" ] && return 0
        sleep 0.05
    done
    echo "the fake did not start"; cat "$out"; exit 1
}

# 1. A healthy function passes everything; the reports say so.
start
"$kdaout" conform --endpoint "$url" --seed 1 --no-colour --junit "$tmp/c.xml" --json "$tmp/c.json" \
    >"$tmp/out.txt" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "10 passed, 0 failed (0 warnings)" "$tmp/out.txt"; then
    ok "a healthy function passes every probe"
else
    not_ok "a healthy function passes every probe (exit $rc)"; cat "$tmp/out.txt"
fi
if grep -q '<testsuite name="kdaout" tests="10" failures="0"' "$tmp/c.xml" &&
   grep -q '"failed":0' "$tmp/c.json"; then
    ok "JUnit and JSON reports"
else
    not_ok "JUnit and JSON reports"; head -c 600 "$tmp/c.xml"; head -c 600 "$tmp/c.json"
fi

# 2. Each probe fails (or warns) against the fake broken its way.
for probe in one-row batch-100 full-event binary-rows empty-rows row-512kb poison-pill \
             redelivery retry-hint timing; do
    start "$dir/$probe.yaml"
    "$kdaout" conform --endpoint "$url" --seed 1 --no-colour >"$tmp/out.txt" 2>&1
    rc=$?
    want=FAIL; want_rc=1
    case $probe in retry-hint|timing) want=WARN; want_rc=0 ;; esac
    if [ $rc -eq $want_rc ] && grep -Eq "^$want +$probe " "$tmp/out.txt" &&
       grep -q "^        why: " "$tmp/out.txt"; then
        ok "$probe: $want against $(sed -n 's/^# //p' "$dir/$probe.yaml" | head -1)"
    else
        not_ok "$probe: expected $want and exit $want_rc, got exit $rc"; cat "$tmp/out.txt"
    fi
done

# 3. An endpoint nobody listens on: undecided (3), not failed.
"$kdaout" conform --endpoint http://127.0.0.1:1 --probe one-row --no-colour >"$tmp/out.txt" 2>&1
rc=$?
if [ $rc -eq 3 ] && grep -q "^UNDECIDED" "$tmp/out.txt"; then
    ok "an unreachable endpoint is undecided (exit 3)"
else
    not_ok "an unreachable endpoint is undecided (exit $rc)"; cat "$tmp/out.txt"
fi

# 4. Usage errors exit 2.
"$kdaout" conform >/dev/null 2>&1; rc=$?
if [ $rc -eq 2 ]; then ok "no --endpoint: exit 2"; else not_ok "no --endpoint: exit $rc"; fi

# 5. Faults on top of a real function: a scenario delivering to an endpoint
#    (the healthy fake, standing in for the user's function) applies its own
#    rules to the replies.  Without them everything is Ok; with them the
#    named failures appear, and every row is still delivered in the end.
start
cat >"$tmp/meddle.yaml" <<YAML
name: faults on top of a real function
duration: 5s
application:
  input: [{rate: 50/s}]
lambda:
  endpoint: $url
  rules:
    - {match: {invocation: 2}, action: throttle}
    - {match: {contains: AMZN, attempt: 1}, action: omit}
    - {match: {contains: MSFT, attempt: 1}, action: delivery_failed}
    - {match: {contains: IBM, attempt: 1}, action: bad_result, value: ok}
    - {match: {invocation: 5}, action: latency, latency: 300ms}
expect:
  failures.http_status_not_200: {min: 1}
  failures.not_returned: {min: 1}
  failures.delivery_failed: {min: 1}
  failures.result_not_ok_or_delivery_failed: {min: 1}
  undelivered: 0
YAML
if "$kdaout" run "$tmp/meddle.yaml" --seed 3 >"$tmp/out.txt" 2>&1 && grep -q "fault rules apply" "$tmp/out.txt"; then
    ok "fault rules apply to a real function's replies, and everything is delivered in the end"
else
    not_ok "fault rules on a real endpoint"; cat "$tmp/out.txt"
fi
sed -i '/^  rules:/,/^expect:/{/^expect:/!d}' "$tmp/meddle.yaml"
cat >>"$tmp/meddle.yaml" <<YAML
  failures.not_returned: 0
  failures.delivery_failed: 0
YAML
sed -i '/failures.http_status_not_200\|failures.result_not_ok\|failures.not_returned: {min/d; /failures.delivery_failed: {min/d' "$tmp/meddle.yaml"
if "$kdaout" run "$tmp/meddle.yaml" --seed 3 >"$tmp/out.txt" 2>&1; then
    ok "the same scenario without rules: no failures (the faults were the meddler's)"
else
    not_ok "without rules"; cat "$tmp/out.txt"; cat "$tmp/meddle.yaml"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

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

# Starts a server (the command in "$@", which prints `listening on URL`
# first) and sets $url.  Each server writes its own file, so a stale
# "listening on" line is never read.
n=0
launch() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    n=$((n + 1))
    out="$tmp/fake.$n.out"
    "$@" >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do
        url=$(sed -n 's/^listening on //p' "$out")
        [ -n "$url" ] && return 0
        sleep 0.05
    done
    echo "the server did not start: $*"; cat "$out"; exit 1
}

# Starts the fake (with rules file $1, or none).
start() {
    if [ -n "${1:-}" ]; then
        launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --rules "$1"
    else
        launch "$kdaout" fake-lambda --listen 127.0.0.1:0
    fi
}

# 1. A healthy function passes everything; the reports say so.
start
"$kdaout" conform --endpoint "$url" --seed 1 --no-colour --junit "$tmp/c.xml" --json "$tmp/c.json" \
    --report "$tmp/c.html" >"$tmp/out.txt" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "11 passed, 0 failed (0 warnings)" "$tmp/out.txt" &&
   grep -q "^PASS  delivery " "$tmp/out.txt"; then
    ok "a healthy function passes every probe"
else
    not_ok "a healthy function passes every probe (exit $rc)"; cat "$tmp/out.txt"
fi
if grep -q '<testsuite name="kdaout" tests="11" failures="0"' "$tmp/c.xml" &&
   grep -q '"failed":0' "$tmp/c.json"; then
    ok "JUnit and JSON reports"
else
    not_ok "JUnit and JSON reports"; head -c 600 "$tmp/c.xml"; head -c 600 "$tmp/c.json"
fi
# the HTML page: one row per probe, as many as the JSON report's, all PASS, well-formed
if xmllint --noout "$tmp/c.html" &&
   [ "$(grep -c '<tr class="probe probe-PASS"' "$tmp/c.html")" -eq 11 ] &&
   [ "$(grep -c '<tr class="probe ' "$tmp/c.html")" -eq 11 ]; then
    ok "--report: one row per probe, 11 PASS, well-formed"
else
    not_ok "--report's page"; head -c 1500 "$tmp/c.html"
fi
# without -v: every passing row still says what was sent and why (the page is that
# detail); the terminal keeps to one line a probe
notes=$(grep -c '<tr class="probe probe-PASS".*<pre class="notes">[^<]*why: ' "$tmp/c.html" || true)
if [ "$notes" -eq 11 ] && ! grep -q '^        why: ' "$tmp/out.txt"; then
    ok "--report without -v: all 11 passing rows explain themselves; the terminal stays terse"
else
    not_ok "--report without -v: $notes of 11 rows with their detail"; grep -c 'why: ' "$tmp/out.txt"
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

# 3. An endpoint nobody listens on: a wrong URL (2), never a FAIL.
"$kdaout" conform --endpoint http://127.0.0.1:1 --probe one-row --no-colour >"$tmp/out.txt" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "^ERROR configuration .*nothing answers" "$tmp/out.txt" &&
   grep -q "^        fix: check the endpoint URL" "$tmp/out.txt" && ! grep -q "^FAIL" "$tmp/out.txt"; then
    ok "an unreachable endpoint is a wrong URL with its fix (exit 2)"
else
    not_ok "an unreachable endpoint (exit $rc)"; cat "$tmp/out.txt"
fi

# 3b. Verdicts that blame the right party: what answers is not the function,
#     so nothing FAILs; one line names the cause and the fix, and the exit
#     status says whether the name/URL is wrong (2) or nothing was decided (3).
#     expect NAME RC LINE-REGEX: checks the last conform's output.
expect() {
    local name=$1 want_rc=$2 line=$3 also=${4:-.}
    if [ $rc -eq "$want_rc" ] && grep -Eq "$line" "$tmp/out.txt" && grep -Eq "$also" "$tmp/out.txt" &&
       grep -q "^        fix: " "$tmp/out.txt" && ! grep -q "^FAIL" "$tmp/out.txt"; then
        ok "$name (exit $rc)"
    else
        not_ok "$name: expected exit $want_rc and /$line/, got exit $rc"; cat "$tmp/out.txt"
    fi
}
start_raw() { launch python3 "$dir/raw-server.py" "$1"; }

launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --function some-other-function
"$kdaout" conform --endpoint "$url" --no-colour >"$tmp/out.txt" 2>&1; rc=$?
expect "404: no such function is a wrong name, not a contract failure" 2 \
    "^ERROR configuration .*no such function" "^        why: .*HTTP 404 ResourceNotFoundException"

start_raw forbidden
"$kdaout" conform --endpoint "$url" --no-colour >"$tmp/out.txt" 2>&1; rc=$?
expect "403 UnrecognizedClientException: credentials refused, undecided" 3 \
    "^UNDECIDED configuration .*refused"
grep -q "^        fix: check AWS_ACCESS_KEY_ID" "$tmp/out.txt" || not_ok "403: the fix names the credentials"

launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --fail throttle
t0=$(date +%s)
"$kdaout" conform --endpoint "$url" --no-colour >"$tmp/out.txt" 2>&1; rc=$?
t1=$(date +%s)
echo "# conform against a function throttled on every call: $((t1 - t0)) s"
expect "persistent 429: resent, then undecided, never a FAIL" 3 \
    "^UNDECIDED one-row .*HTTP 429 TooManyRequestsException after 9 resends"

start_raw config-denied
"$kdaout" conform --endpoint "$url" --no-colour >"$tmp/out.txt" 2>&1; rc=$?
expect "403 AccessDeniedException on GetFunctionConfiguration: a missing permission, undecided" 3 \
    "^UNDECIDED configuration .*refused" "^        fix: grant .*lambda:GetFunctionConfiguration"

launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --fail service_error
"$kdaout" conform --endpoint "$url" --probe one-row --no-colour >"$tmp/out.txt" 2>&1; rc=$?
expect "persistent 500 ServiceException: undecided, never a FAIL" 3 \
    "^UNDECIDED one-row .*HTTP 500 ServiceException after 9 resends"

start_raw busy
"$kdaout" conform --endpoint "$url" --probe one-row --no-colour >"$tmp/out.txt" 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "^PASS  one-row" "$tmp/out.txt" &&
   grep -q "(Timeout 3 s;" "$tmp/out.txt" && grep -q "2 requests resent after 429/5xx" "$tmp/out.txt"; then
    ok "a 429 then a 503 on GetFunctionConfiguration are resent, and the probe decided (exit 0)"
else
    not_ok "429/503 then answers (exit $rc)"; cat "$tmp/out.txt"
fi

launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --fail delivery_failed
"$kdaout" conform --endpoint "$url" --seed 1 --no-colour --report "$tmp/f.html" >"$tmp/out.txt" 2>&1
rc=$?
if [ "$(grep -c '<tr class="probe probe-FAIL"' "$tmp/f.html")" -eq 1 ] &&
   grep -q 'KDA resends a DeliveryFailed record forever' "$tmp/f.html"; then
    ok "--report: the failing probe's row says what came back and why"
else
    not_ok "--report of a failing function"; head -c 3000 "$tmp/f.html"
fi
if [ $rc -eq 1 ] && grep -q "^FAIL  delivery .*every one of the [0-9]* well-formed rows" "$tmp/out.txt" &&
   grep -q "^        why: KDA resends a DeliveryFailed record forever" "$tmp/out.txt" &&
   [ "$(grep -c '^FAIL' "$tmp/out.txt")" -eq 1 ]; then
    ok "a function that answers DeliveryFailed to everything fails delivery (exit 1)"
else
    not_ok "refuse-all (exit $rc)"; cat "$tmp/out.txt"
fi

start_raw slow
"$kdaout" conform --endpoint "$url" --probe redelivery --no-colour >"$tmp/out.txt" 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q "^PASS  redelivery" "$tmp/out.txt" &&
   grep -q "^FAIL  timing .*longer than the function's 1000 ms Timeout" "$tmp/out.txt"; then
    ok "an answer slower than the function's Timeout fails timing (exit 1)"
else
    not_ok "slower than the Timeout (exit $rc)"; cat "$tmp/out.txt"
fi

launch "$kdaout" host --timeout 3 -- python3 "$dir/init-error-runtime.py"
"$kdaout" conform --endpoint "$url" --function kdaout-hosted --no-colour >"$tmp/out.txt" 2>&1; rc=$?
expect "a handler that did not start: one verdict with the runtime's message" 3 \
    "^UNDECIDED one-row .*the handler did not start: Runtime.ImportModuleError: Error: Cannot find module 'index'"
if [ "$(grep -c '^[A-Z]' "$tmp/out.txt")" -eq 1 ]; then
    ok "a handler that did not start: one verdict line, not nine failures"
else
    not_ok "a handler that did not start: one verdict line"; cat "$tmp/out.txt"
fi

launch "$kdaout" host --timeout 3 -- python3 "$dir/init-error-runtime.py" --header-only
"$kdaout" conform --endpoint "$url" --function kdaout-hosted --no-colour >"$tmp/out.txt" 2>&1; rc=$?
expect "an init error typed only in Lambda-Runtime-Function-Error-Type: the type still named" 3 \
    "^UNDECIDED one-row .*the handler did not start: Runtime.ImportModuleError: Error: Cannot find module 'index'"

# A throttle that lets calls through makes no verdict random: the same as
# without it, for a healthy function and for a refuse-all one.
for fail in "" delivery_failed; do
    if [ -n "$fail" ]; then
        launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --fail "$fail"
    else
        launch "$kdaout" fake-lambda --listen 127.0.0.1:0
    fi
    "$kdaout" conform --endpoint "$url" --seed 1 --no-colour >"$tmp/calm.txt" 2>&1; calm_rc=$?
    if [ -n "$fail" ]; then
        printf -- '- {match: {probability: 0.3}, action: throttle}\n- {action: %s}\n' "$fail" \
            >"$tmp/throttle.yaml"
        launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --seed 7 --rules "$tmp/throttle.yaml"
    else
        launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --seed 7 --fail throttle \
            --fail-probability 30%
    fi
    "$kdaout" conform --endpoint "$url" --seed 1 --no-colour >"$tmp/out.txt" 2>&1; rc=$?
    verdicts() { grep -E '^(PASS|WARN|FAIL|ERROR|UNDECIDED) ' "$1" | awk '{print $1, $2}'; }
    if [ $rc -eq $calm_rc ] && [ "$(verdicts "$tmp/out.txt")" = "$(verdicts "$tmp/calm.txt")" ] &&
       grep -q "resent after 429/5xx" "$tmp/out.txt"; then
        ok "a 30% throttle changes no verdict (${fail:-healthy}: exit $rc)"
    else
        not_ok "30% throttle (${fail:-healthy}): exit $rc vs $calm_rc"; diff <(verdicts "$tmp/calm.txt") <(verdicts "$tmp/out.txt"); cat "$tmp/out.txt"
    fi
done

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

# 6. A password in the endpoint URL never shows: not on stdout or stderr,
#    not in any report (each probe's replay line names the endpoint).
start
secret=kdoS3cretPassw0rd
pw_url=$(echo "$url" | sed "s|^http://|http://kdo-user:$secret@|")
"$kdaout" conform --endpoint "$pw_url" --seed 1 --no-colour -v --junit "$tmp/pw.xml" \
    --json "$tmp/pw.json" --tap "$tmp/pw.tap" --markdown "$tmp/pw.md" >"$tmp/pw.out" 2>"$tmp/pw.err"
rc=$?
"$kdaout" conform --endpoint "http://kdo-user:$secret@127.0.0.1:1" --probe one-row --no-colour \
    --junit "$tmp/pw2.xml" --json "$tmp/pw2.json" --tap "$tmp/pw2.tap" --markdown "$tmp/pw2.md" \
    >"$tmp/pw2.out" 2>"$tmp/pw2.err"
for f in pw.out pw.err pw.xml pw.json pw.tap pw.md pw2.out pw2.err pw2.xml pw2.json pw2.tap pw2.md; do
    if [ ! -e "$tmp/$f" ]; then
        not_ok "redaction: $f was not written"
    elif grep -q "$secret" "$tmp/$f"; then
        not_ok "redaction: the endpoint's password is in $f"; grep -m3 "$secret" "$tmp/$f"
    else
        ok "redaction: no password in $f"
    fi
done
if [ $rc -eq 0 ] && grep -q "^kdaout conform: $url, function" "$tmp/pw.out" &&
   grep -q -- "--endpoint $url " "$tmp/pw.json"; then
    ok "redaction: the URL is shown without its userinfo"
else
    not_ok "redaction: expected $url in the header and replay lines (exit $rc)"; head -3 "$tmp/pw.out"
fi

# ... nor in what `kdaout run` prints about a scenario's endpoint.
cat >"$tmp/pw.yaml" <<YAML
name: a password in the endpoint
duration: 1s
application:
  input: [{rate: 5/s}]
lambda:
  endpoint: $pw_url
  rules:
    - {match: {invocation: 1}, action: throttle}
YAML
"$kdaout" run "$tmp/pw.yaml" --seed 1 -v --junit "$tmp/pw3.xml" --json "$tmp/pw3.json" \
    >"$tmp/pw3.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "fault rule apply to $url" "$tmp/pw3.out" &&
   ! grep -q "$secret" "$tmp/pw3.out" "$tmp/pw3.xml" "$tmp/pw3.json"; then
    ok "redaction: run's notes and reports name the endpoint without its password"
else
    not_ok "redaction in run (exit $rc)"; grep -n "$secret\|apply" "$tmp/pw3.out" | head -5
fi

# 6b. kdaout run: GetFunctionConfiguration refused (403) or no such function
#     (404) is the failed check function_configuration, with cause and fix.
start_raw config-denied
cat >"$tmp/denied.yaml" <<YAML
name: a role without lambda:GetFunctionConfiguration
duration: 1s
application:
  input: [{rate: 5/s}]
lambda:
  endpoint: $url
YAML
"$kdaout" run "$tmp/denied.yaml" --seed 1 --no-colour --junit "$tmp/denied.xml" >"$tmp/out.txt" 2>&1
rc=$?
if [ $rc -eq 3 ] && grep -q "^    FAILED function_configuration = 403" "$tmp/out.txt" &&
   grep -q "AccessDeniedException" "$tmp/out.txt" &&
   grep -q "fix: grant lambda:InvokeFunction and lambda:GetFunctionConfiguration" "$tmp/out.txt" &&
   grep -q "function_configuration" "$tmp/denied.xml"; then
    ok "run: GetFunctionConfiguration refused is the failed check function_configuration (exit 3)"
else
    not_ok "run: GetFunctionConfiguration refused (exit $rc)"; cat "$tmp/out.txt"
fi
launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --function some-other-function
sed -i "s|^  endpoint: .*|  endpoint: $url|" "$tmp/denied.yaml"
"$kdaout" run "$tmp/denied.yaml" --seed 1 --no-colour >"$tmp/out.txt" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "^    FAILED function_configuration = 404" "$tmp/out.txt" &&
   grep -q "no such function" "$tmp/out.txt" && grep -q "fix: check the function's name" "$tmp/out.txt"; then
    ok "run: no such function is the failed check function_configuration (exit 2)"
else
    not_ok "run: no such function (exit $rc)"; cat "$tmp/out.txt"
fi

# 7. A reply over the 6,291,556-byte cap is "reply too large", not a failed
#    connection: in conform, and as a named failure in a run's facts.
launch python3 "$dir/raw-server.py" huge
"$kdaout" conform --endpoint "$url" --probe one-row --no-colour >"$tmp/out.txt" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^FAIL  one-row .*reply too large" "$tmp/out.txt" &&
   grep -q "got: reply too large" "$tmp/out.txt" && ! grep -q "connection failed" "$tmp/out.txt"; then
    ok "conform: a 7 MB reply is reported as reply too large"
else
    not_ok "conform: a 7 MB reply (exit $rc)"; cat "$tmp/out.txt"
fi
cat >"$tmp/huge.yaml" <<YAML
name: a reply over the cap
duration: 1s
drain: 2s
application:
  input: [{row: '{"TICKER_SYMBOL":"AMZN"}', at: 0s}]
lambda:
  endpoint: $url
expect:
  failures.reply_too_large: {min: 1}
  failures.transport_error: 0
  undelivered: 1
YAML
if "$kdaout" run "$tmp/huge.yaml" --seed 1 --journal "$tmp/huge.jsonl" >"$tmp/out.txt" 2>&1 &&
   grep -q '"reply_too_large"' "$tmp/huge.jsonl"; then
    ok "run: a 7 MB reply is the named failure reply_too_large, in the facts and the journal"
else
    not_ok "run: a 7 MB reply"; cat "$tmp/out.txt"; head -c 1500 "$tmp/huge.jsonl"
fi

# 8. --timeout caps each probe: a function that declares Timeout 900 and
#    hangs costs about --timeout per probe, not 905 s (undecided: KDA would
#    have waited longer).  Bounded by `timeout 60` so a regression fails
#    rather than hangs.
launch "$kdaout" fake-lambda --listen 127.0.0.1:0 --timeout 900s --fail hang
t0=$(date +%s)
timeout 60 "$kdaout" conform --endpoint "$url" --timeout 2 --probe one-row --no-colour \
    >"$tmp/out.txt" 2>&1
rc=$?
t1=$(date +%s)
echo "# conform --timeout 2 against a hanging function (Timeout 900): $((t1 - t0)) s, exit $rc"
if [ $rc -eq 3 ] && [ $((t1 - t0)) -lt 30 ] && grep -q "^UNDECIDED one-row" "$tmp/out.txt" &&
   grep -q "within 2 s, the --timeout" "$tmp/out.txt"; then
    ok "conform --timeout 2 caps a probe of a hanging function with Timeout 900"
else
    not_ok "conform --timeout 2 against a hanging function: exit $rc after $((t1 - t0)) s"
    cat "$tmp/out.txt"
fi
# Without --timeout the wait is capped too (Timeout + 5 s, at most 60 s).
"$kdaout" conform --endpoint "$url" --probe no-such-probe --no-colour >"$tmp/out.txt" 2>&1
if grep -q "(Timeout 900 s; each probe waits at most 60 s" "$tmp/out.txt"; then
    ok "conform's default wait is capped at 60 s for a Timeout of 900 s"
else
    not_ok "conform's default cap"; cat "$tmp/out.txt"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

#!/usr/bin/env bash
# The bundled scenarios as a whole: they pass; each planted bug makes the
# scenario that guards its rule fail; one seed gives byte-identical journals;
# bad input exits 2.  Usage: scenarios.sh KDAOUT SOURCE_ROOT
set -u
kdaout=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }

# 1. Every bundled scenario passes.
if "$kdaout" run "$root/scenarios" >"$tmp/all.txt" 2>&1; then
    ok "kdaout run scenarios/ exits 0"
else
    not_ok "kdaout run scenarios/ exits 0"; cat "$tmp/all.txt"
fi

# 2. Each planted bug is caught by the scenario that guards its rule: exit 1
#    and a FAILED line (scenario | bug).
while read -r scenario bug; do
    [ -z "$scenario" ] && continue
    "$kdaout" run "$root/scenarios/$scenario.yaml" --plant-bug "$bug" >"$tmp/bug.txt" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "FAILED" "$tmp/bug.txt"; then
        ok "$scenario catches --plant-bug $bug ($(grep -m1 FAILED "$tmp/bug.txt" | sed 's/^ *//'))"
    else
        not_ok "$scenario catches --plant-bug $bug (exit $rc)"; cat "$tmp/bug.txt"
    fi
done <<'TABLE'
01-all-ok fast-cadence
20-tumbling-by-ticker fast-cadence
21-sliding-by-ticker fast-cadence
22-stagger-by-ticker fast-cadence
23-three-destinations no-backpressure
02-missing-record-ids accept-any-reply
02-missing-record-ids no-hint-increment
03-missing-result drop-failed
03-missing-result no-hint-increment
04-mismatched-ids accept-any-reply
05-delivery-failed-then-ok resend-ok
05-delivery-failed-then-ok drop-failed
06-function-timeout accept-any-reply
07-poison-pill no-backpressure
07-poison-pill skip-head-of-line
07-poison-pill drop-failed
08-tumbling-60s fast-cadence
09-continuous-1s fast-cadence
10-sliding-1s fast-cadence
11-burst-split-6mb no-split
12-restart-resets-retryhint no-hint-reset
12-restart-resets-retryhint lose-on-restart
13-ten-minute-outage drop-failed
17-metrics accept-any-reply
18-bad-result-and-duplicates accept-any-reply
19-throttling drop-failed
19-throttling accept-any-reply
24-tumbling-output drop-failed
TABLE

# 3. The same seed gives a byte-identical journal (the 10-minute scenario).
s="$root/scenarios/13-ten-minute-outage.yaml"
"$kdaout" run "$s" --seed 42 --journal "$tmp/a.jsonl" >/dev/null 2>&1
"$kdaout" run "$s" --seed 42 --journal "$tmp/b.jsonl" >/dev/null 2>&1
if [ -s "$tmp/a.jsonl" ] && cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"; then
    ok "two runs with --seed 42 write identical journals ($(wc -l <"$tmp/a.jsonl") lines)"
else
    not_ok "two runs with --seed 42 write identical journals"
fi
"$kdaout" run "$s" --seed 43 --journal "$tmp/c.jsonl" >/dev/null 2>&1
if ! cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl"; then
    ok "another seed writes another journal"
else
    not_ok "another seed writes another journal"
fi

# 4. Several scenarios and --journal DIR: one file per scenario.
"$kdaout" run "$root/scenarios/01-all-ok.yaml" "$root/scenarios/08-tumbling-60s.yaml" \
    --journal "$tmp/jdir" >/dev/null 2>&1
if [ -s "$tmp/jdir/01-all-ok.jsonl" ] && [ -s "$tmp/jdir/08-tumbling-60s.jsonl" ]; then
    ok "--journal DIR writes one file per scenario"
else
    not_ok "--journal DIR writes one file per scenario"; ls -la "$tmp/jdir" 2>&1
fi

# 4b. --metrics writes the CloudWatch metrics as JSON, per minute and in total.
"$kdaout" run "$root/scenarios/01-all-ok.yaml" --metrics "$tmp/m.json" >/dev/null 2>&1
if grep -q '"name":"LambdaDelivery.OkRecords","total":{"Sum":60000,' "$tmp/m.json" 2>/dev/null; then
    ok "--metrics writes LambdaDelivery.OkRecords Sum 60000"
else
    not_ok "--metrics writes LambdaDelivery.OkRecords Sum 60000"; head -c 400 "$tmp/m.json"
fi

# 4c. --junit: XML that a JUnit consumer accepts (the Jenkins schema, with the
#     file/skipped attributes GitLab and GitHub read), one testcase per scenario,
#     failures with their messages; --tap, --json and --markdown alongside.
nscen=$(ls "$root"/scenarios/*.yaml | wc -l)
"$kdaout" run "$root/scenarios" --filter 0 --plant-bug drop-failed --jobs 2 --junit "$tmp/r.xml" \
    --tap "$tmp/r.tap" --json "$tmp/r.json" --markdown "$tmp/r.md" >/dev/null 2>&1
rc=$?
n0=$(ls "$root"/scenarios/*0*.yaml | wc -l)
if [ $rc -eq 1 ] && xmllint --noout --schema "$root/tests/data/junit/junit.xsd" "$tmp/r.xml" 2>/dev/null &&
   [ "$(xmllint --xpath 'count(//testcase)' "$tmp/r.xml")" = "$n0" ] &&
   [ "$(xmllint --xpath 'count(//testcase/failure)' "$tmp/r.xml")" -ge 1 ] &&
   xmllint --xpath 'string(//testcase/failure)' "$tmp/r.xml" | grep -q "lost"; then
    ok "--junit validates against the JUnit schema: $n0 testcases, failures name the failed check"
else
    not_ok "--junit validates against the JUnit schema (exit $rc)"; head -c 600 "$tmp/r.xml"
fi
if grep -q "^1\.\.$n0\$" "$tmp/r.tap" && grep -q "^not ok" "$tmp/r.tap" &&
   grep -q '"scenarios"' "$tmp/r.json" && grep -q "lost" "$tmp/r.md"; then
    ok "--tap, --json and --markdown written"
else
    not_ok "--tap, --json and --markdown written"
fi
# --shard: the slices are disjoint and cover the suite.
a=$("$kdaout" run "$root/scenarios" --shard 1/2 --filter 0 2>/dev/null | grep -c '^PASS')
b=$("$kdaout" run "$root/scenarios" --shard 2/2 --filter 0 2>/dev/null | grep -c '^PASS')
if [ $((a + b)) -eq "$n0" ] && [ "$a" -ge 1 ] && [ "$b" -ge 1 ]; then
    ok "--shard 1/2 and 2/2 split $n0 scenarios into $a + $b"
else
    not_ok "--shard 1/2 and 2/2 split $n0 scenarios (got $a + $b)"
fi
: "$nscen"

# 4d. expect.sql_error can fail: the refusal at another place, or an SQL that is
#     accepted, fails the scenario with what was expected and what came.
sed 's/application.sql:5:10/application.sql:5:11/' "$root/scenarios/26-sql-refused-join.yaml" \
    >"$tmp/sql-at.yaml"
"$kdaout" run "$tmp/sql-at.yaml" >"$tmp/sql-at.txt" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q 'FAILED sql_error' "$tmp/sql-at.txt" &&
   grep -q '+ application.sql:5:10: FULL OUTER JOIN is not supported yet' "$tmp/sql-at.txt"; then
    ok "expect.sql_error at another place fails, showing the refusal's place"
else
    not_ok "expect.sql_error at another place fails (exit $rc)"; cat "$tmp/sql-at.txt"
fi
sed 's/FULL OUTER JOIN/JOIN/' "$root/scenarios/26-sql-refused-join.yaml" >"$tmp/sql-ok.yaml"
"$kdaout" run "$tmp/sql-ok.yaml" >"$tmp/sql-ok.txt" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q '+ the SQL was accepted' "$tmp/sql-ok.txt"; then
    ok "expect.sql_error on an SQL that compiles fails: the SQL was accepted"
else
    not_ok "expect.sql_error on an SQL that compiles fails (exit $rc)"; cat "$tmp/sql-ok.txt"
fi

# 4e. --records: one line per record sent, its row decoded; with no failure
#     every delivered row is there exactly once.
"$kdaout" run "$root/scenarios/01-all-ok.yaml" --records "$tmp/rec.jsonl" -v >"$tmp/rec.txt" 2>&1
want=$(sed -n 's/^ *rows_delivered *\([0-9]*\)$/\1/p' "$tmp/rec.txt" | head -1)
got=$(grep -c '"retryHint":0,"data":"{\\"TICKER_SYMBOL\\"' "$tmp/rec.jsonl")
if [ -n "$want" ] && [ "$got" = "$want" ]; then
    ok "--records writes every record sent with its decoded row ($got)"
else
    not_ok "--records: $got lines, rows_delivered $want"; head -3 "$tmp/rec.jsonl"
fi

# 4d. A check that fails while the endpoint is unreachable decides nothing: exit 3.
printf 'duration: 1s\ndrain: 1s\nlambda: {endpoint: "http://127.0.0.1:1"}\nexpect: {rows_delivered: {min: 1}}\n' >"$tmp/down.yaml"
out=$("$kdaout" run "$tmp/down.yaml" 2>&1); rc=$?
if [ $rc -eq 3 ] && echo "$out" | grep -q "^UNDECIDED"; then
    ok "an unreachable endpoint with a failed check is undecided (exit 3)"
else
    not_ok "an unreachable endpoint with a failed check is undecided (exit $rc: $out)"
fi

# 5. Bad input exits 2 with file:line:column.
printf 'name: x\napplication:\n  qurey: continuous\n' >"$tmp/typo.yaml"
out=$("$kdaout" run "$tmp/typo.yaml" 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "typo.yaml:3:3: unknown key \"qurey\" in application; did you mean \"query\"?"; then
    ok "a misspelt key exits 2 with file:line:column and a suggestion"
else
    not_ok "a misspelt key exits 2 with file:line:column and a suggestion (exit $rc: $out)"
fi
out=$("$kdaout" run "$tmp/nonexistent.yaml" 2>&1); rc=$?
[ $rc -eq 2 ] && ok "a missing file exits 2" || not_ok "a missing file exits 2 (exit $rc)"
printf 'application:\n  input:\n    - {row: "%s", at: 1s}\n' "$(head -c 600000 /dev/zero | tr '\0' x)" >"$tmp/big.yaml"
out=$("$kdaout" run "$tmp/big.yaml" 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "512 KB"; then
    ok "a row over 512 KB is a clear error (exit 2)"
else
    not_ok "a row over 512 KB is a clear error (exit $rc: ${out:0:300})"
fi
out=$("$kdaout" run --seed x "$s" 2>&1); rc=$?
[ $rc -eq 2 ] && ok "a bad --seed exits 2" || not_ok "a bad --seed exits 2 (exit $rc)"

# 6. An output that cannot be written is exit 2, whatever the checks said.
if [ -w /dev/full ]; then
    for opt in --records --journal --metrics; do
        out=$("$kdaout" run "$s" $opt /dev/full 2>&1); rc=$?
        if [ $rc -eq 2 ] && echo "$out" | grep -q "error writing"; then
            ok "$opt /dev/full exits 2 and says so"
        else
            not_ok "$opt /dev/full exits 2 and says so (exit $rc: ${out:0:300})"
        fi
    done
fi

# 7. A FIFO among a folder's scenarios is skipped with a word, never waited on.
mkdir -p "$tmp/withfifo" && cp "$root/scenarios/01-all-ok.yaml" "$tmp/withfifo/" &&
    mkfifo "$tmp/withfifo/zz.yaml"
out=$(timeout 60 "$kdaout" run "$tmp/withfifo/" 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "zz.yaml: not a regular file; skipped"; then
    ok "a FIFO in a scenario folder is skipped, not waited on"
else
    not_ok "a FIFO in a scenario folder is skipped, not waited on (exit $rc: ${out:0:300})"
fi

# 8. More `during` periods than the checks can watch: exit 2 and why, not a crash or exit 1.
{
    printf 'duration: 10s\nexpect:\n'
    for i in $(seq 1 64); do printf '  - max_lag_ms: {max: 100000, during: {from: %sms, until: 10s}}\n' "$i"; done
} >"$tmp/periods.yaml"
out=$("$kdaout" run "$tmp/periods.yaml" 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "too many distinct .during. periods"; then
    ok "64 distinct during periods exit 2 and say why"
else
    not_ok "64 distinct during periods exit 2 and say why (exit $rc: ${out:0:300})"
fi

# 9. expect: output -- planted: the bundled scenario with one golden value
#    changed fails with the row diff naming that column, in every report; a
#    golden row taken away is an unexpected row; `output: []` states no rows.
mkdir -p "$tmp/out" && cp "$root/scenarios/24-tumbling-output.yaml" "$root/scenarios/24-ticks.jsonl" "$tmp/out/"
sed 's/"AVG_PRICE":43.56}/"AVG_PRICE":43.57}/' "$root/scenarios/24-tumbling-output.jsonl" >"$tmp/out/24-tumbling-output.jsonl"
out=$("$kdaout" run "$tmp/out/24-tumbling-output.yaml" --json "$tmp/o.json" --tap "$tmp/o.tap" \
      --junit "$tmp/o.xml" --markdown "$tmp/o.md" 2>&1); rc=$?
diffline='row 2: column AVG_PRICE: expected 43.57, got 43.56'
if [ $rc -eq 1 ] && echo "$out" | grep -q "FAILED output = 1" && echo "$out" | grep -qF "$diffline" &&
   echo "$out" | grep -q "8 expected, 8 received: 7 matched, 0 missing, 0 unexpected, 1 changed"; then
    ok "a changed golden value fails expect.output with the column named"
else
    not_ok "a changed golden value fails expect.output with the column named (exit $rc: ${out:0:600})"
fi
for f in o.json o.tap o.xml o.md; do
    grep -qF "column AVG_PRICE: expected 43.57, got 43.56" "$tmp/$f" && ok "the $f report shows the row diff" ||
        not_ok "the $f report shows the row diff: $(head -c 400 "$tmp/$f")"
done
grep -v '"KO","TICKER_COUNT":1,"AVG_PRICE":44.0' "$root/scenarios/24-tumbling-output.jsonl" >"$tmp/out/24-tumbling-output.jsonl"
out=$("$kdaout" run "$tmp/out/24-tumbling-output.yaml" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -qF 'unexpected row: {"ROWTIME":"2026-01-01 00:00:15.000","TICKER_SYMBOL":"KO"'; then
    ok "a row the golden file lacks is an unexpected row"
else
    not_ok "a row the golden file lacks is an unexpected row (exit $rc: ${out:0:600})"
fi
sed 's/^  output: .*/  output: []/' "$root/scenarios/24-tumbling-output.yaml" >"$tmp/out/none.yaml"
out=$("$kdaout" run "$tmp/out/none.yaml" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "0 expected, 8 received: 0 matched, 0 missing, 8 unexpected"; then
    ok "output: [] fails a run that emits rows"
else
    not_ok "output: [] fails a run that emits rows (exit $rc: ${out:0:600})"
fi
printf 'duration: 5s\napplication:\n  input: []\nexpect:\n  rows_delivered: 0\n  output: []\n' >"$tmp/out/empty.yaml"
: >"$tmp/out/empty.jsonl"
printf 'duration: 5s\napplication:\n  input: []\nexpect:\n  output: {file: empty.jsonl, order: strict}\n' >"$tmp/out/empty-file.yaml"
if "$kdaout" run "$tmp/out/empty.yaml" "$tmp/out/empty-file.yaml" >"$tmp/e.txt" 2>&1; then
    ok "output: [] and an empty file pass a run that emits no rows"
else
    not_ok "output: [] and an empty file pass a run that emits no rows: $(cat "$tmp/e.txt")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

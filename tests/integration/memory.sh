#!/usr/bin/env bash
# Memory bounded by configuration, not by work done: long runs at 10,000
# rows/s (all Ok, mostly failing, failing for 24 virtual hours, and with the
# journal written out) must each stay under 64 MiB resident -- their
# destination streams hold at most 100,000 rows of ~75 bytes.  Before the
# journal and the ledger streamed, the first two took 739 MB and 1.3 GB.
#
#   memory.sh KDAOUT MAXRSS SOURCE_ROOT
set -u
kdaout=$1 maxrss=$2 root=$3
dir="$root/tests/integration/memory"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bound_kb=65536
passed=0 failed=0

run() { # NAME ARGS...
    local name=$1; shift
    if "$maxrss" --max "$bound_kb" -- "$kdaout" run "$@" >"$tmp/out" 2>"$tmp/err"; then
        passed=$((passed + 1))
        echo "ok   $name ($(grep -o 'maxrss: [0-9]* KB' "$tmp/err"))"
    else
        failed=$((failed + 1))
        echo "FAIL $name"; cat "$tmp/out" "$tmp/err"
    fi
}

run "20 minutes all Ok"            "$dir/all-ok-20m.yaml"
run "30 minutes 90% failing"       "$dir/mostly-failing-30m.yaml"
run "24 hours failing"             "$dir/endless-failure-24h.yaml"
run "journal written as it goes"   "$dir/all-ok-20m.yaml" --journal "$tmp/journal.jsonl"
lines=$(wc -l <"$tmp/journal.jsonl" 2>/dev/null || echo 0)
if [ "$lines" -gt 10000 ] && tail -n 1 "$tmp/journal.jsonl" | grep -q '"ev":"end"'; then
    passed=$((passed + 1)); echo "ok   the journal file is whole ($lines lines, ends with end)"
else
    failed=$((failed + 1)); echo "FAIL the journal file has $lines lines or no end entry"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

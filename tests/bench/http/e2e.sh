#!/bin/bash
# End-to-end rows/s delivered over HTTP to the fake Lambda (e2e.yaml), the whole
# kdaout process on one core (taskset -c 0: the engine, libcurl and the in-process
# libmicrohttpd server threads), against the same scenario in virtual time, in
# process (no `transport: http`), measured in the same run.
#   rows/s     = rows delivered / wall seconds of the run (the PASS line's time)
#   rows/CPU-s = rows delivered / (user + sys) seconds of the whole process
# A benchmark, not a test: prints figures; target >= 1M rows/s over HTTP.
#
#   tests/bench/http/e2e.sh [KDAOUT]
#   env: RATE=N (rows/s offered, default the file's 1500000), CPU=0 (core),
#        PERF=1 (also perf-record the HTTP run and print the top functions)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
KDAOUT=${1:-${KDAOUT:-$root/build/kdaout}}
CPU=${CPU:-0}
[ -x "$KDAOUT" ] || { echo "e2e: no kdaout at $KDAOUT" >&2; exit 2; }
command -v taskset >/dev/null || { echo "e2e: taskset not found" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
http=$tmp/e2e-http.yaml virt=$tmp/e2e-virtual.yaml
cp "$here/e2e.yaml" "$http"
if [ -n "${RATE:-}" ]; then
    secs=$(sed -n 's/^duration: *\([0-9]*\)s$/\1/p' "$http")
    sed -i -e "s#rate: [0-9]*/s#rate: ${RATE}/s#" -e "s#rows_delivered: [0-9]*#rows_delivered: $((RATE * secs))#" "$http"
fi
sed '/transport: http/d' "$http" > "$virt"

# run NAME FILE [PREFIX...]: runs the scenario on CPU, -v; leaves output and times in $tmp.
run() {
    local name=$1 file=$2; shift 2
    local TIMEFORMAT='%R %U %S'
    { time timeout 300 "$@" taskset -c "$CPU" "$KDAOUT" run "$file" -v >"$tmp/$name.out" 2>&1; } 2>"$tmp/$name.time"
    echo $? >"$tmp/$name.rc"
}
fact() { awk -v k="$2" '$1 == k {print $2; exit}' "$tmp/$1.out"; }

# report NAME LABEL: prints one line of figures; sets $rate_NAME.
report() {
    local name=$1 label=$2 line rows wall cpu
    line=$(grep -m1 '^PASS\|^FAIL\|^ERROR' "$tmp/$name.out")
    case $line in
        PASS*) ;;
        *) echo "$label: the run did not pass (rc $(cat "$tmp/$name.rc")):" >&2; cat "$tmp/$name.out" >&2; return 1 ;;
    esac
    rows=$(fact "$name" rows_delivered)
    if [ "$name" = http ]; then
        wall=$(echo "$line" | sed -n 's/.*, \([0-9.]*\) s real time over HTTP).*/\1/p')
    else
        wall=$(echo "$line" | sed -n 's/.* virtual in \([0-9.]*\) s).*/\1/p')
    fi
    cpu=$(awk '{print $2 + $3}' "$tmp/$name.time")
    awk -v l="$label" -v r="$rows" -v w="$wall" -v c="$cpu" -v p="$(awk '{print $1}' "$tmp/$name.time")" \
        'BEGIN { printf "%-30s %10.0f rows in %7.3f s: %10.0f rows/s   (process: %.2f s wall, %.2f s CPU, %10.0f rows/CPU-s)\n", l, r, w, r / w, p, c, r / c }'
    eval "rate_$name=$(awk -v r="$rows" -v w="$wall" 'BEGIN { printf "%.0f", r / w }')"
}

echo "scenario: $(grep -m1 'rate:' "$http" | sed 's/.*rate: *//') for $(sed -n 's/^duration: *//p' "$http"), 100-byte rows, one core (taskset -c $CPU)"
run virtual "$virt"
report virtual "in process (virtual time)" || exit 1
if [ "${PERF:-0}" = 1 ]; then
    run http "$http" perf record -F 499 --call-graph dwarf,8192 -o "$tmp/perf.data" --
else
    run http "$http"
fi
report http "over HTTP (real time)" || exit 1
echo "HTTP run facts: flush_interval_max_ms=$(fact http flush_interval_max_ms) source_paused_ms=$(fact http source_paused_ms) max_lag_ms=$(fact http max_lag_ms) invocations=$(fact http invocations) buffer_max_rows=$(fact http buffer_max_rows)"
awk -v h="$rate_http" -v v="$rate_virtual" 'BEGIN {
    printf "HTTP = %.2f x in-process; target >= 1M rows/s over HTTP: %s\n", h / v, (h >= 1e6 ? "met" : "NOT met") }'
if [ "${PERF:-0}" = 1 ]; then
    echo "top functions of the HTTP run (perf, self time, all threads):"
    perf report -i "$tmp/perf.data" --no-children --stdio --sort comm,dso,sym 2>/dev/null | grep -E '^ +[0-9.]+%' | head -25
fi

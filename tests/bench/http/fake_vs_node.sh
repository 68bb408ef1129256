#!/bin/bash
# Requests/s of `kdaout fake-lambda` vs a minimal Node.js HTTP server (node_server.mjs),
# both answering a small KDA event POSTed by wrk on loopback with the same settings.
# Each server runs on one core (taskset -c 0), wrk on another (taskset -c 1); the two
# servers are measured one after the other, alternating, ROUNDS times; the median
# of each is compared.  A benchmark, not a test: it prints figures, target >= 1.5x.
#
#   tests/bench/http/fake_vs_node.sh [KDAOUT]
#   env: THREADS=1 CONNS=32 DURATION=5 (seconds) ROUNDS=3 WARMUP=1 (seconds)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
KDAOUT=${1:-${KDAOUT:-$root/build/kdaout}}
THREADS=${THREADS:-1} CONNS=${CONNS:-32} DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-3} WARMUP=${WARMUP:-1}
FN=kdaout-fake
PATH_INVOKE=/2015-03-31/functions/$FN/invocations

for tool in wrk node curl taskset; do
    command -v $tool >/dev/null || { echo "fake_vs_node: $tool not found (apt-get install -y wrk)" >&2; exit 2; }
done
[ -x "$KDAOUT" ] || { echo "fake_vs_node: no kdaout at $KDAOUT" >&2; exit 2; }

ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then SRV_CPU=0 WRK_CPU=1; else SRV_CPU=0 WRK_CPU=0; echo "warning: one CPU; server and wrk share it" >&2; fi

tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CMD...: runs CMD on SRV_CPU, sets $pid and $url from its first stdout line.
start() {
    local name=$1; shift
    taskset -c $SRV_CPU "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid=$!
    url=
    for _ in $(seq 100); do
        url=$(sed -n '1s/^listening on //p' "$tmp/$name.out")
        [ -n "$url" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$url" ]; then echo "$name did not start: $(cat "$tmp/$name.err")" >&2; exit 1; fi
    # sanity: one request answered 200 with a KDA reply
    local code
    code=$(curl -s -o "$tmp/$name.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data-binary "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$here/post_event.lua")" "$url$PATH_INVOKE")
    if [ "$code" != 200 ]; then echo "$name answered $code: $(cat "$tmp/$name.body")" >&2; exit 1; fi
}
stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=; }

# measure NAME: one wrk run against $url; prints requests/s, logs wrk's output.
measure() {
    local name=$1 secs=$2 out
    out=$(timeout $((secs + 15)) taskset -c $WRK_CPU wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" \
        -s "$here/post_event.lua" "$url$PATH_INVOKE" 2>&1)
    echo "$out" >>"$tmp/$name.wrk"
    if echo "$out" | grep -q 'Non-2xx\|Socket errors'; then
        echo "warning: $name: $(echo "$out" | grep 'Non-2xx\|Socket errors' | tr -s ' ')" >&2
    fi
    echo "$out" | awk '/^Requests\/sec:/ {print $2}'
}

run_one() {   # run_one NAME CMD...: start, warm up, measure, stop; prints requests/s
    local name=$1; shift
    start "$name" "$@"
    [ "$WARMUP" -gt 0 ] && measure "$name" "$WARMUP" >/dev/null
    local r; r=$(measure "$name" "$DURATION")
    stop
    echo "${r:-0}"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "wrk -t$THREADS -c$CONNS -d${DURATION}s, POST $(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$here/post_event.lua" | tr -d '\n' | wc -c) B KDA event; servers on CPU $SRV_CPU, wrk on CPU $WRK_CPU; $ROUNDS rounds"
fake_all= node_all=
for i in $(seq "$ROUNDS"); do
    f=$(run_one fake "$KDAOUT" fake-lambda --listen 127.0.0.1:0 --function "$FN")
    n=$(run_one node node "$here/node_server.mjs" 0)
    printf '  round %d: fake %10.0f req/s   node %10.0f req/s\n' "$i" "$f" "$n"
    fake_all+="$f"$'\n' node_all+="$n"$'\n'
done
fake=$(printf '%s' "$fake_all" | median)
node=$(printf '%s' "$node_all" | median)
printf 'kdaout fake-lambda: %.0f requests/s (median)\n' "$fake"
printf 'node:http         : %.0f requests/s (median)\n' "$node"
awk -v f="$fake" -v n="$node" 'BEGIN { if (n > 0) printf "fake = %.1f x node (target >= 1.5x)\n", f / n; else print "fake = ? x node (node measured 0)" }'

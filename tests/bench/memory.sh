#!/usr/bin/env bash
# Memory benchmark: resident memory of kdaout run for long virtual runs at
# 10,000 rows/s, against a baseline measured in the same run (the same
# scenario for one virtual minute: a ratio near 1.0 means memory does not
# grow with the rows processed) and against issue #10's goal for endless
# failure, buffer bytes + 32 MiB (the 90% case sends large Ok replies too,
# whose buffers -- the in-process fake's and the judge's -- come on top).
#
#   memory.sh KDAOUT MAXRSS [HOURS]     (HOURS of the mostly-failing run, default 2)
set -eu
kdaout=$1 maxrss=$2 hours=${3:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
buffer_bytes=$((8 << 20))

scenario() { # FILE DURATION RULE
    cat >"$1" <<YAML
name: memory benchmark
seed: 1
duration: $2
application:
  input:
    - rate: 10000/s
  buffer: {rows: 100000, bytes: $buffer_bytes}
lambda:
  rules:
    - $3
expect:
  lost: 0
YAML
}

peak() { # FILE -> KB
    "$maxrss" -- "$kdaout" run "$1" 2>&1 >/dev/null | sed -n 's/^maxrss: \([0-9]*\) KB$/\1/p'
}

always='{name: always failing, action: function_error}'
mostly='{name: mostly failing, match: {probability: 0.9}, action: function_error}'
scenario "$tmp/base-always.yaml" 1m "$always"
scenario "$tmp/day-always.yaml" 24h "$always"
scenario "$tmp/base-mostly.yaml" 1m "$mostly"
scenario "$tmp/long-mostly.yaml" "${hours}h" "$mostly"

goal_kb=$(((buffer_bytes >> 10) + 32 * 1024))
printf '%-34s %10s %10s %8s %8s\n' case "peak KB" "1 min KB" "x 1 min" "goal"
for c in "always failing, 24 h:always:day" "90% failing, ${hours} h:mostly:long"; do
    name=${c%%:*} rest=${c#*:} kind=${rest%%:*} len=${rest#*:}
    b=$(peak "$tmp/base-$kind.yaml")
    p=$(peak "$tmp/$len-$kind.yaml")
    verdict=$([ "$p" -le "$goal_kb" ] && echo met || echo "+$((p - goal_kb)) KB")
    printf '%-34s %10s %10s %8s %8s\n' "$name" "$p" "$b" \
        "$(awk -v p="$p" -v b="$b" 'BEGIN { printf "%.2f", p / b }')" "$verdict"
done
echo "goal: buffer bytes ($buffer_bytes) + 32 MiB = $goal_kb KB"

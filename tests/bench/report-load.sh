#!/usr/bin/env bash
# How long a report takes to open (issue 15: "a 10-minute, 1,000 rows/s
# scenario gives a report under 2 MB that opens in under a second"), in
# headless chromium through the DevTools protocol (tests/integration/cdp.py):
# navigationStart to the end of the load event, its script run, for the
# ten-minute report (~5,700 invocations in pixel-wide buckets) and for
# scenario 07's, against an empty page opened by the same browser in the
# same rounds (the baseline).  Medians of 7 rounds.
#   report-load.sh KDAOUT SOURCE_ROOT
set -euo pipefail
kdaout=$1
root=$2
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "SKIP: no chromium"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/tests/integration/report-big.yaml" "$work/big.yaml"
"$kdaout" run "$work/big.yaml" --report "$work/big.html" --quiet >/dev/null
"$kdaout" run "$root/scenarios/07-poison-pill.yaml" --report "$work/poison.html" --quiet >/dev/null
echo '<!DOCTYPE html><html lang="en"><head><title>empty</title></head><body><p>x</p></body></html>' \
    >"$work/empty.html"
timeout 300 python3 "$root/tests/integration/cdp.py" "$chromium" load 7 "file://$work/empty.html" \
    "file://$work/poison.html" "file://$work/big.html" >"$work/times"
python3 - "$work/times" "$(stat -c %s "$work/big.html")" "$(stat -c %s "$work/poison.html")" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, ms = line.split()
    times.setdefault(name, []).append(float(ms))
base = statistics.median(times['empty.html'])
print('page                          bytes   load ms (median of %d)   x empty page'
      % len(times['empty.html']))
for name, size in (('empty.html', None), ('poison.html', sys.argv[3]), ('big.html', sys.argv[2])):
    m = statistics.median(times[name])
    print('%-24s %11s   %8.0f                 %6.2f' % (name, size or '-', m, m / base))
PY

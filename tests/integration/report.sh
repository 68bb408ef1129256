#!/usr/bin/env bash
# The HTML report (issue 15) in a real browser: bundled scenarios (poison
# pill, restart, throttling, three destinations, and the poison pill with a
# planted bug so checks fail) run with --report DIR/ and --journal DIR/;
# each page must be well-formed XML (the pages are polyglot) and pass
# `xmllint --html` but for the SVG tags its HTML 4 parser does not know;
# then Debian's chromium renders it headless and, from the rendered DOM, the
# invocation marks (their data-n summed) must equal the journal's invoke
# lines, the failed checks the run's (--json), the shaded pauses the
# journal's source_paused lines.  A 10-minute, 1,000 rows/s run with a
# 100 ms cadence (more invocations than pixels: buckets) must give a page
# under 2 MB that still counts exactly.  The fixes of a scenario's timeline
# are drawn on every lane at their times (07's poison-pill fix, the big
# run's `fix: true`); the page's one inline script zooms: opened at
# #t=50-70, every lane's plot shows 50 to 70 s and the axis says so; a
# mouse drag (DevTools protocol, cdp.py) zooms to the stretch dragged
# over.  A page with its fix line or its script taken out must be caught.  A screenshot of the poison pill's
# page is kept under the build folder (report-artifacts/) for CI.
# Without chromium: a skip (exit 77) locally, a failure when CI=true.
#   report.sh KDAOUT SOURCE_ROOT [ARTIFACT_DIR]
set -euo pipefail
kdaout=$1
root=$2
artifacts=${3:-$(dirname "$kdaout")/report-artifacts}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
say() { printf '%s\n' "$*"; }
bad() { say "FAIL: $*"; fail=1; }

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    if [ "${CI:-}" = true ]; then
        say "FAIL: chromium is not installed (.ci/run installs it: apt-get install chromium)"
        exit 1
    fi
    say "SKIP: no chromium (apt-get install -y --no-install-recommends chromium)"
    exit 77
fi
# [choice] root in a container has no user namespace for the sandbox; the
# pages are our own, opened from files, with no network
browse() {
    timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-dev-shm-usage --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}

# ---- the runs -----------------------------------------------------------------
mkdir -p "$work/s"
for s in 07-poison-pill 12-restart-resets-retryhint 19-throttling 23-three-destinations; do
    cp "$root/scenarios/$s.yaml" "$work/s/"
done
mkdir -p "$work/bug"
set +e
"$kdaout" run "$work/s" --report "$work/out/" --journal "$work/out" --json "$work/out/run.json" \
    --metrics "$work/out" --records "$work/out" --no-colour >"$work/run.log" 2>&1
rc=$?
"$kdaout" run "$root/scenarios/07-poison-pill.yaml" --plant-bug drop-failed \
    --report "$work/bug/" --journal "$work/bug/07-poison-pill.jsonl" \
    --json "$work/bug/run.json" --no-colour >"$work/bug.log" 2>&1
rc_bug=$?
set -e
[ $rc -eq 0 ] || { cat "$work/run.log"; bad "the bundled scenarios did not pass (exit $rc)"; }
[ $rc_bug -eq 1 ] || { cat "$work/bug.log"; bad "the planted bug was not caught (exit $rc_bug)"; }

# 10 minutes at 1,000 rows/s, flushed every 100 ms: ~6,000 invocations
cp "$root/tests/integration/report-big.yaml" "$work/big.yaml"
mkdir -p "$work/big"
"$kdaout" run "$work/big.yaml" --report "$work/big/big.html" --journal "$work/big/big.jsonl" \
    --json "$work/big/run.json" --no-colour >"$work/big.log" 2>&1 ||
    { cat "$work/big.log"; bad "the ten-minute run failed"; }
size=$(stat -c %s "$work/big/big.html")
say "ten-minute report: $size bytes"
[ "$size" -lt 2000000 ] || bad "the ten-minute report is $size bytes (at most 2,000,000)"

# ---- each page ------------------------------------------------------------------
# counts.py MODE FILE: "dom" counts a rendered DOM, "journal" a journal,
# "checks NAME" the failed checks of scenario NAME in a --json report.
cat >"$work/counts.py" <<'EOF'
import json, sys
from html.parser import HTMLParser

class Count(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inv = self.marks = self.pauses = self.failed = self.passed = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get('class') or '').split()
        n = int(a.get('data-n') or 0)
        if tag == 'rect' and 'inv' in cls:
            self.inv += n
            self.marks += 1
        if tag == 'rect' and 'pause' in cls:
            self.pauses += n
        if tag == 'li' and 'check' in cls:
            self.failed += 'check-failed' in cls
            self.passed += 'check-passed' in cls

mode, path = sys.argv[1], sys.argv[2]
if mode == 'dom':
    c = Count()
    c.feed(open(path, encoding='utf-8').read())
    print(c.inv, c.pauses, c.failed, c.passed, c.marks)
elif mode == 'journal':
    inv = pauses = 0
    for line in open(path, encoding='utf-8'):
        ev = json.loads(line)['ev']
        inv += ev == 'invoke'
        pauses += ev == 'source_paused'
    print(inv, pauses)
elif mode == 'triggers':
    # window triggers drawn (DOM) and the journal's distinct rows_emitted instants
    class T(HTMLParser):
        n = 0
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == 'line' and 'trigger' in (a.get('class') or '').split():
                T.n += int(a['data-n'])  # those in one pixel column are one line
    T().feed(open(path, encoding='utf-8').read())
    times = {json.loads(l)['t'] for l in open(sys.argv[3], encoding='utf-8')
             if json.loads(l)['ev'] == 'rows_emitted'}
    print(T.n, len(times))
elif mode == 'fixes':
    # the fixes drawn (DOM: each line's time, from its title) against the
    # scenario's timeline items {at: T, fix: ...}, once per lane
    import re
    class F(HTMLParser):
        def __init__(self):
            super().__init__()
            self.lanes, self.times, self.title = 0, [], False
        def handle_starttag(self, tag, attrs):
            cls = (dict(attrs).get('class') or '').split()
            self.lanes += tag == 'g' and 'lane' in cls
            if tag == 'line' and 'fix' in cls:
                self.title = True
        def handle_data(self, d):
            if self.title:
                self.times.append(float(re.match(r'fix deployed at ([0-9.]+) s', d).group(1)))
                self.title = False
    f = F()
    f.feed(open(path, encoding='utf-8').read())
    unit = {'ms': 1e-3, 's': 1, 'm': 60, 'min': 60}
    want = [float(v) * unit[u] for v, u in
            re.findall(r'\{\s*at:\s*([0-9.]+)(ms|s|min|m),\s*fix:', open(sys.argv[3]).read())]
    print(len(f.times), 'ok' if sorted(f.times) == sorted(want * f.lanes) and want
          else 'differ: %s against %s on %d lanes' % (f.times, want, f.lanes))
elif mode == 'zoom':
    # a page opened at #t=A-B: the svg says A and B, every lane's plot
    # shows [A, B] (its viewBox), the axis' labels lie in [A, B]
    import re
    a, b = float(sys.argv[3]), float(sys.argv[4])
    class Z(HTMLParser):
        def __init__(self):
            super().__init__()
            self.svg, self.plots, self.labels, self.inaxis, self.intext = {}, [], [], False, False
        def handle_starttag(self, tag, attrs):
            at = dict(attrs)
            cls = (at.get('class') or '').split()
            if tag == 'svg' and 'timeline' in cls:
                self.svg = at
            if tag == 'svg' and 'plot' in cls:
                self.plots.append([float(v) for v in at['viewbox'].split()])
            self.inaxis |= tag == 'g' and 'axis' in cls
            self.intext = self.inaxis and tag == 'text'
        def handle_endtag(self, tag):
            self.inaxis &= tag != 'g'
        def handle_data(self, d):
            if self.intext and d.strip():
                self.labels.append(float(d.strip().rstrip(' s')))
                self.intext = False
    z = Z()
    z.feed(open(path, encoding='utf-8').read())
    s = z.svg
    end, left, width = float(s['data-end']), float(s['data-left']), float(s['data-width'])
    x0, w = left + a / end * width, (b - a) / end * width
    bad = []
    if (s.get('data-from'), s.get('data-to')) != ('%g' % a, '%g' % b):
        bad.append('svg says %s-%s' % (s.get('data-from'), s.get('data-to')))
    if not z.plots or any(abs(p[0] - x0) > 0.01 or abs(p[2] - w) > 0.01 for p in z.plots):
        bad.append('plots %s, want x %.3f width %.3f' % (z.plots[:2], x0, w))
    if len(z.labels) < 2 or min(z.labels) < a or max(z.labels) > b:
        bad.append('axis %s' % z.labels)
    print(len(z.plots), 'ok' if not bad else 'differ: ' + '; '.join(bad))
elif mode == 'rows':
    # the failed records' rows shown (DOM) against --records: each the row sent
    class R(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.cell, self.cls, self.cur = [], None, None, []
        def handle_starttag(self, tag, attrs):
            if tag == 'tr':
                self.cur = []
            if tag == 'td':
                self.cell, self.cls = '', dict(attrs).get('class')
        def handle_data(self, d):
            if self.cell is not None:
                self.cell += d
        def handle_endtag(self, tag):
            if tag == 'td':
                self.cur.append((self.cls, self.cell))
                self.cell = None
            if tag == 'tr' and self.cur and self.cur[-1][0] == 'row':
                self.rows.append((self.cur[0][1], self.cur[-1][1]))
    r = R()
    r.feed(open(path, encoding='utf-8').read())
    sent = {}
    for line in open(sys.argv[3], encoding='utf-8'):
        rec = json.loads(line)
        sent.setdefault(rec['recordId'], rec['data'])
    shown = [(i, row) for i, row in r.rows if row]
    bad = [i for i, row in shown if row.rstrip(' .') not in sent.get(i, '')]
    print(len(shown), 'ok' if not bad else 'differ: ' + ' '.join(bad[:3]))
elif mode == 'cw':
    # the CloudWatch charts' bars, in page order: a chart starts at minute 0;
    # the first destination's OkRecords and DeliveryFailedRecords (charts 2
    # and 3) against --metrics' per-minute sums
    class Bars(HTMLParser):
        def __init__(self):
            super().__init__()
            self.charts = []
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == 'rect' and 'cw-bar' in (a.get('class') or '').split():
                if a['data-minute'] == '0':
                    self.charts.append([])
                self.charts[-1].append(float(a['data-v']))
    b = Bars()
    b.feed(open(path, encoding='utf-8').read())
    metrics = {m['name']: [x['Sum'] for x in m['perMinute']]
               for m in json.load(open(sys.argv[3]))['metrics'] if m.get('flow') is None}
    want = [metrics['LambdaDelivery.OkRecords'], metrics['LambdaDelivery.DeliveryFailedRecords']]
    got = b.charts[1:3] if len(b.charts) >= 3 else []
    print(len(b.charts), 'ok' if got == want else 'differ: %s against %s' % (got, want))
else:
    name = sys.argv[3]
    for s in json.load(open(path))['scenarios']:
        if s['file'].endswith('/' + name + '.yaml'):
            print(sum(1 for c in s['checks'] if not c['passed']), len(s['checks']))
EOF

check_page() { # DIR NAME
    local dir=$1 name=$2 page=$1/$2.html
    if [ ! -s "$page" ]; then
        bad "$page was not written"
        return
    fi
    xmllint --noout "$page" 2>"$work/xml.err" || { cat "$work/xml.err"; bad "$name: not well-formed"; }
    # HTML 4's parser knows no SVG elements: those notices alone are allowed
    xmllint --html --noout "$page" 2>&1 |
        grep -E 'error|warning' | grep -vE 'Tag (svg|g|rect|line|polyline|text|title) invalid' \
        >"$work/html.err" || true
    [ ! -s "$work/html.err" ] || { cat "$work/html.err"; bad "$name: xmllint --html complains"; }
    # self-contained: no script, stylesheet, font or image fetched (the two
    # xmlns names are names, not fetched); one inline script, the zoom's
    [ "$(grep -c '<script' "$page")" = 1 ] && grep -q '<script>//<!\[CDATA\[' "$page" ||
        bad "$name: not exactly one inline script"
    if grep -oiE '<link|<img|@import|url\(|src=|https?://[^"]*' "$page" |
        grep -vE '^http://www\.w3\.org/(1999/xhtml|2000/svg)$' | grep -q .; then
        bad "$name: the page refers to something outside itself"
    fi
    browse --dump-dom "file://$page" >"$work/dom.html" || { bad "$name: chromium failed"; return; }
    read -r inv pauses failed passed marks < <(python3 "$work/counts.py" dom "$work/dom.html")
    read -r j_inv j_pauses < <(python3 "$work/counts.py" journal "$dir/$name.jsonl")
    read -r j_failed j_checks < <(python3 "$work/counts.py" checks "$dir/run.json" "$name")
    say "$name: DOM $inv invocations in $marks marks, $pauses pauses, $failed+$passed checks;" \
        "journal $j_inv invocations, $j_pauses pauses; run $j_failed of $j_checks checks failed"
    [ "$inv" = "$j_inv" ] || bad "$name: $inv invocation marks, the journal has $j_inv"
    [ "$pauses" = "$j_pauses" ] || bad "$name: $pauses pauses shaded, the journal has $j_pauses"
    [ "$failed" = "$j_failed" ] || bad "$name: $failed failed checks shown, the run had $j_failed"
    [ $((failed + passed)) = "$j_checks" ] || bad "$name: $((failed + passed)) checks, the run had $j_checks"
    [ "$inv" -gt 0 ] || bad "$name: no invocation drawn"
    if [ -s "$dir/$name.metrics.json" ] && python3 -c "import json,sys; \
            sys.exit('metrics' not in json.load(open(sys.argv[1])))" "$dir/$name.metrics.json"; then
        read -r charts cw < <(python3 "$work/counts.py" cw "$work/dom.html" "$dir/$name.metrics.json")
        say "$name: $charts CloudWatch charts; OkRecords and DeliveryFailedRecords per minute: $cw"
        [ "$cw" = ok ] || bad "$name: the CloudWatch charts differ from --metrics: $cw"
    fi
}

for s in 07-poison-pill 12-restart-resets-retryhint 19-throttling 23-three-destinations; do
    check_page "$work/out" "$s"
done
check_page "$work/bug" 07-poison-pill
check_page "$work/big" big
# window triggers: a tumbling (08), a stagger (22) and a SQL TOP_K (40) destination draw one
# per instant their windows sent rows; a continuous one (07) draws none
"$kdaout" run "$root/scenarios/08-tumbling-60s.yaml" "$root/scenarios/22-stagger-by-ticker.yaml" \
    "$root/scenarios/40-doc-top-k-items.yaml" --report "$work/win/" --journal "$work/win" \
    --no-colour >"$work/win.log" 2>&1 || { cat "$work/win.log"; bad "the windowed scenarios failed"; }
for s in 08-tumbling-60s 22-stagger-by-ticker 40-doc-top-k-items; do
    browse --dump-dom "file://$work/win/$s.html" >"$work/dom.html" || bad "$s: chromium failed"
    read -r drawn instants < <(python3 "$work/counts.py" triggers "$work/dom.html" "$work/win/$s.jsonl")
    say "$s: $drawn window triggers drawn, $instants instants in the journal"
    [ "$drawn" = "$instants" ] && [ "$drawn" -gt 0 ] || bad "$s: $drawn triggers, journal $instants"
done
grep -q 'class="trigger"' "$work/out/07-poison-pill.html" && bad "07 (continuous) draws triggers"

# the scenario's fixes, a line on every lane at their times: 07's fix of its
# poison pill, the big run's `fix: true`; 12 and 23 have none
for p in "out/07-poison-pill:$root/scenarios/07-poison-pill.yaml" "big/big:$work/big.yaml"; do
    read -r nfix fix_ok < <(python3 "$work/counts.py" fixes "$work/${p%%:*}.html" "${p#*:}")
    say "${p%%:*}: $nfix fixes drawn: $fix_ok"
    [ "$fix_ok" = ok ] || bad "${p%%:*}: fixes $fix_ok"
done
grep -q 'class="fix"' "$work/out/12-restart-resets-retryhint.html" && bad "12 (no fix) draws one"
sed 's/<line class="fix"[^>]*>.*<\/line>//' "$work/out/07-poison-pill.html" >"$work/nofix.html"
read -r nfix fix_ok < <(python3 "$work/counts.py" fixes "$work/nofix.html" \
    "$root/scenarios/07-poison-pill.yaml")
[ "$fix_ok" != ok ] || bad "a page without its fix line passed the fixes check"

# zoom: the poison pill's page opened at 50-70 s shows that stretch on every
# lane and still holds every invocation; 23's three lanes zoom together
zoom_check() { # PAGE NAME A B [want]
    browse --dump-dom "file://$1#t=$3-$4" >"$work/zoom.html" || { bad "$2: chromium failed"; return; }
    read -r nplots zoom_ok < <(python3 "$work/counts.py" zoom "$work/zoom.html" "$3" "$4")
    say "$2 at #t=$3-$4: $nplots plots: $zoom_ok"
    if [ "${5:-ok}" = ok ]; then
        [ "$zoom_ok" = ok ] || bad "$2: zoom $zoom_ok"
    else
        [ "$zoom_ok" != ok ] || bad "$2: the zoom check passed a page that cannot zoom"
    fi
}
zoom_check "$work/out/07-poison-pill.html" 07-poison-pill 50 70
read -r zinv _ < <(python3 "$work/counts.py" dom "$work/zoom.html")
read -r j_inv _ < <(python3 "$work/counts.py" journal "$work/out/07-poison-pill.jsonl")
[ "$zinv" = "$j_inv" ] || bad "07 zoomed holds $zinv invocations, the journal $j_inv"
zoom_check "$work/out/23-three-destinations.html" 23-three-destinations 10 12.5
zoom_check "$work/big/big.html" big 100 130
sed '/<script>/,/<\/script>/d' "$work/out/07-poison-pill.html" >"$work/noscript.html"
zoom_check "$work/noscript.html" "07 without its script" 50 70 planted

# and as a user zooms: a drag across 400 pixels of the timeline, driven
# through chromium's DevTools protocol (cdp.py), shows 400/1100 of the
# run and puts it in the address; the page without its script does not zoom
drag_check() { # PAGE NAME [planted]
    local shown end
    shown=$(timeout 90 python3 "$root/tests/integration/cdp.py" "$chromium" drag "file://$1" \
        200 600 500 2>>"$work/chromium.log" || echo "no drag")
    end=$(grep -o 'data-end="[0-9.]*"' "$1" | head -1 | tr -dc '0-9.')
    say "$2: dragged from x 200 to 600 of 1100: shows $shown (of $end s)"
    if python3 - "$end" $shown <<'PY'
import sys
if len(sys.argv) != 5:
    sys.exit(1)  # the page did not say what it shows
end, a, b, frag = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ok = 0 < a < b < end and abs((b - a) - 400 / 1100 * end) < 0.01 * end
sys.exit(0 if ok and frag == '#t=%g-%g' % (a, b) else 1)
PY
    then
        [ -z "${3:-}" ] || bad "$2: the drag check passed a page that cannot zoom"
    else
        [ -n "${3:-}" ] || bad "$2: a drag did not zoom: $shown"
    fi
}
drag_check "$work/out/07-poison-pill.html" 07-poison-pill
drag_check "$work/noscript.html" "07 without its script" planted

# every invocation is inside its plot (the last ones too: x + width <= 1170)
for page in "$work/out/"[0-9]*.html "$work/big/big.html"; do
    outside=$( (grep -o '<rect class="inv [^>]*' "$page" || true) | sed 's/.* x="\([0-9.]*\)".* width="\([0-9.]*\)".*/\1 \2/' |
        awk '$1 + $2 > 1170.05 || $1 < 69.95' | wc -l)
    [ "$outside" = 0 ] || bad "$(basename "$page"): $outside invocation bars outside the plot"
done
# a long run sampled every second stays a small page: lines, pauses and
# triggers are reduced to what a pixel column shows (scenario 33's virtual
# time spans hours for 18 rows)
"$kdaout" run "$root/scenarios/33-doc-weatherstream-a.yaml" --report "$work/long.html" \
    >/dev/null 2>&1 || bad "scenario 33 failed"
long=$(stat -c %s "$work/long.html")
say "33-doc-weatherstream-a (hours of samples): $long bytes"
[ "$long" -lt 300000 ] || bad "scenario 33's page is $long bytes (a line per sample?)"
# a whole batch failing together ties: the page says how many, not just 10
grep -q '<p class="tied">1001 records failed for exactly as long' "$work/out/07-poison-pill.html" ||
    bad "07: no note that 1001 records tie"

# the records that failed longest show their rows, as --records saw them sent
read -r nrows rows_ok < <(python3 "$work/counts.py" rows "$work/out/07-poison-pill.html" \
    "$work/out/07-poison-pill.records.jsonl")
say "07-poison-pill: $nrows failed records' rows shown: $rows_ok"
[ "$nrows" -gt 0 ] && [ "$rows_ok" = ok ] || bad "07's failed records' rows: $nrows, $rows_ok"

# the planted bug's page must show failed checks, with their evidence
grep -q 'class="check check-failed"' "$work/bug/07-poison-pill.html" || bad "no failed check shown"
grep -q 'class="evidence"' "$work/bug/07-poison-pill.html" || bad "no evidence shown"
# the big run merged invocations into buckets, and says how many each holds
big_marks=$(grep -c 'class="inv ' "$work/big/big.html" || true)
say "ten-minute report: $big_marks invocation marks"
grep -q 'of [0-9]* invocations' "$work/big/big.html" || bad "no bucket in the ten-minute report"

# a scenario named index.yaml would overwrite the suite's index: refused before running
mkdir -p "$work/ix"
cp "$root/scenarios/09-continuous-1s.yaml" "$work/ix/index.yaml"
set +e
"$kdaout" run "$work/ix" --report "$work/ixout/" >"$work/ix.log" 2>&1
rc_ix=$?
set -e
[ $rc_ix -eq 2 ] && grep -q "index.yaml would write its page over the suite's index.html" \
    "$work/ix.log" || { cat "$work/ix.log"; bad "index.yaml: exit $rc_ix, not refused"; }

# the index lists each scenario with its verdict and links its page
for s in 07-poison-pill 12-restart-resets-retryhint 19-throttling 23-three-destinations; do
    grep -q "href=\"$s.html\"" "$work/out/index.html" || bad "index.html does not link $s.html"
done
[ "$(grep -c 'verdict-PASS">PASS' "$work/out/index.html")" = 4 ] || bad "index.html: not 4 PASS"
xmllint --noout "$work/out/index.html" || bad "index.html: not well-formed"

mkdir -p "$artifacts"
browse --screenshot="$artifacts/07-poison-pill.png" --window-size=1400,900 \
    "file://$work/out/07-poison-pill.html" >/dev/null || bad "no screenshot"
[ -s "$artifacts/07-poison-pill.png" ] || bad "the screenshot is empty"
cp "$work/out/"*.html "$artifacts/" 2>/dev/null || true
say "artifacts: $artifacts"
[ $fail -eq 0 ] && say "report: ok"
exit $fail

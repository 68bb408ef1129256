/*
 * report-html.c -- the HTML report: one self-contained page per scenario,
 * and an index page for a suite.
 *
 * A page holds the scenario's verdict and how to replay it, the timeline
 * drawing (report-svg.c) of every destination, every check with its
 * verdict (class "check check-passed" / "check check-failed") and a failed
 * one's evidence, and the records that failed longest.  It is written from
 * the journal's timeline and the checks alone.  Self-contained by design: CSS
 * inline, the drawing inline SVG with <title> hover text, one inline script
 * (report-zoom.js: zoom on time), no font, no link out, so it opens from a
 * CI artifact offline.  The markup is polyglot (well-formed XML as well as
 * HTML5), so both an HTML and an XML parser can check it.  A part of report
 * (report-int.h).
 */
#include "report-int.h"
#include "report-zoom.h"

#include "delivery/contract.h"
#include "delivery/journal.h"
#include "timeline.h"

#include <inttypes.h>
#include <string.h>

/* [choice] the records table's length: enough to see a pattern, short enough to read */
#define WORST_RECORDS 10

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
    "h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .4em}"
    ".verdict{display:inline-block;padding:.1em .6em;border-radius:3px;color:#fff;"
    "font-weight:bold}.verdict-PASS{background:#2e7d32}.verdict-FAIL{background:#c62828}"
    ".verdict-ERROR{background:#6a1b9a}.verdict-UNDECIDED{background:#757575}"
    "dl.run{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}"
    "dl.run dt{color:#555}dl.run dd{margin:0}"
    "pre{background:#f5f5f5;padding:.5em;overflow-x:auto;font-size:12px}"
    "svg.timeline{display:block;border:1px solid #ddd}"
    "svg text{font:11px sans-serif;fill:#333}svg .legend{text-anchor:end}"
    ".axis text{text-anchor:middle}"
    "svg .lane-title{font-weight:bold}"
    ".inv-ok{fill:#2e7d32}.inv-partial{fill:#f9a825}.inv-failed{fill:#c62828}"
    ".inv-timeout{fill:#6a1b9a}.inv-throttled{fill:#ef6c00}.inv-transport{fill:#37474f}"
    ".inv-pending{fill:#9e9e9e}.key-ok{background:#2e7d32}.key-partial{background:#f9a825}"
    ".key-failed{background:#c62828}.key-timeout{background:#6a1b9a}"
    ".key-throttled{background:#ef6c00}.key-transport{background:#37474f}"
    ".key-pending{background:#9e9e9e}.key-pause{background:#dce7f5}"
    ".key-retry{border:1px solid #000;box-sizing:border-box}"
    ".key-restart{background:#ffd699}.key-fault{background:#eda1bc}.key-fix{background:#00897b}"
    "rect.retry{stroke:#000;stroke-width:.6}"
    ".pause{fill:#1565c0;fill-opacity:.12}.restart{fill:#ff8f00;fill-opacity:.3}"
    ".fault{fill:#d81b60;fill-opacity:.45}"
    "polyline.lag{fill:none;stroke:#1565c0;stroke-width:1.2}"
    "polyline.depth{fill:none;stroke:#8d6e63;stroke-width:1.2;stroke-dasharray:4 2}"
    "text.lag{fill:#1565c0}text.depth{fill:#8d6e63}"
    ".axis line{stroke:#999}.key span{display:inline-block;margin-right:1em}"
    ".key i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}"
    ".check{margin:.2em 0}.check-passed::before{content:'\\2713  ';color:#2e7d32}"
    ".check-failed::before{content:'\\2717  ';color:#c62828}.check-failed{font-weight:bold}"
    "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;"
    "text-align:left;font-size:13px}td.id{font-family:monospace;font-size:12px}"
    "td.row{font-family:monospace;font-size:12px;word-break:break-all;min-width:24em}"
    "table.records td:not(.row){white-space:nowrap}"
    ".cw-row{display:flex;flex-wrap:wrap;gap:14px}.cw-title{font-size:12px;margin:0 0 2px}"
    ".cw-max{color:#666}.cw-bar{fill:#4a7bb7}.cw-axis{stroke:#999}"
    "svg text.cw-time{font-size:10px;fill:#666}svg text.cw-end{text-anchor:end}"
    ".trigger{stroke:#7b1fa2;stroke-width:1;stroke-dasharray:3,3}"
    "line.fix{stroke:#00897b;stroke-width:2}"
    /* zooming stretches the plots sideways: strokes keep their width */
    "svg.plot *{vector-effect:non-scaling-stroke}svg.timeline{cursor:crosshair;user-select:none}"
    ".zoom-sel{fill:#1565c0;fill-opacity:.15;stroke:#1565c0}";

static void esc(FILE *out, const char *s)
{
    kdo__report_put(out, s, KDO__ESC_HTML);
}

static void head(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>",
          out);
    esc(out, title);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
}

static void tail(FILE *out, const char *from)
{
    fprintf(out, "<div class=\"foot\"><p>Written by kdaout from %s.</p></div>\n", from);
    fputs("</body>\n</html>\n", out);
}

/* ---- the run ------------------------------------------------------------------- */

static void dd(FILE *out, const char *term, const char *text)
{
    if (text == NULL || !*text)
        return;
    fprintf(out, "<dt>%s</dt><dd>", term);
    esc(out, text);
    fputs("</dd>\n", out);
}

static void run_facts(FILE *out, const struct kdo_scenario_result *r)
{
    char a[64], b[64], seed[32], replay[4200], run[200];
    kdo__report_fmt_seconds(b, sizeof b, r->wall_s);
    kdo__report_fmt_num(a, sizeof a, 1, 3, r->virtual_s);
    snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
    if (r->realtime)
        snprintf(run, sizeof run, "%s s real time", b);
    else
        snprintf(run, sizeof run, "%s s virtual in %s s", a, b);
    kdo_report_replay(r, replay, sizeof replay);
    fputs("<dl class=\"run\">\n", out);
    dd(out, "file", r->file);
    dd(out, "proves", r->guide);
    if (r->verdict != KDO_VERDICT_BAD_INPUT) {
        dd(out, "seed", seed);
        dd(out, "ran", run);
        dd(out, "replay", replay);
    }
    dd(out, "why", r->message);
    fputs("</dl>\n", out);
    if (r->notes && *r->notes) {
        fputs("<pre class=\"notes\">", out);
        esc(out, r->notes);
        fputs("</pre>\n", out);
    }
}

static void timeline(FILE *out, const struct kdo_timeline *t, int realtime)
{
    fputs("<div class=\"timeline\">\n<h2>Timeline</h2>\n<p class=\"key\">", out);
    for (int o = 0; o < KDO_TL_OUTCOMES; o++)
        fprintf(out, "<span><i class=\"key-%s\"></i>%s</span>",
                kdo_tl_outcome_name((enum kdo_tl_outcome)o),
                kdo_tl_outcome_name((enum kdo_tl_outcome)o));
    fputs("<span><i class=\"key-pause\"></i>source paused</span>"
          "<span><i class=\"key-restart\"></i>restart</span>"
          "<span><i class=\"key-fault\"></i>fault period</span>"
          "<span><i class=\"key-fix\"></i>fix deployed</span>"
          "<span><i class=\"key-retry\"></i>outlined: a retry (resends failed records)</span>"
          "<span>blue line: MillisBehindLatest; dashed: stream depth; purple dashes: "
          "window triggers (tumbling, stagger)</span></p>\n",
          out);
    fputs("<p>Bar height: records per invocation; hover for each invocation's number, records,"
          " bytes, retryHints and outcome. Drag across the timeline to zoom in; double-click or"
          " Escape to see the whole run.</p>\n", out);
    kdo__report_svg(out, t, realtime);
    /* CDATA for the page's XML reading, hidden from the HTML one by // */
    fprintf(out, "<script>//<![CDATA[\n%s//]]>\n</script>\n", zoom_js);
    fputs("</div>\n", out);
}

/* ---- checks ---------------------------------------------------------------------- */

static void check_item(FILE *out, const struct kdo_scenario_result *r,
                       const struct kdo_check_result *c)
{
    fprintf(out, "<li class=\"check check-%s\">", c->passed ? "passed" : "failed");
    kdo__report_put_check_text(out, r, c, KDO__ESC_HTML);
    if (!c->passed && c->evidence && *c->evidence) {
        fputs("<pre class=\"evidence\">", out);
        esc(out, c->evidence);
        fputs("</pre>", out);
    }
    fputs("</li>\n", out);
}

static void checks(FILE *out, const struct kdo_scenario_result *r)
{
    size_t failed = kdo__report_failed_checks(r);
    fprintf(out, "<div class=\"checks\">\n<h2>Checks: %zu of %zu failed</h2>\n", failed,
            r->nchecks);
    if (r->nchecks == 0) {
        fputs("<p>No check was made.</p>\n</div>\n", out);
        return;
    }
    fputs("<ul>\n", out);
    for (int pass = 0; pass < 2; pass++) /* failed ones first */
        for (size_t i = 0; i < r->nchecks; i++)
            if (r->checks[i].passed == pass)
                check_item(out, r, &r->checks[i]);
    fputs("</ul>\n</div>\n", out);
}

/* ---- records ----------------------------------------------------------------------- */

static void record_row(FILE *out, const struct kdo_tl_lane *l, const struct kdo_tl_record *rec)
{
    char id[57], a[32], b[32];
    kdo_journal_record_id(l->prefix, rec->seq, id);
    kdo__report_fmt_t(a, sizeof a, rec->first_fail);
    fprintf(out, "<tr><td class=\"id\">%s</td><td>%" PRIu32 "</td><td>%" PRIu32 "</td>"
                 "<td>%s s</td><td>", id, rec->attempts, rec->failures, a);
    if (rec->ok_at == KDO_TIME_NEVER) {
        fputs("never", out);
    } else {
        kdo__report_fmt_t(b, sizeof b, rec->ok_at);
        fprintf(out, "%s s", b);
    }
    fputs("</td><td>", out);
    if (!rec->mixed && rec->nreasons > 0) { /* every failure had one reason */
        fputs(kdo_reason_name((enum kdo_reason)rec->reasons[0]), out);
        if (rec->failures > 1)
            fprintf(out, " &#215;%" PRIu32, rec->failures);
    }
    /* else in order, a run of one reason once with its count */
    for (uint8_t k = 0; rec->mixed && k < rec->nreasons;) {
        uint8_t e = k;
        while (e < rec->nreasons && rec->reasons[e] == rec->reasons[k])
            e++;
        fprintf(out, "%s%s", k ? ", " : "", kdo_reason_name((enum kdo_reason)rec->reasons[k]));
        if (e - k > 1)
            fprintf(out, " &#215;%d", e - k);
        k = e;
    }
    if (rec->mixed && rec->failures > rec->nreasons)
        fprintf(out, ", ... (%" PRIu32 " failures; the first %u listed)", rec->failures,
                (unsigned)rec->nreasons);
    fputs("</td><td class=\"row\">", out);
    if (rec->row_len > 0) { /* the row as sent (bad UTF-8 shown as U+FFFD) */
        kdo__report_put_span(out, rec->row, rec->row_len, KDO__ESC_HTML);
        if (rec->row_cut)
            fputs(" ...", out);
    }
    fputs("</td></tr>\n", out);
}

static void lane_records(FILE *out, const struct kdo_tl_lane *l, int several)
{
    const struct kdo_tl_record *worst[WORST_RECORDS];
    size_t tied;
    size_t n = kdo_timeline_worst_records(l, worst, WORST_RECORDS, &tied);
    if (several) {
        fputs("<h3>destination ", out);
        esc(out, l->id);
        fputs("</h3>\n", out);
    }
    if (n == 0) {
        fputs("<p>No record failed.</p>\n", out);
        return;
    }
    fputs("<table class=\"records\"><tr><th>recordId</th><th>attempts</th><th>failures</th>"
          "<th>first failed</th><th>Ok at</th><th>reasons</th><th>row (when sent again)</th>"
          "</tr>\n", out);
    for (size_t i = 0; i < n; i++)
        record_row(out, l, worst[i]);
    fputs("</table>\n", out);
    if (tied > 1 && n == WORST_RECORDS) /* e.g. a whole batch behind a poison pill */
        fprintf(out, "<p class=\"tied\">%zu records failed for exactly as long as the last one "
                     "shown (they failed together, in the same invocations); the table shows "
                     "the first by recordId. <code>kdaout run --records FILE</code> lists every "
                     "record sent, with its row.</p>\n", tied);
    if (l->untracked > 0)
        fprintf(out, "<p>%" PRIu64 " more failures of records past the first %d followed are "
                     "not in this table.</p>\n", l->untracked, KDO_TIMELINE_MAX_RECORDS);
}

static void records(FILE *out, const struct kdo_timeline *t)
{
    fputs("<div class=\"failed-records\">\n<h2>Records that failed longest</h2>\n", out);
    for (size_t i = 0; i < t->nlanes; i++)
        lane_records(out, &t->lanes[i], t->nlanes > 1);
    fputs("</div>\n", out);
}

/* ---- pages ------------------------------------------------------------------------- */

int kdo_report_html(FILE *out, const struct kdo_scenario_result *r, const struct kdo_timeline *t)
{
    char title[600];
    const char *v = kdo_verdict_name(r->verdict);
    snprintf(title, sizeof title, "%s: %.500s", v, kdo__report_title(r));
    head(out, title);
    fprintf(out, "<div class=\"head\"><h1>");
    esc(out, kdo__report_title(r));
    fprintf(out, "</h1>\n<p><span class=\"verdict verdict-%s\">%s</span></p>\n", v, v);
    run_facts(out, r);
    fputs("</div>\n", out);
    if (t != NULL && t->nlanes > 0)
        timeline(out, t, r->realtime);
    checks(out, r);
    if (t != NULL && t->nlanes > 0) {
        records(out, t);
        kdo__report_minutes(out, t);
    }
    tail(out, "the run's journal and checks");
    return kdo__report_finish(out);
}

/* ---- kdaout conform ------------------------------------------------------------- */

/* One row per probe: its name, verdict, and what was sent, what came back and
 * why it matters (the probe's message, notes and failed checks' evidence). */
static void probe_row(FILE *out, const struct kdo_scenario_result *r)
{
    const char *v = kdo_verdict_name(r->verdict);
    char took[64];
    kdo__report_fmt_seconds(took, sizeof took, r->wall_s);
    fprintf(out, "<tr class=\"probe probe-%s\"><td class=\"id\">", v);
    esc(out, kdo__report_title(r));
    fprintf(out, "</td><td><span class=\"verdict verdict-%s\">%s</span></td><td>%s s</td><td>",
            v, v, took);
    if (r->message && *r->message) {
        fputs("<pre class=\"message\">", out);
        esc(out, r->message);
        fputs("</pre>", out);
    }
    if (r->notes && *r->notes) {
        fputs("<pre class=\"notes\">", out);
        esc(out, r->notes);
        fputs("</pre>", out);
    }
    if (kdo__report_failed_checks(r) > 0) {
        fputs("<ul>\n", out);
        for (size_t i = 0; i < r->nchecks; i++)
            if (!r->checks[i].passed)
                check_item(out, r, &r->checks[i]);
        fputs("</ul>", out);
    }
    fputs("</td></tr>\n", out);
}

int kdo_report_html_probes(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    struct kdo__report_counts c = kdo__report_count(r, n);
    head(out, "kdaout conform");
    fputs("<div class=\"head\"><h1>kdaout conform</h1>\n", out);
    fprintf(out, "<p class=\"summary\">%zu checks: %zu passed, %zu failed, %zu errors, %zu "
            "undecided</p>\n", n, c.passed, c.failed, c.errors, c.undecided);
    fputs("</div>\n<table class=\"probes\">\n<tr><th>probe</th><th>verdict</th><th>took</th>"
          "<th>what was sent, what came back, why it matters</th></tr>\n", out);
    for (size_t i = 0; i < n; i++)
        probe_row(out, &r[i]);
    fputs("</table>\n", out);
    tail(out, "the probes' requests and replies");
    return kdo__report_finish(out);
}

/* An href: the name's bytes outside [A-Za-z0-9._-] percent-encoded. */
static void put_href(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("._-", *p))
            fputc(*p, out);
        else
            fprintf(out, "%%%02X", *p);
}

int kdo_report_html_index(FILE *out, const struct kdo_scenario_result *r, size_t n,
                          const char *const *pages)
{
    struct kdo__report_counts c = kdo__report_count(r, n);
    head(out, "kdaout: scenarios");
    fprintf(out, "<div class=\"head\"><h1>kdaout: %zu passed, %zu failed", c.passed, c.failed);
    if (c.errors || c.undecided)
        fprintf(out, ", %zu errors, %zu undecided", c.errors, c.undecided);
    fputs("</h1></div>\n<table class=\"index\"><tr><th>verdict</th><th>scenario</th>"
          "<th>failed checks</th><th>seed</th></tr>\n", out);
    for (size_t i = 0; i < n; i++) {
        const char *v = kdo_verdict_name(r[i].verdict);
        fprintf(out, "<tr class=\"scenario\"><td><span class=\"verdict verdict-%s\">%s</span></td>"
                     "<td>", v, v);
        if (pages && pages[i])
            fputs("<a href=\"", out), put_href(out, pages[i]), fputs("\">", out);
        esc(out, kdo__report_title(&r[i]));
        fputs(pages && pages[i] ? "</a>" : "", out);
        fprintf(out, "</td><td>%zu</td><td>%" PRIu64 "</td></tr>\n",
                kdo__report_failed_checks(&r[i]), r[i].seed);
    }
    fputs("</table>\n", out);
    tail(out, "each run's journal and checks");
    return kdo__report_finish(out);
}

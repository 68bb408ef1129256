/*
 * report-svg.c -- the timeline drawing of the HTML report: every
 * destination of a run on one shared axis of seconds (virtual, or of the
 * wall clock for a real-time run).
 *
 * Per destination, top to bottom: fault periods (class "fault"), the
 * invocations as bars coloured by outcome ("inv inv-ok" ... "inv
 * inv-pending"; height by records, a <title> with number, records, bytes,
 * retryHints, outcome and reason), then MillisBehindLatest ("lag") and the
 * destination stream's depth ("depth") as polylines; source pauses
 * ("pause") and restarts ("restart") shade the whole lane; a fix deployed
 * by the scenario's timeline is a line across it ("fix").  Every invocation
 * and pause shape carries data-n, the number it stands for, so a reader can
 * count them exactly even when more invocations than pixels were merged into
 * pixel-wide buckets.  What is placed in time sits in a nested svg per lane
 * whose viewBox the page's script (report-zoom.js) narrows to zoom.  Pure
 * output: a part of report (report-int.h).
 */
#include "report-int.h"

#include "base/errors.h"
#include "delivery/contract.h"
#include "timeline.h"

#include <inttypes.h>
#include <stdlib.h>

#define LEFT 70             /* the axis' labels */
#define PLOT_W KDO__SVG_PLOT_W
#define WIDTH (LEFT + PLOT_W + 30)
#define LANE_H 210
#define FAULT_Y 22
#define BAR_Y 34            /* invocation bars: [BAR_Y, BAR_Y + BAR_H) */
#define BAR_H 100
#define LINE_Y 146          /* lag and depth: [LINE_Y, LINE_Y + LINE_H) */
#define LINE_H 50
#define AXIS_H 34

struct frame {
    kdo_time_ns end;
    double y0; /* the lane's top */
};

void kdo__report_fmt_t(char *buf, size_t size, int64_t t_ns)
{
    kdo__report_fmt_seconds(buf, size, (double)t_ns / 1e9);
}

static double x_of(const struct frame *f, kdo_time_ns t)
{
    if (t <= 0)
        return LEFT;
    if (t >= f->end)
        return LEFT + PLOT_W;
    return LEFT + (double)t / (double)f->end * PLOT_W;
}

static void put_num(FILE *out, double v)
{
    char b[48];
    kdo__report_fmt_num(b, sizeof b, 1, 1, v);
    fputs(b, out);
}

/* <line class="CLS" data-n="N" x1=x y1 x2=x y2 (left open for a title). */
static void put_vline(FILE *out, const char *cls, uint64_t n, double x, double y1, double y2)
{
    fprintf(out, "<line class=\"%s\" data-n=\"%" PRIu64 "\" x1=\"", cls, n);
    put_num(out, x);
    fputs("\" y1=\"", out);
    put_num(out, y1);
    fputs("\" x2=\"", out);
    put_num(out, x);
    fputs("\" y2=\"", out);
    put_num(out, y2);
    fputs("\">", out);
}

/* x="" width="" for [from, until), at least one pixel wide. */
static void put_xspan(FILE *out, const struct frame *f, kdo_time_ns from, kdo_time_ns until)
{
    double x0 = x_of(f, from), x1 = x_of(f, until == KDO_TIME_NEVER ? f->end : until);
    fputs(" x=\"", out);
    put_num(out, x0);
    fputs("\" width=\"", out);
    put_num(out, x1 - x0 < 1 ? 1 : x1 - x0);
    fputc('"', out);
}

/* ---- invocations --------------------------------------------------------------- */

static void mark_title(FILE *out, const struct kdo_tl_mark *m, enum kdo_tl_outcome o)
{
    char a[32], b[32];
    uint64_t total = kdo_tl_mark_total(m);
    kdo__report_fmt_t(a, sizeof a, m->t0);
    kdo__report_fmt_t(b, sizeof b, m->t1);
    fputs("<title>", out);
    if (total == 1) {
        fprintf(out, "invocation %" PRIu64 " at %s s: %s", m->number, a, kdo_tl_outcome_name(o));
        if (m->reason != KDO_REASON_OK && o != KDO_TL_PENDING)
            fprintf(out, " (%s)", kdo_reason_name((enum kdo_reason)m->reason));
        kdo__report_fmt_t(b, sizeof b, m->duration);
        fprintf(out, ", %" PRIu64 " records, %" PRIu64 " bytes", m->records, m->bytes);
        if (o != KDO_TL_PENDING)
            fprintf(out, ", reply in %s s", b);
    } else {
        fprintf(out, "%s to %s s: %" PRIu64 " %s of %" PRIu64 " invocations, %" PRIu64
                     " records, %" PRIu64 " bytes",
                a, b, m->count[o], kdo_tl_outcome_name(o), total, m->records, m->bytes);
    }
    if (m->retries > 0)
        fprintf(out, "; %" PRIu64 " retr%s, retryHint %" PRIu64 "..%" PRIu64, m->retries,
                m->retries == 1 ? "y" : "ies", m->hint_min, m->hint_max);
    else
        fprintf(out, "; retryHint %" PRIu64, m->hint_max);
    fputs("</title>", out);
}

/* One bar: a segment per outcome, stacked, heights in proportion. */
static void draw_mark(FILE *out, const struct frame *f, const struct kdo_tl_mark *m,
                      uint64_t max_records, double w)
{
    /* a retry's outline, only where a bar is wide enough to keep its colour */
    const char *retry = m->retries && w >= 3 ? " retry" : "";
    uint64_t total = kdo_tl_mark_total(m);
    double per = total ? (double)m->records / (double)total : 0;
    double h = max_records ? BAR_H * per / (double)max_records : 0;
    h = h < 3 ? 3 : h;
    double bottom = f->y0 + BAR_Y + BAR_H;
    double x = x_of(f, m->t0);
    x = x + w > LEFT + PLOT_W ? LEFT + PLOT_W - w : x; /* the last ones stay inside the plot */
    for (int o = 0; o < KDO_TL_OUTCOMES; o++) {
        if (m->count[o] == 0)
            continue;
        double seg = h * (double)m->count[o] / (double)total;
        bottom -= seg;
        fprintf(out, "<rect class=\"inv inv-%s%s\" data-n=\"%" PRIu64 "\" x=\"",
                kdo_tl_outcome_name((enum kdo_tl_outcome)o), retry,
                m->count[o]);
        put_num(out, x);
        fputs("\" y=\"", out);
        put_num(out, bottom);
        fputs("\" width=\"", out);
        put_num(out, w);
        fputs("\" height=\"", out);
        put_num(out, seg < 0.1 ? 0.1 : seg);
        fputs("\">", out);
        mark_title(out, m, (enum kdo_tl_outcome)o);
        fputs("</rect>\n", out);
    }
}

static void draw_marks(FILE *out, const struct frame *f, const struct kdo_tl_lane *l)
{
    const struct kdo_tl_mark *m = l->marks;
    size_t n = l->nmarks;
    struct kdo_tl_mark *buckets = NULL;
    if (n > PLOT_W) { /* more invocations than pixels: one bucket per pixel */
        buckets = kdo_xcalloc(PLOT_W, sizeof *buckets);
        n = kdo_timeline_buckets(l->marks, l->nmarks, 0, f->end, PLOT_W, buckets);
        m = buckets;
    }
    uint64_t max_records = 1;
    for (size_t i = 0; i < n; i++) {
        uint64_t total = kdo_tl_mark_total(&m[i]);
        uint64_t per = total ? m[i].records / total : 0;
        max_records = per > max_records ? per : max_records;
    }
    double w = buckets ? 1.0 : (double)PLOT_W / (double)(n ? n : 1) * 0.6;
    w = w < 1 ? 1 : w > 8 ? 8 : w;
    for (size_t i = 0; i < n; i++)
        draw_mark(out, f, &m[i], max_records, w);
    free(buckets);
}

/* ---- lines, pauses, restarts, faults ------------------------------------------ */

static double sample_value(const struct kdo_tl_sample *x, int lag)
{
    double v = lag ? (double)x->lag_ms : (double)x->rows;
    return v < 0 ? 0 : v;
}

/* The highest value sampled (0 if none rose). */
static double line_max(const struct kdo_tl_lane *l, int lag)
{
    double max = 0;
    for (size_t i = 0; i < l->nsamples; i++) {
        double v = sample_value(&l->samples[i], lag);
        max = v > max ? v : max;
    }
    return max;
}

static void put_point(FILE *out, const struct frame *f, kdo_time_ns t, double v, double max)
{
    put_num(out, x_of(f, t));
    fputc(',', out);
    put_num(out, f->y0 + LINE_Y + LINE_H - LINE_H * v / max);
    fputc(' ', out);
}

/* A polyline of at most four points a pixel column (its first, lowest,
 * highest and last sample, in time order), however many samples a long run
 * took: the peaks stay, the page stays small. */
static void draw_line(FILE *out, const struct frame *f, const struct kdo_tl_lane *l, int lag,
                      double max)
{
    double scale = max > 0 ? max : 1;
    fprintf(out, "<polyline class=\"%s\" points=\"", lag ? "lag" : "depth");
    for (size_t i = 0; i < l->nsamples;) {
        long col = (long)x_of(f, l->samples[i].t);
        size_t j = i, lo = i, hi = i;
        while (j < l->nsamples && (long)x_of(f, l->samples[j].t) == col) {
            lo = sample_value(&l->samples[j], lag) < sample_value(&l->samples[lo], lag) ? j : lo;
            hi = sample_value(&l->samples[j], lag) > sample_value(&l->samples[hi], lag) ? j : hi;
            j++;
        }
        size_t pick[4] = {i, lo < hi ? lo : hi, lo < hi ? hi : lo, j - 1};
        for (int k = 0; k < 4; k++)
            if (k == 0 || pick[k] != pick[k - 1])
                put_point(out, f, l->samples[pick[k]].t, sample_value(&l->samples[pick[k]], lag),
                          scale);
        i = j;
    }
    char b[48];
    kdo__report_fmt_num(b, sizeof b, 1, 0, max);
    fprintf(out, "\"><title>%s: at most ", lag ? "MillisBehindLatest" : "destination stream depth");
    fprintf(out, "%s %s</title></polyline>\n", b, lag ? "ms" : "rows");
}

/* The line's scale, at the plot's right edge, outside the part that zooms. */
static void draw_line_legend(FILE *out, const struct frame *f, int lag, double max)
{
    char b[48];
    kdo__report_fmt_num(b, sizeof b, 1, 0, max);
    fprintf(out, "<text class=\"legend %s\" x=\"%d\" y=\"", lag ? "lag" : "depth",
            LEFT + PLOT_W - 4);
    put_num(out, f->y0 + LINE_Y + (lag ? 10 : 22));
    fprintf(out, "\">%s max %s", lag ? "lag" : "depth", b);
    fprintf(out, " %s</text>\n", lag ? "ms" : "rows");
}

static void put_pause(FILE *out, const struct frame *f, const struct kdo_tl_span *p)
{
    char a[32], b[32];
    kdo__report_fmt_t(a, sizeof a, p->from);
    kdo__report_fmt_t(b, sizeof b, p->until);
    fprintf(out, "<rect class=\"pause\" data-n=\"%" PRIu64 "\"", p->n);
    put_xspan(out, f, p->from, p->until);
    fputs(" y=\"", out);
    put_num(out, f->y0 + BAR_Y);
    fprintf(out, "\" height=\"%d\"><title>source paused %s to %s s", LINE_Y + LINE_H - BAR_Y,
            a, b);
    if (p->n > 1)
        fprintf(out, " (%" PRIu64 " pauses)", p->n);
    fputs(": the destination stream was full</title></rect>\n", out);
}

/* Pauses whose shading would touch the same pixel are drawn as one (data-n:
 * how many), so a run that pauses thousands of times stays a small page. */
static void draw_pauses(FILE *out, const struct frame *f, const struct kdo_tl_lane *l)
{
    struct kdo_tl_span cur = {0};
    int have = 0;
    for (size_t i = 0; i < l->npauses; i++) {
        struct kdo_tl_span p = l->pauses[i];
        p.until = p.until == KDO_TIME_NEVER ? l->end : p.until;
        if (have && x_of(f, p.from) < x_of(f, cur.until) + 1) {
            cur.until = p.until > cur.until ? p.until : cur.until;
            cur.n += p.n;
            continue;
        }
        if (have)
            put_pause(out, f, &cur);
        cur = p;
        have = 1;
    }
    if (have)
        put_pause(out, f, &cur);
}

/* A fix: one instant, a line from the fault row down through the bars and
 * lines (no text beside it: the plot stretches when zoomed; its title says). */
static void draw_fix(FILE *out, const struct frame *f, const struct kdo_tl_span *s)
{
    char a[32];
    double x = x_of(f, s->from);
    kdo__report_fmt_t(a, sizeof a, s->from < 0 ? 0 : s->from);
    put_vline(out, "fix", 1, x, f->y0 + FAULT_Y - 4, f->y0 + LINE_Y + LINE_H);
    fprintf(out, "<title>fix deployed at %s s: ", a);
    kdo__report_put(out, s->label, KDO__ESC_HTML);
    fputs("</title></line>\n", out);
}

static void draw_span(FILE *out, const struct frame *f, const struct kdo_tl_span *s,
                      enum kdo_tl_span_kind kind)
{
    char a[32], b[32];
    int fault = kind == KDO_TL_FAULT;
    if (kind == KDO_TL_FIX) {
        draw_fix(out, f, s);
        return;
    }
    kdo_time_ns until = s->until == KDO_TIME_NEVER ? f->end : s->until;
    kdo__report_fmt_t(a, sizeof a, s->from < 0 ? 0 : s->from);
    kdo__report_fmt_t(b, sizeof b, until);
    fprintf(out, "<rect class=\"%s\"", fault ? "fault" : "restart");
    put_xspan(out, f, s->from < 0 ? 0 : s->from, until);
    fputs(" y=\"", out);
    put_num(out, f->y0 + (fault ? FAULT_Y : BAR_Y));
    fprintf(out, "\" height=\"%d\"><title>", fault ? 10 : LINE_Y + LINE_H - BAR_Y);
    if (fault) {
        fprintf(out, "fault %s to %s s: ", a, b);
        kdo__report_put(out, s->label, KDO__ESC_HTML);
    } else {
        fprintf(out, "restart at %s s, back at %s s: %" PRIu64 " rows requeued", a, b, s->n);
    }
    fputs("</title></rect>\n", out);
}

/* ---- lanes and axis --------------------------------------------------------------- */

/* A windowed lane's window triggers: a thin line each, across the bars;
 * those in one pixel column are one line (data-n: how many). */
static void draw_triggers(FILE *out, const struct frame *f, const struct kdo_tl_lane *l)
{
    char a[32], b[32];
    for (size_t i = 0; i < l->ntriggers;) {
        size_t j = i;
        long col = (long)x_of(f, l->triggers[i]);
        while (j < l->ntriggers && (long)x_of(f, l->triggers[j]) == col)
            j++;
        double x = x_of(f, l->triggers[i]);
        kdo__report_fmt_t(a, sizeof a, l->triggers[i]);
        kdo__report_fmt_t(b, sizeof b, l->triggers[j - 1]);
        put_vline(out, "trigger", j - i, x, f->y0 + BAR_Y, f->y0 + BAR_Y + BAR_H);
        if (j - i == 1)
            fprintf(out, "<title>window trigger at %s s</title></line>\n", a);
        else
            fprintf(out, "<title>%zu window triggers, %s to %s s</title></line>\n", j - i, a, b);
        i = j;
    }
}

/* A lane: its title and the lines' scales fixed; everything placed in time
 * inside a nested <svg class="plot"> whose viewBox the page's script
 * narrows to zoom (preserveAspectRatio none: time stretches, height not). */
static void draw_lane(FILE *out, const struct frame *f, const struct kdo_tl_lane *l)
{
    fprintf(out, "<g class=\"lane\" data-id=\"");
    kdo__report_put(out, l->id, KDO__ESC_HTML);
    fprintf(out, "\">\n<text class=\"lane-title\" x=\"%d\" y=\"", LEFT);
    put_num(out, f->y0 + 14);
    fputs("\">destination ", out);
    kdo__report_put(out, l->id[0] ? l->id : "1.1", KDO__ESC_HTML);
    fprintf(out, ": %" PRIu64 " invocation%s, %" PRIu64 " pause%s</text>\n", l->invocations,
            l->invocations == 1 ? "" : "s", l->pause_count, l->pause_count == 1 ? "" : "s");
    fprintf(out, "<svg class=\"plot\" x=\"%d\" y=\"", LEFT);
    put_num(out, f->y0);
    fprintf(out, "\" width=\"%d\" height=\"%d\" viewBox=\"%d ", PLOT_W, LANE_H, LEFT);
    put_num(out, f->y0);
    fprintf(out, " %d %d\" preserveAspectRatio=\"none\">\n", PLOT_W, LANE_H);
    for (size_t i = 0; i < l->nspans; i++)
        draw_span(out, f, &l->spans[i], l->span_kind[i]);
    draw_pauses(out, f, l);
    draw_triggers(out, f, l);
    draw_marks(out, f, l);
    double depth_max = line_max(l, 0), lag_max = line_max(l, 1);
    if (l->nsamples > 0) {
        draw_line(out, f, l, 0, depth_max);
        draw_line(out, f, l, 1, lag_max);
    }
    fputs("</svg>\n", out);
    if (l->nsamples > 0) {
        draw_line_legend(out, f, 0, depth_max);
        draw_line_legend(out, f, 1, lag_max);
    }
    fputs("</g>\n", out);
}

/* A tick every 1, 2 or 5 times a power of ten seconds, about ten in all. */
static double tick_step(double end_s)
{
    static const double m[] = {1, 2, 5};
    for (double p = 1e-3; p < 1e9; p *= 10)
        for (int i = 0; i < 3; i++)
            if (end_s / (m[i] * p) <= 12)
                return m[i] * p;
    return 1e9;
}

static void draw_axis(FILE *out, const struct frame *f)
{
    double end_s = (double)f->end / 1e9, step = tick_step(end_s);
    fprintf(out, "<g class=\"axis\" data-y=\"");
    put_num(out, f->y0 + 16);
    fprintf(out, "\"><line x1=\"%d\" x2=\"%d\" y1=\"", LEFT, LEFT + PLOT_W);
    put_num(out, f->y0);
    fputs("\" y2=\"", out);
    put_num(out, f->y0);
    fputs("\"/>\n", out);
    for (int i = 0; i * step <= end_s + 1e-9 && i < 100; i++) {
        double x = LEFT + i * step / end_s * PLOT_W;
        fputs("<line class=\"tick\" x1=\"", out); /* the label centred under its tick */
        put_num(out, x);
        fputs("\" x2=\"", out);
        put_num(out, x);
        fputs("\" y1=\"", out);
        put_num(out, f->y0);
        fputs("\" y2=\"", out);
        put_num(out, f->y0 + 4);
        fputs("\"/><text x=\"", out);
        put_num(out, x);
        fputs("\" y=\"", out);
        put_num(out, f->y0 + 16);
        fputs("\">", out);
        char b[48];
        kdo__report_fmt_num(b, sizeof b, 0, 6, i * step);
        fprintf(out, "%s s</text>\n", b);
    }
    fputs("</g>\n", out);
}

void kdo__report_svg(FILE *out, const struct kdo_timeline *t, int realtime)
{
    size_t lanes = t->nlanes ? t->nlanes : 1;
    struct frame f = {.end = kdo_timeline_end(t)};
    int height = (int)lanes * LANE_H + AXIS_H;
    char end[48];
    kdo__report_fmt_num(end, sizeof end, 1, 3, (double)f.end / 1e9);
    /* data-*: what the page's zoom script needs to map seconds to x */
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"%d\" "
                 "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" data-left=\"%d\" "
                 "data-width=\"%d\" data-end=\"%s\">\n",
            WIDTH, height, WIDTH, height, LEFT, PLOT_W, end);
    fprintf(out, "<title>invocations, lag and pauses per destination over %s time</title>\n",
            realtime ? "real (wall-clock)" : "virtual");
    for (size_t i = 0; i < t->nlanes; i++) {
        f.y0 = (double)i * LANE_H;
        draw_lane(out, &f, &t->lanes[i]);
    }
    f.y0 = (double)lanes * LANE_H;
    draw_axis(out, &f);
    fputs("</svg>\n", out);
}

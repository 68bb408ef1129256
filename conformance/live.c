/*
 * live.c -- the live view of a real-time run (live.h): copies of each
 * run's metrics under a lock, /metrics from the copies, the progress line.
 *
 * The run's thread writes copies at each step; the exporter's thread reads
 * them at a scrape: neither ever touches the other's memory, only the
 * copies, and only under `lock`.  The progress line is drawn by the run's
 * thread, at most every REDRAW_MS of the wall clock.
 */
#include "live.h"

#include "base/clock.h"
#include "base/errors.h"
#include "base/promhttp.h"
#include "delivery/metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define REDRAW_MS 250 /* at most 4 redraws a second (issue 15) */

struct lane_copy {
    char id[16];
    struct kdo_stat total[KDO_METRIC_COUNT];
    double lag_ms; /* MillisBehindLatest: the latest minute's highest */
};

struct run_copy {
    char name[128];
    struct lane_copy lanes[KDO_APP_MAX_OUTPUTS];
    size_t nlanes;
    uint64_t failures[KDO_REASON_COUNT]; /* records failed by reason, all lanes */
    int have_failures;
    int done;
    uint64_t born; /* to find the oldest */
};

struct kdo_live {
    pthread_mutex_t lock;
    struct run_copy runs[KDO_LIVE_MAX_RUNS];
    size_t nruns;
    uint64_t born;
    struct kdo_promhttp *exporter;
    int progress;
    kdo_time_ns drawn_at;
    size_t drawn_len;
};

/* ---- the copies ------------------------------------------------------------- */

/* The copy of run `name` (lock held): found, or a new one in a free slot or
 * in place of the oldest finished run; NULL when every slot runs. */
static struct run_copy *copy_of(struct kdo_live *l, const char *name)
{
    struct run_copy *oldest = NULL;
    for (size_t i = 0; i < l->nruns; i++) {
        struct run_copy *c = &l->runs[i];
        if (strcmp(c->name, name) == 0)
            return c;
        if (c->done && (oldest == NULL || c->born < oldest->born))
            oldest = c;
    }
    struct run_copy *c = l->nruns < KDO_LIVE_MAX_RUNS ? &l->runs[l->nruns++] : oldest;
    if (c) {
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, "%s", name);
        c->born = l->born++;
    }
    return c;
}

static void copy_lane(struct lane_copy *c, const struct kdo_sim_lane *lane)
{
    snprintf(c->id, sizeof c->id, "%s", lane->id);
    for (int m = 0; m < KDO_METRIC_COUNT; m++)
        c->total[m] = *kdo_metrics_total(lane->metrics, (enum kdo_metric)m);
    size_t minutes = kdo_metrics_minutes(lane->metrics);
    c->lag_ms = minutes ? kdo_metrics_minute(lane->metrics, KDO_METRIC_MILLIS_BEHIND_LATEST,
                                             minutes - 1).max
                        : 0;
}

/* ---- the progress line ------------------------------------------------------ */

/* " (function_error 48, timeout 2)": the `most` commonest reasons (", ..."
 * when there are more), or "". */
static void reasons(const uint64_t *failures, int most, char *out, size_t n)
{
    int top[4] = {0, 0, 0, 0}, ntop = 0;
    out[0] = '\0';
    for (int pick = 0; failures && pick < most + 1 && pick < 4; pick++) {
        int best = 0;
        for (int r = 1; r < KDO_REASON_COUNT; r++) {
            int taken = 0;
            for (int i = 0; i < ntop; i++)
                taken |= top[i] == r;
            if (!taken && failures[r] > (best ? failures[best] : 0))
                best = r;
        }
        if (best == 0)
            break;
        top[ntop++] = best;
    }
    int more = ntop > most;
    ntop = more ? most : ntop;
    size_t len = 0;
    for (int i = 0; i < ntop && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%s %" PRIu64 "%s", i ? ", " : " (",
                                kdo_reason_name((enum kdo_reason)top[i]), failures[top[i]],
                                i < ntop - 1 ? "" : more ? ", ...)" : ")");
}

void kdo_live_line(const char *name, kdo_time_ns now, kdo_time_ns total,
                   const struct kdo_live_lane *lanes, size_t nlanes, const uint64_t *failures,
                   char *out, size_t n)
{
    char why[160], why1[80];
    double in = 0, ok = 0, failed = 0, inv = 0, lag = 0;
    for (size_t i = 0; i < nlanes; i++) {
        in = lanes[i].input_records > in ? lanes[i].input_records : in; /* one source */
        ok += lanes[i].output_records;
        failed += lanes[i].failed_records;
        inv += lanes[i].invocations;
        lag = lanes[i].lag_ms > lag ? lanes[i].lag_ms : lag;
    }
    reasons(failures, 3, why, sizeof why);
    reasons(failures, 1, why1, sizeof why1);
    if (failures) { /* every failed attempt of a record, whatever failed it; the metric
                       (DeliveryFailedRecords) counts only the function's DeliveryFailed */
        failed = 0;
        for (int r = 1; r < KDO_REASON_COUNT; r++)
            failed += (double)failures[r];
    }
    /* The parts in the order shown; when the line must fit a narrow terminal
     * (n - 1 columns) the least telling go first, from the highest `drop`:
     * invocations, the rows, all reasons but the commonest, that one, the
     * time; the name, the failures and the lag stay (cut only if even they
     * do not fit). */
    enum { NAME, TIME, ROWS, INVOCATIONS, FAILED, WHY, LAG, PARTS };
    static const int drop[PARTS] = {0, 1, 4, 5, 0, 2, 0}; /* level 3: WHY shortened */
    char part[PARTS][200];
    snprintf(part[NAME], sizeof part[NAME], "%s", name);
    snprintf(part[TIME], sizeof part[TIME], "  %.0f/%.0f s", (double)now / KDO_S,
             (double)total / KDO_S);
    snprintf(part[ROWS], sizeof part[ROWS], "  rows %.0f read, %.0f delivered", in, ok);
    snprintf(part[INVOCATIONS], sizeof part[INVOCATIONS], "  invocations %.0f", inv);
    snprintf(part[FAILED], sizeof part[FAILED], "  failed %.0f", failed);
    snprintf(part[WHY], sizeof part[WHY], "%s", why);
    snprintf(part[LAG], sizeof part[LAG], "  lag %.1f s", lag / 1000);
    size_t len = 0;
    for (int i = 0; i < PARTS; i++)
        len += strlen(part[i]);
    for (int level = 5; level > 0 && n > 0 && len > n - 1; level--) {
        if (level == 3) { /* the commonest reason alone (then none, at 2) */
            len -= strlen(part[WHY]) - strlen(why1);
            snprintf(part[WHY], sizeof part[WHY], "%s", why1);
            continue;
        }
        for (int i = 0; i < PARTS; i++)
            if (drop[i] == level) {
                len -= strlen(part[i]);
                part[i][0] = '\0';
            }
    }
    if (n == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0, used = 0; i < PARTS && used + 1 < n; i++) {
        size_t k = strlen(part[i]);
        k = k < n - 1 - used ? k : n - 1 - used; /* cut at the room left */
        memcpy(out + used, part[i], k);
        used += k;
        out[used] = '\0';
    }
}

size_t kdo_live_terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        return (size_t)ws.ws_col - 1;
    return 79;
}

static void draw(struct kdo_live *l, const struct run_copy *c, kdo_time_ns now,
                 kdo_time_ns total)
{
    struct kdo_live_lane lanes[KDO_APP_MAX_OUTPUTS];
    char line[512];
    for (size_t i = 0; i < c->nlanes; i++) {
        const struct lane_copy *lc = &c->lanes[i];
        lanes[i] = (struct kdo_live_lane){
            .input_records = lc->total[KDO_METRIC_INPUT_RECORDS].sum,
            .output_records = lc->total[KDO_METRIC_OK_RECORDS].sum,
            .failed_records = lc->total[KDO_METRIC_DELIVERY_FAILED_RECORDS].sum,
            .invocations = (double)lc->total[KDO_METRIC_DURATION].count,
            .lag_ms = lc->lag_ms};
        snprintf(lanes[i].id, sizeof lanes[i].id, "%s", lc->id);
    }
    size_t width = kdo_live_terminal_width(); /* a wrapped line would not be redrawn in place */
    kdo_live_line(c->name, now, total, lanes, c->nlanes, c->have_failures ? c->failures : NULL,
                  line, width + 1 < sizeof line ? width + 1 : sizeof line);
    size_t len = strlen(line);
    fprintf(stderr, "\r%s%*s", line, l->drawn_len > len ? (int)(l->drawn_len - len) : 0, "");
    fflush(stderr);
    l->drawn_len = len;
}

void kdo_live_tick(struct kdo_live *l, const char *name, const struct kdo_sim_result *r,
                   const uint64_t *failures, kdo_time_ns now, kdo_time_ns total)
{
    if (l == NULL)
        return;
    pthread_mutex_lock(&l->lock);
    struct run_copy *c = copy_of(l, name);
    if (c) {
        c->nlanes = r->nlanes;
        for (size_t i = 0; i < r->nlanes; i++)
            copy_lane(&c->lanes[i], &r->lanes[i]);
        c->have_failures = failures != NULL;
        if (failures)
            memcpy(c->failures, failures, sizeof c->failures);
    }
    kdo_time_ns wall = kdo_clock_now();
    if (c && l->progress && (l->drawn_at == 0 || wall - l->drawn_at >= REDRAW_MS * KDO_MS)) {
        l->drawn_at = wall;
        draw(l, c, now, total);
    }
    pthread_mutex_unlock(&l->lock);
}

void kdo_live_done(struct kdo_live *l, const char *name)
{
    if (l == NULL)
        return;
    pthread_mutex_lock(&l->lock);
    struct run_copy *c = copy_of(l, name);
    if (c)
        c->done = 1;
    if (l->progress && l->drawn_len) { /* the runner's line goes where this one was */
        fprintf(stderr, "\r%*s\r", (int)l->drawn_len, "");
        fflush(stderr);
        l->drawn_len = 0;
        l->drawn_at = 0;
    }
    pthread_mutex_unlock(&l->lock);
}

/* ---- /metrics ---------------------------------------------------------------- */

/* Family `metric` (statistic: its Sum, or for Duration also its count as
 * invocations) for every run and destination. */
static int write_family(struct kdo_live *l, struct kdo_promtext *w, enum kdo_metric m,
                        const char *suffix, enum kdo_promtext_type type, const char *help,
                        int count)
{
    char name[KDO_PROMTEXT_NAME_MAX + 1];
    const char *cw = count ? "LambdaDelivery.Invocations" : kdo_metric_name(m);
    int rc = kdo_promtext_cloudwatch_name(cw, suffix, name, sizeof name);
    if (rc == 0)
        rc = kdo_promtext_family(w, name, type, help);
    for (size_t i = 0; rc == 0 && i < l->nruns; i++) {
        const struct run_copy *c = &l->runs[i];
        for (size_t k = 0; rc == 0 && k < c->nlanes; k++) {
            const struct lane_copy *lc = &c->lanes[k];
            for (int f = 0; rc == 0 && f < KDO_METRIC_COUNT; f++) {
                /* Bytes and Records: both flows are one family */
                if (f != (int)m && !(kdo_metric_flow(m) && kdo_metric_flow((enum kdo_metric)f) &&
                                     strcmp(kdo_metric_name(m),
                                            kdo_metric_name((enum kdo_metric)f)) == 0))
                    continue;
                const char *flow = kdo_metric_flow((enum kdo_metric)f);
                struct kdo_promtext_label labels[3] = {
                    {"scenario", c->name}, {"output", lc->id}, {"flow", flow}};
                double v = count ? (double)lc->total[f].count
                           : m == KDO_METRIC_MILLIS_BEHIND_LATEST ? lc->lag_ms
                           : m == KDO_METRIC_DURATION ? lc->total[f].sum / 1000 /* base unit */
                                                      : lc->total[f].sum;
                rc = kdo_promtext_value(w, labels, labels[2].value ? 3 : 2, v);
            }
        }
    }
    return rc;
}

/* The families /metrics serves, in order (count: the metric's count, not
 * its Sum; Bytes and Records take both flows). */
static const struct family {
    enum kdo_metric metric;
    const char *suffix;
    enum kdo_promtext_type type;
    const char *help;
    int count;
} families[] = {
    {KDO_METRIC_OK_RECORDS, "_total", KDO_PROMTEXT_COUNTER,
     "Records the function answered Ok (LambdaDelivery.OkRecords)", 0},
    {KDO_METRIC_DELIVERY_FAILED_RECORDS, "_total", KDO_PROMTEXT_COUNTER,
     "Records that failed a delivery (LambdaDelivery.DeliveryFailedRecords)", 0},
    {KDO_METRIC_DURATION, "_seconds_total", KDO_PROMTEXT_COUNTER,
     "Time spent invoking the function, summed, in seconds (LambdaDelivery.Duration, which "
     "CloudWatch gives in ms)", 0},
    {KDO_METRIC_DURATION, "_total", KDO_PROMTEXT_COUNTER,
     "Invocations of the function (the count of LambdaDelivery.Duration)", 1},
    {KDO_METRIC_MILLIS_BEHIND_LATEST, "", KDO_PROMTEXT_GAUGE,
     "How far the application is behind its source, ms: the latest minute's highest "
     "(MillisBehindLatest)", 0},
    {KDO_METRIC_SUCCESS, "_total", KDO_PROMTEXT_COUNTER, "Deliveries that succeeded (Success)", 0},
    {KDO_METRIC_INPUT_BYTES, "_total", KDO_PROMTEXT_COUNTER,
     "Bytes read from the source (flow Input) and delivered (Output)", 0},
    {KDO_METRIC_INPUT_RECORDS, "_total", KDO_PROMTEXT_COUNTER,
     "Records read from the source (flow Input) and delivered (Output)", 0},
};

static int collect(void *ctx, struct kdo_promtext *w)
{
    struct kdo_live *l = ctx;
    int rc = 0;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; rc == 0 && i < sizeof families / sizeof families[0]; i++) {
        const struct family *f = &families[i];
        rc = write_family(l, w, f->metric, f->suffix, f->type, f->help, f->count);
    }
    pthread_mutex_unlock(&l->lock);
    return rc;
}

int kdo_live_start(const char *host, uint16_t port, int progress, struct kdo_live **out,
                   char *err, size_t err_size)
{
    struct kdo_live *l = kdo_xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    l->progress = progress;
    if (host) {
        int rc = kdo_promhttp_start(host, port, &l->exporter, err, err_size);
        if (rc == 0)
            rc = kdo_promhttp_add(l->exporter, collect, l);
        if (rc) {
            kdo_live_stop(l);
            *out = NULL;
            return rc;
        }
        printf("metrics on http://%s:%u/metrics\n", host, kdo_promhttp_port(l->exporter));
        fflush(stdout);
    }
    *out = l;
    return 0;
}

void kdo_live_stop(struct kdo_live *l)
{
    if (l == NULL)
        return;
    kdo_promhttp_stop(l->exporter); /* no collector runs after this */
    pthread_mutex_destroy(&l->lock);
    free(l);
}

/*
 * timeline.c -- the picture's facts, gathered from each destination's
 * journal as the run goes (timeline.h).
 *
 * One watcher per lane sees every final journal entry once: an invocation
 * becomes a mark when its reply comes (one is in flight at a time, so the
 * latest invoke entry is still readable then), samples and pauses are
 * kept, records that fail are followed in a small open-addressed table.
 * Arrays that reach KDO_TIMELINE_MAX_MARKS are halved by merging
 * neighbours, so memory stays bounded however long the run and every
 * count stays exact.  Nothing here reads a clock or writes anything.
 */
#include "timeline.h"

#include "base/errors.h"
#include "delivery/contract.h"
#include "delivery/invocation.h"
#include "delivery/metrics.h"
#include "delivery/reply.h"

#include <stdlib.h>
#include <string.h>

#define RECORD_SLOTS (2 * KDO_TIMELINE_MAX_RECORDS)
#define EMPTY_SEQ UINT64_MAX

static const char *const outcome_names[KDO_TL_OUTCOMES] = {
    "ok", "partial", "failed", "timeout", "throttled", "transport", "pending",
};

const char *kdo_tl_outcome_name(enum kdo_tl_outcome o)
{
    return (unsigned)o < KDO_TL_OUTCOMES ? outcome_names[o] : "unknown";
}

struct kdo_timeline *kdo_timeline_new(void)
{
    return kdo_xcalloc(1, sizeof(struct kdo_timeline));
}

void kdo_timeline_free(struct kdo_timeline *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < KDO_TIMELINE_MAX_LANES; i++) {
        free(t->lanes[i].marks);
        free(t->lanes[i].samples);
        free(t->lanes[i].pauses);
        free(t->lanes[i].records);
        free(t->lanes[i].triggers);
        for (int m = 0; m < KDO_TL_METRICS; m++)
            free(t->lanes[i].bars[m]);
    }
    free(t);
}

/* ---- CloudWatch minutes ------------------------------------------------------ */

static const struct {
    enum kdo_metric metric;
    enum kdo_stat_kind stat;
    const char *title;
} charted[KDO_TL_METRICS] = {
    [KDO_TL_INPUT_RECORDS] = {KDO_METRIC_INPUT_RECORDS, KDO_STAT_SUM, "Records, Input (Sum)"},
    [KDO_TL_OK_RECORDS] = {KDO_METRIC_OK_RECORDS, KDO_STAT_SUM,
                           "LambdaDelivery.OkRecords (Sum)"},
    [KDO_TL_FAILED_RECORDS] = {KDO_METRIC_DELIVERY_FAILED_RECORDS, KDO_STAT_SUM,
                               "LambdaDelivery.DeliveryFailedRecords (Sum)"},
    [KDO_TL_DURATION] = {KDO_METRIC_DURATION, KDO_STAT_AVERAGE,
                         "LambdaDelivery.Duration (Average, ms)"},
    [KDO_TL_LAG] = {KDO_METRIC_MILLIS_BEHIND_LATEST, KDO_STAT_MAXIMUM,
                    "MillisBehindLatest (Maximum, ms)"},
};

const char *kdo_tl_metric_title(enum kdo_tl_metric m)
{
    return (unsigned)m < KDO_TL_METRICS ? charted[m].title : "?";
}

void kdo_timeline_metrics(struct kdo_timeline *t, size_t lane, const struct kdo_metrics *m)
{
    if (t == NULL || m == NULL || lane >= KDO_TIMELINE_MAX_LANES)
        return;
    struct kdo_tl_lane *l = &t->lanes[lane];
    static const size_t periods[] = {1, 5, 15, 60, 360, 1440, 10080};
    size_t n = kdo_metrics_minutes(m), p = 0;
    while (p + 1 < sizeof periods / sizeof periods[0] &&
           (n + periods[p] - 1) / periods[p] > KDO_TIMELINE_MAX_BARS)
        p++;
    l->period = periods[p];
    size_t bars = (n + l->period - 1) / l->period;
    l->nbars = bars < KDO_TIMELINE_MAX_BARS ? bars : KDO_TIMELINE_MAX_BARS;
    l->minutes_cut = n > l->nbars * l->period ? n - l->nbars * l->period : 0;
    for (int k = 0; k < KDO_TL_METRICS; k++) {
        free(l->bars[k]);
        l->bars[k] = kdo_xcalloc(l->nbars + 1, sizeof *l->bars[k]);
        for (size_t i = 0; i < l->nbars; i++) {
            struct kdo_stat st = kdo_metrics_range(m, charted[k].metric, i * l->period,
                                                   (i + 1) * l->period);
            l->bars[k][i] = kdo_stat_value(&st, charted[k].stat);
        }
    }
}

kdo_time_ns kdo_timeline_end(const struct kdo_timeline *t)
{
    kdo_time_ns end = KDO_S;
    for (size_t i = 0; i < t->nlanes; i++)
        end = t->lanes[i].end > end ? t->lanes[i].end : end;
    return end;
}

/* ---- marks ---------------------------------------------------------------- */

uint64_t kdo_tl_mark_total(const struct kdo_tl_mark *m)
{
    uint64_t n = 0;
    for (int o = 0; o < KDO_TL_OUTCOMES; o++)
        n += m->count[o];
    return n;
}

void kdo_tl_mark_merge(struct kdo_tl_mark *a, const struct kdo_tl_mark *b)
{
    for (int o = 0; o < KDO_TL_OUTCOMES; o++)
        a->count[o] += b->count[o];
    a->t0 = b->t0 < a->t0 ? b->t0 : a->t0;
    a->t1 = b->t1 > a->t1 ? b->t1 : a->t1;
    a->duration = b->duration > a->duration ? b->duration : a->duration;
    a->records += b->records;
    a->bytes += b->bytes;
    a->retries += b->retries;
    a->hint_min = b->hint_min < a->hint_min ? b->hint_min : a->hint_min;
    a->hint_max = b->hint_max > a->hint_max ? b->hint_max : a->hint_max;
}

size_t kdo_timeline_buckets(const struct kdo_tl_mark *in, size_t n, kdo_time_ns t0,
                            kdo_time_ns t1, size_t width, struct kdo_tl_mark *out)
{
    size_t nout = 0, last = SIZE_MAX;
    double span = t1 > t0 ? (double)(t1 - t0) : 1.0;
    for (size_t i = 0; i < n && width > 0; i++) {
        double x = (double)(in[i].t0 - t0) / span * (double)width;
        size_t b = x <= 0 ? 0 : x >= (double)(width - 1) ? width - 1 : (size_t)x;
        if (nout > 0 && b == last) {
            kdo_tl_mark_merge(&out[nout - 1], &in[i]);
        } else {
            out[nout++] = in[i];
            last = b;
        }
    }
    return nout;
}

/* Halves an array that reached its bound by merging neighbours in pairs. */
static size_t halve_marks(struct kdo_tl_mark *m, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i += 2, k++) {
        m[k] = m[i];
        if (i + 1 < n)
            kdo_tl_mark_merge(&m[k], &m[i + 1]);
    }
    return k;
}

static void push_mark(struct kdo_tl_lane *l, const struct kdo_tl_mark *m)
{
    if (l->marks == NULL)
        l->marks = kdo_xcalloc(KDO_TIMELINE_MAX_MARKS, sizeof *l->marks);
    if (l->nmarks == KDO_TIMELINE_MAX_MARKS) {
        l->nmarks = halve_marks(l->marks, l->nmarks);
        l->merged++;
    }
    l->marks[l->nmarks++] = *m;
}

/* ---- samples and pauses ---------------------------------------------------- */

static void push_sample(struct kdo_tl_lane *l, kdo_time_ns t, uint64_t rows, int64_t lag)
{
    if (l->samples == NULL)
        l->samples = kdo_xcalloc(KDO_TIMELINE_MAX_MARKS, sizeof *l->samples);
    if (l->nsamples == KDO_TIMELINE_MAX_MARKS) { /* keep the larger of each pair */
        size_t k = 0;
        for (size_t i = 0; i + 1 < l->nsamples; i += 2, k++) {
            struct kdo_tl_sample a = l->samples[i], b = l->samples[i + 1];
            l->samples[k] = (struct kdo_tl_sample){b.t, a.rows > b.rows ? a.rows : b.rows,
                                                   a.lag_ms > b.lag_ms ? a.lag_ms : b.lag_ms};
        }
        l->nsamples = k;
    }
    l->samples[l->nsamples++] = (struct kdo_tl_sample){t, rows, lag};
}

/* A window of a windowed lane sent rows at t (once per instant). */
static void trigger(struct kdo_tl_lane *l, kdo_time_ns t)
{
    if (!l->windowed || (l->ntriggers > 0 && l->triggers[l->ntriggers - 1] == t))
        return;
    if (l->ntriggers == KDO_TIMELINE_MAX_MARKS) {
        l->triggers_cut++;
        return;
    }
    if (l->triggers == NULL)
        l->triggers = kdo_xcalloc(KDO_TIMELINE_MAX_MARKS, sizeof *l->triggers);
    l->triggers[l->ntriggers++] = t;
}

void kdo_timeline_windowed(struct kdo_timeline *t, size_t lane)
{
    if (t != NULL && lane < KDO_TIMELINE_MAX_LANES)
        t->lanes[lane].windowed = 1;
}

static void pause_begin(struct kdo_tl_lane *l, kdo_time_ns t)
{
    if (l->pauses == NULL)
        l->pauses = kdo_xcalloc(KDO_TIMELINE_MAX_MARKS, sizeof *l->pauses);
    if (l->npauses == KDO_TIMELINE_MAX_MARKS) { /* neighbours become one shading */
        size_t k = 0;
        for (size_t i = 0; i + 1 < l->npauses; i += 2, k++) {
            l->pauses[k] = l->pauses[i];
            l->pauses[k].until = l->pauses[i + 1].until;
            l->pauses[k].n += l->pauses[i + 1].n;
        }
        l->npauses = k;
    }
    l->pauses[l->npauses++] = (struct kdo_tl_span){.from = t, .until = KDO_TIME_NEVER, .n = 1};
    l->pause_count++;
}

static void pause_end(struct kdo_tl_lane *l, kdo_time_ns t)
{
    if (l->npauses > 0 && l->pauses[l->npauses - 1].until == KDO_TIME_NEVER)
        l->pauses[l->npauses - 1].until = t;
}

static void add_span(struct kdo_tl_lane *l, enum kdo_tl_span_kind k, const struct kdo_tl_span *s)
{
    if (l->nspans == KDO_TIMELINE_MAX_SPANS)
        return; /* [choice] past 256 restarts, faults and fixes the picture shows the first */
    l->span_kind[l->nspans] = k;
    l->spans[l->nspans++] = *s;
}

/* A scenario's mark, on every lane: the rules answer for every destination. */
static void mark_every_lane(struct kdo_timeline *t, enum kdo_tl_span_kind kind,
                            kdo_time_ns from, kdo_time_ns until, const char *label)
{
    struct kdo_tl_span s = {.from = from, .until = until};
    snprintf(s.label, sizeof s.label, "%s", label ? label : "");
    for (size_t i = 0; i < KDO_TIMELINE_MAX_LANES; i++)
        add_span(&t->lanes[i], kind, &s);
}

void kdo_timeline_fault(struct kdo_timeline *t, kdo_time_ns from, kdo_time_ns until,
                        const char *label)
{
    mark_every_lane(t, KDO_TL_FAULT, from, until, label);
}

void kdo_timeline_fix(struct kdo_timeline *t, kdo_time_ns at, const char *label)
{
    mark_every_lane(t, KDO_TL_FIX, at, at, label);
}

/* ---- failed records --------------------------------------------------------- */

static struct kdo_tl_record *record_slot(struct kdo_tl_lane *l, uint64_t seq, int add)
{
    if (l->records == NULL) {
        if (!add)
            return NULL;
        l->records = kdo_xcalloc(RECORD_SLOTS, sizeof *l->records);
        for (size_t i = 0; i < RECORD_SLOTS; i++)
            l->records[i].seq = EMPTY_SEQ;
    }
    size_t h = (size_t)(seq * 0x9E3779B97F4A7C15ull >> 20) & (RECORD_SLOTS - 1);
    for (;; h = (h + 1) & (RECORD_SLOTS - 1)) {
        struct kdo_tl_record *r = &l->records[h];
        if (r->seq == seq)
            return r;
        if (r->seq != EMPTY_SEQ)
            continue;
        if (!add || l->nrecords == KDO_TIMELINE_MAX_RECORDS)
            return NULL; /* the table is at most half full, so probing ends */
        l->nrecords++;
        *r = (struct kdo_tl_record){.seq = seq, .ok_at = KDO_TIME_NEVER};
        return r;
    }
}

void kdo_timeline_sent(struct kdo_timeline *t, const char *dest,
                       const struct kdo_invocation *inv)
{
    struct kdo_tl_lane *l = NULL;
    for (size_t i = 0; t && i < t->nlanes && l == NULL; i++)
        if (strcmp(t->lanes[i].id, dest ? dest : "") == 0 || t->nlanes == 1)
            l = &t->lanes[i];
    if (l == NULL || l->records == NULL || l->nrecords == 0)
        return;
    size_t plen = strlen(l->prefix);
    for (size_t i = 0; i < inv->n; i++) {
        const struct kdo_str *id = &inv->ids[i];
        if (id->n <= plen || memcmp(id->p, l->prefix, plen) != 0)
            continue;
        uint64_t seq = 0;
        for (size_t k = plen; k < id->n && id->p[k] >= '0' && id->p[k] <= '9'; k++)
            seq = seq * 10 + (uint64_t)(id->p[k] - '0');
        struct kdo_tl_record *r = record_slot(l, seq, 0);
        if (r == NULL || r->row_len > 0)
            continue;
        size_t n = inv->data[i].n < KDO_TIMELINE_ROW_BYTES ? inv->data[i].n
                                                             : KDO_TIMELINE_ROW_BYTES;
        memcpy(r->row, inv->data[i].p, n);
        r->row[n] = '\0';
        r->row_len = (uint16_t)n;
        r->row_cut = inv->data[i].n > n;
    }
}

static void record_verdict(struct kdo_tl_lane *l, uint64_t seq, uint8_t v, kdo_time_ns t)
{
    struct kdo_tl_record *r = record_slot(l, seq, v != KDO_REASON_OK);
    if (r == NULL) {
        l->untracked += v != KDO_REASON_OK;
        return;
    }
    r->attempts++;
    if (v == KDO_REASON_OK) {
        r->ok_at = r->ok_at == KDO_TIME_NEVER ? t : r->ok_at;
        return;
    }
    if (r->failures++ == 0)
        r->first_fail = t;
    r->last_fail = t;
    r->mixed |= r->nreasons > 0 && r->reasons[0] != v;
    if (r->nreasons < KDO_TIMELINE_REASONS)
        r->reasons[r->nreasons++] = v;
}

static kdo_time_ns failing_for(const struct kdo_tl_record *r, kdo_time_ns end)
{
    return (r->ok_at == KDO_TIME_NEVER ? end : r->ok_at) - r->first_fail;
}

size_t kdo_timeline_worst_records(const struct kdo_tl_lane *l, const struct kdo_tl_record **out,
                                  size_t max, size_t *tied)
{
    if (tied)
        *tied = 0;
    if (l->records == NULL || max == 0)
        return 0;
    const struct kdo_tl_record **all = kdo_xcalloc(l->nrecords + 1, sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < RECORD_SLOTS; i++)
        if (l->records[i].seq != EMPTY_SEQ && l->records[i].failures > 0)
            all[n++] = &l->records[i];
    /* insertion sort: qsort has no context for the end, and n <= 4096 once per report */
    for (size_t i = 1; i < n; i++) {
        const struct kdo_tl_record *r = all[i];
        size_t k = i;
        while (k > 0 && (failing_for(all[k - 1], l->end) < failing_for(r, l->end) ||
                         (failing_for(all[k - 1], l->end) == failing_for(r, l->end) &&
                          all[k - 1]->seq > r->seq))) {
            all[k] = all[k - 1];
            k--;
        }
        all[k] = r;
    }
    size_t shown = n < max ? n : max;
    for (size_t i = 0; tied && shown > 0 && i < n; i++)
        *tied += failing_for(all[i], l->end) == failing_for(all[shown - 1], l->end);
    memcpy(out, all, shown * sizeof *out);
    free(all);
    return shown;
}

/* ---- the watcher ------------------------------------------------------------- */

static enum kdo_tl_outcome classify(const struct kdo_jentry *e)
{
    uint8_t whole = e->u.reply.whole;
    if (whole == KDO_REASON_ABANDONED)
        return KDO_TL_FAILED;
    if (e->u.reply.outcome == KDO_TRANSPORT_TIMEDOUT || whole == KDO_REASON_TRANSPORT_TIMEOUT ||
        whole == KDO_REASON_FUNCTION_TIMEOUT)
        return KDO_TL_TIMEOUT;
    if (e->u.reply.status == 429)
        return KDO_TL_THROTTLED;
    if (e->u.reply.outcome == KDO_TRANSPORT_FAILED || whole == KDO_REASON_TRANSPORT_ERROR)
        return KDO_TL_TRANSPORT;
    if (e->u.reply.failed == 0)
        return KDO_TL_OK;
    return e->u.reply.ok > 0 ? KDO_TL_PARTIAL : KDO_TL_FAILED;
}

static void flush_pending(struct kdo_tl_lane *l)
{
    if (!l->have_invoke)
        return;
    l->pending.count[KDO_TL_PENDING] = 1;
    push_mark(l, &l->pending);
    l->have_invoke = 0;
}

static void on_invoke(struct kdo_tl_lane *l, const struct kdo_journal *j,
                      const struct kdo_jentry *e, size_t i)
{
    const uint64_t *hints = kdo_journal_hints(j) + e->u.invoke.off;
    flush_pending(l); /* one in flight at a time: an unanswered one stays pending */
    l->invocations++;
    l->pending = (struct kdo_tl_mark){
        .t0 = e->t, .t1 = e->t, .records = e->u.invoke.n, .bytes = e->u.invoke.bytes,
        .retries = e->u.invoke.retry != 0, .hint_min = UINT64_MAX,
        .number = e->u.invoke.number, .reason = KDO_REASON_OK};
    for (size_t k = 0; k < e->u.invoke.n; k++) {
        l->pending.hint_min = hints[k] < l->pending.hint_min ? hints[k] : l->pending.hint_min;
        l->pending.hint_max = hints[k] > l->pending.hint_max ? hints[k] : l->pending.hint_max;
    }
    if (e->u.invoke.n == 0)
        l->pending.hint_min = 0;
    l->last_invoke = i;
    l->have_invoke = 1;
}

static void on_reply(struct kdo_tl_lane *l, const struct kdo_journal *j,
                     const struct kdo_jentry *e)
{
    const struct kdo_jentry *inv = l->have_invoke ? kdo_journal_at(j, l->last_invoke) : NULL;
    if (inv == NULL || inv->kind != KDO_J_INVOKE || inv->u.invoke.number != e->u.reply.number)
        return; /* not the one in flight: the checks say what went wrong */
    enum kdo_tl_outcome o = classify(e);
    l->pending.count[o] = 1;
    l->pending.duration = e->u.reply.duration;
    l->pending.reason = e->u.reply.whole;
    const uint64_t *seqs = kdo_journal_seqs(j) + inv->u.invoke.off;
    const uint8_t *v = kdo_journal_verdicts(j) + e->u.reply.off;
    for (size_t k = 0; k < e->u.reply.n && k < inv->u.invoke.n; k++)
        record_verdict(l, seqs[k], v[k], e->t);
    push_mark(l, &l->pending);
    l->have_invoke = 0;
}

static void on_entry(void *ctx, const struct kdo_journal *j, size_t i)
{
    struct kdo_tl_lane *l = ctx;
    const struct kdo_jentry *e = kdo_journal_at(j, i);
    if (e == NULL)
        return;
    l->end = e->t > l->end ? e->t : l->end;
    switch (e->kind) {
    case KDO_J_START:
        snprintf(l->prefix, sizeof l->prefix, "%s", kdo_journal_str(j, e->u.start.prefix));
        break;
    case KDO_J_INVOKE: on_invoke(l, j, e, i); break;
    case KDO_J_REPLY: on_reply(l, j, e); break;
    case KDO_J_SAMPLE: push_sample(l, e->t, e->u.sample.rows, e->u.sample.lag_ms); break;
    case KDO_J_ROWS_EMITTED: trigger(l, e->t); break;
    case KDO_J_PAUSE: pause_begin(l, e->t); break;
    case KDO_J_RESUME: pause_end(l, e->t); break;
    case KDO_J_RESTART:
        add_span(l, KDO_TL_RESTART, &(struct kdo_tl_span){
                     .from = e->t, .until = e->t + e->u.restart.downtime,
                     .n = e->u.restart.requeued});
        break;
    case KDO_J_END:
        pause_end(l, e->t);
        flush_pending(l);
        break;
    default: break;
    }
}

int kdo_timeline_watch(struct kdo_timeline *t, size_t lane, const char *id,
                       struct kdo_journal *j)
{
    if (lane >= KDO_TIMELINE_MAX_LANES)
        return KDO_EINVAL;
    struct kdo_tl_lane *l = &t->lanes[lane];
    snprintf(l->id, sizeof l->id, "%s", id ? id : "");
    t->nlanes = lane + 1 > t->nlanes ? lane + 1 : t->nlanes;
    return kdo_journal_watch(j, on_entry, l);
}

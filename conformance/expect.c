/*
 * expect.c -- the ledger and the other facts of a run, from its journal.
 *
 * One pass over the journal in order.  Per output row it tracks the
 * retryHint the contract requires next (0 when first sent or after a
 * restart, previous + 1 after a failed attempt), whether it was acknowledged,
 * and whether an attempt may have reached the function without an answer
 * (abandoned by a restart) -- which makes a later send a possible duplicate.
 * Everything the facts say comes from there; nothing reads engine state.
 * The pass is a watcher: it reads each entry once as the run appends it,
 * keeps per-row state only from the oldest row not yet acknowledged, and
 * copies the few entries a failed check will print, so a run of any length
 * is checked in memory bounded by what the engine itself holds.  The
 * facts' names and what each means: expect-facts.c.
 */
#include "expect.h"
#include "expect-int.h"

#include "base/buf.h"
#include "base/errors.h"
#include "delivery/contract.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per output row. */
struct rowstate {
    int64_t expect_hint; /* -1: never sent */
    kdo_time_ns emitted; /* when it entered the destination stream */
    uint32_t acks, sends;
    uint8_t maybe_delivered; /* the last attempt may have reached the function */
    uint8_t failing;         /* its last attempt failed and it waits for a retry */
};

/* The one pass over the journal.  Rows are tracked from the oldest one not
 * yet acknowledged (`lo`) to the newest emitted (`hi`), in a ring: rows
 * below `lo` were all acknowledged and only their counts remain, so the
 * ledger holds about what the engine's destination stream holds. */
struct pass {
    struct rowstate *ring;
    uint64_t lo, hi;      /* rows [lo, hi) are in the ring */
    size_t cap;           /* a power of two */
    struct rowstate retired; /* what a row below lo reads as */
    size_t last_invoke; /* journal index of the invoke awaiting its reply */
    uint64_t last_round, in_round; /* the current flush round, and its invocations so far */
    uint64_t failing;  /* rows whose last attempt failed, not yet retried */
    uint64_t unacked_end; /* rows the engine still held unacknowledged at the end */
    size_t last_reply;    /* journal index of the latest reply */
    kdo_time_ns last_flush, paused_since;
    int paused;
};

/* What a failed expectation prints of an entry: enough to recognise it. */
#define EVIDENCE_MAX 400

struct kdo_facts {
    const struct kdo_journal *j; /* the journal being read, during a pass */
    const struct kdo_metrics *m;
    double v[F_COUNT];
    size_t witness[F_COUNT];
    size_t context[F_COUNT]; /* an earlier entry that explains the witness, or SIZE_MAX */
    char shown[F_COUNT][EVIDENCE_MAX + 8];   /* the witness entry, as JSON, or ""... */
    struct kdo_jentry copy[F_COUNT];          /* ...a copy to format when asked */
    char context_shown[F_COUNT][EVIDENCE_MAX + 8];
    kdo_time_ns from, until; /* the period windowable facts count in */
    double ok_time_sum;
    struct pass p;
    struct kdo_buf scratch;
    int finished;
};

static const struct kdo_journal *journal_of(const struct kdo_facts *f)
{
    return f->j;
}

/* Copies entry `at`, cut to EVIDENCE_MAX bytes, into out. */
static void show(struct kdo_facts *f, size_t at, char out[EVIDENCE_MAX + 8])
{
    kdo_buf_reset(&f->scratch);
    kdo_journal_format_brief(journal_of(f), at, &f->scratch, EVIDENCE_MAX);
    size_t n = f->scratch.len;
    if (n > EVIDENCE_MAX) /* an invocation's recordIds: enough to recognise it */
        n = (size_t)snprintf(out, EVIDENCE_MAX + 8, "%.*s ...", EVIDENCE_MAX, f->scratch.data);
    else
        memcpy(out, f->scratch.data ? f->scratch.data : "", n), out[n] = '\0';
}

/* Witnesses change often (every sample may set a new lag); those that point
 * at nothing else are copied and formatted only when asked for. */
static void set_witness(struct kdo_facts *f, enum fact k, size_t at)
{
    const struct kdo_jentry *e = kdo_journal_at(journal_of(f), at);
    f->witness[k] = at;
    f->shown[k][0] = '\0';
    f->copy[k].kind = KDO_J_START; /* no copy */
    if (e && kdo_jentry_plain(e))
        f->copy[k] = *e;
    else
        show(f, at, f->shown[k]);
}

/* Whether entry `at` counts for fact k: always, unless k is restricted to a
 * period the entry is outside of. */
static int counts(const struct kdo_facts *f, enum fact k, size_t at)
{
    if (k >= F_REASON_BASE || kdo__fact_windowable[k]) {
        kdo_time_ns t = kdo_journal_at(journal_of(f), at)->t;
        return t >= f->from && t < f->until;
    }
    return 1;
}

static void note(struct kdo_facts *f, enum fact k, double v, size_t at)
{
    if (!counts(f, k, at))
        return;
    if (f->witness[k] == SIZE_MAX)
        set_witness(f, k, at);
    f->v[k] += v;
}

static void note_max(struct kdo_facts *f, enum fact k, double v, size_t at)
{
    if (!counts(f, k, at))
        return;
    if (f->witness[k] == SIZE_MAX || v > f->v[k]) {
        f->v[k] = v;
        set_witness(f, k, at);
    }
}

static void note_min(struct kdo_facts *f, enum fact k, double v, size_t at)
{
    if (!counts(f, k, at))
        return;
    if (f->witness[k] == SIZE_MAX || v < f->v[k]) {
        f->v[k] = v;
        set_witness(f, k, at);
    }
}

/* A violation: the witness, and the reply that set up what it broke. */
static void note_violation(struct kdo_facts *f, enum fact k, size_t at)
{
    if (f->witness[k] == SIZE_MAX && counts(f, k, at)) {
        f->context[k] = f->p.last_reply;
        if (f->p.last_reply != SIZE_MAX)
            show(f, f->p.last_reply, f->context_shown[k]);
    }
    note(f, k, 1, at);
}

static void retire(struct kdo_facts *f, const struct rowstate *r)
{
    if (r->sends > f->v[F_MAX_ATTEMPTS])
        f->v[F_MAX_ATTEMPTS] = r->sends;
}

static void ring_grow(struct pass *p)
{
    size_t cap = p->cap ? 2 * p->cap : 1024;
    struct rowstate *ring = kdo_xcalloc(cap, sizeof *ring);
    for (uint64_t s = p->lo; s < p->hi; s++)
        ring[s & (cap - 1)] = p->ring[s & (p->cap - 1)];
    free(p->ring);
    p->ring = ring;
    p->cap = cap;
}

/* Row seq's state; a row already retired reads as acknowledged (and what is
 * done to it is forgotten: it can only be a violation). */
static struct rowstate *row(struct pass *p, uint64_t seq)
{
    if (seq < p->lo) {
        p->retired = (struct rowstate){.expect_hint = -2, .acks = 1, .maybe_delivered = 1};
        return &p->retired;
    }
    while (seq >= p->hi) {
        if (p->hi - p->lo == p->cap)
            ring_grow(p);
        p->ring[p->hi++ & (p->cap - 1)] = (struct rowstate){.expect_hint = -1};
    }
    return &p->ring[seq & (p->cap - 1)];
}

/* Retires the acknowledged rows at the front of the ledger. */
static void settle(struct kdo_facts *f)
{
    struct pass *p = &f->p;
    while (p->lo < p->hi && p->ring[p->lo & (p->cap - 1)].acks > 0)
        retire(f, &p->ring[p->lo++ & (p->cap - 1)]);
}

/* Returns 1 if e starts a new round (a flush of new rows, or a retry). */
static int on_flush(struct kdo_facts *f, const struct kdo_jentry *e, size_t at)
{
    struct pass *p = &f->p;
    if (e->u.invoke.round == p->last_round) { /* the same flush, split */
        if (++p->in_round == 2 && !e->u.invoke.retry)
            note(f, F_SPLIT_FLUSHES, 1, at);
        return 0;
    }
    p->last_round = e->u.invoke.round;
    p->in_round = 1;
    if (e->u.invoke.retry)
        return 1;
    if (f->v[F_FLUSHES] > 0) {
        double gap = (double)((e->t - p->last_flush) / KDO_MS);
        note_min(f, F_FLUSH_INTERVAL_MIN, gap, at);
        note_max(f, F_FLUSH_INTERVAL_MAX, gap, at);
    }
    p->last_flush = e->t;
    note(f, F_FLUSHES, 1, at);
    return 1;
}

static void on_invoke(struct kdo_facts *f, const struct kdo_journal *j, const struct kdo_jentry *e,
                      size_t at)
{
    struct pass *p = &f->p;
    const uint64_t *seqs = kdo_journal_seqs(j) + e->u.invoke.off;
    const uint64_t *hints = kdo_journal_hints(j) + e->u.invoke.off;
    /* A new round while rows fail may only resend those rows (head-of-line). */
    int new_round = on_flush(f, e, at), blocked = new_round && p->failing > 0;
    note(f, F_INVOCATIONS, 1, at);
    if (e->u.invoke.retry)
        note(f, F_RETRY_INVOCATIONS, 1, at);
    note_max(f, F_MAX_EVENT_BYTES, (double)e->u.invoke.bytes, at);
    note_max(f, F_MAX_RECORDS, (double)e->u.invoke.n, at);
    for (size_t i = 0; i < e->u.invoke.n; i++) {
        struct rowstate *r = row(p, seqs[i]);
        int64_t want = r->expect_hint < 0 ? 0 : r->expect_hint;
        r->sends++;
        if (r->acks > 0)
            note_violation(f, F_OK_RESENT, at);
        else if ((int64_t)hints[i] != want)
            note_violation(f, F_HINT_ERRORS, at);
        if ((blocked || e->u.invoke.retry) && r->expect_hint == -1)
            note_violation(f, F_HEAD_OF_LINE, at);
        if (r->maybe_delivered)
            note(f, F_DUPLICATES, 1, at);
        r->maybe_delivered = 0;
        if (r->failing) {
            r->failing = 0;
            p->failing--;
        }
        note_max(f, F_MAX_HINT, (double)hints[i], at);
        r->expect_hint = (int64_t)hints[i]; /* until the reply says more */
    }
    p->last_invoke = at;
}

static void on_reply(struct kdo_facts *f, const struct kdo_journal *j, const struct kdo_jentry *e,
                     size_t at)
{
    struct pass *p = &f->p;
    const struct kdo_jentry *inv = kdo_journal_at(j, p->last_invoke);
    if (inv == NULL || inv->kind != KDO_J_INVOKE || inv->u.invoke.n != e->u.reply.n) {
        /* A reply the ledger cannot match (an engine bug): its rows will show
         * as lost, and this reply is what explains it. */
        if (f->context[F_LOST] == SIZE_MAX) {
            f->context[F_LOST] = at;
            show(f, at, f->context_shown[F_LOST]);
        }
        return;
    }
    const uint64_t *seqs = kdo_journal_seqs(j) + inv->u.invoke.off;
    const uint8_t *v = kdo_journal_verdicts(j) + e->u.reply.off;
    if (e->u.reply.failed > 0)
        note(f, F_FAILED_INVOCATIONS, 1, at);
    for (size_t i = 0; i < e->u.reply.n; i++) {
        struct rowstate *r = row(p, seqs[i]);
        if (v[i] == KDO_REASON_OK) {
            if (r->acks++ > 0) {
                note(f, F_ACKED_TWICE, 1, at);
            } else {
                double ms = (double)((e->t - r->emitted) / KDO_MS);
                note(f, F_ROWS_DELIVERED, 1, at);
                note_max(f, F_TIME_TO_OK_MAX, ms, at);
                f->ok_time_sum += ms;
            }
            r->maybe_delivered = 1;
        } else if (v[i] == KDO_REASON_ABANDONED) {
            r->maybe_delivered = 1;
            r->expect_hint = -2;
        } else {
            r->expect_hint++;
            r->failing = 1;
            p->failing++;
            /* The function may have acted on the record before the reply was
             * lost, cut short or refused as a whole. */
            r->maybe_delivered = v[i] >= KDO_REASON_BAD_BODY;
        }
        if (v[i] != KDO_REASON_OK && v[i] < KDO_REASON_COUNT)
            note(f, (enum fact)(F_REASON_BASE + v[i]), 1, at);
    }
}

static void on_restart(struct kdo_facts *f, size_t at)
{
    struct pass *p = &f->p;
    /* After a restart every unacknowledged row starts again at retryHint 0. */
    for (uint64_t s = p->lo; s < p->hi; s++) {
        struct rowstate *r = &p->ring[s & (p->cap - 1)];
        if (r->acks == 0 && r->expect_hint >= 0)
            r->expect_hint = -2; /* sent before; next send must be 0 */
        r->failing = 0; /* all are queued again, in order */
    }
    p->failing = 0;
    note(f, F_RESTARTS, 1, at);
}

static void on_sample(struct kdo_facts *f, const struct kdo_jentry *e, size_t at)
{
    note_max(f, F_MAX_LAG, (double)e->u.sample.lag_ms, at);
    note_min(f, F_MIN_LAG, (double)e->u.sample.lag_ms, at);
    note_max(f, F_BUFFER_MAX, (double)e->u.sample.rows, at);
    if (counts(f, F_FINAL_LAG, at)) {
        f->v[F_FINAL_LAG] = (double)e->u.sample.lag_ms;
        set_witness(f, F_FINAL_LAG, at);
    }
    if (e->u.sample.lag_ms > 0) {
        f->v[F_LAST_LAG] = (double)e->t / 1e9;
        set_witness(f, F_LAST_LAG, at);
    }
}

static void on_pause(struct kdo_facts *f, const struct kdo_jentry *e, size_t at, int paused)
{
    struct pass *p = &f->p;
    if (paused) {
        note(f, F_PAUSES, 1, at);
        p->paused_since = e->t;
    } else if (p->paused) {
        note(f, F_PAUSED_MS, (double)((e->t - p->paused_since) / KDO_MS), at);
    }
    p->paused = paused;
}

static void on_entry(void *ctx, const struct kdo_journal *j, size_t i)
{
    struct kdo_facts *f = ctx;
    struct pass *p = &f->p;
    const struct kdo_jentry *e = kdo_journal_at(j, i);
    if (e == NULL || f->finished)
        return;
    f->j = j;
    switch (e->kind) {
    case KDO_J_ROWS_READ:
        note(f, F_ROWS_READ, (double)e->u.rows.count, i);
        break;
    case KDO_J_ROWS_EMITTED:
        note(f, F_ROWS_EMITTED, (double)e->u.rows.count, i);
        for (uint64_t k = 0; k < e->u.rows.count; k++)
            row(p, e->u.rows.first + k)->emitted = e->t;
        break;
    case KDO_J_INVOKE:
        on_invoke(f, j, e, i);
        break;
    case KDO_J_REPLY:
        on_reply(f, j, e, i);
        p->last_reply = i;
        settle(f);
        break;
    case KDO_J_SAMPLE:
        on_sample(f, e, i);
        break;
    case KDO_J_PAUSE:
    case KDO_J_RESUME:
        on_pause(f, e, i, e->kind == KDO_J_PAUSE);
        break;
    case KDO_J_RESTART:
        on_restart(f, i);
        break;
    case KDO_J_ERROR_ROW:
        note(f, F_ERROR_ROWS, 1, i);
        break;
    case KDO_J_END:
        if (p->paused)
            on_pause(f, e, i, 0);
        p->unacked_end = e->u.sample.rows;
        set_witness(f, F_UNDELIVERED, i);
        f->v[F_END_S] = (double)e->t / 1e9;
        set_witness(f, F_END_S, i);
        break;
    default:
        break;
    }
}

static struct kdo_facts *facts_new(kdo_time_ns from, kdo_time_ns until)
{
    struct kdo_facts *f = kdo_xcalloc(1, sizeof *f);
    f->p = (struct pass){.last_invoke = SIZE_MAX, .last_reply = SIZE_MAX};
    f->from = from;
    f->until = until;
    kdo_buf_init(&f->scratch, SIZE_MAX / 2);
    for (int k = 0; k < F_COUNT; k++)
        f->witness[k] = f->context[k] = SIZE_MAX;
    return f;
}

struct kdo_facts *kdo_facts_watch(struct kdo_journal *j, kdo_time_ns from, kdo_time_ns until)
{
    struct kdo_facts *f = facts_new(from, until);
    if (kdo_journal_watch(j, on_entry, f) != 0) {
        kdo_facts_free(f);
        return NULL;
    }
    return f;
}

void kdo_facts_finish(struct kdo_facts *f, const struct kdo_metrics *m)
{
    struct pass *p = &f->p;
    if (f->finished)
        return;
    f->finished = 1;
    f->m = m;
    for (uint64_t s = p->lo; s < p->hi; s++)
        retire(f, &p->ring[s & (p->cap - 1)]);
    if (f->v[F_ROWS_DELIVERED] > 0)
        f->v[F_TIME_TO_OK_AVG] = f->ok_time_sum / f->v[F_ROWS_DELIVERED];
    f->witness[F_TIME_TO_OK_AVG] = f->witness[F_TIME_TO_OK_MAX];
    memcpy(f->shown[F_TIME_TO_OK_AVG], f->shown[F_TIME_TO_OK_MAX], sizeof f->shown[0]);
    f->copy[F_TIME_TO_OK_AVG] = f->copy[F_TIME_TO_OK_MAX];
    /* The ledger says which rows were never acknowledged; the engine says
     * which it still holds.  Any difference was lost on the way. */
    f->v[F_UNDELIVERED] = f->v[F_ROWS_EMITTED] - f->v[F_ROWS_DELIVERED];
    f->v[F_LOST] = f->v[F_UNDELIVERED] - (double)p->unacked_end;
    f->witness[F_LOST] = f->witness[F_UNDELIVERED];
    memcpy(f->shown[F_LOST], f->shown[F_UNDELIVERED], sizeof f->shown[0]);
    f->copy[F_LOST] = f->copy[F_UNDELIVERED];
    free(p->ring);
    p->ring = NULL;
    kdo_buf_cleanup(&f->scratch);
    kdo_buf_init(&f->scratch, 0);
    f->j = NULL;
}

struct kdo_facts *kdo_facts_new(const struct kdo_journal *j, const struct kdo_metrics *m)
{
    return kdo_facts_new_window(j, m, INT64_MIN, KDO_TIME_NEVER);
}

struct kdo_facts *kdo_facts_new_window(const struct kdo_journal *j, const struct kdo_metrics *m,
                                       kdo_time_ns from, kdo_time_ns until)
{
    struct kdo_facts *f = facts_new(from, until);
    for (size_t i = 0; i < kdo_journal_count(j); i++)
        on_entry(f, j, i);
    kdo_facts_finish(f, m);
    return f;
}

void kdo_facts_free(struct kdo_facts *f)
{
    if (f == NULL)
        return;
    free(f->p.ring);
    kdo_buf_cleanup(&f->scratch);
    free(f);
}


/* "metric:<Name>[:<Flow>]:<Stat>" over the run, or over the minutes f's
 * period touches. */
static int metric_fact(const struct kdo_facts *f, const char *name, double *value)
{
    int metric, stat, rc = kdo__metric_fact_parse(name, &metric, &stat);
    if (rc != 0)
        return rc;
    const struct kdo_metrics *m = f->m;
    if (m == NULL)
        return 0;
    if (f->from == INT64_MIN && f->until == KDO_TIME_NEVER) {
        *value = kdo_stat_value(kdo_metrics_total(m, (enum kdo_metric)metric), (enum kdo_stat_kind)stat);
        return 0;
    }
    /* A period counts the minutes it touches, as CloudWatch's 1-minute data does. */
    size_t first = f->from <= 0 ? 0 : (size_t)(f->from / KDO_MIN);
    size_t last = f->until == KDO_TIME_NEVER ? SIZE_MAX : (size_t)((f->until + KDO_MIN - 1) / KDO_MIN);
    struct kdo_stat s = kdo_metrics_range(m, (enum kdo_metric)metric, first, last);
    *value = kdo_stat_value(&s, (enum kdo_stat_kind)stat);
    return 0;
}

void kdo_facts_add_failures(const struct kdo_facts *f, uint64_t *out)
{
    for (int r = 1; r < KDO_REASON_COUNT; r++) /* 0 is Ok */
        out[r] += (uint64_t)f->v[F_REASON_BASE + r];
}

/* The evidence a failed expectation prints: the entry that explains the
 * fact's witness (when there is one), then the witness. */
char *kdo_facts_evidence(const struct kdo_facts *f, const char *name)
{
    int k = kdo__fact_index(name);
    if (k < 0 || f->witness[k] == SIZE_MAX)
        return NULL;
    const char *ctx = f->context[k] != SIZE_MAX ? f->context_shown[k] : "";
    struct kdo_buf b;
    kdo_buf_init(&b, SIZE_MAX / 2);
    kdo_buf_printf(&b, "%s%s", ctx, *ctx ? "\n" : "");
    if (kdo_journal_format_plain(&f->copy[k], &b) != 0)
        kdo_buf_puts(&b, f->shown[k]);
    return b.data;
}

int kdo_facts_context(const struct kdo_facts *f, const char *name)
{
    int k = kdo__fact_index(name);
    return k < 0 || f->context[k] == SIZE_MAX ? -1 : (int)f->context[k];
}

int kdo_facts_get(const struct kdo_facts *f, const char *name, double *value, size_t *witness)
{
    int k = kdo__fact_index(name);
    if (witness)
        *witness = SIZE_MAX;
    if (k < 0)
        return metric_fact(f, name, value);
    *value = f->v[k];
    if (witness)
        *witness = f->witness[k];
    return 0;
}

void kdo_facts_print(const struct kdo_facts *f, FILE *out)
{
    for (int k = 0; k < F_REASON_BASE; k++)
        fprintf(out, "      %-30s %.15g\n", kdo__fact_names[k], f->v[k]);
    for (int r = 1; r < KDO_REASON_COUNT; r++)
        if (f->v[F_REASON_BASE + r] != 0)
            fprintf(out, "      failures.%-21s %.15g\n", kdo_reason_name((enum kdo_reason)r),
                    f->v[F_REASON_BASE + r]);
}

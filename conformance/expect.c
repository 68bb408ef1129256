/*
 * expect.c -- the ledger and the other facts of a run, from its journal.
 *
 * One pass over the journal in order.  Per output row it tracks the
 * retryHint the contract requires next (0 when first sent or after a
 * restart, previous + 1 after a failed attempt), whether it was acknowledged,
 * and whether an attempt may have reached the function without an answer
 * (abandoned by a restart) -- which makes a later send a possible duplicate.
 * Everything the facts say comes from there; nothing reads engine state.
 */
#include "expect.h"

#include "contract.h"
#include "errors.h"
#include "suggest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* X(enum, name, explanation) */
#define FACT_MAP(X)                                                                                \
    X(ROWS_READ, "rows_read", "source rows read by the application")                              \
    X(ROWS_EMITTED, "rows_emitted", "output rows that entered the destination stream")            \
    X(ROWS_DELIVERED, "rows_delivered", "distinct output rows acknowledged Ok")                   \
    X(LOST, "lost", "output rows neither delivered nor still held by the engine at the end (must be 0)") \
    X(UNDELIVERED, "undelivered", "output rows never acknowledged Ok by the end of the run")     \
    X(DUPLICATES, "duplicates", "rows sent again after an attempt that may have reached the function (Ok, timed out, errored, abandoned)") \
    X(ACKED_TWICE, "acked_twice", "rows acknowledged Ok more than once")                         \
    X(OK_RESENT, "ok_resent", "sends of a row already acknowledged Ok (must be 0)")              \
    X(HINT_ERRORS, "retry_hint_errors", "sends whose retryHint is not 0 on first send/after a restart, or previous + 1 after a failure") \
    X(MAX_HINT, "max_retry_hint", "highest retryHint sent")                                      \
    X(HEAD_OF_LINE, "head_of_line_violations", "rows first sent while earlier rows were failing, instead of waiting behind them (must be 0)") \
    X(INVOCATIONS, "invocations", "invocations sent")                                             \
    X(RETRY_INVOCATIONS, "retry_invocations", "invocations that resend failed records")          \
    X(FAILED_INVOCATIONS, "failed_invocations", "invocations with at least one failed record")   \
    X(FLUSHES, "flushes", "flushes of new rows (a flush may take several invocations)")          \
    X(SPLIT_FLUSHES, "split_flushes", "flushes that needed more than one invocation (6 MB split)") \
    X(FLUSH_INTERVAL_MIN, "flush_interval_min_ms", "shortest time between two consecutive flushes") \
    X(FLUSH_INTERVAL_MAX, "flush_interval_max_ms", "longest time between two consecutive flushes") \
    X(MAX_EVENT_BYTES, "max_event_bytes", "largest encoded event sent (limit 6291456)")           \
    X(MAX_RECORDS, "max_records_per_invocation", "most records in one invocation")                \
    X(MAX_LAG, "max_lag_ms", "highest MillisBehindLatest sampled")                                \
    X(FINAL_LAG, "final_lag_ms", "MillisBehindLatest at the last sample")                         \
    X(PAUSES, "source_pauses", "times the application stopped reading because the destination stream was full") \
    X(PAUSED_MS, "source_paused_ms", "total time the source was not read because of backpressure") \
    X(BUFFER_MAX, "buffer_max_rows", "highest destination stream depth sampled (rows)")           \
    X(RESTARTS, "restarts", "application restarts")                                               \
    X(END_S, "end_s", "virtual time at which the run ended, in seconds")

enum fact {
#define FACT_ENUM(e, name, text) F_##e,
    FACT_MAP(FACT_ENUM)
#undef FACT_ENUM
    F_REASON_BASE, /* failures.<reason>, one per enum kdo_reason */
    F_COUNT = F_REASON_BASE + KDO_REASON_COUNT
};

static const char *const fact_names[] = {
#define FACT_NAME(e, name, text) name,
    FACT_MAP(FACT_NAME)
#undef FACT_NAME
};

static const char *const fact_texts[] = {
#define FACT_TEXT(e, name, text) text,
    FACT_MAP(FACT_TEXT)
#undef FACT_TEXT
};

const struct kdo_expectation kdo_default_expectations[] = {
    {"lost", 0, 0, 0, 0},
    {"ok_resent", 0, 0, 0, 0},
    {"retry_hint_errors", 0, 0, 0, 0},
    {"head_of_line_violations", 0, 0, 0, 0},
    {"max_event_bytes", 0, 6291456, 0, 0},
};
const size_t kdo_default_expectations_count =
    sizeof kdo_default_expectations / sizeof kdo_default_expectations[0];

struct kdo_facts {
    const struct kdo_journal *j;
    const struct kdo_metrics *m;
    double v[F_COUNT];
    size_t witness[F_COUNT];
};

/* Per output row. */
struct rowstate {
    int64_t expect_hint; /* -1: never sent */
    uint32_t acks;
    uint8_t maybe_delivered; /* the last attempt may have reached the function */
    uint8_t failing;         /* its last attempt failed and it waits for a retry */
};

struct pass {
    struct kdo_facts *f;
    struct rowstate *rows;
    size_t nrows;
    size_t last_invoke; /* journal index of the invoke awaiting its reply */
    uint64_t last_round, in_round; /* the current flush round, and its invocations so far */
    uint64_t failing;  /* rows whose last attempt failed, not yet retried */
    uint64_t unacked_end; /* rows the engine still held unacknowledged at the end */
    kdo_time_ns last_flush, paused_since;
    int paused;
};

static void note(struct kdo_facts *f, enum fact k, double v, size_t at)
{
    if (f->witness[k] == SIZE_MAX)
        f->witness[k] = at;
    f->v[k] += v;
}

static void note_max(struct kdo_facts *f, enum fact k, double v, size_t at)
{
    if (f->witness[k] == SIZE_MAX || v > f->v[k]) {
        f->v[k] = v;
        f->witness[k] = at;
    }
}

static struct rowstate *row(struct pass *p, uint64_t seq)
{
    if (seq >= p->nrows) {
        size_t n = p->nrows ? p->nrows : 1024;
        while (n <= seq)
            n *= 2;
        p->rows = kdo_xrealloc(p->rows, n * sizeof *p->rows);
        for (size_t i = p->nrows; i < n; i++)
            p->rows[i] = (struct rowstate){.expect_hint = -1};
        p->nrows = n;
    }
    return &p->rows[seq];
}

/* Returns 1 if e starts a new round (a flush of new rows, or a retry). */
static int on_flush(struct pass *p, const struct kdo_jentry *e, size_t at)
{
    struct kdo_facts *f = p->f;
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
        if (f->witness[F_FLUSH_INTERVAL_MIN] == SIZE_MAX || gap < f->v[F_FLUSH_INTERVAL_MIN]) {
            f->v[F_FLUSH_INTERVAL_MIN] = gap;
            f->witness[F_FLUSH_INTERVAL_MIN] = at;
        }
        note_max(f, F_FLUSH_INTERVAL_MAX, gap, at);
    }
    p->last_flush = e->t;
    note(f, F_FLUSHES, 1, at);
    return 1;
}

static void on_invoke(struct pass *p, const struct kdo_journal *j, const struct kdo_jentry *e,
                      size_t at)
{
    struct kdo_facts *f = p->f;
    const uint64_t *seqs = kdo_journal_seqs(j) + e->u.invoke.off;
    const uint64_t *hints = kdo_journal_hints(j) + e->u.invoke.off;
    /* A new round while rows fail may only resend those rows (head-of-line). */
    int new_round = on_flush(p, e, at), blocked = new_round && p->failing > 0;
    note(f, F_INVOCATIONS, 1, at);
    if (e->u.invoke.retry)
        note(f, F_RETRY_INVOCATIONS, 1, at);
    note_max(f, F_MAX_EVENT_BYTES, (double)e->u.invoke.bytes, at);
    note_max(f, F_MAX_RECORDS, (double)e->u.invoke.n, at);
    for (size_t i = 0; i < e->u.invoke.n; i++) {
        struct rowstate *r = row(p, seqs[i]);
        int64_t want = r->expect_hint < 0 ? 0 : r->expect_hint;
        if (r->acks > 0)
            note(f, F_OK_RESENT, 1, at);
        else if ((int64_t)hints[i] != want)
            note(f, F_HINT_ERRORS, 1, at);
        if ((blocked || e->u.invoke.retry) && r->expect_hint == -1)
            note(f, F_HEAD_OF_LINE, 1, at);
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

static void on_reply(struct pass *p, const struct kdo_journal *j, const struct kdo_jentry *e,
                     size_t at)
{
    struct kdo_facts *f = p->f;
    const struct kdo_jentry *inv = kdo_journal_at(j, p->last_invoke);
    if (inv == NULL || inv->kind != KDO_J_INVOKE || inv->u.invoke.n != e->u.reply.n)
        return;
    const uint64_t *seqs = kdo_journal_seqs(j) + inv->u.invoke.off;
    const uint8_t *v = kdo_journal_verdicts(j) + e->u.reply.off;
    if (e->u.reply.failed > 0)
        note(f, F_FAILED_INVOCATIONS, 1, at);
    for (size_t i = 0; i < e->u.reply.n; i++) {
        struct rowstate *r = row(p, seqs[i]);
        if (v[i] == KDO_REASON_OK) {
            if (r->acks++ > 0)
                note(f, F_ACKED_TWICE, 1, at);
            else
                note(f, F_ROWS_DELIVERED, 1, at);
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

static void on_restart(struct pass *p, size_t at)
{
    /* After a restart every unacknowledged row starts again at retryHint 0. */
    for (size_t i = 0; i < p->nrows; i++) {
        if (p->rows[i].acks == 0 && p->rows[i].expect_hint >= 0)
            p->rows[i].expect_hint = -2; /* sent before; next send must be 0 */
        p->rows[i].failing = 0; /* all are queued again, in order */
    }
    p->failing = 0;
    note(p->f, F_RESTARTS, 1, at);
}

static void on_sample(struct pass *p, const struct kdo_jentry *e, size_t at)
{
    note_max(p->f, F_MAX_LAG, (double)e->u.sample.lag_ms, at);
    note_max(p->f, F_BUFFER_MAX, (double)e->u.sample.rows, at);
    p->f->v[F_FINAL_LAG] = (double)e->u.sample.lag_ms;
    p->f->witness[F_FINAL_LAG] = at;
}

static void on_pause(struct pass *p, const struct kdo_jentry *e, size_t at, int paused)
{
    if (paused) {
        note(p->f, F_PAUSES, 1, at);
        p->paused_since = e->t;
    } else if (p->paused) {
        note(p->f, F_PAUSED_MS, (double)((e->t - p->paused_since) / KDO_MS), at);
    }
    p->paused = paused;
}

static void on_entry(struct pass *p, const struct kdo_journal *j, size_t i)
{
    const struct kdo_jentry *e = kdo_journal_at(j, i);
    struct kdo_facts *f = p->f;
    switch (e->kind) {
    case KDO_J_ROWS_READ:
        note(f, F_ROWS_READ, (double)e->u.rows.count, i);
        break;
    case KDO_J_ROWS_EMITTED:
        note(f, F_ROWS_EMITTED, (double)e->u.rows.count, i);
        if (e->u.rows.count > 0)
            row(p, e->u.rows.first + e->u.rows.count - 1);
        break;
    case KDO_J_INVOKE:
        on_invoke(p, j, e, i);
        break;
    case KDO_J_REPLY:
        on_reply(p, j, e, i);
        break;
    case KDO_J_SAMPLE:
        on_sample(p, e, i);
        break;
    case KDO_J_PAUSE:
    case KDO_J_RESUME:
        on_pause(p, e, i, e->kind == KDO_J_PAUSE);
        break;
    case KDO_J_RESTART:
        on_restart(p, i);
        break;
    case KDO_J_END:
        if (p->paused)
            on_pause(p, e, i, 0);
        p->unacked_end = e->u.sample.rows;
        f->witness[F_UNDELIVERED] = i;
        f->v[F_END_S] = (double)e->t / 1e9;
        f->witness[F_END_S] = i;
        break;
    default:
        break;
    }
}

struct kdo_facts *kdo_facts_new(const struct kdo_journal *j, const struct kdo_metrics *m)
{
    struct kdo_facts *f = kdo_xcalloc(1, sizeof *f);
    struct pass p = {.f = f, .last_invoke = SIZE_MAX, .last_round = 0};
    f->j = j;
    f->m = m;
    for (int k = 0; k < F_COUNT; k++)
        f->witness[k] = SIZE_MAX;
    for (size_t i = 0; i < kdo_journal_count(j); i++)
        on_entry(&p, j, i);
    /* The ledger says which rows were never acknowledged; the engine says
     * which it still holds.  Any difference was lost on the way. */
    f->v[F_UNDELIVERED] = f->v[F_ROWS_EMITTED] - f->v[F_ROWS_DELIVERED];
    f->v[F_LOST] = f->v[F_UNDELIVERED] - (double)p.unacked_end;
    f->witness[F_LOST] = f->witness[F_UNDELIVERED];
    free(p.rows);
    return f;
}

void kdo_facts_free(struct kdo_facts *f)
{
    free(f);
}

/* "metric:<Name>[:<Flow>]:<Stat>" */
static int metric_fact(const struct kdo_metrics *m, const char *name, double *value)
{
    char buf[128], *parts[4];
    int n = 0;
    if (strncmp(name, "metric:", 7) != 0 || strlen(name) >= sizeof buf)
        return KDO_EINVAL;
    strcpy(buf, name + 7);
    for (char *s = buf, *tok; n < 4 && (tok = strsep(&s, ":")) != NULL;)
        parts[n++] = tok;
    if (n < 2 || n > 3)
        return KDO_EINVAL;
    int metric = kdo_metric_from_name(parts[0], n == 3 ? parts[1] : NULL);
    int stat = kdo_stat_from_name(parts[n - 1]);
    if (metric < 0 || stat < 0)
        return KDO_EINVAL;
    if (m)
        *value = kdo_stat_value(kdo_metrics_total(m, (enum kdo_metric)metric), (enum kdo_stat_kind)stat);
    return 0;
}

static int fact_index(const char *name)
{
    for (int k = 0; k < F_REASON_BASE; k++)
        if (strcmp(fact_names[k], name) == 0)
            return k;
    if (strncmp(name, "failures.", 9) == 0) {
        int r = kdo_reason_from_name(name + 9);
        if (r > 0)
            return F_REASON_BASE + r;
    }
    return -1;
}

int kdo_facts_get(const struct kdo_facts *f, const char *name, double *value, size_t *witness)
{
    int k = fact_index(name);
    if (witness)
        *witness = SIZE_MAX;
    if (k < 0)
        return metric_fact(f->m, name, value);
    *value = f->v[k];
    if (witness)
        *witness = f->witness[k];
    return 0;
}

int kdo_fact_known(const char *name)
{
    double v;
    return fact_index(name) >= 0 || metric_fact(NULL, name, &v) == 0;
}

const char *kdo_fact_suggest(const char *name)
{
    static char names[F_COUNT][96];
    static const char *list[F_COUNT + 1];
    size_t n = 0;
    for (int k = 0; k < F_COUNT; k++) {
        if (k < F_REASON_BASE)
            snprintf(names[n], sizeof names[n], "%s", fact_names[k]);
        else if (k > F_REASON_BASE)
            snprintf(names[n], sizeof names[n], "failures.%s",
                     kdo_reason_name((enum kdo_reason)(k - F_REASON_BASE)));
        else
            continue;
        list[n] = names[n];
        n++;
    }
    list[n] = NULL;
    return kdo_suggest_nearest(name, list);
}

void kdo_facts_print(const struct kdo_facts *f, FILE *out)
{
    for (int k = 0; k < F_REASON_BASE; k++)
        fprintf(out, "      %-30s %.15g\n", fact_names[k], f->v[k]);
    for (int r = 1; r < KDO_REASON_COUNT; r++)
        if (f->v[F_REASON_BASE + r] != 0)
            fprintf(out, "      failures.%-21s %.15g\n", kdo_reason_name((enum kdo_reason)r),
                    f->v[F_REASON_BASE + r]);
}

void kdo_facts_help(FILE *out)
{
    for (int k = 0; k < F_REASON_BASE; k++)
        fprintf(out, "  %-28s %s\n", fact_names[k], fact_texts[k]);
    for (int r = 1; r < KDO_REASON_COUNT; r++) {
        char name[96];
        snprintf(name, sizeof name, "failures.%s", kdo_reason_name((enum kdo_reason)r));
        fprintf(out, "  %-28s records that failed because %s\n", name,
                kdo_reason_text((enum kdo_reason)r));
    }
    fprintf(out, "  %-28s a CloudWatch metric's statistic over the run, e.g.\n"
                 "  %-28s metric:LambdaDelivery.OkRecords:Sum, metric:Success:Average,\n"
                 "  %-28s metric:Bytes:Input:Sum, metric:MillisBehindLatest:Maximum\n",
            "metric:NAME[:FLOW]:STAT", "", "");
}

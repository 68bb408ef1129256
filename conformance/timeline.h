/*
 * timeline.h -- what a run's picture shows, gathered from its journals.
 *
 * The HTML report (report.h) draws each destination on one time axis: its
 * invocations coloured by outcome, retries with their retryHints, lag and
 * stream depth, source pauses, restarts, and the records that failed
 * longest.  A kdo_timeline watches each destination's journal as the run
 * goes (the journal forgets; this keeps only the picture's facts), so the
 * report is written from the journal alone.  Everything is bounded: past
 * KDO_TIMELINE_MAX_MARKS invocations (or samples, or pauses) neighbours are
 * merged in pairs, counts kept exact; at most KDO_TIMELINE_MAX_RECORDS
 * failed records are followed.  It reads no clock and writes nothing.
 */
#ifndef KDO_TIMELINE_H
#define KDO_TIMELINE_H

#include "base/ktime.h"
#include "delivery/journal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KDO_TIMELINE_MAX_LANES 8
#define KDO_TIMELINE_MAX_MARKS 65536  /* invocation marks, samples, pauses per lane */
#define KDO_TIMELINE_MAX_RECORDS 4096 /* failed records followed per lane */
#define KDO_TIMELINE_MAX_SPANS 256    /* restarts, fault periods per lane */
#define KDO_TIMELINE_REASONS 6        /* reasons kept per failed record */
#define KDO_TIMELINE_MAX_BARS 180 /* CloudWatch chart bars per metric: 2 px each */

/* The CloudWatch metrics the report charts per minute, as the console drew
 * them, each with the statistic it shows. */
enum kdo_tl_metric {
    KDO_TL_INPUT_RECORDS, /* Records (Input), Sum */
    KDO_TL_OK_RECORDS,    /* LambdaDelivery.OkRecords, Sum */
    KDO_TL_FAILED_RECORDS, /* LambdaDelivery.DeliveryFailedRecords, Sum */
    KDO_TL_DURATION,      /* LambdaDelivery.Duration, Average (ms) */
    KDO_TL_LAG,           /* MillisBehindLatest, Maximum (ms) */
    KDO_TL_METRICS
};
/* The metric's CloudWatch name and statistic, e.g. "LambdaDelivery.OkRecords (Sum)". */
const char *kdo_tl_metric_title(enum kdo_tl_metric m);

/* An invocation's outcome as the report colours it ("ok" ... "pending"). */
enum kdo_tl_outcome {
    KDO_TL_OK,        /* every record Ok */
    KDO_TL_PARTIAL,   /* some records failed */
    KDO_TL_FAILED,    /* every record failed (function error, bad reply, restart) */
    KDO_TL_TIMEOUT,   /* function or invocation timeout */
    KDO_TL_THROTTLED, /* HTTP 429 */
    KDO_TL_TRANSPORT, /* the request failed at the transport level */
    KDO_TL_PENDING,   /* no reply before the run ended */
    KDO_TL_OUTCOMES
};

/* "ok", "partial", "failed", "timeout", "throttled", "transport", "pending". */
const char *kdo_tl_outcome_name(enum kdo_tl_outcome o);

/* One invocation, or several merged (a bucket): counts stay exact. */
struct kdo_tl_mark {
    kdo_time_ns t0, t1;       /* first and last send */
    kdo_time_ns duration;     /* the longest reply time */
    uint64_t count[KDO_TL_OUTCOMES];
    uint64_t records, bytes;  /* summed */
    uint64_t retries;         /* invocations that resent failed records */
    uint64_t hint_min, hint_max;
    uint64_t number;          /* the first invocation's number */
    uint8_t reason;           /* enum kdo_reason failing a single one as a whole */
};

struct kdo_tl_sample {
    kdo_time_ns t;
    uint64_t rows;  /* destination stream depth (the larger of merged ones) */
    int64_t lag_ms; /* MillisBehindLatest (the larger of merged ones) */
};

enum kdo_tl_span_kind { KDO_TL_PAUSE, KDO_TL_RESTART, KDO_TL_FAULT, KDO_TL_FIX /* from == until */ };

struct kdo_tl_span {
    kdo_time_ns from, until;
    uint64_t n;       /* pauses merged into it; requeued rows for a restart */
    char label[64];   /* a fault's rule and action; a fix's rule */
};

#define KDO_TIMELINE_ROW_BYTES 160 /* a failed record's row, as sent, kept up to this */

struct kdo_tl_record {
    uint64_t seq;
    char row[KDO_TIMELINE_ROW_BYTES + 1]; /* its row, seen when it was sent again ("" not) */
    uint16_t row_len;
    bool row_cut; /* the row was longer */
    kdo_time_ns first_fail, last_fail, ok_at; /* ok_at: KDO_TIME_NEVER if never Ok */
    uint32_t attempts, failures;
    uint8_t reasons[KDO_TIMELINE_REASONS]; /* the first ones, in order */
    uint8_t nreasons;
    bool mixed; /* some failure's reason differs from the first's */
};

struct kdo_tl_lane {
    char id[16];
    char prefix[40]; /* recordId prefix (journal start) */
    struct kdo_tl_mark *marks;
    size_t nmarks, merged; /* merged: times the marks were halved */
    uint64_t invocations;
    struct kdo_tl_sample *samples;
    size_t nsamples;
    struct kdo_tl_span *pauses;
    size_t npauses;
    uint64_t pause_count;
    struct kdo_tl_span spans[KDO_TIMELINE_MAX_SPANS]; /* restarts, fault periods, fixes */
    enum kdo_tl_span_kind span_kind[KDO_TIMELINE_MAX_SPANS];
    size_t nspans;
    struct kdo_tl_record *records; /* open-addressed by seq, KDO_TIMELINE_MAX_RECORDS * 2 */
    size_t nrecords;
    uint64_t untracked; /* failed records past the bound */
    kdo_time_ns end;
    /* the invocation awaiting its reply */
    size_t last_invoke;
    int have_invoke;
    struct kdo_tl_mark pending;
    /* a windowed lane (tumbling or stagger): the instants its windows sent rows */
    int windowed;
    kdo_time_ns *triggers;
    size_t ntriggers;
    uint64_t triggers_cut; /* instants past KDO_TIMELINE_MAX_MARKS, not kept */
    /* a value per bar (`period` minutes each), from the run's metrics
     * (kdo_timeline_metrics), or none */
    double *bars[KDO_TL_METRICS];
    size_t nbars, minutes_cut; /* bars charted; minutes past the bound */
    size_t period; /* minutes a bar stands for: 1, 5, 15, 60, 360, 1440 or 10080 */
};

struct kdo_timeline {
    struct kdo_tl_lane lanes[KDO_TIMELINE_MAX_LANES];
    size_t nlanes;
};

/* The latest time any lane saw (at least 1 s, so an axis has a length). */
kdo_time_ns kdo_timeline_end(const struct kdo_timeline *t);

/* A new, empty timeline (free with kdo_timeline_free; NULL is a no-op). */
struct kdo_timeline *kdo_timeline_new(void);
void kdo_timeline_free(struct kdo_timeline *t);

/* Watches destination `lane`'s journal (id: its output Id, or "").
 * Returns 0, or KDO_EINVAL past KDO_TIMELINE_MAX_LANES or the journal's
 * watchers. */
int kdo_timeline_watch(struct kdo_timeline *t, size_t lane, const char *id,
                       struct kdo_journal *j);
/* An invocation was sent to destination `dest` (its output Id; NULL or ""
 * for one destination): the rows of records that already failed are kept
 * (the journal holds no rows), for the report's table. */
struct kdo_invocation;
void kdo_timeline_sent(struct kdo_timeline *t, const char *dest,
                       const struct kdo_invocation *inv);
/* Lane `lane` reads a tumbling or stagger query: the instants its windows
 * send rows (the journal's rows_emitted) are kept as window triggers.  Call
 * before the run. */
void kdo_timeline_windowed(struct kdo_timeline *t, size_t lane);
/* A fault period of the scenario (a rule active in [from, until)), marked on
 * every lane; label is copied (cut to 63 bytes). */
void kdo_timeline_fault(struct kdo_timeline *t, kdo_time_ns from, kdo_time_ns until,
                        const char *label);
/* A fix the scenario deploys at `at` (its timeline's {at, fix}), marked on
 * every lane; label is copied (cut to 63 bytes). */
void kdo_timeline_fix(struct kdo_timeline *t, kdo_time_ns at, const char *label);

/* Lane `lane`'s CloudWatch metrics per minute (delivery/metrics.h), copied
 * at the end of the run, a bar per period: one minute, or as the console did
 * for a longer range 5 or 15 minutes, an hour, 6 hours, a day or a week, the
 * first that needs at most KDO_TIMELINE_MAX_BARS bars (each the metric's
 * statistic over its period: Sums add, Average averages, Maximum the max). */
struct kdo_metrics;
void kdo_timeline_metrics(struct kdo_timeline *t, size_t lane, const struct kdo_metrics *m);

/* Pixel-wide buckets: merges n marks (sorted by t0) into at most `width`
 * buckets over [t0, t1) by each mark's t0, into out (width entries).
 * Returns the number of buckets written (empty ones are skipped); counts,
 * records, bytes and retries are summed exactly. */
size_t kdo_timeline_buckets(const struct kdo_tl_mark *in, size_t n, kdo_time_ns t0,
                            kdo_time_ns t1, size_t width, struct kdo_tl_mark *out);
/* Adds b into a (a keeps its first fields; counts summed; extremes kept). */
void kdo_tl_mark_merge(struct kdo_tl_mark *a, const struct kdo_tl_mark *b);
/* Invocations a mark stands for. */
uint64_t kdo_tl_mark_total(const struct kdo_tl_mark *m);

/* The lane's failed records, longest failing first (until Ok, or the end;
 * ties by recordId): fills out with at most max pointers, returns how many.
 * *tied (may be NULL): how many records failed for exactly as long as the
 * last one given (a whole batch failing together ties: more than shown). */
size_t kdo_timeline_worst_records(const struct kdo_tl_lane *l, const struct kdo_tl_record **out,
                                  size_t max, size_t *tied);

#endif

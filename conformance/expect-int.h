/*
 * expect-int.h -- the facts' catalogue shared by the ledger (expect.c) and
 * their names (expect-facts.c): one X-macro row per fact.
 */
#ifndef KDO_EXPECT_INT_H
#define KDO_EXPECT_INT_H

#include "delivery/contract.h"

/* X(enum, name, can be restricted to a period (`during`), explanation) */
#define FACT_MAP(X)                                                                                \
    X(ROWS_READ, "rows_read", 0, "source rows read by the application")                           \
    X(ROWS_EMITTED, "rows_emitted", 0, "output rows that entered the destination stream")         \
    X(ROWS_DELIVERED, "rows_delivered", 0, "distinct output rows acknowledged Ok")                \
    X(LOST, "lost", 0, "output rows neither delivered nor still held by the engine at the end (must be 0)") \
    X(UNDELIVERED, "undelivered", 0, "output rows never acknowledged Ok by the end of the run")  \
    X(DUPLICATES, "duplicates", 0, "rows sent again after an attempt that may have reached the function (Ok, timed out, errored, abandoned)") \
    X(ACKED_TWICE, "acked_twice", 0, "rows acknowledged Ok more than once")                      \
    X(OK_RESENT, "ok_resent", 0, "sends of a row already acknowledged Ok (must be 0)")           \
    X(HINT_ERRORS, "retry_hint_errors", 0, "sends whose retryHint is not 0 on first send/after a restart, or previous + 1 after a failure") \
    X(MAX_HINT, "max_retry_hint", 0, "highest retryHint sent")                                   \
    X(HEAD_OF_LINE, "head_of_line_violations", 0, "rows first sent while earlier rows were failing, instead of waiting behind them (must be 0)") \
    X(MAX_ATTEMPTS, "max_attempts", 0, "most sends of one row before it was acknowledged (or by the end)") \
    X(TIME_TO_OK_MAX, "time_to_ok_max_ms", 0, "longest time from a row entering the destination stream to its first Ok") \
    X(TIME_TO_OK_AVG, "time_to_ok_avg_ms", 0, "average time from a row entering the destination stream to its first Ok") \
    X(INVOCATIONS, "invocations", 1, "invocations sent")                                          \
    X(RETRY_INVOCATIONS, "retry_invocations", 1, "invocations that resend failed records")       \
    X(FAILED_INVOCATIONS, "failed_invocations", 1, "invocations with at least one failed record") \
    X(FLUSHES, "flushes", 1, "flushes of new rows (a flush may take several invocations)")       \
    X(SPLIT_FLUSHES, "split_flushes", 1, "flushes that needed more than one invocation (6 MB split)") \
    X(FLUSH_INTERVAL_MIN, "flush_interval_min_ms", 1, "shortest time between two consecutive flushes") \
    X(FLUSH_INTERVAL_MAX, "flush_interval_max_ms", 1, "longest time between two consecutive flushes") \
    X(MAX_EVENT_BYTES, "max_event_bytes", 1, "largest encoded event sent (limit 6291456)")        \
    X(MAX_RECORDS, "max_records_per_invocation", 1, "most records in one invocation")             \
    X(MAX_LAG, "max_lag_ms", 1, "highest MillisBehindLatest sampled")                             \
    X(MIN_LAG, "min_lag_ms", 1, "lowest MillisBehindLatest sampled")                              \
    X(FINAL_LAG, "final_lag_ms", 1, "MillisBehindLatest at the last sample")                      \
    X(LAST_LAG, "last_lag_s", 0, "time of the last sample with MillisBehindLatest above 0, in seconds (0 if none): when the backlog had drained") \
    X(PAUSES, "source_pauses", 1, "times the application stopped reading because the destination stream was full") \
    X(PAUSED_MS, "source_paused_ms", 1, "total time the source was not read because of backpressure") \
    X(BUFFER_MAX, "buffer_max_rows", 1, "highest destination stream depth sampled (rows)")        \
    X(RESTARTS, "restarts", 1, "application restarts")                                           \
    X(ERROR_ROWS, "error_rows", 1, "source rows sent to the in-application error stream (unreadable, or an expression failed)") \
    X(END_S, "end_s", 0, "virtual time at which the run ended, in seconds")

enum fact {
#define FACT_ENUM(e, name, win, text) F_##e,
    FACT_MAP(FACT_ENUM)
#undef FACT_ENUM
    F_REASON_BASE, /* failures.<reason>, one per enum kdo_reason */
    F_COUNT = F_REASON_BASE + KDO_REASON_COUNT
};

extern const char *const kdo__fact_names[F_REASON_BASE];
extern const char *const kdo__fact_texts[F_REASON_BASE];
extern const unsigned char kdo__fact_windowable[F_REASON_BASE];

/* A fact's index by name ("failures.<reason>" included), or -1. */
int kdo__fact_index(const char *name);
/* "metric:<Name>[:<Flow>]:<Stat>": 0 and the metric and statistic, or
 * KDO_EINVAL. */
int kdo__metric_fact_parse(const char *name, int *metric, int *stat);

#endif

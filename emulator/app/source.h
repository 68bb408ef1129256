/*
 * source.h -- the streaming source an application reads: rows and their
 * arrival times.
 *
 * A source is a few segments merged by arrival time: a steady rate of
 * generated rows over a period, a burst of rows all arriving at one instant,
 * one literal row injected at a given time (a poison pill), or literal rows
 * (from a file) each at its own time, as a recorded stream replays.  Generated rows
 * are the console's demo stock-ticker rows (TICKER_SYMBOL, SECTOR, CHANGE,
 * PRICE) as JSON, optionally padded to an exact size, drawn from a pool built
 * with the run's rng, so a seed fixes them.  Pure: no clock, no I/O.
 */
#ifndef KDO_SOURCE_H
#define KDO_SOURCE_H

#include "base/ktime.h"
#include "base/rng.h"

#include <stddef.h>
#include <stdint.h>

enum kdo_segment_kind {
    KDO_SEGMENT_RATE,   /* generated rows at a rate over [from, until) */
    KDO_SEGMENT_BURST,  /* `count` generated rows at `from` */
    KDO_SEGMENT_INJECT, /* one literal row at `from` */
    KDO_SEGMENT_ROWS,   /* literal rows (inline or a JSON Lines file): all at `from`, one
                           after another at `rate` from `from`, or each at its row_times[] */
};

struct kdo_source_segment {
    enum kdo_segment_kind kind;
    kdo_time_ns from, until; /* RATE: rows arrive in [from, until); BURST/INJECT: at `from` */
    double rate;             /* RATE: rows per second */
    uint64_t count;          /* BURST: rows */
    char *row;               /* INJECT: the row (owned); NULL for generated rows */
    size_t row_len;
    char *rows;              /* ROWS: the rows' bytes back to back (owned) */
    size_t *row_ends;        /* ROWS: row i ends at row_ends[i], starts at row_ends[i - 1] */
    size_t nrows;
    kdo_time_ns *row_times;  /* ROWS: when set (owned), row i arrives at row_times[i] (not
                                decreasing; from, until and rate unused) */
};

/* Appends a literal row to a ROWS segment (copied). */
void kdo_source_segment_add_row(struct kdo_source_segment *g, const char *row, size_t len);
/* Appends a literal row that arrives at `at` (copied).  Every row of a segment
 * is timed or none is; the caller keeps the times in order (not decreasing). */
void kdo_source_segment_add_row_at(struct kdo_source_segment *g, const char *row, size_t len,
                                   kdo_time_ns at);

struct kdo_source_config {
    size_t row_size; /* generated rows are padded to exactly this many bytes; 0 = natural */
    struct kdo_source_segment *segments; /* owned by the config */
    size_t nsegments;
};

struct kdo_source_row {
    uint64_t seq;        /* source row number, 0-based */
    kdo_time_ns arrival; /* APPROXIMATE_ARRIVAL_TIME */
    const char *data;    /* borrowed until the next pop */
    size_t len;
};

struct kdo_source;

/* A new source; copies cfg (segments included); borrows rng.  Rows arriving
 * at or after `end` are never produced. */
struct kdo_source *kdo_source_new(const struct kdo_source_config *cfg, kdo_time_ns end,
                                  struct kdo_rng *rng);
void kdo_source_free(struct kdo_source *s);

/* The next row without consuming it; 0 if there is none. */
int kdo_source_peek(struct kdo_source *s, struct kdo_source_row *out);
/* Consumes the row peek() returned. */
void kdo_source_pop(struct kdo_source *s);
/* Rows that have arrived by `now` and were not consumed yet. */
uint64_t kdo_source_unread(const struct kdo_source *s, kdo_time_ns now);
/* Rows consumed so far. */
uint64_t kdo_source_consumed(const struct kdo_source *s);

/* Deep copy / cleanup of a config's segments. */
void kdo_source_config_copy(struct kdo_source_config *dst, const struct kdo_source_config *src);
void kdo_source_config_cleanup(struct kdo_source_config *c);

#endif

/*
 * slide.h -- a sliding window of rows for the aggregates of a RANGE window
 * (WINDOW ... RANGE INTERVAL ... PRECEDING): each row is pushed with its
 * ROWTIME and its own accumulators, the oldest popped as it leaves, and the
 * result over every row in the window read at any time; and the values an
 * analytic function (LAG, FIRST_VALUE, LAST_VALUE) reads back from the
 * rows of a window (kdo_vring).
 */
#ifndef KDO_SLIDE_H
#define KDO_SLIDE_H

#include "sql/aggregate.h"
#include "sql/value.h"

#include <stddef.h>
#include <stdint.h>

/* A sliding window of rows, each with a ROWTIME and one accumulator per
 * aggregate (the row's own contribution). */
struct kdo_slide;

struct kdo_slide *kdo_slide_new(const struct kdo_agg *aggs, size_t naggs);
void kdo_slide_free(struct kdo_slide *s);
size_t kdo_slide_count(const struct kdo_slide *s);
/* The ROWTIME of the oldest row; the slide must not be empty. */
int64_t kdo_slide_oldest(struct kdo_slide *s);
/* Appends the newest row. */
void kdo_slide_push(struct kdo_slide *s, int64_t rowtime, const struct kdo_agg_acc *row);
/* Forgets the oldest row; the slide must not be empty. */
void kdo_slide_pop(struct kdo_slide *s);
/* out[i] := the accumulator of aggregate i over every row in the slide. */
void kdo_slide_result(struct kdo_slide *s, struct kdo_agg_acc *out);

/* The values of one analytic function over the rows of one partition's
 * window, oldest first, each tagged with its row's sequence number in the
 * partition.  It follows its kdo_slide: a row pushed there is pushed here
 * (or, for IGNORE NULLS, only when its value is not NULL), and when the
 * slide drops rows the ring drops those older than the slide's oldest, so
 * it never holds more than the window does.  A VARCHAR is copied (the row
 * it came from is reused); `bytes` counts the copies. */
struct kdo_vring {
    uint64_t *seq;
    struct kdo_value *v;
    size_t head, n, cap;
    size_t bytes;
};

void kdo_vring_fini(struct kdo_vring *r);
/* Appends the newest value (copied). */
void kdo_vring_push(struct kdo_vring *r, uint64_t seq, const struct kdo_value *v);
/* Forgets the values of rows older than row `seq`. */
void kdo_vring_drop_before(struct kdo_vring *r, uint64_t seq);
/* The i-th value, 0 the oldest; i < r->n. */
static inline const struct kdo_value *kdo_vring_at(const struct kdo_vring *r, size_t i)
{
    return &r->v[(r->head + i) % r->cap];
}
static inline uint64_t kdo_vring_seq_at(const struct kdo_vring *r, size_t i)
{
    return r->seq[(r->head + i) % r->cap];
}

#endif

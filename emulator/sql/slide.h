/*
 * slide.h -- a sliding window of rows for the aggregates of a RANGE window
 * (WINDOW ... RANGE INTERVAL ... PRECEDING): each row is pushed with its
 * ROWTIME and its own accumulators, the oldest popped as it leaves, and the
 * result over every row in the window read at any time.
 */
#ifndef KDO_SLIDE_H
#define KDO_SLIDE_H

#include "sql/aggregate.h"

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

#endif

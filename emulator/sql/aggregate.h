/*
 * aggregate.h -- SQL's aggregate functions (COUNT, SUM, AVG, MIN, MAX) and
 * the sliding window that keeps them as rows come and go.
 *
 * An aggregate folds values into an accumulator; accumulators of disjoint
 * sets of rows combine, which is all a tumbling or stagger window needs.  A
 * sliding window must also forget its oldest rows.  Subtracting them would
 * drift for DOUBLE sums and cannot work for MIN and MAX, so kdo_slide is a
 * two-stack queue: rows are pushed on a back stack that keeps one running
 * accumulator, and popped from a front stack whose every entry holds the
 * accumulator of itself and the rows behind it; when the front runs dry
 * the back is moved over in one pass.  Each row is combined a bounded
 * number of times, so a window of any length costs O(1) amortized per row,
 * and a result is never the sum of more differences than additions.
 *
 * Types follow SQL as KDA (SQLstream, Calcite) does: COUNT is BIGINT; SUM
 * and AVG keep their argument's numeric type (AVG of a BIGINT truncates
 * toward zero); MIN and MAX take numbers and TIMESTAMPs.  NULL inputs are
 * skipped; over no non-NULL input, SUM, AVG, MIN and MAX are NULL and
 * COUNT is 0.  A BIGINT sum that overflows is an error, never a wrap.
 */
#ifndef KDO_AGGREGATE_H
#define KDO_AGGREGATE_H

#include "base/errors.h"
#include "sql/value.h"

#include <stddef.h>
#include <stdint.h>

enum kdo_agg_fn { KDO_AGG_COUNT, KDO_AGG_SUM, KDO_AGG_AVG, KDO_AGG_MIN, KDO_AGG_MAX };

struct kdo_agg {
    enum kdo_agg_fn fn;
    enum kdo_type type; /* the argument's type; KDO_TYPE_NULL for COUNT(*) */
};

/* The partial result over some rows. */
struct kdo_agg_acc {
    int64_t n;    /* non-NULL inputs (all rows for COUNT(*)) */
    int overflow; /* a BIGINT sum passed the range; reported by kdo_agg_result */
    union {
        int64_t i; /* BIGINT and TIMESTAMP sums and extremes */
        double d;  /* DOUBLE ones */
    } v;
};

/* Recognises "COUNT(*)" or "FN(argument)" (FN one of the five, any case,
 * spaces allowed), optionally followed by "OVER name" as sliding windows
 * write it.  Returns 1 with *fn and the argument's span (*arg_len 0 for
 * COUNT(*)); 0 if text is not an aggregate call. */
int kdo_agg_parse(const char *text, size_t len, enum kdo_agg_fn *fn, size_t *arg_off,
                  size_t *arg_len);

/* Checks that fn accepts an argument of type t and sets g.  Returns 0, or
 * KDO_ESCHEMA with a sentence in e (may be NULL). */
int kdo_agg_init(struct kdo_agg *g, enum kdo_agg_fn fn, enum kdo_type t, struct kdo_errinfo *e);
/* The result's type. */
enum kdo_type kdo_agg_type(const struct kdo_agg *g);
const char *kdo_agg_name(enum kdo_agg_fn fn);

/* An accumulator over no rows. */
static inline struct kdo_agg_acc kdo_agg_empty(void)
{
    struct kdo_agg_acc a = {0, 0, {0}};
    return a;
}
/* Folds one value (or, for COUNT(*), one row: v may be NULL) into a. */
void kdo_agg_add(const struct kdo_agg *g, struct kdo_agg_acc *a, const struct kdo_value *v);
/* a := a combined with b. */
void kdo_agg_combine(const struct kdo_agg *g, struct kdo_agg_acc *a, const struct kdo_agg_acc *b);
/* *out := the aggregate over a's rows.  Returns 0, or KDO_EINVAL with a
 * sentence in e (may be NULL) if a BIGINT sum overflowed on the way (a
 * partial sum counts: rows of mixed signs can report an overflow their
 * total would not have). */
int kdo_agg_result(const struct kdo_agg *g, const struct kdo_agg_acc *a, struct kdo_value *out,
                   struct kdo_errinfo *e);

#endif

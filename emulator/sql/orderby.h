/*
 * orderby.h -- a pump's streaming ORDER BY, as KDA defines it: the leading
 * expression is a time bucket over ROWTIME (FLOOR(s.ROWTIME TO SECOND),
 * STEP(s.ROWTIME BY INTERVAL ...), or ROWTIME itself), and the rows of one
 * bucket are gathered and sent on sorted by the whole key when the bucket
 * ends -- SR ORDER BY clause: "A streaming query can use ORDER BY if its
 * leading expression is time-based and monotonic"; it "gathers rows until
 * the monotonic expression in streaming ORDER BY clause does not change".
 *
 * The sort keys are expressions over the query's output columns and
 * ROWTIME (a qualifier naming the query's input stream or its alias is
 * dropped: the row's ROWTIME is its input's).  A grouped query's row has
 * its window's end as ROWTIME, just past the rows it sums, so its keys see
 * the window's last instant: ORDER BY STEP(s.ROWTIME BY INTERVAL '10'
 * SECOND) after GROUP BY the same STEP sorts each window's groups as they
 * close.  A bucket ends at its end on the clock, or when a row of a later
 * bucket comes; its rows go on then, with that instant as their ROWTIME
 * (sorted by another key, their own would go back in time).  Rows equal on every key keep their order; NULL counts as
 * larger than every value, so it comes last ascending and first descending
 * (our choice, Calcite's default: the SR does not say).  At most KDO_ORDERBY_MAX_ROWS rows wait in one bucket; past
 * that the bucket is sent as it stands and an error row says so.
 */
#ifndef KDO_SQL_ORDERBY_H
#define KDO_SQL_ORDERBY_H

#include "base/errors.h"
#include "base/ktime.h"
#include "sql/ast.h"
#include "sql/query.h"
#include "sql/row.h"

#define KDO_ORDERBY_MAX_ROWS 1000000

struct kdo_orderby_config {
    struct kdo_ast_order *items;         /* ORDER BY's list (qualifiers dropped in place) */
    const struct kdo_row_schema *schema; /* the query's output (borrowed) */
    const char *input, *alias;           /* the names that qualify the query's input */
    const char *file;
    int64_t epoch_ms;
    int grouped; /* the query folds rows into windows (kdo_query_folds) */
};

struct kdo_orderby;

int kdo_orderby_new(const struct kdo_orderby_config *c, struct kdo_orderby **out, struct kdo_errinfo *e);
void kdo_orderby_free(struct kdo_orderby *o);

/* One output row of the query (schema c->schema) at `rowtime`; rows go on
 * through next->typed, sorted, when their bucket ends. */
int kdo_orderby_row(struct kdo_orderby *o, kdo_time_ns rowtime, const struct kdo_row *row,
                  const struct kdo_query_sink *next);
kdo_time_ns kdo_orderby_next_deadline(const struct kdo_orderby *o);
int kdo_orderby_advance(struct kdo_orderby *o, kdo_time_ns now, const struct kdo_query_sink *next);

#endif

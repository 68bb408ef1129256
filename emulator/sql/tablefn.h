/*
 * tablefn.h -- KDA's stream functions, read as a FROM:
 * TABLE(fn(CURSOR(SELECT STREAM ...), args...)).
 *
 * A table function is a pump's operator like a query (query.h): typed rows
 * in, typed rows out through the same sink, windows closed by the clock.
 * The binder makes the CURSOR's query a pump of its own into an internal
 * stream; this reads that stream.
 *
 * TOP_K_ITEMS_TUMBLING(cursor, 'column', K, windowSize) -- SR top-k.html:
 *   K 1..100000, windowSize 1..3600 seconds.  At each window's end, the K
 *   most frequent values of the column (ties: first seen first), each with
 *   its count, most frequent first.  Output columns: the column (its name
 *   and type) and MOST_FREQUENT_VALUES BIGINT, the names of the SR's
 *   example destination (the page shows no output rows: our choice).
 *   Counting is exact up to KDO_TABLEFN_TOPK_ITEMS distinct values per
 *   window; past that, Space-Saving (Metwally et al., 2005) replaces the
 *   least counted value, so a count is high by at most N / 100,000 for N
 *   rows in the window -- KDA documents its counts as approximate too
 *   ("may return three of the five most traded stocks").
 * COUNT_DISTINCT_ITEMS_TUMBLING(cursor, 'column', windowSize) -- SR
 *   count-distinct-items.html: exact for at most 10,000 distinct items, as
 *   the SR states, then HyperLogLog (2^14 registers: standard error 0.81%).
 *   One row per window: NUMBER_OF_DISTINCT_ITEMS BIGINT (name: our choice,
 *   the SR gives none).
 * Windows are aligned to the epoch, as STEP's are, on ROWTIME; NULLs are
 * not items.
 * RANDOM_CUT_FOREST(cursor[, numberOfTrees, subSampleSize, timeDecay,
 *   shingleSize]) and RANDOM_CUT_FOREST_WITH_EXPLANATION(... ,
 *   withDirectionality) -- sql/rcf.h: each row goes on at once with its
 *   columns, then ANOMALY_SCORE DOUBLE (and ANOMALY_EXPLANATION VARCHAR),
 *   scored over every numeric column before the forest learns it; seeded
 *   from the run's seed, so a run replays exactly.
 * HOTSPOTS is refused by name at its line:col (the binder).
 */
#ifndef KDO_SQL_TABLEFN_H
#define KDO_SQL_TABLEFN_H

#include "base/errors.h"
#include "base/ktime.h"
#include "sql/ast.h"
#include "sql/query.h"
#include "sql/row.h"

#include <stdint.h>

#define KDO_TABLEFN_TOPK_ITEMS 100000   /* values counted at once per window */
#define KDO_TABLEFN_EXACT_DISTINCT 10000 /* SR: exact up to 10,000 items */

struct kdo_tablefn_config {
    const struct kdo_ast_expr *call;           /* fn(CURSOR(...), args) (borrowed) */
    const struct kdo_row_schema *input_schema; /* the cursor's rows (borrowed) */
    const char *file;                          /* for messages */
    int64_t epoch_ms;                          /* the wall-clock time of t = 0 */
    uint64_t seed;                             /* RANDOM_CUT_FOREST's trees */
};

struct kdo_tablefn;

/* Whether `name` (upper case) is a stream function KDA documents. */
int kdo_tablefn_known(const char *name);

/* Checks the call's arguments against the input and makes the operator: 0,
 * or KDO_EPARSE/KDO_ESCHEMA with *e at the argument at fault. */
int kdo_tablefn_new(const struct kdo_tablefn_config *c, struct kdo_tablefn **out,
                    struct kdo_errinfo *e);
void kdo_tablefn_free(struct kdo_tablefn *f);

const struct kdo_row_schema *kdo_tablefn_output_schema(const struct kdo_tablefn *f);
/* One row of the cursor's stream at `rowtime`, after closing windows due. */
int kdo_tablefn_input_row(struct kdo_tablefn *f, kdo_time_ns rowtime, const struct kdo_row *in,
                          const struct kdo_query_sink *sink);
kdo_time_ns kdo_tablefn_next_deadline(const struct kdo_tablefn *f);
/* 1 when rows only fold into windows (TOP_K, COUNT_DISTINCT); 0 when each
 * row goes on (RANDOM_CUT_FOREST). */
int kdo_tablefn_folds(const struct kdo_tablefn *f);
int kdo_tablefn_advance(struct kdo_tablefn *f, kdo_time_ns now, const struct kdo_query_sink *sink);

#endif

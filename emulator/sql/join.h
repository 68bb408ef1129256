/*
 * join.h -- a JOIN in a pump's FROM: two streams (or a stream and a
 * reference table) joined on a condition, as KDA joins them.
 *
 * The rules, from the SQL Reference's JOIN clause page and its six worked
 * examples (scenarios 44-49 replay them):
 * - A side with a window (stream OVER (RANGE INTERVAL '1' MINUTE
 *   PRECEDING), or ROWS n PRECEDING, or OVER w naming a WINDOW definition)
 *   keeps its rows of that window; a side without one only its current,
 *   latest row; a reference table all its rows.
 * - A row arriving on one side is joined with the other side's kept rows;
 *   each pair meeting ON is one output row, whose ROWTIME is the later of
 *   the two rows' ROWTIMEs.
 * - Outer joins (LEFT, RIGHT): a row of the preserved side that met no row
 *   of the other side while it was kept is sent once with NULLs for the
 *   other side's columns: when its side has a window, at the window's end
 *   (its ROWTIME + the range; the examples' 10:01:50), with that instant as
 *   ROWTIME; when its side has none, at once, with its own ROWTIME (the
 *   page's example 3).  The page's LEFT JOIN tables (examples 5 and 6) also
 *   list orders that did meet a shipment among the unmatched ones: this is
 *   the page's prose ("records in the Orders stream with no corresponding
 *   record in the Shipments stream"), which its RIGHT JOIN table (example
 *   4) follows -- README's feature table says so.
 * - Output rows leave in ascending ROWTIME.
 * The joined row's columns are the left side's then the right's, each
 * named "Q.COL" by its side's qualifier Q (the alias, else the stream's
 * name), then "Q.ROWTIME" for each stream side; kdo_join_select() rewrites
 * the pump's SELECT to those names, so the query (query.h) runs over the
 * joined row as over any stream.  Refused with file:line:col: FULL and
 * CROSS joins, a join of more than two, a partitioned or ordered join
 * window, FOLLOWING, a window on a reference table or on a stream joined
 * with one, a reference table as the preserved side of an outer join, a
 * column name both sides have, unqualified.
 * Equality conditions between a column of each side (of one type) are
 * hashed, so a row meets only its key's rows; memory is bounded by the
 * windows' contents.  No clock: time comes with the rows and advance().
 */
#ifndef KDO_SQL_JOIN_H
#define KDO_SQL_JOIN_H

#include "base/arena.h"
#include "base/errors.h"
#include "base/ktime.h"
#include "sql/ast.h"
#include "sql/query.h"
#include "sql/reftable.h"
#include "sql/row.h"

#include <stdint.h>

/* Rows a side keeps at most (its window's contents). */
#define KDO_JOIN_MAX_KEPT 4000000

enum kdo_join_side { KDO_JOIN_LEFT = 0, KDO_JOIN_RIGHT = 1 };

struct kdo_join_config {
    const struct kdo_ast_from *from;       /* the JOIN (borrowed for the call) */
    const struct kdo_ast_window *windows;  /* the SELECT's WINDOW definitions (OVER w) */
    const struct kdo_row_schema *schema[2]; /* each side's columns (borrowed, must outlive) */
    const char *name[2];                   /* each side's stream or table name */
    const struct kdo_reftable *table[2];   /* a reference table side, else NULL (borrowed) */
    const char *file;                      /* for messages */
    int64_t epoch_ms;                      /* wall-clock ms of t = 0 */
};

struct kdo_join;

/* Returns 0 and a new join; KDO_EPARSE (what is not built, by name),
 * KDO_ESCHEMA (an unknown or ambiguous name) or KDO_EINVAL (a bad window)
 * with e filled. */
int kdo_join_new(const struct kdo_join_config *c, struct kdo_join **out, struct kdo_errinfo *e);
/* kdo_join_free(NULL) is a no-op. */
void kdo_join_free(struct kdo_join *j);

/* The joined row's columns (borrowed from the join). */
const struct kdo_row_schema *kdo_join_output_schema(const struct kdo_join *j);

/* A copy of s (in `arena`) reading the joined rows as stream `stream`: its
 * names rewritten to the joined row's ("o.orderid" -> "O.orderid"), an
 * unqualified column of one side qualified, an item that was a column
 * keeping the column's name as its own.  Refuses SELECT *. */
int kdo_join_select(const struct kdo_join *j, const struct kdo_ast_select *s, const char *stream,
                    struct kdo_arena *arena, const struct kdo_ast_select **out,
                    struct kdo_errinfo *e);

/* A row of side `side` at `rowtime` (borrowed for the call): joined rows go
 * to sink->typed, errors of the ON condition to sink->error.  Rows of one
 * side come in ROWTIME order.  Returns 0 or what the sink returned. */
int kdo_join_input(struct kdo_join *j, enum kdo_join_side side, kdo_time_ns rowtime,
                   const struct kdo_row *row, const struct kdo_query_sink *sink);
/* When an unmatched row is next due, or KDO_TIME_NEVER. */
kdo_time_ns kdo_join_next_deadline(const struct kdo_join *j);
/* Sends the unmatched rows due before `now` and forgets the rows that left
 * their windows.  Returns 0 or what the sink returned. */
int kdo_join_advance(struct kdo_join *j, kdo_time_ns now, const struct kdo_query_sink *sink);

#endif

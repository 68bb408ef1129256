/*
 * query-int.h -- what the parts of the query module share: the compiled
 * query (struct kdo_query) and the steps between its parts.
 *
 *   query.c       lifecycle, the input schema, the structured (text) form
 *                 made into a SELECT tree;
 *   query-ast.c   checks of a SELECT tree and its rewriting: qualifiers
 *                 stripped, aggregates, analytic functions and GROUP BY
 *                 keys turned into slots;
 *   query-plan.c  compiling the rewritten tree: aggregates, windows, keys,
 *                 select items, HAVING, DISTINCT, the output schema;
 *   query-run.c   rows in, windows, rows out.
 *
 * A select item or HAVING is compiled against a "stage" schema: for a
 * continuous or sliding query the input row's columns followed by one
 * column per aggregate (its value for the current row) and one per
 * analytic function (LAG, FIRST_VALUE, LAST_VALUE: its value for the row);
 * for a grouped query (tumbling, stagger) one column per key, per
 * aggregate, and ROWTIME.  An aggregate call, an analytic function's call
 * or a GROUP BY key inside an item is replaced by a name of the stage
 * schema that SQL text cannot spell (it starts with \x01), so any
 * expression around them -- SUM(x) / COUNT(*), CAST(AVG(x) AS INTEGER),
 * price - LAG(price) OVER w -- is an ordinary scalar expression.
 */
#ifndef KDO_QUERY_INT_H
#define KDO_QUERY_INT_H

#include "base/arena.h"
#include "base/buf.h"
#include "sql/aggregate.h"
#include "sql/expr.h"
#include "sql/partition.h"
#include "sql/query.h"
#include "sql/slide.h"

/* One aggregate call of the query. */
struct kdo__query_agg {
    struct kdo_agg agg;
    struct kdo_expr *arg;                /* NULL: COUNT(*) */
    const struct kdo_ast_window *over;   /* sliding: its window as written (NULL: none) */
    size_t win;                          /* sliding: the index of its window */
    size_t col;                          /* its column in the stage schema */
    int line, col_at;                    /* where it is written */
};

/* One analytic function call of the query (sliding only): LAG, FIRST_VALUE or
 * LAST_VALUE over a window, reading the values of earlier rows of the row's
 * partition that are still in the window (kdo_vring, one per partition). */
enum kdo__query_fn_kind { KDO__FN_LAG, KDO__FN_FIRST_VALUE, KDO__FN_LAST_VALUE };
struct kdo__query_fn {
    enum kdo__query_fn_kind kind;
    int ignore_nulls;                  /* IGNORE NULLS: NULL values are not rows to it */
    int64_t offset;                    /* LAG: rows back (1 by default) */
    struct kdo_expr *arg;              /* the value expression */
    struct kdo_expr *dflt;             /* LAG: the value past the window (NULL: NULL) */
    const struct kdo_ast_window *over; /* its window as written */
    size_t win;                        /* the index of its window */
    size_t col;                        /* its column in the stage schema */
    int line, col_at;                  /* where it is written */
};

/* A sliding window: its keys, frame, partitions and the aggregates over it. */
struct kdo__query_win {
    const struct kdo_ast_window *def;
    struct kdo_expr **keys;
    size_t nkeys;
    kdo_time_ns range;
    int by_rows;
    uint64_t rows;
    struct kdo_partitions *parts;
    size_t *aggs; /* the query's aggregate indexes */
    struct kdo_agg *fns;
    size_t naggs;
    struct kdo_agg_acc *acc; /* one row's contributions, then the window's results */
    size_t *fnis;            /* the query's analytic function indexes */
    size_t nfns;
    struct kdo_value *vals;  /* the row's value of each (borrowing the row) */
    void *part;              /* the row's partition while it is processed */
};

/* A partition's state; the accumulators (grouped queries) follow it. */
struct kdo__query_part {
    kdo_time_ns opened;      /* stagger: the ROWTIME of the window's first row; sliding: the last */
    struct kdo_slide *slide; /* sliding */
    uint64_t seq;            /* sliding: rows ever pushed (the next row's number) */
    struct kdo_vring *vals;  /* sliding: one per analytic function of the window */
    size_t nvals;
    struct kdo_agg_acc acc[];
};

enum kdo__query_shape { KDO__SHAPE_CONTINUOUS, KDO__SHAPE_GROUPED, KDO__SHAPE_SLIDING };

struct kdo_query {
    struct kdo_query_config cfg;
    enum kdo__query_shape shape;
    struct kdo_arena ast; /* trees made from the text form, and rewritten copies */
    const struct kdo_ast_select *sel;
    /* Legacy (text) form: the fragments items and keys were parsed from, for messages. */
    const char **item_text, **key_text;
    char **default_select;
    size_t ndefault;
    /* Input: rows are read with the declared columns (`read`), then copied into `in`,
     * which adds ROWTIME, APPROXIMATE_ARRIVAL_TIME and the aggregates' columns. */
    struct kdo_row_schema *read_schema, *in_schema;
    struct kdo_row *read, *in;
    int rowtime_col, arrival_col;
    unsigned char *rowtime_copy; /* per input column: it always holds ROWTIME (query.h) */
    size_t nrowtime_copy;
    struct kdo_rowfmt_reader *reader;
    struct kdo_expr *where;
    /* Aggregates. */
    struct kdo__query_agg *aggs;
    size_t naggs;
    struct kdo_agg_acc *row_acc; /* grouped: one row's contributions */
    /* Sliding windows. */
    struct kdo__query_win *wins;
    size_t nwins;
    size_t slide_rows; /* rows held by every sliding window together */
    /* Analytic functions (over sliding windows). */
    struct kdo__query_fn *fns;
    size_t nfns;
    size_t vals_bytes; /* VARCHAR bytes their windows hold, every window together */
    /* Grouped: keys; `time_key` is the STEP/FLOOR over ROWTIME of a tumbling query (not
     * part of the partition's key bytes), or -1. */
    struct kdo_ast_expr **key_ast;
    char **key_print; /* canonical text of each key, to find it inside items */
    struct kdo_expr **keys;
    size_t nkeys;
    int time_key;
    struct kdo_partitions *parts;
    struct kdo_row_schema *grp_schema;
    struct kdo_row *grp;
    kdo_time_ns range;
    int64_t width_ms;
    int window_open; /* tumbling: the open window */
    int64_t window_start_ms;
    kdo_time_ns last_rowtime;
    char *keybuf;
    size_t keycap;
    /* Output. */
    struct kdo_expr **items;
    struct kdo_ast_expr **item_ast; /* rewritten */
    char **item_name;
    unsigned char *item_is_rowtime; /* a bare ROWTIME: DISTINCT ignores it */
    size_t nitems;
    struct kdo_expr *having;
    struct kdo_row_schema *out_schema;
    struct kdo_row *out;
    /* SELECT STREAM DISTINCT: rows already out in this window (or time bucket). */
    int distinct;
    int distinct_bucket; /* continuous: the item whose value change starts afresh */
    int64_t bucket_value;
    struct kdo_partitions *seen;
    struct kdo_arena scratch;
    struct kdo_buf text;
    struct kdo_buf data_row; /* a typed input row as JSON, for the error stream */
};

/* The most text the analytic functions' windows hold together (their VARCHAR values;
 * rows are bounded by KDO_QUERY_MAX_WINDOW_ROWS). */
#define KDO__QUERY_MAX_WINDOW_BYTES ((size_t)256 << 20)

/* Internal stage-schema names: "\x01A<n>" (aggregate n), "\x01K<n>" (key n), "\x01F<n>"
 * (analytic function n). */
#define KDO__QUERY_SLOT '\x01'

/* query-ast.c */
/* Refuses what a query does not run (JOIN, TABLE, subquery FROM, UNION ALL, ...) with
 * file:line:col. */
int kdo__query_check_select(const struct kdo_query *q, struct kdo_errinfo *err);
/* A copy of x in q->ast, qualifiers of the input stream dropped (s.COL -> COL); an
 * unknown qualifier is refused. */
int kdo__query_clone(struct kdo_query *q, const struct kdo_ast_expr *x, struct kdo_ast_expr **out,
                     struct kdo_errinfo *err);
/* Rewrites a clone in place: aggregate calls become slots (new aggregates in q->aggs,
 * compiled), GROUP BY keys become slots in a grouped query; `aggs_ok` 0 refuses an
 * aggregate (WHERE, keys, an aggregate's argument). */
int kdo__query_slots(struct kdo_query *q, struct kdo_ast_expr *x, int aggs_ok,
                     struct kdo_errinfo *err);
/* Canonical text of x into a new string (for comparing keys). */
char *kdo__query_print(const struct kdo_ast_expr *x);
/* Sets *err to `rc` at x's position in the query's file. */
int kdo__query_fail(const struct kdo_query *q, int rc, int line, int col, struct kdo_errinfo *err,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* query-plan.c */
int kdo__query_plan(struct kdo_query *q, struct kdo_errinfo *err);
/* The value of constant expression x (no column); a column or a failure to evaluate
 * is an error from the compiler or evaluator. */
int kdo__query_constant(struct kdo_query *q, const struct kdo_ast_expr *x, struct kdo_value *v,
                        struct kdo_errinfo *err);

/* query-run.c */
void kdo__query_part_fini(void *payload);

/* 1 when input column `col` is ROWTIME or always holds it. */
static inline int kdo__query_is_rowtime(const struct kdo_query *q, int col)
{
    return col == q->rowtime_col ||
           (col >= 0 && (size_t)col < q->nrowtime_copy && q->rowtime_copy[col]);
}

#endif

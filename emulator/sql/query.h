/*
 * query.h -- the emulated application's query over typed rows: one pump's
 * SELECT STREAM, given as its syntax tree (select_ast: the SQL form) or as
 * text fragments (where, select, partition_by and the window fields: the
 * structured scenario form, which is made into the same tree), compiled
 * through one plan.
 *
 * Rows come in as text (JSON or CSV, rowfmt.h, read with the declared
 * columns) or typed (kdo_query_input_row, a chained stream's rows), get the
 * implicit ROWTIME and APPROXIMATE_ARRIVAL_TIME columns, are filtered by
 * WHERE and then, by the query's shape (CONTRACT.md §8):
 *
 *   continuous  each row is projected by the SELECT items;
 *   tumbling    GROUP BY keys with a STEP(ROWTIME BY INTERVAL ...) or
 *               FLOOR(ROWTIME TO unit) key (or, in the text form,
 *               `range_ms`), other keys may be event-time buckets: rows
 *               fold into their group's aggregates; when the window ends,
 *               one row per group that had rows, in the order the groups
 *               first appeared, ROWTIME = the window's end; HAVING filters
 *               them;
 *   sliding     aggregates OVER a window -- WINDOW w AS (PARTITION BY keys
 *               RANGE INTERVAL ... PRECEDING | ROWS n PRECEDING), named or
 *               inline, several per query, each aggregate over its own: one
 *               output row per input row, each aggregate over its window's
 *               partition: the rows in [ROWTIME - range, ROWTIME] (a row
 *               exactly `range` old is in) or the row and the n before it;
 *               a row sees only rows that arrived before it;
 *   stagger     WINDOWED BY STAGGER (PARTITION BY keys RANGE INTERVAL ...): a
 *               key's first row opens its window, which closes `range` later
 *               with one row, ROWTIME = the close; the next row opens another.
 *
 * A SELECT item is any expression, aggregates (COUNT(*) / COUNT, SUM, AVG,
 * MIN, MAX) included anywhere in it (SUM(x) / COUNT(*)); in a grouped query
 * a column outside an aggregate must be a GROUP BY key, written the same
 * way, or ROWTIME.  Output columns are named as KDA names them: the alias,
 * a column reference's column name (s.PRICE -> PRICE), else EXPR$n (n the
 * 0-based item position); `*` is every input column, without ROWTIME.
 * Over a sliding window an item may also use the analytic functions
 * LAG(expr [, N [, default]]), FIRST_VALUE(expr) and LAST_VALUE(expr), with
 * [IGNORE | RESPECT] NULLS, anywhere in it (price - LAG(price) OVER w):
 * the value N rows back in the row's window (N a constant, 1 by default;
 * past the window's oldest row the default, evaluated on the current row,
 * or NULL), the window's oldest row, its newest (the row itself); IGNORE
 * NULLS counts only the rows whose value is not NULL.  Their type is the
 * expression's.
 * SELECT STREAM DISTINCT drops rows equal (ROWTIME aside) to one already out
 * in the same tumbling window, or, for a continuous query, with the same
 * value of its monotonic item over ROWTIME (FLOOR/STEP), which KDA
 * requires.  Refused at compile time with file:line:col and the feature's
 * name: JOIN, TABLE(...), a subquery in FROM (the binder makes it a
 * stream), UNION ALL, COUNT(DISTINCT) (KDA refuses it in streaming
 * aggregation), other analytic functions (NTH_VALUE, ...), analytic
 * functions in a grouped query, ORDER BY in a window, an undefined window
 * name.  Rows are written in the destination's
 * RecordFormatType, or handed over typed (sink->typed).  A row that cannot
 * be read or evaluated goes to the error stream (the sink's error callback,
 * with KDA's ERROR_NAME and MESSAGE), never silently dropped.  ROWTIME never
 * goes back: a row given an earlier time than the last gets the last one,
 * as KDA's ROWTIME is monotonic.  No clock: windows close in
 * kdo_query_advance() at kdo_query_next_deadline().
 */
#ifndef KDO_QUERY_H
#define KDO_QUERY_H

#include "base/errors.h"
#include "base/ktime.h"
#include "sql/ast.h"
#include "sql/row.h"
#include "sql/rowfmt.h"

#include <stddef.h>
#include <stdint.h>

enum kdo_query_window {
    KDO_QUERY_CONTINUOUS,
    KDO_QUERY_TUMBLING,
    KDO_QUERY_SLIDING,
    KDO_QUERY_STAGGER,
};

struct kdo_query_config {
    const char *const *columns; /* input column names (SQL identifiers) */
    const char *const *types;   /* their types: VARCHAR(n), BIGINT, INTEGER, REAL, DOUBLE,
                                   BOOLEAN, TIMESTAMP */
    size_t ncolumns;            /* 0: the console's demo ticker schema */
    enum kdo_rowfmt_format input_format, output_format;
    const char *where;          /* NULL: every row */
    const char *const *select;  /* "EXPR [AS NAME]" each; NULL: every input column */
    size_t nselect;
    int64_t epoch_ms;           /* wall-clock time of t = 0, for ROWTIME */
    /* The window; all zero: continuous. */
    enum kdo_query_window window;
    const char *const *partition_by; /* GROUP BY / PARTITION BY expressions */
    size_t npartition;
    int64_t range_ms; /* tumbling width unless a key is STEP/FLOOR(ROWTIME); sliding and
                         stagger RANGE */
    int by_rows;      /* sliding: ROWS `rows` PRECEDING instead of RANGE */
    uint64_t rows;
    unsigned width_divisor; /* 0 or 1: windows as written; 2: half as wide (the planted
                               fast-cadence bug, set by kdo_bug_query()) */
    /* When set: the whole SELECT STREAM (borrowed for kdo_query_new only); where, select,
     * partition_by, window, range_ms, by_rows and rows are unused. */
    const struct kdo_ast_select *select_ast;
    /* When set: the input stream's typed columns, without ROWTIME (borrowed, must outlive
     * the query); columns/types/ncolumns are unused. */
    const struct kdo_row_schema *input_schema;
    /* The stream the SELECT reads, resolved ("SOURCE_SQL_STREAM_001"); names qualified by
     * it or by the FROM alias resolve.  NULL: SOURCE_SQL_STREAM_001. */
    const char *input_name;
    const char *file; /* for error positions (file:line:col); may be NULL */
    /* NULL, or one flag per input_schema column: 1 when the column always
     * holds its row's ROWTIME (a pump wrote ROWTIME there, as the SQL
     * Reference's `rowtime AS window_time` does).  Such a column is
     * monotonic like ROWTIME: STEP/FLOOR over it makes tumbling windows and
     * DISTINCT buckets as over ROWTIME.  Copied by kdo_query_new. */
    const unsigned char *rowtime_copies;
};

/* Partitions (groups) alive at once at most; a row that would make one
 * more goes to the error stream. */
#define KDO_QUERY_MAX_PARTITIONS 100000
/* Rows all sliding windows of a query hold together at most; a row past it
 * goes to the error stream (WINDOW_TOO_LARGE). */
#define KDO_QUERY_MAX_WINDOW_ROWS 10000000

/* A row that went to the error stream. */
struct kdo_query_error {
    const char *name; /* ERROR_NAME, static */
    char message[600];
    const char *data;   /* DATA_ROW: the input row (borrowed for the call), or NULL for */
    size_t data_len;    /* a window's output row */
    int64_t rowtime_ms; /* DATA_ROWTIME, wall-clock ms */
    const char *pump;   /* PUMP_NAME when a program knows it (borrowed), or NULL */
};

struct kdo_query;

/* Compiles a query.  Returns 0 and a new query, or KDO_EPARSE/KDO_ESCHEMA/
 * KDO_EINVAL with *err filled (line/column within the expression at fault). */
int kdo_query_new(const struct kdo_query_config *c, struct kdo_query **out,
                  struct kdo_errinfo *err);
void kdo_query_free(struct kdo_query *q);

/* Where output rows and error-stream rows go.  `row` gets each output row
 * (borrowed for the call) and the time it enters the destination stream,
 * and returns 0 or an error that stops the query's call; `error` gets each
 * row that went to the error stream. */
struct kdo_query_sink {
    int (*row)(void *ctx, kdo_time_ns now, const char *row, size_t len);
    void (*error)(void *ctx, kdo_time_ns now, const struct kdo_query_error *e);
    void *ctx;
    /* When set, output rows go here as typed rows (schema = kdo_query_output_schema(),
     * borrowed for the call) and are not formatted; `row` is not called. */
    int (*typed)(void *ctx, kdo_time_ns rowtime, const struct kdo_row *out);
};

/* The output stream's columns: names (the alias, a column reference's column name, or
 * EXPR$n as KDA names the others) and types; borrowed from the query. */
const struct kdo_row_schema *kdo_query_output_schema(const struct kdo_query *q);

/* Runs one typed row (a source's, or a chained in-application stream's; schema = the
 * config's input_schema, borrowed for the call) at `rowtime`, after closing the windows
 * due by then; APPROXIMATE_ARRIVAL_TIME is `arrival` (a chained stream's rows pass their
 * ROWTIME).  Returns 0, KDO_EINVAL if `in` is not of the input schema, or what the sink
 * returned. */
int kdo_query_input_row(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                        const struct kdo_row *in, const struct kdo_query_sink *sink);

/* Runs one source row read at `rowtime` that arrived at `arrival`, after
 * closing the windows due by then.  Returns 0 or what sink->row returned. */
int kdo_query_input(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                    const char *data, size_t len, const struct kdo_query_sink *sink);
/* When a window next closes on its own, or KDO_TIME_NEVER. */
kdo_time_ns kdo_query_next_deadline(const struct kdo_query *q);
/* Closes the windows due at `now`.  Returns 0 or what sink->row returned. */
int kdo_query_advance(struct kdo_query *q, kdo_time_ns now, const struct kdo_query_sink *sink);
/* The window's width or range in ms (a tumbling window's from its STEP or
 * FLOOR key when it has one); 0 for continuous and ROWS windows. */
int64_t kdo_query_window_ms(const struct kdo_query *q);
/* 1 when input rows only fold into aggregates (tumbling, stagger), so
 * reading one needs no room in the destination stream. */
int kdo_query_folds(const struct kdo_query *q);

/* A continuous query, one row: returns 1 and the output row in *out and
 * *out_len (borrowed until the next call); 0 if WHERE dropped it;
 * KDO_EPARSE if it went to the error stream (*e); KDO_EINVAL for a
 * windowed query. */
int kdo_query_apply(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                    const char *data, size_t len, const char **out, size_t *out_len,
                    struct kdo_query_error *e);

#endif

/*
 * query.h -- a continuous query over typed rows: SELECT STREAM ... WHERE ...
 *
 * The first query of the emulated application's model (issue #5): source
 * rows are read with the input schema (JSON or CSV, rowfmt.h), get the
 * implicit ROWTIME and APPROXIMATE_ARRIVAL_TIME columns, are filtered by a
 * WHERE expression and projected by SELECT expressions (expr.h), and are
 * written in the destination's RecordFormatType.  A row that cannot be read
 * or evaluated goes to the error stream instead -- returned with KDA's
 * ERROR_NAME and MESSAGE -- never silently dropped.  Windows will compile to
 * the same model; SQL text will compile to this configuration.
 */
#ifndef KDO_QUERY_H
#define KDO_QUERY_H

#include "errors.h"
#include "ktime.h"
#include "rowfmt.h"

#include <stddef.h>
#include <stdint.h>

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
};

/* A row that went to the error stream. */
struct kdo_query_error {
    const char *name; /* ERROR_NAME, static */
    char message[600];
};

struct kdo_query;

/* Compiles a query.  Returns 0 and a new query, or KDO_EPARSE/KDO_ESCHEMA/
 * KDO_EINVAL with *err filled (line/column within the expression at fault). */
int kdo_query_new(const struct kdo_query_config *c, struct kdo_query **out,
                  struct kdo_errinfo *err);
void kdo_query_free(struct kdo_query *q);

/* Runs one source row read at `rowtime` that arrived at `arrival`.  Returns
 * 1 and the output row in *out and *out_len (borrowed until the next call); 0 if the
 * WHERE clause dropped it; KDO_EPARSE if it went to the error stream (*e). */
int kdo_query_apply(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                    const char *data, size_t len, const char **out, size_t *out_len,
                    struct kdo_query_error *e);

#endif

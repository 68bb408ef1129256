/*
 * program.h -- a KDA application's SQL, running: source rows in, the rows
 * of the in-application streams that destinations read out.
 *
 * kdo_program_new() parses the application code (parse.h), binds it
 * (bind.h) and compiles one query per pump (query.h).  A source row (bytes
 * in the input format) becomes a typed row of its source stream at its
 * ROWTIME and goes to every pump reading that stream.  A pump's output row
 * is cast to its target stream's declared column types (INSERT list or position; a
 * DOUBLE column receives 2.0, a longer VARCHAR is cut to the column's n as
 * KDA's CHAR/VARCHAR coercion does, a value that does not convert goes to
 * the error stream), then goes to every pump reading the target and, when
 * the target is an output, is written (JSON or CSV, the declared column
 * names, no ROWTIME) to the sink for each output reading it.  Several
 * pumps may write one stream; rows arrive in the order produced.  A pump
 * whose FROM is a JOIN (join.h) gets the rows of both its streams, or of a
 * stream and a reference table (kdo_program_load_table).  Windows
 * close at advance(now), upstream pumps first.  Bounded: KDO_BIND_MAX_*
 * streams and pumps, KDO_PROGRAM_MAX_ROWS_PER_STEP rows per call (the rest
 * go to the error stream).  No clock.  Known gaps: every query sees
 * APPROXIMATE_ARRIVAL_TIME equal to ROWTIME (query.h's typed input takes no
 * arrival), and SHARD_ID / PARTITION_KEY are no columns (GAPS #33).
 */
#ifndef KDO_SQL_PROGRAM_H
#define KDO_SQL_PROGRAM_H

#include "base/errors.h"
#include "base/ktime.h"
#include "sql/query.h"
#include "sql/row.h"
#include "sql/rowfmt.h"

#include <stddef.h>
#include <stdint.h>

#define KDO_PROGRAM_MAX_OUTPUTS 3 /* KDA's destinations per application */
/* Rows all streams receive in one input or advance call at most. */
#define KDO_PROGRAM_MAX_ROWS_PER_STEP 1000000
#define KDO_PROGRAM_MAX_TABLES 8 /* reference tables of one application */

/* A reference table: KDA's reference data source, an S3 object read into an
 * in-application table that a query JOINs (bind.h).  Its rows come from
 * kdo_program_load_table(); until then it has none. */
struct kdo_program_table {
    const char *name;                    /* exact, as the SQL names it */
    const struct kdo_row_schema *schema; /* its columns (borrowed, must outlive the program) */
    enum kdo_rowfmt_format format;       /* of its records, one per line */
};

struct kdo_program_config {
    const char *sql;    /* the application code (borrowed for the call) */
    size_t sql_len;
    const char *file;   /* for messages ("app.sql" or the scenario); borrowed, must outlive */
    const char *name_prefix; /* NULL: "SOURCE_SQL_STREAM" (KDA's NamePrefix) */
    unsigned parallelism;    /* 1..64, 0 means 1 (KDA's InputParallelism): _001.._0NN */
    const char *source_stream; /* NULL, or the one source stream's exact name (bind.h) */
    const struct kdo_row_schema *input_schema; /* the source's columns, without ROWTIME
                                                  (borrowed, must outlive the program) */
    enum kdo_rowfmt_format input_format;
    int64_t epoch_ms;                 /* wall-clock ms of t = 0 */
    uint64_t seed;                    /* the run's: RANDOM_CUT_FOREST's trees */
    const char *const *outputs;       /* in-application stream names destinations read */
    const enum kdo_rowfmt_format *output_formats;
    size_t noutputs;                  /* 1..KDO_PROGRAM_MAX_OUTPUTS */
    const struct kdo_program_table *tables; /* reference tables (borrowed for the call) */
    size_t ntables;                         /* 0..KDO_PROGRAM_MAX_TABLES */
};

struct kdo_program;

/* Where output rows and error-stream rows go.  `row` gets output `output`'s
 * rows (borrowed for the call) with their ROWTIME and returns 0 or an error
 * that stops the call; `error` gets each error-stream row. */
struct kdo_program_sink {
    int (*row)(void *ctx, size_t output, kdo_time_ns rowtime, const char *row, size_t len);
    void (*error)(void *ctx, kdo_time_ns rowtime, const struct kdo_query_error *e);
    void *ctx;
};

/* Compiles the application.  Returns 0 and a new program; KDO_EPARSE,
 * KDO_ESCHEMA, KDO_EINVAL or KDO_ETOOBIG with *e filled (file:line:col in
 * the SQL and a sentence): what the parser, binder or a query refused, or
 * an output stream that is not declared or that no pump writes. */
int kdo_program_new(const struct kdo_program_config *c, struct kdo_program **out,
                    struct kdo_errinfo *e);
/* kdo_program_free(NULL) is a no-op. */
void kdo_program_free(struct kdo_program *p);

/* A source row data[0..len) (borrowed for the call) in the input format
 * into source stream `source` (0..parallelism-1), read at `rowtime`, having
 * arrived at `arrival`; windows due by `rowtime` close first.  Returns 0,
 * KDO_EINVAL for a bad source, or what sink->row returned. */
int kdo_program_input(struct kdo_program *p, unsigned source, kdo_time_ns rowtime,
                      kdo_time_ns arrival, const char *data, size_t len,
                      const struct kdo_program_sink *sink);
/* When a window next closes, or KDO_TIME_NEVER. */
kdo_time_ns kdo_program_next_deadline(const struct kdo_program *p);
/* Closes the windows due at `now`.  Returns 0 or what sink->row returned. */
int kdo_program_advance(struct kdo_program *p, kdo_time_ns now,
                        const struct kdo_program_sink *sink);
/* Replaces the rows of reference table `name` with the records of
 * data[0..len) (borrowed for the call): one per line in the table's format,
 * blank lines skipped, nothing else skipped (KDA reads a CSV header line as a
 * row).  KDA reloads reference data when told to; the joins see the new rows
 * from the next input on.  `file` names the data in messages.  Returns 0;
 * KDO_EINVAL (no such table), KDO_EPARSE or KDO_ESCHEMA (a record that does
 * not read: e has file:line:column and why) or KDO_ETOOBIG (past
 * reftable.h's KDO_REFTABLE_MAX_BYTES or _ROWS).  On error the table keeps its rows. */
int kdo_program_load_table(struct kdo_program *p, const char *name, const char *data,
                           size_t len, const char *file, struct kdo_errinfo *e);
/* The number of input streams (the configuration's parallelism). */
unsigned kdo_program_sources(const struct kdo_program *p);
/* 1 when source rows never reach output i directly, only through
 * aggregates (a tumbling or stagger pump on every path), so reading one
 * needs no room in that destination stream. */
int kdo_program_folds(const struct kdo_program *p, size_t output);

#endif

/*
 * bind.h -- the binder: a KDA application's syntax tree (ast.h) and its
 * input configuration become a catalog of in-application streams and the
 * pumps between them.
 *
 * Streams: the source streams <prefix>_001 .. <prefix>_0NN (KDA's
 * NamePrefix and InputParallelism) with the input columns (ROWTIME and
 * APPROXIMATE_ARRIVAL_TIME are added by every query, query.h); each CREATE [OR REPLACE] STREAM with its declared columns; and one
 * internal stream per subquery in a FROM, named by the
 * subquery's alias, whose columns are its query's output (known only once
 * that query is compiled: program.c fills them in).  ROWTIME, which every
 * stream has, is in no schema: it travels beside each row.  Pumps: each CREATE
 * PUMP ... AS INSERT INTO target [(cols)] SELECT STREAM ... FROM stream,
 * with the target column each SELECT item goes to; a subquery adds a pump
 * of its own writing its internal stream, listed before the pump reading
 * it.  Names are matched as KDA stores them (unquoted folded to upper
 * case, quoted exact).  The binder refuses, with file:line:col and what is
 * wrong: an unknown stream or column (with the nearest name), a pump into
 * a source stream, an INSERT whose SELECT has another number of items than
 * the target has columns, a stream or pump declared twice, a cycle of
 * pumps, a query outside a pump (unless it is the whole application: then
 * its rows are the stream DESTINATION_SQL_STREAM, with the query's own
 * columns -- the SQL Reference's examples are written so), and what kdaout
 * does not run yet (UNION ALL, ... by name).  A JOIN makes a pump with two
 * sources (join.h); a reference table is a stream only a JOIN reads.  It does not compile
 * expressions or check types: the query does (query.h).
 */
#ifndef KDO_SQL_BIND_H
#define KDO_SQL_BIND_H

#include "base/errors.h"
#include "sql/ast.h"
#include "sql/row.h"

#include <stdbool.h>
#include <stddef.h>

#define KDO_BIND_MAX_PARALLELISM 64 /* KDA's limit of input streams */
#define KDO_BIND_MAX_STREAMS 256    /* in-application streams of one application */
#define KDO_BIND_MAX_PUMPS 256

/* A reference table: read by a JOIN only (join.h), written by no pump. */
struct kdo_bind_table {
    const char *name; /* exact */
    const struct kdo_row_schema *schema;
};

struct kdo_bind_config {
    const char *file;        /* for messages; borrowed */
    const char *name_prefix; /* NULL: "SOURCE_SQL_STREAM" */
    unsigned parallelism;    /* 1..64; 0 means 1 */
    const char *source_stream; /* NULL, or the one source stream's exact name, dotted names
                                  included ("AGGTEST.WEATHERSTREAM"): for SQL written against
                                  a named stream, as the SQL Reference's examples are; replaces
                                  name_prefix and parallelism */
    const struct kdo_row_schema *input_schema; /* the source's columns (borrowed) */
    const struct kdo_bind_table *tables;       /* reference tables (borrowed for the call) */
    size_t ntables;
};

enum kdo_bind_kind {
    KDO_BIND_SOURCE,   /* fed by the application's input */
    KDO_BIND_DECLARED, /* CREATE [OR REPLACE] STREAM */
    KDO_BIND_INTERNAL, /* a subquery in a FROM */
    KDO_BIND_TABLE,    /* a reference table */
};

struct kdo_bind_stream {
    char name[KDO_ROW_MAX_NAME + 1];
    enum kdo_bind_kind kind;
    /* Columns a row carries (not ROWTIME); NULL for an internal stream
     * until its query is compiled (owned by the catalog). */
    struct kdo_row_schema *schema;
    size_t nvisible; /* the first nvisible columns are what SELECT * gives */
    int line, col;   /* the declaration (0 for a source) */
    bool result;     /* the rows of an application that is one bare SELECT STREAM */
};

struct kdo_bind_pump {
    char name[KDO_ROW_MAX_NAME + 1]; /* the pump's, or "<outer pump>$n" for a subquery's */
    size_t source, target;           /* stream indexes */
    /* FROM a JOIN b: join is the JOIN (borrowed), source reads a, source2 b. */
    const struct kdo_ast_from *join;
    size_t source2;
    const struct kdo_ast_select *select; /* borrowed from the tree; NULL for a call */
    const struct kdo_ast_expr *call; /* TABLE(call): a stream function (tablefn.h), or NULL */
    const struct kdo_ast_order *order; /* the query's ORDER BY (orderby.h), or NULL */
    const char *from_alias;          /* the FROM alias or NULL (borrowed) */
    /* Target column of output column i, or NULL: output column i goes to
     * column i (no INSERT list).  nmap items. */
    int *map;
    size_t nmap;
    int line, col;
};

struct kdo_bind_program {
    struct kdo_bind_stream *streams;
    size_t nstreams, nsources; /* sources are streams 0..nsources-1, then the tables */
    struct kdo_bind_pump *pumps;
    size_t npumps;
};

/* Binds program p (borrowed: pumps point into it, so it must outlive the
 * result).  Returns 0 and a new catalog in *out; KDO_ESCHEMA (a name that
 * does not resolve, a duplicate, a count mismatch, a cycle), KDO_EPARSE (an
 * unsupported feature) or KDO_EINVAL (a bad configuration) with *e filled
 * (file:line:col and a sentence). */
int kdo_bind(const struct kdo_ast_program *p, const struct kdo_bind_config *c,
             struct kdo_bind_program **out, struct kdo_errinfo *e);
/* kdo_bind_free(NULL) is a no-op. */
void kdo_bind_free(struct kdo_bind_program *b);

/* The index of the stream named exactly name, or -1. */
int kdo_bind_find(const struct kdo_bind_program *b, const char *name);

/* Sets s's columns, all visible (for program.c when it fills in an
 * internal stream's schema).  Steals schema. */
void kdo_bind_set_schema(struct kdo_bind_stream *s, struct kdo_row_schema *schema);

#endif

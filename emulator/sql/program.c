/*
 * program.c -- running a bound application: rows pushed through streams
 * and pumps.
 *
 * Each stream keeps one row, filled when a row enters it and handed to its
 * readers (pumps, then outputs) before the next enters: the pump graph has
 * no cycle (the binder refuses one), so a stream is never re-entered while
 * its row is in use, and a row is carried to the end of the chain before
 * the pump that made it makes the next.  A pump is one query (query.h) over
 * typed rows; its output rows come back through the query's typed sink,
 * are cast to the target's columns, and are pushed on.  Pumps advance in
 * the order of their source's depth (a source stream is depth 0), so rows
 * a window emits at `now` reach downstream windows due at `now` before
 * those close.  The syntax tree lives only through kdo_program_new().
 */
#include "sql/program.h"

#include "base/arena.h"
#include "base/bounds.h"
#include "base/buf.h"
#include "sql/bind.h"
#include "sql/join.h"
#include "sql/orderby.h"
#include "sql/parse.h"
#include "sql/reftable.h"
#include "sql/tablefn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream_rt {
    struct kdo_row *row;
    size_t *readers; /* pumps reading the stream */
    size_t nreaders;
    size_t outputs[KDO_PROGRAM_MAX_OUTPUTS]; /* outputs reading it */
    size_t noutputs;
    int depth;  /* pumps between a source and this stream at most */
    int direct; /* a source row can reach it through pumps that do not fold */
    unsigned char *copy; /* per column: every pump writing it writes ROWTIME there */
};

/* A pump runs a query, or a stream function read through TABLE(...). */
struct pump_rt {
    struct kdo_program *prog;
    size_t index;
    struct kdo_query *q;
    struct kdo_tablefn *fn;
    struct kdo_join *join;     /* FROM a JOIN b: joined rows go on to the query */
    struct kdo_orderby *order; /* ORDER BY: the query's rows wait here, then go on */
    struct kdo_query_sink sink, sorted, joined;
};

struct kdo_program {
    struct kdo_bind_program *b;
    const char *file;
    int64_t epoch_ms;
    uint64_t seed;
    struct stream_rt *streams;
    struct pump_rt *pumps;
    size_t *order; /* pumps by their source's depth */
    enum kdo_rowfmt_format input_format;
    enum kdo_rowfmt_format formats[KDO_PROGRAM_MAX_OUTPUTS];
    size_t output_stream[KDO_PROGRAM_MAX_OUTPUTS], noutputs;
    const struct kdo_row_schema *input_schema;
    struct kdo_reftable *tables[KDO_PROGRAM_MAX_TABLES];
    char *table_names[KDO_PROGRAM_MAX_TABLES];
    size_t ntables;
    struct kdo_row *read;
    struct kdo_rowfmt_reader *reader;
    struct kdo_arena scratch;
    struct kdo_buf text;
    /* The call in progress. */
    const struct kdo_program_sink *sink;
    uint64_t step_rows;
    kdo_time_ns arrival; /* the source row's APPROXIMATE_ARRIVAL_TIME */
};

static int64_t wall_ms(const struct kdo_program *p, kdo_time_ns t)
{
    return p->epoch_ms + t / KDO_MS;
}

/* An error-stream row; `pump` (PUMP_NAME) is the pump at fault, or NULL. */
static void error_row(struct kdo_program *p, kdo_time_ns rowtime, const char *pump,
                      const char *name, const char *data, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static void error_row(struct kdo_program *p, kdo_time_ns rowtime, const char *pump,
                      const char *name, const char *data, size_t len, const char *fmt, ...)
{
    struct kdo_query_error e = {.name = name, .data = data, .data_len = len,
                                .rowtime_ms = wall_ms(p, rowtime), .pump = pump};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    p->sink->error(p->sink->ctx, rowtime, &e);
}

/* ---- running ------------------------------------------------------------------------ */

/* The row of stream s goes to the outputs reading it, then to its pumps. */
static int push(struct kdo_program *p, size_t s, kdo_time_ns rowtime)
{
    struct stream_rt *st = &p->streams[s];
    if (++p->step_rows > KDO_PROGRAM_MAX_ROWS_PER_STEP) {
        if (p->step_rows == KDO_PROGRAM_MAX_ROWS_PER_STEP + 1)
            error_row(p, rowtime, NULL, "TOO_MANY_ROWS", NULL, 0,
                      "more than 1,000,000 rows in one step; kdaout drops the rest of "
                      "the step's rows");
        return 0;
    }
    for (size_t i = 0; i < st->noutputs; i++) {
        size_t o = st->outputs[i];
        kdo_buf_reset(&p->text);
        if (kdo_rowfmt_write(&p->text, st->row, p->formats[o]) != 0) {
            error_row(p, rowtime, NULL, "ROW_TOO_LARGE", NULL, 0,
                      "a row of %s is over KDA's 512 KB limit", p->b->streams[s].name);
            continue;
        }
        int rc =
            p->sink->row(p->sink->ctx, o, rowtime, p->text.data ? p->text.data : "", p->text.len);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < st->nreaders; i++) {
        struct pump_rt *pr = &p->pumps[st->readers[i]];
        const struct kdo_bind_pump *bp = &p->b->pumps[pr->index];
        kdo_time_ns arrival = s < p->b->nsources ? p->arrival : rowtime;
        int rc = 0;
        if (pr->join) { /* a self-join reads the row on both sides */
            if (bp->source == s)
                rc = kdo_join_input(pr->join, KDO_JOIN_LEFT, rowtime, st->row, &pr->joined);
            if (rc == 0 && bp->source2 == s)
                rc = kdo_join_input(pr->join, KDO_JOIN_RIGHT, rowtime, st->row, &pr->joined);
        } else if (pr->fn) {
            rc = kdo_tablefn_input_row(pr->fn, rowtime, st->row, &pr->sink);
        } else {
            rc = kdo_query_input_row(pr->q, rowtime, arrival, st->row, &pr->sink);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* A joined row: on to the pump's query. */
static int join_row(void *ctx, kdo_time_ns rowtime, const struct kdo_row *row)
{
    struct pump_rt *pr = ctx;
    return kdo_query_input_row(pr->q, rowtime, rowtime, row, &pr->sink);
}

/* A pump's output row: cast into its target's columns, then pushed on. */
static int pump_row(void *ctx, kdo_time_ns rowtime, const struct kdo_row *out)
{
    struct pump_rt *pr = ctx;
    struct kdo_program *p = pr->prog;
    const struct kdo_bind_pump *bp = &p->b->pumps[pr->index];
    const struct kdo_bind_stream *t = &p->b->streams[bp->target];
    struct kdo_row *row = p->streams[bp->target].row;
    size_t n = kdo_row_schema_count(kdo_row_schema(out));
    kdo_row_clear(row);
    kdo_arena_reset(&p->scratch);
    for (size_t i = 0; i < n; i++) {
        size_t c = bp->map ? (size_t)bp->map[i] : i;
        const struct kdo_row_column *col = kdo_row_schema_column(t->schema, c);
        struct kdo_errinfo ei = {0};
        struct kdo_value v;
        /* A DECIMAL(p,s) column casts at its own precision and scale. */
        const struct kdo_value *in = kdo_row_get(out, i);
        int rc = col->type == KDO_TYPE_DECIMAL && col->scale >= 0 &&
                         kdo_type_castable(in->type, KDO_TYPE_DECIMAL)
                     ? kdo_value_cast_decimal(in, col->precision, col->scale, &v, &ei)
                     : kdo_value_cast(in, col->type, col->max_len, &p->scratch, &v, &ei);
        if (rc || kdo_row_set(row, c, &v, &ei)) {
            error_row(p, rowtime, bp->name, "TYPE_CONVERSION_ERROR", NULL, 0,
                      "pump %s into %s.%s: %s", bp->name, t->name, col->name, ei.msg);
            return 0;
        }
    }
    return push(p, bp->target, rowtime);
}

static int sort_row(void *ctx, kdo_time_ns rowtime, const struct kdo_row *out)
{
    struct pump_rt *pr = ctx;
    return kdo_orderby_row(pr->order, rowtime, out, &pr->sorted);
}

static void pump_error(void *ctx, kdo_time_ns now, const struct kdo_query_error *e)
{
    struct pump_rt *pr = ctx;
    struct kdo_query_error named = *e;
    named.pump = pr->prog->b->pumps[pr->index].name; /* KDA's PUMP_NAME: the pump at fault */
    pr->prog->sink->error(pr->prog->sink->ctx, now, &named);
}

static int advance(struct kdo_program *p, kdo_time_ns now)
{
    for (size_t i = 0; i < p->b->npumps; i++) {
        struct pump_rt *pr = &p->pumps[p->order[i]];
        int rc = pr->join ? kdo_join_advance(pr->join, now, &pr->joined) : 0;
        if (rc == 0)
            rc = pr->fn ? kdo_tablefn_advance(pr->fn, now, &pr->sink)
                        : kdo_query_advance(pr->q, now, &pr->sink);
        if (rc == 0 && pr->order)
            rc = kdo_orderby_advance(pr->order, now, &pr->sorted);
        if (rc)
            return rc;
    }
    return 0;
}

int kdo_program_advance(struct kdo_program *p, kdo_time_ns now,
                        const struct kdo_program_sink *sink)
{
    p->sink = sink;
    p->step_rows = 0;
    return advance(p, now);
}

kdo_time_ns kdo_program_next_deadline(const struct kdo_program *p)
{
    kdo_time_ns next = KDO_TIME_NEVER;
    for (size_t i = 0; i < p->b->npumps; i++) {
        const struct pump_rt *pr = &p->pumps[i];
        kdo_time_ns t = pr->fn ? kdo_tablefn_next_deadline(pr->fn)
                               : kdo_query_next_deadline(pr->q);
        kdo_time_ns o = pr->order ? kdo_orderby_next_deadline(pr->order) : KDO_TIME_NEVER;
        kdo_time_ns jn = pr->join ? kdo_join_next_deadline(pr->join) : KDO_TIME_NEVER;
        t = o < t ? o : t;
        t = jn < t ? jn : t;
        next = t < next ? t : next;
    }
    return next;
}

/* The source row: the input columns as read.  APPROXIMATE_ARRIVAL_TIME is
 * the query's (query.h: equal to ROWTIME for a typed row). */
static void set_columns(struct kdo_program *p, struct kdo_row *row)
{
    for (size_t i = 0; i < kdo_row_schema_count(p->input_schema); i++)
        kdo_row_set(row, i, kdo_row_get(p->read, i), NULL);
}

int kdo_program_input(struct kdo_program *p, unsigned source, kdo_time_ns rowtime,
                      kdo_time_ns arrival, const char *data, size_t len,
                      const struct kdo_program_sink *sink)
{
    struct kdo_rowfmt_error re;
    if (source >= p->b->nsources)
        return KDO_EINVAL;
    p->sink = sink;
    p->step_rows = 0;
    rowtime -= rowtime % KDO_MS; /* ROWTIME is a TIMESTAMP: milliseconds */
    p->arrival = arrival;
    int rc = advance(p, rowtime);
    if (rc)
        return rc;
    struct kdo_row *row = p->streams[source].row;
    kdo_row_clear(row);
    if (kdo_rowfmt_read(p->reader, p->input_format, data, len, p->read, &re) != 0) {
        error_row(p, rowtime, NULL, re.name ? re.name : "PARSE_ERROR", data, len, "%s", re.msg);
        return 0;
    }
    set_columns(p, row);
    return push(p, source, rowtime);
}

int kdo_program_load_table(struct kdo_program *p, const char *name, const char *data,
                           size_t len, const char *file, struct kdo_errinfo *e)
{
    for (size_t i = 0; i < p->ntables; i++)
        if (strcmp(p->table_names[i], name) == 0)
            return kdo_reftable_load(p->tables[i], data, len, file, e);
    return kdo_errinfo_set(e, KDO_EINVAL, file, 0, 0, "the application has no reference "
                           "table %s", name);
}

unsigned kdo_program_sources(const struct kdo_program *p)
{
    return (unsigned)p->b->nsources;
}

int kdo_program_folds(const struct kdo_program *p, size_t output)
{
    return output < p->noutputs && !p->streams[p->output_stream[output]].direct;
}

/* ---- compiling ---------------------------------------------------------------------- */

/* The query reads one stream: a SELECT whose FROM is a subquery reads the
 * subquery's internal stream, named by its alias (a shallow copy of the
 * SELECT with that FROM, in the tree's arena). */
static const struct kdo_ast_select *from_internal(const struct kdo_ast_select *s,
                                                  struct kdo_arena *arena)
{
    struct kdo_ast_select *copy = kdo_ast_alloc(arena, sizeof *copy);
    struct kdo_ast_from *f = kdo_ast_alloc(arena, sizeof *f);
    if (copy == NULL || f == NULL)
        return NULL;
    *copy = *s;
    *f = *s->from;
    f->kind = KDO_AST_FROM_STREAM;
    f->query = NULL;
    f->stream.n = 1;
    f->stream.part[0] = s->from->alias;
    copy->from = f;
    return copy;
}

/* 1 when an item is a bare (or stream-qualified) ROWTIME. */
static int is_rowtime_item(const struct kdo_ast_item *it)
{
    const struct kdo_ast_expr *x = it->expr;
    return x->kind == KDO_AST_NAME && x->name.n <= 2 &&
           strcmp(x->name.part[x->name.n - 1].s, "ROWTIME") == 0;
}

/* The columns of each stream that always hold their row's ROWTIME: those
 * every pump writing the stream fills with ROWTIME (the SQL Reference's
 * `rowtime AS window_time`), by position or INSERT list.  A pump with a *
 * says nothing.  From the tree, before any pump compiles: a pump may read a
 * stream whose writer comes later in the file.  Then STEP/FLOOR over such a
 * column makes windows as over ROWTIME (query.h's rowtime_copies). */
static void find_rowtime_copies(struct kdo_program *p)
{
    const struct kdo_bind_program *b = p->b;
    size_t *writers = kdo_xcalloc(b->nstreams + 1, sizeof *writers);
    unsigned char *says = kdo_xcalloc(KDO_ROW_MAX_COLUMNS, 1);
    for (size_t s = 0; s < b->nstreams; s++)
        p->streams[s].copy = kdo_xcalloc(KDO_ROW_MAX_COLUMNS, 1);
    for (size_t i = 0; i < b->npumps; i++)
        writers[b->pumps[i].target]++;
    for (size_t s = b->nsources; s < b->nstreams; s++) {
        unsigned short votes[KDO_ROW_MAX_COLUMNS] = {0};
        for (size_t i = 0; i < b->npumps; i++) {
            const struct kdo_bind_pump *bp = &b->pumps[i];
            if (bp->target != s || bp->select == NULL || bp->join) /* o.ROWTIME is no copy */
                continue;
            memset(says, 0, KDO_ROW_MAX_COLUMNS);
            size_t k = 0;
            for (const struct kdo_ast_item *it = bp->select->items; it; it = it->next, k++) {
                if (it->expr->kind == KDO_AST_STAR) {
                    memset(says, 0, KDO_ROW_MAX_COLUMNS);
                    break;
                }
                size_t col = bp->map && k < bp->nmap ? (size_t)bp->map[k] : k;
                if (col < KDO_ROW_MAX_COLUMNS && is_rowtime_item(it))
                    says[col] = 1;
            }
            for (size_t c = 0; c < KDO_ROW_MAX_COLUMNS; c++)
                votes[c] += says[c];
        }
        for (size_t c = 0; c < KDO_ROW_MAX_COLUMNS; c++)
            p->streams[s].copy[c] = writers[s] > 0 && votes[c] == writers[s];
    }
    free(says);
    free(writers);
}

static const struct kdo_reftable *table_of(const struct kdo_program *p, size_t s)
{
    for (size_t i = 0; p->b->streams[s].kind == KDO_BIND_TABLE && i < p->ntables; i++)
        if (strcmp(p->table_names[i], p->b->streams[s].name) == 0)
            return p->tables[i];
    return NULL;
}

/* FROM a JOIN b: the join (join.h), and the query over its joined rows. */
static int compile_join(struct kdo_program *p, struct pump_rt *pr, struct kdo_query_config *qc,
                        struct kdo_arena *arena, struct kdo_errinfo *e)
{
    const struct kdo_bind_pump *bp = &p->b->pumps[pr->index];
    const struct kdo_bind_stream *l = &p->b->streams[bp->source];
    const struct kdo_bind_stream *r = &p->b->streams[bp->source2];
    struct kdo_join_config jc = {.from = bp->join, .windows = bp->select->windows,
                                 .schema = {l->schema, r->schema}, .name = {l->name, r->name},
                                 .table = {table_of(p, bp->source), table_of(p, bp->source2)},
                                 .file = p->file, .epoch_ms = p->epoch_ms};
    int rc = kdo_join_new(&jc, &pr->join, e);
    if (rc == 0)
        rc = kdo_join_select(pr->join, bp->select, bp->name, arena, &qc->select_ast, e);
    qc->input_schema = pr->join ? kdo_join_output_schema(pr->join) : NULL;
    qc->input_name = bp->name;
    qc->rowtime_copies = NULL;
    pr->joined = (struct kdo_query_sink){NULL, pump_error, pr, join_row};
    return rc;
}

static int compile_pump(struct kdo_program *p, size_t i, struct kdo_arena *arena,
                        struct kdo_errinfo *e)
{
    struct kdo_bind_pump *bp = &p->b->pumps[i];
    struct kdo_bind_stream *src = &p->b->streams[bp->source], *t = &p->b->streams[bp->target];
    struct kdo_query_config qc = {.select_ast = bp->select, .input_schema = src->schema,
                                  .input_name = src->name, .file = p->file,
                                  .epoch_ms = p->epoch_ms,
                                  .rowtime_copies = p->streams[bp->source].copy};
    struct pump_rt *pr = &p->pumps[i];
    pr->prog = p;
    pr->index = i;
    pr->sink = (struct kdo_query_sink){NULL, pump_error, pr, pump_row};
    if (bp->call) { /* TABLE(fn(...)): always into an internal stream */
        struct kdo_tablefn_config fc = {.call = bp->call, .input_schema = src->schema,
                                        .file = p->file, .epoch_ms = p->epoch_ms,
                                        .seed = p->seed ^ (0x9e3779b97f4a7c15u * (i + 1))};
        int rc = kdo_tablefn_new(&fc, &pr->fn, e);
        if (rc == 0)
            kdo_bind_set_schema(t, kdo_row_schema_copy(kdo_tablefn_output_schema(pr->fn)));
        return rc;
    }
    if (bp->join) {
        int rc = compile_join(p, pr, &qc, arena, e);
        if (rc)
            return rc;
    } else if (src->kind == KDO_BIND_INTERNAL &&
               (qc.select_ast = from_internal(bp->select, arena)) == NULL)
        return kdo_errinfo_set(e, KDO_ETOOBIG, p->file, bp->line, bp->col, "the SQL is too large");
    int rc = kdo_query_new(&qc, &pr->q, e);
    if (rc && e && e->file == NULL) { /* an expression's error: its place in the fragment */
        e->file = p->file;
        e->line = bp->select->line;
        e->column = bp->select->col;
    }
    if (rc)
        return rc;
    const struct kdo_row_schema *out = kdo_query_output_schema(pr->q);
    if (bp->order) { /* the tree is this program's own (kdo_program_new parsed it) */
        struct kdo_orderby_config oc = {.items = (struct kdo_ast_order *)bp->order,
                                      .schema = out, .input = src->name,
                                      .alias = bp->from_alias, .file = p->file,
                                      .epoch_ms = p->epoch_ms,
                                      .grouped = kdo_query_folds(pr->q)};
        if ((rc = kdo_orderby_new(&oc, &pr->order, e)) != 0)
            return rc;
        pr->sorted = pr->sink;
        pr->sink.typed = sort_row;
    }
    if (t->kind == KDO_BIND_INTERNAL) {
        kdo_bind_set_schema(t, kdo_row_schema_copy(out));
        return 0;
    }
    size_t want = bp->map ? bp->nmap : t->nvisible, have = kdo_row_schema_count(out);
    if (want == have)
        return 0;
    return kdo_errinfo_set(e, KDO_ESCHEMA, p->file, bp->select->line, bp->select->col,
                           "Number of INSERT target columns (%zu) does not equal number of "
                           "source items (%zu): pump %s into %s", want, have, bp->name, t->name);
}

/* The deeper of a pump's sources. */
static int pump_depth(const struct kdo_program *p, const struct kdo_bind_pump *bp)
{
    int d = p->streams[bp->source].depth, d2 = bp->join ? p->streams[bp->source2].depth : 0;
    return d > d2 ? d : d2;
}

/* Depth of every stream and the pumps' advance order. */
static void order_pumps(struct kdo_program *p)
{
    const struct kdo_bind_program *b = p->b;
    for (size_t round = 0; round <= b->npumps; round++)
        for (size_t i = 0; i < b->npumps; i++) {
            const struct kdo_bind_pump *bp = &b->pumps[i];
            int d = pump_depth(p, bp) + 1;
            if (d > p->streams[bp->target].depth)
                p->streams[bp->target].depth = d;
            const struct pump_rt *pr = &p->pumps[i];
            int direct = p->streams[bp->source].direct ||
                         (bp->join && p->streams[bp->source2].direct);
            if (!(pr->fn ? kdo_tablefn_folds(pr->fn) : kdo_query_folds(pr->q)) && direct)
                p->streams[bp->target].direct = 1;
        }
    size_t n = 0;
    for (int d = 0; n < b->npumps; d++)
        for (size_t i = 0; i < b->npumps; i++)
            if (pump_depth(p, &b->pumps[i]) == d)
                p->order[n++] = i;
}

static int wire_outputs(struct kdo_program *p, const struct kdo_program_config *c,
                        struct kdo_errinfo *e)
{
    if (c->noutputs < 1 || c->noutputs > KDO_PROGRAM_MAX_OUTPUTS)
        return kdo_errinfo_set(e, KDO_EINVAL, p->file, 0, 0, "%zu destinations: KDA has 1 to %d",
                               c->noutputs, KDO_PROGRAM_MAX_OUTPUTS);
    for (size_t o = 0; o < c->noutputs; o++) {
        int s = kdo_bind_find(p->b, c->outputs[o]);
        int written = 0;
        for (size_t i = 0; s >= 0 && i < p->b->npumps; i++)
            written |= p->b->pumps[i].target == (size_t)s;
        if (s < 0 || (p->b->streams[s].kind == KDO_BIND_INTERNAL && !p->b->streams[s].result) ||
            !written)
            return kdo_errinfo_set(e, KDO_ESCHEMA, p->file, 0, 0, "destination %zu reads stream "
                                   "%s, which %s (names are exact: unquoted SQL names are upper "
                                   "case)", o + 1, c->outputs[o],
                                   s < 0 ? "the application does not declare"
                                         : "no pump writes");
        struct stream_rt *st = &p->streams[s];
        p->output_stream[o] = (size_t)s;
        p->formats[o] = c->output_formats[o];
        st->outputs[st->noutputs++] = o;
    }
    p->noutputs = c->noutputs;
    return 0;
}

static int build(struct kdo_program *p, const struct kdo_program_config *c,
                 struct kdo_errinfo *e)
{
    struct kdo_arena arena;
    struct kdo_ast_program *ast;
    kdo_arena_init(&arena, 64u << 20);
    int rc = kdo_sql_parse(p->file, c->sql, c->sql_len, &arena, &ast, e);
    struct kdo_bind_table tables[KDO_PROGRAM_MAX_TABLES];
    for (size_t i = 0; i < p->ntables; i++)
        tables[i] = (struct kdo_bind_table){c->tables[i].name, c->tables[i].schema};
    struct kdo_bind_config bc = {.file = p->file, .name_prefix = c->name_prefix,
                                 .parallelism = c->parallelism, .input_schema = c->input_schema,
                                 .source_stream = c->source_stream, .tables = tables,
                                 .ntables = p->ntables};
    if (rc == 0)
        rc = kdo_bind(ast, &bc, &p->b, e);
    if (rc == 0) {
        p->pumps = kdo_xcalloc(p->b->npumps + 1, sizeof *p->pumps);
        p->streams = kdo_xcalloc(p->b->nstreams, sizeof *p->streams);
        p->order = kdo_xcalloc(p->b->npumps + 1, sizeof *p->order);
    }
    if (rc == 0)
        find_rowtime_copies(p);
    for (size_t i = 0; rc == 0 && i < p->b->npumps; i++)
        rc = compile_pump(p, i, &arena, e); /* a subquery's pump comes before its reader */
    kdo_arena_cleanup(&arena);    /* the tree was borrowed by the compile only */
    if (rc == 0)
        rc = wire_outputs(p, c, e);
    return rc;
}

static void wire_streams(struct kdo_program *p)
{
    for (size_t s = 0; s < p->b->nstreams; s++) {
        struct stream_rt *st = &p->streams[s];
        st->row = kdo_row_new(p->b->streams[s].schema);
        st->direct = s < p->b->nsources;
        st->readers = kdo_xcalloc(p->b->npumps + 1, sizeof *st->readers);
        for (size_t i = 0; i < p->b->npumps; i++) {
            const struct kdo_bind_pump *bp = &p->b->pumps[i];
            if (bp->source == s || (bp->join && bp->source2 == s))
                st->readers[st->nreaders++] = i;
        }
    }
    order_pumps(p);
}

int kdo_program_new(const struct kdo_program_config *c, struct kdo_program **out,
                    struct kdo_errinfo *e)
{
    struct kdo_program *p = kdo_xcalloc(1, sizeof *p);
    p->file = c->file ? c->file : "app.sql";
    p->epoch_ms = c->epoch_ms;
    p->seed = c->seed;
    p->input_format = c->input_format;
    p->input_schema = c->input_schema;
    kdo_arena_init(&p->scratch, 4 * KDO_MAX_ROW_BYTES);
    kdo_buf_init(&p->text, KDO_MAX_ROW_BYTES);
    int rc = c->input_schema ? 0
                             : kdo_errinfo_set(e, KDO_EINVAL, p->file, 0, 0, "no input schema");
    if (rc == 0 && c->ntables > KDO_PROGRAM_MAX_TABLES)
        rc = kdo_errinfo_set(e, KDO_EINVAL, p->file, 0, 0, "%zu reference tables: kdaout "
                             "takes at most %d", c->ntables, KDO_PROGRAM_MAX_TABLES);
    for (size_t i = 0; rc == 0 && i < c->ntables; i++) {
        p->tables[i] = kdo_reftable_new(c->tables[i].schema, c->tables[i].format);
        p->table_names[i] = kdo_xstrdup(c->tables[i].name);
        p->ntables++;
    }
    if (rc == 0)
        rc = build(p, c, e);
    if (rc) {
        kdo_program_free(p);
        *out = NULL;
        return rc;
    }
    wire_streams(p);
    p->read = kdo_row_new(c->input_schema);
    p->reader = kdo_rowfmt_reader_new(KDO_ROWFMT_TRUNCATE); /* KDA cuts long VARCHARs */
    *out = p;
    return 0;
}

void kdo_program_free(struct kdo_program *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; p->pumps && i < p->b->npumps; i++) {
        kdo_query_free(p->pumps[i].q);
        kdo_tablefn_free(p->pumps[i].fn);
        kdo_join_free(p->pumps[i].join);
        kdo_orderby_free(p->pumps[i].order);
    }
    for (size_t s = 0; p->streams && s < p->b->nstreams; s++) {
        kdo_row_free(p->streams[s].row);
        free(p->streams[s].readers);
        free(p->streams[s].copy);
    }
    free(p->streams);
    free(p->pumps);
    free(p->order);
    kdo_bind_free(p->b);
    for (size_t i = 0; i < p->ntables; i++) {
        kdo_reftable_free(p->tables[i]);
        free(p->table_names[i]);
    }
    kdo_row_free(p->read);
    kdo_rowfmt_reader_free(p->reader);
    kdo_arena_cleanup(&p->scratch);
    kdo_buf_cleanup(&p->text);
    free(p);
}

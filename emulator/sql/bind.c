/*
 * bind.c -- the binder: streams and pumps of a KDA application, checked.
 *
 * Three passes over the statements: the source streams come from the
 * configuration, then every CREATE STREAM declares a stream (so a pump may
 * read a stream declared further down, as KDA's whole-program validation
 * allows), then every CREATE PUMP is bound: its target, INSERT column list,
 * FROM (a stream, or a subquery that becomes an internal stream with a
 * pump of its own, bound first) and the SELECT's item count.  Last, the
 * stream graph (source -> target per pump) is walked for a cycle.  The
 * binder stops at the first error; nothing it builds survives an error.
 */
#include "sql/bind.h"

#include "base/bounds.h"
#include "sql/tablefn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct binder {
    struct kdo_bind_program *b;
    const struct kdo_bind_config *c;
    const char *file;
    struct kdo_errinfo *e;
};

static int failv(struct binder *bd, int rc, int line, int col, const char *fmt, va_list ap)
{
    char msg[sizeof bd->e->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return kdo_errinfo_set(bd->e, rc, bd->file, line, col, "%s", msg);
}

static int fail(struct binder *bd, int rc, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(struct binder *bd, int rc, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = failv(bd, rc, line, col, fmt, ap);
    va_end(ap);
    return r;
}

void kdo_bind_set_schema(struct kdo_bind_stream *s, struct kdo_row_schema *schema)
{
    kdo_row_schema_free(s->schema);
    s->nvisible = kdo_row_schema_count(schema);
    s->schema = schema;
}

static struct kdo_bind_stream *new_stream(struct binder *bd, const char *name,
                                          enum kdo_bind_kind kind, int line, int col)
{
    struct kdo_bind_program *b = bd->b;
    if (b->nstreams >= KDO_BIND_MAX_STREAMS) {
        fail(bd, KDO_ETOOBIG, line, col, "more than %d in-application streams",
             KDO_BIND_MAX_STREAMS);
        return NULL;
    }
    b->streams = kdo_xrealloc(b->streams, (b->nstreams + 1) * sizeof *b->streams);
    struct kdo_bind_stream *s = &b->streams[b->nstreams++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->kind = kind;
    s->line = line;
    s->col = col;
    return s;
}

int kdo_bind_find(const struct kdo_bind_program *b, const char *name)
{
    for (size_t i = 0; i < b->nstreams; i++)
        if (strcmp(b->streams[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- source streams ----------------------------------------------------------------- */

static int add_sources(struct binder *bd)
{
    const char *prefix = bd->c->name_prefix ? bd->c->name_prefix : "SOURCE_SQL_STREAM";
    const char *exact = bd->c->source_stream;
    unsigned n = exact ? 1 : bd->c->parallelism ? bd->c->parallelism : 1;
    if (exact && (strlen(exact) > KDO_ROW_MAX_NAME || !*exact))
        return fail(bd, KDO_EINVAL, 0, 0, "input: source stream name \"%s\" is empty or longer "
                    "than %d bytes", exact, KDO_ROW_MAX_NAME);
    if (n > KDO_BIND_MAX_PARALLELISM || strlen(prefix) + 4 > KDO_ROW_MAX_NAME || !*prefix)
        return fail(bd, KDO_EINVAL, 0, 0, "input: parallelism %u (1 to %d) or name prefix \"%s\" "
                    "out of range", n, KDO_BIND_MAX_PARALLELISM, prefix);
    const struct kdo_row_schema *in = bd->c->input_schema;
    for (unsigned i = 0; i < n; i++) {
        char name[KDO_ROW_MAX_NAME + 1];
        if (exact)
            snprintf(name, sizeof name, "%s", exact);
        else
            snprintf(name, sizeof name, "%s_%03u", prefix, i + 1);
        struct kdo_bind_stream *s = new_stream(bd, name, KDO_BIND_SOURCE, 0, 0);
        struct kdo_row_schema *schema = kdo_row_schema_new();
        int rc = 0;
        for (size_t c = 0; in && c < kdo_row_schema_count(in) && rc == 0; c++) {
            const struct kdo_row_column *col = kdo_row_schema_column(in, c);
            rc = kdo_row_schema_add_named(schema, col->name, col, bd->e);
        }
        /* APPROXIMATE_ARRIVAL_TIME (and ROWTIME) every query adds itself; SHARD_ID and
         * PARTITION_KEY are not SQL columns in KDA's documentation (GAPS #33), and as
         * columns here they would join SELECT *. */
        if (rc) {
            kdo_row_schema_free(schema);
            return fail(bd, KDO_ESCHEMA, 0, 0, "input schema: %s", bd->e->msg);
        }
        kdo_bind_set_schema(s, schema);
    }
    bd->b->nsources = n;
    for (size_t i = 0; i < bd->c->ntables; i++) {
        const struct kdo_bind_table *t = &bd->c->tables[i];
        if (kdo_bind_find(bd->b, t->name) >= 0 || strlen(t->name) > KDO_ROW_MAX_NAME)
            return fail(bd, KDO_EINVAL, 0, 0, "reference table %s: its name is taken or longer "
                        "than %d bytes", t->name, KDO_ROW_MAX_NAME);
        struct kdo_bind_stream *s = new_stream(bd, t->name, KDO_BIND_TABLE, 0, 0);
        if (s == NULL)
            return KDO_ETOOBIG;
        kdo_bind_set_schema(s, kdo_row_schema_copy(t->schema));
    }
    return 0;
}

/* ---- CREATE STREAM ------------------------------------------------------------------ */

/* A declared column's type as a row column's; refuses what rows cannot hold yet. */
static int column_type(struct binder *bd, const struct kdo_ast_column *c,
                       struct kdo_row_column *col)
{
    const struct kdo_ast_type *ty = &c->type;
    enum kdo_type *t = &col->type;
    size_t *max = &col->max_len;
    *max = 0;
    switch (ty->name) {
    case KDO_AST_TYPE_BIGINT: case KDO_AST_TYPE_INTEGER: case KDO_AST_TYPE_SMALLINT:
    case KDO_AST_TYPE_TINYINT:
        *t = KDO_TYPE_BIGINT;
        return 0;
    case KDO_AST_TYPE_DOUBLE: case KDO_AST_TYPE_REAL: case KDO_AST_TYPE_FLOAT:
        *t = KDO_TYPE_DOUBLE;
        return 0;
    case KDO_AST_TYPE_BOOLEAN:
        *t = KDO_TYPE_BOOLEAN;
        return 0;
    case KDO_AST_TYPE_TIMESTAMP:
        *t = KDO_TYPE_TIMESTAMP;
        return 0;
    case KDO_AST_TYPE_VARCHAR:
        *t = KDO_TYPE_VARCHAR;
        *max = ty->nparams ? (size_t)ty->params[0] : 65535; /* bare VARCHAR: KDA's longest */
        if (*max >= 1 && *max <= 65535)
            return 0;
        return fail(bd, KDO_ESCHEMA, ty->line, ty->col, "column %s: VARCHAR(%ld): the length "
                    "must be 1 to 65535", c->name.s, ty->params[0]);
    case KDO_AST_TYPE_DECIMAL: /* DECIMAL(p,s), as CAST reads it: bare DECIMAL is (18,0) */
        *t = KDO_TYPE_DECIMAL;
        col->precision = ty->nparams > 0 ? (int)ty->params[0] : KDO_DECIMAL_MAX_DIGITS;
        col->scale = ty->nparams > 1 ? (int)ty->params[1] : 0;
        return 0;
    default:
        return fail(bd, KDO_EPARSE, ty->line, ty->col, "column %s: a %s column is not supported "
                    "yet", c->name.s, kdo_ast_type_name(ty->name));
    }
}

static int declared_schema(struct binder *bd, const struct kdo_ast_stmt *st,
                           struct kdo_row_schema *schema)
{
    for (const struct kdo_ast_column *c = st->columns; c; c = c->next) {
        struct kdo_row_column t = {0};
        struct kdo_errinfo ce = {0};
        if (strcmp(c->name.s, "ROWTIME") == 0)
            return fail(bd, KDO_ESCHEMA, c->name.line, c->name.col, "column ROWTIME: every "
                        "in-application stream has ROWTIME already (KDA copies it)");
        int rc = column_type(bd, c, &t);
        if (rc == 0 && kdo_row_schema_add_named(schema, c->name.s, &t, &ce) != 0)
            rc = fail(bd, KDO_ESCHEMA, c->name.line, c->name.col, "stream %s: %s", st->name.s,
                      ce.msg);
        if (rc)
            return rc;
    }
    return 0;
}

static int declare_stream(struct binder *bd, const struct kdo_ast_stmt *st)
{
    int at = kdo_bind_find(bd->b, st->name.s);
    if (at >= 0 && bd->b->streams[at].kind == KDO_BIND_SOURCE)
        return fail(bd, KDO_ESCHEMA, st->name.line, st->name.col, "stream %s is the application's "
                    "input stream (name prefix and parallelism say so); name yours otherwise",
                    st->name.s);
    if (at >= 0)
        return fail(bd, KDO_ESCHEMA, st->name.line, st->name.col, "stream %s is declared twice "
                    "(first at %d:%d)", st->name.s, bd->b->streams[at].line,
                    bd->b->streams[at].col);
    struct kdo_bind_stream *s = new_stream(bd, st->name.s, KDO_BIND_DECLARED, st->name.line,
                                           st->name.col);
    if (s == NULL)
        return KDO_ETOOBIG;
    struct kdo_row_schema *schema = kdo_row_schema_new();
    int rc = declared_schema(bd, st, schema);
    kdo_bind_set_schema(s, schema); /* freed with the catalog, even on error */
    return rc;
}

/* ---- pumps -------------------------------------------------------------------------- */

/* "; did you mean X?" for a stream name, or "". */
static void nearest_stream(const struct kdo_bind_program *b, const char *name, char *out,
                           size_t size)
{
    struct kdo_row_schema *names = kdo_row_schema_new();
    for (size_t i = 0; i < b->nstreams; i++)
        if (b->streams[i].kind != KDO_BIND_INTERNAL)
            kdo_row_schema_add_named(names, b->streams[i].name,
                                     &(struct kdo_row_column){.type = KDO_TYPE_BOOLEAN}, NULL);
    const char *near = kdo_row_schema_nearest(names, name, strlen(name));
    snprintf(out, size, "%s%s%s", near ? "; did you mean " : "", near ? near : "",
             near ? "?" : "");
    kdo_row_schema_free(names);
}

static int resolve_stream(struct binder *bd, const struct kdo_ast_name *n, int *out)
{
    const struct kdo_ast_ident *id = &n->part[n->n - 1];
    if (n->n > 1) {
        /* Only a source stream named so by the input (source_stream) has a dotted name. */
        char dotted[KDO_ROW_MAX_NAME + 1] = "";
        size_t used = 0;
        for (int i = 0; i < n->n && used < sizeof dotted; i++)
            used += (size_t)snprintf(dotted + used, sizeof dotted - used, "%s%s", i ? "." : "",
                                     n->part[i].s);
        if (used < sizeof dotted && (*out = kdo_bind_find(bd->b, dotted)) >= 0 &&
            bd->b->streams[*out].kind == KDO_BIND_SOURCE)
            return 0;
        return fail(bd, KDO_EPARSE, n->part[0].line, n->part[0].col, "a schema-qualified stream "
                    "name (%s.%s) is not supported yet (the input's source_stream may name the "
                    "source so)", n->part[0].s, id->s);
    }
    *out = kdo_bind_find(bd->b, id->s);
    if (*out >= 0 && bd->b->streams[*out].kind != KDO_BIND_INTERNAL)
        return 0;
    char hint[KDO_ROW_MAX_NAME + 32];
    nearest_stream(bd->b, id->s, hint, sizeof hint);
    return fail(bd, KDO_ESCHEMA, id->line, id->col, "unknown stream %s%s", id->s, hint);
}

static struct kdo_bind_pump *new_pump(struct binder *bd, const char *name, int line, int col)
{
    struct kdo_bind_program *b = bd->b;
    if (b->npumps >= KDO_BIND_MAX_PUMPS) {
        fail(bd, KDO_ETOOBIG, line, col, "more than %d pumps", KDO_BIND_MAX_PUMPS);
        return NULL;
    }
    b->pumps = kdo_xrealloc(b->pumps, (b->npumps + 1) * sizeof *b->pumps);
    struct kdo_bind_pump *p = &b->pumps[b->npumps++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->line = line;
    p->col = col;
    return p;
}

/* What a query may not hold yet, by name; 0 when it is one plain SELECT.
 * ORDER BY only ends a pump's (or the lone) query: orderby.h. */
static int check_query(struct binder *bd, const struct kdo_ast_query *q, int top)
{
    const struct kdo_ast_select *s = q->selects;
    if (q->order_by && !top)
        return fail(bd, KDO_EPARSE, q->order_by->expr->line, q->order_by->expr->col,
                    "ORDER BY inside a subquery or CURSOR is not supported: sort the pump's "
                    "own query");
    if (s->next)
        return fail(bd, KDO_EPARSE, s->next->line, s->next->col,
                    "UNION ALL is not supported yet");
    if (s->from == NULL)
        return fail(bd, KDO_EPARSE, s->line, s->col, "a SELECT without FROM is not supported yet");
    const struct kdo_ast_from *f = s->from;
    const struct kdo_ast_expr *call = f->kind == KDO_AST_FROM_TABLE_FN ? f->call : NULL;
    const char *fn = call && call->kind == KDO_AST_CALL ? call->name.part[call->name.n - 1].s
                                                        : "";
    if (strcmp(fn, "HOTSPOTS") == 0)
        return fail(bd, KDO_EPARSE, call->line, call->col, "%s is not supported yet",
                    fn);
    if (f->over)
        return fail(bd, KDO_EPARSE, f->over->line, f->over->col, "a window after a FROM stream "
                    "belongs to a JOIN side: FROM s OVER (...) AS a JOIN t AS b ON ...");
    if (f->alias_cols)
        return fail(bd, KDO_EPARSE, f->alias_cols->id.line, f->alias_cols->id.col, "a column list "
                    "after a FROM alias is not supported yet");
    if (!s->stream)
        return fail(bd, KDO_EPARSE, s->line, s->col, "SELECT without STREAM reads a relation, "
                    "and kdaout runs streams only: write SELECT STREAM");
    return 0;
}

/* What a FROM reads: one stream, or a JOIN's two. */
struct from {
    int source, source2;
    const char *alias;              /* the FROM alias or NULL */
    const struct kdo_ast_from *join; /* or NULL */
};

static int bind_select(struct binder *bd, const struct kdo_ast_query *q, const char *owner,
                       int top, struct from *fr);

/* A pump `name` writing a new internal stream `stream` with query q's rows
 * read from stream `source` (FROM alias `alias`); NULL past the limits. */
static struct kdo_bind_stream *internal_pump(struct binder *bd, const char *name,
                                             const char *stream,
                                             const struct kdo_ast_query *q,
                                             const struct from *fr, int line, int col)
{
    struct kdo_bind_pump *p = new_pump(bd, name, line, col);
    struct kdo_bind_stream *s = p ? new_stream(bd, stream, KDO_BIND_INTERNAL, line, col) : NULL;
    if (s == NULL)
        return NULL;
    p->source = (size_t)fr->source;
    p->source2 = (size_t)fr->source2;
    p->join = fr->join;
    p->target = bd->b->nstreams - 1;
    p->select = q->selects;
    p->from_alias = fr->alias;
    return s;
}

/* A subquery in FROM: an internal stream named by its alias, written by a
 * pump of its own (bound, and listed, before the pump reading it). */
static int bind_subquery(struct binder *bd, const struct kdo_ast_from *f, const char *owner,
                         int *out)
{
    char name[KDO_ROW_MAX_NAME + 1];
    struct from fr;
    if (f->alias.s == NULL)
        return fail(bd, KDO_ESCHEMA, f->line, f->col, "a subquery in FROM needs an alias "
                    "(FROM (SELECT STREAM ...) AS name)");
    int rc = bind_select(bd, f->query, owner, 0, &fr);
    if (rc)
        return rc;
    snprintf(name, sizeof name, "%s$%zu", owner, bd->b->npumps);
    if (internal_pump(bd, name, f->alias.s, f->query, &fr, f->line, f->col) == NULL)
        return KDO_ETOOBIG;
    *out = (int)(bd->b->nstreams - 1);
    return 0;
}

/* TABLE(fn(CURSOR(SELECT STREAM ...), args)): the cursor's query is a pump
 * into an internal stream, and fn a pump of its own (tablefn.h) from there
 * into the stream the FROM reads. */
static int bind_table_fn(struct binder *bd, const struct kdo_ast_from *f, const char *owner,
                         int *out)
{
    const struct kdo_ast_expr *call = f->call;
    const char *fn = call->kind == KDO_AST_CALL ? call->name.part[call->name.n - 1].s : NULL;
    if (fn == NULL || !kdo_tablefn_known(fn))
        return fail(bd, KDO_EPARSE, call->line, call->col, "TABLE(...) reads one of KDA's "
                    "stream functions (TOP_K_ITEMS_TUMBLING, COUNT_DISTINCT_ITEMS_TUMBLING, "
                    "RANDOM_CUT_FOREST, ...): %s is none", fn ? fn : "this");
    const struct kdo_ast_expr *cursor = call->list;
    if (cursor == NULL || cursor->kind != KDO_AST_CURSOR)
        return fail(bd, KDO_EPARSE, cursor ? cursor->line : call->line,
                    cursor ? cursor->col : call->col, "%s: the first argument is the rows to "
                    "read, CURSOR(SELECT STREAM * FROM stream)", fn);
    char name[KDO_ROW_MAX_NAME + 1];
    struct from fr;
    int rc = bind_select(bd, cursor->query, owner, 0, &fr);
    if (rc)
        return rc;
    snprintf(name, sizeof name, "%s$%zu", owner, bd->b->npumps);
    if (internal_pump(bd, name, name, cursor->query, &fr, cursor->line, cursor->col) == NULL)
        return KDO_ETOOBIG;
    size_t rows = bd->b->nstreams - 1;
    snprintf(name, sizeof name, "%s$%zu", owner, bd->b->npumps);
    struct kdo_bind_pump *p = new_pump(bd, name, call->line, call->col);
    if (p == NULL || new_stream(bd, name, KDO_BIND_INTERNAL, call->line, call->col) == NULL)
        return KDO_ETOOBIG;
    p->source = rows;
    p->target = bd->b->nstreams - 1;
    p->call = call;
    *out = (int)p->target;
    return 0;
}

/* A stream FROM reads; a reference table only as a JOIN's side. */
static int from_stream(struct binder *bd, const struct kdo_ast_from *f, int in_join, int *out)
{
    int rc = resolve_stream(bd, &f->stream, out);
    if (rc == 0 && !in_join && bd->b->streams[*out].kind == KDO_BIND_TABLE)
        return fail(bd, KDO_EPARSE, f->line, f->col, "%s is a reference table: a query reads "
                    "it through a JOIN with a stream", bd->b->streams[*out].name);
    return rc;
}

/* One side of a JOIN: a stream or table, or a subquery (its own pump). */
static int bind_side(struct binder *bd, const struct kdo_ast_from *f, const char *owner,
                     int *out)
{
    if (f->alias_cols)
        return fail(bd, KDO_EPARSE, f->alias_cols->id.line, f->alias_cols->id.col, "a column "
                    "list after a FROM alias is not supported yet");
    if (f->kind == KDO_AST_FROM_SUBQUERY)
        return bind_subquery(bd, f, owner, out);
    if (f->kind == KDO_AST_FROM_STREAM)
        return from_stream(bd, f, 1, out);
    return fail(bd, KDO_EPARSE, f->line, f->col, f->kind == KDO_AST_FROM_JOIN
                ? "a JOIN of more than two streams is not supported yet"
                : "a join side is a stream, a subquery or a reference table");
}

/* Binds q's FROM into *fr: the stream it reads (two for a JOIN), its alias. */
static int bind_select(struct binder *bd, const struct kdo_ast_query *q, const char *owner,
                       int top, struct from *fr)
{
    int rc = check_query(bd, q, top);
    if (rc)
        return rc;
    const struct kdo_ast_from *f = q->selects->from;
    *fr = (struct from){.alias = f->alias.s};
    if (f->kind == KDO_AST_FROM_JOIN) {
        fr->join = f;
        rc = bind_side(bd, f->left, owner, &fr->source);
        return rc ? rc : bind_side(bd, f->right, owner, &fr->source2);
    }
    if (f->kind == KDO_AST_FROM_SUBQUERY)
        return bind_subquery(bd, f, owner, &fr->source);
    if (f->kind == KDO_AST_FROM_TABLE_FN)
        return bind_table_fn(bd, f, owner, &fr->source);
    return from_stream(bd, f, 0, &fr->source);
}

/* SELECT items, with * and s.* counted as the stream's visible columns;
 * -1 when a star reads a stream whose columns are not known yet. */
static long count_items(const struct kdo_bind_program *b, const struct kdo_ast_select *s,
                        size_t source)
{
    long n = 0;
    for (const struct kdo_ast_item *it = s->items; it; it = it->next) {
        if (it->expr->kind != KDO_AST_STAR) {
            n++;
        } else if (b->streams[source].schema == NULL) {
            return -1;
        } else {
            n += (long)b->streams[source].nvisible;
        }
    }
    return n;
}

/* INSERT INTO t (c1, c2): each name a column of t, once. */
static int bind_target_cols(struct binder *bd, const struct kdo_ast_stmt *st,
                            struct kdo_bind_pump *p)
{
    const struct kdo_bind_stream *t = &bd->b->streams[p->target];
    size_t n = 0;
    for (const struct kdo_ast_idlist *l = st->target_cols; l; l = l->next)
        n++;
    p->map = kdo_xcalloc(n ? n : 1, sizeof *p->map);
    p->nmap = n;
    n = 0;
    for (const struct kdo_ast_idlist *l = st->target_cols; l; l = l->next, n++) {
        int c = kdo_row_schema_find(t->schema, l->id.s, l->id.len);
        if (c < 0 || (size_t)c >= t->nvisible) {
            const char *near = kdo_row_schema_nearest(t->schema, l->id.s, l->id.len);
            return fail(bd, KDO_ESCHEMA, l->id.line, l->id.col, "stream %s has no column %s%s%s%s",
                        t->name, l->id.s, near ? "; did you mean " : "", near ? near : "",
                        near ? "?" : "");
        }
        for (size_t k = 0; k < n; k++)
            if (p->map[k] == c)
                return fail(bd, KDO_ESCHEMA, l->id.line, l->id.col, "column %s is listed twice "
                            "in the INSERT", l->id.s);
        p->map[n] = c;
    }
    return 0;
}

static int check_count(struct binder *bd, const struct kdo_ast_stmt *st,
                       const struct kdo_bind_pump *p)
{
    const struct kdo_bind_stream *t = &bd->b->streams[p->target];
    long items = p->join ? -1 : count_items(bd->b, p->select, p->source); /* join.h counts */
    long want = st->target_cols ? (long)p->nmap : (long)t->nvisible;
    if (items < 0 || items == want)
        return 0;
    /* Calcite's wording (KDA runs on SQLstream, built on it); KDA's own is not documented. */
    return fail(bd, KDO_ESCHEMA, p->select->line, p->select->col, "Number of INSERT target "
                "columns (%ld) does not equal number of source items (%ld): pump %s into %s",
                want, items, p->name, t->name);
}

static int bind_pump(struct binder *bd, const struct kdo_ast_stmt *st)
{
    for (size_t i = 0; i < bd->b->npumps; i++)
        if (strcmp(bd->b->pumps[i].name, st->name.s) == 0)
            return fail(bd, KDO_ESCHEMA, st->name.line, st->name.col, "pump %s is declared twice "
                        "(first at %d:%d)", st->name.s, bd->b->pumps[i].line,
                        bd->b->pumps[i].col);
    int target;
    struct from fr;
    int rc = resolve_stream(bd, &st->target, &target);
    enum kdo_bind_kind kind = rc == 0 ? bd->b->streams[target].kind : KDO_BIND_DECLARED;
    if (kind == KDO_BIND_SOURCE || kind == KDO_BIND_TABLE)
        rc = fail(bd, KDO_ESCHEMA, st->target.part[0].line, st->target.part[0].col, "pump %s "
                  "inserts into %s, %s", st->name.s, bd->b->streams[target].name,
                  kind == KDO_BIND_SOURCE ? "the application's input stream: only the input "
                                            "writes it"
                                          : "a reference table: only its data file fills it");
    if (rc == 0)
        rc = bind_select(bd, st->query, st->name.s, 1, &fr);
    if (rc)
        return rc;
    struct kdo_bind_pump *p = new_pump(bd, st->name.s, st->name.line, st->name.col);
    if (p == NULL)
        return KDO_ETOOBIG;
    p->target = (size_t)target;
    p->source = (size_t)fr.source;
    p->source2 = (size_t)fr.source2;
    p->join = fr.join;
    p->select = st->query->selects;
    p->order = st->query->order_by;
    p->from_alias = fr.alias;
    if ((rc = bind_target_cols(bd, st, p)) == 0 && p->nmap == 0) {
        free(p->map);
        p->map = NULL;
    }
    return rc ? rc : check_count(bd, st, p);
}

/* ---- the whole program -------------------------------------------------------------- */

/* Depth-first over streams along pumps; state 1 = on the path, 2 = done. */
static int visit(struct binder *bd, size_t s, unsigned char *state)
{
    state[s] = 1;
    for (size_t i = 0; i < bd->b->npumps; i++) {
        const struct kdo_bind_pump *p = &bd->b->pumps[i];
        if (p->source != s && !(p->join && p->source2 == s))
            continue;
        if (state[p->target] == 1)
            return fail(bd, KDO_ESCHEMA, p->line, p->col, "pump %s closes a cycle: %s feeds "
                        "itself through its pumps", p->name, bd->b->streams[p->target].name);
        int rc = state[p->target] == 0 ? visit(bd, p->target, state) : 0;
        if (rc)
            return rc;
    }
    state[s] = 2;
    return 0;
}

static int check_cycles(struct binder *bd)
{
    unsigned char *state = kdo_xcalloc(bd->b->nstreams + 1, 1);
    int rc = 0;
    for (size_t s = 0; s < bd->b->nstreams && rc == 0; s++)
        if (state[s] == 0)
            rc = visit(bd, s, state);
    free(state);
    return rc;
}

/* An application that is one bare SELECT STREAM (as the SQL Reference
 * writes its examples): a pump "QUERY" writes its rows, with the query's own
 * columns, into DESTINATION_SQL_STREAM, which destinations read as usual.
 * Our choice: KDA's console runs pumps; this runs the examples unchanged. */
static int bind_lone_query(struct binder *bd, const struct kdo_ast_stmt *st)
{
    struct from fr;
    int rc = bind_select(bd, st->query, "QUERY", 1, &fr);
    if (rc)
        return rc;
    struct kdo_bind_stream *s = internal_pump(bd, "QUERY", "DESTINATION_SQL_STREAM", st->query,
                                              &fr, st->line, st->col);
    if (s == NULL)
        return KDO_ETOOBIG;
    s->result = true;
    bd->b->pumps[bd->b->npumps - 1].order = st->query->order_by;
    return 0;
}

static int bind_all(struct binder *bd, const struct kdo_ast_program *p)
{
    if (p->n_stmts == 1 && p->stmts->kind == KDO_AST_QUERY_STMT) {
        int rc = add_sources(bd);
        return rc ? rc : bind_lone_query(bd, p->stmts);
    }
    int rc = add_sources(bd);
    for (const struct kdo_ast_stmt *st = p->stmts; st && rc == 0; st = st->next)
        if (st->kind == KDO_AST_CREATE_STREAM)
            rc = declare_stream(bd, st);
    for (const struct kdo_ast_stmt *st = p->stmts; st && rc == 0; st = st->next) {
        if (st->kind == KDO_AST_CREATE_PUMP)
            rc = bind_pump(bd, st);
        else if (st->kind == KDO_AST_QUERY_STMT)
            rc = fail(bd, KDO_ESCHEMA, st->line, st->col, "a query outside a pump goes nowhere "
                      "(only a query that is the whole application runs alone): write CREATE OR "
                      "REPLACE PUMP name AS INSERT INTO stream SELECT STREAM ...");
    }
    return rc ? rc : check_cycles(bd);
}

int kdo_bind(const struct kdo_ast_program *p, const struct kdo_bind_config *c,
             struct kdo_bind_program **out, struct kdo_errinfo *e)
{
    struct kdo_errinfo scratch = {0};
    struct binder bd = {kdo_xcalloc(1, sizeof *bd.b), c, c->file ? c->file : p->file,
                        e ? e : &scratch};
    int rc = bind_all(&bd, p);
    if (rc) {
        kdo_bind_free(bd.b);
        *out = NULL;
        return rc;
    }
    *out = bd.b;
    return 0;
}

void kdo_bind_free(struct kdo_bind_program *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->nstreams; i++)
        kdo_row_schema_free(b->streams[i].schema);
    for (size_t i = 0; i < b->npumps; i++)
        free(b->pumps[i].map);
    free(b->streams);
    free(b->pumps);
    free(b);
}

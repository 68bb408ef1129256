/*
 * query-ast.c -- a SELECT STREAM's tree, checked and rewritten for the
 * query: what the query does not run is refused with file:line:col and the
 * feature's name (JOIN, TABLE(...), a subquery in FROM, UNION ALL, a window
 * on a FROM stream, COUNT(DISTINCT)), names qualified by the input stream or
 * its alias lose the qualifier, and aggregate calls and GROUP BY keys inside
 * select items become slots of the stage schema (query-int.h).
 *
 * The tree given is borrowed and never changed: every rewrite works on a
 * copy in the query's own arena.
 */
#include "sql/query-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kdo__query_fail(const struct kdo_query *q, int rc, int line, int col, struct kdo_errinfo *err,
                    const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kdo_errinfo_set(err, rc, q->cfg.file, line, col, "%s", msg);
}

static int check_from(const struct kdo_query *q, const struct kdo_ast_from *f,
                      struct kdo_errinfo *err)
{
    switch (f->kind) {
    case KDO_AST_FROM_JOIN:
        return kdo__query_fail(q, KDO_EPARSE, f->line, f->col, err, "a JOIN reaches the query "
                               "only as its joined rows (the program's job: join.h)");
    case KDO_AST_FROM_TABLE_FN:
        return kdo__query_fail(q, KDO_EPARSE, f->line, f->col, err, "TABLE(...) reaches the "
                               "query only as its function's rows (the program's job: tablefn.h)");
    case KDO_AST_FROM_SUBQUERY:
        return kdo__query_fail(q, KDO_EPARSE, f->line, f->col, err, "a subquery in FROM reaches "
                               "the query only as its own stream (the binder's job)");
    default:
        break;
    }
    if (f->over)
        return kdo__query_fail(q, KDO_EPARSE, f->over->line, f->over->col, err, "a window on a "
                               "stream in FROM (stream OVER ...) belongs to a JOIN side");
    if (f->alias_cols)
        return kdo__query_fail(q, KDO_EPARSE, f->line, f->col, err, "column aliases on a stream "
                               "in FROM (AS s(c1, ...)) are not supported yet");
    return 0;
}

int kdo__query_check_select(const struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_ast_select *s = q->sel;
    if (s->next)
        return kdo__query_fail(q, KDO_EPARSE, s->next->line, s->next->col, err,
                               "UNION ALL is not supported yet");
    if (s->from == NULL)
        return kdo__query_fail(q, KDO_EPARSE, s->line, s->col, err, "a query needs FROM");
    if (!s->stream)
        return kdo__query_fail(q, KDO_EPARSE, s->line, s->col, err, "a query on a stream is "
                               "SELECT STREAM (a SELECT without STREAM reads a table, which "
                               "kdaout does not have)");
    if (s->stagger && (s->stagger->order || s->stagger->frame == KDO_AST_FRAME_ROWS))
        return kdo__query_fail(q, KDO_EPARSE, s->stagger->line, s->stagger->col, err,
                               "STAGGER takes PARTITION BY ... RANGE INTERVAL ... only");
    return check_from(q, s->from, err);
}

/* Whether qualifier id names the input stream: its resolved name, FROM's stream name
 * (its last part) or FROM's alias. */
static int is_input(const struct kdo_query *q, const struct kdo_ast_ident *id)
{
    const struct kdo_ast_from *f = q->sel->from;
    const char *in = q->cfg.input_name ? q->cfg.input_name : "SOURCE_SQL_STREAM_001";
    if (id->len == strlen(in) && memcmp(id->s, in, id->len) == 0)
        return 1;
    if (f->alias.s && f->alias.len == id->len && memcmp(f->alias.s, id->s, id->len) == 0)
        return 1;
    const struct kdo_ast_ident *last = &f->stream.part[f->stream.n - 1];
    return f->stream.n > 0 && f->alias.s == NULL && last->len == id->len &&
           memcmp(last->s, id->s, id->len) == 0;
}

static int strip(struct kdo_query *q, struct kdo_ast_expr *x, struct kdo_errinfo *err)
{
    if (x->kind != KDO_AST_NAME || x->name.n != 2)
        return 0;
    const struct kdo_ast_ident *id = &x->name.part[0];
    if (!is_input(q, id) && q->key_text == NULL) /* the structured form ignores qualifiers */
        return kdo__query_fail(q, KDO_ESCHEMA, id->line, id->col, err, "unknown stream %.*s "
                               "(the query reads %s)", (int)id->len, id->s,
                               q->sel->from->alias.s ? q->sel->from->alias.s
                                                     : q->sel->from->stream.part[0].s);
    x->name.part[0] = x->name.part[1];
    x->name.n = 1;
    return 0;
}

static int clone_at(struct kdo_query *q, const struct kdo_ast_expr *x, struct kdo_ast_expr **out,
                    int depth, struct kdo_errinfo *err)
{
    int rc = 0;
    *out = NULL;
    if (x == NULL)
        return 0;
    if (depth > KDO_EXPR_MAX_DEPTH)
        return kdo__query_fail(q, KDO_EDEPTH, x->line, x->col, err, "the expression nests "
                               "deeper than %d", KDO_EXPR_MAX_DEPTH);
    struct kdo_ast_expr *c = kdo_ast_alloc(&q->ast, sizeof *c);
    if (c == NULL)
        return kdo__query_fail(q, KDO_ETOOBIG, x->line, x->col, err, "the query is too large");
    *c = *x;
    c->next = NULL;
    if ((rc = strip(q, c, err)) == 0)
        rc = clone_at(q, x->a, &c->a, depth + 1, err);
    if (rc == 0)
        rc = clone_at(q, x->b, &c->b, depth + 1, err);
    if (rc == 0)
        rc = clone_at(q, x->c, &c->c, depth + 1, err);
    struct kdo_ast_expr **tail = &c->list;
    for (const struct kdo_ast_expr *l = x->list; l && rc == 0; l = l->next) {
        rc = clone_at(q, l, tail, depth + 1, err);
        tail = &(*tail)->next;
    }
    *out = c;
    return rc;
}

int kdo__query_clone(struct kdo_query *q, const struct kdo_ast_expr *x, struct kdo_ast_expr **out,
                     struct kdo_errinfo *err)
{
    return clone_at(q, x, out, 0, err);
}

char *kdo__query_print(const struct kdo_ast_expr *x)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 64 * 1024);
    kdo_ast_print_expr(x, &b);
    char *s = kdo_xstrndup(b.data ? b.data : "", b.len);
    kdo_buf_cleanup(&b);
    return s;
}

/* Makes x the name of slot `kind` n (keeps its position and list link). */
static int to_slot(struct kdo_query *q, struct kdo_ast_expr *x, char kind, size_t n,
                   struct kdo_errinfo *err)
{
    char name[32];
    const char *s;
    int len = snprintf(name, sizeof name, "%c%c%zu", KDO__QUERY_SLOT, kind, n);
    if (kdo_arena_dup(&q->ast, name, (size_t)len, &s) != 0)
        return kdo__query_fail(q, KDO_ETOOBIG, x->line, x->col, err, "the query is too large");
    struct kdo_ast_expr *next = x->next;
    int line = x->line, col = x->col;
    memset(x, 0, sizeof *x);
    x->kind = KDO_AST_NAME;
    x->line = line;
    x->col = col;
    x->next = next;
    x->name.n = 1;
    x->name.part[0] = (struct kdo_ast_ident){s, (size_t)len, line, col};
    return 0;
}

static const char *const agg_names[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};
static const enum kdo_agg_fn agg_fns[] = {KDO_AGG_COUNT, KDO_AGG_SUM, KDO_AGG_AVG, KDO_AGG_MIN,
                                          KDO_AGG_MAX};

/* The index in names[] of call x's (unqualified) function name, or -1. */
static int call_named(const struct kdo_ast_expr *x, const char *const *names, size_t n)
{
    if (x->kind != KDO_AST_CALL || x->name.n != 1)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (x->name.part[0].len == strlen(names[i]) &&
            memcmp(x->name.part[0].s, names[i], x->name.part[0].len) == 0)
            return (int)i;
    return -1;
}

static int agg_fn(const struct kdo_ast_expr *x, enum kdo_agg_fn *fn)
{
    int i = call_named(x, agg_names, sizeof agg_names / sizeof agg_names[0]);
    if (i >= 0)
        *fn = agg_fns[i];
    return i >= 0;
}

static int rewrite(struct kdo_query *q, struct kdo_ast_expr *x, int aggs_ok, int keys,
                   struct kdo_errinfo *err);

/* A new aggregate of the query from call x; x becomes its slot. */
static int add_agg(struct kdo_query *q, struct kdo_ast_expr *x, enum kdo_agg_fn fn,
                   struct kdo_errinfo *err)
{
    const char *name = kdo_agg_name(fn);
    if (x->distinct)
        return kdo__query_fail(q, KDO_EPARSE, x->line, x->col, err, "%s(DISTINCT ...) is not "
                               "allowed in streaming aggregation (KDA refuses it; count a SELECT "
                               "STREAM DISTINCT subquery instead)", name);
    if (x->over && q->shape == KDO__SHAPE_GROUPED && q->key_text == NULL)
        return kdo__query_fail(q, KDO_EPARSE, x->over->line, x->over->col, err, "%s ... OVER in "
                               "a GROUP BY or STAGGER query is not supported yet", name);
    int nargs = 0;
    for (const struct kdo_ast_expr *l = x->list; l; l = l->next)
        nargs++;
    if (x->star ? fn != KDO_AGG_COUNT : nargs != 1)
        return kdo__query_fail(q, KDO_ESCHEMA, x->line, x->col, err, "%s takes one argument%s",
                               name, fn == KDO_AGG_COUNT ? " or *" : "");
    q->aggs = kdo_xrealloc(q->aggs, (q->naggs + 1) * sizeof *q->aggs);
    struct kdo__query_agg *g = &q->aggs[q->naggs];
    memset(g, 0, sizeof *g);
    g->over = x->over;
    g->line = x->line;
    g->col_at = x->col;
    size_t n = q->naggs++;
    enum kdo_type t = KDO_TYPE_NULL;
    int rc = 0;
    if (!x->star) {
        if ((rc = rewrite(q, x->list, 0, 0, err)) == 0)
            rc = kdo_expr_compile_ast(x->list, q->in_schema, &g->arg, err);
        if (rc)
            return rc;
        t = kdo_expr_type(g->arg);
        if (t == KDO_TYPE_NULL && fn == KDO_AGG_COUNT)
            t = KDO_TYPE_VARCHAR; /* COUNT(NULL) counts no values; NULL means COUNT(*) */
    }
    if ((rc = kdo_agg_init(&g->agg, fn, t, err)) != 0) {
        err->line = x->line;
        err->column = x->col;
        return rc;
    }
    return to_slot(q, x, 'A', n, err);
}

/* ---- analytic functions --------------------------------------------------------------- */

static const char *const fn_names[] = {"LAG", "FIRST_VALUE", "LAST_VALUE"};

static int analytic_fn(const struct kdo_ast_expr *x, enum kdo__query_fn_kind *kind)
{
    int i = call_named(x, fn_names, sizeof fn_names / sizeof fn_names[0]);
    if (i >= 0)
        *kind = (enum kdo__query_fn_kind)i;
    return i >= 0;
}

/* An argument of an analytic function: rewritten (no aggregate or analytic function
 * inside) and compiled over the input row. */
static int fn_arg(struct kdo_query *q, struct kdo_ast_expr *x, struct kdo_expr **out,
                  struct kdo_errinfo *err)
{
    int rc = rewrite(q, x, 0, 0, err);
    return rc ? rc : kdo_expr_compile_ast(x, q->in_schema, out, err);
}

/* LAG's N: a constant integer, 0 or more (KDA counts rows back from the current one). */
static int lag_offset(struct kdo_query *q, const struct kdo_ast_expr *x, int64_t *n,
                      struct kdo_errinfo *err)
{
    struct kdo_value v;
    struct kdo_errinfo ignored = {0};
    if (kdo__query_constant(q, x, &v, &ignored) != 0 || v.type != KDO_TYPE_BIGINT)
        return kdo__query_fail(q, KDO_EINVAL, x->line, x->col, err, "LAG's offset must be a "
                               "constant integer (the number of rows back)");
    if (v.u.i < 0)
        return kdo__query_fail(q, KDO_EINVAL, x->line, x->col, err, "LAG's offset is %lld; it "
                               "must be 0 or more", (long long)v.u.i);
    *n = v.u.i;
    return 0;
}

/* Whether LAG's default, of type d, can stand in a column of its expression's type t:
 * any number for a DOUBLE (LAG(price, 1, 0.0): 0.0 is a DECIMAL), an exact one for a
 * DECIMAL; never one that would be truncated. */
static int default_fits(enum kdo_type t, enum kdo_type d)
{
    return d == t || d == KDO_TYPE_NULL || t == KDO_TYPE_NULL ||
           (t == KDO_TYPE_DOUBLE && kdo_type_numeric(d)) ||
           (d == KDO_TYPE_BIGINT && t == KDO_TYPE_DECIMAL) ||
           (d == KDO_TYPE_DECIMAL && t == KDO_TYPE_DECIMAL);
}

static int lag_rest(struct kdo_query *q, struct kdo__query_fn *f, struct kdo_ast_expr *n,
                    struct kdo_errinfo *err)
{
    struct kdo_ast_expr *d = n ? n->next : NULL;
    int rc = n ? lag_offset(q, n, &f->offset, err) : 0;
    if (rc || d == NULL)
        return rc;
    if ((rc = fn_arg(q, d, &f->dflt, err)))
        return rc;
    enum kdo_type t = kdo_expr_type(f->arg), dt = kdo_expr_type(f->dflt);
    if (!default_fits(t, dt))
        return kdo__query_fail(q, KDO_ESCHEMA, d->line, d->col, err, "LAG's default is %s; it "
                               "must be of its expression's type, %s", kdo_type_name(dt),
                               kdo_type_name(t));
    return 0;
}

/* A new analytic function of the query from call x; x becomes its slot. */
static int add_fn(struct kdo_query *q, struct kdo_ast_expr *x, enum kdo__query_fn_kind kind,
                  struct kdo_errinfo *err)
{
    const char *name = fn_names[kind];
    int nargs = 0;
    for (const struct kdo_ast_expr *l = x->list; l; l = l->next)
        nargs++;
    if (x->over == NULL)
        return kdo__query_fail(q, KDO_EINVAL, x->line, x->col, err, "%s needs OVER a window "
                               "(OVER w, or OVER (... RANGE INTERVAL ... PRECEDING | ROWS n "
                               "PRECEDING))", name);
    if (q->shape == KDO__SHAPE_GROUPED && q->key_text == NULL)
        return kdo__query_fail(q, KDO_EPARSE, x->over->line, x->over->col, err, "%s ... OVER in "
                               "a GROUP BY or STAGGER query is not supported yet", name);
    if (x->star || x->distinct || nargs < 1 || nargs > (kind == KDO__FN_LAG ? 3 : 1))
        return kdo__query_fail(q, KDO_ESCHEMA, x->line, x->col, err, "%s takes %s", name,
                               kind == KDO__FN_LAG ? "(expr [, N [, default]])" : "one argument");
    q->fns = kdo_xrealloc(q->fns, (q->nfns + 1) * sizeof *q->fns);
    struct kdo__query_fn *f = &q->fns[q->nfns];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->ignore_nulls = x->nulls == KDO_AST_NULLS_IGNORE;
    f->offset = 1;
    f->over = x->over;
    f->line = x->line;
    f->col_at = x->col;
    size_t n = q->nfns++;
    int rc = fn_arg(q, x->list, &f->arg, err);
    if (rc == 0 && kind == KDO__FN_LAG)
        rc = lag_rest(q, f, x->list->next, err);
    return rc ? rc : to_slot(q, x, 'F', n, err);
}

static int is_key(struct kdo_query *q, const struct kdo_ast_expr *x, size_t *k)
{
    if (q->nkeys == 0 || x->kind == KDO_AST_INT || x->kind == KDO_AST_STRING)
        return 0;
    char *p = kdo__query_print(x);
    int found = 0;
    for (size_t i = 0; i < q->nkeys && !found; i++)
        if (strcmp(p, q->key_print[i]) == 0) {
            *k = i;
            found = 1;
        }
    free(p);
    return found;
}

/* A column left in a grouped item: only ROWTIME (the window's end) may be. */
static int loose_column(struct kdo_query *q, const struct kdo_ast_expr *x, struct kdo_errinfo *err)
{
    const struct kdo_ast_ident *id = &x->name.part[x->name.n - 1];
    if (id->s[0] == KDO__QUERY_SLOT || (id->len == 7 && memcmp(id->s, "ROWTIME", 7) == 0) ||
        kdo_row_schema_find(q->in_schema, id->s, id->len) < 0)
        return 0;
    return kdo__query_fail(q, KDO_EINVAL, id->line, id->col, err, "%.*s is neither inside an "
                           "aggregate (COUNT, SUM, AVG, MIN, MAX), ROWTIME nor a %s key, written "
                           "the same way", (int)id->len, id->s,
                           q->key_text ? "partition_by" : "GROUP BY");
}

static int rewrite(struct kdo_query *q, struct kdo_ast_expr *x, int aggs_ok, int keys,
                   struct kdo_errinfo *err)
{
    enum kdo_agg_fn fn;
    enum kdo__query_fn_kind kind;
    size_t k;
    int rc = 0;
    if (x->kind == KDO_AST_CALL && x->nulls != KDO_AST_NULLS_NONE && !analytic_fn(x, &kind))
        return kdo__query_fail(q, KDO_EPARSE, x->line, x->col, err, "%s NULLS: only LAG, "
                               "FIRST_VALUE and LAST_VALUE take a null treatment",
                               x->nulls == KDO_AST_NULLS_IGNORE ? "IGNORE" : "RESPECT");
    if (agg_fn(x, &fn)) {
        if (!aggs_ok)
            return kdo__query_fail(q, KDO_EINVAL, x->line, x->col, err, "%s is an aggregate; "
                                   "it is not allowed here (in WHERE, a key or another "
                                   "aggregate's argument)", kdo_agg_name(fn));
        return add_agg(q, x, fn, err);
    }
    if (analytic_fn(x, &kind)) {
        if (!aggs_ok)
            return kdo__query_fail(q, KDO_EINVAL, x->line, x->col, err, "%s is an analytic "
                                   "function; it is not allowed here (in WHERE, a key or an "
                                   "aggregate's argument)", fn_names[kind]);
        return add_fn(q, x, kind, err);
    }
    if (keys && is_key(q, x, &k))
        return to_slot(q, x, 'K', k, err);
    if (keys && x->kind == KDO_AST_NAME)
        return loose_column(q, x, err);
    if (x->kind == KDO_AST_CALL && x->over) /* an analytic function: LAG, FIRST_VALUE, ... */
        return kdo__query_fail(q, KDO_EPARSE, x->line, x->col, err, "%s ... OVER is not "
                               "supported yet; OVER takes COUNT, SUM, AVG, MIN, MAX, "
                               "LAG, FIRST_VALUE and LAST_VALUE",
                               x->name.part[x->name.n - 1].s);
    struct kdo_ast_expr *kids[] = {x->a, x->b, x->c};
    for (size_t i = 0; i < 3 && rc == 0; i++)
        if (kids[i])
            rc = rewrite(q, kids[i], aggs_ok, keys, err);
    for (struct kdo_ast_expr *l = x->list; l && rc == 0; l = l->next)
        rc = rewrite(q, l, aggs_ok, keys, err);
    return rc;
}

int kdo__query_slots(struct kdo_query *q, struct kdo_ast_expr *x, int aggs_ok,
                     struct kdo_errinfo *err)
{
    return rewrite(q, x, aggs_ok, aggs_ok && q->shape == KDO__SHAPE_GROUPED, err);
}

/*
 * query-plan.c -- compiling a SELECT STREAM tree into a running query: its
 * shape (continuous, grouped -- tumbling or stagger -- or sliding), WHERE,
 * the keys, the sliding windows (several per query, named or inline, each
 * aggregate over its own), the select items and HAVING over the stage
 * schema (query-int.h), the output columns as KDA names them and SELECT
 * STREAM DISTINCT.
 *
 * The structured (text) form arrives as a tree too (query.c), with its
 * window given by the configuration rather than by the tree; messages then
 * name the fragment at fault ("select X: ...") as they always have.
 */
#include "sql/query-int.h"

#include "base/bounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const window_names[] = {"continuous", "tumbling", "sliding", "stagger"};

/* Prefixes err's sentence with the text fragment it is about ("select X: ..."). */
static int blame(struct kdo_errinfo *err, int rc, const char *what, const char *text)
{
    char msg[sizeof err->msg];
    memcpy(msg, err->msg, sizeof msg);
    return kdo_errinfo_set(err, rc, NULL, err->line ? err->line : 1, err->column, "%s %s: %s",
                           what, text, msg);
}

static int has_over(const struct kdo_ast_expr *x)
{
    if (x == NULL)
        return 0;
    if (x->kind == KDO_AST_CALL && x->over)
        return 1;
    if (has_over(x->a) || has_over(x->b) || has_over(x->c))
        return 1;
    for (const struct kdo_ast_expr *l = x->list; l; l = l->next)
        if (has_over(l))
            return 1;
    return 0;
}

static int decide_shape(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_ast_select *s = q->sel;
    if (q->item_text) {
        static const enum kdo__query_shape by_kind[] = {
            KDO__SHAPE_CONTINUOUS, KDO__SHAPE_GROUPED, KDO__SHAPE_SLIDING, KDO__SHAPE_GROUPED};
        q->shape = by_kind[q->cfg.window];
        return 0;
    }
    q->shape = s->group_by || s->stagger ? KDO__SHAPE_GROUPED : KDO__SHAPE_CONTINUOUS;
    for (const struct kdo_ast_item *it = s->items; it && q->shape == KDO__SHAPE_CONTINUOUS;
         it = it->next)
        if (has_over(it->expr))
            q->shape = KDO__SHAPE_SLIDING;
    q->cfg.window = s->stagger ? KDO_QUERY_STAGGER : s->group_by ? KDO_QUERY_TUMBLING
                    : q->shape == KDO__SHAPE_SLIDING ? KDO_QUERY_SLIDING : KDO_QUERY_CONTINUOUS;
    if (s->group_by && s->stagger)
        return kdo__query_fail(q, KDO_EPARSE, s->stagger->line, s->stagger->col, err,
                               "WINDOWED BY STAGGER replaces GROUP BY; a query has one of them");
    if (s->having && q->shape != KDO__SHAPE_GROUPED)
        return kdo__query_fail(q, KDO_EPARSE, s->having->line, s->having->col, err, "HAVING "
                               "needs GROUP BY or WINDOWED BY STAGGER on a stream");
    return 0;
}

static int compile_where(struct kdo_query *q, struct kdo_errinfo *err)
{
    struct kdo_ast_expr *w;
    if (q->sel->where == NULL)
        return 0;
    int rc = kdo__query_clone(q, q->sel->where, &w, err);
    if (rc == 0)
        rc = kdo__query_slots(q, w, 0, err);
    if (rc == 0)
        rc = kdo_expr_compile_ast(w, q->in_schema, &q->where, err);
    if (rc)
        return rc;
    if (kdo_expr_type(q->where) != KDO_TYPE_BOOLEAN)
        return kdo__query_fail(q, KDO_ESCHEMA, w->line, w->col, err, "where: the condition is "
                               "%s, not BOOLEAN", kdo_type_name(kdo_expr_type(q->where)));
    return 0;
}

/* Compiles the key list into keys[] (and, for GROUP BY, their canonical text). */
static int compile_keys(struct kdo_query *q, const struct kdo_ast_expr *list,
                        struct kdo_expr ***keys, size_t *nkeys, int grouped,
                        struct kdo_errinfo *err)
{
    size_t n = 0;
    for (const struct kdo_ast_expr *x = list; x; x = x->next)
        n++;
    *keys = kdo_xcalloc(n ? n : 1, sizeof **keys);
    if (grouped) {
        q->key_ast = kdo_xcalloc(n ? n : 1, sizeof *q->key_ast);
        q->key_print = kdo_xcalloc(n ? n : 1, sizeof *q->key_print);
    }
    n = 0;
    for (const struct kdo_ast_expr *x = list; x; x = x->next, n++) {
        struct kdo_ast_expr *k;
        int rc = kdo__query_clone(q, x, &k, err);
        if (rc == 0)
            rc = kdo__query_slots(q, k, 0, err);
        if (rc == 0)
            rc = kdo_expr_compile_ast(k, q->in_schema, &(*keys)[n], err);
        if (rc)
            return q->key_text ? blame(err, rc, "partition_by", q->key_text[n]) : rc;
        *nkeys = n + 1;
        if (grouped) {
            q->key_ast[n] = k;
            q->key_print[n] = kdo__query_print(k);
        }
    }
    return 0;
}

int kdo__query_constant(struct kdo_query *q, const struct kdo_ast_expr *x, struct kdo_value *v,
                        struct kdo_errinfo *err)
{
    return kdo_expr_constant(x, &q->scratch, v, err);
}

/* A constant window extent: an INTERVAL (ms) or an integer (ROWS). */
static int extent(struct kdo_query *q, const struct kdo_ast_expr *x, enum kdo_type want,
                  int64_t *v, struct kdo_errinfo *err)
{
    struct kdo_value val;
    int rc = kdo__query_constant(q, x, &val, err);
    if (rc == 0 && val.type != want)
        rc = kdo__query_fail(q, KDO_EINVAL, x->line, x->col, err, "the window's extent is %s, "
                             "not %s", kdo_type_name(val.type),
                             want == KDO_TYPE_BIGINT ? "an integer (ROWS n)"
                                                     : "a day-time INTERVAL (RANGE)");
    *v = val.u.i;
    return rc;
}

static int check_range(struct kdo_query *q, int64_t ms, int line, int col,
                       struct kdo_errinfo *err)
{
    if (ms < 1 || ms > KDO_EXPR_MAX_STEP_MS)
        return kdo__query_fail(q, KDO_EINVAL, line, col, err, "a %s window needs a range from "
                               "1 ms to 366 days", window_names[q->cfg.window]);
    return 0;
}

static int grouped_keys(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_ast_select *s = q->sel;
    const struct kdo_ast_expr *list = s->stagger ? s->stagger->partition : s->group_by;
    int rc = compile_keys(q, list, &q->keys, &q->nkeys, 1, err);
    q->time_key = -1;
    for (size_t i = 0; i < q->nkeys && rc == 0; i++) {
        int col;
        int64_t w;
        if (q->cfg.window != KDO_QUERY_TUMBLING || !kdo_expr_time_bucket(q->keys[i], &col, &w) ||
            !kdo__query_is_rowtime(q, col))
            continue;
        if (q->time_key >= 0)
            return kdo__query_fail(q, KDO_EINVAL, q->key_ast[i]->line, q->key_ast[i]->col, err,
                                   "%s has two windows over ROWTIME (%s and %s)",
                                   q->key_text ? "partition_by" : "GROUP BY",
                                   q->key_print[q->time_key], q->key_print[i]);
        q->time_key = (int)i;
        q->width_ms = w;
    }
    if (rc || q->time_key >= 0)
        return rc;
    if (q->key_text)
        return check_range(q, q->width_ms = q->cfg.range_ms, 1, 1, err);
    if (s->stagger) {
        if (s->stagger->extent == NULL)
            return kdo__query_fail(q, KDO_EPARSE, s->stagger->line, s->stagger->col, err,
                                   "STAGGER needs RANGE INTERVAL ...");
        rc = extent(q, s->stagger->extent, KDO_TYPE_INTERVAL_DS, &q->width_ms, err);
        return rc ? rc : check_range(q, q->width_ms, s->stagger->line, s->stagger->col, err);
    }
    return kdo__query_fail(q, KDO_EINVAL, s->group_by->line, s->group_by->col, err,
                           "GROUP BY on a stream needs a key over ROWTIME (STEP(ROWTIME BY "
                           "INTERVAL ...) or FLOOR(ROWTIME TO unit)), which makes its windows");
}

/* The definition an OVER names (or is). */
static int resolve_window(struct kdo_query *q, const struct kdo_ast_window *w,
                          const struct kdo_ast_window **out, struct kdo_errinfo *err)
{
    *out = w;
    if (w->ref.s == NULL)
        return 0;
    for (const struct kdo_ast_window *d = q->sel->windows; d; d = d->next)
        if (d->name.len == w->ref.len && memcmp(d->name.s, w->ref.s, w->ref.len) == 0) {
            *out = d;
            return 0;
        }
    return kdo__query_fail(q, KDO_ESCHEMA, w->ref.line, w->ref.col, err, "window %.*s is not "
                           "defined (WINDOW %.*s AS (...))", (int)w->ref.len, w->ref.s,
                           (int)w->ref.len, w->ref.s);
}

static int frame(struct kdo_query *q, struct kdo__query_win *w, struct kdo_errinfo *err)
{
    const struct kdo_ast_window *d = w->def;
    int64_t v = 0;
    if (d->order)
        return kdo__query_fail(q, KDO_EPARSE, d->order->expr->line, d->order->expr->col, err,
                               "ORDER BY in an aggregate's window is not allowed (KDA refuses "
                               "it for windowed aggregation)");
    if (d->frame == KDO_AST_FRAME_NONE || d->unbounded || d->bound == KDO_AST_BOUND_FOLLOWING)
        return kdo__query_fail(q, KDO_EPARSE, d->line, d->col, err, "a window needs RANGE "
                               "INTERVAL ... PRECEDING or ROWS n PRECEDING (UNBOUNDED and "
                               "FOLLOWING are not supported yet)");
    int rows = d->frame == KDO_AST_FRAME_ROWS;
    int rc = d->extent ? extent(q, d->extent, rows ? KDO_TYPE_BIGINT : KDO_TYPE_INTERVAL_DS,
                                &v, err) : 0; /* CURRENT ROW: 0 */
    if (rc)
        return rc;
    if (v < 0 || (rows && (uint64_t)v > KDO_MAX_PRECEDING_ROWS) ||
        (!rows && v > KDO_EXPR_MAX_STEP_MS))
        return kdo__query_fail(q, KDO_EINVAL, d->line, d->col, err, "the window's extent is "
                               "out of range (ROWS up to %llu, RANGE up to 366 days)",
                               (unsigned long long)KDO_MAX_PRECEDING_ROWS);
    w->by_rows = rows;
    w->rows = (uint64_t)v;
    w->range = rows ? 0 : v * KDO_MS;
    return compile_keys(q, d->partition, &w->keys, &w->nkeys, 0, err);
}

/* The window `over` names or is: found among those made, or a new one; its index in *win. */
static int window_of(struct kdo_query *q, const struct kdo_ast_window *over, size_t *win,
                     struct kdo_errinfo *err)
{
    const struct kdo_ast_window *d;
    int rc = resolve_window(q, over, &d, err);
    for (size_t i = 0; i < q->nwins && rc == 0; i++)
        if (q->wins[i].def == d) {
            *win = i;
            return 0;
        }
    if (rc)
        return rc;
    q->wins = kdo_xrealloc(q->wins, (q->nwins + 1) * sizeof *q->wins);
    struct kdo__query_win *w = &q->wins[q->nwins];
    memset(w, 0, sizeof *w);
    w->def = d;
    *win = q->nwins++;
    return frame(q, w, err);
}

/* The structured form's one window, from the configuration. */
static int legacy_window(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_query_config *c = &q->cfg;
    q->wins = kdo_xcalloc(1, sizeof *q->wins);
    q->nwins = 1;
    struct kdo__query_win *w = &q->wins[0];
    if (c->by_rows && c->rows > KDO_MAX_PRECEDING_ROWS)
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "ROWS %llu PRECEDING: at most %llu "
                               "rows", (unsigned long long)c->rows,
                               (unsigned long long)KDO_MAX_PRECEDING_ROWS);
    if (!c->by_rows && (c->range_ms < 1 || c->range_ms > KDO_EXPR_MAX_STEP_MS))
        return check_range(q, c->range_ms, 1, 1, err);
    w->by_rows = c->by_rows;
    w->rows = c->rows;
    q->width_ms = c->by_rows ? 0 : c->range_ms;
    if (c->width_divisor > 1 && q->width_ms > 1)
        q->width_ms /= c->width_divisor;
    w->range = q->width_ms * KDO_MS;
    return compile_keys(q, q->sel->group_by, &w->keys, &w->nkeys, 0, err);
}

static int sliding_windows(struct kdo_query *q, struct kdo_errinfo *err)
{
    int rc = q->key_text ? legacy_window(q, err) : 0;
    for (size_t a = 0; a < q->naggs && rc == 0; a++) {
        struct kdo__query_agg *g = &q->aggs[a];
        if (q->key_text)
            g->win = 0; /* the structured form: every aggregate over its one window */
        else if (g->over == NULL)
            return kdo__query_fail(q, KDO_EINVAL, g->line, g->col_at, err, "%s without OVER in a query "
                                   "without GROUP BY: an aggregate needs a window",
                                   kdo_agg_name(g->agg.fn));
        else
            rc = window_of(q, g->over, &g->win, err);
    }
    for (size_t f = 0; f < q->nfns && rc == 0; f++) /* each has OVER (query-ast.c) */
        rc = q->key_text ? 0 : window_of(q, q->fns[f].over, &q->fns[f].win, err);
    for (size_t i = 0; i < q->nwins && rc == 0; i++) {
        struct kdo__query_win *w = &q->wins[i];
        for (size_t a = 0; a < q->naggs; a++)
            if (q->aggs[a].win == i) {
                w->aggs = kdo_xrealloc(w->aggs, (w->naggs + 1) * sizeof *w->aggs);
                w->fns = kdo_xrealloc(w->fns, (w->naggs + 1) * sizeof *w->fns);
                w->aggs[w->naggs] = a;
                w->fns[w->naggs++] = q->aggs[a].agg;
            }
        for (size_t f = 0; f < q->nfns; f++)
            if (q->fns[f].win == i) {
                w->fnis = kdo_xrealloc(w->fnis, (w->nfns + 1) * sizeof *w->fnis);
                w->fnis[w->nfns++] = f;
            }
        w->vals = kdo_xcalloc(w->nfns ? w->nfns : 1, sizeof *w->vals);
        w->acc = kdo_xcalloc(w->naggs ? w->naggs : 1, sizeof *w->acc);
        w->parts = kdo_partitions_new(sizeof(struct kdo__query_part), KDO_QUERY_MAX_PARTITIONS);
    }
    return rc;
}

/* ---- select items -------------------------------------------------------------------- */

/* Adds column `name` (resolved, kept as is) to s, of x's type when x is
 * set (a DECIMAL then with x's precision and scale), else of type t. */
static int add_named(struct kdo_row_schema *s, const char *name, const struct kdo_expr *x,
                     enum kdo_type t, struct kdo_errinfo *err)
{
    size_t max = x ? kdo_expr_max_len(x) : 0;
    if (x)
        t = kdo_expr_type(x);
    char quoted[2 * KDO_ROW_MAX_NAME + 3];
    size_t n = 0;
    quoted[n++] = '"';
    for (const char *p = name; *p && n + 3 < sizeof quoted; p++) {
        if (*p == '"')
            quoted[n++] = '"';
        quoted[n++] = *p;
    }
    quoted[n++] = '"';
    if (t == KDO_TYPE_NULL)
        t = KDO_TYPE_VARCHAR;
    if (t == KDO_TYPE_DECIMAL && x && kdo_expr_precision(x) > 0)
        return kdo_row_schema_add_decimal(s, quoted, n, kdo_expr_precision(x), kdo_expr_scale(x),
                                          err);
    return kdo_row_schema_add(s, quoted, n, t, t == KDO_TYPE_VARCHAR && !max ? 65535 : max, err);
}

static void push_item(struct kdo_query *q, struct kdo_ast_expr *x, const char *name)
{
    size_t n = q->nitems++;
    q->item_ast = kdo_xrealloc(q->item_ast, q->nitems * sizeof *q->item_ast);
    q->item_name = kdo_xrealloc(q->item_name, q->nitems * sizeof *q->item_name);
    q->item_is_rowtime = kdo_xrealloc(q->item_is_rowtime, q->nitems);
    q->item_ast[n] = x;
    q->item_is_rowtime[n] = x->kind == KDO_AST_NAME && x->name.n == 1 &&
                            strcmp(x->name.part[0].s, "ROWTIME") == 0;
    if (name) {
        q->item_name[n] = kdo_xstrdup(name);
    } else if (x->kind == KDO_AST_NAME) { /* KDA names a column reference by its column */
        q->item_name[n] = kdo_xstrdup(x->name.part[x->name.n - 1].s);
    } else {
        char e[32];
        snprintf(e, sizeof e, "EXPR$%zu", n);
        q->item_name[n] = kdo_xstrdup(e);
    }
}

/* `*` or `s.*`: every input column (not ROWTIME), named as declared. */
static int star(struct kdo_query *q, const struct kdo_ast_expr *x, struct kdo_errinfo *err)
{
    for (size_t i = 0; i < kdo_row_schema_count(q->read_schema); i++) {
        const char *name = kdo_row_schema_column(q->read_schema, i)->name;
        struct kdo_ast_expr *c = kdo_ast_alloc(&q->ast, sizeof *c);
        const char *s;
        if (c == NULL || kdo_arena_dup(&q->ast, name, strlen(name), &s) != 0)
            return kdo__query_fail(q, KDO_ETOOBIG, x->line, x->col, err, "the query is too large");
        c->kind = KDO_AST_NAME;
        c->line = x->line;
        c->col = x->col;
        c->name.n = 1;
        c->name.part[0] = (struct kdo_ast_ident){s, strlen(s), x->line, x->col};
        push_item(q, c, NULL);
    }
    return 0;
}

static int aggregate_needs_window(struct kdo_query *q, size_t item, struct kdo_errinfo *err)
{
    const struct kdo__query_agg *g = &q->aggs[0];
    if (q->item_text)
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "select %s: an aggregate needs a "
                               "window (tumbling, sliding or stagger)", q->item_text[item]);
    return kdo__query_fail(q, KDO_EINVAL, g->line, g->col_at, err, "%s needs a window: GROUP BY "
                           "with STEP(ROWTIME BY ...), OVER (...) or WINDOWED BY STAGGER",
                           kdo_agg_name(g->agg.fn));
}

/* Each item copied and rewritten (aggregates and keys into slots), `*` expanded. */
static int gather_items(struct kdo_query *q, struct kdo_errinfo *err)
{
    size_t i = 0;
    for (const struct kdo_ast_item *it = q->sel->items; it; it = it->next, i++) {
        struct kdo_ast_expr *x;
        int rc;
        if (it->expr->kind == KDO_AST_STAR) {
            if ((rc = star(q, it->expr, err)))
                return rc;
            continue;
        }
        /* KDA's ROWTIME alias overrides the row's time and is no column of the
         * target (SR: ROWTIME); it is not modelled, and a column named ROWTIME
         * would silently be something else. */
        if (it->alias.s && strcmp(it->alias.s, "ROWTIME") == 0)
            return kdo__query_fail(q, KDO_EPARSE, it->alias.line, it->alias.col, err,
                                   "AS ROWTIME (an item that sets the output row's ROWTIME) is "
                                   "not supported yet: give the item another name");
        if ((rc = kdo__query_clone(q, it->expr, &x, err)))
            return rc;
        push_item(q, x, it->alias.s);
        size_t before = q->naggs;
        if ((rc = kdo__query_slots(q, x, 1, err)))
            return q->item_text ? blame(err, rc, "select", q->item_text[i]) : rc;
        if (q->naggs > before && q->shape == KDO__SHAPE_CONTINUOUS)
            return aggregate_needs_window(q, i, err);
    }
    return 0;
}

static const char *slot_name(char *buf, size_t cap, char kind, size_t n)
{
    snprintf(buf, cap, "%c%c%zu", KDO__QUERY_SLOT, kind, n);
    return buf;
}

/* What types an analytic function's column: its expression, or LAG's default when that
 * is a longer VARCHAR (LAG(ticker, 1, 'unknown')) or the expression is a bare NULL. */
static const struct kdo_expr *fn_type(const struct kdo__query_fn *f)
{
    const struct kdo_expr *x = f->arg, *d = f->dflt;
    if (d == NULL || kdo_expr_type(d) == KDO_TYPE_NULL)
        return x;
    if (kdo_expr_type(x) == KDO_TYPE_NULL)
        return d;
    size_t xl = kdo_expr_max_len(x), dl = kdo_expr_max_len(d);
    return kdo_expr_type(x) == KDO_TYPE_VARCHAR && xl > 0 && (dl == 0 || dl > xl) ? d : x;
}

/* The stage schema: keys, aggregates and ROWTIME (grouped), or the aggregates after the
 * input row's columns. */
static int stage_schema(struct kdo_query *q, struct kdo_errinfo *err)
{
    char name[32];
    struct kdo_row_schema *s = q->in_schema;
    int rc = 0;
    if (q->shape == KDO__SHAPE_GROUPED) {
        s = q->grp_schema = kdo_row_schema_new();
        for (size_t k = 0; k < q->nkeys && rc == 0; k++)
            rc = add_named(s, slot_name(name, sizeof name, 'K', k), q->keys[k], 0, err);
    }
    for (size_t a = 0; a < q->naggs && rc == 0; a++) {
        q->aggs[a].col = kdo_row_schema_count(s);
        rc = add_named(s, slot_name(name, sizeof name, 'A', a), NULL,
                       kdo_agg_type(&q->aggs[a].agg), err);
    }
    for (size_t f = 0; f < q->nfns && rc == 0; f++) {
        q->fns[f].col = kdo_row_schema_count(s);
        rc = add_named(s, slot_name(name, sizeof name, 'F', f), fn_type(&q->fns[f]), 0, err);
    }
    if (rc == 0 && q->shape == KDO__SHAPE_GROUPED)
        rc = add_named(s, "ROWTIME", NULL, KDO_TYPE_TIMESTAMP, err);
    return rc;
}

static int compile_items(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_row_schema *s = q->grp_schema ? q->grp_schema : q->in_schema;
    q->items = kdo_xcalloc(q->nitems ? q->nitems : 1, sizeof *q->items);
    q->out_schema = kdo_row_schema_new();
    for (size_t i = 0; i < q->nitems; i++) {
        int rc = kdo_expr_compile_ast(q->item_ast[i], s, &q->items[i], err);
        if (rc == 0 && (kdo_expr_type(q->items[i]) == KDO_TYPE_INTERVAL_DS ||
                        kdo_expr_type(q->items[i]) == KDO_TYPE_INTERVAL_YM))
            rc = kdo__query_fail(q, KDO_ESCHEMA, q->item_ast[i]->line, q->item_ast[i]->col, err,
                                 "an INTERVAL cannot be an output column; CAST it or use it "
                                 "in arithmetic with a TIMESTAMP");
        if (rc)
            return q->item_text && i < q->cfg.nselect ? blame(err, rc, "select", q->item_text[i])
                                                      : rc;
        rc = add_named(q->out_schema, q->item_name[i], q->items[i], 0, err);
        if (rc) {
            err->file = q->cfg.file;
            err->line = q->item_ast[i]->line;
            err->column = q->item_ast[i]->col;
            return rc;
        }
    }
    return 0;
}

static int compile_having(struct kdo_query *q, struct kdo_errinfo *err)
{
    struct kdo_ast_expr *h;
    if (q->sel->having == NULL)
        return 0;
    int rc = kdo__query_clone(q, q->sel->having, &h, err);
    if (rc == 0)
        rc = kdo__query_slots(q, h, 1, err);
    if (rc)
        return rc;
    q->item_ast = kdo_xrealloc(q->item_ast, (q->nitems + 1) * sizeof *q->item_ast);
    q->item_ast[q->nitems] = h; /* compiled after the stage schema exists */
    return 0;
}

static int compile_having_expr(struct kdo_query *q, struct kdo_errinfo *err)
{
    if (q->sel->having == NULL)
        return 0;
    const struct kdo_ast_expr *h = q->item_ast[q->nitems];
    int rc = kdo_expr_compile_ast(h, q->grp_schema, &q->having, err);
    if (rc == 0 && kdo_expr_type(q->having) != KDO_TYPE_BOOLEAN)
        rc = kdo__query_fail(q, KDO_ESCHEMA, h->line, h->col, err, "HAVING: the condition is "
                             "%s, not BOOLEAN", kdo_type_name(kdo_expr_type(q->having)));
    return rc;
}

/* SELECT STREAM DISTINCT: duplicates are dropped within a window (grouped) or within one
 * value of a monotonic item over ROWTIME (continuous), as KDA requires one. */
static int plan_distinct(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_ast_select *s = q->sel;
    q->distinct_bucket = -1;
    if (!s->distinct)
        return 0;
    q->distinct = 1;
    q->seen = kdo_partitions_new(0, KDO_QUERY_MAX_PARTITIONS);
    if (q->shape == KDO__SHAPE_GROUPED && q->cfg.window == KDO_QUERY_TUMBLING)
        return 0;
    if (q->shape != KDO__SHAPE_CONTINUOUS)
        return kdo__query_fail(q, KDO_EPARSE, s->line, s->col, err, "SELECT STREAM DISTINCT "
                               "with a %s window is not supported yet",
                               window_names[q->cfg.window]);
    for (size_t i = 0; i < q->nitems; i++) {
        int col;
        int64_t w;
        if (kdo_expr_time_bucket(q->items[i], &col, &w) && kdo__query_is_rowtime(q, col)) {
            q->distinct_bucket = (int)i;
            return 0;
        }
    }
    return kdo__query_fail(q, KDO_EINVAL, s->line, s->col, err, "SELECT STREAM DISTINCT needs "
                           "a monotonic item over ROWTIME (FLOOR(ROWTIME TO unit) or "
                           "STEP(ROWTIME BY INTERVAL ...)): it says when a value may repeat");
}

int kdo__query_plan(struct kdo_query *q, struct kdo_errinfo *err)
{
    int rc = kdo__query_check_select(q, err);
    if (rc == 0)
        rc = decide_shape(q, err);
    if (rc == 0)
        rc = compile_where(q, err);
    q->time_key = -1;
    if (rc == 0 && q->shape == KDO__SHAPE_GROUPED)
        rc = grouped_keys(q, err);
    if (rc == 0 && q->shape == KDO__SHAPE_GROUPED && q->cfg.width_divisor > 1 && q->width_ms > 1)
        q->width_ms /= q->cfg.width_divisor;
    q->range = q->width_ms * KDO_MS;
    if (rc == 0)
        rc = gather_items(q, err);
    if (rc == 0)
        rc = compile_having(q, err);
    if (rc == 0 && q->shape == KDO__SHAPE_SLIDING)
        rc = sliding_windows(q, err);
    if (rc == 0)
        rc = stage_schema(q, err);
    if (rc == 0)
        rc = compile_items(q, err);
    if (rc == 0)
        rc = compile_having_expr(q, err);
    if (rc == 0)
        rc = plan_distinct(q, err);
    if (rc != 0 && err && err->file == NULL)
        err->file = q->cfg.file;
    return rc;
}

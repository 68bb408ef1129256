/*
 * query-ast.c -- a whole SELECT STREAM, as the parser built it (ast.h), into
 * the query's configuration: WHERE, the select items, the keys and the one
 * window (GROUP BY with a STEP/FLOOR over ROWTIME: tumbling; WINDOWED BY
 * STAGGER: stagger; aggregates OVER a window: sliding).
 *
 * Expressions go back to canonical SQL text (kdo_ast_print_expr), which the
 * query compiles with the same grammar, so a tree and the structured form
 * reach one compile path.  What the query does not do is refused here with
 * the tree's line:col and the feature's name, never dropped: JOIN, TABLE(...),
 * a subquery in FROM (the binder makes it a stream), UNION ALL.
 */
#include "sql/query-int.h"

#include "base/buf.h"
#include "sql/expr.h"
#include "sql/row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX (4 * 1024 * 1024)

void kdo__query_texts_init(struct kdo__query_texts *t)
{
    memset(t, 0, sizeof *t);
    kdo_arena_init(&t->arena, TEXT_MAX);
}

void kdo__query_texts_cleanup(struct kdo__query_texts *t)
{
    kdo_arena_cleanup(&t->arena);
    free(t->select);
    free(t->partition);
}

static int refuse(const struct kdo_query_config *c, struct kdo_errinfo *err, int line, int col,
                  const char *what)
{
    return kdo_errinfo_set(err, KDO_EPARSE, c->file, line, col, "%s", what);
}

/* The canonical text of x (with an aggregate's OVER left out) and, when alias is set,
 * " AS \"alias\"", into the arena. */
static int print(struct kdo__query_texts *t, const struct kdo_ast_expr *x,
                 const struct kdo_ast_ident *alias, const char **out, struct kdo_errinfo *err)
{
    struct kdo_buf b;
    struct kdo_ast_expr plain;
    if (x->kind == KDO_AST_CALL && x->over) {
        plain = *x;
        plain.over = NULL;
        x = &plain;
    }
    kdo_buf_init(&b, 64 * 1024);
    int rc = kdo_ast_print_expr(x, &b);
    if (rc == 0 && alias && alias->s) {
        kdo_buf_puts(&b, " AS \"");
        for (size_t i = 0; i < alias->len; i++)
            rc = rc ? rc : kdo_buf_append(&b, alias->s + i, alias->s[i] == '"' ? 0 : 1);
        rc = rc ? rc : kdo_buf_puts(&b, "\"");
    }
    if (rc == 0)
        rc = kdo_arena_dup(&t->arena, b.data ? b.data : "", b.len, out);
    kdo_buf_cleanup(&b);
    if (rc)
        return kdo_errinfo_set(err, KDO_ETOOBIG, NULL, x->line, x->col, "the expression is too "
                               "long to compile");
    return 0;
}

/* A constant window extent: INTERVAL ... (ms, *is_rows 0) or an integer (ROWS). */
static int extent_value(const struct kdo_query_config *c, const struct kdo_ast_expr *x,
                        int64_t *v, struct kdo_errinfo *err)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    struct kdo_row *r = kdo_row_new(s);
    struct kdo_expr *e = NULL;
    struct kdo_arena scratch;
    struct kdo_value val = kdo_value_null();
    kdo_arena_init(&scratch, 4096);
    int rc = kdo_expr_compile_ast(x, s, &e, err);
    if (rc == 0)
        rc = kdo_expr_eval(e, r, &scratch, &val, err);
    if (rc == 0 && val.type != KDO_TYPE_INTERVAL_DS && val.type != KDO_TYPE_BIGINT)
        rc = kdo_errinfo_set(err, KDO_EINVAL, c->file, x->line, x->col, "a window's extent is "
                             "an INTERVAL (RANGE) or an integer (ROWS), not %s",
                             kdo_type_name(val.type));
    *v = val.u.i;
    kdo_expr_free(e);
    kdo_row_free(r);
    kdo_row_schema_free(s);
    kdo_arena_cleanup(&scratch);
    return rc;
}

static int add_keys(struct kdo__query_texts *t, const struct kdo_ast_expr *list,
                    struct kdo_query_config *out, struct kdo_errinfo *err)
{
    size_t n = 0;
    for (const struct kdo_ast_expr *x = list; x; x = x->next)
        n++;
    t->partition = kdo_xcalloc(n ? n : 1, sizeof *t->partition);
    out->npartition = n;
    out->partition_by = t->partition;
    n = 0;
    for (const struct kdo_ast_expr *x = list; x; x = x->next) {
        int rc = print(t, x, NULL, &t->partition[n++], err);
        if (rc)
            return rc;
    }
    return 0;
}

/* The window of a sliding query: OVER (...) inline or OVER name, from the WINDOW clause. */
static int resolve_window(const struct kdo_query_config *c, const struct kdo_ast_window *w,
                          const struct kdo_ast_window **out, struct kdo_errinfo *err)
{
    if (w->ref.s == NULL) {
        *out = w;
        return 0;
    }
    for (const struct kdo_ast_window *d = c->select_ast->windows; d; d = d->next)
        if (d->name.len == w->ref.len && memcmp(d->name.s, w->ref.s, w->ref.len) == 0) {
            *out = d;
            return 0;
        }
    return kdo_errinfo_set(err, KDO_ESCHEMA, c->file, w->ref.line, w->ref.col, "window %.*s is "
                           "not defined (WINDOW %.*s AS (...))", (int)w->ref.len, w->ref.s,
                           (int)w->ref.len, w->ref.s);
}

static int frame(const struct kdo_query_config *c, const struct kdo_ast_window *w,
                 struct kdo_query_config *out, struct kdo_errinfo *err)
{
    int64_t v = 0;
    if (w->order)
        return refuse(c, err, w->order->expr->line, w->order->expr->col,
                      "ORDER BY in a window is not supported yet");
    if (w->frame == KDO_AST_FRAME_NONE || w->extent == NULL || w->bound == KDO_AST_BOUND_FOLLOWING)
        return refuse(c, err, w->line, w->col, "a window needs RANGE INTERVAL ... PRECEDING or "
                      "ROWS n PRECEDING (UNBOUNDED, CURRENT ROW and FOLLOWING are not "
                      "supported yet)");
    int rc = extent_value(c, w->extent, &v, err);
    if (rc)
        return rc;
    if (w->frame == KDO_AST_FRAME_ROWS) {
        out->by_rows = 1;
        out->rows = v < 0 ? 0 : (uint64_t)v;
    } else {
        out->range_ms = v;
    }
    return 0;
}

static int from_clause(const struct kdo_query_config *c, struct kdo_errinfo *err)
{
    const struct kdo_ast_from *f = c->select_ast->from;
    if (f == NULL)
        return refuse(c, err, c->select_ast->line, c->select_ast->col, "a query needs FROM");
    switch (f->kind) {
    case KDO_AST_FROM_JOIN:
        return refuse(c, err, f->line, f->col, "JOIN is not supported yet (issue 14)");
    case KDO_AST_FROM_TABLE_FN:
        return refuse(c, err, f->line, f->col, "TABLE(...) is not supported yet (issue 14)");
    case KDO_AST_FROM_SUBQUERY:
        return refuse(c, err, f->line, f->col, "a subquery in FROM reaches the query only as "
                      "its own stream (the binder's job)");
    default:
        break;
    }
    if (f->over)
        return refuse(c, err, f->over->line, f->over->col, "a window on a stream in FROM "
                      "(stream OVER ...) is not supported yet (issue 14)");
    return 0;
}

/* The window every aggregate item is OVER; NULL when none is. */
static int over_window(const struct kdo_query_config *c, const struct kdo_ast_window **w,
                       struct kdo_errinfo *err)
{
    *w = NULL;
    for (const struct kdo_ast_item *it = c->select_ast->items; it; it = it->next) {
        const struct kdo_ast_window *d = NULL;
        if (it->expr->kind != KDO_AST_CALL || it->expr->over == NULL)
            continue;
        int rc = resolve_window(c, it->expr->over, &d, err);
        if (rc)
            return rc;
        if (*w && d != *w)
            return refuse(c, err, it->expr->over->line, it->expr->over->col, "aggregates over "
                          "several windows in one query are not supported yet");
        *w = d;
    }
    return 0;
}

static int items(const struct kdo_query_config *c, struct kdo__query_texts *t,
                 struct kdo_query_config *out, struct kdo_errinfo *err)
{
    size_t n = 0;
    const struct kdo_ast_item *first = c->select_ast->items;
    for (const struct kdo_ast_item *it = first; it; it = it->next)
        n++;
    if (n == 1 && first->expr->kind == KDO_AST_STAR) {
        out->select = NULL; /* every input column */
        out->nselect = 0;
        return 0;
    }
    t->select = kdo_xcalloc(n ? n : 1, sizeof *t->select);
    out->select = t->select;
    out->nselect = n;
    n = 0;
    for (const struct kdo_ast_item *it = first; it; it = it->next) {
        if (it->expr->kind == KDO_AST_STAR)
            return refuse(c, err, it->expr->line, it->expr->col, "* with other items is not "
                          "supported yet");
        int rc = print(t, it->expr, &it->alias, &t->select[n++], err);
        if (rc)
            return rc;
    }
    return 0;
}

static int shape(const struct kdo_query_config *c, struct kdo__query_texts *t,
                 struct kdo_query_config *out, struct kdo_errinfo *err)
{
    const struct kdo_ast_select *s = c->select_ast;
    const struct kdo_ast_window *w;
    int rc = over_window(c, &w, err);
    if (rc)
        return rc;
    if (s->stagger) {
        out->window = KDO_QUERY_STAGGER;
        if ((rc = add_keys(t, s->stagger->partition, out, err)))
            return rc;
        if (s->stagger->extent == NULL)
            return refuse(c, err, s->stagger->line, s->stagger->col, "STAGGER needs RANGE "
                          "INTERVAL ...");
        return extent_value(c, s->stagger->extent, &out->range_ms, err);
    }
    if (s->group_by) {
        out->window = KDO_QUERY_TUMBLING;
        return add_keys(t, s->group_by, out, err);
    }
    if (w) {
        out->window = KDO_QUERY_SLIDING;
        if ((rc = add_keys(t, w->partition, out, err)))
            return rc;
        return frame(c, w, out, err);
    }
    out->window = KDO_QUERY_CONTINUOUS;
    return 0;
}

int kdo__query_from_ast(const struct kdo_query_config *c, struct kdo_query_config *out,
                        struct kdo__query_texts *t, struct kdo_errinfo *err)
{
    const struct kdo_ast_select *s = c->select_ast;
    *out = *c;
    out->where = NULL;
    out->select = NULL;
    out->nselect = 0;
    out->partition_by = NULL;
    out->npartition = 0;
    out->range_ms = 0;
    out->by_rows = 0;
    out->rows = 0;
    if (s->next)
        return refuse(c, err, s->next->line, s->next->col, "UNION ALL is not supported yet");
    if (s->distinct)
        return refuse(c, err, s->line, s->col, "SELECT DISTINCT is not supported yet");
    if (s->having)
        return refuse(c, err, s->having->line, s->having->col, "HAVING is not supported yet");
    int rc = from_clause(c, err);
    if (rc == 0 && s->where)
        rc = print(t, s->where, NULL, &out->where, err);
    if (rc == 0)
        rc = items(c, t, out, err);
    if (rc == 0)
        rc = shape(c, t, out, err);
    return rc;
}

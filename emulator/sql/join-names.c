/*
 * join-names.c -- the joined row's columns and the names that read them.
 *
 * A joined row carries both sides' columns; two sides often share a name
 * (orderid), so each is named by its side's qualifier, "O.orderid", and
 * the pump's SELECT is rewritten to those names before the query compiles
 * it: o.orderid and an unqualified column that only one side has both
 * become the single name "O.orderid".  Bare ROWTIME stays the joined row's
 * own (the later of the two); o.ROWTIME is "O.ROWTIME", a column.
 */
#include "sql/join-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int add(struct kdo_join *j, const char *qual, const char *col,
               const struct kdo_row_column *t, struct kdo_errinfo *e)
{
    char name[2 * KDO_ROW_MAX_NAME + 2];
    int n = snprintf(name, sizeof name, "%s.%s", qual, col);
    if (n > KDO_ROW_MAX_NAME)
        return kdo_errinfo_set(e, KDO_EINVAL, j->file, 0, 0, "the joined column %s is longer "
                               "than %d bytes: use a shorter alias", name, KDO_ROW_MAX_NAME);
    return kdo_row_schema_add_named(j->schema, name, t, e);
}

static void qualifier(const struct kdo_ast_from *f, const char *name, char *out, size_t size)
{
    if (f->alias.s)
        snprintf(out, size, "%s", f->alias.s);
    else if (f->kind == KDO_AST_FROM_STREAM)
        snprintf(out, size, "%s", f->stream.part[f->stream.n - 1].s);
    else
        snprintf(out, size, "%s", name);
}

int kdo__join_names(struct kdo_join *j, const struct kdo_join_config *c, struct kdo_errinfo *e)
{
    const struct kdo_ast_from *sides[2] = {c->from->left, c->from->right};
    static const struct kdo_row_column ts = {.type = KDO_TYPE_TIMESTAMP};
    j->schema = kdo_row_schema_new();
    for (int s = 0; s < 2; s++) {
        struct kdo__join_side *sd = &j->side[s];
        qualifier(sides[s], c->name[s], sd->qual, sizeof sd->qual);
        sd->schema = c->schema[s];
        sd->ncols = kdo_row_schema_count(c->schema[s]);
        sd->off = kdo_row_schema_count(j->schema);
        for (size_t i = 0; i < sd->ncols; i++) {
            const struct kdo_row_column *col = kdo_row_schema_column(c->schema[s], i);
            int rc = add(j, sd->qual, col->name, col, e);
            if (rc)
                return rc == KDO_ESCHEMA ? kdo_errinfo_set(e, rc, j->file, sides[1]->line,
                                                           sides[1]->col, "both sides of the "
                                                           "join are named %s: give one an "
                                                           "alias", sd->qual)
                                         : rc;
        }
    }
    for (int s = 0; s < 2; s++) {
        struct kdo__join_side *sd = &j->side[s];
        sd->rowtime_col = -1;
        if (c->table[s] == NULL) {
            sd->rowtime_col = (int)kdo_row_schema_count(j->schema);
            int rc = add(j, sd->qual, "ROWTIME", &ts, e);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int fail(const struct kdo_join *j, const struct kdo_ast_ident *id, int rc,
                struct kdo_errinfo *e, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(const struct kdo_join *j, const struct kdo_ast_ident *id, int rc,
                struct kdo_errinfo *e, const char *fmt, ...)
{
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kdo_errinfo_set(e, rc, j->file, id->line, id->col, "%s", msg);
}

static int has(const struct kdo__join_side *sd, const struct kdo_ast_ident *id)
{
    return kdo_row_schema_find(sd->schema, id->s, id->len) >= 0 ||
           (sd->rowtime_col >= 0 && strcmp(id->s, "ROWTIME") == 0);
}

/* Name x as the joined row's column of side sd. */
static int to_column(const struct kdo_join *j, const struct kdo__join_side *sd,
                     struct kdo_ast_expr *x, const struct kdo_ast_ident *col,
                     struct kdo_arena *arena, struct kdo_errinfo *e)
{
    char name[2 * KDO_ROW_MAX_NAME + 2];
    int n = snprintf(name, sizeof name, "%s.%s", sd->qual, col->s);
    const char *s;
    if (kdo_arena_dup(arena, name, (size_t)n, &s) != 0)
        return fail(j, col, KDO_ETOOBIG, e, "the query is too large");
    x->name.n = 1;
    x->name.part[0] = (struct kdo_ast_ident){s, (size_t)n, col->line, col->col};
    return 0;
}

static int rename_column(const struct kdo_join *j, struct kdo_ast_expr *x, struct kdo_arena *arena,
                  struct kdo_errinfo *e)
{
    const struct kdo__join_side *l = &j->side[0], *r = &j->side[1];
    if (x->kind != KDO_AST_NAME || x->name.n > 2)
        return 0;
    if (x->name.n == 2) {
        const struct kdo_ast_ident *q = &x->name.part[0], *col = &x->name.part[1];
        const struct kdo__join_side *sd = strcmp(q->s, l->qual) == 0   ? l
                                          : strcmp(q->s, r->qual) == 0 ? r
                                                                       : NULL;
        if (sd == NULL)
            return fail(j, q, KDO_ESCHEMA, e, "unknown stream %s: the join reads %s and %s",
                        q->s, l->qual, r->qual);
        if (!has(sd, col)) {
            const char *near = kdo_row_schema_nearest(sd->schema, col->s, col->len);
            return fail(j, col, KDO_ESCHEMA, e, "%s has no column %s%s%s%s", sd->qual, col->s,
                        near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        }
        return to_column(j, sd, x, col, arena, e);
    }
    const struct kdo_ast_ident *id = &x->name.part[0];
    if (strcmp(id->s, "ROWTIME") == 0)
        return 0;
    int inl = kdo_row_schema_find(l->schema, id->s, id->len) >= 0;
    int inr = kdo_row_schema_find(r->schema, id->s, id->len) >= 0;
    if (inl && inr)
        return fail(j, id, KDO_ESCHEMA, e, "column %s is in both %s and %s: write %s.%s or "
                    "%s.%s", id->s, l->qual, r->qual, l->qual, id->s, r->qual, id->s);
    return inl || inr ? to_column(j, inl ? l : r, x, id, arena, e) : 0;
}

static int rewrite_at(const struct kdo_join *j, const struct kdo_ast_expr *x,
                      struct kdo_arena *arena, struct kdo_ast_expr **out, int depth,
                      struct kdo_errinfo *e)
{
    *out = NULL;
    if (x == NULL)
        return 0;
    if (depth > KDO_EXPR_MAX_DEPTH)
        return kdo_errinfo_set(e, KDO_EDEPTH, j->file, x->line, x->col, "the expression nests "
                               "deeper than %d", KDO_EXPR_MAX_DEPTH);
    struct kdo_ast_expr *c = kdo_ast_alloc(arena, sizeof *c);
    if (c == NULL)
        return kdo_errinfo_set(e, KDO_ETOOBIG, j->file, x->line, x->col, "the query is too large");
    *c = *x;
    c->next = NULL;
    int rc = rename_column(j, c, arena, e);
    if (rc == 0)
        rc = rewrite_at(j, x->a, arena, &c->a, depth + 1, e);
    if (rc == 0)
        rc = rewrite_at(j, x->b, arena, &c->b, depth + 1, e);
    if (rc == 0)
        rc = rewrite_at(j, x->c, arena, &c->c, depth + 1, e);
    struct kdo_ast_expr **tail = &c->list;
    for (const struct kdo_ast_expr *l = x->list; l && rc == 0; l = l->next) {
        rc = rewrite_at(j, l, arena, tail, depth + 1, e);
        tail = &(*tail)->next;
    }
    *out = c;
    return rc;
}

int kdo__join_rewrite(const struct kdo_join *j, const struct kdo_ast_expr *x,
                      struct kdo_arena *arena, struct kdo_ast_expr **out, struct kdo_errinfo *e)
{
    return rewrite_at(j, x, arena, out, 0, e);
}

/* A list (GROUP BY keys) rewritten item by item. */
static int rewrite_list(const struct kdo_join *j, const struct kdo_ast_expr *x,
                        struct kdo_arena *arena, struct kdo_ast_expr **out, struct kdo_errinfo *e)
{
    int rc = 0;
    *out = NULL;
    for (; x && rc == 0; x = x->next, out = &(*out)->next)
        rc = kdo__join_rewrite(j, x, arena, out, e);
    return rc;
}

/* The column an unaliased item names (o.orderid: orderid), or NULL. */
static const struct kdo_ast_ident *named(const struct kdo_ast_item *it)
{
    const struct kdo_ast_expr *x = it->expr;
    if (it->alias.s || x->kind != KDO_AST_NAME || x->name.n > 2 ||
        strcmp(x->name.part[x->name.n - 1].s, "ROWTIME") == 0)
        return NULL;
    return &x->name.part[x->name.n - 1];
}

/* Whether another item of the list is named `id` too (a.v, b.v). */
static int shared(const struct kdo_ast_item *list, const struct kdo_ast_item *it,
                  const struct kdo_ast_ident *id)
{
    for (const struct kdo_ast_item *o = list; o; o = o->next) {
        const struct kdo_ast_ident *n = o->alias.s ? &o->alias : named(o);
        if (o != it && n && strcmp(n->s, id->s) == 0)
            return 1;
    }
    return 0;
}

static int items(const struct kdo_join *j, const struct kdo_ast_item *list,
                 struct kdo_arena *arena, struct kdo_ast_item **out, struct kdo_errinfo *e)
{
    for (const struct kdo_ast_item *it = list; it; it = it->next, out = &(*out)->next) {
        const struct kdo_ast_expr *x = it->expr;
        if (x->kind == KDO_AST_STAR)
            return kdo_errinfo_set(e, KDO_EPARSE, j->file, x->line, x->col, "SELECT * over a "
                                   "JOIN is not supported yet: name the columns");
        struct kdo_ast_item *c = kdo_ast_alloc(arena, sizeof *c);
        if (c == NULL)
            return kdo_errinfo_set(e, KDO_ETOOBIG, j->file, x->line, x->col, "the query is too "
                                   "large");
        *c = *it;
        c->next = NULL;
        /* o.orderid's output column is orderid, as without the join, unless
         * another item is orderid too: then it stays O.orderid */
        const struct kdo_ast_ident *id = named(it);
        if (id && !shared(list, it, id))
            c->alias = *id;
        int rc = kdo__join_rewrite(j, x, arena, &c->expr, e);
        if (rc)
            return rc;
        *out = c;
    }
    return 0;
}

int kdo_join_select(const struct kdo_join *j, const struct kdo_ast_select *s, const char *stream,
                    struct kdo_arena *arena, const struct kdo_ast_select **out,
                    struct kdo_errinfo *e)
{
    struct kdo_ast_select *c = kdo_ast_alloc(arena, sizeof *c);
    struct kdo_ast_from *f = kdo_ast_alloc(arena, sizeof *f);
    const char *name;
    if (c == NULL || f == NULL || kdo_arena_dup(arena, stream, strlen(stream), &name) != 0)
        return kdo_errinfo_set(e, KDO_ETOOBIG, j->file, s->line, s->col, "the query is too "
                               "large");
    *c = *s;
    memset(f, 0, sizeof *f);
    f->kind = KDO_AST_FROM_STREAM;
    f->line = s->from->line;
    f->col = s->from->col;
    f->stream.n = 1;
    f->stream.part[0] = (struct kdo_ast_ident){name, strlen(name), f->line, f->col};
    c->from = f;
    int rc = items(j, s->items, arena, &c->items, e);
    if (rc == 0)
        rc = kdo__join_rewrite(j, s->where, arena, &c->where, e);
    if (rc == 0)
        rc = kdo__join_rewrite(j, s->having, arena, &c->having, e);
    if (rc == 0)
        rc = rewrite_list(j, s->group_by, arena, &c->group_by, e);
    *out = c;
    return rc;
}

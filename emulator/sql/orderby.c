/*
 * orderby.c -- a pump's streaming ORDER BY (orderby.h): rows of one ROWTIME
 * bucket copied aside with their keys, sorted and sent on when it ends.
 */
#include "sql/orderby.h"

#include "base/arena.h"
#include "base/bounds.h"
#include "sql/expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 16

struct entry {
    struct kdo_row *row;   /* the output columns, then ROWTIME when it is not one */
    uint64_t seq;
    struct kdo_value keys[MAX_KEYS];
    const struct kdo_orderby *o;
};

struct kdo_orderby {
    struct kdo_expr *keys[MAX_KEYS];
    int desc[MAX_KEYS];
    size_t nkeys, ncols; /* ncols: the output's columns */
    int rowtime_col;
    int64_t width_ms;    /* of the leading bucket */
    int64_t epoch_ms;
    int64_t shift_ms;    /* 1 for a grouped query: its window's last instant */
    struct kdo_row_schema *key_schema;
    struct kdo_row *out;
    struct entry *v;     /* rows of the open bucket; rows past n kept for reuse */
    size_t n, cap;
    int64_t bucket_ms;   /* the open bucket's start (wall ms) when n > 0 */
    uint64_t seq;
    struct kdo_arena scratch; /* strings of the keys, until the bucket is sent */
};

/* s.COL and alias.COL name the query's input: COL (in place). */
static void drop_qualifiers(struct kdo_ast_expr *x, const char *input, const char *alias)
{
    if (x == NULL)
        return;
    if (x->kind == KDO_AST_NAME && x->name.n == 2 &&
        ((input && strcmp(x->name.part[0].s, input) == 0) ||
         (alias && strcmp(x->name.part[0].s, alias) == 0))) {
        x->name.part[0] = x->name.part[1];
        x->name.n = 1;
    }
    drop_qualifiers(x->a, input, alias);
    drop_qualifiers(x->b, input, alias);
    drop_qualifiers(x->c, input, alias);
    for (struct kdo_ast_expr *l = x->list; l; l = l->next)
        drop_qualifiers(l, input, alias);
}

static int is_rowtime(const struct kdo_ast_expr *x)
{
    return x->kind == KDO_AST_NAME && x->name.n == 1 && strcmp(x->name.part[0].s, "ROWTIME") == 0;
}

int kdo_orderby_new(const struct kdo_orderby_config *c, struct kdo_orderby **out, struct kdo_errinfo *e)
{
    struct kdo_orderby *o = kdo_xcalloc(1, sizeof *o);
    o->epoch_ms = c->epoch_ms;
    o->shift_ms = c->grouped ? 1 : 0;
    o->ncols = kdo_row_schema_count(c->schema);
    o->key_schema = kdo_row_schema_copy(c->schema);
    o->rowtime_col = kdo_row_schema_find(o->key_schema, "ROWTIME", 7);
    if (o->rowtime_col < 0) {
        kdo_row_schema_add(o->key_schema, "ROWTIME", 7, KDO_TYPE_TIMESTAMP, 0, NULL);
        o->rowtime_col = (int)o->ncols;
    }
    o->out = kdo_row_new(c->schema);
    kdo_arena_init(&o->scratch, (size_t)256 << 20);
    int rc = 0;
    for (struct kdo_ast_order *it = c->items; it && rc == 0; it = it->next) {
        if (o->nkeys == MAX_KEYS) {
            rc = kdo_errinfo_set(e, KDO_ETOOBIG, c->file, it->expr->line, it->expr->col,
                                 "ORDER BY: more than %d keys", MAX_KEYS);
            break;
        }
        struct kdo_ast_expr *x = it->expr;
        drop_qualifiers(x, c->input, c->alias);
        struct kdo_errinfo ei = {0};
        if (kdo_expr_compile_ast(x, o->key_schema, &o->keys[o->nkeys], &ei) != 0) {
            rc = kdo_errinfo_set(e, KDO_ESCHEMA, c->file, ei.line ? ei.line : x->line,
                                 ei.line ? ei.column : x->col, "ORDER BY sorts on the query's "
                                 "output columns and ROWTIME: %s", ei.msg);
            break;
        }
        o->desc[o->nkeys++] = it->desc;
    }
    if (rc == 0) {
        int col = -1;
        const struct kdo_ast_expr *lead = c->items->expr;
        if (is_rowtime(lead) && !c->items->desc)
            o->width_ms = 1;
        else if (c->items->desc ||
                 !kdo_expr_time_bucket(o->keys[0], &col, &o->width_ms) || col != o->rowtime_col)
            rc = kdo_errinfo_set(e, KDO_EPARSE, c->file, lead->line, lead->col,
                                 "ORDER BY on a stream leads with a time bucket over ROWTIME, "
                                 "ascending, such as FLOOR(s.ROWTIME TO SECOND) or STEP(s.ROWTIME "
                                 "BY INTERVAL '10' SECOND): KDA sorts the rows of each bucket");
    }
    if (rc) {
        kdo_orderby_free(o);
        return rc;
    }
    *out = o;
    return 0;
}

void kdo_orderby_free(struct kdo_orderby *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->nkeys; i++)
        kdo_expr_free(o->keys[i]);
    for (size_t i = 0; i < o->cap; i++)
        kdo_row_free(o->v[i].row);
    free(o->v);
    kdo_row_free(o->out);
    kdo_row_schema_free(o->key_schema);
    kdo_arena_cleanup(&o->scratch);
    free(o);
}

/* ---- comparing -------------------------------------------------------------------------- */

/* SQL order, NULL larger than every value. */
static int cmp_value(const struct kdo_value *a, const struct kdo_value *b)
{
    if (a->type == KDO_TYPE_NULL || b->type == KDO_TYPE_NULL) /* NULL high */
        return (a->type == KDO_TYPE_NULL) - (b->type == KDO_TYPE_NULL);
    enum kdo_order o = kdo_value_compare(a, b);
    return o == KDO_ORDER_LT ? -1 : o == KDO_ORDER_GT ? 1 : 0;
}

static int cmp_entry(const void *pa, const void *pb)
{
    const struct entry *a = *(const struct entry *const *)pa, *b = *(const struct entry *const *)pb;
    const struct kdo_orderby *o = a->o;
    for (size_t k = 1; k < o->nkeys; k++) { /* key 0 is the bucket: equal */
        int c = cmp_value(&a->keys[k], &b->keys[k]);
        if (c)
            return o->desc[k] ? -c : c;
    }
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* ---- buckets ------------------------------------------------------------------------------ */

kdo_time_ns kdo_orderby_next_deadline(const struct kdo_orderby *o)
{
    if (o->n == 0)
        return KDO_TIME_NEVER;
    return (o->bucket_ms + o->width_ms - o->epoch_ms) * KDO_MS;
}

/* The bucket's rows, sorted, with ROWTIME `now`: sorting by another key
 * must not make the stream's ROWTIME go back. */
static int send(struct kdo_orderby *o, kdo_time_ns now, const struct kdo_query_sink *next)
{
    struct entry **by = kdo_xcalloc(o->n ? o->n : 1, sizeof *by);
    for (size_t i = 0; i < o->n; i++)
        by[i] = &o->v[i];
    qsort(by, o->n, sizeof *by, cmp_entry);
    int rc = 0;
    for (size_t i = 0; i < o->n && rc == 0; i++) {
        kdo_row_clear(o->out);
        for (size_t c = 0; c < o->ncols && rc == 0; c++)
            rc = kdo_row_set(o->out, c, kdo_row_get(by[i]->row, c), NULL);
        if (rc == 0)
            rc = next->typed(next->ctx, now, o->out);
    }
    free(by);
    o->n = 0;
    kdo_arena_reset(&o->scratch);
    return rc;
}

int kdo_orderby_advance(struct kdo_orderby *o, kdo_time_ns now, const struct kdo_query_sink *next)
{
    return o->n && now >= kdo_orderby_next_deadline(o) ? send(o, now, next) : 0;
}

static void error_row(const struct kdo_query_sink *next, kdo_time_ns rowtime, int64_t wall,
                      const char *name, const char *msg)
{
    struct kdo_query_error e = {.name = name, .rowtime_ms = wall};
    snprintf(e.message, sizeof e.message, "%s", msg);
    next->error(next->ctx, rowtime, &e);
}

int kdo_orderby_row(struct kdo_orderby *o, kdo_time_ns rowtime, const struct kdo_row *row,
                  const struct kdo_query_sink *next)
{
    /* No closing by the clock here: a grouped query's rows come at their
     * window's end, which is also their bucket's (the program advances
     * each pump's ORDER BY after its query, at the same instant). */
    int rc = 0;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        o->v = kdo_xrealloc(o->v, cap * sizeof *o->v);
        memset(o->v + o->cap, 0, (cap - o->cap) * sizeof *o->v);
        o->cap = cap;
    }
    struct entry *en = &o->v[o->n];
    if (en->row == NULL)
        en->row = kdo_row_new(o->key_schema);
    kdo_row_clear(en->row);
    struct kdo_value t = kdo_value_timestamp(o->epoch_ms + rowtime / KDO_MS - o->shift_ms);
    for (size_t c = 0; c < o->ncols && rc == 0; c++)
        rc = kdo_row_set(en->row, c, kdo_row_get(row, c), NULL);
    if (rc == 0 && (size_t)o->rowtime_col == o->ncols)
        rc = kdo_row_set(en->row, o->ncols, &t, NULL);
    struct kdo_errinfo ei = {0};
    for (size_t k = 0; k < o->nkeys && rc == 0; k++)
        rc = kdo_expr_eval(o->keys[k], en->row, &o->scratch, &en->keys[k], &ei);
    if (rc || en->keys[0].type != KDO_TYPE_TIMESTAMP) {
        error_row(next, rowtime, t.u.ts_ms, "EXPRESSION_EVALUATION_ERROR",
                  rc ? ei.msg : "ORDER BY: the leading time bucket is NULL");
        return 0;
    }
    int64_t bucket = en->keys[0].u.ts_ms;
    if (o->n && bucket != o->bucket_ms) { /* a later bucket: the open one is complete */
        rc = send(o, rowtime, next);
        return rc ? rc : kdo_orderby_row(o, rowtime, row, next);
    }
    en->seq = ++o->seq;
    en->o = o;
    o->bucket_ms = bucket;
    o->n++;
    if (o->n >= KDO_ORDERBY_MAX_ROWS) {
        error_row(next, rowtime, t.u.ts_ms, "ORDER_BY_BUCKET_TOO_LARGE",
                  "ORDER BY: 1,000,000 rows in one bucket; kdaout sends them as they stand");
        return send(o, rowtime, next);
    }
    return 0;
}

/*
 * join.c -- the JOIN operator (join.h): each side's kept rows, the probe
 * of the other side's rows when one arrives, and the outer side's rows
 * that met nothing, sent at their window's end.
 *
 * A side keeps its rows in a ring by sequence number (rows of a side come
 * in ROWTIME order, so they leave its window oldest first) and, when ON
 * holds equalities between a column of each side, a hash table from the
 * key's hash to the chain of its kept rows, oldest first: the oldest kept
 * row is always the head of its chain, so forgetting it is O(1).  Rows of
 * one hash but another key share a chain; ON decides.  A reference table
 * side is indexed the same way, again after every reload.
 */
#include "sql/join-int.h"

#include "base/bounds.h"
#include "base/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the hash of kept rows ---------------------------------------------------------- */

static struct kdo__join_bucket *find(const struct kdo__join_side *sd, uint64_t h)
{
    if (sd->mapcap == 0)
        return NULL;
    for (size_t i = (size_t)h & (sd->mapcap - 1);; i = (i + 1) & (sd->mapcap - 1)) {
        struct kdo__join_bucket *b = &sd->map[i];
        if (!b->used)
            return NULL;
        if (b->h == h)
            return b;
    }
}

static void map_put(struct kdo__join_side *sd, uint64_t h, uint64_t seq);

static void map_grow(struct kdo__join_side *sd)
{
    struct kdo__join_bucket *old = sd->map;
    size_t n = sd->mapcap;
    sd->mapcap = n ? n * 2 : 64;
    sd->map = kdo_xcalloc(sd->mapcap, sizeof *sd->map);
    sd->mapused = 0;
    for (size_t i = 0; i < n; i++)
        if (old[i].used) {
            size_t k = (size_t)old[i].h & (sd->mapcap - 1);
            while (sd->map[k].used)
                k = (k + 1) & (sd->mapcap - 1);
            sd->map[k] = old[i];
            sd->mapused++;
        }
    free(old);
}

static struct kdo__join_entry *at(const struct kdo__join_side *sd, uint64_t seq)
{
    return &sd->ring[seq & (sd->cap - 1)];
}

/* Appends kept row seq to its hash's chain. */
static void map_put(struct kdo__join_side *sd, uint64_t h, uint64_t seq)
{
    struct kdo__join_bucket *b = find(sd, h);
    if (b) {
        at(sd, b->tail)->next = seq;
        b->tail = seq;
        return;
    }
    if (2 * (sd->mapused + 1) > sd->mapcap)
        map_grow(sd);
    size_t k = (size_t)h & (sd->mapcap - 1);
    while (sd->map[k].used)
        k = (k + 1) & (sd->mapcap - 1);
    sd->map[k] = (struct kdo__join_bucket){h, seq, seq, true};
    sd->mapused++;
}

/* Removes bucket b (linear probing: the later buckets of its run move back). */
static void map_delete(struct kdo__join_side *sd, struct kdo__join_bucket *b)
{
    size_t mask = sd->mapcap - 1, i = (size_t)(b - sd->map);
    for (size_t k = (i + 1) & mask; sd->map[k].used; k = (k + 1) & mask) {
        size_t home = (size_t)sd->map[k].h & mask;
        /* k's bucket may fill hole i when its home is not in (i, k] */
        if (((k - home) & mask) >= ((k - i) & mask)) {
            sd->map[i] = sd->map[k];
            i = k;
        }
    }
    sd->map[i].used = false;
    sd->mapused--;
}

/* ---- kept rows ---------------------------------------------------------------------- */

/* The hash of row r's key columns of side sd; 0 when a key is NULL (no
 * equality holds: the row meets nothing by key). */
static int key_of(struct kdo_join *j, const struct kdo__join_side *sd, const struct kdo_row *r,
                  uint64_t *h)
{
    size_t n = 0;
    for (size_t k = 0; k < sd->nkeys; k++) {
        const struct kdo_value *v = kdo_row_get(r, (size_t)sd->keys[k]);
        if (v->type == KDO_TYPE_NULL)
            return 0;
        n += kdo_value_key_len(v);
    }
    if (n > j->key_cap) {
        j->key_cap = n * 2;
        j->key = kdo_xrealloc(j->key, j->key_cap);
    }
    char *p = j->key;
    for (size_t k = 0; k < sd->nkeys; k++)
        p = kdo_value_key_put(p, kdo_row_get(r, (size_t)sd->keys[k]));
    *h = kdo_hash_bytes(j->key, n);
    return 1;
}

static void ring_grow(struct kdo__join_side *sd)
{
    uint64_t cap = sd->cap ? sd->cap * 2 : 64;
    struct kdo__join_entry *ring = kdo_xcalloc(cap, sizeof *ring);
    for (uint64_t s = sd->first; s < sd->end; s++)
        ring[s & (cap - 1)] = *at(sd, s);
    /* the free slots' rows are reused by later rows */
    for (uint64_t s = sd->end; s < sd->first + sd->cap; s++)
        ring[s & (cap - 1)].row = at(sd, s)->row;
    free(sd->ring);
    sd->ring = ring;
    sd->cap = cap;
}

/* Keeps row r (copied, or borrowed from a table) at t. */
static int keep(struct kdo_join *j, struct kdo__join_side *sd, kdo_time_ns t,
                const struct kdo_row *r, bool matched, struct kdo_errinfo *e)
{
    if (sd->end - sd->first == sd->cap)
        ring_grow(sd);
    uint64_t seq = sd->end;
    struct kdo__join_entry *en = at(sd, seq);
    struct kdo_row *row = en->row;
    if (sd->keep == KDO__JOIN_TABLE) {
        row = (struct kdo_row *)r; /* the table's, never changed by the join */
    } else {
        if (row == NULL)
            row = kdo_row_new(sd->schema);
        kdo_row_clear(row);
        for (size_t i = 0; i < sd->ncols; i++)
            if (kdo_row_set(row, i, kdo_row_get(r, i), e) != 0) {
                en->row = row;
                return KDO_EINVAL;
            }
    }
    *en = (struct kdo__join_entry){.t = t, .next = KDO__JOIN_NONE, .row = row,
                                   .matched = matched};
    en->keyed = sd->nkeys > 0 && key_of(j, sd, row, &en->h);
    sd->end++;
    if (en->keyed)
        map_put(sd, en->h, seq);
    return 0;
}

/* Forgets the oldest kept row. */
static void forget(struct kdo__join_side *sd)
{
    struct kdo__join_entry *en = at(sd, sd->first);
    if (en->keyed) {
        struct kdo__join_bucket *b = find(sd, en->h);
        if (en->next == KDO__JOIN_NONE)
            map_delete(sd, b);
        else
            b->head = en->next;
    }
    if (sd->keep == KDO__JOIN_TABLE)
        en->row = NULL;
    sd->first++;
}

/* A table side's rows, again after a reload. */
static int index_table(struct kdo_join *j, struct kdo__join_side *sd, struct kdo_errinfo *e)
{
    if (sd->table == NULL || kdo_reftable_version(sd->table) == sd->table_version)
        return 0;
    while (sd->first < sd->end)
        forget(sd);
    sd->table_version = kdo_reftable_version(sd->table);
    for (size_t i = 0; i < kdo_reftable_count(sd->table); i++) {
        int rc = keep(j, sd, 0, kdo_reftable_row(sd->table, i), false, e);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- joined rows -------------------------------------------------------------------- */

static int64_t wall_ms(const struct kdo_join *j, kdo_time_ns t)
{
    return j->epoch_ms + t / KDO_MS;
}

/* Side s's part of the joined row: row r at t, or NULLs when r is NULL. */
static int fill(struct kdo_join *j, int s, const struct kdo_row *r, kdo_time_ns t)
{
    const struct kdo__join_side *sd = &j->side[s];
    struct kdo_value null = kdo_value_null();
    for (size_t i = 0; i < sd->ncols; i++)
        if (kdo_row_set(j->out, sd->off + i, r ? kdo_row_get(r, i) : &null, NULL) != 0)
            return KDO_EROWSIZE;
    if (sd->rowtime_col >= 0) {
        struct kdo_value ts = r ? kdo_value_timestamp(wall_ms(j, t)) : null;
        kdo_row_set(j->out, (size_t)sd->rowtime_col, &ts, NULL);
    }
    return 0;
}

static void error_row(struct kdo_join *j, kdo_time_ns t, const char *name,
                      const struct kdo_errinfo *ei, const struct kdo_query_sink *sink)
{
    struct kdo_query_error qe = {.name = name, .rowtime_ms = wall_ms(j, t)};
    snprintf(qe.message, sizeof qe.message, "JOIN: %s", ei->msg);
    sink->error(sink->ctx, t, &qe);
}

/* An unmatched row of side s at `when`, the other side's columns NULL. */
static int send_unmatched(struct kdo_join *j, int s, const struct kdo_row *r, kdo_time_ns t,
                          kdo_time_ns when, const struct kdo_query_sink *sink)
{
    kdo_row_clear(j->out);
    if (fill(j, s, r, t) != 0 || fill(j, 1 - s, NULL, 0) != 0) {
        error_row(j, when, "ROW_TOO_LARGE", &(struct kdo_errinfo){.msg = "joined row over "
                                                                   "512 KB"}, sink);
        return 0;
    }
    return sink->typed(sink->ctx, when, j->out);
}

/* Joins row r of side a at t with kept row en of the other side; 1 when ON
 * holds (and the row was sent), 0 when not, < 0 when the sink stopped. */
static int pair(struct kdo_join *j, int a, const struct kdo_row *r, kdo_time_ns t,
                struct kdo__join_entry *en, const struct kdo_query_sink *sink, int *stop)
{
    kdo_time_ns when = en->t > t ? en->t : t;
    struct kdo_errinfo ei = {0};
    enum kdo_tv tv = KDO_TV_TRUE;
    kdo_row_clear(j->out);
    kdo_arena_reset(&j->scratch);
    if (fill(j, a, r, t) != 0 || fill(j, 1 - a, en->row, en->t) != 0) {
        error_row(j, when, "ROW_TOO_LARGE", &(struct kdo_errinfo){.msg = "joined row over "
                                                                   "512 KB"}, sink);
        return 0;
    }
    if (j->on && kdo_expr_test(j->on, j->out, &j->scratch, &tv, &ei) != 0) {
        error_row(j, when, "EXPRESSION_ERROR", &ei, sink);
        return 0;
    }
    if (tv != KDO_TV_TRUE)
        return 0;
    en->matched = true;
    *stop = sink->typed(sink->ctx, when, j->out);
    return 1;
}

/* Row r of side a at t against the other side's kept rows; *matched when
 * one met ON. */
static int probe(struct kdo_join *j, int a, const struct kdo_row *r, kdo_time_ns t,
                 bool *matched, const struct kdo_query_sink *sink)
{
    struct kdo__join_side *b = &j->side[1 - a];
    int stop = 0;
    if (b->nkeys) {
        uint64_t h;
        const struct kdo__join_bucket *bk =
            key_of(j, &j->side[a], r, &h) ? find(b, h) : NULL;
        for (uint64_t s = bk ? bk->head : KDO__JOIN_NONE; s != KDO__JOIN_NONE && !stop;
             s = at(b, s)->next)
            *matched |= pair(j, a, r, t, at(b, s), sink, &stop) == 1;
    } else {
        for (uint64_t s = b->first; s < b->end && !stop; s++)
            *matched |= pair(j, a, r, t, at(b, s), sink, &stop) == 1;
    }
    return stop;
}

/* ---- time --------------------------------------------------------------------------- */

/* When the oldest kept row of sd leaves its window (the first instant past
 * ROWTIME + range), or NEVER. */
static kdo_time_ns leaves(const struct kdo__join_side *sd)
{
    if (sd->keep != KDO__JOIN_RANGE || sd->first == sd->end)
        return KDO_TIME_NEVER;
    return at(sd, sd->first)->t + sd->range + 1;
}

kdo_time_ns kdo_join_next_deadline(const struct kdo_join *j)
{
    kdo_time_ns next = KDO_TIME_NEVER;
    for (int s = 0; s < 2; s++)
        if (j->side[s].outer && leaves(&j->side[s]) < next)
            next = leaves(&j->side[s]);
    return next;
}

/* The oldest kept row of side s leaves; an unmatched row of the preserved
 * side goes out at `when` with NULLs. */
static int drop(struct kdo_join *j, int s, kdo_time_ns when, const struct kdo_query_sink *sink)
{
    struct kdo__join_side *sd = &j->side[s];
    struct kdo__join_entry *en = at(sd, sd->first);
    int rc = sd->outer && !en->matched ? send_unmatched(j, s, en->row, en->t, when, sink) : 0;
    forget(sd);
    return rc;
}

int kdo_join_advance(struct kdo_join *j, kdo_time_ns now, const struct kdo_query_sink *sink)
{
    for (int s = 0; s < 2; s++) {
        struct kdo__join_side *sd = &j->side[s];
        while (leaves(sd) <= now) {
            int rc = drop(j, s, at(sd, sd->first)->t + sd->range, sink);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int kdo_join_input(struct kdo_join *j, enum kdo_join_side side, kdo_time_ns rowtime,
                   const struct kdo_row *row, const struct kdo_query_sink *sink)
{
    int a = side == KDO_JOIN_RIGHT;
    struct kdo__join_side *sd = &j->side[a], *other = &j->side[1 - a];
    struct kdo_errinfo ei = {0};
    int rc = kdo_join_advance(j, rowtime, sink);
    if (rc == 0 && (rc = index_table(j, other, &ei)) != 0) {
        error_row(j, rowtime, "REFERENCE_DATA_ERROR", &ei, sink);
        rc = 0;
    }
    if (rc)
        return rc;
    bool matched = false;
    if ((rc = probe(j, a, row, rowtime, &matched, sink)) != 0)
        return rc;
    /* a preserved row without a window can meet nothing later that it is owed */
    if (sd->outer && !matched && sd->keep == KDO__JOIN_CURRENT &&
        (rc = send_unmatched(j, a, row, rowtime, rowtime, sink)) != 0)
        return rc;
    if (other->keep == KDO__JOIN_TABLE)
        return 0; /* a table never probes: the row need not be kept */
    uint64_t room = sd->keep == KDO__JOIN_CURRENT ? 1
                    : sd->keep == KDO__JOIN_ROWS  ? sd->rows + 1
                                                  : KDO_JOIN_MAX_KEPT;
    while (sd->end - sd->first >= room && rc == 0)
        rc = sd->keep == KDO__JOIN_CURRENT ? (forget(sd), 0) : drop(j, a, rowtime, sink);
    if (rc == 0 && keep(j, sd, rowtime, row, matched || sd->keep == KDO__JOIN_CURRENT, &ei)) {
        error_row(j, rowtime, "ROW_TOO_LARGE", &ei, sink);
        return 0;
    }
    return rc;
}

/* ---- building ----------------------------------------------------------------------- */

static int refuse(const struct kdo_join *j, int rc, int line, int col, struct kdo_errinfo *e,
                  const char *what)
{
    return kdo_errinfo_set(e, rc, j->file, line, col, "%s", what);
}

/* The window `over` names (OVER w) or is. */
static const struct kdo_ast_window *window_of(const struct kdo_join *j,
                                              const struct kdo_ast_window *over,
                                              const struct kdo_ast_window *defs,
                                              struct kdo_errinfo *e)
{
    if (over->ref.s == NULL)
        return over;
    for (const struct kdo_ast_window *d = defs; d; d = d->next)
        if (d->name.s && strcmp(d->name.s, over->ref.s) == 0)
            return d;
    kdo_errinfo_set(e, KDO_ESCHEMA, j->file, over->ref.line, over->ref.col, "window %s is not "
                    "defined (WINDOW %s AS (...))", over->ref.s, over->ref.s);
    return NULL;
}

/* What side sd keeps: its window's rows, its latest row, or a table's. */
static int side_window(struct kdo_join *j, struct kdo__join_side *sd,
                       const struct kdo_ast_from *f, const struct kdo_join_config *c,
                       struct kdo_errinfo *e)
{
    if (f->kind != KDO_AST_FROM_STREAM && f->kind != KDO_AST_FROM_SUBQUERY)
        return refuse(j, KDO_EPARSE, f->line, f->col, e, f->kind == KDO_AST_FROM_JOIN
                      ? "a JOIN of more than two streams is not supported yet"
                      : "a join side is a stream, a subquery or a reference table");
    sd->keep = sd->table ? KDO__JOIN_TABLE : KDO__JOIN_CURRENT;
    if (f->over == NULL)
        return 0;
    const struct kdo_ast_window *w = window_of(j, f->over, c->windows, e);
    if (w == NULL)
        return KDO_ESCHEMA;
    if (sd->table || j->side[0].table || j->side[1].table)
        return refuse(j, KDO_EPARSE, w->line, w->col, e, "a join with a reference table takes "
                      "no window: the table's rows are all there");
    if (w->partition || w->order)
        return refuse(j, KDO_EPARSE, w->line, w->col, e, "a join side's window takes no "
                      "PARTITION BY or ORDER BY (KDA does not allow them on a join)");
    if (w->frame == KDO_AST_FRAME_NONE || w->unbounded || w->bound != KDO_AST_BOUND_PRECEDING ||
        w->extent == NULL)
        return refuse(j, KDO_EPARSE, w->line, w->col, e, "a join side's window is RANGE "
                      "INTERVAL ... PRECEDING or ROWS n PRECEDING (FOLLOWING, UNBOUNDED and "
                      "CURRENT ROW are not supported)");
    struct kdo_value v;
    int rc = kdo_expr_constant(w->extent, &j->scratch, &v, e);
    int rows = w->frame == KDO_AST_FRAME_ROWS;
    if (rc == 0 && (v.type != (rows ? KDO_TYPE_BIGINT : KDO_TYPE_INTERVAL_DS) || v.u.i < 0 ||
                    v.u.i > (rows ? KDO_JOIN_MAX_KEPT - 1 : KDO_EXPR_MAX_STEP_MS)))
        rc = refuse(j, KDO_EINVAL, w->extent->line, w->extent->col, e, rows
                    ? "ROWS n takes an integer from 0 to 3,999,999"
                    : "RANGE takes a day-time INTERVAL from 0 to 366 days");
    sd->keep = rows ? KDO__JOIN_ROWS : KDO__JOIN_RANGE;
    sd->rows = rows ? (uint64_t)v.u.i : 0;
    sd->range = rows ? 0 : v.u.i * KDO_MS;
    return rc;
}

/* The side and column (of that side) of joined column name x, or -1. */
static int side_column(const struct kdo_join *j, const struct kdo_ast_expr *x, int *col)
{
    if (x->kind != KDO_AST_NAME || x->name.n != 1)
        return -1;
    int i = kdo_row_schema_find(j->schema, x->name.part[0].s, x->name.part[0].len);
    for (int s = 0; s < 2 && i >= 0; s++)
        if ((size_t)i >= j->side[s].off && (size_t)i < j->side[s].off + j->side[s].ncols) {
            *col = i - (int)j->side[s].off;
            return s;
        }
    return -1;
}

/* ON's equalities of a column of each side, of one type: the hash keys. */
static void find_keys(struct kdo_join *j, const struct kdo_ast_expr *x)
{
    if (x->kind == KDO_AST_BINOP && x->op == KDO_AST_OP_AND) {
        find_keys(j, x->a);
        find_keys(j, x->b);
        return;
    }
    int ca, cb, sa, sb;
    if (x->kind != KDO_AST_BINOP || x->op != KDO_AST_OP_EQ ||
        (sa = side_column(j, x->a, &ca)) < 0 || (sb = side_column(j, x->b, &cb)) < 0 ||
        sa == sb || j->side[0].nkeys == KDO__JOIN_MAX_KEYS)
        return;
    const struct kdo_row_column *ta = kdo_row_schema_column(j->side[sa].schema, (size_t)ca);
    const struct kdo_row_column *tb = kdo_row_schema_column(j->side[sb].schema, (size_t)cb);
    if (ta->type != tb->type || (ta->type == KDO_TYPE_DECIMAL && ta->scale != tb->scale))
        return; /* 1 = 1.0: equal values, other key bytes */
    j->side[sa].keys[j->side[sa].nkeys++] = ca;
    j->side[sb].keys[j->side[sb].nkeys++] = cb;
}

static int compile_on(struct kdo_join *j, const struct kdo_ast_from *f, struct kdo_errinfo *e)
{
    struct kdo_arena arena;
    struct kdo_ast_expr *on;
    if (f->on == NULL)
        return refuse(j, KDO_EPARSE, f->line, f->col, e, "a JOIN needs ON condition");
    kdo_arena_init(&arena, 1u << 20);
    int rc = kdo__join_rewrite(j, f->on, &arena, &on, e);
    if (rc == 0)
        rc = kdo_expr_compile_ast(on, j->schema, &j->on, e);
    if (rc == 0 && kdo_expr_type(j->on) != KDO_TYPE_BOOLEAN)
        rc = refuse(j, KDO_ESCHEMA, f->on->line, f->on->col, e, "ON takes a condition (a "
                    "BOOLEAN), such as o.orderid = s.orderid");
    if (rc == 0)
        find_keys(j, on);
    if (rc && e && e->file == NULL)
        e->file = j->file;
    kdo_arena_cleanup(&arena);
    return rc;
}

static int check_type(const struct kdo_join *j, const struct kdo_ast_from *f,
                      struct kdo_errinfo *e)
{
    if (f->join == KDO_AST_JOIN_FULL)
        return refuse(j, KDO_EPARSE, f->line, f->col, e, "FULL OUTER JOIN is not supported "
                      "yet: LEFT or RIGHT keeps one side's unmatched rows");
    if (f->join == KDO_AST_JOIN_CROSS)
        return refuse(j, KDO_EPARSE, f->line, f->col, e, "CROSS JOIN is not supported: join "
                      "ON a condition");
    int preserved = f->join == KDO_AST_JOIN_LEFT ? 0 : f->join == KDO_AST_JOIN_RIGHT ? 1 : -1;
    if (preserved >= 0 && j->side[preserved].table)
        return refuse(j, KDO_EPARSE, f->line, f->col, e, "a reference table cannot be the "
                      "preserved side of an outer join: put the stream there");
    if (j->side[0].table && j->side[1].table)
        return refuse(j, KDO_EPARSE, f->line, f->col, e, "a join of two reference tables is "
                      "no stream");
    return 0;
}

int kdo_join_new(const struct kdo_join_config *c, struct kdo_join **out, struct kdo_errinfo *e)
{
    struct kdo_join *j = kdo_xcalloc(1, sizeof *j);
    const struct kdo_ast_from *f = c->from;
    j->file = c->file;
    j->epoch_ms = c->epoch_ms;
    j->type = f->join;
    kdo_arena_init(&j->scratch, 4 * KDO_MAX_ROW_BYTES);
    for (int s = 0; s < 2; s++) {
        j->side[s].table = c->table[s];
        j->side[s].outer = (s == 0 && f->join == KDO_AST_JOIN_LEFT) ||
                           (s == 1 && f->join == KDO_AST_JOIN_RIGHT);
    }
    int rc = check_type(j, f, e);
    if (rc == 0)
        rc = side_window(j, &j->side[0], f->left, c, e);
    if (rc == 0)
        rc = side_window(j, &j->side[1], f->right, c, e);
    if (rc == 0)
        rc = kdo__join_names(j, c, e);
    if (rc == 0)
        rc = compile_on(j, f, e);
    if (rc) {
        kdo_join_free(j);
        *out = NULL;
        return rc;
    }
    j->out = kdo_row_new(j->schema);
    *out = j;
    return 0;
}

const struct kdo_row_schema *kdo_join_output_schema(const struct kdo_join *j)
{
    return j->schema;
}

void kdo_join_free(struct kdo_join *j)
{
    if (j == NULL)
        return;
    for (int s = 0; s < 2; s++) {
        struct kdo__join_side *sd = &j->side[s];
        for (uint64_t i = 0; sd->keep != KDO__JOIN_TABLE && i < sd->cap; i++)
            kdo_row_free(sd->ring[i].row);
        free(sd->ring);
        free(sd->map);
    }
    kdo_expr_free(j->on);
    kdo_row_free(j->out);
    kdo_row_schema_free(j->schema);
    kdo_arena_cleanup(&j->scratch);
    free(j->key);
    free(j);
}

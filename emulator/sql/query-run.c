/*
 * query-run.c -- running a compiled query: rows in (text or typed), WHERE,
 * the windows, rows out (typed or formatted) and the error stream.
 *
 * Rows are reused between calls and expression strings go to a scratch
 * arena reset per row, so a continuous query allocates nothing per row
 * once warm.  A windowed query keeps one entry per partition (partition.h),
 * keyed by the bytes of its key values: a type tag, then 8 bytes for a
 * number or timestamp, 1 for a boolean, or a 4-byte length and the text;
 * SELECT STREAM DISTINCT keys the rows it has let out the same way.  Times
 * inside are run times (kdo_time_ns); values shown to SQL are wall-clock
 * milliseconds, epoch_ms + t.
 */
#include "sql/query-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t wall_ms(const struct kdo_query *q, kdo_time_ns t)
{
    return q->cfg.epoch_ms + t / KDO_MS;
}

static kdo_time_ns run_time(const struct kdo_query *q, int64_t wall)
{
    return (wall - q->cfg.epoch_ms) * KDO_MS;
}

static int to_error_stream(struct kdo_query_error *e, const char *name, const char *msg)
{
    e->name = name;
    e->data = NULL;
    e->data_len = 0;
    e->rowtime_ms = INT64_MIN;
    e->pump = NULL;
    snprintf(e->message, sizeof e->message, "%.*s", (int)sizeof e->message - 1, msg);
    return KDO_EPARSE;
}

/* A window's output row that could not be made goes to the error stream. */
static int window_error(const struct kdo_query_sink *sink, kdo_time_ns now, int64_t rowtime_ms,
                        const char *name, const char *msg)
{
    struct kdo_query_error e;
    to_error_stream(&e, name, msg);
    e.rowtime_ms = rowtime_ms;
    sink->error(sink->ctx, now, &e);
    return 0;
}

/* Reads a source row into q->read: 1, or KDO_EPARSE to the error stream. */
static int read_text(struct kdo_query *q, const char *data, size_t len, struct kdo_query_error *e)
{
    struct kdo_rowfmt_error re;
    kdo_arena_reset(&q->scratch);
    kdo_row_clear(q->read);
    if (kdo_rowfmt_read(q->reader, q->cfg.input_format, data, len, q->read, &re) != 0)
        return to_error_stream(e, re.name ? re.name : "PARSE_ERROR", re.msg);
    return 1;
}

/* Copies row `src` (of the input columns) into q->in with the implicit columns and
 * applies WHERE: 1 passes, 0 dropped, KDO_EPARSE to the error stream. */
static int admit(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                 const struct kdo_row *src, struct kdo_query_error *e)
{
    struct kdo_errinfo ei = {0};
    kdo_row_clear(q->in);
    for (size_t i = 0; i < kdo_row_schema_count(q->read_schema); i++)
        kdo_row_set(q->in, i, kdo_row_get(src, i), NULL);
    struct kdo_value rt = kdo_value_timestamp(q->cfg.epoch_ms + rowtime / KDO_MS);
    struct kdo_value at = kdo_value_timestamp(q->cfg.epoch_ms + arrival / KDO_MS);
    kdo_row_set(q->in, (size_t)q->rowtime_col, &rt, NULL);
    kdo_row_set(q->in, (size_t)q->arrival_col, &at, NULL);
    if (q->where) {
        enum kdo_tv tv;
        if (kdo_expr_test(q->where, q->in, &q->scratch, &tv, &ei) != 0)
            return to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
        if (tv != KDO_TV_TRUE)
            return 0;
    }
    return 1;
}

/* Writes q->out in the output format; *out borrows q->text. */
static int format_out(struct kdo_query *q, const char **out, size_t *out_len,
                      struct kdo_query_error *e)
{
    kdo_buf_reset(&q->text);
    if (kdo_rowfmt_write(&q->text, q->out, q->cfg.output_format) != 0)
        return to_error_stream(e, "ROW_TOO_LARGE", "the output row is over KDA's 512 KB limit");
    *out = q->text.data ? q->text.data : "";
    *out_len = q->text.len;
    return 0;
}

/* Evaluates the select items over the stage row into q->out: 1, or KDO_EPARSE. */
static int project(struct kdo_query *q, const struct kdo_row *stage, struct kdo_query_error *e)
{
    struct kdo_errinfo ei = {0};
    kdo_row_clear(q->out);
    for (size_t i = 0; i < q->nitems; i++) {
        struct kdo_value v;
        if (kdo_expr_eval(q->items[i], stage, &q->scratch, &v, &ei) != 0 ||
            kdo_row_set(q->out, i, &v, &ei) != 0)
            return to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
    }
    return 1;
}

int kdo_query_apply(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                    const char *data, size_t len, const char **out, size_t *out_len,
                    struct kdo_query_error *e)
{
    if (q->shape != KDO__SHAPE_CONTINUOUS || q->distinct)
        return KDO_EINVAL;
    int rc = read_text(q, data, len, e);
    if (rc == 1)
        rc = admit(q, rowtime, arrival, q->read, e);
    if (rc == 1)
        rc = project(q, q->in, e);
    if (rc == 1 && format_out(q, out, out_len, e) != 0)
        rc = KDO_EPARSE;
    if (rc == KDO_EPARSE) { /* the error stream gets the row as read */
        e->data = data;
        e->data_len = len;
        e->rowtime_ms = wall_ms(q, rowtime);
    }
    return rc;
}

const struct kdo_row_schema *kdo_query_output_schema(const struct kdo_query *q)
{
    return q->out_schema;
}

/* ---- key bytes ----------------------------------------------------------------------- */

/* Appends v's key bytes (value.h) at q->keybuf + *n. */
static void encode_value(struct kdo_query *q, size_t *n, const struct kdo_value *v)
{
    size_t len = kdo_value_key_len(v);
    if (*n + len > q->keycap) {
        q->keycap = (*n + len) * 2;
        q->keybuf = kdo_xrealloc(q->keybuf, q->keycap);
    }
    *n = (size_t)(kdo_value_key_put(q->keybuf + *n, v) - q->keybuf);
}

/* The key bytes of keys[] (but `skip`) over q->in into q->keybuf; returns their length,
 * or -1 with *e set. */
static long encode_key(struct kdo_query *q, struct kdo_expr *const *keys, size_t nkeys, int skip,
                       struct kdo_query_error *e)
{
    size_t n = 0;
    struct kdo_errinfo ei = {0};
    for (size_t k = 0; k < nkeys; k++) {
        struct kdo_value v;
        if ((int)k == skip)
            continue;
        if (kdo_expr_eval(keys[k], q->in, &q->scratch, &v, &ei) != 0) {
            to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
            return -1;
        }
        encode_value(q, &n, &v);
    }
    return (long)n;
}

/* Key k's value from a grouped partition's key bytes. */
static struct kdo_value decode_key(const struct kdo_query *q, const char *p, size_t k)
{
    struct kdo_value v = kdo_value_null();
    for (size_t i = 0; i < q->nkeys; i++) {
        if ((int)i == q->time_key)
            continue;
        p = kdo_value_key_get(p, &v);
        if (i == k) {
            if (v.type == KDO_TYPE_DECIMAL) /* at the key expression's scale */
                v.u.dec.scale = kdo_expr_scale(q->keys[i]);
            return v;
        }
    }
    return v;
}

/* ---- output ---------------------------------------------------------------------------- */

/* SELECT STREAM DISTINCT: 1 when q->out is new in its window or time bucket. */
static int first_seen(struct kdo_query *q, kdo_time_ns now, int64_t rowtime_ms,
                      const struct kdo_query_sink *sink)
{
    int added;
    size_t n = 0;
    if (q->distinct_bucket >= 0) {
        const struct kdo_value *b = kdo_row_get(q->out, (size_t)q->distinct_bucket);
        int64_t v = b->type == KDO_TYPE_NULL ? INT64_MIN : b->u.i;
        if (v != q->bucket_value) { /* a new bucket: no value repeats an older one's */
            kdo_partitions_free(q->seen, NULL);
            q->seen = kdo_partitions_new(0, KDO_QUERY_MAX_PARTITIONS);
            q->bucket_value = v;
        }
    }
    for (size_t i = 0; i < q->nitems; i++)
        if (!q->item_is_rowtime[i]) /* KDA ignores ROWTIME for duplicates */
            encode_value(q, &n, kdo_row_get(q->out, i));
    if (kdo_partitions_get(q->seen, q->keybuf ? q->keybuf : "", n, &added))
        return added;
    window_error(sink, now, rowtime_ms, "TOO_MANY_PARTITIONS", "SELECT STREAM DISTINCT already "
                 "holds 100,000 distinct rows in this window");
    return 0;
}

/* q->out to the sink: typed (at the row's ROWTIME), or formatted (at now).  An output
 * row too large goes to the error stream (rowtime_ms its DATA_ROWTIME). */
static int deliver(struct kdo_query *q, kdo_time_ns now, int64_t rowtime_ms,
                   const struct kdo_query_sink *sink)
{
    struct kdo_query_error e;
    const char *out;
    size_t len;
    if (q->distinct && !first_seen(q, now, rowtime_ms, sink))
        return 0;
    if (sink->typed) /* a typed row carries its own ROWTIME (a window's end, not now) */
        return sink->typed(sink->ctx, run_time(q, rowtime_ms), q->out);
    if (format_out(q, &out, &len, &e)) {
        e.rowtime_ms = rowtime_ms;
        sink->error(sink->ctx, now, &e);
        return 0;
    }
    return sink->row(sink->ctx, now, out, len);
}

/* Sets stage column `col` to aggregate g over acc: 0, or KDO_EINVAL with *ei. */
static int set_agg(struct kdo_row *stage, size_t col, const struct kdo_agg *g,
                   const struct kdo_agg_acc *acc, struct kdo_errinfo *ei)
{
    struct kdo_value v;
    int rc = kdo_agg_result(g, acc, &v, ei);
    return rc ? rc : kdo_row_set(stage, col, &v, ei);
}

/* A grouped window's row for partition p, with ROWTIME `rowtime_ms` (wall ms). */
static int emit_group(struct kdo_query *q, const struct kdo__query_part *p, int64_t rowtime_ms,
                      kdo_time_ns now, const struct kdo_query_sink *sink)
{
    struct kdo_errinfo ei = {0};
    struct kdo_query_error e;
    size_t klen;
    const char *key = kdo_partitions_key(p, &klen);
    int rc = 0;
    kdo_arena_reset(&q->scratch); /* no input row is in flight while windows close */
    kdo_row_clear(q->grp);
    for (size_t k = 0; k < q->nkeys && rc == 0; k++) {
        struct kdo_value v = (int)k == q->time_key ? kdo_value_timestamp(q->window_start_ms)
                                                   : decode_key(q, key, k);
        rc = kdo_row_set(q->grp, k, &v, &ei);
    }
    for (size_t a = 0; a < q->naggs && rc == 0; a++)
        rc = set_agg(q->grp, q->aggs[a].col, &q->aggs[a].agg, &p->acc[a], &ei);
    struct kdo_value rt = kdo_value_timestamp(rowtime_ms);
    if (rc == 0)
        rc = kdo_row_set(q->grp, q->nkeys + q->naggs, &rt, &ei);
    enum kdo_tv tv = KDO_TV_TRUE;
    if (rc == 0 && q->having)
        rc = kdo_expr_test(q->having, q->grp, &q->scratch, &tv, &ei);
    if (rc)
        return window_error(sink, now, rowtime_ms, "EXPRESSION_EVALUATION_ERROR", ei.msg);
    if (tv != KDO_TV_TRUE)
        return 0;
    if (project(q, q->grp, &e) != 1)
        return window_error(sink, now, rowtime_ms, e.name, e.message);
    return deliver(q, now, rowtime_ms, sink);
}

/* ---- windows --------------------------------------------------------------------------- */

void kdo__query_part_fini(void *payload)
{
    struct kdo__query_part *p = payload;
    kdo_slide_free(p->slide);
    for (size_t j = 0; j < p->nvals; j++)
        kdo_vring_fini(&p->vals[j]);
    free(p->vals);
}

/* VARCHAR bytes partition p's analytic values hold. */
static size_t part_bytes(const struct kdo__query_part *p)
{
    size_t n = 0;
    for (size_t j = 0; j < p->nvals; j++)
        n += p->vals[j].bytes;
    return n;
}

static struct kdo_partitions *new_parts(const struct kdo_query *q)
{
    return kdo_partitions_new(sizeof(struct kdo__query_part) +
                                  q->naggs * sizeof(struct kdo_agg_acc),
                              KDO_QUERY_MAX_PARTITIONS);
}

/* Tumbling: one row per group, then the window is empty again. */
static int close_tumbling(struct kdo_query *q, kdo_time_ns now, const struct kdo_query_sink *sink)
{
    int err = 0;
    int64_t end = q->window_start_ms + q->width_ms;
    if (q->distinct) { /* duplicates count within one window */
        kdo_partitions_free(q->seen, NULL);
        q->seen = kdo_partitions_new(0, KDO_QUERY_MAX_PARTITIONS);
    }
    for (struct kdo__query_part *p = kdo_partitions_first(q->parts); p && err == 0;
         p = kdo_partitions_next(p))
        err = emit_group(q, p, end, now, sink);
    kdo_partitions_free(q->parts, kdo__query_part_fini);
    q->parts = new_parts(q);
    q->window_open = 0;
    return err;
}

kdo_time_ns kdo_query_next_deadline(const struct kdo_query *q)
{
    if (q->cfg.window == KDO_QUERY_TUMBLING && q->window_open)
        return run_time(q, q->window_start_ms + q->width_ms);
    if (q->cfg.window == KDO_QUERY_STAGGER) {
        const struct kdo__query_part *p = kdo_partitions_first(q->parts);
        if (p)
            return p->opened + q->range;
    }
    return KDO_TIME_NEVER;
}

int kdo_query_advance(struct kdo_query *q, kdo_time_ns now, const struct kdo_query_sink *sink)
{
    int err = 0;
    if (q->cfg.window == KDO_QUERY_TUMBLING && q->window_open &&
        now >= kdo_query_next_deadline(q))
        err = close_tumbling(q, now, sink);
    /* Stagger windows close in the order they opened: same range for all. */
    struct kdo__query_part *p;
    while (err == 0 && q->cfg.window == KDO_QUERY_STAGGER &&
           (p = kdo_partitions_first(q->parts)) && p->opened + q->range <= now) {
        err = emit_group(q, p, wall_ms(q, p->opened + q->range), now, sink);
        kdo_partitions_remove(q->parts, p);
    }
    return err;
}

/* The row's contributions to window w's aggregates: 0, or KDO_EPARSE with *e. */
static int contribute(struct kdo_query *q, struct kdo_agg_acc *acc, const size_t *aggs, size_t n,
                      struct kdo_query_error *e)
{
    struct kdo_errinfo ei = {0};
    for (size_t j = 0; j < n; j++) {
        const struct kdo__query_agg *g = &q->aggs[aggs ? aggs[j] : j];
        struct kdo_value v = kdo_value_null();
        acc[j] = kdo_agg_empty();
        if (g->arg && kdo_expr_eval(g->arg, q->in, &q->scratch, &v, &ei) != 0)
            return to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
        kdo_agg_add(&g->agg, &acc[j], &v);
    }
    return 0;
}

/* The row's value of each analytic function over w (w->vals): 0, or KDO_EPARSE with *e. */
static int fn_values(struct kdo_query *q, struct kdo__query_win *w, struct kdo_query_error *e)
{
    struct kdo_errinfo ei = {0};
    for (size_t j = 0; j < w->nfns; j++)
        if (kdo_expr_eval(q->fns[w->fnis[j]].arg, q->in, &q->scratch, &w->vals[j], &ei) != 0)
            return to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
    return 0;
}

/* Window w's partition for the row in q->in (w->part): 0, or KDO_EPARSE with *e. */
static int find_partition(struct kdo_query *q, struct kdo__query_win *w, struct kdo_query_error *e)
{
    int added;
    long klen = encode_key(q, w->keys, w->nkeys, -1, e);
    if (klen < 0 || contribute(q, w->acc, w->aggs, w->naggs, e) != 0 ||
        fn_values(q, w, e) != 0)
        return KDO_EPARSE;
    w->part = kdo_partitions_get(w->parts, q->keybuf ? q->keybuf : "", (size_t)klen, &added);
    if (w->part == NULL)
        return to_error_stream(e, "TOO_MANY_PARTITIONS", "the row's key would make more than "
                               "100,000 partitions at once");
    return 0;
}

/* The row's analytic values join partition p's rings (IGNORE NULLS: not a NULL); the row
 * is number p->seq of the partition. */
static void push_values(struct kdo_query *q, const struct kdo__query_win *w,
                        struct kdo__query_part *p)
{
    if (p->vals == NULL) {
        p->vals = kdo_xcalloc(w->nfns, sizeof *p->vals);
        p->nvals = w->nfns;
    }
    for (size_t j = 0; j < w->nfns; j++) {
        struct kdo_vring *r = &p->vals[j];
        size_t before = r->bytes;
        if (w->vals[j].type == KDO_TYPE_NULL && q->fns[w->fnis[j]].ignore_nulls)
            continue;
        kdo_vring_push(r, p->seq, &w->vals[j]);
        q->vals_bytes += r->bytes - before;
    }
    p->seq++;
}

/* The rings forget the rows the slide has let go: they keep what the window holds. */
static void drop_values(struct kdo_query *q, struct kdo__query_part *p)
{
    uint64_t oldest = p->seq - kdo_slide_count(p->slide);
    for (size_t j = 0; j < p->nvals; j++) {
        struct kdo_vring *r = &p->vals[j];
        size_t before = r->bytes;
        kdo_vring_drop_before(r, oldest);
        q->vals_bytes -= before - r->bytes;
    }
}

/* LAG's default for the current row; a DECIMAL one for a DOUBLE expression made DOUBLE
 * (a BIGINT is converted by the column itself). */
static int lag_default(struct kdo_query *q, const struct kdo__query_fn *f, struct kdo_value *v,
                       struct kdo_errinfo *ei)
{
    int rc = kdo_expr_eval(f->dflt, q->in, &q->scratch, v, ei);
    if (rc == 0 && v->type == KDO_TYPE_DECIMAL && kdo_expr_type(f->arg) == KDO_TYPE_DOUBLE)
        *v = kdo_value_double(kdo_decimal_to_double(v->u.dec.v, v->u.dec.scale));
    return rc;
}

/* LAG: the value N rows back in the window (IGNORE NULLS: N non-NULL values back), or
 * its default (NULL without one) when the window holds fewer. */
static int lag(struct kdo_query *q, const struct kdo__query_fn *f, const struct kdo_vring *r,
               uint64_t cur, const struct kdo_value *now, struct kdo_value *v,
               struct kdo_errinfo *ei)
{
    size_t back = r->n - (r->n > 0 && kdo_vring_seq_at(r, r->n - 1) == cur); /* before it */
    if (f->offset == 0)
        *v = *now;
    else if ((uint64_t)f->offset <= back)
        *v = *kdo_vring_at(r, back - (size_t)f->offset);
    else if (f->dflt)
        return lag_default(q, f, v, ei);
    else
        *v = kdo_value_null();
    return 0;
}

/* Sets the stage row's column of each analytic function over w, partition p. */
static int set_fns(struct kdo_query *q, const struct kdo__query_win *w,
                   const struct kdo__query_part *p, struct kdo_errinfo *ei)
{
    for (size_t j = 0; j < w->nfns; j++) {
        const struct kdo__query_fn *f = &q->fns[w->fnis[j]];
        const struct kdo_vring *r = &p->vals[j];
        struct kdo_value v = kdo_value_null();
        int rc = 0;
        if (f->kind == KDO__FN_LAG)
            rc = lag(q, f, r, p->seq - 1, &w->vals[j], &v, ei);
        else if (r->n > 0) /* IGNORE NULLS: the ring may hold nothing */
            v = *kdo_vring_at(r, f->kind == KDO__FN_FIRST_VALUE ? 0 : r->n - 1);
        if (rc || (rc = kdo_row_set(q->in, f->col, &v, ei)) != 0)
            return rc;
    }
    return 0;
}

/* Pushes the row into w's partition, drops the rows (and partitions) out of range and
 * sets the stage row's aggregate and analytic columns of w. */
static int slide_one(struct kdo_query *q, struct kdo__query_win *w, kdo_time_ns rowtime,
                     struct kdo_errinfo *ei)
{
    struct kdo__query_part *p = w->part, *old;
    if (p->slide == NULL)
        p->slide = kdo_slide_new(w->fns, w->naggs);
    kdo_slide_push(p->slide, rowtime, w->acc);
    q->slide_rows++;
    if (w->nfns)
        push_values(q, w, p);
    if (w->by_rows) {
        for (; kdo_slide_count(p->slide) > w->rows + 1; q->slide_rows--)
            kdo_slide_pop(p->slide);
    } else {
        for (; kdo_slide_oldest(p->slide) < rowtime - w->range; q->slide_rows--)
            kdo_slide_pop(p->slide);
        /* Partitions in the order of their last row: those whose last row has left the
         * range hold nothing a future row could see; forget them, so keys that come and
         * go do not pile up. */
        p->opened = rowtime;
        kdo_partitions_touch(w->parts, p);
        while ((old = kdo_partitions_first(w->parts)) != p && old->opened < rowtime - w->range) {
            q->slide_rows -= kdo_slide_count(old->slide);
            q->vals_bytes -= part_bytes(old);
            kdo__query_part_fini(old);
            kdo_partitions_remove(w->parts, old);
        }
    }
    if (w->nfns) {
        drop_values(q, p);
        int rc = set_fns(q, w, p, ei);
        if (rc)
            return rc;
    }
    kdo_slide_result(p->slide, w->acc);
    for (size_t j = 0; j < w->naggs; j++) {
        int rc = set_agg(q->in, q->aggs[w->aggs[j]].col, &w->fns[j], &w->acc[j], ei);
        if (rc)
            return rc;
    }
    return 0;
}

/* Sliding: the row joins each window's partition and goes out with their aggregates. */
static int slide_row(struct kdo_query *q, kdo_time_ns rowtime, const struct kdo_query_sink *sink)
{
    struct kdo_errinfo ei = {0};
    struct kdo_query_error e;
    int rc = 0;
    if (q->slide_rows + q->nwins > KDO_QUERY_MAX_WINDOW_ROWS)
        return window_error(sink, rowtime, wall_ms(q, rowtime), "WINDOW_TOO_LARGE", "the "
                            "sliding windows already hold 10,000,000 rows; kdaout holds no more");
    if (q->vals_bytes > KDO__QUERY_MAX_WINDOW_BYTES)
        return window_error(sink, rowtime, wall_ms(q, rowtime), "WINDOW_TOO_LARGE", "the "
                            "sliding windows already hold 256 MiB of text for LAG, FIRST_VALUE "
                            "and LAST_VALUE; kdaout holds no more");
    for (size_t i = 0; i < q->nwins && rc == 0; i++)
        rc = slide_one(q, &q->wins[i], rowtime, &ei);
    if (rc)
        return window_error(sink, rowtime, wall_ms(q, rowtime), "EXPRESSION_EVALUATION_ERROR",
                            ei.msg);
    if (project(q, q->in, &e) != 1)
        return window_error(sink, rowtime, wall_ms(q, rowtime), e.name, e.message);
    return deliver(q, rowtime, wall_ms(q, rowtime), sink);
}

/* A grouped row: its partition, the window it opens, its contributions. */
static int group_row(struct kdo_query *q, kdo_time_ns rowtime, struct kdo_query_error *e)
{
    int added;
    long klen = encode_key(q, q->keys, q->nkeys, q->time_key, e);
    if (klen < 0 || contribute(q, q->row_acc, NULL, q->naggs, e) != 0)
        return KDO_EPARSE;
    struct kdo__query_part *p =
        kdo_partitions_get(q->parts, q->keybuf ? q->keybuf : "", (size_t)klen, &added);
    if (p == NULL)
        return to_error_stream(e, "TOO_MANY_PARTITIONS", "the row's key would make more than "
                               "100,000 partitions at once");
    if (q->cfg.window == KDO_QUERY_TUMBLING && !q->window_open) {
        int64_t w = wall_ms(q, rowtime);
        q->window_start_ms = w - (w % q->width_ms + q->width_ms) % q->width_ms;
        q->window_open = 1;
    } else if (q->cfg.window == KDO_QUERY_STAGGER && added) {
        p->opened = rowtime;
    }
    for (size_t a = 0; a < q->naggs; a++)
        kdo_agg_combine(&q->aggs[a].agg, &p->acc[a], &q->row_acc[a]);
    return 0;
}

/* ---- rows in ----------------------------------------------------------------------------- */

/* ROWTIME as a TIMESTAMP shows it (whole ms), never going back (KDA's is monotonic). */
static kdo_time_ns settle(struct kdo_query *q, kdo_time_ns rowtime)
{
    rowtime -= rowtime % KDO_MS;
    if (rowtime < q->last_rowtime)
        rowtime = q->last_rowtime;
    q->last_rowtime = rowtime;
    return rowtime;
}

/* A row admitted (rc 1), dropped (0) or refused (KDO_EPARSE, *e) into its window or
 * out; `data` is what the error stream shows of it. */
static int process(struct kdo_query *q, kdo_time_ns rowtime, int rc, struct kdo_query_error *e,
                   const char *data, size_t len, const struct kdo_query_sink *sink)
{
    if (rc == 1) {
        switch (q->shape) {
        case KDO__SHAPE_CONTINUOUS:
            rc = project(q, q->in, e);
            if (rc == 1)
                return deliver(q, rowtime, wall_ms(q, rowtime), sink);
            break;
        case KDO__SHAPE_SLIDING:
            for (size_t i = 0; i < q->nwins && rc == 1; i++)
                if (find_partition(q, &q->wins[i], e) != 0)
                    rc = KDO_EPARSE;
            if (rc == 1)
                return slide_row(q, rowtime, sink);
            break;
        default:
            rc = group_row(q, rowtime, e) == 0 ? 0 : KDO_EPARSE;
            break;
        }
    }
    if (rc != KDO_EPARSE)
        return 0;
    e->data = data; /* the error stream gets the row as read */
    e->data_len = len;
    e->rowtime_ms = wall_ms(q, rowtime);
    sink->error(sink->ctx, rowtime, e);
    return 0;
}

int kdo_query_input(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                    const char *data, size_t len, const struct kdo_query_sink *sink)
{
    struct kdo_query_error e;
    rowtime = settle(q, rowtime);
    int err = kdo_query_advance(q, rowtime, sink);
    if (err)
        return err;
    int rc = read_text(q, data, len, &e);
    if (rc == 1)
        rc = admit(q, rowtime, arrival, q->read, &e);
    return process(q, rowtime, rc, &e, data, len, sink);
}

int kdo_query_input_row(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                        const struct kdo_row *in, const struct kdo_query_sink *sink)
{
    struct kdo_query_error e;
    if (q->cfg.input_schema == NULL || kdo_row_schema(in) != q->cfg.input_schema)
        return KDO_EINVAL;
    rowtime = settle(q, rowtime);
    int err = kdo_query_advance(q, rowtime, sink);
    if (err)
        return err;
    kdo_arena_reset(&q->scratch);
    int rc = admit(q, rowtime, arrival, in, &e);
    if (rc != KDO_EPARSE)
        return process(q, rowtime, rc, &e, NULL, 0, sink);
    /* The error stream's DATA_ROW: the typed row as JSON. */
    kdo_buf_reset(&q->data_row);
    kdo_rowfmt_write(&q->data_row, in, KDO_ROWFMT_JSON);
    return process(q, rowtime, rc, &e, q->data_row.data, q->data_row.len, sink);
}

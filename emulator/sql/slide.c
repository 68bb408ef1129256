/*
 * slide.c -- a sliding window of aggregate accumulators, and the ring of
 * values an analytic function reads (slide.h).
 */
#include "sql/slide.h"

#include "base/errors.h"

#include <stdlib.h>
#include <string.h>

/* ---- the sliding window ------------------------------------------------------------- */

struct kdo_slide {
    struct kdo_agg *aggs;
    size_t k;
    /* Back stack: the newest rows in arrival order, and their running total. */
    int64_t *btime;
    struct kdo_agg_acc *bacc, *bsum; /* bacc: k per row */
    size_t bn, bcap;
    /* Front stack: the oldest row on top (index fn - 1); fsuf holds, per row,
     * the total of that row and every row below it (the newer ones). */
    int64_t *ftime;
    struct kdo_agg_acc *fsuf;
    size_t fn, fcap;
};

struct kdo_slide *kdo_slide_new(const struct kdo_agg *aggs, size_t naggs)
{
    struct kdo_slide *s = kdo_xcalloc(1, sizeof *s);
    s->k = naggs;
    s->aggs = kdo_xcalloc(naggs ? naggs : 1, sizeof *s->aggs);
    if (naggs > 0) /* a sliding query may have no aggregate at all */
        memcpy(s->aggs, aggs, naggs * sizeof *aggs);
    s->bsum = kdo_xcalloc(naggs ? naggs : 1, sizeof *s->bsum);
    return s;
}

void kdo_slide_free(struct kdo_slide *s)
{
    if (s == NULL)
        return;
    free(s->aggs);
    free(s->btime);
    free(s->bacc);
    free(s->bsum);
    free(s->ftime);
    free(s->fsuf);
    free(s);
}

size_t kdo_slide_count(const struct kdo_slide *s)
{
    return s->bn + s->fn;
}

static void grow(int64_t **times, struct kdo_agg_acc **accs, size_t *cap, size_t need, size_t k)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    *times = kdo_xrealloc(*times, c * sizeof **times);
    *accs = kdo_xrealloc(*accs, c * (k ? k : 1) * sizeof **accs);
    *cap = c;
}

/* Moves every back row to the front, newest first, so the oldest ends on top. */
static void flip(struct kdo_slide *s)
{
    size_t k = s->k;
    grow(&s->ftime, &s->fsuf, &s->fcap, s->fn + s->bn, k);
    for (size_t j = s->bn; j-- > 0;) {
        struct kdo_agg_acc *suf = s->fsuf + s->fn * k;
        memcpy(suf, s->bacc + j * k, k * sizeof *suf);
        if (s->fn > 0)
            for (size_t i = 0; i < k; i++)
                kdo_agg_combine(&s->aggs[i], &suf[i], &s->fsuf[(s->fn - 1) * k + i]);
        s->ftime[s->fn++] = s->btime[j];
    }
    s->bn = 0;
    for (size_t i = 0; i < k; i++)
        s->bsum[i] = kdo_agg_empty();
}

int64_t kdo_slide_oldest(struct kdo_slide *s)
{
    if (s->fn == 0)
        flip(s);
    return s->ftime[s->fn - 1];
}

void kdo_slide_push(struct kdo_slide *s, int64_t rowtime, const struct kdo_agg_acc *row)
{
    grow(&s->btime, &s->bacc, &s->bcap, s->bn + 1, s->k);
    memcpy(s->bacc + s->bn * s->k, row, s->k * sizeof *row);
    s->btime[s->bn++] = rowtime;
    for (size_t i = 0; i < s->k; i++)
        kdo_agg_combine(&s->aggs[i], &s->bsum[i], &row[i]);
}

void kdo_slide_pop(struct kdo_slide *s)
{
    if (s->fn == 0)
        flip(s);
    s->fn--;
}

void kdo_slide_result(struct kdo_slide *s, struct kdo_agg_acc *out)
{
    for (size_t i = 0; i < s->k; i++) {
        out[i] = s->fn > 0 ? s->fsuf[(s->fn - 1) * s->k + i] : kdo_agg_empty();
        kdo_agg_combine(&s->aggs[i], &out[i], &s->bsum[i]);
    }
}

/* ---- the values of an analytic function --------------------------------------------- */

void kdo_vring_fini(struct kdo_vring *r)
{
    kdo_vring_drop_before(r, UINT64_MAX);
    free(r->seq);
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* Doubles the ring, unwrapping it so the oldest is at 0. */
static void vring_grow(struct kdo_vring *r)
{
    size_t c = r->cap ? r->cap * 2 : 16;
    uint64_t *seq = kdo_xcalloc(c, sizeof *seq);
    struct kdo_value *v = kdo_xcalloc(c, sizeof *v);
    for (size_t i = 0; i < r->n; i++) {
        seq[i] = kdo_vring_seq_at(r, i);
        v[i] = *kdo_vring_at(r, i);
    }
    free(r->seq);
    free(r->v);
    r->seq = seq;
    r->v = v;
    r->head = 0;
    r->cap = c;
}

void kdo_vring_push(struct kdo_vring *r, uint64_t seq, const struct kdo_value *v)
{
    if (r->n == r->cap)
        vring_grow(r);
    size_t at = (r->head + r->n++) % r->cap;
    r->seq[at] = seq;
    r->v[at] = *v;
    if (v->type == KDO_TYPE_VARCHAR) { /* the source row is reused: keep a copy */
        char *s = kdo_xmalloc(v->u.str.len + 1);
        memcpy(s, v->u.str.s, v->u.str.len);
        s[v->u.str.len] = '\0';
        r->v[at].u.str.s = s;
        r->bytes += v->u.str.len + 1;
    }
}

void kdo_vring_drop_before(struct kdo_vring *r, uint64_t seq)
{
    while (r->n > 0 && r->seq[r->head] < seq) {
        struct kdo_value *v = &r->v[r->head];
        if (v->type == KDO_TYPE_VARCHAR) {
            r->bytes -= v->u.str.len + 1;
            free((char *)v->u.str.s);
        }
        r->head = (r->head + 1) % r->cap;
        r->n--;
    }
}

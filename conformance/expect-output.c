/*
 * expect-output.c -- `expect: output:`, the rows a destination's function
 * must receive (expect.h), over rowdiff.h.
 *
 * Two streams meet here, and the delivery core learns nothing of either:
 * the invocations as they are sent (their records' bytes; the row number is
 * the last 20 digits of the recordId) and the destination's journal (each
 * rows_emitted entry: a range of row numbers and the instant they entered
 * the stream).  A row counts the first time it is sent: rows are first sent
 * in row order (head of line), so a row number below the next new one is a
 * resend -- after a failure or a restart -- and is skipped.  A new row waits
 * until the journal has made final the range holding it, then goes to the
 * comparison with that range's instant, so at most the rows of the
 * invocations not yet journaled wait here, and the ranges kept are those of
 * rows emitted but not yet sent.
 */
#include "expect.h"

#include "base/errors.h"
#include "delivery/invocation.h"
#include "rowfile.h"

#include <stdlib.h>
#include <string.h>

struct range {
    uint64_t first, count;
    kdo_time_ns t;
};

struct pending {
    uint64_t seq;
    char *data;
    size_t len;
};

struct kdo_output_watch {
    struct kdo_rowdiff *diff;
    uint64_t next_seq; /* the next row never sent */
    struct range *ranges;
    size_t rhead, nranges, rcap;
    struct pending *rows;
    size_t phead, nrows, pcap;
    int finished;
};

void kdo_output_expect_free(struct kdo_output_expect *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->ncolumns; i++)
        free(o->columns[i]);
    for (size_t i = 0; i < o->nnames; i++)
        free(o->names[i]);
    free(o->columns);
    free(o->names);
    free(o->file);
    free(o->text);
    kdo_rowfile_free(o->rows);
    free(o);
}

/* ---- two queues that drain from the front -------------------------------------- */

/* Room for one more item of `size` bytes at the back of a queue whose live
 * items are [*head, *n): the drained front is reused before the array grows. */
static void *queue_room(void *v, size_t *head, size_t *n, size_t *cap, size_t size)
{
    char *a = v;
    if (*head > 0 && *head == *n)
        *head = *n = 0;
    if (*n == *cap && *head > 0) {
        memmove(a, a + *head * size, (*n - *head) * size);
        *n -= *head;
        *head = 0;
    }
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        a = kdo_xrealloc(a, *cap * size);
    }
    return a;
}

static void push_range(struct kdo_output_watch *w, uint64_t first, uint64_t count, kdo_time_ns t)
{
    struct range *last = w->nranges > w->rhead ? &w->ranges[w->nranges - 1] : NULL;
    if (last && last->t == t && last->first + last->count == first) {
        last->count += count;
        return;
    }
    w->ranges = queue_room(w->ranges, &w->rhead, &w->nranges, &w->rcap, sizeof *w->ranges);
    w->ranges[w->nranges++] = (struct range){first, count, t};
}

static void push_row(struct kdo_output_watch *w, uint64_t seq, const char *data, size_t len)
{
    char *copy = kdo_xmalloc(len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    w->rows = queue_room(w->rows, &w->phead, &w->nrows, &w->pcap, sizeof *w->rows);
    w->rows[w->nrows++] = (struct pending){seq, copy, len};
}

/* Hands the waiting rows whose instant is known to the comparison; at the
 * end (`all`), the others too, each at an instant of its own. */
static void drain(struct kdo_output_watch *w, int all)
{
    while (w->phead < w->nrows) {
        struct pending *p = &w->rows[w->phead];
        while (w->rhead < w->nranges &&
               w->ranges[w->rhead].first + w->ranges[w->rhead].count <= p->seq)
            w->rhead++;
        const struct range *r = w->rhead < w->nranges ? &w->ranges[w->rhead] : NULL;
        int known = r && r->first <= p->seq;
        if (!known && !all)
            return;
        kdo_rowdiff_add(w->diff, p->data, p->len, known ? (uint64_t)r->t : UINT64_MAX - p->seq);
        free(p->data);
        w->phead++;
    }
}

static void watched(void *ctx, const struct kdo_journal *j, size_t i)
{
    struct kdo_output_watch *w = ctx;
    const struct kdo_jentry *e = kdo_journal_at(j, i);
    if (w->finished || e == NULL || e->kind != KDO_J_ROWS_EMITTED)
        return;
    push_range(w, e->u.rows.first, e->u.rows.count, e->t);
    drain(w, 0);
}

/* The row number in a recordId: its last 20 digits (kdo_journal_record_id). */
static int record_seq(const struct kdo_str *id, uint64_t *seq)
{
    if (id->n < 20)
        return -1;
    uint64_t v = 0;
    for (size_t i = id->n - 20; i < id->n; i++) {
        if (id->p[i] < '0' || id->p[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(id->p[i] - '0');
    }
    *seq = v;
    return 0;
}

/* ---- the watch ------------------------------------------------------------------ */

struct kdo_output_watch *kdo_output_watch_new(struct kdo_journal *j,
                                              const struct kdo_output_expect *o)
{
    struct kdo_output_watch *w = kdo_xcalloc(1, sizeof *w);
    if (kdo_journal_watch(j, watched, w) != 0) {
        free(w);
        return NULL;
    }
    w->diff = kdo_rowdiff_new(&o->cfg, o->text, o->n);
    return w;
}

void kdo_output_watch_sent(struct kdo_output_watch *w, const struct kdo_invocation *inv)
{
    for (size_t i = 0; i < inv->n && !w->finished; i++) {
        uint64_t seq;
        if (record_seq(&inv->ids[i], &seq) != 0 || seq < w->next_seq)
            continue; /* sent before */
        w->next_seq = seq + 1;
        push_row(w, seq, inv->data[i].p, inv->data[i].n);
    }
    drain(w, 0);
}

void kdo_output_watch_finish(struct kdo_output_watch *w)
{
    if (w->finished)
        return;
    drain(w, 1);
    kdo_rowdiff_finish(w->diff);
    w->finished = 1;
}

double kdo_output_watch_differences(const struct kdo_output_watch *w)
{
    struct kdo_rowdiff_counts c;
    kdo_rowdiff_counts(w->diff, &c);
    return (double)(c.missing + c.unexpected + c.changed);
}

char *kdo_output_watch_evidence(const struct kdo_output_watch *w)
{
    return kdo_rowdiff_report(w->diff);
}

void kdo_output_watch_free(struct kdo_output_watch *w)
{
    if (w == NULL)
        return;
    for (size_t i = w->phead; i < w->nrows; i++)
        free(w->rows[i].data);
    free(w->rows);
    free(w->ranges);
    kdo_rowdiff_free(w->diff);
    free(w);
}

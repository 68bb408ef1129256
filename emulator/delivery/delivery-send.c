/*
 * delivery-send.c -- the delivery engine's invocations: the rows a round
 * sends (new rows, or the failed ones again with their retryHint), packed
 * into events up to max_event_bytes and sent one at a time, and each reply
 * judged record by record (reply.h) and settled on the rows: Ok pops, a
 * failure waits for the retry interval.  A part of the engine
 * (delivery-int.h); the state machine that calls it is delivery.c's.
 */
#include "delivery/delivery-int.h"

#include "base/errors.h"
#include "base/kassert.h"
#include "delivery/contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building and sending an invocation ---------------------------------- */

static void inflight_reserve(struct inflight *f, size_t n)
{
    if (n <= f->cap)
        return;
    size_t cap = f->cap ? f->cap * 2 : 1024;
    while (cap < n)
        cap *= 2;
    f->pos = kdo_xrealloc(f->pos, cap * sizeof *f->pos);
    f->seqs = kdo_xrealloc(f->seqs, cap * sizeof *f->seqs);
    f->hints = kdo_xrealloc(f->hints, cap * sizeof *f->hints);
    f->ids = kdo_xrealloc(f->ids, cap * sizeof *f->ids);
    f->data = kdo_xrealloc(f->data, cap * sizeof *f->data);
    f->idbuf = kdo_xrealloc(f->idbuf, cap * 57);
    f->verdicts = kdo_xrealloc(f->verdicts, cap);
    /* ids point into idbuf, which may have moved. */
    for (size_t i = 0; i < f->n; i++)
        f->ids[i].p = f->idbuf + i * 57;
    f->cap = cap;
}

static int wanted(const struct kdo_delivery *d, const struct row *r)
{
    return d->wants[d->round_retry] >> r->state & 1;
}

/* Adds row at position p to the event; 0, or KDO_ETOOBIG when it is full. */
static int add_row(struct kdo_delivery *d, struct kdo_event *ev, uint64_t p)
{
    struct inflight *f = &d->fl;
    struct row *r = &d->ring[p & d->mask];
    KDO_ASSERT(r->state != ROW_ACKED || d->cfg.rules.retry_set == KDO_RETRY_FAILED_AND_OK);
    KDO_ASSERT((uint8_t)r->hint == (uint8_t)(r->fails * d->hint_step));
    KDO_ASSERT(f->n == 0 || f->seqs[f->n - 1] < r->seq); /* recordId order */
    inflight_reserve(f, f->n + 1);
    char *id = f->idbuf + f->n * 57;
    kdo_journal_record_id(d->prefix, r->seq, id);
    const char *data = kdo_bytering_at(&d->data, r->pos);
    int err = kdo_event_add(ev, id, 56, r->hint, data, r->len);
    if (err)
        return err;
    f->pos[f->n] = p;
    f->seqs[f->n] = r->seq;
    f->hints[f->n] = r->hint;
    f->ids[f->n] = (struct kdo_str){id, 56};
    f->data[f->n] = (struct kdo_str){data, r->len}; /* valid until the next push */
    f->n++;
    d->failing -= r->state == ROW_FAILED;
    d->acked_in_ring -= r->state == ROW_ACKED; /* only under the resend-ok rule */
    r->state = ROW_SENT;
    return 0;
}

static void finish_round(struct kdo_delivery *d, kdo_time_ns now)
{
    if (d->failing > 0) {
        d->state = BACKOFF;
        d->retry_at = now + d->cfg.retry_interval;
        KDO_ASSERT(d->retry_at > now);
        return;
    }
    d->state = IDLE;
    /* About once per cadence: the next flush is due at the first tick after
     * this one began, which is now if this flush overran it (a backlog drains
     * back to back instead of idling until the following tick). */
    kdo_time_ns tick = kdo__delivery_next_flush(d, d->round_at + 1);
    d->flush_at = tick == KDO_TIME_NEVER ? tick : tick > now ? tick : now;
}

/* Sends the next invocation of the current round, or ends the round. */
static int send_next(struct kdo_delivery *d, kdo_time_ns now)
{
    struct kdo_event ev;
    kdo_rng_uuid4(d->rng, d->invocation_id);
    if (kdo_event_begin(&ev, &d->event, d->event.max, d->invocation_id, d->arn) != 0)
        return KDO_ETOOBIG;
    d->fl.n = 0;
    for (; d->cursor < d->round_end; d->cursor++) {
        if (!wanted(d, &d->ring[d->cursor & d->mask]))
            continue;
        if (add_row(d, &ev, d->cursor) == 0)
            continue;
        if (d->fl.n == 0)
            return KDO_EROWSIZE; /* cannot happen with KDO_MIN_EVENT_LIMIT; never strand it */
        break; /* the event is full: the rest goes in the next invocation */
    }
    if (d->fl.n == 0) {
        finish_round(d, now);
        return 0;
    }
    kdo_event_end(&ev);
    KDO_ASSERT(d->event.len <= d->cfg.max_event_bytes);
    d->invocations++;
    struct kdo_invocation inv = {
        .number = d->invocations, .invocation_id = d->invocation_id,
        .event = d->event.data, .event_len = d->event.len, .n = d->fl.n,
        .ids = d->fl.ids, .hints = d->fl.hints, .data = d->fl.data,
    };
    kdo_journal_invoke(d->journal, now, d->invocations, d->round, d->round_retry,
                       d->invocation_id, d->event.len, d->fl.n, d->fl.seqs, d->fl.hints);
    d->state = SENDING;
    d->sent_at = now;
    return kdo_transport_send(d->transport, now, &inv);
}

int kdo__delivery_start_round(struct kdo_delivery *d, kdo_time_ns now, int retry)
{
    /* New rows wait behind a failing set; a retry has failed rows to send. */
    KDO_ASSERT(retry ? d->failing > 0 : d->failing == 0);
    d->round++;
    d->round_retry = retry;
    if (!retry)
        d->round_at = now;
    d->cursor = d->head;
    /* A retry that sends queued rows too (skip-head-of-line) takes the
     * rows pushed since, like a new round. */
    if (!retry || (d->wants[1] & BIT(ROW_QUEUED))) {
        if (!retry)
            d->cursor = d->sent_end;
        d->sent_end = d->tail;
    }
    d->round_end = d->sent_end;
    return send_next(d, now);
}

/* ---- judging a reply ------------------------------------------------------ */

/* r was sent with retryHint `sent_hint` and judged v. */
static void settle_row(struct kdo_delivery *d, struct row *r, uint64_t sent_hint,
                       enum kdo_reason v)
{
    KDO_ASSERT(r->state == ROW_SENT && r->hint == sent_hint);
    if (v == KDO_REASON_OK) {
        r->state = ROW_ACKED;
        d->acked_in_ring++;
        d->acked++;
        return;
    }
    d->on_failed(d, r);
    /* retryHint rises by exactly hint_step per failed delivery (or the
     * record is given up). */
    KDO_ASSERT(r->state == ROW_ACKED || r->hint == sent_hint + d->hint_step);
    (void)sent_hint;
}

static void measure(struct kdo_delivery *d, kdo_time_ns now, const struct kdo_reply_summary *s,
                    uint64_t ok_bytes)
{
    struct kdo_metrics *m = d->metrics;
    kdo_metrics_put(m, now, KDO_METRIC_DURATION, (double)((now - d->sent_at) / KDO_MS));
    kdo_metrics_put(m, now, KDO_METRIC_OK_RECORDS, (double)s->ok);
    kdo_metrics_put(m, now, KDO_METRIC_DELIVERY_FAILED_RECORDS,
                    (double)s->count[KDO_REASON_DELIVERY_FAILED]);
    kdo_metrics_put(m, now, KDO_METRIC_SUCCESS, s->failed == 0 ? 1.0 : 0.0);
    kdo_metrics_put(m, now, KDO_METRIC_OUTPUT_RECORDS, (double)s->ok);
    kdo_metrics_put(m, now, KDO_METRIC_OUTPUT_BYTES, (double)ok_bytes);
}

void kdo__delivery_journal_reply(struct kdo_delivery *d, kdo_time_ns now,
                                 const struct kdo_reply_in *in,
                                 const struct kdo_reply_summary *s)
{
    struct kdo_jentry e = {.kind = KDO_J_REPLY};
    e.u.reply.number = d->invocations;
    e.u.reply.status = in->outcome == KDO_TRANSPORT_DONE ? in->status : 0;
    e.u.reply.outcome = (uint8_t)in->outcome;
    e.u.reply.whole = (uint8_t)s->whole;
    e.u.reply.function_error = in->function_error != NULL;
    e.u.reply.duration = now - d->sent_at;
    e.u.reply.ok = s->ok;
    e.u.reply.failed = s->failed;
    e.u.reply.delivery_failed = s->count[KDO_REASON_DELIVERY_FAILED];
    e.u.reply.n = d->fl.n;
    kdo_journal_reply(d->journal, now, &e, s->detail, d->fl.verdicts);
}

static int on_reply(struct kdo_delivery *d, kdo_time_ns now, const struct kdo_reply_in *in)
{
    struct kdo_reply_summary s;
    struct inflight *f = &d->fl;
    int err = d->judge_reply(d->judge, in, f->ids, f->n, f->verdicts, &s);
    if (err)
        return err;
    kdo__delivery_journal_reply(d, now, in, &s);
    uint64_t ok_bytes = 0;
    for (size_t i = 0; i < f->n; i++) {
        struct row *r = &d->ring[f->pos[i] & d->mask];
        if (f->verdicts[i] == KDO_REASON_OK)
            ok_bytes += r->len;
        settle_row(d, r, f->hints[i], (enum kdo_reason)f->verdicts[i]);
    }
    measure(d, now, &s, ok_bytes);
    f->n = 0;
    kdo__delivery_pop_acked(d);
    return send_next(d, now);
}

int kdo__delivery_check_reply(struct kdo_delivery *d, kdo_time_ns now, int *progressed)
{
    struct kdo_reply_in in;
    if (kdo_transport_poll(d->transport, now, &in)) {
        *progressed = 1;
        return on_reply(d, now, &in);
    }
    if (now - d->sent_at >= d->cfg.invoke_timeout) {
        kdo_transport_cancel(d->transport);
        in = (struct kdo_reply_in){.outcome = KDO_TRANSPORT_TIMEDOUT};
        *progressed = 1;
        return on_reply(d, now, &in);
    }
    return 0;
}

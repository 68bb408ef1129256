/*
 * delivery.c -- the destination stream's state machine.
 *
 * Rows live in a ring indexed by absolute positions [head, tail).  Positions
 * [head, sent_end) have been part of a flush: each is SENT (in flight),
 * FAILED (waiting for a retry) or ACKED (Ok, not yet popped because an older
 * row still fails); [sent_end, tail) are QUEUED and wait for the next flush.
 * Because new rows are only flushed once nothing fails, the ring is a FIFO in
 * the common case and retries scan only the failed prefix.
 *
 * The engine follows the rules in cfg.rules (delivery.h), all zero being the
 * contract's.  They are resolved once, in kdo_delivery_new(), into `wants`
 * (the row states each kind of round sends), `hint_step`, `on_failed` and
 * `judge_reply`: the per-row path reads those values and tests no switch, and the
 * planted bugs (bug.h) live outside this file, as other rules (bug.c).
 *
 * Invariants, asserted in debug and test builds (kassert.h), each against
 * the rules in force:
 *   - head <= sent_end <= tail; the counters agree with the ring; the stream
 *     stays within buffer_rows and buffer_bytes;
 *   - a row acknowledged Ok is never added to an invocation again;
 *   - a row's retryHint is its failed deliveries since the last restart
 *     (hint_step each); the hint sent is the hint the reply settles;
 *   - an invocation carries rows in recordId order, one invocation is in
 *     flight at a time, and no event exceeds max_event_bytes;
 *   - new rows are flushed only when nothing fails (head-of-line blocking);
 *   - a retry is later than the failure; time never runs backwards.
 */
#include "delivery/delivery.h"

#include "base/bytering.h"
#include "base/errors.h"
#include "base/kassert.h"
#include "base/rng.h"
#include "delivery/contract.h"
#include "delivery/event.h"
#include "delivery/journal.h"
#include "delivery/metrics.h"
#include "delivery/reply.h"
#include "delivery/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum row_state { ROW_QUEUED, ROW_SENT, ROW_FAILED, ROW_ACKED };
enum state { IDLE, SENDING, BACKOFF, DOWN };

struct row {
    uint64_t seq;  /* output row number: the recordId */
    uint64_t hint; /* retryHint for its next delivery */
    uint64_t pos;  /* its data in the byte ring */
    uint32_t len;
    uint8_t state;
    uint8_t fails; /* failed deliveries since the hint was last reset, mod 256 */
};

struct inflight {
    size_t n, cap;
    uint64_t *pos; /* ring positions */
    uint64_t *seqs, *hints;
    struct kdo_str *ids, *data;
    char *idbuf;
    uint8_t *verdicts;
};

typedef int (*judge_fn)(struct kdo_reply *r, const struct kdo_reply_in *in,
                        const struct kdo_str *ids, size_t n, uint8_t *verdicts,
                        struct kdo_reply_summary *sum);

struct kdo_delivery {
    struct kdo_delivery_config cfg;
    /* cfg.rules, resolved once (the per-row path reads only these): */
    uint8_t wants[2];   /* bit per row state: what a new [0] / retry [1] round sends */
    uint64_t hint_step; /* retryHint rise per failed delivery */
    void (*on_failed)(struct kdo_delivery *d, struct row *r);
    judge_fn judge_reply;

    char *arn;
    struct kdo_transport *transport;
    struct kdo_journal *journal;
    struct kdo_metrics *metrics;
    struct kdo_rng *rng;
    struct kdo_reply *judge;
    char prefix[37];

    struct row *ring;
    struct kdo_bytering data; /* the rows' bytes, in the same order */
    uint64_t mask; /* capacity - 1 */
    uint64_t head, tail, sent_end;
    uint64_t bytes, failing, next_seq, acked;
    uint64_t acked_in_ring; /* ACKED rows not yet popped */

    enum state state;
    kdo_time_ns now_seen; /* the latest `now` given: time never runs backwards */
    kdo_time_ns flush_at, retry_at, sent_at, up_at;
    kdo_time_ns round_at; /* when the last flush of new rows began (NEVER: none yet) */
    uint64_t round, cursor, round_end;
    int round_retry;

    uint64_t invocations;
    char invocation_id[37];
    struct kdo_buf event;
    struct inflight fl;
};

void kdo_delivery_config_default(struct kdo_delivery_config *c)
{
    memset(c, 0, sizeof *c);
    c->application_arn = "arn:aws:kinesisanalytics:us-east-1:123456789012:application/kdaout";
    c->cadence = KDO_S;
    c->retry_interval = KDO_S;
    c->invoke_timeout = (KDO_FUNCTION_TIMEOUT_DEFAULT_S + 5) * KDO_S;
    c->max_event_bytes = KDO_MAX_EVENT_BYTES;
    c->buffer_rows = 100000;
    c->buffer_bytes = 64u << 20;
    /* c->rules: all zero, the contract's */
}

#define BIT(row_state) (1u << (row_state))

/* A record that failed, by the contract: resent after the retry interval,
 * retryHint + hint_step. */
static void retry_later(struct kdo_delivery *d, struct row *r)
{
    r->state = ROW_FAILED;
    d->failing++;
    r->hint += d->hint_step;
    r->fails++;
}

/* A record that failed, given up (the drop-failed rule): never resent. */
static void give_up(struct kdo_delivery *d, struct row *r)
{
    r->state = ROW_ACKED;
    d->acked_in_ring++;
}

/* The reply judged, then every record taken as Ok (the accept-any-reply
 * rule). */
static int judge_all_ok(struct kdo_reply *r, const struct kdo_reply_in *in,
                        const struct kdo_str *ids, size_t n, uint8_t *verdicts,
                        struct kdo_reply_summary *sum)
{
    int err = kdo_reply_judge(r, in, ids, n, verdicts, sum);
    if (err)
        return err;
    memset(verdicts, KDO_REASON_OK, n);
    memset(sum, 0, sizeof *sum);
    sum->ok = sum->count[KDO_REASON_OK] = n;
    return 0;
}

/* cfg.rules into the values the per-row path reads, once. */
static void resolve_rules(struct kdo_delivery *d)
{
    static const uint8_t retry_wants[] = {
        [KDO_RETRY_FAILED] = BIT(ROW_FAILED),
        [KDO_RETRY_FAILED_AND_OK] = BIT(ROW_FAILED) | BIT(ROW_ACKED),
        [KDO_RETRY_FAILED_AND_NEW] = BIT(ROW_FAILED) | BIT(ROW_QUEUED),
    };
    const struct kdo_delivery_rules *r = &d->cfg.rules;
    KDO_ASSERT((unsigned)r->retry_set < sizeof retry_wants);
    d->wants[0] = BIT(ROW_QUEUED);
    d->wants[1] = retry_wants[(unsigned)r->retry_set < sizeof retry_wants ? r->retry_set : 0];
    d->hint_step = r->keep_hint ? 0 : 1;
    d->on_failed = r->drop_failed ? give_up : retry_later;
    d->judge_reply = r->any_reply_ok ? judge_all_ok : kdo_reply_judge;
}

struct kdo_delivery *kdo_delivery_new(const struct kdo_delivery_config *cfg,
                                      struct kdo_transport *transport, struct kdo_journal *journal,
                                      struct kdo_metrics *metrics, struct kdo_rng *rng)
{
    struct kdo_delivery *d = kdo_xcalloc(1, sizeof *d);
    d->cfg = *cfg;
    /* Guard the invariants the state machine relies on: a retry is always
     * later than the failure (no endless loop within one instant), and any
     * row fits an empty event. */
    if (d->cfg.retry_interval < KDO_MS)
        d->cfg.retry_interval = KDO_MS;
    if (d->cfg.max_event_bytes < KDO_MIN_EVENT_LIMIT)
        d->cfg.max_event_bytes = KDO_MIN_EVENT_LIMIT;
    resolve_rules(d);
    d->arn = kdo_xstrdup(cfg->application_arn);
    d->cfg.application_arn = d->arn;
    d->transport = transport;
    d->journal = journal;
    d->metrics = metrics;
    d->rng = rng;
    d->judge = kdo_reply_new();
    /* recordIds look like AWS's samples: 56 decimal digits, the last 20 the
     * row number, so they are opaque to the function but stable across
     * retries and restarts. */
    for (int i = 0; i < 36; i++)
        d->prefix[i] = (char)('0' + kdo_rng_below(rng, 10));
    d->prefix[0] = (char)('1' + kdo_rng_below(rng, 9));
    d->round_at = KDO_TIME_NEVER;
    d->mask = 1023;
    d->ring = kdo_xcalloc(d->mask + 1, sizeof *d->ring);
    kdo_bytering_init(&d->data);
    d->state = IDLE;
    d->flush_at = KDO_TIME_NEVER;
    d->now_seen = INT64_MIN;
    kdo_buf_init(&d->event, d->cfg.max_event_bytes);
    return d;
}

static void inflight_free(struct inflight *f)
{
    free(f->pos);
    free(f->seqs);
    free(f->hints);
    free(f->ids);
    free(f->data);
    free(f->idbuf);
    free(f->verdicts);
}

void kdo_delivery_free(struct kdo_delivery *d)
{
    if (d == NULL)
        return;
    kdo_bytering_cleanup(&d->data);
    free(d->ring);
    inflight_free(&d->fl);
    kdo_buf_cleanup(&d->event);
    kdo_reply_free(d->judge);
    free(d->arn);
    free(d);
}

const char *kdo_delivery_record_prefix(const struct kdo_delivery *d)
{
    return d->prefix;
}

void kdo_delivery_stats(const struct kdo_delivery *d, struct kdo_delivery_stats *out)
{
    out->rows = d->tail - d->head;
    out->unacked = out->rows - d->acked_in_ring;
    out->bytes = d->bytes;
    out->failing = d->failing;
    out->emitted = d->next_seq;
    out->acked = d->acked;
    out->invocations = d->invocations;
    out->idle = d->head == d->tail && d->state != SENDING;
}

/* ---- invariants (kassert.h: checked in debug and test builds) ------------ */

/* Each entry point takes `now`; a caller that goes back in time breaks
 * every deadline the machine has computed. */
static void see_time(struct kdo_delivery *d, kdo_time_ns now)
{
    KDO_ASSERT(now >= d->now_seen);
    d->now_seen = now;
}

/* What holds between steps: the ring's positions and counters agree, the
 * stream is within its bounds, and the state matches the work in hand. */
static void check_invariants(const struct kdo_delivery *d)
{
    KDO_ASSERT(d->head <= d->sent_end && d->sent_end <= d->tail && d->tail == d->next_seq);
    KDO_ASSERT(d->acked_in_ring <= d->tail - d->head && d->failing <= d->sent_end - d->head);
    KDO_ASSERT(d->tail - d->head <= d->cfg.buffer_rows && d->bytes <= d->cfg.buffer_bytes);
    KDO_ASSERT(d->data.tail - d->data.head >= d->bytes);
    KDO_ASSERT((d->state == SENDING) == (d->fl.n > 0));
    KDO_ASSERT(d->state == SENDING || (d->state == BACKOFF) == (d->failing > 0));
    (void)d;
}

/* ---- the buffer --------------------------------------------------------- */

int kdo_delivery_has_room(const struct kdo_delivery *d, size_t len)
{
    return d->tail - d->head < d->cfg.buffer_rows && d->bytes + len <= d->cfg.buffer_bytes;
}

static void ring_grow(struct kdo_delivery *d)
{
    uint64_t cap = (d->mask + 1) * 2;
    struct row *ring = kdo_xcalloc(cap, sizeof *ring);
    for (uint64_t p = d->head; p < d->tail; p++)
        ring[p & (cap - 1)] = d->ring[p & d->mask];
    free(d->ring);
    d->ring = ring;
    d->mask = cap - 1;
}

static kdo_time_ns next_flush(const struct kdo_delivery *d, kdo_time_ns now)
{
    kdo_time_ns cadence = d->cfg.cadence;
    if (d->sent_end == d->tail)
        return KDO_TIME_NEVER;
    if (cadence <= 0)
        return now;
    return (now + cadence - 1) / cadence * cadence;
}

/* When rows that arrive at `now` are flushed: at the next tick, but never
 * a second time within the tick whose flush of new rows already began (a
 * row pushed at the instant of a flush, after it, waits a whole cadence). */
static kdo_time_ns due_at(const struct kdo_delivery *d, kdo_time_ns now)
{
    kdo_time_ns t = next_flush(d, now);
    if (t == KDO_TIME_NEVER || d->cfg.cadence <= 0 || d->round_at == KDO_TIME_NEVER)
        return t;
    kdo_time_ns tick = next_flush(d, d->round_at + 1);
    return tick > t ? tick : t;
}

int kdo_delivery_push(struct kdo_delivery *d, kdo_time_ns now, const void *row, size_t len)
{
    see_time(d, now);
    if (len > KDO_MAX_ROW_BYTES)
        return KDO_EROWSIZE;
    if (!kdo_delivery_has_room(d, len))
        return KDO_EFULL;
    if (d->tail - d->head > d->mask)
        ring_grow(d);
    struct row *r = &d->ring[d->tail++ & d->mask];
    r->seq = d->next_seq++;
    r->hint = 0;
    r->fails = 0;
    r->len = (uint32_t)len;
    r->pos = kdo_bytering_push(&d->data, row, len);
    r->state = ROW_QUEUED;
    d->bytes += len;
    kdo_journal_rows(d->journal, now, KDO_J_ROWS_EMITTED, r->seq, 1, len);
    if (d->state == IDLE && d->flush_at == KDO_TIME_NEVER)
        d->flush_at = due_at(d, now);
    check_invariants(d);
    return 0;
}

/* Pops acknowledged rows from the head. */
static void pop_acked(struct kdo_delivery *d)
{
    while (d->head < d->sent_end && d->ring[d->head & d->mask].state == ROW_ACKED) {
        struct row *r = &d->ring[d->head++ & d->mask];
        d->bytes -= r->len;
        d->acked_in_ring--;
        kdo_bytering_release(&d->data, r->pos + r->len);
    }
}

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
    kdo_time_ns tick = next_flush(d, d->round_at + 1);
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

static int start_round(struct kdo_delivery *d, kdo_time_ns now, int retry)
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

static void journal_reply(struct kdo_delivery *d, kdo_time_ns now, const struct kdo_reply_in *in,
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
    journal_reply(d, now, in, &s);
    uint64_t ok_bytes = 0;
    for (size_t i = 0; i < f->n; i++) {
        struct row *r = &d->ring[f->pos[i] & d->mask];
        if (f->verdicts[i] == KDO_REASON_OK)
            ok_bytes += r->len;
        settle_row(d, r, f->hints[i], (enum kdo_reason)f->verdicts[i]);
    }
    measure(d, now, &s, ok_bytes);
    f->n = 0;
    pop_acked(d);
    return send_next(d, now);
}

static int check_reply(struct kdo_delivery *d, kdo_time_ns now, int *progressed)
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

/* ---- the machine ------------------------------------------------------ */

static int step(struct kdo_delivery *d, kdo_time_ns now, int *progressed)
{
    *progressed = 0;
    switch (d->state) {
    case DOWN:
        if (now < d->up_at)
            return 0;
        d->state = IDLE;
        d->flush_at = next_flush(d, now);
        *progressed = 1;
        return 0;
    case IDLE:
        if (now < d->flush_at)
            return 0;
        d->flush_at = KDO_TIME_NEVER;
        *progressed = 1;
        return start_round(d, now, 0);
    case SENDING:
        return check_reply(d, now, progressed);
    case BACKOFF:
        if (now < d->retry_at)
            return 0;
        *progressed = 1;
        return start_round(d, now, 1);
    }
    return 0;
}

int kdo_delivery_advance(struct kdo_delivery *d, kdo_time_ns now)
{
    int progressed = 1, err = 0;
    see_time(d, now);
    while (progressed && err == 0)
        err = step(d, now, &progressed);
    if (err == 0)
        check_invariants(d);
    return err;
}

kdo_time_ns kdo_delivery_next_deadline(const struct kdo_delivery *d)
{
    switch (d->state) {
    case IDLE:
        return d->flush_at;
    case SENDING:
        return kdo_time_min(kdo_transport_next_deadline(d->transport),
                            d->sent_at + d->cfg.invoke_timeout);
    case BACKOFF:
        return d->retry_at;
    case DOWN:
        return d->up_at;
    }
    return KDO_TIME_NEVER;
}

/* ---- restarts -------------------------------------------------------- */

static void abandon_in_flight(struct kdo_delivery *d, kdo_time_ns now)
{
    if (d->state != SENDING)
        return;
    kdo_transport_cancel(d->transport);
    struct kdo_reply_summary s = {.whole = KDO_REASON_ABANDONED, .failed = d->fl.n};
    struct kdo_reply_in in = {.outcome = KDO_TRANSPORT_FAILED};
    memset(d->fl.verdicts, KDO_REASON_ABANDONED, d->fl.n);
    snprintf(s.detail, sizeof s.detail, "application restarted with the invocation in flight");
    journal_reply(d, now, &in, &s);
    d->fl.n = 0;
}

void kdo_delivery_restart(struct kdo_delivery *d, kdo_time_ns now, kdo_time_ns downtime)
{
    see_time(d, now);
    abandon_in_flight(d, now);
    uint64_t requeued = d->tail - d->head;
    /* The rules, read once for the loop: where unacknowledged rows go (the
     * contract: queued again; lose-on-restart: gone) and whether the hints
     * start over (the contract) or not (no-hint-reset). */
    uint8_t unacked_to = d->cfg.rules.restart_drops_rows ? ROW_ACKED : ROW_QUEUED;
    int reset_hints = !d->cfg.rules.restart_keeps_hints;
    for (uint64_t p = d->head; p < d->tail; p++) {
        struct row *r = &d->ring[p & d->mask];
        if (r->state == ROW_ACKED) {
            requeued--;
        } else {
            r->state = unacked_to;
            d->acked_in_ring += unacked_to == ROW_ACKED;
        }
        if (reset_hints) {
            r->hint = 0;
            r->fails = 0;
        }
    }
    /* Acknowledged rows at the head are gone for good; the rest are emitted
     * again from the checkpoint, in order (acknowledged ones among them are
     * skipped, and popped once the rows before them are). */
    d->sent_end = d->tail;
    pop_acked(d);
    d->sent_end = d->head;
    d->failing = 0;
    d->state = DOWN;
    d->up_at = now + downtime;
    d->flush_at = KDO_TIME_NEVER;
    check_invariants(d);
    kdo_journal_restart(d->journal, now, requeued, downtime);
}

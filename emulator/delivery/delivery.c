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
 * This file holds the buffer, the machine and restarts; delivery-send.c
 * builds, sends and judges the invocations (delivery-int.h is what they
 * share).
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
#include "delivery/delivery-int.h"

#include "base/errors.h"
#include "base/kassert.h"
#include "delivery/contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
void kdo__delivery_check_invariants(const struct kdo_delivery *d)
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

kdo_time_ns kdo__delivery_next_flush(const struct kdo_delivery *d, kdo_time_ns now)
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
    kdo_time_ns t = kdo__delivery_next_flush(d, now);
    if (t == KDO_TIME_NEVER || d->cfg.cadence <= 0 || d->round_at == KDO_TIME_NEVER)
        return t;
    kdo_time_ns tick = kdo__delivery_next_flush(d, d->round_at + 1);
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
    kdo__delivery_check_invariants(d);
    return 0;
}

/* Pops acknowledged rows from the head. */
void kdo__delivery_pop_acked(struct kdo_delivery *d)
{
    while (d->head < d->sent_end && d->ring[d->head & d->mask].state == ROW_ACKED) {
        struct row *r = &d->ring[d->head++ & d->mask];
        d->bytes -= r->len;
        d->acked_in_ring--;
        kdo_bytering_release(&d->data, r->pos + r->len);
    }
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
        d->flush_at = kdo__delivery_next_flush(d, now);
        *progressed = 1;
        return 0;
    case IDLE:
        if (now < d->flush_at)
            return 0;
        d->flush_at = KDO_TIME_NEVER;
        *progressed = 1;
        return kdo__delivery_start_round(d, now, 0);
    case SENDING:
        return kdo__delivery_check_reply(d, now, progressed);
    case BACKOFF:
        if (now < d->retry_at)
            return 0;
        *progressed = 1;
        return kdo__delivery_start_round(d, now, 1);
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
        kdo__delivery_check_invariants(d);
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
    kdo__delivery_journal_reply(d, now, &in, &s);
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
    kdo__delivery_pop_acked(d);
    d->sent_end = d->head;
    d->failing = 0;
    d->state = DOWN;
    d->up_at = now + downtime;
    d->flush_at = KDO_TIME_NEVER;
    kdo__delivery_check_invariants(d);
    kdo_journal_restart(d->journal, now, requeued, downtime);
}

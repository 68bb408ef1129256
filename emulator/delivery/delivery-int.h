/*
 * delivery-int.h -- what the parts of the delivery engine share: the row
 * ring, the invocation in flight and the engine's state (delivery.c: the
 * buffer, the machine, restarts; delivery-send.c: building and sending an
 * invocation, judging its reply).  Not for other modules: delivery.h is the
 * interface.
 */
#ifndef KDO_DELIVERY_INT_H
#define KDO_DELIVERY_INT_H

#include "base/bytering.h"
#include "base/rng.h"
#include "delivery/delivery.h"
#include "delivery/event.h"
#include "delivery/journal.h"
#include "delivery/metrics.h"
#include "delivery/reply.h"
#include "delivery/transport.h"

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

#define BIT(row_state) (1u << (row_state))

/* delivery.c */
kdo_time_ns kdo__delivery_next_flush(const struct kdo_delivery *d, kdo_time_ns now);
void kdo__delivery_pop_acked(struct kdo_delivery *d);
void kdo__delivery_check_invariants(const struct kdo_delivery *d);

/* delivery-send.c */
int kdo__delivery_start_round(struct kdo_delivery *d, kdo_time_ns now, int retry);
int kdo__delivery_check_reply(struct kdo_delivery *d, kdo_time_ns now, int *progressed);
void kdo__delivery_journal_reply(struct kdo_delivery *d, kdo_time_ns now,
                                 const struct kdo_reply_in *in,
                                 const struct kdo_reply_summary *s);

#endif

/*
 * delivery.h -- the destination stream and its delivery to a Lambda function.
 *
 * The heart of kdaout: a state machine that turns output rows into
 * invocations exactly as KDA does (CONTRACT.md §3-§4).  Rows enter a bounded
 * buffer (the destination in-application stream); when it is full, push()
 * says so and the application stops reading its source.  On each flush the
 * rows waiting are sent in order, split so that no encoded event exceeds
 * 6,291,456 bytes; each reply is judged record by record (reply.h); the
 * records that failed are resent -- only they, same recordId, retryHint + 1 --
 * after the retry interval, until they are Ok, with no limit.  New rows wait
 * behind a failing set, so one poison pill stalls the stream.  A restart
 * abandons the invocation in flight and queues every unacknowledged row again
 * with retryHint 0.  Every step is journaled and measured.
 *
 *   t=0     IDLE --flush--> SENDING(inv 1: rows 0..25677, hint 0)
 *   t=0.02  reply: 3 DeliveryFailed --> SENDING(inv 2: rows 25678..) (rest of the flush)
 *   t=0.04  reply: Ok --> BACKOFF(1 s)
 *   t=1.04  SENDING(inv 3: the 3 failed rows, hint 1)
 *   t=1.06  reply: Ok --> IDLE --next flush at t=2 (cadence grid)--> ...
 *
 * The machine never reads a clock: advance(now) runs every transition due at
 * `now`, next_deadline() says when to call it again.
 */
#ifndef KDO_DELIVERY_H
#define KDO_DELIVERY_H

#include "base/ktime.h"

#include <stddef.h>
#include <stdint.h>

/* Which rows a retry round sends. */
enum kdo_retry_set {
    KDO_RETRY_FAILED,         /* the contract: the records that failed, nothing else */
    KDO_RETRY_FAILED_AND_OK,  /* and those already answered Ok (planted: resend-ok) */
    KDO_RETRY_FAILED_AND_NEW, /* and new rows, past the failing set (planted: skip-head-of-line) */
};

/* The choices the contract makes for the engine.  All zero is the contract;
 * every other value is a planted bug (bug.h), written here by
 * kdo_bug_delivery() before the engine is made.  kdo_delivery_new() turns
 * the rules once into the values its per-row path uses (which row states a
 * round sends, the retryHint step, the judge of a reply), so that path tests
 * no switch, and the engine's assertions check the rules in force: a planted
 * deviation is a configured rule, not a violated invariant. */
struct kdo_delivery_rules {
    enum kdo_retry_set retry_set;
    uint8_t keep_hint;           /* a failed record is resent with the same retryHint */
    uint8_t drop_failed;         /* a failed record is given up instead of resent */
    uint8_t any_reply_ok;        /* every reply acknowledges every record */
    uint8_t restart_keeps_hints; /* a restart does not reset the retryHints */
    uint8_t restart_drops_rows;  /* a restart drops the rows not yet acknowledged */
};

struct kdo_delivery_config {
    const char *application_arn; /* copied */
    kdo_time_ns cadence;         /* flush on this grid; 0 = as soon as rows wait (window triggers) */
    kdo_time_ns retry_interval;  /* pause before resending failed records (default 1 s; >= 1 ms) */
    kdo_time_ns invoke_timeout;  /* give up on a reply after this (default Timeout + 5 s) */
    size_t max_event_bytes;      /* KDO_MAX_EVENT_BYTES; at least KDO_MIN_EVENT_LIMIT */
    size_t buffer_rows;          /* destination stream bound, rows */
    size_t buffer_bytes;         /* destination stream bound, bytes of row data */
    struct kdo_delivery_rules rules; /* all zero: the contract's */
};

/* The smallest event limit the engine accepts: any row up to 512 KB, with
 * any retryHint, fits an event this big, so every row can always be sent. */
#define KDO_MIN_EVENT_LIMIT ((size_t)1 << 20)

void kdo_delivery_config_default(struct kdo_delivery_config *c);

struct kdo_delivery;
/* Borrowed collaborators; declared only, so a user of the engine includes
 * just what it touches (delivery.h pulls in one header). */
struct kdo_transport;
struct kdo_journal;
struct kdo_metrics;
struct kdo_rng;

/* A new engine.  transport, journal, metrics and rng are borrowed and must
 * outlive it; the recordId prefix is drawn from rng. */
struct kdo_delivery *kdo_delivery_new(const struct kdo_delivery_config *cfg,
                                      struct kdo_transport *transport, struct kdo_journal *journal,
                                      struct kdo_metrics *metrics, struct kdo_rng *rng);
void kdo_delivery_free(struct kdo_delivery *d);

/* Whether a row of len bytes fits in the destination stream now. */
int kdo_delivery_has_room(const struct kdo_delivery *d, size_t len);

/* Appends an output row (copied).  Returns 0; KDO_EROWSIZE over 512 KB;
 * KDO_EFULL if the destination stream is full. */
int kdo_delivery_push(struct kdo_delivery *d, kdo_time_ns now, const void *row, size_t len);

kdo_time_ns kdo_delivery_next_deadline(const struct kdo_delivery *d);

/* Runs every transition due at `now`.  Returns 0 or a KDO_E* code from the
 * transport. */
int kdo_delivery_advance(struct kdo_delivery *d, kdo_time_ns now);

/* Application disruption at `now`; deliveries resume after `downtime`. */
void kdo_delivery_restart(struct kdo_delivery *d, kdo_time_ns now, kdo_time_ns downtime);

struct kdo_delivery_stats {
    uint64_t rows, bytes;   /* in the destination stream */
    uint64_t unacked;       /* of those, rows not acknowledged (some Ok rows wait behind a failed one) */
    uint64_t failing;       /* rows waiting for a retry */
    uint64_t emitted;       /* rows ever pushed */
    uint64_t acked;         /* rows acknowledged Ok */
    uint64_t invocations;
    int idle;               /* nothing queued, nothing in flight */
};

void kdo_delivery_stats(const struct kdo_delivery *d, struct kdo_delivery_stats *out);
/* The 36-digit recordId prefix of this run (NUL-terminated). */
const char *kdo_delivery_record_prefix(const struct kdo_delivery *d);

#endif

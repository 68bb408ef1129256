/*
 * fake_lambda.h -- the built-in fake output function, as pure code.
 *
 * Given an invocation and the time, it answers what a Lambda function whose
 * behaviour is a list of fault rules would answer through the real Invoke API
 * (CONTRACT.md §6): status, X-Amz-Function-Error, x-amzn-ErrorType, body, and
 * when the reply completes.  It models the service around the function too: a
 * request over 6,291,456 bytes is a 413 before the function runs; a function
 * whose latency passes its Timeout ends in Sandbox.Timedout at the Timeout; a
 * response over 6,291,556 bytes is Function.ResponseSizeTooLarge.  No clock,
 * no I/O: the in-process transport and the HTTP server both wrap it.
 */
#ifndef KDO_FAKE_LAMBDA_H
#define KDO_FAKE_LAMBDA_H

#include "base/buf.h"
#include "base/ktime.h"
#include "base/rng.h"
#include "delivery/invocation.h"
#include "delivery/reply.h"
#include "lambda/faults.h"

struct kdo_fake_lambda_config {
    kdo_time_ns timeout;            /* the function's Timeout (default 3 s) */
    kdo_time_ns latency;            /* base duration of an invocation (default 20 ms) */
    kdo_time_ns latency_per_record; /* added per record (default 0) */
    int memory_mb;                  /* MemorySize (default 128) */
};

void kdo_fake_lambda_config_default(struct kdo_fake_lambda_config *c);

/* Dribbled bodies go out 64 bytes at a time, one piece per this interval. */
#define KDO_FAKE_DRIBBLE_PIECE 64
#define KDO_FAKE_DRIBBLE_INTERVAL (64 * KDO_MS)

/* What the fake answered.  body is owned by the fake and valid until the
 * next call. */
struct kdo_fake_reply {
    enum kdo_transport_outcome outcome; /* DONE, FAILED (dropped), or TIMEDOUT (never answers) */
    int status;
    const char *function_error; /* "Unhandled" or NULL */
    const char *error_type;     /* x-amzn-ErrorType / errorType, or NULL */
    kdo_time_ns latency;        /* reply complete at request time + latency; NEVER for hang */
    int rule;                   /* index of the invocation rule that fired, or -1 */
    int truncate;               /* send only the first half of the body, then close */
    kdo_time_ns dribble;        /* > 0: send the body in 64-byte pieces this far apart */
    const struct kdo_buf *body;
    char request_id[37];
    /* Per record, the record rule that fired or -1; NULL when a whole-
     * invocation rule answered.  Owned by the fake, valid until the next call. */
    const int *record_rule;
};

struct kdo_fake_lambda;

/* A new fake that steals `rules` (an array of n rules allocated with
 * kdo_xmalloc, or NULL with n == 0) and borrows rng for its lifetime. */
struct kdo_fake_lambda *kdo_fake_lambda_new(const struct kdo_fake_lambda_config *cfg,
                                            struct kdo_fault_rule *rules, size_t n,
                                            struct kdo_rng *rng);
void kdo_fake_lambda_free(struct kdo_fake_lambda *f);

/* Answers one invocation received at `now`. */
void kdo_fake_lambda_invoke(struct kdo_fake_lambda *f, kdo_time_ns now,
                            const struct kdo_invocation *inv, struct kdo_fake_reply *out);

/* Invocations received so far. */
uint64_t kdo_fake_lambda_invocations(const struct kdo_fake_lambda *f);
const struct kdo_fault_rule *kdo_fake_lambda_rules(const struct kdo_fake_lambda *f, size_t *n);

#endif

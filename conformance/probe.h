/*
 * probe.h -- the probes `kdaout conform` sends a real function, and how
 * each is judged.
 *
 * A probe is one or more invocations of KDA's event (the same recordIds
 * resent with a higher retryHint where it tests redelivery).  Every reply is
 * judged by the delivery engine's own judge (reply.h): a probe passes when
 * every record came back exactly once with its recordId and exactly "Ok" or
 * "DeliveryFailed" -- the contract; anything else (a function error, a
 * timeout, a missing or unknown id, a bad result) fails it, with what was
 * sent, what came back and why it matters.  Two checks only warn: a slow
 * function (conform.c, against the function's Timeout and the guide's 5 s)
 * and a record still answered DeliveryFailed at retryHint 1,000 (a function
 * that never gives up on a row stalls KDA forever; Go's event type cannot
 * even see retryHint).  This module builds events and judges replies; it
 * does no I/O.
 */
#ifndef KDO_PROBE_H
#define KDO_PROBE_H

#include "buf.h"
#include "invocation.h"
#include "reply.h"
#include "rng.h"

#include <stddef.h>
#include <stdint.h>

enum kdo_probe_status { KDO_PROBE_PASS, KDO_PROBE_WARN, KDO_PROBE_FAIL };

struct kdo_probe_def {
    const char *name;  /* "poison-pill" */
    const char *title; /* "rows that are not valid JSON" */
    const char *why;   /* why it matters, one sentence */
};

/* The probes, in the order they run. */
extern const struct kdo_probe_def kdo_probes[];
extern const size_t kdo_probes_count;

/* One probe being run: builds its invocations, takes their replies. */
struct kdo_probe_run;

/* A run of probe `index`; record ids and invocation ids come from rng. */
struct kdo_probe_run *kdo_probe_run_new(size_t index, struct kdo_rng *rng);
void kdo_probe_run_free(struct kdo_probe_run *p);

/* The next invocation to send (borrowed until the next call), or NULL when
 * the probe is done. */
const struct kdo_invocation *kdo_probe_next(struct kdo_probe_run *p);
/* What came back for the invocation last returned by kdo_probe_next, and how
 * long it took. */
void kdo_probe_reply(struct kdo_probe_run *p, const struct kdo_reply_in *in, double ms);

struct kdo_probe_result {
    enum kdo_probe_status status;
    int transport_failed; /* a reply never arrived (refused, reset, timed out, too large) */
    int timed_out;        /* ... because the wait ran out (the caller knows how long it was) */
    double slowest_ms;
    char summary[300];    /* one line: what happened */
    char sent[300];       /* what was sent */
    char got[700];        /* what came back (the first failing reply) */
};

/* The verdict, once kdo_probe_next has returned NULL. */
void kdo_probe_result(const struct kdo_probe_run *p, struct kdo_probe_result *out);

#endif

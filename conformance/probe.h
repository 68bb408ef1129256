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
 * even see retryHint).
 *
 * Not every reply is the function's answer.  kdo_probe_classify() sorts out
 * what the service in front of it said instead -- 404 (no such function),
 * 401/403 (credentials, permissions, signature), 429/5xx (throttled or a
 * service fault, resent after kdo_probe_retry_delay() until a bounded budget
 * runs out) -- and a runtime that never started (an init error such as
 * Runtime.ImportModuleError): none of these says anything about the contract,
 * so conform.c stops with a verdict that names the cause and the fix
 * (kdo_probe_explain()) instead of failing probes.  The session-wide checks
 * are pure functions here too: kdo_probe_timing() (against the function's own
 * Timeout) and the well-formed rows counted in each result (a function that
 * answers DeliveryFailed to every one never delivers anything).  This module
 * builds events and judges replies; it does no I/O and reads no clock.
 */
#ifndef KDO_PROBE_H
#define KDO_PROBE_H

#include "base/buf.h"
#include "base/ktime.h"
#include "base/rng.h"
#include "delivery/invocation.h"
#include "delivery/reply.h"

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
    size_t wellformed;    /* well-formed rows (JSON ticker rows) in replies judged by the contract */
    size_t wellformed_ok; /* ... of which answered Ok */
    int transport_failed; /* a reply never arrived (refused, reset, timed out, too large) */
    int timed_out;        /* ... because the wait ran out (the caller knows how long it was) */
    double slowest_ms;
    char summary[300];    /* one line: what happened */
    char sent[300];       /* what was sent */
    char got[700];        /* what came back (the first failing reply) */
};

/* The verdict, once kdo_probe_next has returned NULL. */
void kdo_probe_result(const struct kdo_probe_run *p, struct kdo_probe_result *out);

/* ---- who answered ----------------------------------------------------------------------- */

enum kdo_probe_answer {
    KDO_PROBE_ANSWERED,    /* the function's answer, or no answer at all: judge it */
    KDO_PROBE_RETRY,       /* 429 or 5xx from the service: resend after a pause */
    KDO_PROBE_NOT_FOUND,   /* 404: no such function, qualifier or URL */
    KDO_PROBE_REFUSED,     /* 401 or 403: credentials, permissions or signature */
    KDO_PROBE_NOT_STARTED, /* a function error that is a runtime init error */
};

/* Who answered `in` (borrowed for the call).  A transport failure, a 200 and
 * any other status (400, 413 ...) are ANSWERED: the probe judges them. */
enum kdo_probe_answer kdo_probe_classify(const struct kdo_reply_in *in);

/* 1 if `in` is a function error (200 + X-Amz-Function-Error) whose body's
 * errorType says the handler never started: Runtime.ImportModuleError,
 * Runtime.CallbackHandlerDeprecated, Runtime.ExitError and the other
 * Runtime.* init errors (not Runtime.MarshalError, which a running handler
 * causes).  Then the errorType and errorMessage go to type and msg (cut to
 * their sizes, control characters blanked); 0 otherwise. */
int kdo_probe_init_error(const struct kdo_reply_in *in, char *type, size_t type_size, char *msg,
                         size_t msg_size);

/* Resends of one invocation after 429/5xx, at most (KDA itself resends
 * forever; a probe must end, and stays undecided when they run out). */
#define KDO_PROBE_RETRIES 9
/* KDA's pause between resends (CONTRACT.md §3: about once a second). */
#define KDO_PROBE_RETRY_INTERVAL KDO_S
/* The most a service's retryAfterSeconds may stretch one pause. */
#define KDO_PROBE_RETRY_AFTER_MAX (5 * KDO_S)

/* The pause before resend number `retry` (1 = the first) of an invocation
 * answered `in` (429/5xx): KDA's retry interval, or the body's
 * retryAfterSeconds when longer (at most KDO_PROBE_RETRY_AFTER_MAX); -1 when
 * `retry` is past KDO_PROBE_RETRIES. */
kdo_time_ns kdo_probe_retry_delay(const struct kdo_reply_in *in, unsigned retry);

/* A sentence on what went wrong (cause) and what to do (fix) when `what`
 * ("Invoke", "GetFunctionConfiguration") was answered `status` with
 * x-amzn-ErrorType `error_type` (or NULL), for 401, 403, 404, 429 and 5xx.
 * Never fails; unknown statuses get a generic sentence. */
void kdo_probe_explain(const char *what, int status, const char *error_type, char *cause,
                       size_t cause_size, char *fix, size_t fix_size);

/* The session's timing verdict.  first_ms: the first invocation's time (a
 * cold start: Lambda runs the init phase, up to 10 s, outside the Timeout);
 * rest_ms: the slowest of the others (0 if none); timeout_ms: the function's
 * Timeout (read, or assumed when `known` is 0: then nothing FAILs).  FAIL when an
 * answer took longer than the Timeout (+ the init phase for the first): the
 * service would have cut it off and KDA retried the batch forever; WARN past
 * half the Timeout or past the guide's 5 s; PASS otherwise. */
#define KDO_PROBE_INIT_MS 10000.0
#define KDO_PROBE_GUIDE_SLOW_MS 5000.0
enum kdo_probe_status kdo_probe_timing(double first_ms, double rest_ms, double timeout_ms,
                                       int known);

#endif

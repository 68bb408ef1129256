/*
 * faults.h -- the fault rule engine: what a fake Lambda does to a batch.
 *
 * A rule is {match, action}; a fake's behaviour is an ordered list of rules
 * (plain data, loaded from a scenario or a rules file), so a new fault needs a
 * rule, not new C.  Matching is pure: time and randomness come in as
 * arguments.
 *
 * Actions are of two sorts.  Invocation actions replace the whole reply
 * (timeout, function_error, throttle, ...): the first such rule that matches
 * the invocation wins.  A rule matches an invocation when its time window,
 * invocation range, probability and remaining count allow it and -- if it has
 * record predicates (attempt, contains) -- at least one record matches them:
 * that is how one poison-pill row fails the whole batch.  Record actions
 * (delivery_failed, omit, wrong_id ...) shape one record's entry: the first
 * matching record rule wins for each record; no rule means Ok.  `latency`
 * only adds delay and lets evaluation go on.  `times: N` lets a rule fire only
 * N times (per invocation for invocation actions, per record otherwise).
 */
#ifndef KDO_FAULTS_H
#define KDO_FAULTS_H

#include "base/ktime.h"
#include "base/rng.h"
#include "delivery/invocation.h"

#include <stddef.h>
#include <stdint.h>

/* X(enum, name, is_invocation_action, what it does) */
#define KDO_FAULT_ACTION_MAP(X)                                                                    \
    X(OK, "ok", 0, "answer Ok")                                                                    \
    X(DELIVERY_FAILED, "delivery_failed", 0, "answer DeliveryFailed")                              \
    X(OMIT, "omit", 0, "leave the record out of the reply")                                        \
    X(WRONG_ID, "wrong_id", 0, "answer with a recordId that was not sent")                         \
    X(MISSING_ID, "missing_id", 0, "answer an entry without recordId")                             \
    X(MISSING_RESULT, "missing_result", 0, "answer an entry without result")                       \
    X(BAD_RESULT, "bad_result", 0, "answer a result other than Ok/DeliveryFailed (default \"OK\")") \
    X(DUPLICATE_ID, "duplicate_id", 0, "answer the record twice")                                  \
    X(LATENCY, "latency", 1, "only add latency; evaluation goes on")                               \
    X(TIMEOUT, "timeout", 1, "run past the function Timeout: 200 + Sandbox.Timedout")              \
    X(FUNCTION_ERROR, "function_error", 1, "raise an unhandled error: 200 + X-Amz-Function-Error") \
    X(THROTTLE, "throttle", 1, "429 TooManyRequestsException")                                     \
    X(SERVICE_ERROR, "service_error", 1, "500 ServiceException")                                   \
    X(MALFORMED_BODY, "malformed_body", 1, "200 with a body that is not JSON")                     \
    X(NO_RECORDS, "no_records", 1, "200 with a JSON object without a records array")               \
    X(DROP_CONNECTION, "drop_connection", 1, "close the connection without a reply")               \
    X(TRUNCATE_BODY, "truncate_body", 1, "send half the reply body, then close the connection")  \
    X(DRIBBLE, "dribble", 1, "send the reply body slowly, 64 bytes at a time at 1 KB/s")          \
    X(HANG, "hang", 1, "never reply (the caller times out)")

enum kdo_fault_action {
#define KDO__FAULT_ENUM(e, name, inv, text) KDO_FAULT_##e,
    KDO_FAULT_ACTION_MAP(KDO__FAULT_ENUM)
#undef KDO__FAULT_ENUM
    KDO_FAULT_ACTION_COUNT
};

/* What a row must look like for a rule to match it. */
enum kdo_row_kind {
    KDO_ROW_ANY = 0,
    KDO_ROW_EMPTY,    /* zero bytes */
    KDO_ROW_BINARY,   /* not well-formed UTF-8 (or holding NUL) */
    KDO_ROW_NOT_JSON, /* not one strict JSON value (a poison pill for a JSON.parse handler) */
};
/* "any", "empty", "binary", "not_json"; -1 if unknown. */
int kdo_row_kind_from_name(const char *name);

struct kdo_fault_match {
    uint64_t attempt_min, attempt_max;       /* 1-based attempt = retryHint + 1 */
    uint64_t invocation_min, invocation_max; /* 1-based invocation number */
    kdo_time_ns from, until;                 /* active in [from, until) */
    uint64_t times;                          /* fire at most this often; 0 = no limit */
    double probability;                      /* 0..1 */
    char *contains;                          /* row content substring; NULL = any */
    size_t contains_len;
    enum kdo_row_kind row;                   /* the row's kind */
    size_t min_bytes;                        /* the row has at least this many bytes */
};

/* 1 if the match looks at row content (contains, row, min_bytes): an end
 * that receives events as JSON must then decode the rows. */
int kdo_fault_match_reads_rows(const struct kdo_fault_match *m);

struct kdo_fault_rule {
    char *name; /* for the journal; owned */
    struct kdo_fault_match match;
    enum kdo_fault_action action;
    kdo_time_ns latency; /* added when the rule fires */
    char *value;         /* bad_result value / function_error message; owned, may be NULL */
    uint64_t fired;      /* times fired so far */
};

/* A rule that matches everything and answers Ok; caller fills in the rest. */
void kdo_fault_rule_init(struct kdo_fault_rule *r);
void kdo_fault_rule_cleanup(struct kdo_fault_rule *r);

/* A deep copy of n rules (names, patterns and values duplicated, counters
 * zeroed); free each with kdo_fault_rule_cleanup() and the array with free(). */
struct kdo_fault_rule *kdo_fault_rules_copy(const struct kdo_fault_rule *rules, size_t n);

const char *kdo_fault_action_name(enum kdo_fault_action a);
/* Action by name; -1 if unknown. */
int kdo_fault_action_from_name(const char *name);
/* 1 if the action replaces the whole reply (or only adds latency). */
int kdo_fault_action_is_invocation(enum kdo_fault_action a);

/* The outcome of evaluating the rules on one invocation. */
struct kdo_fault_verdict {
    int whole_rule;         /* index of the invocation rule that fired, or -1 */
    kdo_time_ns latency;    /* summed latency of fired rules */
    /* per record: index of the record rule that fired, or -1 (Ok); n entries */
    int *record_rule;
};

/* Evaluates `rules` (n of them; their `fired` counters are updated) on an
 * invocation at `now`.  out->record_rule must hold inv->n ints. */
void kdo_faults_eval(struct kdo_fault_rule *rules, size_t n, kdo_time_ns now,
                     const struct kdo_invocation *inv, struct kdo_rng *rng,
                     struct kdo_fault_verdict *out);

#endif
